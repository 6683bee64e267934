/**
 * issue #18 (the rest): a collector cut off mid-stream keeps what was already redacted and spooled. A
 * custom command streaming under a collector timeout (--timeout, not the command's own `timeout`), and
 * SIGINT to `collect` mid-stream: the file is stored up to the cut, marked truncated and `lost` with the
 * true cause, the collector `partial`; the timeout run exits 3 (Ctrl-C still writes no bundle: README).
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanup, describeRun, runCli, startCli, tempDir, waitUntil } from '../cli/harness.js';
import { fileJson, fileText, readBundle } from '../helpers/bundle.js';

beforeAll(assertBuilt);
afterEach(cleanup);

interface Row {
  name: string;
  status: string;
  reason?: string;
  artifacts: { path: string; truncated: boolean; lost?: string }[];
}

/** A command printing a numbered line with a secret every 20 ms for a minute (never ends by itself). */
const STREAMER = ['/bin/sh', '-c', 'i=0; while [ $i -lt 3000 ]; do echo "line $i password=CANARY-$i"; i=$((i+1)); sleep 0.02; done'];

async function config(dir: string): Promise<string> {
  const file = join(dir, 'collect-bundle.config.json');
  await writeFile(file, JSON.stringify({ custom: [{ type: 'command', name: 'streamer', argv: STREAMER, timeout: 120 }] }));
  return file;
}

async function onlyBundle(out: string): Promise<Map<string, { data: Buffer }>> {
  const bundles = (await readdir(out)).filter((f) => f.endsWith('.tar.gz'));
  expect(bundles).toHaveLength(1);
  return readBundle(join(out, bundles[0]!));
}

/** The stored output: lines in order from 0, the secret of each redacted. */
function expectKeptPrefix(text: string): void {
  const lines = text.split('\n').filter((l) => l.startsWith('line '));
  expect(lines.length).toBeGreaterThan(5);
  for (const [i, l] of lines.entries()) expect(l).toMatch(new RegExp(`^line ${i} password=\\[REDACTED:`));
  expect(text).not.toMatch(/CANARY-\d/);
}

describe('a collector cut mid-stream', () => {
  it('by its collector timeout: the part streamed so far is stored, marked lost, collector partial, exit 3', async () => {
    const dir = await tempDir('cb-cut-');
    const out = join(dir, 'out');
    const r = await runCli(['--config', await config(dir), '--only', 'streamer', '--timeout', '3', '--no-analyze', '-o', out], { killAfterMs: 90_000 });
    expect(r.code, describeRun(r)).toBe(3);
    const entries = await onlyBundle(out);
    const manifest = fileJson<{ collectors: Row[] }>(entries, 'manifest.json');
    const row = manifest.collectors.find((c) => c.name === 'streamer')!;
    expect(row.status, JSON.stringify(row)).toBe('partial');
    expect(row.reason).toMatch(/^timed out after 3s .*output\.txt: timed out after 3s/);
    const artifact = row.artifacts.find((a) => a.path === 'custom/streamer/output.txt');
    expect(artifact).toMatchObject({ truncated: true, lost: expect.stringMatching(/^timed out after 3s .*only the part before the cut is stored/) });
    expectKeptPrefix(fileText(entries, 'custom/streamer/output.txt'));
  }, 120_000);

  it('by the run deadline: the part streamed so far is stored, marked lost with the deadline as cause, exit 3', async () => {
    const dir = await tempDir('cb-cut-deadline-');
    const out = join(dir, 'out');
    const r = await runCli(['--config', await config(dir), '--only', 'streamer', '--deadline', '3', '--no-analyze', '-o', out], { killAfterMs: 90_000 });
    expect(r.code, describeRun(r)).toBe(3);
    const entries = await onlyBundle(out);
    const row = fileJson<{ collectors: Row[] }>(entries, 'manifest.json').collectors.find((c) => c.name === 'streamer')!;
    expect(row.status, JSON.stringify(row)).toBe('partial');
    expect(row.artifacts.find((a) => a.path === 'custom/streamer/output.txt')).toMatchObject({
      truncated: true,
      lost: expect.stringMatching(/^cut off by the run deadline \(--deadline\): only the part before the cut is stored/),
    });
    expectKeptPrefix(fileText(entries, 'custom/streamer/output.txt'));
  }, 120_000);

  it('by Ctrl-C: the collector is reported partial with the cut file kept, then the run stops as documented (130, nothing left)', async () => {
    // README: Ctrl-C writes no bundle and leaves no file behind; the collector's record still says
    // what the cut kept, which a bundle written on interrupt (if ever wanted) would carry as it is.
    const dir = await tempDir('cb-cut-int-');
    const out = join(dir, 'out');
    const cli = startCli(['--config', await config(dir), '--only', 'streamer', '--no-analyze', '-o', out], { killAfterMs: 90_000 });
    await waitUntil(() => /collecting streamer/.test(cli.stderr()), 30_000, 'the collector to start');
    await new Promise((res) => setTimeout(res, 2500));
    cli.child.kill('SIGINT');
    const r = await cli.result;
    expect(r.killed, describeRun(r)).toBe(false);
    expect(r.code, describeRun(r)).toBe(130);
    expect(r.stderr).toMatch(
      /PARTIAL streamer .*interrupted \(Ctrl-C\).*custom\/streamer\/output\.txt: interrupted \(Ctrl-C\): only the part before the cut is stored/,
    );
    expect(r.stderr).not.toMatch(/CANARY-\d/);
    expect(await readdir(out)).toEqual([]);
  }, 120_000);
});
