/** The size budget's plan (src/bundle/budget.ts): what is kept whole, what is cut first, and by how much. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { budgetTier, cutToTail, describeCuts, ENTRY_OVERHEAD, MIN_KEPT_GZ, planBudget, type SpooledSize } from '../../src/bundle/budget.js';
import { GzipSpool, gzipFile } from '../../src/bundle/tar-gz.js';

const item = (path: string, gzBytes: number): SpooledSize => ({ path, bytes: gzBytes * 3, gzBytes });
const cutsOf = (plan: ReturnType<typeof planBudget>): Map<string, number> => {
  if (!('cuts' in plan)) throw new Error(`no plan: minimum ${plan.minimum}`);
  return new Map(plan.cuts);
};
const KiB = 1024;

describe('budgetTier', () => {
  it.each([
    ['docker/local/containers/web/logs.txt', 'log'],
    ['docker/local/events.jsonl', 'log'],
    ['system/journal.log', 'log'],
    ['docker/local/containers/web/inspect.json', 'keep'],
    ['docker/local/containers.json', 'keep'],
    ['docker/local/ps.txt', 'other'],
    ['django/check.txt', 'other'],
  ])('%s is %s', (path, tier) => expect(budgetTier(path)).toBe(tier));
});

describe('planBudget', () => {
  const files = [
    item('docker/e/containers/a/inspect.json', 4 * KiB),
    item('docker/e/containers/a/logs.txt', 600 * KiB),
    item('docker/e/containers/b/logs.txt', 300 * KiB),
    item('docker/e/containers/c/logs.txt', 20 * KiB),
    item('docker/e/ps.txt', 10 * KiB),
  ];
  const overhead = files.length * ENTRY_OVERHEAD;

  it('cuts nothing when everything fits', () => {
    expect(cutsOf(planBudget(files, 2000 * KiB, 10 * KiB)).size).toBe(0);
  });

  it('cuts the largest logs down to one cap, leaving the small ones and the non-logs whole', () => {
    const max = 500 * KiB;
    const cuts = cutsOf(planBudget(files, max, 10 * KiB));
    expect([...cuts.keys()].sort()).toEqual(['docker/e/containers/a/logs.txt', 'docker/e/containers/b/logs.txt']);
    const cap = cuts.get('docker/e/containers/a/logs.txt')!;
    expect(cuts.get('docker/e/containers/b/logs.txt')).toBe(cap);
    // Everything adds up to the budget, within rounding.
    const total = 10 * KiB + overhead + 4 * KiB + 20 * KiB + 10 * KiB + 2 * cap;
    expect(total).toBeLessThanOrEqual(max);
    expect(total).toBeGreaterThan(max - 2);
  });

  it('cuts other text files only when the logs at their smallest are not enough', () => {
    const max = 10 * KiB + overhead + 4 * KiB + 3 * MIN_KEPT_GZ + 6 * KiB;
    const cuts = cutsOf(planBudget(files, max, 10 * KiB));
    expect(cuts.get('docker/e/containers/a/logs.txt')).toBe(MIN_KEPT_GZ);
    expect(cuts.get('docker/e/ps.txt')).toBe(6 * KiB);
  });

  it('names the minimum when even the files kept whole do not fit', () => {
    const plan = planBudget(files, 12 * KiB, 10 * KiB);
    expect(plan).toEqual({ minimum: 10 * KiB + overhead + 4 * KiB + 4 * MIN_KEPT_GZ });
  });
});

describe('cutToTail', () => {
  it('keeps whole last lines whose gzip member fits the target, after a note saying what was cut', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cb-cut-'));
    try {
      // Lines of random hex: they compress about 2:1, the first and last numbered.
      const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${randomBytes(24).toString('hex')}`);
      const text = `${lines.join('\n')}\n`;
      const file = join(dir, 'log');
      await writeFile(file, text);
      const whole = await gzipFile(file, GzipSpool.create(join(dir, 'whole.gz')));
      const gzBytes = (await stat(whole.file)).size;
      let n = 0;
      const target = 64 * 1024;
      const cut = await cutToTail(
        file,
        { bytes: text.length, gzBytes },
        target,
        () => join(dir, `c${++n}`),
        (f) => GzipSpool.create(f),
      );
      expect((await stat(cut.gz.file)).size).toBeLessThanOrEqual(target);
      const kept = await readFile(cut.result.file, 'utf8');
      expect(cut.result).toMatchObject({ truncated: true, originalBytes: text.length, bytes: Buffer.byteLength(kept) });
      const note = /^\[collect-bundle: output truncated to its last (\d+) bytes; the first (\d+) of (\d+) bytes were cut\]\n/.exec(kept);
      expect(note).not.toBeNull();
      const body = kept.slice(note![0].length);
      expect(Number(note![1])).toBe(body.length);
      expect(Number(note![2]) + body.length).toBe(text.length);
      expect(Number(note![3])).toBe(text.length);
      expect(text.endsWith(body)).toBe(true);
      expect(body.startsWith('line ')).toBe(true);
      expect(body.endsWith(`${lines.at(-1)}\n`)).toBe(true);
      // Most of the target is used: the estimate is close.
      expect((await stat(cut.gz.file)).size).toBeGreaterThan(0.7 * target);
      // The member is the kept bytes and the tar padding.
      expect(
        gunzipSync(await readFile(cut.gz.file))
          .subarray(0, Buffer.byteLength(kept))
          .toString('utf8'),
      ).toBe(kept);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('describeCuts', () => {
  it('counts containers by their log, other files apart, in one sentence', () => {
    expect(describeCuts(['docker/a/containers/web/logs.txt', 'docker/b/containers/web/logs.txt', 'system/journal.log'], 25 * 1024 * 1024)).toBe(
      'Logs of 2 containers and 1 other file were cut to fit 25 MiB (their oldest lines; each is marked `cut` in manifest.json)',
    );
    expect(describeCuts(['docker/a/events.jsonl'], 512 * 1024)).toBe(
      '1 file was cut to fit 512 KiB (their oldest lines; each is marked `cut` in manifest.json)',
    );
  });
});
