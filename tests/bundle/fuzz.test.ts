/**
 * Fuzz (#18): archives built from random manifests (random JSON, a valid manifest with fields swapped
 * for random JSON values, names full of control characters, text that is not JSON), entry names with
 * control characters and random JSON in findings.json and data files, fed to verify, inspect, diff and
 * analyze in-process through the real CLI entry. Each must end in bounded time without an "internal
 * error", the four must agree on whether the file is a readable bundle, and no control character may
 * reach stdout or stderr. One fixed seed (FUZZ_SEED=n to explore others); a failure prints its seed
 * and the shrunk case.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BUNDLE_NAME, type HostileEntry, type Ran, run, SMALL_FILES, validManifest, writeBundle } from './hostile.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
/** Longest one command may take on one small archive (they take well under a second). */
const COMMAND_MS = 15_000;

let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cb-fuzz-'));
  env = { HOME: dir, PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Characters a hostile name is made of: control characters, bidi, plain letters, dots and slashes. */
const nasty = fc.string({
  unit: fc.constantFrom(
    '\x1b',
    '[',
    ']',
    '5',
    '2',
    ';',
    '\x07',
    '\u009b',
    '\u0085',
    '\x7f',
    '\r',
    '\n',
    '\t',
    '\u202e',
    '\u2066',
    'a',
    'b',
    '.',
    '-',
    ' ',
    'é',
  ),
  minLength: 1,
  maxLength: 12,
});
const segment = nasty.map((s) => s.replace(/[/\0]/g, '_'));
const entryPath = fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'));
const json = fc.jsonValue({ maxDepth: 3 });

const MANIFEST_KEYS = [
  'tool',
  'bundle',
  'commandLine',
  'host',
  'startedAt',
  'finishedAt',
  'durationMs',
  'status',
  'options',
  'docker',
  'environment',
  'collectors',
  'files',
  'redaction',
  'findings',
  'plugins',
];

/** A manifest: random JSON, a valid one with fields swapped, one with hostile strings, or not JSON. */
const manifest: fc.Arbitrary<{ value: unknown; raw: boolean }> = fc.oneof(
  json.map((value) => ({ value, raw: false })),
  fc
    .dictionary(fc.constantFrom(...MANIFEST_KEYS), json, { maxKeys: 3 })
    .map((swap) => ({ value: { ...validManifest(BUNDLE_NAME, SMALL_FILES), ...swap }, raw: false })),
  fc
    .record({
      name: nasty,
      reason: nasty,
      command: fc.array(nasty, { maxLength: 3 }),
      status: fc.constantFrom('ok', 'failed', 'timed-out', 'skipped', 'weird'),
    })
    .map((h) => ({
      value: validManifest(BUNDLE_NAME, SMALL_FILES, {
        commandLine: h.command,
        collectors: [
          { name: h.name, status: h.status, reason: h.reason, durationMs: 1, artifacts: [], problems: [{ item: h.name, reason: h.reason }], commands: [] },
        ],
      }),
      raw: false,
    })),
  fc.string({ maxLength: 40 }).map((value) => ({ value, raw: true })),
);

/** Extra entries: hostile names, findings.json and Docker/system files of random JSON. */
const extras: fc.Arbitrary<HostileEntry[]> = fc.array(
  fc.oneof(
    fc.record({ path: entryPath, data: nasty }),
    json.map((v) => ({ path: 'findings.json', data: JSON.stringify(v) })),
    fc.record({ id: nasty, title: nasty, severity: fc.constantFrom('error', 'warning', 'info', 'fatal') }).map((f) => ({
      path: 'findings.json',
      data: JSON.stringify({
        generatedAt: 'x',
        counts: { error: 1, warning: 0, info: 0 },
        analyzers: [],
        findings: [{ ...f, summary: '', evidence: [], remedy: '', docs: '' }],
      }),
    })),
    fc
      .record({ file: fc.constantFrom('docker/local/containers.json', 'docker/local/version.json', 'system/versions.json', 'django/migrations.json'), v: json })
      .map(({ file, v }) => ({ path: file, data: JSON.stringify(v) })),
  ),
  { maxLength: 4 },
);

/** One command, raced against COMMAND_MS: a hang fails the case instead of the whole run. */
async function bounded(args: readonly string[]): Promise<Ran & { ms: number }> {
  const began = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${args[0]} took over ${COMMAND_MS} ms`)), COMMAND_MS);
  });
  try {
    const r = await Promise.race([run(args, env), hang]);
    return { ...r, ms: performance.now() - began };
  } finally {
    clearTimeout(timer);
  }
}

let n = 0;
it('verify, inspect, diff and analyze never crash, never hang, agree, and print no control character', async () => {
  const seed = Number(process.env['FUZZ_SEED'] ?? 18);
  await fc.assert(
    fc.asyncProperty(manifest, extras, fc.boolean(), async (m, more, orderFirst) => {
      const file = join(dir, `case-${n++}.tar.gz`);
      const files = orderFirst ? [...more, ...SMALL_FILES] : [...SMALL_FILES, ...more];
      await writeBundle(file, m.value, files, { raw: m.raw });
      const verify = await bounded(['verify', file, '--no-config', '--json']);
      const inspect = await bounded(['inspect', file]);
      const diff = await bounded(['diff', file, file]); // both sides hold the random data files, so each is compared
      const analyze = await bounded(['analyze', file, '--no-config']);
      await rm(file, { force: true });
      const all = { verify, inspect, diff, analyze };
      for (const [name, r] of Object.entries(all)) {
        expect(r.stderr, `${name} crashed`).not.toContain('internal error');
        expect(r.stdout, `${name} stdout`).not.toMatch(CONTROL);
        expect(r.stderr, `${name} stderr`).not.toMatch(CONTROL);
      }
      const readable = (JSON.parse(verify.stdout) as { readable: boolean }).readable;
      expect({ verify: verify.code, inspect: inspect.code, diff: diff.code, analyze: analyze.code }).toEqual(
        readable
          ? { verify: expect.any(Number), inspect: 0, diff: expect.toSatisfy((c: number) => c === 0 || c === 1), analyze: 0 }
          : { verify: 1, inspect: 1, diff: 2, analyze: 1 },
      );
      if (!readable) for (const r of [inspect, diff, analyze]) expect(r.stderr).toMatch(/^collect-bundle: [^\n]+\n$/);
    }),
    { seed, numRuns: Number(process.env['FUZZ_RUNS'] ?? 40), endOnFailure: true },
  );
}, 120_000);
