/**
 * issue #17 part 2, `--max-size`: real containers on the test engine whose logs are several times the
 * budget. The bundle is under the budget, its findings are those of a run without one, the largest logs
 * keep their newest lines (a secret in them still redacted), the cuts are in manifest.json and ISSUE.md,
 * `verify` passes it; a budget too small for the files kept whole is one line naming the minimum.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanup, describeRun, runCli, tempDir, type CliResult } from '../cli/harness.js';
import { fileJson, fileText, readBundle, type TarEntry } from '../helpers/bundle.js';
import { DOCKER_HOST, TEST_IMAGE, docker, dockerUnavailable, removeContainers, uniq, waitForLog } from '../helpers/docker.js';

const prefix = uniq('cb-budget');
const SECRET = 'budget-Pw-4c1e9a77';
const BUDGET = 512 * 1024;

interface Artifact {
  path: string;
  bytes: number;
  truncated: boolean;
  originalBytes?: number;
  cut?: string;
}
interface Manifest {
  budget?: { maxBytes: number; cutFiles: number };
  collectors: { name: string; status: string; artifacts: Artifact[] }[];
}
interface Findings {
  findings: { id: string; severity: string; subject?: string; title: string }[];
}

/** About 1.3 MiB of log per container (random hex, so it compresses about 2.5:1), then its last lines. */
const noisy = (last: string): string => `head -c 250000 /dev/urandom | od -An -x; echo "password=${SECRET}"; echo "${last}"`;

async function collect(out: string, containers: string, ...extra: string[]): Promise<{ r: CliResult; bundle?: string }> {
  const r = await runCli(['--only', 'docker', '--containers', containers, '--tail', 'all', '--max-log-bytes', '0', '-o', out, ...extra], {
    env: { DOCKER_HOST },
    killAfterMs: 150_000,
  });
  const files = await readdir(out).catch(() => [] as string[]);
  const bundle = files.find((f) => f.endsWith('.tar.gz'));
  return { r, ...(bundle ? { bundle: join(out, bundle) } : {}) };
}

const artifacts = (m: Manifest): Artifact[] => m.collectors.flatMap((c) => c.artifacts);
const findingKeys = (entries: Map<string, TarEntry>): string[] =>
  fileJson<Findings>(entries, 'findings.json')
    .findings.map((f) => `${f.severity} ${f.id} ${f.subject ?? ''} ${f.title}`)
    .sort();

describe.skipIf(Boolean(dockerUnavailable) && !process.env['CI'])('--max-size with a real engine and logs far larger than the budget', () => {
  let whole: { r: CliResult; bundle?: string };
  let fitted: { r: CliResult; bundle?: string };
  let wholeEntries: Map<string, TarEntry>;
  let entries: Map<string, TarEntry>;

  beforeAll(async () => {
    assertBuilt();
    for (const i of [1, 2, 3]) await docker('run', '-d', '--name', `${prefix}-big${i}`, TEST_IMAGE, 'sh', '-c', `${noisy(`END-OF-LOG-${i}`)}; sleep 3600`);
    // A crash with a long log: its finding must survive the cut.
    await docker('run', '-d', '--name', `${prefix}-crash`, TEST_IMAGE, 'sh', '-c', `${noisy('END-OF-LOG-crash')}; exit 3`);
    await docker('run', '-d', '--name', `${prefix}-small`, TEST_IMAGE, 'sh', '-c', 'echo small-and-whole; sleep 3600');
    for (const n of ['big1', 'big2', 'big3', 'crash']) await waitForLog(`${prefix}-${n}`, `END-OF-LOG-${n.replace('big', '')}`, 60_000);
    const dir = await tempDir('cb-budget-');
    whole = await collect(join(dir, 'whole'), `${prefix}-*`);
    fitted = await collect(join(dir, 'fitted'), `${prefix}-*`, '--max-size', '512KiB', '--json');
    wholeEntries = await readBundle(whole.bundle!);
    entries = await readBundle(fitted.bundle!);
  }, 300_000);

  afterAll(async () => {
    await removeContainers(prefix);
    await cleanup();
  });

  it('writes a bundle under the budget from logs several times larger', async () => {
    expect(whole.r.code, describeRun(whole.r)).toBe(0);
    expect(fitted.r.code, describeRun(fitted.r)).toBe(0);
    const wholeSize = (await stat(whole.bundle!)).size;
    const size = (await stat(fitted.bundle!)).size;
    expect(wholeSize).toBeGreaterThan(3 * BUDGET);
    expect(size).toBeLessThan(BUDGET);
    // The budget is used, not wasted: most of it holds log lines.
    expect(size).toBeGreaterThan(0.7 * BUDGET);
  });

  it('finds exactly what a run without a budget finds', () => {
    const keys = findingKeys(entries);
    expect(
      keys.some((k) => k.includes(`${prefix}-crash`)),
      keys.join('\n'),
    ).toBe(true);
    expect(keys).toEqual(findingKeys(wholeEntries));
  });

  it('cuts the large logs from their oldest lines, keeps the newest (redacted) and every JSON file whole', () => {
    const m = fileJson<Manifest>(entries, 'manifest.json');
    const before = new Map(artifacts(fileJson<Manifest>(wholeEntries, 'manifest.json')).map((a) => [a.path, a]));
    const cut = artifacts(m).filter((a) => a.cut);
    expect(cut.map((a) => a.path.split('/').at(-2)).sort()).toEqual(['big1', 'big2', 'big3', 'crash'].map((n) => `${prefix}-${n}`));
    expect(m.budget).toEqual({ maxBytes: BUDGET, cutFiles: 4 });
    for (const a of cut) {
      expect(a.path).toMatch(/\/logs\.txt$/);
      expect(a).toMatchObject({
        truncated: true,
        originalBytes: before.get(a.path)!.bytes,
        cut: expect.stringMatching(/^its oldest lines were cut to fit --max-size 512 KiB: \d+ of \d+ redacted bytes kept$/),
      });
      const text = fileText(entries, a.path);
      const full = fileText(wholeEntries, a.path);
      expect(Buffer.byteLength(text)).toBe(a.bytes);
      expect(text).toMatch(/^\[collect-bundle: output truncated to its last \d+ bytes; the first \d+ of \d+ bytes were cut\]\n/);
      // The kept lines are the last lines of the full log, whole lines, the secret in them redacted.
      const kept = text.slice(text.indexOf('\n') + 1);
      expect(kept.length).toBeGreaterThan(50_000);
      expect(full.endsWith(kept)).toBe(true);
      expect(full.charAt(full.length - kept.length - 1)).toBe('\n');
      expect(kept).toMatch(/END-OF-LOG-/);
      expect(kept).toMatch(/password=\[REDACTED:/);
    }
    for (const a of artifacts(m).filter((x) => !x.cut)) {
      expect(a.truncated, a.path).toBe(false);
      expect(fileText(entries, a.path).length).toBeGreaterThan(0);
    }
    expect(artifacts(m).some((a) => a.path.endsWith('/inspect.json'))).toBe(true);
    expect(fileText(entries, artifacts(m).find((a) => a.path.endsWith(`${prefix}-small/logs.txt`))!.path)).toMatch(/small-and-whole/);
    for (const e of entries.values()) expect(e.data.includes(SECRET), e.name).toBe(false);
  });

  it('says so in ISSUE.md, on the console and in --json, and the bundle verifies', async () => {
    const json = JSON.parse(fitted.r.stdout) as { bytes: number; budget: { maxBytes: number; cutFiles: number; cut: string[] } };
    expect(json.budget).toMatchObject({ maxBytes: BUDGET, cutFiles: 4 });
    expect(json.budget.cut.map((p) => p.split('/').at(-2)).sort()).toEqual(['big1', 'big2', 'big3', 'crash'].map((n) => `${prefix}-${n}`));
    expect(json.bytes).toBe((await stat(fitted.bundle!)).size);
    expect(fileText(entries, 'ISSUE.md')).toContain('**Size budget:** Logs of 4 containers were cut to fit 512 KiB (their oldest lines;');
    expect(fitted.r.stderr).toMatch(/Logs of 4 containers were cut to fit 512 KiB/);
    const v = await runCli(['verify', fitted.bundle!]);
    expect(v.code, describeRun(v)).toBe(0);
  });

  it('a budget too small for the files kept whole: exit 2, one line naming the minimum, no bundle', async () => {
    const out = join(await tempDir('cb-budget-small-'), 'out');
    const { r, bundle } = await collect(out, `${prefix}-small`, '--max-size', '8KiB');
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toMatch(/--max-size 8 KiB is too small for this bundle: .* need at least [\d.]+ KiB compressed; use --max-size [\d.]+KiB or more/);
    expect(bundle).toBeUndefined();
    expect(await readdir(out)).toEqual([]);
  }, 150_000);
});

describe('--max-size values', () => {
  beforeAll(assertBuilt);
  afterAll(cleanup);
  it.each([
    ['lots', /--max-size: "lots" is not a size: use e\.g\. 10MiB/],
    ['0', /--max-size must be more than 0, e\.g\. 25MiB, got "0"/],
  ])('refuses %s before collecting anything (exit 2, one line and the --help hint)', async (value, message) => {
    const out = join(await tempDir('cb-budget-bad-'), 'out');
    const r = await runCli(['--only', 'system', '--max-size', value, '-o', out]);
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(message), 'Run collect-bundle --help for usage.']);
  });

  it('is a config key too (maxSize), checked like the flag', async () => {
    const dir = await tempDir('cb-budget-cfg-');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'c.json'), JSON.stringify({ maxSize: 'huge' }));
    const r = await runCli(['--config', join(dir, 'c.json'), '--only', 'system', '-o', join(dir, 'out')]);
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toMatch(/maxSize.*expected a size such as "10MiB"/);
  });
});
