/** The docker collector against the real test engine, with containers in several real states. */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerRow } from '../../collectors/docker.js';
import { collectBundle, type CollectResult } from '../../src/collect.js';
import { fileJson, fileText, readBundle, type TarEntry } from '../helpers/bundle.js';
import { DOCKER_HOST, TEST_IMAGE, docker, dockerUnavailable, removeContainers, uniq, waitFor } from '../helpers/docker.js';

const skip = Boolean(dockerUnavailable) && !process.env['CI'];
const prefix = uniq('cbd');
const SECRET_ENV = 'pA55-w0rd-QW8812';
const SECRET_LABEL = 'tok-ZZ81xQ0pL';
let out: string;
let result: CollectResult;
let entries: Map<string, TarEntry>;
let rows: ContainerRow[];
const row = (suffix: string) => rows.find((r) => r.name === `${prefix}-${suffix}`)!;

describe.skipIf(skip)('docker collector (real engine)', () => {
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'cb-docker-'));
    const run = (name: string, ...args: string[]) => docker('run', '-d', '--network', 'none', '--name', `${prefix}-${name}`, ...args);
    await run('exit2', TEST_IMAGE, 'sh', '-c', 'echo to-stdout; echo to-stderr >&2; exit 2');
    await run('ok', TEST_IMAGE, 'true');
    await run('running', TEST_IMAGE, 'sh', '-c', 'while true; do echo tick; sleep 1; done');
    await run('oom', '--memory', '16m', '--memory-swap', '16m', TEST_IMAGE, 'sh', '-c', 'x=a; while true; do x=$x$x; done');
    await run('secret', '-e', `DB_PASSWORD=${SECRET_ENV}`, '--label', `api_token=${SECRET_LABEL}`, TEST_IMAGE, 'true');
    await docker('create', '--network', 'none', '--name', `${prefix}-created`, TEST_IMAGE, 'true');
    await waitFor(`${prefix}-exit2`, (s) => s.Status === 'exited');
    await waitFor(`${prefix}-ok`, (s) => s.Status === 'exited');
    await waitFor(`${prefix}-oom`, (s) => s.Status === 'exited');
    await waitFor(`${prefix}-secret`, (s) => s.Status === 'exited');
    result = await collectBundle({ outputDir: out, only: ['docker'], env: { ...process.env, DOCKER_HOST } });
    entries = await readBundle(result.bundle);
    rows = fileJson<ContainerRow[]>(entries, 'docker/containers.json');
  }, 120_000);

  afterAll(async () => {
    await removeContainers(prefix);
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('completes and records which engine it used', () => {
    expect(result.status).toBe('complete');
    expect(fileJson(entries, 'docker/endpoint.json')).toMatchObject({ url: DOCKER_HOST, source: 'DOCKER_HOST' });
    expect(result.manifest.docker.endpoints).toMatchObject([{ url: DOCKER_HOST, source: 'DOCKER_HOST' }]);
  });

  it('stores the engine version and info as the engine reports them', async () => {
    const serverVersion = await docker('version', '--format', '{{.Server.Version}}');
    expect(fileJson(entries, 'docker/version.json').Version).toBe(serverVersion);
    expect(result.manifest.environment['docker.server']).toBe(serverVersion);
    const info = fileJson(entries, 'docker/info.json');
    expect(info.ID).toBe(await docker('info', '--format', '{{.ID}}'));
    expect(info.Containers).toBeGreaterThanOrEqual(6);
  });

  it('lists every container with its real end state', () => {
    expect(row('exit2')).toMatchObject({ state: 'exited', exitCode: 2, oomKilled: false });
    expect(row('ok')).toMatchObject({ state: 'exited', exitCode: 0 });
    expect(row('running')).toMatchObject({ state: 'running', finishedAt: null });
    expect(row('running').startedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(row('created')).toMatchObject({ state: 'created', startedAt: null, finishedAt: null });
    expect(row('oom')).toMatchObject({ state: 'exited', oomKilled: true, exitCode: 137, memoryLimitBytes: 16 * 1024 * 1024 });
    expect(row('exit2').finishedAt).toMatch(/^\d{4}-\d\d-\d\dT/); // Docker's own stamps; a fast exit may even finish "before" it started
    expect(row('exit2').image).toBe(TEST_IMAGE);
  });

  it('matches what `docker ps -a` shows', async () => {
    const ps = (await docker('ps', '-a', '--filter', `name=^/${prefix}`, '--format', '{{.ID}} {{.Names}}')).split('\n').sort();
    const mine = rows.filter((r) => r.name.startsWith(prefix)).map((r) => `${r.id.slice(0, 12)} ${r.name}`).sort();
    expect(mine).toEqual(ps);
    const table = fileText(entries, 'docker/ps.txt');
    for (const r of rows) expect(table).toContain(r.name);
  });

  it('keeps secrets from env and labels out of the bundle', () => {
    const raw = execFileSync('sh', ['-c', `gzip -dc '${result.bundle}'`]).toString('latin1');
    expect(raw).not.toContain(SECRET_ENV);
    expect(raw).not.toContain(SECRET_LABEL);
  });
});
