/**
 * issue #14 part 4: `--profile` prints where a real run's time went, per phase and per collector, and
 * the manifest keeps the same numbers (`timings`). No wall-clock thresholds: the phases must be there,
 * in order, and add up to the run's duration.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest, RunTimings } from '../../src/core/types.js';
import { fileJson, readBundle } from '../helpers/bundle.js';
import { assertBuilt, cleanup, describeRun, runCli, tempDir } from './harness.js';

beforeAll(assertBuilt);
afterEach(cleanup);

const sum = (t: RunTimings): number => t.phases.reduce((s, p) => s + p.ms, 0);

describe('--profile', () => {
  it('prints the phases and collectors of a real run and records them in the manifest; the phases add up to the run', async () => {
    const out = await tempDir('cb-profile-');
    const r = await runCli(['--no-config', '--only', 'system', '--profile', '--json', '-o', out], { killAfterMs: 90_000 });
    expect(r.code, describeRun(r)).toBe(0);
    const summary = JSON.parse(r.stdout) as { bundle: string; durationMs: number; timings: RunTimings };

    // The result: every phase, in run order, adding up to the run's duration (each is rounded on its own).
    const t = summary.timings;
    expect(t.phases.map((p) => p.phase)).toEqual(['setup', 'collect', 'redact', 'analyze', 'report', 'pack', 'verify']);
    for (const p of t.phases) expect(Number.isInteger(p.ms) && p.ms >= 0, p.phase).toBe(true);
    expect(Math.abs(sum(t) - summary.durationMs)).toBeLessThanOrEqual(t.phases.length + summary.durationMs * 0.02);
    expect(t.collectors).toEqual([{ name: 'system', status: 'ok', ms: expect.any(Number) }]);
    const system = t.collectors[0]!.ms;
    expect(system).toBeGreaterThan(0);
    expect(system).toBeLessThanOrEqual(t.phases.find((p) => p.phase === 'collect')!.ms + 1);

    // The table on stderr: one row per phase and collector, with the same numbers.
    const table = r.stderr.slice(r.stderr.indexOf('profile: where the time went'));
    expect(table, r.stderr).not.toBe('');
    for (const p of t.phases) expect(table).toMatch(new RegExp(`^  ${p.phase} +${p.ms} ms`, 'm'));
    expect(table).toMatch(new RegExp(`^  total +${summary.durationMs} ms`, 'm'));
    expect(table).toMatch(new RegExp(`^  system +${system} ms`, 'm'));
    expect(table).toMatch(/^ {2}before the run +\d+ ms/m);

    // The manifest: the phases before it was sealed (packing and verifying come after it), the same numbers.
    const manifest = fileJson<Manifest>(await readBundle(summary.bundle), 'manifest.json');
    const sealed = manifest.timings!;
    // `report` goes on after the seal (the ISSUE.md beside the bundle, when asked): the same, within rounding.
    expect(sealed.phases.map((p) => p.phase)).toEqual(t.phases.slice(0, 5).map((p) => p.phase));
    expect(sealed.phases.slice(0, 4)).toEqual(t.phases.slice(0, 4));
    const report = (x: RunTimings) => x.phases.find((p) => p.phase === 'report')!.ms;
    expect(report(t) - report(sealed)).toBeGreaterThanOrEqual(0);
    expect(report(t) - report(sealed)).toBeLessThanOrEqual(1);
    expect(sealed.collectors).toEqual(t.collectors);
    expect(Math.abs(sum(sealed) - manifest.durationMs)).toBeLessThanOrEqual(sealed.phases.length + manifest.durationMs * 0.02);
  });

  it('is quiet without the flag: no table, but the manifest still keeps the timings', async () => {
    const out = await tempDir('cb-profile-');
    const r = await runCli(['--no-config', '--only', 'system', '--no-analyze', '--json', '-o', out], { killAfterMs: 90_000 });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stderr).not.toMatch(/profile: where the time went/);
    const summary = JSON.parse(r.stdout) as { bundle: string };
    const manifest = fileJson<Manifest>(await readBundle(summary.bundle), 'manifest.json');
    // --no-analyze: no analyze phase.
    expect(manifest.timings!.phases.map((p) => p.phase)).toEqual(['setup', 'collect', 'redact', 'report']);
  });
});
