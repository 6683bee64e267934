/**
 * `inspect` on real bundles of the real engine (one container whose log is cut to its tail): the
 * summary against the bundle's own files, `--file` streaming one entry, the cheap checks on a
 * tampered copy, and the errors for missing, corrupt and foreign files.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFile, copyFile, mkdir, mkdtemp, readFile, rm, truncate, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectBundle, type CollectResult } from '../../src/run/collect.js';
import { CliError } from '../../src/core/errors.js';
import { inspectBundle, renderInspect, type InspectResult } from '../../src/report/inspect.js';
import { similarPaths, writeBundleFile } from '../../src/report/inspect-file.js';
import { fileJson, fileText, readBundle, repackBundle, type TarEntry } from '../helpers/bundle.js';
import { DOCKER_HOST, TEST_IMAGE, docker, dockerUnavailable, removeContainers, uniq, waitForLog } from '../helpers/docker.js';

const skip = Boolean(dockerUnavailable) && !process.env['CI'];
const prefix = uniq('cbinspect');
const noisy = `${prefix}-noisy`;
const LOG = `docker/local/containers/${noisy}/logs.txt`;

let tmp: string;
let bundle: CollectResult;
let entries: Map<string, TarEntry>;
let result: InspectResult;

const rel = (name: string): string => name.split('/').slice(1).join('/');

async function errorOf(p: Promise<unknown>): Promise<CliError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CliError);
  return err as CliError;
}

describe.skipIf(skip)('inspect (real bundle)', () => {
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'cb-inspect-'));
    await docker(
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      noisy,
      TEST_IMAGE,
      'sh',
      '-c',
      'i=0; while [ $i -lt 400 ]; do echo "line $i of a noisy container"; i=$((i+1)); done; sleep 600',
    );
    await waitForLog(noisy, 'line 399 of');
    bundle = await collectBundle({
      outputDir: join(tmp, 'out'),
      only: ['docker', 'system'],
      env: { ...process.env, DOCKER_HOST },
      collectorOptions: { docker: { containers: [noisy], maxLogBytes: 2048 } },
    });
    entries = await readBundle(bundle.bundle);
    result = await inspectBundle(bundle.bundle);
  }, 180_000);
  afterAll(async () => {
    if (!skip) await removeContainers(prefix);
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('summarises the run as manifest.json records it', async () => {
    const m = bundle.manifest;
    expect(result).toMatchObject({
      file: bundle.bundle,
      name: m.bundle,
      tool: m.tool,
      host: m.host,
      startedAt: m.startedAt,
      finishedAt: m.finishedAt,
      status: m.status,
      commandLine: m.commandLine,
    });
    expect(result.fileBytes).toBe(await statSize(bundle.bundle));
    expect(result.collectors.map((c) => [c.name, c.status, c.artifacts])).toEqual(m.collectors.map((c) => [c.name, c.status, c.artifacts.length]));
    expect(result.redaction.total).toBe(m.redaction.total);
    expect(result.redaction.byRule).toEqual(m.redaction.byRule);
  });

  it('lists the findings of findings.json', () => {
    const doc = fileJson<{ counts: object; findings: { id: string; title: string }[] }>(entries, 'findings.json');
    expect(result.findings.present).toBe(true);
    if (!result.findings.present) return;
    expect(result.findings.counts).toEqual(doc.counts);
    expect(result.findings.items.map((f) => [f.id, f.title])).toEqual(doc.findings.map((f) => [f.id, f.title]));
  });

  it('lists the ten largest files with the truncated marker, and the totals', () => {
    const files = [...entries.values()].filter((e) => e.type === 'file');
    const bySize = files.map((e) => ({ path: rel(e.name), bytes: e.data.length })).sort((a, b) => b.bytes - a.bytes || a.path.localeCompare(b.path));
    expect(result.largest.map((f) => [f.path, f.bytes])).toEqual(bySize.slice(0, 10).map((f) => [f.path, f.bytes]));
    expect(result.entries).toEqual({ count: files.length, bytes: files.reduce((n, e) => n + e.data.length, 0) });
    const record = bundle.manifest.collectors.flatMap((c) => c.artifacts).find((a) => a.path === LOG)!;
    expect(record.truncated).toBe(true);
    const log = result.largest.find((f) => f.path === LOG);
    expect(log).toEqual({ path: LOG, bytes: record.bytes, truncated: true, originalBytes: record.originalBytes });
    // Every marker agrees with the manifest (events.jsonl may be cut too: the engine is shared).
    const cut = new Set(
      bundle.manifest.collectors
        .flatMap((c) => c.artifacts)
        .filter((a) => a.truncated)
        .map((a) => a.path),
    );
    expect(result.largest.filter((f) => f.truncated).map((f) => f.path)).toEqual(result.largest.map((f) => f.path).filter((p) => cut.has(p)));
  });

  it('checks the sidecar, the layout and the manifest checksums', async () => {
    const sha = createHash('sha256')
      .update(await readFile(bundle.bundle))
      .digest('hex');
    expect(result.checks).toEqual({ sha256: sha, sidecar: 'match', oneRoot: true, checksumMismatches: [], missing: [], unlisted: [] });
  });

  it('renders the summary as text', () => {
    const text = renderInspect(result);
    expect(text).toContain(`bundle     ${bundle.manifest.bundle}`);
    expect(text).toMatch(new RegExp(`\\n  docker +ok +\\S+ +${bundle.manifest.collectors.find((c) => c.name === 'docker')!.artifacts.length} files`));
    expect(text).toMatch(new RegExp(`\\d+ (B|KiB)  ${LOG.replace(/[.]/g, '\\.')}  \\[truncated from [\\d.]+ KiB: the tail was kept\\]`));
    expect(text).toContain(`  ${result.entries.count} files, `);
    expect(text).toContain('sidecar     present, matches');
    expect(text).toContain('manifest    every listed file present with its size and sha256');
  });

  it('--file streams one entry, with or without the bundle folder in front', async () => {
    for (const path of ['docker/local/ps.txt', `${bundle.manifest.bundle}/docker/local/ps.txt`, './docker/local/ps.txt']) {
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (c: Buffer) => chunks.push(c));
      const got = await writeBundleFile(bundle.bundle, path, out);
      expect(got.path).toBe('docker/local/ps.txt');
      expect(Buffer.concat(chunks).toString('utf8')).toBe(fileText(entries, 'docker/local/ps.txt'));
    }
  });

  it('--file of a path the bundle lacks names similar paths (exit 2)', async () => {
    const err = await errorOf(writeBundleFile(bundle.bundle, 'docker/local/ps.tx', new PassThrough()));
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/^docker\/local\/ps\.tx: no such file in .*; similar: docker\/local\/ps\.txt/);
    expect(err.message).not.toContain('\n');
    expect(similarPaths('containers.json', ['docker/local/containers.json', 'system/os.json'])).toEqual(['docker/local/containers.json']);
  });

  it('says when the sidecar does not match and when files differ from the manifest', async () => {
    const copy = join(tmp, 'copy.tar.gz');
    await copyFile(bundle.bundle, copy);
    await writeFile(`${copy}.sha256`, `${'0'.repeat(64)}  copy.tar.gz\n`);
    expect((await inspectBundle(copy)).checks.sidecar).toBe('mismatch');

    const tampered = await repackBundle(bundle.bundle, join(tmp, 'repack'), join(tmp, 'tampered.tar.gz'), async (root) => {
      await appendFile(join(root, 'docker/local/ps.txt'), 'edited\n');
      await writeFile(join(root, 'extra.txt'), 'not from collect-bundle\n');
    });
    const r = await inspectBundle(tampered);
    expect(r.checks).toMatchObject({ sidecar: 'absent', oneRoot: true, checksumMismatches: ['docker/local/ps.txt'], missing: [], unlisted: ['extra.txt'] });
    expect(renderInspect(r)).toContain('manifest    1 differ (docker/local/ps.txt); 1 not listed (extra.txt)');
  });

  it('says how to get findings for a bundle without findings.json', async () => {
    const old = await collectBundle({ outputDir: join(tmp, 'old'), only: ['system'], noAnalyze: true, env: process.env });
    const r = await inspectBundle(old.bundle);
    expect(r.findings).toEqual({ present: false, note: 'no findings.json (bundle from an older version; run `collect-bundle analyze BUNDLE`)' });
    expect(renderInspect(r)).toContain('  no findings.json (bundle from an older version; run `collect-bundle analyze BUNDLE`)');
  }, 60_000);

  it('a missing path or a directory is a usage error (exit 2), one line naming the fix', async () => {
    const missing = await errorOf(inspectBundle(join(tmp, 'nope.tar.gz')));
    expect(missing.exitCode).toBe(2);
    expect(missing.message).toMatch(/nope\.tar\.gz: no such file; check the path/);
    const dir = await errorOf(inspectBundle(tmp));
    expect(dir.exitCode).toBe(2);
    expect(dir.message).toMatch(/is a directory, not a regular file: pass a bundle file/);
  });

  it('a corrupt or foreign file is fatal (exit 1), one line naming the cause and the fix', async () => {
    const cut = join(tmp, 'cut.tar.gz');
    await copyFile(bundle.bundle, cut);
    await truncate(cut, Math.floor((await statSize(cut)) / 2));
    const corrupt = await errorOf(inspectBundle(cut));
    expect(corrupt.exitCode).toBe(1);
    expect(corrupt.message).toMatch(/cut\.tar\.gz: not a readable \.tar\.gz bundle \(.+\); the file is damaged or incomplete: copy it again/);
    expect(corrupt.message).not.toContain('\n');

    const text = join(tmp, 'notes.tar.gz');
    await writeFile(text, 'plain text, not gzip\n');
    expect((await errorOf(inspectBundle(text))).exitCode).toBe(1);

    const foreignDir = join(tmp, 'foreign');
    await mkdir(join(foreignDir, 'stuff'), { recursive: true });
    await writeFile(join(foreignDir, 'stuff', 'a.txt'), 'hello\n');
    const foreign = join(tmp, 'foreign.tar.gz');
    execFileSync('tar', ['czf', foreign, '-C', foreignDir, 'stuff']);
    const err = await errorOf(inspectBundle(foreign));
    expect(err.exitCode).toBe(1);
    expect(err.message).toMatch(/foreign\.tar\.gz: not a collect-bundle bundle \(no manifest\.json inside stuff\/\)/);
  });
});

async function statSize(file: string): Promise<number> {
  return (await stat(file)).size;
}
