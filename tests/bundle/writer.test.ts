import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LiteralSet } from '../../redaction/literals.js';
import { Redactor } from '../../redaction/redactor.js';
import { RedactionReport } from '../../redaction/report.js';
import { newRedactionKey } from '../../redaction/tags.js';
import { json, text } from '../../src/core/artifacts.js';
import { BUNDLE_NAME_RE, bundleName } from '../../src/bundle/name.js';
import { BundleWriter, OutputError } from '../../src/bundle/writer.js';
import type { Artifact, ArtifactRecord } from '../../src/core/types.js';
import { fileText, readBundle } from '../helpers/bundle.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cb-writer-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const never = new AbortController().signal;
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const newWriter = async (outputDir = dir, name = bundleName({ hostname: 'host-1', date: new Date('2026-11-28T10:11:12Z') })) => {
  const report = new RedactionReport();
  const writer = await BundleWriter.create({ outputDir, name, redactor: new Redactor({ key: newRedactionKey(), report }) });
  return { writer, report };
};
const stream = (path: string, chunks: (string | Buffer)[], extra: Partial<Artifact> = {}): Artifact => ({
  kind: 'artifact',
  path,
  open: async () => ({ stream: Readable.from(chunks) }),
  ...extra,
});

describe('bundle names', () => {
  it('are collect-bundle-<host>[-<label>]-<UTC stamp>-<6 random> without colons', () => {
    const d = new Date('2026-01-02T03:04:05.678Z');
    const a = bundleName({ hostname: 'web-1.example.com', date: d });
    const b = bundleName({ hostname: 'web 1/x', label: 'before upgrade!', date: d });
    expect(a).toMatch(/^collect-bundle-web-1\.example\.com-20260102T030405Z-[a-z0-9]{6}$/);
    expect(b).toMatch(/^collect-bundle-web-1-x-before-upgrade-20260102T030405Z-[a-z0-9]{6}$/);
    expect(a).not.toContain(':');
    expect(BUNDLE_NAME_RE.exec(`${b}.tar.gz`)?.groups).toMatchObject({ stamp: '20260102T030405Z' });
    expect(bundleName({ hostname: 'h', date: d })).not.toBe(bundleName({ hostname: 'h', date: d }));
  });
});

describe('BundleWriter', () => {
  it('writes a 0600 tar.gz with one top-level folder, a matching sha256 sidecar, and no leftovers', async () => {
    const { writer } = await newWriter();
    const rec = (await writer.write('system', json('os.json', { distro: 'Debian' }), never)) as ArtifactRecord;
    writer.addRootFile('manifest.json', '{"ok":true}\n');
    const done = await writer.finish();
    const files = (await readdir(dir)).sort();
    expect(files).toEqual([`${writer.name}.tar.gz`, `${writer.name}.tar.gz.sha256`]);
    expect((await stat(done.path)).mode & 0o777).toBe(0o600);
    expect((await stat(done.sidecar)).mode & 0o777).toBe(0o600);
    const bytes = await readFile(done.path);
    expect(done.sha256).toBe(sha(bytes));
    expect(await readFile(done.sidecar, 'utf8')).toBe(`${sha(bytes)}  ${writer.name}.tar.gz\n`);
    execFileSync('sha256sum', ['-c', done.sidecar], { cwd: dir }); // the format sha256sum understands
    const entries = await readBundle(done.path);
    expect([...entries.keys()].every((n) => n.startsWith(`${writer.name}/`))).toBe(true);
    expect([...entries.keys()]).toEqual([`${writer.name}/manifest.json`, `${writer.name}/system/os.json`]);
    const os = entries.get(`${writer.name}/system/os.json`)!;
    expect(os.mode & 0o777).toBe(0o600);
    expect(rec).toEqual({ path: 'system/os.json', bytes: os.data.length, sha256: sha(os.data), truncated: false });
  });

  it('stores only redacted bytes: a secret in content or in a path never reaches the tarball', async () => {
    const { writer, report } = await newWriter();
    await writer.write('docker', stream('env.txt', ['DB_PASSWORD=hunter2-', 'secret\nplain line\n']), never);
    await writer.write('docker', text('containers/api_token=zq9x8w7v6u/logs.txt', 'ok\n'), never);
    const done = await writer.finish();
    const raw = execFileSync('sh', ['-c', `gzip -dc '${done.path}'`]).toString('latin1');
    expect(raw).not.toContain('hunter2-secret');
    expect(raw).not.toContain('zq9x8w7v6u');
    const entries = await readBundle(done.path);
    expect(fileText(entries, 'docker/env.txt')).toMatch(/^DB_PASSWORD=\[REDACTED:secret-key-value:[0-9a-f]{8}\]\nplain line\n$/);
    expect(report.total).toBe(2);
  });

  it('keeps the tail of an artifact over its byte cap and records the cut', async () => {
    const { writer } = await newWriter();
    const lines = Array.from({ length: 2000 }, (_, i) => `log line ${i}\n`);
    const rec = (await writer.write('docker', stream('logs.txt', lines, { maxBytes: 1000 }), never)) as ArtifactRecord;
    expect(rec.truncated).toBe(true);
    expect(rec.originalBytes).toBe(lines.join('').length);
    const entries = await readBundle((await writer.finish()).path);
    const body = fileText(entries, 'docker/logs.txt');
    expect(body.split('\n')[0]).toMatch(/output truncated/);
    expect(body.endsWith('log line 1999\n')).toBe(true);
    expect(sha(Buffer.from(body))).toBe(rec.sha256);
  });

  it('refuses binary content as a problem and stores nothing for it', async () => {
    const { writer } = await newWriter();
    const r = await writer.write('files', stream('core.bin', [Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01])]), never);
    expect(r).toMatchObject({ kind: 'problem', item: 'files/core.bin' });
    expect((r as { reason: string }).reason).toBe('binary content (6 bytes; it has NUL bytes) was not included');
    // The size is of the whole content, also when the NUL comes early in a long stream.
    const big = await writer.write('files', stream('big.bin', [Buffer.from([0, 1, 2]), Buffer.alloc(5000, 0x41), Buffer.alloc(7, 0x42)]), never);
    expect((big as { reason: string }).reason).toBe('binary content (5010 bytes; it has NUL bytes) was not included');
    const entries = await readBundle((await writer.finish()).path);
    expect(entries.size).toBe(0);
  });

  it('turns an artifact that fails to open into a problem, and lets the same path be retried', async () => {
    const { writer } = await newWriter();
    const failing: Artifact = {
      kind: 'artifact',
      path: 'x.json',
      open: async () => {
        throw new Error('connect ECONNREFUSED');
      },
    };
    expect(await writer.write('c', failing, never)).toMatchObject({ kind: 'problem', reason: 'connect ECONNREFUSED' });
    expect(await writer.write('c', json('x.json', 1), never)).toMatchObject({ path: 'c/x.json' });
  });

  it('rejects paths that escape the collector folder and duplicates', async () => {
    const { writer } = await newWriter();
    expect(await writer.write('c', json('../../etc/passwd', 1), never)).toMatchObject({ kind: 'problem' });
    expect(await writer.write('c', json('/abs.json', 1), never)).toMatchObject({ kind: 'problem' });
    await writer.write('c', json('a.json', 1), never);
    expect(await writer.write('c', json('a.json', 2), never)).toMatchObject({ kind: 'problem', reason: expect.stringMatching(/duplicate/) });
  });

  it('is one archive of concatenated gzip members that zlib, gzip(1), GNU tar and tar-stream read, root files first', async () => {
    const { writer } = await newWriter();
    const big = Array.from({ length: 30_000 }, (_, i) => `10.0.0.${i % 50} - - "GET /api/v1/jobs/${i}/ HTTP/1.1" 200 ${i}\n`);
    const small = Array.from({ length: 200 }, (_, i) => `celery line ${i}\n`);
    const recs = [
      (await writer.write('docker', stream('logs/web.log', big), never)) as ArtifactRecord,
      (await writer.write('docker', stream('logs/capped.log', big, { maxBytes: 100_000 }), never)) as ArtifactRecord,
      (await writer.write('docker', stream('logs/under-cap.log', small, { maxBytes: 100_000 }), never)) as ArtifactRecord,
      (await writer.write('system', text('empty.txt', ''), never)) as ArtifactRecord,
    ];
    expect(recs.map((r) => r.truncated)).toEqual([false, true, false, false]);
    writer.addRootFile('ISSUE.md', '# issue\n');
    writer.addRootFile('manifest.json', '{"ok":true}\n');
    const done = await writer.finish();
    execFileSync('gzip', ['-t', done.path]);
    const order = ['manifest.json', 'ISSUE.md', 'docker/logs/web.log', 'docker/logs/capped.log', 'docker/logs/under-cap.log', 'system/empty.txt'].map(
      (p) => `${writer.name}/${p}`,
    );
    expect(execFileSync('tar', ['-tzf', done.path], { encoding: 'utf8' })).toBe(`${order.join('\n')}\n`);
    const entries = await readBundle(done.path);
    expect([...entries.keys()]).toEqual(order);
    for (const r of recs) expect(sha(entries.get(`${writer.name}/${r.path}`)!.data)).toBe(r.sha256);
    expect(entries.get(`${writer.name}/docker/logs/web.log`)!.data.toString()).toBe(big.join(''));
    const out = join(dir, 'x');
    await mkdir(out);
    execFileSync('tar', ['-xzf', done.path, '-C', out]);
    for (const r of recs) expect(sha(await readFile(join(out, writer.name, r.path)))).toBe(r.sha256);
  });

  it('compresses an artifact while it is spooled: its gzip member is in the private spool (0600) before finish', async () => {
    const { writer } = await newWriter();
    // Over SMALL_FILE (512 KiB): spooled to disk, not held in memory; random text, so the member is large too.
    const lines = Array.from({ length: 12_000 }, (_, i) => `line ${i} ${randomBytes(36).toString('base64')}\n`);
    await writer.write('docker', stream('logs/web.log', lines), never);
    await writer.spooledSizes(); // waits for the background compression
    const files = await readdir(writer.spoolDir);
    expect(files.filter((f) => f.endsWith('.gz'))).toHaveLength(1);
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const f of files) expect((await stat(join(writer.spoolDir, f))).mode & 0o777).toBe(0o600);
    await writer.abort();
    expect(await readdir(dir)).toEqual([]);
  });

  it('holds a small artifact and its member in memory: nothing in the spool, the same bytes in the bundle', async () => {
    const { writer } = await newWriter();
    const lines = Array.from({ length: 2_000 }, (_, i) => `line ${i}\n`);
    const record = (await writer.write('docker', stream('logs/small.log', lines), never)) as ArtifactRecord;
    expect(await readdir(writer.spoolDir)).toEqual([]);
    expect((await writer.readStored('docker/logs/small.log', 1 << 20))!.toString()).toBe(lines.join(''));
    const written = await writer.finish();
    const entries = await readBundle(written.path);
    const stored = [...entries.values()].find((e) => e.name.endsWith('docker/logs/small.log'))!;
    expect(stored.data.toString()).toBe(lines.join(''));
    expect(createHash('sha256').update(stored.data).digest('hex')).toBe(record.sha256);
  });

  it('a secret learned after a file was spooled is removed from its precompressed copy too', async () => {
    const report = new RedactionReport();
    const literals = new LiteralSet();
    const redactor = new Redactor({ key: newRedactionKey(), report, literals });
    const writer = await BundleWriter.create({ outputDir: dir, name: 'late-bundle', redactor });
    const value = 'Late-Learned-Value-8c1f3a';
    const first = (await writer.write('app', text('paths.txt', `HOME_DIR=/srv/${value}\n`.repeat(5000)), never)) as ArtifactRecord;
    expect((await writer.readStored('app/paths.txt', 100))!.toString()).toContain(value); // not known yet
    await writer.write('app', text('env.txt', `DB_PASSWORD=${value}\n`), never);
    const changed = await writer.redactLateSecrets();
    expect(changed.has('app/paths.txt')).toBe(true);
    expect(changed.get('app/paths.txt')!.sha256).not.toBe(first.sha256);
    const done = await writer.finish();
    expect(gunzipSync(await readFile(done.path)).toString('latin1')).not.toContain(value);
    const entries = await readBundle(done.path);
    expect(sha(entries.get('late-bundle/app/paths.txt')!.data)).toBe(changed.get('app/paths.txt')!.sha256);
    expect(await readdir(dir)).toEqual(['late-bundle.tar.gz', 'late-bundle.tar.gz.sha256']);
  });

  it('abort removes the partial bundle and the spool', async () => {
    const { writer } = await newWriter();
    await writer.write('c', json('a.json', { big: 'x'.repeat(10_000) }), never);
    expect((await readdir(dir)).some((f) => f.endsWith('.spool'))).toBe(true);
    await writer.abort();
    expect(await readdir(dir)).toEqual([]);
  });

  it('abort while a compression still runs in the background leaves nothing, then or later', async () => {
    const { writer } = await newWriter();
    // Over its cap: the kept tail (4 MiB) is compressed in the background after the cut.
    const lines = Array.from({ length: 400_000 }, (_, i) => `GET /api/v1/jobs/${i}/ 200 ${i * 7}\n`);
    const r = (await writer.write('docker', stream('logs/big.log', lines, { maxBytes: 4 * 1024 * 1024 }), never)) as ArtifactRecord;
    expect(r.truncated).toBe(true);
    await writer.abort();
    expect(await readdir(dir)).toEqual([]);
    // Nor does anything appear later, when a compression it stopped would have ended.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await readdir(dir)).toEqual([]);
  });

  it('creates a missing output directory, and keeps the spool private (0700)', async () => {
    const out = join(dir, 'a', 'b');
    const { writer } = await newWriter(out);
    expect((await stat(writer.spoolDir)).mode & 0o777).toBe(0o700);
    await writer.abort();
  });

  it('names the fix when the output path is a file', async () => {
    const file = join(dir, 'file');
    await writeFile(file, 'x');
    await expect(newWriter(file)).rejects.toThrow(OutputError);
    await expect(newWriter(file)).rejects.toThrow(/not a directory: choose another --output-dir/);
  });

  it.skipIf(process.getuid?.() !== 0)('reports a full disk in one line and leaves nothing half-written', async () => {
    const mnt = join(dir, 'small');
    await mkdir(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt]);
    try {
      const { writer } = await newWriter(mnt);
      // Three files of random content that hardly compresses, held in memory (small): together their
      // packed bundle needs more room than the disk has.
      for (const name of ['a.txt', 'b.txt', 'c.txt']) {
        const r = await writer.write('c', text(name, `${randomBytes(90 * 1024).toString('base64')}\n`), never);
        expect('path' in r).toBe(true);
      }
      await expect(writer.finish()).rejects.toThrow(/no space left on the device holding .*: free some space or choose another --output-dir/);
      expect(await readdir(mnt)).toEqual([]);
    } finally {
      execFileSync('umount', [mnt]);
    }
  });
});
