/**
 * issue #18 part 1b: lost output is never `ok`. A real container's log stream cut in the middle (a
 * proxy in front of the real engine drops the connection after a few KiB of the /logs response) and a
 * custom command killed by its timeout after printing: the collector is `partial` with the true cause,
 * the file is marked `lost` among its problems, and the run exits 3.
 */
import { rm } from 'node:fs/promises';
import net from 'node:net';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanup, describeRun, onCleanup, runCli, tempDir } from '../cli/harness.js';
import { fileJson, readBundle } from '../helpers/bundle.js';
import { DOCKER_HOST, TEST_IMAGE, docker, dockerUnavailable, removeContainers, uniq, waitFor } from '../helpers/docker.js';

beforeAll(assertBuilt);
afterEach(cleanup);

interface CollectorRow {
  name: string;
  status: string;
  reason?: string;
  problems: { item: string; reason: string; lost?: boolean }[];
  artifacts: { path: string; lost?: string }[];
}

async function onlyBundle(out: string): Promise<{ collectors: CollectorRow[]; status: string }> {
  const bundles = (await readdir(out)).filter((f) => f.endsWith('.tar.gz'));
  expect(bundles).toHaveLength(1);
  return fileJson(await readBundle(join(out, bundles[0]!)), 'manifest.json');
}

/** A unix-socket proxy to the real engine that cuts every /logs response after `cutAfter` bytes. */
async function cuttingProxy(dir: string, upstreamPath: string, cutAfter: number): Promise<{ url: string; cuts: () => number }> {
  const path = join(dir, 'proxy.sock');
  let cuts = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(upstreamPath);
    let logsRequested = false;
    let sent = 0;
    client.on('data', (chunk) => {
      if (/GET [^ ]*\/containers\/[^ ]+\/logs\?/.test(chunk.toString('latin1'))) logsRequested = true;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!logsRequested) return void client.write(chunk);
      const room = cutAfter - sent;
      sent += chunk.length;
      if (room > 0) client.write(chunk.subarray(0, room));
      if (sent >= cutAfter) {
        cuts++;
        client.destroy();
        upstream.destroy();
      }
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((res) => server.listen(path, res));
  onCleanup(() => new Promise<void>((res) => server.close(() => res())));
  return { url: `unix://${path}`, cuts: () => cuts };
}

describe.skipIf(dockerUnavailable)('a log stream cut in the middle', () => {
  const prefix = uniq('cb-lost');
  afterAll(() => removeContainers(prefix));

  it('makes the docker collector partial with the cause, the logs file marked lost, exit 3', async () => {
    const name = `${prefix}-talker`;
    await docker(
      'run',
      '-d',
      '--name',
      name,
      TEST_IMAGE,
      'sh',
      '-c',
      'i=0; while [ $i -lt 20000 ]; do echo "line $i some padding to make the log long enough"; i=$((i+1)); done',
    );
    await waitFor(name, (s) => !s.Running);
    const dir = await tempDir('cb-lost-');
    const proxy = await cuttingProxy(dir, DOCKER_HOST.replace(/^unix:\/\//, ''), 8192);
    const out = join(dir, 'out');
    // --no-log-files: the log must come through the (cutting) engine, not from the engine's files.
    const r = await runCli(['--no-config', '--only', 'docker', '--containers', name, '--max-log-bytes', '0', '--no-log-files', '-o', out], {
      env: { DOCKER_HOST: proxy.url },
      killAfterMs: 120_000,
    });
    expect(proxy.cuts(), describeRun(r)).toBeGreaterThan(0);
    expect(r.code, describeRun(r)).toBe(3);
    const manifest = await onlyBundle(out);
    expect(manifest.status).toBe('partial');
    const dockerRow = manifest.collectors.find((c) => c.name === 'docker')!;
    expect(dockerRow.status, JSON.stringify(dockerRow.problems)).toBe('partial');
    expect(dockerRow.reason).toMatch(/^output lost: .*logs\.txt: /);
    const lost = dockerRow.problems.filter((p) => p.lost);
    expect(lost.map((p) => p.item)).toEqual([expect.stringMatching(new RegExp(`${name}.*logs\\.txt$`))]);
    expect(r.stderr).toMatch(/PARTIAL docker/);
  }, 150_000);
});

describe('a command whose output is cut by its timeout', () => {
  it('makes the custom collector partial, exit 3; a command that ends normally stays ok', async () => {
    const dir = await tempDir('cb-lost-cmd-');
    await writeFile(
      join(dir, 'collect-bundle.config.json'),
      JSON.stringify({
        custom: [
          { type: 'command', name: 'slow', argv: ['/bin/sh', '-c', 'echo first part; sleep 30; echo never'], timeout: 1 },
          { type: 'command', name: 'quick', argv: ['/bin/echo', 'done'] },
        ],
      }),
    );
    const out = join(dir, 'out');
    const r = await runCli(['--config', join(dir, 'collect-bundle.config.json'), '--only', 'slow,quick', '-o', out], { killAfterMs: 90_000 });
    expect(r.code, describeRun(r)).toBe(3);
    const manifest = await onlyBundle(out);
    const slow = manifest.collectors.find((c) => c.name === 'slow')!;
    expect(slow.status).toBe('partial');
    expect(slow.reason).toMatch(/^output lost: custom\/slow\/output\.txt: command \/bin\/sh timed out after 1(\.\d)?s and was killed: its output is cut/);
    // The file is stored (what it printed until then) and marked as cut in its artifact entry.
    expect(slow.artifacts.find((a) => a.path === 'custom/slow/output.txt')).toMatchObject({ lost: expect.stringMatching(/timed out .* its output is cut/) });
    expect(manifest.collectors.find((c) => c.name === 'quick')).toMatchObject({ status: 'ok' });
    await rm(out, { recursive: true, force: true });
  }, 120_000);
});
