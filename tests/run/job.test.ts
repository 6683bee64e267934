/**
 * `--job ID` against the real engine and real Django: a ContainerJob row written into the temporary
 * fixture database (by the test's own setup, never by collect-bundle), a real container labelled with
 * the job's id that logged more lines than the default --tail, and another container that must stay out.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectBundle, type CollectResult } from '../../src/run/collect.js';
import { CliError } from '../../src/core/errors.js';
import { JOB_LABELS, jobContainerPatterns, jobContainerRefs, jobWindow } from '../../collectors/job.js';
import { planJob } from '../../src/run/job.js';
import { fileJson, fileText, readBundle, type TarEntry } from '../helpers/bundle.js';
import { copyFixture, leakedSecrets, FIXTURE_SECRETS, runEnv, setupDatabase, SYSTEM_PYTHON, systemDjango } from '../helpers/django.js';
import { DOCKER_HOST, TEST_IMAGE, containerId, docker, dockerUnavailable, removeContainers, uniq, waitFor } from '../helpers/docker.js';

const JOB_ID = '5f0c2a9e-7b1d-4c3e-9a8f-112233445566';
const JOB_SECRETS = ['job-env-secret-3f9a1c7e', 'job-cmd-secret-8d2e4b6a'];
const LINES = 12_000; // more than the docker collector's default --tail of 10,000

describe('jobWindow and jobContainerPatterns', () => {
  const now = new Date('2026-11-28T12:00:00Z');
  it('spans start to end plus the margin, and never reaches past now', () => {
    expect(jobWindow({ created: '2026-11-28T09:00:00Z', started: '2026-11-28T10:00:00Z', finished: '2026-11-28T11:00:00Z' }, now, 300_000)).toEqual({
      since: new Date('2026-11-28T09:55:00Z'),
      until: new Date('2026-11-28T11:05:00Z'),
    });
    expect(jobWindow({ created: '2026-11-28T11:58:00Z', started: null, finished: '2026-11-28T11:59:00Z' }, now, 300_000)).toEqual({
      since: new Date('2026-11-28T11:53:00Z'),
      until: now,
    });
  });
  it('runs to now for a job that has not finished', () => {
    expect(jobWindow({ created: null, started: '2026-11-28T11:00:00Z', finished: null }, now, 60_000).until).toEqual(now);
  });
  it('uses container ids stored on the job, else the job-id labels with each form of the id', () => {
    expect(jobContainerPatterns('7', { pk: '7', containerRefs: ['/web-job-7', 'abc123'] })).toEqual(['web-job-7', 'abc123']);
    const patterns = jobContainerPatterns(JOB_ID, { pk: JOB_ID, pkHex: JOB_ID.replace(/-/g, ''), containerRefs: [] });
    expect(patterns).toContain(`label=container_manager.job_id=${JOB_ID}`);
    expect(patterns).toContain(`label=container_manager.job_id=${JOB_ID.replace(/-/g, '')}`);
    // The label django-container-manager itself sets.
    expect(JOB_LABELS[0]).toBe('django.container_manager.job_id');
    expect(patterns).toContain(`label=django.container_manager.job_id=${JOB_ID}`);
    expect(patterns).toHaveLength(JOB_LABELS.length * 2);
  });
  it('takes container references only from the fields that hold them, never from a *_status field', () => {
    // django-container-manager's shape: the container id in execution_id, the name in executor_metadata.
    const real = {
      id: 7,
      status: 'failed',
      container_status: 'dead',
      execution_id: '4f1c2a9e8b7d',
      executor_metadata: { container_name: 'job-7-report', image: 'x' },
    };
    expect(jobContainerRefs(real)).toEqual(['4f1c2a9e8b7d', 'job-7-report']);
    // "dead" is hex: taken for a reference it would match every container id starting with dead.
    expect(jobContainerRefs({ container_status: 'dead', container_image: 'cb-busybox:latest', execution_id: '', executor_metadata: null })).toEqual([]);
    expect(jobContainerRefs({ container_id: '/abc123', container_name: 'web-job-7', executor_metadata: '{"container_name": "web-job-7"}' })).toEqual([
      'abc123',
      'web-job-7',
    ]);
    // A Cloud Run execution path is no docker container reference.
    expect(jobContainerRefs({ execution_id: 'projects/p/locations/r/jobs/j/executions/e-1' })).toEqual([]);
  });
});

describe.skipIf(Boolean(dockerUnavailable) || (!systemDjango && !process.env['CI']))('--job ID (real engine, real Django fixture)', () => {
  let tmp: string;
  let project: string;
  let prefix: string;
  let jobContainer: string;
  let otherContainer: string;
  let window: { since: number; until: number };
  let result: CollectResult;
  let entries: Map<string, TarEntry>;
  const env = (): Record<string, string | undefined> => runEnv({ DOCKER_HOST });
  const djangoOptions = (): Record<string, string> => ({ djangoDir: project, python: SYSTEM_PYTHON });

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'cb-job-'));
    project = await copyFixture(join(tmp, 'project'));
    await setupDatabase(project);
    prefix = uniq('cbjob');
    jobContainer = `${prefix}-job`;
    otherContainer = `${prefix}-other`;
    await docker('run', '-d', '--network', 'none', '--name', otherContainer, TEST_IMAGE, 'sh', '-c', 'while true; do echo other-container-log; sleep 1; done');
    const started = new Date();
    await docker(
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      jobContainer,
      '--label',
      `container_manager.job_id=${JOB_ID}`,
      TEST_IMAGE,
      'sh',
      '-c',
      `seq 1 ${LINES} | sed 's/^/line /'; echo "using job-env-secret-3f9a1c7e"; exit 4`,
    );
    await waitFor(jobContainer, (s) => s.Status === 'exited');
    const finished = new Date();
    // The test's own fixture setup writes the row (collect-bundle only reads).
    const script = `
import sqlite3, sys
db = sqlite3.connect('db.sqlite3')
db.execute("INSERT INTO container_manager_containerjob (id, name, status, docker_host_id, docker_image, command, override_environment, exit_code, error_message, created_at, started_at, completed_at) VALUES (?, 'report-job', 'failed', 1, 'cb-busybox:latest', ?, ?, 4, 'exit 4', ?, ?, ?)",
           (sys.argv[1].replace('-', ''), 'worker --db-password job-cmd-secret-8d2e4b6a --verbose', 'API_TOKEN=job-env-secret-3f9a1c7e\\nMODE=fast', sys.argv[2], sys.argv[2], sys.argv[3]))
db.commit()
`;
    const sqlTime = (d: Date): string => d.toISOString().replace('T', ' ').replace('Z', '');
    execFileSync(SYSTEM_PYTHON, ['-c', script, JOB_ID, sqlTime(new Date(started.getTime() - 1000)), sqlTime(new Date(finished.getTime() + 1000))], {
      cwd: project,
    });

    const planned = await planJob({ outputDir: join(tmp, 'out'), only: ['docker'], env: env(), collectorOptions: { django: djangoOptions() } }, JOB_ID);
    window = { since: planned.plan.since.getTime(), until: planned.plan.until.getTime() };
    result = await collectBundle(planned.options);
    entries = await readBundle(result.bundle);
  }, 180_000);
  afterAll(async () => {
    await removeContainers(prefix);
    await rm(tmp, { recursive: true, force: true });
  });

  it('labels the bundle job-<id> and runs the job collector beside the ones asked for', () => {
    expect(result.bundle).toContain(`-job-${JOB_ID}-`);
    expect(result.manifest.collectors.map((c) => [c.name, c.status])).toEqual([
      ['docker', 'ok'],
      ['job', 'ok'],
    ]);
  });

  it('writes the job record with environment variable names only and the command line redacted', () => {
    const doc = fileJson(entries, 'job/record.json');
    expect(doc).toMatchObject({ model: 'container_manager.ContainerJob', matchedBy: 'id', pk: JOB_ID, status: 'failed' });
    expect(doc.record).toMatchObject({ name: 'report-job', exit_code: 4, error_message: 'exit 4' });
    expect(doc.record.override_environment).toEqual({ variables: ['API_TOKEN', 'MODE'], values: 'not collected' });
    expect(doc.environment).toEqual({ override_environment: { variables: ['API_TOKEN', 'MODE'], values: 'not collected' } });
    expect(doc.record.command).toMatch(/^worker --db-password (?:\[REDACTED:[^\]]+\]|<db_password=\[REDACTED:[^\]]+\]>) --verbose$/);
    expect(fileText(entries, 'job/record.json')).not.toContain('fast'); // a value under an innocent name is left out too
  });

  it('keeps the job container’s inspect and its FULL log (beyond the default tail), with the env secret removed', () => {
    const dir = `docker/local/containers/${jobContainer}`;
    expect(fileJson(entries, `${dir}/inspect.json`).Config.Labels).toMatchObject({ 'container_manager.job_id': JOB_ID });
    const log = fileText(entries, `${dir}/logs.txt`);
    const lines = log.trim().split('\n');
    expect(lines).toHaveLength(LINES + 1);
    expect(lines[0]).toMatch(/ stdout line 1$/);
    expect(lines[LINES - 1]).toMatch(new RegExp(` stdout line ${LINES}$`));
    expect(lines[LINES]).toMatch(/ stdout using \[REDACTED:/);
  });

  it('leaves every other container’s logs out', () => {
    const names = [...entries.keys()];
    expect(names.filter((n) => n.includes('/containers/')).every((n) => n.includes(`/containers/${jobContainer}/`))).toBe(true);
    // Its command line is in engine-wide files (df.json); its log lines are nowhere.
    for (const [name, e] of entries) expect(e.data.toString('utf8'), name).not.toContain('stdout other-container-log');
    expect(result.manifest.collectors[0]!.excluded?.map((x) => x.item)).toContain(`local/${otherContainer}`);
  });

  it('keeps the engine’s events of the job’s window: the job container’s die is there, nothing outside the window', async () => {
    const id = await containerId(jobContainer);
    const events = fileText(entries, 'docker/local/events.jsonl')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(events.some((e) => e.Actor?.ID === id && e.Action === 'die')).toBe(true);
    for (const e of events) {
      const t = e.timeNano ? Number(BigInt(e.timeNano) / 1_000_000n) : e.time * 1000;
      expect(t).toBeGreaterThanOrEqual(window.since - 1000);
      expect(t).toBeLessThanOrEqual(window.until + 1000);
    }
    expect(fileJson(entries, 'docker/engines.json').options).toMatchObject({
      tail: 'all',
      maxLogBytes: 0,
      allContainers: true,
      untilTime: new Date(window.until).toISOString(),
    });
  });

  it('says where the job’s containers are and how the run was narrowed, with the lookup command', () => {
    expect(fileJson(entries, 'job/containers.json')).toEqual([
      expect.objectContaining({ engine: 'local', name: jobContainer, state: 'exited', folder: `docker/local/containers/${jobContainer}` }),
    ]);
    const plan = fileJson(entries, 'job/plan.json');
    expect(plan.window).toEqual({ since: new Date(window.since).toISOString(), until: new Date(window.until).toISOString(), marginSeconds: 300 });
    expect(plan.lookupCommands).toHaveLength(1);
    expect(plan.lookupCommands[0]).toMatchObject({ exitCode: 0, timedOut: false });
    expect(plan.lookupCommands[0].argv[0]).toBe(SYSTEM_PYTHON);
  });

  it('lets no secret of the job or the fixture reach the bundle', () => {
    expect(leakedSecrets(entries, [...JOB_SECRETS, ...FIXTURE_SECRETS])).toEqual([]);
  });

  it('only the docker options named as overrides (flags, for the CLI) beat the job’s narrowing; others pass through', async () => {
    const docker = { tail: 5, maxLogBytes: 100, since: '1h', containers: ['nothing-*'], concurrency: 2 };
    const base = { outputDir: join(tmp, 'none'), env: env(), collectorOptions: { django: djangoOptions(), docker } };
    const fromConfig = (await planJob(base, JOB_ID, new Date(), { overrides: [] })).options.collectorOptions?.['docker'];
    expect(fromConfig).toMatchObject({ tail: 'all', maxLogBytes: 0, allContainers: true, concurrency: 2 });
    expect(fromConfig?.['containers']).toContain(`label=django.container_manager.job_id=${JOB_ID}`);
    expect(fromConfig?.['since']).not.toBe('1h');
    const typed = (await planJob(base, JOB_ID, new Date(), { overrides: ['tail'] })).options.collectorOptions?.['docker'];
    expect(typed).toMatchObject({ tail: 5, maxLogBytes: 0, concurrency: 2 });
    expect(typed?.['containers']).not.toEqual(['nothing-*']);
  }, 60_000);

  it('finds a job whose row holds a log field bigger than the probe output kept, with the field cut at 64 KiB', async () => {
    const bigId = '9a9a9a9a-0000-4000-8000-0000000b16b1';
    // 9 MiB of log on the row: more than the 8 MiB of probe output the lookup keeps.
    const script = `
import sqlite3, sys
db = sqlite3.connect('db.sqlite3')
db.execute("INSERT INTO container_manager_containerjob (id, name, status, docker_image, command, override_environment, error_message, created_at) VALUES (?, 'big-log-job', 'failed', 'x', '', '', ?, '2026-11-28 10:00:00')", (sys.argv[1].replace('-', ''), 'L' * (9 * 1024 * 1024)))
db.commit()
`;
    execFileSync(SYSTEM_PYTHON, ['-c', script, bigId], { cwd: project });
    const planned = await planJob({ outputDir: join(tmp, 'none'), env: env(), collectorOptions: { django: djangoOptions() } }, bigId);
    expect(planned.plan.lookup.pk).toBe(bigId);
    const message = String(planned.plan.lookup.record['error_message']);
    expect(message.startsWith('L'.repeat(64 * 1024))).toBe(true);
    expect(message).toMatch(/\.\.\. \[truncated by collect-bundle: \d+ more characters\]$/);
    expect(message.length).toBeLessThan(65 * 1024);
  }, 60_000);

  it('refuses an unknown job id with one line and a usage error', async () => {
    const err = await planJob(
      { outputDir: join(tmp, 'none'), env: env(), collectorOptions: { django: djangoOptions() } },
      '00000000-0000-0000-0000-00000000dead',
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(2);
    expect((err as CliError).message).toMatch(
      /^--job 00000000-0000-0000-0000-00000000dead: no such job: no ContainerJob with id '00000000-0000-0000-0000-00000000dead' in database "default"/,
    );
    expect((err as CliError).message).not.toContain('\n');
  }, 60_000);

  it('says clearly when there is no Django project to look the job up in', async () => {
    const empty = await mkdtemp(join(tmp, 'empty-'));
    const err = await planJob(
      { outputDir: join(tmp, 'none'), env: env(), collectorOptions: { django: { djangoDir: empty, python: SYSTEM_PYTHON } } },
      JOB_ID,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).message).toMatch(new RegExp(`^--job ${JOB_ID}: needs the Django project to look the job up: .*\\(use --django-dir\\)$`));
  }, 60_000);
});
