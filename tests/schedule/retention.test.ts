/**
 * Retention over a directory of REAL bundles (written by collectBundle with a tiny collector, then
 * copied under names carrying the times each test needs): only collect-bundle's own bundles are
 * deleted, oldest first, each with its sidecar; everything else survives.
 */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, open, readFile, readdir, rm, stat, symlink, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineCollector, text } from '../../src/core/artifacts.js';
import { utcStamp } from '../../src/bundle/name.js';
import { readEntryText } from '../../src/bundle/reader.js';
import { collectBundle } from '../../src/run/collect.js';
import { applyRetention, listBundles, planRetention, type BundleFile } from '../../src/schedule/retention.js';

let root: string;
let real: string;
let realBytes: number;

const tiny = defineCollector({
  name: 'tiny',
  description: 'one small text file for retention tests',
  defaultEnabled: false,
  defaults: {},
  async *collect() {
    yield text('hello.txt', 'hello\n'.repeat(200));
  },
});

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cb-retention-'));
  const result = await collectBundle({ outputDir: join(root, 'src'), collectors: [tiny], only: ['tiny'], redaction: { ephemeralKey: true }, env: {} });
  real = result.bundle;
  realBytes = (await stat(real)).size + (await stat(`${real}.sha256`)).size;
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let n = 0;
async function freshDir(): Promise<string> {
  const dir = join(root, `case-${++n}`);
  await mkdir(dir);
  return dir;
}

/** Copies the real bundle (and its sidecar) into `dir` under a name made at `date`; returns the name. */
async function bundleAt(dir: string, date: Date, suffix = String(n).padStart(6, 'a').slice(-6)): Promise<string> {
  const name = `collect-bundle-testhost-${utcStamp(date)}-${suffix.replace(/[^a-z0-9]/g, 'x')}.tar.gz`;
  await copyFile(real, join(dir, name));
  await copyFile(`${real}.sha256`, join(dir, `${name}.sha256`));
  return name;
}

const HOUR = 3_600_000;
const now = new Date('2026-06-01T12:00:00Z');
const ago = (ms: number): Date => new Date(now.getTime() - ms);

/** Things that must never be deleted, placed beside the bundles. */
async function foreignFiles(dir: string): Promise<string[]> {
  await writeFile(join(dir, 'notes.txt'), 'mine\n');
  // A bundle-looking name that is not a bundle at all.
  await writeFile(join(dir, 'collect-bundle-fake-20200101T000000Z-abcdef.tar.gz'), 'not a tarball');
  // A real .tar.gz with a manifest.json, written by another tool.
  const other = join(dir, 'other');
  await mkdir(join(other, 'x'), { recursive: true });
  await writeFile(join(other, 'x', 'manifest.json'), JSON.stringify({ tool: { name: 'someone-else' } }));
  execFileSync('tar', ['czf', join(dir, 'collect-bundle-other-20200101T000000Z-zzzzzz.tar.gz'), '-C', other, 'x']);
  await rm(other, { recursive: true });
  // An unfinished bundle and a link to a real one.
  await copyFile(real, join(dir, 'collect-bundle-testhost-20200101T000000Z-part01.tar.gz.partial'));
  await symlink(real, join(dir, 'collect-bundle-testhost-20200102T000000Z-link01.tar.gz'));
  return (await readdir(dir)).sort();
}

describe('applyRetention on real bundles', () => {
  it('--keep 2 keeps the two newest with their sidecars and touches nothing else', async () => {
    const dir = await freshDir();
    const foreign = await foreignFiles(dir);
    const names = [];
    for (let i = 5; i >= 1; i--) names.push(await bundleAt(dir, ago(i * HOUR), `b${i}aaaa`));
    const result = await applyRetention(dir, { keep: 2 }, { now });
    const newest = names.slice(-2);
    expect(result.kept.map((b) => b.name)).toEqual([...newest].reverse());
    expect(result.deleted.map((d) => d.name)).toEqual(names.slice(0, 3)); // oldest first
    expect(result.deleted.every((d) => d.reason.includes('--keep 2'))).toBe(true);
    expect(result.foreign.sort()).toEqual(['collect-bundle-fake-20200101T000000Z-abcdef.tar.gz', 'collect-bundle-other-20200101T000000Z-zzzzzz.tar.gz']);
    expect((await readdir(dir)).sort()).toEqual([...foreign, ...newest.flatMap((b) => [b, `${b}.sha256`])].sort());
  });

  it('--max-age deletes what is older, but never the newest bundle', async () => {
    const dir = await freshDir();
    const fresh = await bundleAt(dir, ago(1 * HOUR), 'freshx');
    await bundleAt(dir, ago(30 * HOUR), 'oldxxx');
    await bundleAt(dir, ago(50 * HOUR), 'olderx');
    const result = await applyRetention(dir, { maxAgeMs: 24 * HOUR }, { now });
    expect(result.kept.map((b) => b.name)).toEqual([fresh]);
    expect(result.deleted).toHaveLength(2);

    const allOld = await freshDir();
    const newestOld = await bundleAt(allOld, ago(40 * HOUR), 'newold');
    await bundleAt(allOld, ago(80 * HOUR), 'oldold');
    const r2 = await applyRetention(allOld, { maxAgeMs: 24 * HOUR }, { now });
    expect(r2.kept.map((b) => b.name)).toEqual([newestOld]);
  });

  it('--max-total-size deletes the oldest until the rest fits, never the newest', async () => {
    const dir = await freshDir();
    const names = [];
    for (let i = 4; i >= 1; i--) names.push(await bundleAt(dir, ago(i * HOUR), `s${i}aaaa`));
    // Room for two bundles and a half: two stay.
    const result = await applyRetention(dir, { maxTotalBytes: Math.floor(realBytes * 2.5) }, { now });
    expect(result.kept.map((b) => b.name)).toEqual(names.slice(-2).reverse());
    expect(result.kept.reduce((s, b) => s + b.bytes, 0)).toBeLessThanOrEqual(realBytes * 2.5);
    const r2 = await applyRetention(dir, { maxTotalBytes: 1 }, { now });
    expect(r2.kept.map((b) => b.name)).toEqual([names[3]]);
  });

  it('combines the limits, and a dry run deletes nothing', async () => {
    const dir = await freshDir();
    for (let i = 6; i >= 1; i--) await bundleAt(dir, ago(i * 10 * HOUR), `c${i}aaaa`);
    const policy = { keep: 5, maxAgeMs: 45 * HOUR, maxTotalBytes: Math.floor(realBytes * 2.5) };
    const dry = await applyRetention(dir, policy, { now, dryRun: true });
    // keep 5 drops the 60h one, --max-age 45h the 50h one, the size limit the 40h and 30h ones.
    expect(dry.deleted.map((d) => d.reason)).toEqual(['beyond --keep 5', 'older than --max-age', 'total over --max-total-size', 'total over --max-total-size']);
    expect(dry.kept).toHaveLength(2);
    expect((await listBundles(dir)).bundles).toHaveLength(6);
    const done = await applyRetention(dir, policy, { now });
    expect(done.deleted.map((d) => d.name)).toEqual(dry.deleted.map((d) => d.name));
    expect((await listBundles(dir)).bundles).toHaveLength(2);
  });

  it('two bundles made in the same second: the later-written one counts as newer', async () => {
    const dir = await freshDir();
    const first = await bundleAt(dir, ago(HOUR), 'zzzzzz'); // sorts last by name...
    const second = await bundleAt(dir, ago(HOUR), 'aaaaaa');
    await utimes(join(dir, first), ago(2 * HOUR), ago(2 * HOUR)); // ...but was written first
    const result = await applyRetention(dir, { keep: 1 }, { now });
    expect(result.kept.map((b) => b.name)).toEqual([second]);
  });

  it("a bundle's <stem>.ISSUE.md (--issue-only) is counted with it and deleted with it", async () => {
    const made = await collectBundle({
      outputDir: join(root, 'with-issue'),
      collectors: [tiny],
      only: ['tiny'],
      redaction: { ephemeralKey: true },
      env: {},
      issueBeside: true,
    });
    expect(made.issueFile).toBe(made.bundle.replace(/\.tar\.gz$/, '.ISSUE.md'));
    const issueBytes = (await stat(made.issueFile!)).size;
    const dir = await freshDir();
    const names: string[] = [];
    for (const [i, suffix] of [
      [3, 'iaaaa3'],
      [2, 'iaaaa2'],
      [1, 'iaaaa1'],
    ] as const) {
      const name = await bundleAt(dir, ago(i * HOUR), suffix);
      await copyFile(made.issueFile!, join(dir, name.replace(/\.tar\.gz$/, '.ISSUE.md')));
      names.push(name);
    }
    await writeFile(join(dir, 'other.ISSUE.md'), "not a bundle's\n");
    const { bundles } = await listBundles(dir);
    expect(bundles.map((b) => b.bytes)).toEqual([realBytes + issueBytes, realBytes + issueBytes, realBytes + issueBytes]);
    const result = await applyRetention(dir, { keep: 1 }, { now });
    expect(result.deleted.map((d) => d.bytes)).toEqual([realBytes + issueBytes, realBytes + issueBytes]);
    const newest = names[2]!;
    expect((await readdir(dir)).sort()).toEqual([newest, `${newest}.sha256`, newest.replace(/\.tar\.gz$/, '.ISSUE.md'), 'other.ISSUE.md'].sort());
  });

  it("an unfinished s3:// upload's <bundle>.upload.json is counted with its bundle and deleted with it", async () => {
    const dir = await freshDir();
    const state = '{"bucket":"drop","key":"in/x.tar.gz","uploadId":"u-1","partSize":8388608}\n';
    const names: string[] = [];
    for (const [i, suffix] of [
      [2, 'uaaaa2'],
      [1, 'uaaaa1'],
    ] as const) {
      const name = await bundleAt(dir, ago(i * HOUR), suffix);
      await writeFile(join(dir, `${name}.upload.json`), state, { mode: 0o600 });
      names.push(name);
    }
    await writeFile(join(dir, 'other.upload.json'), state);
    const { bundles } = await listBundles(dir);
    expect(bundles.map((b) => b.bytes)).toEqual([realBytes + state.length, realBytes + state.length]);
    await applyRetention(dir, { keep: 1 }, { now });
    const newest = names[1]!;
    expect((await readdir(dir)).sort()).toEqual([newest, `${newest}.sha256`, `${newest}.upload.json`, 'other.upload.json'].sort());
  });

  it('refuses a policy that makes no sense', async () => {
    const dir = await freshDir();
    await expect(applyRetention(dir, { keep: 0 })).rejects.toThrow(/--keep must be a whole number of at least 1/);
    await expect(applyRetention(dir, { maxAgeMs: -1 })).rejects.toThrow(/--max-age/);
  });
});

describe('reading only what is needed', () => {
  it('readEntryText stops after the entry: manifest.json (the first entry) of a bundle cut in the middle still reads', async () => {
    // About 1 MiB of poorly compressible text behind the manifest, then the file cut in half.
    const bulky = defineCollector({
      name: 'bulky',
      description: 'a large text file for the reader test',
      defaultEnabled: false,
      defaults: {},
      async *collect() {
        yield text('numbers.txt', Array.from({ length: 40_000 }, (_v, i) => `${i} ${Math.random()} ${Math.random()}`).join('\n'));
      },
    });
    const made = await collectBundle({
      outputDir: join(root, 'bulky'),
      collectors: [bulky],
      only: ['bulky'],
      redaction: { ephemeralKey: true },
      env: {},
      noAnalyze: true,
    });
    const cut = join(root, 'bulky', 'cut.tar.gz');
    await copyFile(made.bundle, cut);
    await truncate(cut, Math.floor(made.bytes / 2));
    const manifest = JSON.parse((await readEntryText(cut, 'manifest.json'))!) as { bundle: string };
    expect(manifest.bundle).toBe(made.manifest.bundle);
    // What lies beyond the cut is still an error, as before.
    await expect(readEntryText(cut, 'bulky/numbers.txt')).rejects.toThrow();
  });

  it('listBundles remembers a file that is not ours as long as it is unchanged (size and mtime)', async () => {
    const dir = await freshDir();
    const name = await bundleAt(dir, ago(HOUR), 'negcch');
    const path = join(dir, name);
    const original = await readFile(path);
    const { mtime } = await stat(path);
    // Damage the compressed stream early: not readable, so not ours.
    const fh = await open(path, 'r+');
    await fh.write(Buffer.from([original[30]! ^ 0xff, original[31]! ^ 0xff]), 0, 2, 30);
    await fh.close();
    await utimes(path, mtime, mtime);
    const cache = new Map<string, string>();
    expect((await listBundles(dir, { cache })).foreign).toEqual([name]);
    // The same size and mtime again, with the original bytes back: the cached verdict stands, nothing is re-read...
    await writeFile(path, original);
    await utimes(path, mtime, mtime);
    expect((await listBundles(dir, { cache })).foreign).toEqual([name]);
    // ...while a fresh look (or any change of size or mtime) reads it again.
    expect((await listBundles(dir)).bundles.map((b) => b.name)).toEqual([name]);
  });
});

describe('planRetention', () => {
  const b = (name: string, hoursAgo: number, bytes = 100): BundleFile => ({ name, path: `/d/${name}`, time: ago(hoursAgo * HOUR), bytes });
  it('protects the bundle just written even when it is not the newest by name', () => {
    const list = [b('n1', 1), b('n2', 2), b('n3', 3)];
    const doomed = planRetention(list, { keep: 1 }, { now, protect: '/d/n3' });
    expect([...doomed.keys()]).toEqual(['/d/n2']);
    // A relative spelling of the same file (a relative --output-dir) protects it too.
    expect([...planRetention(list, { keep: 1 }, { now, protect: 'out/n3' }).keys()]).toEqual(['/d/n2']);
  });
  it('an empty policy deletes nothing', () => {
    expect(planRetention([b('a', 1), b('b', 100)], {}, { now }).size).toBe(0);
  });
});
