/**
 * Several engines in one run: the shared test engine over its unix socket, a second private engine
 * over tcp://127.0.0.1:PORT (started here, stopped at the end) and a tcp port with nothing behind it.
 * Each engine gets its own folder and status; one that cannot be reached does not stop the others.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectBundle, type CollectResult } from '../../src/run/collect.js';
import { fileJson, fileText, readBundle, type TarEntry } from '../helpers/bundle.js';
import { DOCKER_HOST, TEST_IMAGE, docker, dockerUnavailable, removeContainers, uniq } from '../helpers/docker.js';
import type { ContainerRow, EngineOutcome } from '../../src/bundle/layout.js';

const skip = Boolean(dockerUnavailable) && !process.env['CI'];
const script = fileURLToPath(new URL('../../scripts/test-env.sh', import.meta.url));
/** Our own instance name, so no other test file stops it under our feet. */
const SECOND = 'cbdocker2';
const prefix = uniq('cbe');

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const testEnv = (...args: string[]) => execa('bash', [script, ...args], { stdin: 'ignore', reject: false, timeout: 300_000 });
/** The docker CLI against the second engine (a non-zero exit of `docker run` is the container's). */
const onSecond = (url: string, ...args: string[]) => execa('docker', ['-H', url, ...args], { env: { DOCKER_HOST: '' }, stdin: 'ignore', reject: false });

let out: string;
let secondUrl: string;
let deadUrl: string;
let started = false;

function collect(hosts: string[]): Promise<CollectResult> {
  return collectBundle({
    outputDir: out,
    only: ['docker'],
    env: { ...process.env, DOCKER_HOST },
    dockerHosts: hosts,
    collectorOptions: { docker: { containers: [`${prefix}-*`] } },
  });
}

const paths = (entries: Map<string, TarEntry>): string[] => [...entries.keys()].map((k) => k.split('/').slice(1).join('/'));

describe.skipIf(skip)('several Docker engines in one run', () => {
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'cb-engines-'));
    const port = await freePort();
    const up = await testEnv('up', SECOND, '--tcp', String(port));
    if (up.exitCode !== 0) throw new Error(`could not start the second engine: ${up.stderr}`);
    started = true;
    secondUrl = `tcp://127.0.0.1:${port}`;
    deadUrl = `tcp://127.0.0.1:${await freePort()}`;
    await docker('run', '--network', 'none', '--name', `${prefix}-on-primary`, TEST_IMAGE, 'echo', 'from the primary');
    await onSecond(secondUrl, 'run', '--network', 'none', '--name', `${prefix}-on-second`, TEST_IMAGE, 'sh', '-c', 'echo from the second; exit 4');
  }, 300_000);

  afterAll(async () => {
    await removeContainers(prefix);
    if (started) await testEnv('down', SECOND);
    if (out) await rm(out, { recursive: true, force: true });
  }, 120_000);

  it('collects each reachable engine into its own folder and records the unreachable one', async () => {
    const r = await collect([DOCKER_HOST, secondUrl, deadUrl]);
    const entries = await readBundle(r.bundle);
    const docker = r.manifest.collectors.find((c) => c.name === 'docker')!;
    const secondLabel = secondUrl.slice('tcp://'.length).replace(':', '-');
    const deadLabel = deadUrl.slice('tcp://'.length).replace(':', '-');

    // One engine down is that engine's problem, not the collector's.
    expect(docker.status).toBe('ok');
    expect(r.manifest.docker.endpoints.map((e) => [e.label, e.url, e.source])).toEqual([
      ['local', DOCKER_HOST, '--docker-host'],
      [secondLabel, secondUrl, '--docker-host'],
      [deadLabel, deadUrl, '--docker-host'],
    ]);
    const engines = fileJson(entries, 'docker/engines.json').engines;
    expect(engines.map((e: EngineOutcome) => [e.label, e.status])).toEqual([
      ['local', 'ok'],
      [secondLabel, 'ok'],
      [deadLabel, 'failed'],
    ]);
    expect(engines[2].reason).toMatch(/connection refused/);
    expect(docker.problems).toContainEqual({ item: `engine ${deadLabel}`, reason: expect.stringMatching(/^not collected: .*connection refused/) });

    // The two live engines really are two engines, each with its own containers.
    expect(fileJson(entries, `docker/local/info.json`).ID).not.toBe(fileJson(entries, `docker/${secondLabel}/info.json`).ID);
    expect(fileJson<ContainerRow[]>(entries, 'docker/local/containers.json').map((c) => c.name)).toEqual([`${prefix}-on-primary`]);
    const onSecondRows = fileJson<ContainerRow[]>(entries, `docker/${secondLabel}/containers.json`);
    expect(onSecondRows).toEqual([expect.objectContaining({ name: `${prefix}-on-second`, exitCode: 4 })]);
    expect(fileText(entries, `docker/${secondLabel}/containers/${prefix}-on-second/logs.txt`)).toMatch(/Z stdout from the second\n$/);
    expect(fileJson(entries, `docker/${secondLabel}/endpoint.json`)).toMatchObject({ transport: 'tcp', url: secondUrl });

    // The dead engine has only its endpoint.
    expect(paths(entries).filter((p) => p.startsWith(`docker/${deadLabel}/`))).toEqual([`docker/${deadLabel}/endpoint.json`]);
    expect(r.manifest.environment[`docker.engine.${secondLabel}`]).toMatch(/^20\.10/);
  }, 120_000);

  it('goes on when an engine that answered before is stopped', async () => {
    const down = await testEnv('down', SECOND);
    expect(down.exitCode, down.stderr).toBe(0);
    started = false;
    const r = await collect([DOCKER_HOST, secondUrl]);
    const engines = fileJson(await readBundle(r.bundle), 'docker/engines.json').engines;
    expect(engines.map((e: EngineOutcome) => e.status)).toEqual(['ok', 'failed']);
    expect(r.manifest.collectors[0]!.status).toBe('ok');
  }, 120_000);

  it('fails the collector only when every engine failed, naming each', async () => {
    const r = await collect([secondUrl, deadUrl]);
    const docker = r.manifest.collectors[0]!;
    expect(docker.status).toBe('failed');
    expect(docker.reason).toMatch(/^all 2 Docker engines failed: 127\.0\.0\.1-\d+: .*connection refused.*; 127\.0\.0\.1-\d+: .*connection refused/);
    expect(r.status).toBe('partial');
    const entries = await readBundle(r.bundle);
    expect(fileJson(entries, 'docker/engines.json').engines.map((e: EngineOutcome) => e.status)).toEqual(['failed', 'failed']);
    // The bundle is still written, with what could be said about each engine.
    expect(paths(entries).filter((p) => p.endsWith('endpoint.json'))).toHaveLength(2);
    execFileSync('gzip', ['-t', r.bundle]);
  }, 60_000);
});

describe.skipIf(skip)('an engine that answers but refuses to list its containers', () => {
  let proxy: http.Server | undefined;
  let dir: string;
  afterAll(async () => {
    await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve(undefined)));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps its engine-wide files (df, images, networks, volumes) and says why it stopped', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cb-engine-500-'));
    // The real engine behind a proxy that answers GET /containers/json with 500.
    const socketPath = new URL(DOCKER_HOST).pathname;
    proxy = http.createServer((req, res) => {
      if (/\/containers\/json/.test(req.url ?? '')) {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"listing broke"}');
        return;
      }
      const up = http.request({ socketPath, path: req.url, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
    await new Promise<void>((resolve) => proxy!.listen(0, '127.0.0.1', resolve));
    const url = `tcp://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
    const r = await collectBundle({ outputDir: dir, only: ['docker'], env: { ...process.env, DOCKER_HOST: url }, dockerHosts: [url] });
    const entries = await readBundle(r.bundle);
    const label = paths(entries)
      .find((p) => p.endsWith('/endpoint.json'))!
      .split('/')[1]!;
    for (const f of ['df.json', 'images.json', 'networks.json', 'volumes.json', 'info.json']) expect(paths(entries)).toContain(`docker/${label}/${f}`);
    const [engine] = fileJson(entries, 'docker/engines.json').engines as EngineOutcome[];
    expect(engine).toMatchObject({ status: 'partial', reason: 'the engine did not list its containers' });
    expect(r.manifest.collectors[0]!.problems.some((p) => /containers\.json/.test(p.item) && /listing broke|500/.test(p.reason))).toBe(true);
  }, 120_000);
});
