/**
 * Failed container_manager jobs as findings, on bundles of the fixture project collected by the real
 * django and docker collectors. The fixture's seed has two failed jobs whose containers are gone (exit 1
 * with a traceback, exit 137 at the memory limit with its retries used up); the test adds to its own
 * copy's database four jobs of one image failing alike, a timed-out job, a job running hours past its
 * timeout, a job whose long traceback must be cut, a failure older than --since, and a failed job whose
 * labelled container is still on the real engine (its container finding must fold into the job's).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAnalyzers } from '../../analyzers/run.js';
import { openBundleView } from '../../src/bundle/view.js';
import { collectBundle } from '../../src/run/collect.js';
import type { BundleView, Finding } from '../../src/core/types.js';
import { DOCKER_HOST, TEST_IMAGE, containerId, docker, dockerUnavailable, removeContainers, uniq, waitFor } from '../helpers/docker.js';
import { SYSTEM_PYTHON, copyFixture, runEnv, setupDatabase, systemDjango } from '../helpers/django.js';

const MERGE_ID = '7a1b2c3d-0000-4000-8000-00000000beef';

/** The test's own rows (collect-bundle only reads): python's sqlite3, values as parameters. */
const SEED = `
import sqlite3, sys, datetime
db = sqlite3.connect('db.sqlite3')
now = datetime.datetime.utcnow()
def ago(**kw):
    return (now - datetime.timedelta(**kw)).strftime('%Y-%m-%d %H:%M:%S.%f')
def tb(frames, last):
    lines = ['Traceback (most recent call last):']
    for i in range(frames):
        lines += ['  File "/app/step%d.py", line %d, in step%d' % (i, 10 + i, i), '    step%d()' % (i + 1)]
    return '\\n'.join(['starting'] + lines + [last]) + '\\n'
cols = ('id, name, status, docker_image, command, override_environment, error_message, exit_code, created_at, started_at, completed_at,'
        ' stderr_log, last_error, retry_count, max_retries, timeout_seconds, execution_id')
rows = []
for n in range(1, 5):
    rows.append(('%032x' % (0x100 + n), 'sync-%d' % n, 'failed', 'acme/sync:2', '', '', '', 1, ago(minutes=20 * n + 5), ago(minutes=20 * n + 4), ago(minutes=20 * n),
                 tb(2, 'ConnectionError: could not reach api.internal:443 (attempt %d)' % n), None, 3, 3, 600, None))
rows.append(('%032x' % 0x200, 'nightly-report', 'timeout', 'acme/report:1', '', '', '', 143, ago(hours=3), ago(hours=3), ago(hours=2, minutes=50),
             'rendering page 1\\nrendering page 2\\n', 'Job timed out after 600 seconds', 0, 0, 600, None))
rows.append(('%032x' % 0x300, 'stuck-export', 'running', 'acme/export:1', '', '', '', None, ago(hours=5), ago(hours=5), None, None, None, 0, 3, 3600, None))
rows.append(('%032x' % 0x400, 'deep-recursion', 'failed', 'acme/deep:1', '', '', '', 1, ago(hours=4), ago(hours=4), ago(hours=4), tb(20, 'RecursionError: maximum recursion depth exceeded'),
             None, 0, 0, 600, None))
rows.append(('%032x' % 0x500, 'old-failure', 'failed', 'acme/old:1', '', '', '', 1, ago(days=3), ago(days=3), ago(days=3), tb(1, 'ValueError: too old to matter'),
             None, 0, 0, 600, None))
rows.append((sys.argv[1].replace('-', ''), 'merge-job', 'failed', sys.argv[3], '', '', '', 3, ago(minutes=3), ago(minutes=3), ago(minutes=1), 'boom: exit 3\\n',
             'exit code 3', 0, 0, 600, sys.argv[2]))
db.executemany('INSERT INTO container_manager_containerjob (%s) VALUES (%s)' % (cols, ', '.join('?' * 17)), rows)
db.commit()
`;

describe.skipIf((!systemDjango || dockerUnavailable) && !process.env['CI'])('failed jobs on a real bundle', () => {
  let tmp: string;
  let prefix: string;
  let mergeContainer: string;
  let view: BundleView;
  let findings: readonly Finding[];
  const byTitle = (text: string): Finding[] => findings.filter((f) => f.title.includes(text));

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'cb-jobs-failed-'));
    const project = await copyFixture(join(tmp, 'project'));
    await setupDatabase(project);
    prefix = uniq('cb-jobfail');
    mergeContainer = `${prefix}-merge`;
    // django-container-manager's labels on a job's container; this one fails and stays (no cleanup).
    await docker(
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      mergeContainer,
      '--label',
      `django.container_manager.job_id=${MERGE_ID}`,
      '--label',
      'django.container_manager.job_name=merge-job',
      TEST_IMAGE,
      'sh',
      '-c',
      'echo "boom: exit 3" >&2; exit 3',
    );
    await waitFor(mergeContainer, (s) => s.Status === 'exited');
    execFileSync(SYSTEM_PYTHON, ['-c', SEED, MERGE_ID, await containerId(mergeContainer), TEST_IMAGE], { cwd: project });
    const result = await collectBundle({
      outputDir: join(tmp, 'out'),
      only: ['django', 'docker'],
      dockerHosts: [DOCKER_HOST],
      collectorOptions: { django: { djangoDir: project, python: SYSTEM_PYTHON }, docker: { containers: [`${prefix}-*`] } },
      env: runEnv({ DOCKER_HOST }),
    });
    view = (await openBundleView(result.bundle)).view;
    findings = (await runAnalyzers(view)).findings;
  }, 240_000);
  afterAll(async () => {
    await removeContainers(prefix);
    await rm(tmp, { recursive: true, force: true });
  });

  it('reports the exit-1 job whose container is gone, named by the job, with its whole traceback', async () => {
    const [f, ...rest] = byTitle('job-6-failed');
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ id: 'job-failed', severity: 'error', subject: 'job:00000000-0000-0000-0000-000000000006' });
    expect(f!.title).toBe(
      'Job job-6-failed (id 00000000-0000-0000-0000-000000000006) failed with exit code 1: ConnectionError: could not reach postgres://app:********@db/app',
    );
    expect(f!.summary).toContain('exit code 1: the program failed (for Python: an uncaught exception)');
    expect(f!.summary).toContain('retried 1 of 3 times so far');
    const tb = f!.evidence[0]!;
    expect(tb.excerpt.split('\n')).toEqual([
      'Traceback (most recent call last):',
      '  File "/app/worker.py", line 42, in <module>',
      '    main()',
      '  File "/app/worker.py", line 30, in main',
      '    conn = connect(settings.DATABASE_URL)',
      '  File "/app/db.py", line 12, in connect',
      '    raise ConnectionError("could not reach " + url)',
      'ConnectionError: could not reach postgres://app:********@db/app',
    ]);
    // The evidence line is the job's stderr_log in container-manager.json.
    const line = (await view.text(tb.file))!.split('\n')[tb.line! - 1]!;
    expect(tb.file).toBe('django/container-manager.json');
    expect(line.trim()).toMatch(/^"stderr_log": "starting sync of 120 accounts\\nTraceback/);
    expect(f!.evidence.map((e) => e.excerpt)).toEqual(expect.arrayContaining(['"exit_code": 1', '"status": "failed"', '"retry_count": 1']));
  });

  it('reports the exit-137 job as OOM-killed from its limit and peak, with its last log lines and retries exhausted', () => {
    const [f] = byTitle('job-5-failed');
    expect(f).toMatchObject({ id: 'job-oom-killed', severity: 'error' });
    expect(f!.title).toBe(
      'Job job-5-failed (id 00000000-0000-0000-0000-000000000005) was OOM-killed (limit 512 MiB, peak 512 MiB), exit code 137; retries exhausted (3 of 3)',
    );
    expect(f!.evidence[0]!.excerpt).toBe('loading batch 1/40\nloading batch 16/40\nloading batch 17/40');
    expect(f!.evidence.map((e) => e.excerpt)).toEqual(expect.arrayContaining(['"memory_limit": 512', '"max_memory_usage": 536870912', '"max_retries": 3']));
    expect(f!.summary).toContain('no retry is left');
  });

  it('groups the four jobs of one image that failed alike (numbers aside) into one finding listing them', () => {
    const group = findings.filter((f) => f.id === 'jobs-failing-alike');
    expect(group).toHaveLength(1);
    const g = group[0]!;
    expect(g.title).toBe('4 jobs of image acme/sync:2 failed with `ConnectionError: could not reach api.internal:443 (attempt 1)`');
    for (const n of [1, 2, 3, 4]) expect(g.summary).toContain(`sync-${n} (id `);
    expect(g.summary).toContain('4 jobs used up their retries');
    expect(findings.filter((f) => f.id !== 'jobs-failing-alike' && /sync-\d/.test(f.title))).toEqual([]);
    expect(g.evidence[0]!.excerpt).toMatch(/^Traceback \(most recent call last\):\n[\s\S]*\nConnectionError: could not reach api\.internal:443 \(attempt 1\)$/);
  });

  it('reports the timed-out job with its limit and run time, and the job running hours past its timeout', () => {
    const [t] = byTitle('nightly-report');
    expect(t).toMatchObject({ id: 'job-timed-out', severity: 'error' });
    expect(t!.title).toMatch(/^Job nightly-report \(id 00000000-0000-0000-0000-000000000200\) timed out after its 10 min limit, exit code 143$/);
    expect(t!.summary).toContain('it ran 10 min');
    const [o] = byTitle('stuck-export');
    expect(o).toMatchObject({ id: 'job-running-past-timeout', severity: 'warning' });
    expect(o!.title).toMatch(/^Job stuck-export \(id 00000000-0000-0000-0000-000000000300\) has been running for 5 h( \d+ min)?, past its 1 h timeout$/);
  });

  it('cuts a long traceback in the middle, keeping its head and its end', () => {
    const [f] = byTitle('deep-recursion');
    const lines = f!.evidence[0]!.excerpt.split('\n');
    expect(lines).toHaveLength(14);
    expect(lines[0]).toBe('Traceback (most recent call last):');
    expect(lines[1]).toBe('  … 29 lines');
    expect(lines[13]).toBe('RecursionError: maximum recursion depth exceeded');
  });

  it('leaves out failures older than --since (24 h)', () => {
    expect(byTitle('old-failure')).toEqual([]);
  });

  it('folds the container finding of a job into the job finding: one failure, one finding', () => {
    const about = findings.filter((f) => f.title.includes('merge-job') || f.subject?.endsWith(`/${mergeContainer}`));
    expect(about.map((f) => f.id)).toEqual(['job-failed']);
    const [f] = about;
    expect(f!.summary).toContain('Its container says the same:');
    expect(f!.evidence.some((e) => e.file.includes(`/containers/${mergeContainer}/`))).toBe(true);
  });
});
