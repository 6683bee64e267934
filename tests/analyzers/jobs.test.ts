/**
 * The container_manager analyzers on a bundle of the fixture project, collected by the real django and
 * docker collectors: the test adds to its own copy's database (with sqlite3) a job queued two days ago
 * on an executor host whose Docker engine does not exist, and a host pointing at the real test engine.
 * The seeded data already has a job pending for 3 h and an inactive Cloud Run host.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executorHostsAnalyzer, jobsPendingAnalyzer, normalizeEngineUrl } from '../../analyzers/jobs.js';
import { MemoryView } from '../../src/bundle/memory-view.js';
import { openBundleView } from '../../src/bundle/view.js';
import { collectBundle } from '../../src/run/collect.js';
import type { BundleView, Finding, Manifest } from '../../src/core/types.js';
import { DOCKER_HOST, dockerUnavailable, uniq } from '../helpers/docker.js';
import { SYSTEM_PYTHON, copyFixture, runEnv, setupDatabase, systemDjango } from '../helpers/django.js';

/** Every evidence line holds its excerpt. */
async function expectRealEvidence(view: BundleView, f: Finding): Promise<void> {
  expect(f.evidence.length).toBeGreaterThan(0);
  for (const e of f.evidence) {
    const line = (await view.text(e.file))?.split('\n')[e.line! - 1];
    expect(line, `${f.id}: ${e.file}:${e.line}`).toContain(e.excerpt.replace(/…$/, ''));
  }
}

describe.skipIf((!systemDjango || dockerUnavailable) && !process.env['CI'])('jobs and executor hosts on a real bundle', () => {
  let tmp: string;
  let view: BundleView;
  let finishedAt: Date;
  const goneSocket = `/tmp/${uniq('cb-jobs-gone')}/docker.sock`;

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'cb-analyzers-jobs-'));
    const project = await copyFixture(join(tmp, 'project'));
    await setupDatabase(project);
    // The test's own fixture rows (the tool never writes): two more hosts and a job queued 2 days ago.
    execFileSync('sqlite3', [
      join(project, 'db.sqlite3'),
      [
        'INSERT INTO container_manager_executorhost (id, name, executor_type, host_url, auth_token, is_active, max_concurrent_jobs, created_at)',
        `  VALUES (3, 'docker-gone', 'docker', 'unix://${goneSocket}', '', 1, 5, strftime('%Y-%m-%d %H:%M:%f', 'now', '-10 days')),`,
        `         (4, 'docker-test-engine', 'docker', '${DOCKER_HOST}/', '', 1, 5, strftime('%Y-%m-%d %H:%M:%f', 'now', '-10 days'));`,
        'INSERT INTO container_manager_containerjob (id, name, status, docker_host_id, docker_image, command, override_environment, exit_code, error_message, created_at)',
        `  VALUES ('000000000000000000000000000000aa', 'job-queued-old', 'queued', 3, 'busybox:latest', '', '', NULL, '', strftime('%Y-%m-%d %H:%M:%f', 'now', '-2 days'));`,
      ].join('\n'),
    ]);
    const result = await collectBundle({
      outputDir: join(tmp, 'out'),
      only: ['django', 'docker'],
      dockerHosts: [`unix://${goneSocket}`, DOCKER_HOST],
      collectorOptions: { django: { djangoDir: project, python: SYSTEM_PYTHON }, docker: { containers: [`${uniq('cb-jobs-none')}-*`] } },
      env: runEnv({ DOCKER_HOST }),
    });
    view = (await openBundleView(result.bundle)).view;
    finishedAt = new Date(result.manifest.finishedAt);
  }, 180_000);
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  it('reports the job queued for 2 days, on an executor host whose engine is down', async () => {
    const [f, ...rest] = await jobsPendingAnalyzer.analyze(view, {});
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ id: 'jobs-stuck-pending', severity: 'warning', subject: 'ContainerJob job-queued-old' });
    expect(f!.title).toMatch(/^3 jobs waiting; the oldest, job-queued-old, has been queued for 2 d( \d+ h)?$/);
    expect(f!.summary).toContain('(2 pending, 1 queued)');
    expect(f!.summary).toContain('assigned to executor host docker-gone');
    expect(f!.evidence.map((e) => e.excerpt)).toEqual(expect.arrayContaining(['"name": "job-queued-old"', '"pending": 2', '"queued": 1']));
    await expectRealEvidence(view, f!);
  });

  it('measures the wait from `now` (default: when the bundle was finished) against the threshold', async () => {
    expect(await jobsPendingAnalyzer.analyze(view, { now: finishedAt })).toEqual(await jobsPendingAnalyzer.analyze(view, {}));
    expect(await jobsPendingAnalyzer.analyze(view, { pendingThresholdMs: 3 * 24 * 3600_000 })).toEqual([]);
    const later = await jobsPendingAnalyzer.analyze(view, { pendingThresholdMs: 3 * 24 * 3600_000, now: new Date(finishedAt.getTime() + 2 * 24 * 3600_000) });
    expect(later[0]!.title).toContain('has been queued for 4 d');
  });

  it('reports the inactive host and the host whose engine could not be reached, not the healthy ones', async () => {
    const fs = await executorHostsAnalyzer.analyze(view, {});
    expect(fs.map((f) => [f.id, f.severity, f.subject])).toEqual([
      ['executor-host-unreachable', 'warning', 'cloudrun-eu'],
      ['executor-host-unreachable', 'warning', 'docker-gone'],
    ]);
    const [inactive, gone] = fs as [Finding, Finding];
    expect(inactive.title).toBe('Executor host cloudrun-eu (cloudrun) is inactive (is_active = false)');
    expect(inactive.evidence.map((e) => e.excerpt)).toEqual(['"name": "cloudrun-eu"', '"is_active": false']);
    expect(gone.title).toMatch(/^Executor host docker-gone \(docker\) its Docker engine .* could not be reached: /);
    expect(gone.summary).toContain('1 job assigned to it is waiting');
    expect(gone.evidence.map((e) => e.file)).toEqual(['django/container-manager.json', 'docker/engines.json', 'docker/engines.json']);
    expect(gone.evidence[2]!.excerpt).toBe(`"url": "unix://${goneSocket}"`);
    for (const f of fs) await expectRealEvidence(view, f);
  });
});

describe('on hand-made bundles', () => {
  const manifest = { finishedAt: '2026-03-01T12:00:00.000Z', environment: {} } as unknown as Manifest;
  const cm = (jobs: unknown, executorHosts: unknown = { hosts: [] }): MemoryView =>
    new MemoryView(manifest, [['django/container-manager.json', JSON.stringify({ installed: true, jobModel: 'ContainerJob', jobs, executorHosts }, null, 2)]]);

  it('give nothing when the database was unreachable, the app is missing, or no job is pending', async () => {
    const down = { error: "LookupError: database 'default' is not reachable", traceback: '...' };
    for (const v of [cm(down, down), cm({ countsByStatus: {}, oldestPending: null }), new MemoryView(manifest, [['django/container-manager.json', '{"installed": false}']]), new MemoryView(manifest, [])]) {
      expect(await jobsPendingAnalyzer.analyze(v, {})).toEqual([]);
      expect(await executorHostsAnalyzer.analyze(v, {})).toEqual([]);
    }
  });

  it('use the probe age for a naive timestamp, moved to `now`', async () => {
    const v = cm({ countsByStatus: { pending: 1 }, oldestPending: { id: 7, name: 'j', status: 'pending', created_at: '2026-03-01T11:50:00', ageSeconds: 600, ageFrom: 'created_at' } });
    expect(await jobsPendingAnalyzer.analyze(v, {})).toEqual([]); // 10 min < 15 min
    const [f] = await jobsPendingAnalyzer.analyze(v, { now: new Date('2026-03-01T12:30:00Z') });
    expect(f!.title).toBe('1 job waiting; the oldest, j, has been pending for 40 min');
  });

  it('point evidence at the host without a name by its id, never at another host\'s "name" line (review of #6)', async () => {
    const hosts = {
      activeField: 'is_active',
      hosts: [
        { id: 1, name: 'healthy-host', is_active: true },
        { id: 2, is_active: false },
      ],
    };
    const v = cm({ countsByStatus: { pending: 1 }, countsByExecutorHost: { '2': { pending: 1 } }, oldestPending: { id: 9, status: 'pending', docker_host_id: 2, created_at: '2026-02-28T12:00:00Z', ageFrom: 'created_at' } }, hosts);
    const text = (await v.text('django/container-manager.json'))!.split('\n');
    const lineOf = (needle: string, from = 0): number => text.findIndex((l, i) => i >= from && l.trim().replace(/,$/, '') === needle) + 1;
    const host2 = lineOf('"id": 2', lineOf('"hosts": ['));
    const [h, ...rest] = await executorHostsAnalyzer.analyze(v, {});
    expect(rest).toEqual([]);
    expect(h).toMatchObject({ id: 'executor-host-unreachable', subject: '#2' });
    expect(h!.evidence).toEqual([
      { file: 'django/container-manager.json', line: host2, excerpt: '"id": 2' },
      { file: 'django/container-manager.json', line: lineOf('"is_active": false'), excerpt: '"is_active": false' },
    ]);
    // The stuck job names no "name": its evidence is its own id line, and host 2's is_active line.
    const [j] = await jobsPendingAnalyzer.analyze(v, {});
    expect(j!.summary).toContain('assigned to executor host #2, which is inactive');
    const jobId = lineOf('"id": 9');
    expect(j!.evidence).toEqual(
      expect.arrayContaining([
        { file: 'django/container-manager.json', line: jobId, excerpt: '"id": 9' },
        { file: 'django/container-manager.json', line: lineOf('"is_active": false'), excerpt: '"is_active": false' },
      ]),
    );
    expect(j!.evidence.map((e) => e.excerpt)).not.toContain('"name": "healthy-host"');
    expect(j!.evidence.map((e) => e.excerpt)).not.toContain('"is_active": true');
  });

  it('compare engine URLs without credentials, case or trailing slash', () => {
    expect(normalizeEngineUrl('TCP://user:pw@Docker.Example:2376/')).toBe('tcp://docker.example:2376');
    expect(normalizeEngineUrl('https://docker.example:2376')).toBe('tcp://docker.example:2376');
    expect(normalizeEngineUrl('unix:///var/run/docker.sock')).toBe('unix:///var/run/docker.sock');
  });
});
