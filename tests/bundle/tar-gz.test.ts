import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryBudget } from '../../src/bundle/spool.js';
import { END_OF_TAR, GzipSpool, gzipFile, gzipFiles, gzipMember, tarHeader, tarPadding, type TarFile } from '../../src/bundle/tar-gz.js';
import { readBundle } from '../helpers/bundle.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cb-targz-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** What tar-stream's pack writes for these files, end blocks included. */
async function packed(files: readonly { file: TarFile; data: Buffer }[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    p.on('data', (c: Buffer) => chunks.push(c));
    p.on('end', () => resolve());
    p.on('error', reject);
  });
  for (const { file, data } of files) p.entry({ name: file.name, size: data.length, mode: file.mode, mtime: file.mtime, type: 'file' }, data);
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

const mtime = new Date('2026-12-07T02:14:13.789Z');
const names = [
  'collect-bundle-host-20261207T021413Z-a1b2c3/manifest.json',
  // Over 100 bytes, split into ustar's prefix and name fields.
  `collect-bundle-host-20261207T021413Z-a1b2c3/docker/logs/${'a'.repeat(60)}/container.log`,
  // One segment over 100 bytes: only a pax record can hold it.
  `collect-bundle-host-20261207T021413Z-a1b2c3/docker/logs/${'b'.repeat(120)}.log`,
  // Not ASCII: pax as well.
  'collect-bundle-host-20261207T021413Z-a1b2c3/docker/logs/café-wörker.log',
];

describe('tar framing', () => {
  it.each(names)('writes the same header, content and padding bytes as tar-stream pack: %s', async (name) => {
    for (const size of [0, 1, 511, 512, 513, 70_000]) {
      const data = randomBytes(size);
      const file = { name, size, mode: 0o600, mtime };
      const ours = Buffer.concat([tarHeader(file), data, tarPadding(size), END_OF_TAR]);
      expect(ours.equals(await packed([{ file, data }]))).toBe(true);
    }
  });

  it('encodes sizes over 8 GiB in base-256, as tar-stream reads them', () => {
    const h = tarHeader({ name: 'x/big.log', size: 2 ** 33 + 5, mode: 0o600, mtime });
    expect(h[124]).toBe(0x80);
    expect(h.readUIntBE(124 + 6, 6)).toBe(2 ** 33 + 5);
  });

  it('a GzipSpool member holds the content and its padding, in a 0600 file, for any chunking', async () => {
    const content = Buffer.from(Array.from({ length: 40_000 }, (_, i) => `line ${i} of a log\n`).join(''));
    for (const cut of [1, 777, 65_536, 300_000]) {
      const spool = GzipSpool.create(join(dir, `m${cut}.gz`));
      for (let at = 0; at < content.length; at += cut) await spool.write(content.subarray(at, at + cut));
      const { file, size } = await spool.finish();
      expect(size).toBe(content.length);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(gunzipSync(await readFile(file)).equals(Buffer.concat([content, tarPadding(content.length)]))).toBe(true);
    }
  });

  it('discard removes the member file (a member already being compressed: over one 256 KiB batch)', async () => {
    const spool = GzipSpool.create(join(dir, 'gone.gz'));
    await spool.write(Buffer.from('x'.repeat(300_000)));
    // The stream's file appears with its first compressed bytes (the check can fail).
    for (let i = 0; i < 500 && !(await stat(join(dir, 'gone.gz')).catch(() => undefined)); i++) await new Promise((r) => setTimeout(r, 10));
    await stat(join(dir, 'gone.gz'));
    await spool.discard();
    await expect(stat(join(dir, 'gone.gz'))).rejects.toThrow(/ENOENT/);
  });

  it('a small entry is compressed in one call at finish: in memory within the budget, else in its 0600 file', async () => {
    const content = Buffer.from(Array.from({ length: 2000 }, (_, i) => `small ${i}\n`).join(''));
    const expected = Buffer.concat([content, tarPadding(content.length)]);
    // No budget: its file, written in one piece; nothing on disk before finish.
    const toFile = GzipSpool.create(join(dir, 'small.gz'));
    await toFile.write(content.subarray(0, 100));
    await toFile.write(content.subarray(100));
    await expect(stat(join(dir, 'small.gz'))).rejects.toThrow(/ENOENT/);
    const onDisk = await toFile.finish();
    expect(onDisk).toMatchObject({ file: join(dir, 'small.gz'), size: content.length });
    expect((await stat(onDisk.file!)).mode & 0o777).toBe(0o600);
    expect(onDisk.bytes).toBe((await stat(onDisk.file!)).size);
    expect(gunzipSync(await readFile(onDisk.file!)).equals(expected)).toBe(true);
    // A budget: in memory, taken from it; a budget too small for it: its file again.
    const budget = new MemoryBudget(1 << 20);
    const inMemory = GzipSpool.create(join(dir, 'small-mem.gz'), budget);
    await inMemory.write(content);
    const held = await inMemory.finish();
    expect(held.file).toBeUndefined();
    expect(gunzipSync(held.data!).equals(expected)).toBe(true);
    expect(budget.take((1 << 20) - held.bytes)).toBe(true);
    expect(budget.take(1)).toBe(false);
    await expect(stat(join(dir, 'small-mem.gz'))).rejects.toThrow(/ENOENT/);
    const tight = GzipSpool.create(join(dir, 'small-tight.gz'), new MemoryBudget(10));
    await tight.write(content);
    const spilled = await tight.finish();
    expect(gunzipSync(await readFile(spilled.file!)).equals(expected)).toBe(true);
    // An empty entry is an empty member.
    const empty = await GzipSpool.create(join(dir, 'empty.gz'), new MemoryBudget(1024)).finish();
    expect(empty.size).toBe(0);
    expect(gunzipSync(empty.data!).length).toBe(0);
  });

  it.skipIf(process.getuid?.() !== 0)('a full disk fails a member (one-call or streamed) with ENOSPC and leaves no part of it', async () => {
    // One write(2) on a nearly full disk takes what fits and reports no error: a member must not be
    // taken as written when only its first 64 KiB are (found in review).
    const mnt = join(dir, 'tiny');
    await mkdir(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]);
    try {
      const noise = Buffer.from(randomBytes(150 * 1024).toString('base64'));
      const small = GzipSpool.create(join(mnt, 'small.gz'));
      await small.write(noise.subarray(0, 200 * 1024));
      await expect(small.finish()).rejects.toMatchObject({ code: 'ENOSPC' });
      const big = GzipSpool.create(join(mnt, 'big.gz'));
      const wrote = (async () => {
        for (let i = 0; i < 4; i++) await big.write(Buffer.from(randomBytes(100 * 1024).toString('base64')));
        return big.finish();
      })();
      await expect(wrote).rejects.toMatchObject({ code: 'ENOSPC' });
      await big.discard();
      expect(await readdir(mnt)).toEqual([]);
    } finally {
      execFileSync('umount', [mnt]);
    }
  });

  it('a discarded spool takes no more writes', async () => {
    const spool = GzipSpool.create(join(dir, 'closed.gz'));
    await spool.write(Buffer.from('z'.repeat(100)));
    await spool.discard();
    await expect(spool.write(Buffer.from('z'.repeat(300_000)))).rejects.toThrow(/discarded/);
    await expect(stat(join(dir, 'closed.gz'))).rejects.toThrow(/ENOENT/);
  });

  it('a small entry discarded while its one-call compression runs: finish fails and leaves no file', async () => {
    const spool = GzipSpool.create(join(dir, 'raced.gz'));
    await spool.write(Buffer.from('y'.repeat(5000)));
    const finishing = spool.finish();
    await spool.discard();
    await expect(finishing).rejects.toThrow(/discarded/);
    await expect(stat(join(dir, 'raced.gz'))).rejects.toThrow(/ENOENT/);
  });

  it('concatenated members are one archive for zlib, gzip(1), GNU tar and tar-stream', async () => {
    const root = { file: { name: 'b/manifest.json', size: 12, mode: 0o600, mtime }, data: Buffer.from('{"ok":true}\n') };
    const body = Buffer.from(Array.from({ length: 5000 }, (_, i) => `${i} GET /api/v1/jobs/ 200\n`).join(''));
    await writeFile(join(dir, 'plain.log'), body);
    const member = await gzipFile(join(dir, 'plain.log'), GzipSpool.create(join(dir, 'plain.log.gz')));
    const bundle = join(dir, 'b.tar.gz');
    await writeFile(
      bundle,
      Buffer.concat([
        await gzipFiles([root]),
        await gzipMember(tarHeader({ name: 'b/docker/app.log', size: member.size, mode: 0o600, mtime })),
        await readFile(member.file),
        await gzipMember(END_OF_TAR),
      ]),
    );
    const expected = await packed([root, { file: { name: 'b/docker/app.log', size: body.length, mode: 0o600, mtime }, data: body }]);
    expect(gunzipSync(await readFile(bundle)).equals(expected)).toBe(true);
    execFileSync('gzip', ['-t', bundle]);
    expect(execFileSync('tar', ['-tzf', bundle], { encoding: 'utf8' })).toBe('b/manifest.json\nb/docker/app.log\n');
    execFileSync('tar', ['-xzf', bundle, '-C', dir]);
    expect(
      createHash('sha256')
        .update(await readFile(join(dir, 'b/docker/app.log')))
        .digest('hex'),
    ).toBe(createHash('sha256').update(body).digest('hex'));
    const entries = await readBundle(bundle);
    expect([...entries.keys()]).toEqual(['b/manifest.json', 'b/docker/app.log']);
    expect(entries.get('b/docker/app.log')!.data.equals(body)).toBe(true);
  });
});
