/**
 * Ctrl-C / SIGTERM while a collector hangs on a Docker engine that never answers: the real CLI must
 * exit 130 within seconds and leave nothing behind — no bundle, no .partial, no spool, nothing in TMPDIR.
 */
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanup, describeRun, hungServer, listDir, startCli, tempDir, waitUntil } from './harness.js';

beforeAll(assertBuilt);
afterEach(cleanup);

describe.each(['SIGINT', 'SIGTERM'] as const)('%s during collection', (sig) => {
  it(`${sig}: exits 130 promptly and leaves no files behind`, async () => {
    const server = await hungServer();
    const out = await tempDir('cb-out-');
    const tmp = await tempDir('cb-tmpdir-');
    // Default collectors: system (which spools files and runs commands) and docker (which hangs).
    const cli = startCli(['--timeout', '60', '-o', out], { env: { DOCKER_HOST: server.url, TMPDIR: tmp }, killAfterMs: 60_000 });

    // Wait until the run is under way: the "collecting" line is printed once the spool exists and the
    // signal handlers are installed, and the docker collector is stuck once the server has a connection.
    await waitUntil(
      () => /collecting .* into /.test(cli.stderr()) && server.accepted() > 0,
      30_000,
      `the collection to start (stderr so far: ${JSON.stringify(cli.stderr())})`,
    ).catch(async (err: unknown) => {
      cli.child.kill('SIGKILL');
      const r = await cli.result;
      throw new Error(`${(err as Error).message}\n${describeRun(r)}`);
    });
    expect(cli.child.exitCode, 'the CLI ended before it was interrupted').toBeNull();
    const sentAt = performance.now();
    cli.child.kill(sig);
    const r = await cli.result;
    const afterSignalMs = performance.now() - sentAt;

    expect(r.killed, describeRun(r)).toBe(false);
    expect(r.code, describeRun(r)).toBe(130);
    expect(afterSignalMs, describeRun(r)).toBeLessThan(10_000);
    expect(r.stderr).toContain(`${sig} received`);
    expect(r.stderr).toMatch(/interrupted: no bundle was written/);
    expect(r.stdout).toBe('');

    const left = await listDir(out);
    expect(
      left.filter((f) => f.endsWith('.partial')),
      'a .partial file was left',
    ).toEqual([]);
    expect(
      left.filter((f) => f.endsWith('.spool')),
      'a spool directory was left',
    ).toEqual([]);
    expect(
      left.filter((f) => f.endsWith('.tar.gz') || f.endsWith('.sha256')),
      'a bundle was written',
    ).toEqual([]);
    expect(left, `output dir ${out} must be empty`).toEqual([]);
    expect(await listDir(tmp), `TMPDIR ${tmp} must be empty`).toEqual([]);
  }, 60_000);
});

describe('interrupt with a not-yet-existing output dir', () => {
  it('SIGINT leaves no bundle and no temporary files in the dir it created', async () => {
    const server = await hungServer();
    const parent = await tempDir('cb-out-');
    const out = join(parent, 'new', 'dir');
    const cli = startCli(['--only', 'docker', '--timeout', '60', '-o', out], { env: { DOCKER_HOST: server.url }, killAfterMs: 60_000 });
    await waitUntil(() => server.accepted() > 0 || cli.child.exitCode !== null, 30_000, 'the docker collector to connect');
    cli.child.kill('SIGINT');
    const r = await cli.result;
    expect(r.code, describeRun(r)).toBe(130);
    expect(await listDir(out)).toEqual([]);
  }, 60_000);
});

describe('interrupt while the tarball is being packed', () => {
  // BUG (src/bundle/writer.ts, BundleWriter.finish: the catch block runs `this.abort()`, which removes
  // the spool directory, while archiver still has queued/in-flight `archive.file(<spool file>)` entries;
  // archiver's lazystream then opens a removed spool file and the ENOENT is emitted on a Readable with
  // no 'error' listener). A Ctrl-C that arrives after "collection finished" — i.e. during finish() —
  // crashes the process with an uncaught "Error: ENOENT: no such file or directory, open
  // '<out>/.collect-bundle-….spool/2.a'" and a stack trace: exit 1 instead of 130, no "interrupted"
  // message, and now and then (1 run in 8 here) the `.collect-bundle-….spool` directory is left
  // behind because the crash cuts the rm short. Reproduced in 24 of 24 manual runs. Same root cause as
  // the disk-full crash in output-errors.test.ts. Fix idea: archive.abort() and wait for archiver to
  // settle (or keep an error listener on it) before removing the spool.
  it('SIGINT right after "collection finished": exit 130 (or 0 if already done), never a crash or leftovers', async () => {
    for (let attempt = 1; attempt <= 3; attempt++) {
      const out = await tempDir('cb-out-');
      const cli = startCli(['--only', 'system', '-o', out], { killAfterMs: 60_000 });
      await waitUntil(() => /collection finished/.test(cli.stderr()) || cli.child.exitCode !== null, 30_000, 'the collection to finish');
      cli.child.kill('SIGINT');
      const r = await cli.result;
      const what = `attempt ${attempt}: ${describeRun(r)}`;
      expect(r.stderr, what).not.toMatch(/Unhandled 'error' event|\n\s+at /);
      const left = await listDir(out);
      if (r.code === 0) {
        // The signal came after the bundle was complete: then it must be whole.
        expect(
          left.filter((f) => !/\.tar\.gz(\.sha256)?$/.test(f)),
          what,
        ).toEqual([]);
        expect(left, what).toHaveLength(2);
      } else {
        expect(r.code, what).toBe(130);
        expect(left, what).toEqual([]);
      }
    }
  }, 120_000);
});
