/**
 * issue #18 part 4: no plugin can hang or end the run. Real plugin files, loaded by the real CLI from a
 * config file: a top-level await that never ends (with and without a live timer), a collector awaiting a
 * promise that never settles, process.exit(0) while loading, while collecting and from a timer. Each
 * time the plugin is marked failed (or its collector failed / timed out) with a message naming it, the
 * rest of the bundle is written, the run exits 3, and the process ends promptly.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanup, describeRun, runCli, tempDir } from '../cli/harness.js';
import { fileJson, fileText, readBundle } from '../helpers/bundle.js';

beforeAll(assertBuilt);
afterEach(cleanup);

const collector = (name: string, body = '') =>
  `export default { name: '${name}', description: 'test plugin', defaultEnabled: true, defaults: {}, async *collect() { ${body} } };\n`;

interface Outcome {
  code: number | null;
  ms: number;
  stderr: string;
  manifest: { plugins?: unknown[]; collectors: { name: string; status: string; reason?: string }[]; status: string };
  runLog: string;
}

/** Runs `--only system,<only>` with the plugin file as the config's only plugin; the bundle must exist. */
async function runWithPlugin(source: string, only: string[]): Promise<Outcome> {
  const dir = await tempDir('cb-plugin-hang-');
  await writeFile(join(dir, 'plugin.mjs'), source);
  await writeFile(join(dir, 'collect-bundle.config.json'), JSON.stringify({ plugins: ['./plugin.mjs'] }));
  const out = join(dir, 'out');
  const r = await runCli(['--config', join(dir, 'collect-bundle.config.json'), '--only', ['system', ...only].join(','), '--timeout', '5', '-o', out], {
    killAfterMs: 60_000,
  });
  expect(r.killed, describeRun(r)).toBe(false);
  const bundles = (await readdir(out).catch(() => [])).filter((f) => f.endsWith('.tar.gz'));
  expect(bundles, describeRun(r)).toHaveLength(1);
  const entries = await readBundle(join(out, bundles[0]!));
  // The rest of the bundle is there (on a loaded machine the system collector may itself hit --timeout).
  const manifest = fileJson(entries, 'manifest.json');
  expect(manifest.collectors.map((c: { name: string }) => c.name)).toContain('system');
  if (manifest.collectors[0].status === 'ok') expect(fileJson(entries, 'system/os.json')).toHaveProperty('platform');
  return { code: r.code, ms: r.ms, stderr: r.stderr, manifest: fileJson(entries, 'manifest.json'), runLog: fileText(entries, 'run.log') };
}

describe('a plugin cannot hang the run', () => {
  it('a top-level await that never ends (a live interval keeps Node busy): plugin failed after --timeout, bundle written, exit 3, prompt exit', async () => {
    const o = await runWithPlugin(`setInterval(() => {}, 1000);\nawait new Promise(() => {});\n${collector('never-loads')}`, []);
    expect(o.code).toBe(3);
    expect(o.manifest.plugins).toEqual([{ plugin: './plugin.mjs', status: 'failed', error: expect.stringMatching(/did not finish loading within 5s/) }]);
    expect(o.stderr).toMatch(/plugin \.\/plugin\.mjs was skipped: did not finish loading within 5s/);
    // Startup (~1-5 s on a loaded machine) + the 5 s load timeout + the run; never the plugin's interval forever.
    expect(o.ms).toBeLessThan(45_000);
  }, 70_000);

  it('a top-level await on a promise that never settles (nothing left in the event loop): not exit 13, the plugin fails', async () => {
    const o = await runWithPlugin(`await new Promise(() => {});\n${collector('never-loads')}`, []);
    expect(o.code).toBe(3);
    expect(o.manifest.plugins).toEqual([{ plugin: './plugin.mjs', status: 'failed', error: expect.stringMatching(/did not finish loading within 5s/) }]);
  }, 70_000);

  it('a collector awaiting a promise that never settles times out; the run goes on (not exit 13)', async () => {
    const o = await runWithPlugin(collector('stuck', 'await new Promise(() => {});'), ['stuck']);
    expect(o.code).toBe(3);
    expect(o.manifest.status).toBe('partial');
    expect(o.manifest.collectors.find((c) => c.name === 'stuck')).toMatchObject({ status: 'timed-out' });
    expect(['ok', 'timed-out']).toContain(o.manifest.collectors.find((c) => c.name === 'system')?.status); // kept, not failed by the plugin
  }, 70_000);
});

describe('a plugin cannot end the run with process.exit()', () => {
  it('process.exit(0) while loading: the plugin is failed with that message, bundle written, exit 3', async () => {
    const o = await runWithPlugin(`process.exit(0);\n${collector('exits')}`, []);
    expect(o.code).toBe(3);
    expect(o.manifest.plugins).toEqual([
      { plugin: './plugin.mjs', status: 'failed', error: 'called process.exit(0), which would end the whole run (fix: throw an error instead)' },
    ]);
    expect(o.stderr).toMatch(/plugin \.\/plugin\.mjs was skipped: called process\.exit\(0\)/);
  }, 70_000);

  it('process.exit(0) inside collect(): that collector fails, the others are kept, exit 3', async () => {
    const o = await runWithPlugin(collector('exits-run', 'process.exit(0);'), ['exits-run']);
    expect(o.code).toBe(3);
    expect(o.manifest.collectors.find((c) => c.name === 'exits-run')).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/^called process\.exit\(0\)/),
    });
    expect(['ok', 'timed-out']).toContain(o.manifest.collectors.find((c) => c.name === 'system')?.status); // kept, not failed by the plugin
  }, 70_000);

  it('process.exit(0) from a timer the collector started: ignored, logged naming the collector, run partial', async () => {
    const o = await runWithPlugin(collector('exits-later', 'setTimeout(() => process.exit(0), 10); await new Promise((r) => setTimeout(r, 300));'), [
      'exits-later',
    ]);
    expect(o.code).toBe(3);
    expect(o.manifest.status).toBe('partial');
    expect(o.runLog).toMatch(/collector "exits-later" called process\.exit\(0\).*its call was ignored/);
  }, 70_000);
});
