/**
 * `--executor-hosts` with two real engines: the test engine (given with --docker-host) and a second
 * dockerd of scripts/test-env.sh, named only by an ExecutorHost row of the fixture's database. Rows for
 * an engine that refuses connections (with a password in its connection string), an inactive host and a
 * Cloud Run host must give: the second engine collected like a --docker-host one, the refusing one
 * reported by the host's name with its connection string masked, the others left alone.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executorHostEndpoints } from '../../collectors/executor-hosts.js';
import { collectBundle, type CollectResult } from '../../src/run/collect.js';
import { fileJson, readBundle, type TarEntry } from '../helpers/bundle.js';
import { copyFixture, leakedSecrets, runEnv, setupDatabase, SYSTEM_PYTHON, systemDjango } from '../helpers/django.js';
import { DOCKER_HOST, TEST_IMAGE, dockerUnavailable, uniq } from '../helpers/docker.js';

const SCRIPT = fileURLToPath(new URL('../../scripts/test-env.sh', import.meta.url));
const INSTANCE = 'cb-executor-2';
const PASSWORD = 'fx-exec-pass-5d1c9e';

describe('executorHostEndpoints', () => {
  it('takes active docker hosts (a row without type or active flag counts as both), with their TLS flags and passwords', () => {
    const r = executorHostEndpoints([
      { id: '1', name: 'a', connection: 'tcp://ops:s3cr%40t@10.0.0.5:2376', type: 'docker', active: true, tlsEnabled: 1, tlsVerify: 0 },
      { id: '2', name: 'b', connection: 'unix:///run/b.sock', type: null, active: null, tlsEnabled: null, tlsVerify: null },
      { id: '3', name: 'c', connection: 'unix:///run/c.sock', type: 'docker', active: false, tlsEnabled: false, tlsVerify: false },
      { id: '4', name: 'd', connection: 'projects/p/locations/r', type: 'cloudrun', active: true, tlsEnabled: false, tlsVerify: false },
      { id: '5', name: 'e', connection: '  ', type: 'docker', active: true, tlsEnabled: false, tlsVerify: false },
    ]);
    expect(r.endpoints).toEqual([
      { url: 'tcp://ops:s3cr%40t@10.0.0.5:2376', source: 'executor host "a"', tls: { enabled: true, verify: false } },
      { url: 'unix:///run/b.sock', source: 'executor host "b"', tls: { enabled: false, verify: false } },
    ]);
    expect(r.secrets).toEqual(['s3cr%40t', 's3cr@t']);
  });
});

describe.skipIf((!systemDjango || dockerUnavailable) && !process.env['CI'])('--executor-hosts with a second real engine', () => {
  let tmp: string;
  let second: string;
  let result: CollectResult;
  let entries: Map<string, TarEntry>;
  const container = uniq('cb-exec-job');
  const onSecond = (...args: string[]) => execa('docker', args, { env: { DOCKER_HOST: second }, stdin: 'ignore' });

  beforeAll(async () => {
    const up = await execa('bash', [SCRIPT, 'up', INSTANCE], { stdin: 'ignore' });
    second = /^export DOCKER_HOST=(.*)$/m.exec(up.stdout)![1]!.replace(/^'(.*)'$/, '$1');
    await onSecond('run', '--network', 'none', '--name', container, TEST_IMAGE, 'sh', '-c', 'echo "remote job failed" >&2; exit 2').catch(() => undefined);
    tmp = await mkdtemp(join(tmpdir(), 'cb-exec-hosts-'));
    const project = await copyFixture(join(tmp, 'project'));
    await setupDatabase(project);
    // The test's own rows (collect-bundle only reads).
    const script = `
import sqlite3, sys
db = sqlite3.connect('db.sqlite3')
db.execute("UPDATE container_manager_executorhost SET connection_string = ? WHERE name = 'docker-local'", (sys.argv[1],))
rows = [(5, 'docker-second', sys.argv[2], 1), (6, 'docker-refused', 'tcp://deployer:%s@127.0.0.1:1' % sys.argv[3], 1), (7, 'docker-retired', 'unix:///tmp/cb-retired.sock', 0)]
db.executemany("INSERT INTO container_manager_executorhost (id, name, executor_type, host_url, connection_string, auth_token, is_active, max_concurrent_jobs, created_at, tls_enabled, tls_verify) VALUES (?, ?, 'docker', '', ?, '', ?, 5, '2026-11-01 00:00:00', 0, 0)", rows)
db.commit()
`;
    execFileSync(SYSTEM_PYTHON, ['-c', script, DOCKER_HOST, second, PASSWORD], { cwd: project });
    result = await collectBundle({
      outputDir: join(tmp, 'out'),
      only: ['django', 'docker'],
      dockerHosts: [DOCKER_HOST],
      collectorOptions: { django: { djangoDir: project, python: SYSTEM_PYTHON }, docker: { executorHosts: true, containers: [`${container}*`] } },
      env: runEnv({ DOCKER_HOST }),
    });
    entries = await readBundle(result.bundle);
  }, 240_000);
  afterAll(async () => {
    if (second) await onSecond('rm', '-f', container).catch(() => undefined);
    await execa('bash', [SCRIPT, 'down', INSTANCE], { stdin: 'ignore', reject: false });
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('adds the active docker executor hosts to the engines, once each; the inactive and the Cloud Run host are left out', () => {
    expect(result.manifest.docker.endpoints.map((e) => e.source)).toEqual(['--docker-host', 'executor host "docker-second"', 'executor host "docker-refused"']);
    const engines = fileJson(entries, 'docker/engines.json').engines as { source: string; status: string; label: string }[];
    expect(engines.map((e) => [e.source, e.status])).toEqual([
      ['--docker-host', 'ok'],
      ['executor host "docker-second"', 'ok'],
      ['executor host "docker-refused"', 'failed'],
    ]);
  });

  it("collects the second engine like a --docker-host one: its container's inspect and log", () => {
    const label = result.manifest.docker.endpoints[1]!.label;
    expect(fileJson(entries, `docker/${label}/containers/${container}/inspect.json`).State.ExitCode).toBe(2);
    expect(entries.get(`${result.manifest.bundle}/docker/${label}/containers/${container}/logs.txt`)?.data.toString()).toContain('remote job failed');
  });

  it('reports the refusing host by its name, with its connection string masked and the cause', () => {
    const f = result.findings!.findings.filter((x) => x.id === 'executor-host-unreachable' && x.subject === 'docker-refused');
    expect(f).toHaveLength(1);
    expect(f[0]!.title).toMatch(
      /^Executor host docker-refused \(docker\) its Docker engine tcp:\/\/deployer:\*{8}@127\.0\.0\.1:1 could not be reached: .*(refused|ECONNREFUSED)/i,
    );
    expect(result.findings!.findings.some((x) => x.subject === 'docker-second' || x.subject === 'docker-local')).toBe(false);
    // One failure, one finding: the engine's own docker-unreachable is folded in (its cause and remedy kept).
    const label = result.manifest.docker.endpoints[2]!.label;
    expect(result.findings!.findings.filter((x) => x.subject === label)).toEqual([]);
    expect(f[0]).toMatchObject({ severity: 'error' });
    expect(f[0]!.summary).toContain(`Docker engine ${label}`);
  });

  it('lets the password in the connection string reach no file of the bundle', () => {
    expect(leakedSecrets(entries, [PASSWORD])).toEqual([]);
  });
});
