/**
 * The `file` custom collector on a real temp tree: globs, directories, per-file and total caps,
 * symlinks inside and outside the named root, a FIFO, a unix socket, a binary file, and a file the
 * collecting user cannot read (run as `nobody` through setpriv, since the tests run as root).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomCollector, type CustomCollectorInput } from '../../collectors/custom/index.js';
import { sanitise } from '../../collectors/custom/file.js';
import { verifyBundle } from '../../src/bundle/verify.js';
import { collectBundle } from '../../src/run/collect.js';
import { fileJson, fileText, readBundle } from '../helpers/bundle.js';
import type { FileIndexEntry } from '../../collectors/custom/file.js';

const OUTSIDE_SECRET = 'outside-only-Vb7nM2qW9xZ4';
const APP_PASSWORD = 'Pa55-app-Log-Secret-77';

let base: string;
let root: string;
let outside: string;
let server: net.Server;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'cb-custom-file-'));
  root = join(base, 'logs');
  outside = join(base, 'outside');
  await mkdir(join(root, 'sub', 'deeper'), { recursive: true });
  await mkdir(join(root, 'inner-dir'), { recursive: true });
  await mkdir(outside);
  await writeFile(join(root, 'app.log'), `INFO start\nERROR db login failed password=${APP_PASSWORD}\nINFO done\n`);
  await writeFile(join(root, 'sub', 'target.txt'), 'reached through a symlink inside the root\n');
  await writeFile(join(root, 'sub', 'nested.log'), 'nested line\n');
  await writeFile(join(root, 'sub', 'deeper', 'deep.log'), 'deep line\n');
  await writeFile(join(root, 'inner-dir', 'linked.log'), 'through a dir symlink inside\n');
  await writeFile(join(root, 'bin.log'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0x02, 0x00, 0x41]));
  await writeFile(join(outside, 'secret.txt'), `token=${OUTSIDE_SECRET}\n`);
  await writeFile(join(outside, 'other.log'), `${OUTSIDE_SECRET}\n`);
  await symlink(join(root, 'sub', 'target.txt'), join(root, 'inner.log'));
  await symlink(join(outside, 'secret.txt'), join(root, 'escape.log'));
  await symlink('../outside/other.log', join(root, 'relative-escape.log'));
  await symlink(outside, join(root, 'sub', 'outdir'));
  await symlink(join(root, 'inner-dir'), join(root, 'sub', 'indir'));
  await symlink('/etc/passwd', join(root, 'passwd.log'));
  execFileSync('mkfifo', [join(root, 'fifo.log')]);
  server = net.createServer();
  await new Promise<void>((resolve) => server.listen(join(root, 'sock.log'), resolve));
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(base, { recursive: true, force: true });
});

async function run(spec: CustomCollectorInput) {
  const out = await mkdtemp(join(base, 'out-'));
  const collector = createCustomCollector(spec, { baseDir: base });
  const result = await collectBundle({ outputDir: out, collectors: [collector], redaction: { ephemeralKey: true } });
  const entries = await readBundle(result.bundle);
  const record = result.manifest.collectors.find((c) => c.name === spec.name)!;
  const all = [...entries.values()].map((e) => `${e.name}\n${e.data.toString('latin1')}`).join('\n');
  return { result, entries, record, all, index: fileJson<{ files: FileIndexEntry[] }>(entries, `custom/${spec.name}/index.json`).files };
}

const stored = (path: string): string => `files/${sanitise(path)}`;

describe('custom file collector', () => {
  it('collects globs relative to the base dir, redacts them, and never follows a symlink out of the root', async () => {
    const { result, entries, record, all, index } = await run({ type: 'file', name: 'app-logs', paths: ['logs/*.log'] });
    expect(result.status).toBe('complete');
    const app = fileText(entries, `custom/app-logs/${stored(join(root, 'app.log'))}`);
    expect(app).toContain('ERROR db login failed password=[REDACTED:');
    expect(all).not.toContain(APP_PASSWORD);

    // A symlink inside the root is followed; the index says where it led.
    expect(fileText(entries, `custom/app-logs/${stored(join(root, 'inner.log'))}`)).toBe('reached through a symlink inside the root\n');
    expect(index.find((f) => f.path === join(root, 'inner.log'))).toMatchObject({ realPath: join(root, 'sub', 'target.txt'), truncated: false });

    // Symlinks out of the root (absolute, relative, to /etc/passwd) are skipped and recorded, never read.
    expect(all).not.toContain(OUTSIDE_SECRET);
    expect(all).not.toMatch(/root:x:0:0/);
    for (const name of ['escape.log', 'relative-escape.log', 'passwd.log']) {
      const path = join(root, name);
      expect(entries.has(`${[...entries.keys()][0]!.split('/')[0]}/custom/app-logs/${stored(path)}`)).toBe(false);
      expect(index.find((f) => f.path === path)?.skipped).toMatch(/^symlink to .*, outside the named root .*: not followed/);
      expect(record.excluded?.find((e) => e.item === path)?.reason).toMatch(/outside the named root/);
    }
    // A FIFO and a socket are skipped with the reason; reading them would block or make no sense.
    expect(record.excluded?.find((e) => e.item === join(root, 'fifo.log'))?.reason).toBe('FIFO (named pipe): not a regular file');
    expect(record.excluded?.find((e) => e.item === join(root, 'sock.log'))?.reason).toBe('socket: not a regular file');
    // A binary file is a clear problem: binary content cannot be redacted, so none of it is stored.
    expect(record.problems.find((p) => p.item === join(root, 'bin.log'))?.reason).toMatch(/^binary file \(NUL bytes in its first 8 KiB, 9 B\): not included/);
    expect(index.find((f) => f.path === join(root, 'bin.log'))).toMatchObject({ skipped: 'binary file', size: 9 });
    // Files below sub/ do not match *.log.
    expect(all).not.toContain('nested line');
    expect((await verifyBundle(result.bundle)).ok).toBe(true);
  });

  it('takes a directory recursively and refuses directory symlinks that lead out of it', async () => {
    const { entries, record, all, index } = await run({ type: 'file', name: 'tree', paths: [join(root, 'sub')] });
    expect(fileText(entries, `custom/tree/${stored(join(root, 'sub', 'nested.log'))}`)).toBe('nested line\n');
    expect(fileText(entries, `custom/tree/${stored(join(root, 'sub', 'deeper', 'deep.log'))}`)).toBe('deep line\n');
    // indir leads to logs/inner-dir: inside logs/ but outside the named root logs/sub, so not followed.
    expect(all).not.toContain('through a dir symlink inside');
    expect(index.find((f) => f.path === join(root, 'sub', 'indir'))?.skipped).toMatch(/outside the named root/);
    expect(record.excluded?.map((e) => e.item)).toContain(join(root, 'sub', 'outdir'));
    expect(all).not.toContain(OUTSIDE_SECRET);
  });

  it('with ** over the whole root, inner directory symlinks are followed once and outer ones never', async () => {
    const { index, all } = await run({ type: 'file', name: 'deep', paths: [`${root}/**/*.log`] });
    const storedPaths = index.filter((f) => f.stored).map((f) => f.path);
    expect(storedPaths).toContain(join(root, 'sub', 'deeper', 'deep.log'));
    // logs/sub/indir leads to logs/inner-dir, inside this root: followed, and the file reached twice
    // (directly and through the link) is stored once.
    expect(storedPaths).toContain(join(root, 'inner-dir', 'linked.log'));
    expect(index.find((f) => f.path === join(root, 'sub', 'indir', 'linked.log'))).toMatchObject({
      skipped: `same file as ${join(root, 'inner-dir', 'linked.log')}`,
    });
    expect(all).not.toContain(OUTSIDE_SECRET);
  });

  it('followSymlinks: false skips even symlinks inside the root', async () => {
    const { index, all } = await run({ type: 'file', name: 'nolinks', paths: ['logs/*.log'], followSymlinks: false });
    expect(index.find((f) => f.path === join(root, 'inner.log'))?.skipped).toBe('symlink not followed (followSymlinks is false)');
    expect(all).not.toContain('reached through a symlink');
  });

  it('keeps the tail of each file up to maxBytes and stops at maxTotalBytes', async () => {
    const dir = join(base, 'caps');
    await mkdir(dir);
    const lines = (tag: string): string => Array.from({ length: 200 }, (_, i) => `${tag} line ${String(i).padStart(4, '0')}\n`).join('');
    for (const tag of ['a', 'b', 'c']) await writeFile(join(dir, `${tag}.log`), lines(tag));
    const { entries, record, index } = await run({ type: 'file', name: 'caps', paths: [`${dir}/*.log`], maxBytes: '1KiB', maxTotalBytes: 1536 });
    const a = fileText(entries, `custom/caps/${stored(join(dir, 'a.log'))}`);
    expect(a).toMatch(/^\[collect-bundle: output truncated/);
    expect(a.endsWith('a line 0199\n')).toBe(true);
    expect(a).not.toContain('a line 0000');
    expect(index.find((f) => f.path === join(dir, 'a.log'))).toMatchObject({ truncated: true, size: 200 * 12 });
    // b gets what is left of the total (512 bytes), c nothing.
    const b = fileText(entries, `custom/caps/${stored(join(dir, 'b.log'))}`);
    expect(Buffer.byteLength(b.split('\n').slice(1).join('\n'))).toBeLessThanOrEqual(512);
    expect(index.find((f) => f.path === join(dir, 'c.log'))).toMatchObject({ skipped: 'total cap (maxTotalBytes) reached' });
    expect(record.excluded?.find((e) => e.item === join(dir, 'c.log'))?.reason).toMatch(/raise "maxTotalBytes"/);
  });

  it('a missing file and a pattern matching nothing are problems with the fix; the bundle is still written', async () => {
    const { result, record } = await run({
      type: 'file',
      name: 'missing',
      paths: [join(base, 'no-such.log'), `${root}/*.nomatch`, '/nonexistent-dir-cb/*.log'],
    });
    expect(result.status).toBe('complete');
    const reasons = record.problems.map((p) => p.reason);
    expect(reasons).toContain(
      `no such file or directory: ${join(base, 'no-such.log')} (fix: correct "paths" of custom collector "missing", or remove the entry)`,
    );
    expect(reasons.some((r) => r.startsWith('matched no files (fix: check "paths"'))).toBe(true);
    expect(reasons.some((r) => r.startsWith('no such file or directory: /nonexistent-dir-cb'))).toBe(true);
  });

  // Tests run as root, who may read a chmod 000 file; the unreadable case therefore runs the built
  // library as `nobody` through setpriv. It needs dist/ (npm run build) and setpriv.
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find(existsSync);
  it.skipIf(!setpriv || process.getuid?.() !== 0)('a file the user cannot read is a problem naming the fix (as nobody via setpriv)', async () => {
    const dist = join(process.cwd(), 'dist', 'src', 'index.js');
    expect(existsSync(dist), 'run npm run build first').toBe(true);
    const dir = await mkdtemp(join(tmpdir(), 'cb-perm-'));
    try {
      await chmod(dir, 0o777);
      await writeFile(join(dir, 'readable.log'), 'fine\n', { mode: 0o644 });
      await writeFile(join(dir, 'locked.log'), 'locked\n', { mode: 0o000 });
      await chmod(join(dir, 'locked.log'), 0o000);
      const script = `
        import { collectBundle, createCustomCollector } from ${JSON.stringify(dist)};
        const c = createCustomCollector({ type: 'file', name: 'perm', paths: [${JSON.stringify(`${dir}/*.log`)}] }, { baseDir: '/' });
        const r = await collectBundle({ outputDir: ${JSON.stringify(dir)}, collectors: [c], redaction: { ephemeralKey: true } });
        console.log(JSON.stringify(r.manifest.collectors[0]));`;
      const child = spawnSync(setpriv!, ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--input-type=module', '-e', script], {
        encoding: 'utf8',
        env: { PATH: process.env['PATH'], HOME: dir },
      });
      expect(child.stderr).toBe('');
      const record = JSON.parse(child.stdout) as { problems: { item: string; reason: string }[]; artifacts: { path: string }[] };
      expect(record.problems).toEqual([
        {
          item: join(dir, 'locked.log'),
          reason: `permission denied: cannot read ${join(dir, 'locked.log')} (fix: run collect-bundle as a user who can read it, e.g. with sudo, or add this user to the group that owns it)`,
        },
      ]);
      expect(record.artifacts.map((a) => a.path)).toContain(`custom/perm/${stored(join(dir, 'readable.log'))}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('custom file collector: a named path that is itself a symlink', () => {
  it('follows it to its target (a file, or a folder that becomes the root), still refusing links out of that root', async () => {
    const nginx = join(base, 'nginx');
    await mkdir(join(nginx, 'sites-available'), { recursive: true });
    await mkdir(join(nginx, 'sites-enabled'), { recursive: true });
    await mkdir(join(nginx, 'real-logs'), { recursive: true });
    await writeFile(join(nginx, 'sites-available', 'default'), 'server { listen 80; server_name example.test; }\n');
    await symlink('../sites-available/default', join(nginx, 'sites-enabled', 'default'));
    await writeFile(join(nginx, 'real-logs', 'access.log'), 'GET / 200\n');
    await symlink(join(outside, 'secret.txt'), join(nginx, 'real-logs', 'escape.log'));
    await symlink(join(nginx, 'real-logs'), join(nginx, 'logs-link'));
    await symlink(join(nginx, 'missing'), join(nginx, 'dangling'));

    const { entries, record, all, index } = await run({
      type: 'file',
      name: 'nginx',
      paths: ['nginx/sites-enabled/default', 'nginx/logs-link', 'nginx/dangling'],
    });
    const site = join(nginx, 'sites-enabled', 'default');
    expect(fileText(entries, `custom/nginx/${stored(site)}`)).toBe('server { listen 80; server_name example.test; }\n');
    expect(index.find((f) => f.path === site)).toMatchObject({ realPath: join(nginx, 'sites-available', 'default'), stored: stored(site) });
    expect(fileText(entries, `custom/nginx/${stored(join(nginx, 'logs-link', 'access.log'))}`)).toBe('GET / 200\n');
    expect(index.find((f) => f.path === join(nginx, 'logs-link', 'escape.log'))?.skipped).toMatch(/^symlink to .*outside the named root/);
    expect(index.find((f) => f.path === join(nginx, 'dangling'))?.skipped).toMatch(/^broken symlink/);
    expect(all).not.toContain(OUTSIDE_SECRET);
    expect(record.problems.filter((p) => /matched no files/.test(p.reason))).toEqual([]);
  });
});

describe('custom file collector: what index.json says, and where the walk stops (issue #18 part 6)', () => {
  it('/proc/self/environ reports size 0 but is NUL-separated: listed as a binary file, never as stored', async () => {
    const { entries, index, record } = await run({ type: 'file', name: 'proc', paths: ['/proc/self/environ'] });
    const entry = index.find((f) => f.path === '/proc/self/environ');
    expect(entry).toMatchObject({ skipped: 'binary file' });
    expect(entry?.stored).toBeUndefined();
    expect([...entries.keys()].filter((k) => k.includes('environ'))).toEqual([]);
    expect(record.problems.find((p) => p.item === '/proc/self/environ')?.reason).toMatch(/^binary file/);
  });

  it('a symlink loop is reported as a loop, not as a missing target', async () => {
    const dir = join(base, 'loop');
    await mkdir(dir);
    await symlink(join(dir, 'b.log'), join(dir, 'a.log'));
    await symlink(join(dir, 'a.log'), join(dir, 'b.log'));
    await symlink(join(dir, 'nowhere'), join(dir, 'gone.log'));
    const { index } = await run({ type: 'file', name: 'loop', paths: [`${dir}/*.log`, `${dir}/a.log`] });
    for (const name of ['a.log', 'b.log']) expect(index.find((f) => f.path === join(dir, name))?.skipped).toMatch(/^symlink loop/);
    expect(index.find((f) => f.path === join(dir, 'gone.log'))?.skipped).toMatch(/^broken symlink \(its target does not exist\)/);
  });

  it('stops walking once maxTotalBytes is spent: a big tree and a tiny budget look at a few entries, not all', async () => {
    const dir = join(base, 'big-tree');
    for (let d = 0; d < 20; d++) {
      await mkdir(join(dir, `d${String(d).padStart(2, '0')}`), { recursive: true });
      for (let f = 0; f < 20; f++) await writeFile(join(dir, `d${String(d).padStart(2, '0')}`, `f${String(f).padStart(2, '0')}.log`), `${'x'.repeat(100)}\n`);
    }
    const { index, record, result } = await run({ type: 'file', name: 'big', paths: [dir, `${dir}/d19/*.log`], maxTotalBytes: 250 });
    // Three files fit (101 + 101 + 48 bytes); the fourth finds the budget spent and the walk ends there:
    // 4 file lines and 1 "stopped" line instead of one line for each of the 400 files.
    expect(index.length).toBeLessThanOrEqual(6);
    expect(index.filter((f) => f.stored)).toHaveLength(3);
    expect(index.at(-1)).toMatchObject({ path: dir, skipped: expect.stringMatching(/^total cap \(maxTotalBytes 250 B\) reached: stopped walking/) });
    expect(record.excluded?.some((e) => /stopped walking.*raise "maxTotalBytes"/.test(e.reason))).toBe(true);
    expect(result.status).toBe('complete');
  });
});
