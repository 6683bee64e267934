/**
 * The docker collector against engines that are not there, refuse, deny or hang — with real sockets
 * and the real CLI. The bundle must still be written (exit 3, partial) with a reason that names the
 * cause and the fix.
 */
import { spawnSync } from 'node:child_process';
import { chmod, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fileJson, fileText, readBundle, type TarEntry } from '../helpers/bundle.js';
import {
  BIN,
  NOBODY,
  PKG,
  ROOT,
  asNobodyWrapper,
  assertBuilt,
  cleanup,
  describeRun,
  freePort,
  hungServer,
  listDir,
  runCli,
  sha256File,
  tempDir,
  unixSocketServer,
  type CliResult,
} from './harness.js';
import type { CollectorRecord, Manifest } from '../../src/core/types.js';

/** The part of `collect --json`'s output these tests read. */
interface CollectJson {
  readonly status: string;
  readonly bundle: string;
  readonly sha256: string;
  readonly collectors: readonly { readonly name: string; readonly status: string; readonly error?: string }[];
}

beforeAll(assertBuilt);
afterEach(cleanup);

/** Asserts a partial run wrote exactly one bundle + sidecar; returns its entries and manifest. */
async function partialBundle(r: CliResult, dir: string): Promise<{ entries: Map<string, TarEntry>; manifest: Manifest; json: CollectJson }> {
  expect(r.code, describeRun(r)).toBe(3);
  const files = await listDir(dir);
  const tars = files.filter((f) => f.endsWith('.tar.gz'));
  expect(tars, files.join(', ')).toHaveLength(1);
  expect(files).toEqual([tars[0], `${tars[0]}.sha256`]);
  const tarball = join(dir, tars[0]!);
  const entries = await readBundle(tarball);
  const manifest = fileJson<Manifest>(entries, 'manifest.json');
  expect(manifest.status).toBe('partial');
  const json = JSON.parse(r.stdout) as CollectJson;
  expect(json.status).toBe('partial');
  expect(json.bundle).toBe(tarball);
  expect(json.sha256).toBe(await sha256File(tarball));
  return { entries, manifest, json };
}

const collectorNamed = (manifest: Manifest, name: string): CollectorRecord => {
  const c = manifest.collectors.find((x) => x.name === name);
  expect(c, `no ${name} collector in ${JSON.stringify(manifest.collectors.map((x) => x.name))}`).toBeDefined();
  return c!;
};

const entryPaths = (entries: Map<string, TarEntry>): string[] => [...entries.keys()].map((n) => n.split('/').slice(1).join('/'));

describe('unreachable daemon', () => {
  it('socket that does not exist: exit 3, system still collected, docker failed with cause and fix', async () => {
    const sockDir = await tempDir('cb-nosock-');
    const sock = join(sockDir, 'nope.sock');
    const out = await tempDir('cb-out-');
    const r = await runCli(['-o', out, '--json'], { env: { DOCKER_HOST: `unix://${sock}` } });
    const { entries, manifest, json } = await partialBundle(r, out);

    const paths = entryPaths(entries);
    expect(paths.filter((p) => p.startsWith('system/')).length, paths.join('\n')).toBeGreaterThan(0);
    expect(collectorNamed(manifest, 'system').status).toBe('ok');

    const docker = collectorNamed(manifest, 'docker');
    expect(docker.status).toBe('failed');
    expect(docker.reason).toContain(sock);
    expect(docker.reason).toMatch(/does not exist/);
    expect(docker.reason).toMatch(/systemctl start docker|DOCKER_HOST/); // how to fix it
    expect(manifest.docker.endpoints).toMatchObject([{ url: `unix://${sock}`, source: 'DOCKER_HOST' }]);

    // The same reason reaches --json, the terminal and ISSUE.md.
    expect(json.collectors.find((c) => c.name === 'docker')).toMatchObject({ status: 'failed', error: docker.reason });
    expect(r.stderr).toContain('does not exist');
    expect(r.stderr).toMatch(/status partial/);
    expect(fileText(entries, 'ISSUE.md')).toMatch(/Collection was \*\*partial\*\*: docker failed \(.*does not exist/);
  }, 60_000);

  it('TCP port with nothing listening: reason says connection refused', async () => {
    const port = await freePort();
    const out = await tempDir('cb-out-');
    const r = await runCli(['--only', 'docker', '-o', out, '--json'], { env: { DOCKER_HOST: `tcp://127.0.0.1:${port}` } });
    const { manifest } = await partialBundle(r, out);
    const docker = collectorNamed(manifest, 'docker');
    expect(docker.status).toBe('failed');
    expect(docker.reason).toMatch(/connection refused/i);
    expect(docker.reason).toContain(`tcp://127.0.0.1:${port}`);
    expect(docker.reason).toMatch(/DOCKER_HOST|start it/);
    expect(manifest.collectors.map((c) => c.name)).toEqual(['docker']);
  }, 60_000);
});

describe('malformed DOCKER_HOST', () => {
  it('an unsupported scheme fails the docker collector with a reason naming it and the fix', async () => {
    const out = await tempDir('cb-out-');
    const r = await runCli(['--only', 'docker', '-o', out, '--json'], { env: { DOCKER_HOST: 'ftp://example.invalid' } });
    const { manifest } = await partialBundle(r, out);
    const docker = collectorNamed(manifest, 'docker');
    expect(docker.status).toBe('failed');
    expect(docker.reason).toMatch(/unsupported Docker host "ftp:\/\/example.invalid"/);
    expect(docker.reason).toMatch(/DOCKER_HOST/);
    expect(docker.reason).toMatch(/unix:\/\/\/path\/to\/docker.sock/);
  }, 60_000);

  // Used to fail with the bare reason "Invalid URL" (src/docker-client.ts called `new URL()` unguarded).
  it('a DOCKER_HOST that is not a URL: the reason names the value and DOCKER_HOST', async () => {
    const out = await tempDir('cb-out-');
    const r = await runCli(['--only', 'docker', '-o', out, '--json'], { env: { DOCKER_HOST: 'garbage' } });
    expect([2, 3], describeRun(r)).toContain(r.code);
    const text = r.code === 3 ? collectorNamed((await partialBundle(r, out)).manifest, 'docker').reason : r.stderr;
    expect(text).toContain('"garbage"');
    expect(text).toMatch(/DOCKER_HOST/);
  }, 60_000);
});

describe('permission denied on the socket', () => {
  it('exit 3 with a reason naming permission denied and the docker group', async (ctx) => {
    const isRoot = process.getuid?.() === 0;
    let wrapper: string[] = [];
    if (isRoot) {
      // root ignores socket permissions: run the CLI as nobody.
      const w = asNobodyWrapper();
      if (!w) return ctx.skip('running as root and neither setpriv nor runuser is available to drop to nobody');
      const probe = spawnSync(w[0]!, [...w.slice(1), process.execPath, BIN, '--version'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
      if (probe.status !== 0 || probe.stdout.trim() !== PKG.version) {
        return ctx.skip(
          `user nobody cannot run the built CLI (needs read access to ${ROOT}/dist and node_modules): exit ${probe.status}: ${probe.stderr.trim().split('\n')[0] ?? ''}`,
        );
      }
      wrapper = w;
    }
    const sockDir = await tempDir('cb-sock-');
    await chmod(sockDir, 0o755); // traversable by nobody
    const sock = join(sockDir, 'docker.sock');
    await unixSocketServer(sock);
    await chmod(sock, 0o000);
    const out = await tempDir('cb-out-');
    if (isRoot) await chmod(out, 0o777); // writable by nobody

    const r = await runCli(['--only', 'docker', '-o', out, '--json'], { env: { DOCKER_HOST: `unix://${sock}` }, wrapper });
    const { manifest } = await partialBundle(r, out);
    const docker = collectorNamed(manifest, 'docker');
    expect(docker.status).toBe('failed');
    expect(docker.reason).toMatch(/permission denied/i);
    expect(docker.reason).toContain(sock);
    expect(docker.reason).toMatch(/docker group/);
    if (isRoot) {
      // It really ran as nobody.
      const tar = (await listDir(out)).find((f) => f.endsWith('.tar.gz'))!;
      expect((await stat(join(out, tar))).uid).toBe(NOBODY.uid);
    }
  }, 60_000);
});

describe('hung daemon (accepts, never answers)', () => {
  it('--timeout 2: docker is recorded timed-out within seconds, exit 3, bundle written', async () => {
    const server = await hungServer();
    const out = await tempDir('cb-out-');
    const r = await runCli(['--only', 'docker', '--timeout', '2', '-o', out, '--json'], { env: { DOCKER_HOST: server.url }, killAfterMs: 60_000 });
    expect(r.killed, describeRun(r)).toBe(false);
    expect(r.ms, describeRun(r)).toBeLessThan(20_000);
    expect(server.accepted(), 'the CLI never connected to the hung server').toBeGreaterThan(0);
    const { manifest } = await partialBundle(r, out);
    const docker = collectorNamed(manifest, 'docker');
    expect(docker.status).toBe('timed-out');
    expect(docker.reason).toMatch(/timed out after 2s/);
    expect(docker.reason).toMatch(/--timeout/);
    expect(docker.durationMs).toBeGreaterThanOrEqual(1_900);
    expect(docker.durationMs).toBeLessThan(10_000);
    expect(r.stderr).toMatch(/TIMED OUT docker/);
  }, 60_000);

  it('--deadline 2 cuts the run off and still writes the bundle', async () => {
    const server = await hungServer();
    const out = await tempDir('cb-out-');
    const r = await runCli(['--only', 'docker', '--timeout', '60', '--deadline', '2', '-o', out, '--json'], {
      env: { DOCKER_HOST: server.url },
      killAfterMs: 60_000,
    });
    expect(r.ms, describeRun(r)).toBeLessThan(20_000);
    const { manifest } = await partialBundle(r, out);
    const docker = collectorNamed(manifest, 'docker');
    expect(docker.status).toBe('timed-out');
    expect(docker.reason).toMatch(/--deadline/);
    expect(manifest.options.deadlineSec).toBe(2);
  }, 60_000);
});
