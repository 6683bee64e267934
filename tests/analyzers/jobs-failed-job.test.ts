/**
 * `--job ID` of a job that failed and whose container is gone (django-container-manager's
 * IMMEDIATE_CLEANUP): the real engine ran a labelled container that printed a traceback and exited 1,
 * the test removed it and wrote the job's row as the manager leaves it. The bundle's ISSUE.md must
 * report the failure with the traceback, from job/record.json; the engine's events keep the die.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectBundle, type CollectResult } from '../../src/run/collect.js';
import { planJob } from '../../src/run/job.js';
import { fileText, readBundle, type TarEntry } from '../helpers/bundle.js';
import { copyFixture, runEnv, setupDatabase, SYSTEM_PYTHON, systemDjango } from '../helpers/django.js';
import { DOCKER_HOST, TEST_IMAGE, containerId, docker, dockerUnavailable, removeContainers, uniq, waitFor } from '../helpers/docker.js';

const JOB_ID = '3c9d2e1f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const TRACEBACK = [
  'Traceback (most recent call last):',
  '  File "/app/loader.py", line 88, in <module>',
  '    load(batch)',
  '  File "/app/loader.py", line 61, in load',
  '    rows = parse(path)',
  "KeyError: 'customer_id'",
];

describe.skipIf(Boolean(dockerUnavailable) || (!systemDjango && !process.env['CI']))('--job ID of a failed job whose container was removed', () => {
  let tmp: string;
  let prefix: string;
  let result: CollectResult;
  let entries: Map<string, TarEntry>;
  let removedId: string;

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'cb-job-gone-'));
    const project = await copyFixture(join(tmp, 'project'));
    await setupDatabase(project);
    prefix = uniq('cbjobgone');
    const name = `${prefix}-loader`;
    const started = new Date();
    await docker(
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      name,
      '--label',
      `django.container_manager.job_id=${JOB_ID}`,
      TEST_IMAGE,
      'sh',
      '-c',
      `echo 'loading customers' ; printf '%s\\n' ${TRACEBACK.map((l) => `'${l.replace(/'/g, `'"'"'`)}'`).join(' ')} >&2; exit 1`,
    );
    await waitFor(name, (s) => s.Status === 'exited');
    removedId = await containerId(name);
    const finished = new Date();
    await docker('rm', name); // what IMMEDIATE_CLEANUP does after harvesting
    const script = `
import sqlite3, sys
db = sqlite3.connect('db.sqlite3')
db.execute("INSERT INTO container_manager_containerjob (id, name, status, docker_host_id, docker_image, command, override_environment, error_message, exit_code, created_at, started_at, completed_at, execution_id, stdout_log, stderr_log, last_error, retry_count, max_retries) VALUES (?, 'customer-loader', 'failed', 1, ?, '', '', '', 1, ?, ?, ?, ?, 'loading customers\\n', ?, 'exit code 1', 2, 2)",
           (sys.argv[1].replace('-', ''), sys.argv[2], sys.argv[3], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]))
db.commit()
`;
    const sqlTime = (d: Date): string => d.toISOString().replace('T', ' ').replace('Z', '');
    execFileSync(
      SYSTEM_PYTHON,
      [
        '-c',
        script,
        JOB_ID,
        TEST_IMAGE,
        sqlTime(new Date(started.getTime() - 1000)),
        sqlTime(new Date(finished.getTime() + 1000)),
        removedId,
        `${TRACEBACK.join('\n')}\n`,
      ],
      { cwd: project },
    );
    const planned = await planJob(
      {
        outputDir: join(tmp, 'out'),
        only: ['docker'],
        env: runEnv({ DOCKER_HOST }),
        collectorOptions: { django: { djangoDir: project, python: SYSTEM_PYTHON } },
      },
      JOB_ID,
    );
    result = await collectBundle(planned.options);
    entries = await readBundle(result.bundle);
  }, 180_000);
  afterAll(async () => {
    await removeContainers(prefix);
    await rm(tmp, { recursive: true, force: true });
  });

  it('has the die of the removed container in the events, and no container folder', () => {
    const events = fileText(entries, 'docker/local/events.jsonl')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { Action?: string; Actor?: { ID?: string; Attributes?: Record<string, string> } });
    expect(events.find((e) => e.Action === 'die' && e.Actor?.ID === removedId)?.Actor?.Attributes?.['exitCode']).toBe('1');
    expect([...entries.keys()].some((n) => n.includes('/containers/'))).toBe(false);
  });

  it('reports the failure as an error finding named by the job, with the traceback', () => {
    const f = result.findings!.findings.find((x) => x.id === 'job-failed');
    expect(f).toBeDefined();
    expect(f!.title).toBe(`Job customer-loader (id ${JOB_ID}) failed with exit code 1: KeyError: 'customer_id'; retries exhausted (2 of 2)`);
    expect(f!.evidence[0]).toMatchObject({ file: 'job/record.json', excerpt: TRACEBACK.join('\n') });
    expect(result.findings!.counts.error).toBeGreaterThanOrEqual(1);
  });

  it('ISSUE.md states the failure and quotes the whole traceback, not "No errors found"', () => {
    expect(result.issue).not.toContain('No errors found');
    expect(result.issue).not.toContain('No error messages were found');
    expect(result.issue).toContain(`Job customer-loader (id ${JOB_ID}) failed with exit code 1`);
    expect(result.issue).toContain(TRACEBACK.join('\n'));
  });
});
