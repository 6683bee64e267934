/**
 * The one validated reader under verify, inspect, diff and analyze: a missing, null or wrongly typed
 * manifest.json is a one-line failure in all four (never "ok", never "internal error"), a tampered
 * bundle fails verify, and the four agree on whether a file is a readable bundle. Bundles are built by
 * hand (tests/bundle/hostile.ts) and the commands run in-process through the real CLI entry.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBundle } from '../../src/bundle/reader.js';
import { BUNDLE_NAME, SMALL_FILES, readAll, run, validManifest, verdicts, writeBundle } from './hostile.js';

let dir: string;
let env: Record<string, string>;
let good: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cb-reader-'));
  env = { HOME: dir, PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
  good = await writeBundle(join(dir, 'good.tar.gz'), validManifest(BUNDLE_NAME, SMALL_FILES));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readBundle', () => {
  it('reads a well-formed bundle: valid manifest, every entry hashed, no problem', async () => {
    const b = await readBundle(good);
    expect(b.unreadable).toBeUndefined();
    expect(b.manifest?.bundle).toBe(BUNDLE_NAME);
    expect(b.roots).toEqual([BUNDLE_NAME]);
    expect(b.entries.map((e) => e.path)).toEqual(['manifest.json', ...SMALL_FILES.map((f) => f.path)]);
    expect(b.problems).toEqual([]);
  });

  it('fills what older manifests may lack and keeps fields it does not know', async () => {
    const m = validManifest(BUNDLE_NAME, SMALL_FILES, { newerField: { x: 1 } });
    delete m['files'];
    delete m['redaction'];
    delete m['commandLine'];
    const b = await readBundle(await writeBundle(join(dir, 'older.tar.gz'), m, SMALL_FILES.slice(1)));
    expect(b.unreadable).toBeUndefined();
    expect(b.manifest?.files).toEqual([]);
    expect(b.manifest?.commandLine).toEqual([]);
    expect(b.manifest?.redaction).toEqual({ total: 0, byRule: [] });
    expect((b.manifest as unknown as { newerField: unknown }).newerField).toEqual({ x: 1 });
  });
});

/** Manifests a stranger's bundle may hold, and what the one line must name. */
const HOSTILE: readonly { name: string; manifest: unknown; raw?: boolean; says: RegExp }[] = [
  { name: 'null', manifest: null, says: /manifest\.json is not a collect-bundle manifest \(the document: expected an object, got null\)/ },
  { name: 'a number', manifest: 5, says: /expected an object, got a number/ },
  {
    name: 'collectors: "nope"',
    manifest: { ...validManifest(BUNDLE_NAME, SMALL_FILES), collectors: 'nope' },
    says: /collectors: expected a list, got a string/,
  },
  { name: 'files: 5', manifest: { ...validManifest(BUNDLE_NAME, SMALL_FILES), files: 5 }, says: /files: expected a list, got a number/ },
  {
    name: 'collectors: [null]',
    manifest: { ...validManifest(BUNDLE_NAME, SMALL_FILES), collectors: [null] },
    says: /collectors\.0: expected an object, got null/,
  },
  {
    name: 'an artifact without sha256',
    manifest: { ...validManifest(BUNDLE_NAME, SMALL_FILES), collectors: [{ name: 'x', status: 'ok', artifacts: [{ path: 'a', bytes: 1 }] }] },
    says: /collectors\.0\.artifacts\.0\.sha256: expected a string, got nothing/,
  },
  { name: 'not JSON', manifest: '{"bundle": ', raw: true, says: /manifest\.json is not valid JSON/ },
];

describe('a missing, null or wrongly typed manifest fails in all four commands, in one line', () => {
  for (const h of HOSTILE) {
    it(`manifest.json is ${h.name}`, async () => {
      const file = await writeBundle(join(dir, `m-${HOSTILE.indexOf(h)}.tar.gz`), h.manifest, SMALL_FILES, { raw: h.raw ?? false });
      const r = await readAll(file, good, env);
      expect(verdicts(r)).toEqual({ verify: 'bad', inspect: 'bad', diff: 'bad', analyze: 'bad' });
      expect(r.verify.stdout).toMatch(new RegExp(`^manifest\\.json: structure: .*${h.says.source}`, 'm'));
      expect(r.verify.stdout).not.toMatch(/^ok/m);
      for (const c of [r.inspect, r.diff, r.analyze]) {
        expect(c.stderr).toMatch(/^collect-bundle: [^\n]+\n$/); // one line
        expect(c.stderr).toMatch(h.says);
        expect(c.stderr).not.toContain('internal error');
        expect(c.stdout).toBe('');
      }
    });
  }

  it('no manifest.json at all', async () => {
    const file = join(dir, 'none.tar.gz');
    const { tarGz } = await import('./hostile.js');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, await tarGz(BUNDLE_NAME, SMALL_FILES));
    const r = await readAll(file, good, env);
    expect(verdicts(r)).toEqual({ verify: 'bad', inspect: 'bad', diff: 'bad', analyze: 'bad' });
    expect(r.verify.stdout).toMatch(/^manifest\.json: missing: not a collect-bundle bundle \(no manifest\.json inside/m);
    for (const c of [r.inspect, r.diff, r.analyze])
      expect(c.stderr).toMatch(/^collect-bundle: \S+none\.tar\.gz: not a collect-bundle bundle \(no manifest\.json inside [^\n]+\n$/);
  });
});

it('a bundle whose manifest was replaced by null, ISSUE.md changed and a file added fails verify (#18)', async () => {
  const tampered = [
    { path: 'ISSUE.md', data: '# Issue\n\nAll fine, close this.\n' },
    ...SMALL_FILES.slice(1),
    { path: 'system/added.txt', data: 'unlisted\n' },
  ];
  const file = await writeBundle(join(dir, 'tampered.tar.gz'), null, tampered);
  const r = await run(['verify', file, '--no-config', '--json'], env);
  expect(r.code).toBe(1);
  const result = JSON.parse(r.stdout) as { ok: boolean; readable: boolean; problems: { file: string; kind: string }[] };
  expect(result.ok).toBe(false);
  expect(result.readable).toBe(false);
  expect(result.problems).toContainEqual(expect.objectContaining({ file: 'manifest.json', kind: 'structure' }));
  // The same changes under a valid manifest: each one named.
  const listed = await writeBundle(join(dir, 'tampered2.tar.gz'), validManifest(BUNDLE_NAME, SMALL_FILES), tampered);
  const r2 = await run(['verify', listed, '--no-config'], env);
  expect(r2.code).toBe(1);
  expect(r2.stdout).toMatch(/^ISSUE\.md: checksum: /m);
  expect(r2.stdout).toMatch(/^system\/added\.txt: extra: /m);
});

it('all four read a well-formed bundle, and verify passes it', async () => {
  const r = await readAll(good, good, env);
  expect(verdicts(r)).toEqual({ verify: 'good', inspect: 'good', diff: 'good', analyze: 'good' });
  expect(r.verify.stdout).toMatch(/^ok: 4 entries verified/);
});

it('a fact that is not a string (a plugin may report a number) is shown as text, not a reason to refuse', async () => {
  const b = await readBundle(
    await writeBundle(join(dir, 'facts.tar.gz'), validManifest(BUNDLE_NAME, SMALL_FILES, { environment: { cpus: 4, os: 'Debian', odd: null } })),
  );
  expect(b.unreadable).toBeUndefined();
  expect(b.manifest?.environment).toEqual({ cpus: '4', os: 'Debian', odd: 'null' });
});
