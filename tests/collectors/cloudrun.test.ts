/**
 * The cloudrun collector against a stand-in gcloud (tests/fixtures/gcloud/gcloud): a real executable on
 * the run's PATH that prints JSON in the shapes the real gcloud prints (Cloud Run Admin API v1 Service,
 * Job, Execution, Revision; Logging LogEntry) and fails with the real gcloud error texts on stderr and
 * exit code 1. No Google Cloud account is involved.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainGcloudFailure } from '../../collectors/cloudrun.js';
import { collectBundle } from '../../src/run/collect.js';
import type { CollectorRecord } from '../../src/core/types.js';
import { fileJson, fileText, readBundle, type TarEntry } from '../helpers/bundle.js';

const STANDIN_DIR = fileURLToPath(new URL('../fixtures/gcloud', import.meta.url));
/** Values the stand-in's JSON holds under secret names or in URLs; none may reach a bundle. */
const CLOUDRUN_SECRETS = ['cr-django-secret-77aa41f0', 'cr-db-password-3c9e', 'cr-api-token-9d2b71', 'cr-report-password-61ad', 'cr-log-password-5e1f'];

let tmp: string;

/** The run's environment: PATH with the stand-in first, an empty gcloud configuration directory, no real gcloud settings. */
function env(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const e: Record<string, string | undefined> = {
    ...process.env,
    PATH: `${STANDIN_DIR}${delimiter}${process.env['PATH'] ?? ''}`,
    CLOUDSDK_CONFIG: join(tmp, 'no-gcloud-config'),
    ...extra,
  };
  for (const k of ['CLOUDSDK_CORE_PROJECT', 'CLOUDSDK_RUN_REGION', 'CLOUDSDK_ACTIVE_CONFIG_NAME']) if (!(k in extra)) delete e[k];
  return e;
}

/** A gcloud configuration directory as `gcloud config configurations create/activate` and `config set` leave it. */
async function gcloudConfig(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(tmp, name);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

/** The stand-in's call log: one line per time gcloud was started. */
const calls = async (log: string): Promise<string[]> => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean);

interface Run {
  record: CollectorRecord;
  entries: Map<string, TarEntry>;
  status: string;
}

let n = 0;
async function run(runEnv: Record<string, string | undefined>, options: Record<string, unknown> = {}): Promise<Run> {
  const result = await collectBundle({ outputDir: join(tmp, `out-${++n}`), only: ['cloudrun'], env: runEnv, collectorOptions: { cloudrun: options } });
  return { record: result.manifest.collectors.find((c) => c.name === 'cloudrun')!, entries: await readBundle(result.bundle), status: result.status };
}

const leaks = (entries: Map<string, TarEntry>): string[] => {
  const found: string[] = [];
  for (const [name, e] of entries) for (const s of CLOUDRUN_SECRETS) if (e.data.toString('utf8').includes(s)) found.push(`${s} in ${name}`);
  return found;
};

describe('cloudrun collector (stand-in gcloud)', () => {
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'cb-cloudrun-'));
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  describe('with the stand-in gcloud answering, project and region from the environment', () => {
    let r: Run;
    beforeAll(async () => {
      r = await run(env({ CLOUDSDK_CORE_PROJECT: 'demo-project', CLOUDSDK_RUN_REGION: 'europe-west1' }));
    }, 60_000);

    it('writes services, jobs, per-service describe and revisions, per-job executions, failed-execution logs and a summary', () => {
      expect(r.record.status).toBe('ok');
      expect(r.record.problems).toEqual([]);
      expect(r.record.artifacts.map((a) => a.path).sort()).toEqual(
        [
          'executions/migrate.json',
          'executions/nightly-report.json',
          'jobs.json',
          'logs/nightly-report-x7k2p.jsonl',
          'revisions/api.json',
          'revisions/web.json',
          'services.json',
          'services/api.json',
          'services/web.json',
          'summary.json',
        ].map((p) => `cloudrun/${p}`),
      );
    });

    it('runs every gcloud call with --format=json, the project and (except logging read) the region, and records it', () => {
      const calls = r.record.commands.map((c) => c.argv.slice(1));
      // services list, jobs list, describe + revisions per service (2), executions per job (2), one logging read
      expect(calls.length).toBe(9);
      for (const argv of calls) {
        expect(argv).toContain('--format=json');
        expect(argv).toEqual(expect.arrayContaining(['--project', 'demo-project']));
        if (argv[0] === 'run') expect(argv).toEqual(expect.arrayContaining(['--region', 'europe-west1']));
      }
      expect(calls).toContainEqual(expect.arrayContaining(['run', 'jobs', 'executions', 'list', '--job', 'nightly-report']));
      expect(calls).toContainEqual(expect.arrayContaining(['run', 'revisions', 'list', '--service', 'api']));
      const read = calls.find((a) => a[0] === 'logging')!;
      expect(read[2]).toContain('labels."run.googleapis.com/execution_name"="nightly-report-x7k2p"');
      expect(read[2]).toContain('resource.labels.location="europe-west1"');
      expect(read).toEqual(expect.arrayContaining(['--limit=200', '--freshness=7d']));
      // Only the failed execution's log is read, not the successful ones'.
      expect(calls.filter((a) => a[0] === 'logging')).toHaveLength(1);
    });

    it('summarises status, conditions, timeout and resources per service, and each job with its latest execution', () => {
      const s = fileJson(r.entries, 'cloudrun/summary.json');
      expect(s).toMatchObject({ project: 'demo-project', projectFrom: 'CLOUDSDK_CORE_PROJECT', region: 'europe-west1', regionFrom: 'CLOUDSDK_RUN_REGION' });
      const api = s.services.find((x: { name: string }) => x.name === 'api');
      expect(api).toMatchObject({
        ready: 'False',
        timeoutSeconds: 60,
        containerConcurrency: 40,
        latestReadyRevision: 'api-00001-rat',
        latestCreatedRevision: 'api-00002-wuv',
        containers: [{ image: 'europe-west1-docker.pkg.dev/demo-project/app/api:2.3.1', resources: { cpu: '2', memory: '1Gi' } }],
      });
      expect(api.conditions[0]).toMatchObject({ type: 'Ready', status: 'False', reason: 'HealthCheckContainerError' });
      expect(api.revisions.map((x: { name: string; ready: string }) => [x.name, x.ready])).toEqual([
        ['api-00002-wuv', 'False'],
        ['api-00001-rat', 'True'],
      ]);
      expect(s.services.find((x: { name: string }) => x.name === 'web')).toMatchObject({ ready: 'True', timeoutSeconds: 300 });
      const nightly = s.jobs.find((x: { name: string }) => x.name === 'nightly-report');
      expect(nightly).toMatchObject({
        taskCount: 4,
        parallelism: 1,
        maxRetries: 3,
        timeoutSeconds: 3600,
        executionCount: 42,
        containers: [{ resources: { cpu: '1000m', memory: '2Gi' } }],
      });
      expect(nightly.latestExecution).toMatchObject({ name: 'nightly-report-x7k2p', state: 'failed', failedCount: 1, succeededCount: 3, retriedCount: 3 });
      expect(nightly.latestExecution.conditions[0]).toMatchObject({ type: 'Completed', status: 'False', reason: 'NonZeroExitCode' });
      expect(s.jobs.find((x: { name: string }) => x.name === 'migrate').latestExecution).toMatchObject({ name: 'migrate-q4m9z', state: 'succeeded' });
      expect(s.failedExecutions).toEqual([{ job: 'nightly-report', execution: 'nightly-report-x7k2p', created: '2026-11-28T02:00:00.112233Z' }]);
    });

    it('keeps the failed execution’s log entries as JSON lines, redacted', () => {
      const lines = fileText(r.entries, 'cloudrun/logs/nightly-report-x7k2p.jsonl').trim().split('\n');
      expect(lines).toHaveLength(3);
      const first = JSON.parse(lines[0]!);
      expect(first).toMatchObject({ severity: 'ERROR', resource: { type: 'cloud_run_job' } });
      expect(first.textPayload).toContain('password authentication failed');
      expect(first.textPayload).toContain('[REDACTED:');
    });

    it('lets no env value under a secret name, nor a URL password, reach the bundle', () => {
      expect(leaks(r.entries)).toEqual([]);
      // The names stay, so a reader knows the variable is set.
      expect(fileText(r.entries, 'cloudrun/services.json')).toContain('"DJANGO_SECRET_KEY"');
      expect(fileText(r.entries, 'cloudrun/services.json')).toContain('app.settings.prod');
    });
  });

  it('takes project and region from the active configuration’s files without starting gcloud to ask', async () => {
    const dir = await gcloudConfig('cfg-files', {
      active_config: 'work\n',
      'configurations/config_default': '[core]\nproject = not-this-one\n',
      'configurations/config_work': '[core]\naccount = ops@example.com\nproject = cfg-project\n\n[run]\nregion = us-central1\n',
    });
    const log = join(tmp, 'calls-files.log');
    const r = await run(env({ CLOUDSDK_CONFIG: dir, GCLOUD_STANDIN_LOG: log }));
    expect(r.record.status).toBe('ok');
    expect(fileJson(r.entries, 'cloudrun/summary.json')).toMatchObject({
      project: 'cfg-project',
      projectFrom: 'gcloud configuration work',
      region: 'us-central1',
      regionFrom: 'gcloud configuration work',
    });
    expect((await calls(log)).filter((c) => c.startsWith('config'))).toEqual([]);
  }, 60_000);

  it('honours CLOUDSDK_ACTIVE_CONFIG_NAME and the installation’s properties file beside gcloud’s bin/', async () => {
    const dir = await gcloudConfig('cfg-env-name', { 'configurations/config_ci': '[core]\nproject = ci-project\n' });
    // An installation: sdk/bin/gcloud (a wrapper around the stand-in) and sdk/properties.
    const sdk = await gcloudConfig('sdk', {
      'bin/gcloud': `#!/bin/sh\nexec ${JSON.stringify(join(STANDIN_DIR, 'gcloud'))} "$@"\n`,
      properties: '[run]\nregion = asia-east1\n',
    });
    await import('node:fs/promises').then((fs) => fs.chmod(join(sdk, 'bin/gcloud'), 0o755));
    const r = await run(env({ CLOUDSDK_CONFIG: dir, CLOUDSDK_ACTIVE_CONFIG_NAME: 'ci', PATH: `${join(sdk, 'bin')}${delimiter}${process.env['PATH']}` }));
    expect(fileJson(r.entries, 'cloudrun/summary.json')).toMatchObject({
      project: 'ci-project',
      projectFrom: 'gcloud configuration ci',
      region: 'asia-east1',
      regionFrom: 'gcloud installation properties',
    });
  }, 60_000);

  it('decides "not configured" from the files alone: gcloud is never started', async () => {
    const dir = await gcloudConfig('cfg-unset', { active_config: 'default', 'configurations/config_default': '[core]\naccount = ops@example.com\n' });
    const log = join(tmp, 'calls-unset.log');
    const r = await run(env({ CLOUDSDK_CONFIG: dir, GCLOUD_STANDIN_LOG: log }));
    expect(r.record.status).toBe('skipped');
    expect(r.record.reason).toMatch(/^Cloud Run not configured: no project/);
    expect(await calls(log)).toEqual([]);
  }, 60_000);

  it('asks `gcloud config get-value` only when the configuration files cannot be read', async () => {
    // config_default is a directory: unreadable as a file, so the files cannot decide.
    const dir = await gcloudConfig('cfg-broken', { 'configurations/config_default/x': '' });
    const r = await run(env({ CLOUDSDK_CONFIG: dir, GCLOUD_STANDIN_PROJECT: 'cfg-project', GCLOUD_STANDIN_REGION: 'us-central1' }));
    expect(r.record.status).toBe('ok');
    expect(fileJson(r.entries, 'cloudrun/summary.json')).toMatchObject({
      project: 'cfg-project',
      projectFrom: 'gcloud config project',
      region: 'us-central1',
      regionFrom: 'gcloud config run/region',
    });
    expect(r.record.commands.map((c) => c.argv.slice(1, 4))).toContainEqual(['config', 'get-value', 'project']);
  }, 60_000);

  it('options win over the environment (stand-in gcloud)', async () => {
    const r = await run(env({ CLOUDSDK_CORE_PROJECT: 'env-project', CLOUDSDK_RUN_REGION: 'env-region' }), { project: 'opt-project', region: 'opt-region' });
    expect(fileJson(r.entries, 'cloudrun/summary.json')).toMatchObject({ project: 'opt-project', projectFrom: 'option', region: 'opt-region' });
  }, 60_000);

  it('is skipped with the reason when no project or region is configured (stand-in gcloud)', async () => {
    const r = await run(env());
    expect(r.record.status).toBe('skipped');
    expect(r.record.reason).toMatch(/^Cloud Run not configured: no project \(--gcloud-project.*and no region \(--gcloud-region/);
  }, 60_000);

  it('is skipped when gcloud is not on PATH', async () => {
    const r = await run({ PATH: '/nonexistent-dir', CLOUDSDK_CORE_PROJECT: 'p', CLOUDSDK_RUN_REGION: 'r' });
    expect(r.record.status).toBe('skipped');
    expect(r.record.reason).toBe('gcloud is not on PATH (install the Google Cloud CLI to collect Cloud Run)');
  });

  describe.each([
    ['no-account', /^gcloud run services list and jobs list: no active gcloud account: run `gcloud auth login`/],
    [
      'reauth',
      /^gcloud run services list and jobs list: the gcloud credentials expired or were revoked: run `gcloud auth login` \(and `gcloud auth application-default login`/,
    ],
    [
      'permission',
      /^gcloud run services list: permission denied \(run\.services\.list\): grant the account roles\/run\.viewer.*; gcloud run jobs list: permission denied \(run\.jobs\.list\)/,
    ],
    [
      'disabled',
      /^gcloud run services list and jobs list: the run\.googleapis\.com API is disabled in this project: run `gcloud services enable run\.googleapis\.com`/,
    ],
  ])('when the stand-in gcloud fails with the real "%s" error', (scenario, reason) => {
    it('fails the collector with a one-line reason and the fix; the bundle is still written', async () => {
      const r = await run(env({ CLOUDSDK_CORE_PROJECT: 'demo-project', CLOUDSDK_RUN_REGION: 'europe-west1', GCLOUD_STANDIN_SCENARIO: scenario }));
      expect(r.status).toBe('partial');
      expect(r.record.status).toBe('failed');
      expect(r.record.reason).toMatch(reason);
      expect(r.record.reason).not.toContain('\n');
      expect(r.record.problems.map((p) => p.item)).toEqual(['cloudrun/services.json', 'cloudrun/jobs.json']);
      // The command, its exit code and gcloud's own words are in the manifest.
      // services list and jobs list run at once; find the first by its argv, not its place.
      const servicesList = r.record.commands.find((c) => c.argv[2] === 'services' && c.argv[3] === 'list');
      expect(servicesList).toMatchObject({ exitCode: 1 });
      expect(servicesList!.stderrTail).toMatch(/^ERROR: \(gcloud\.run\.services\.list\)/);
      expect(fileText(r.entries, 'manifest.json')).toContain('"name": "cloudrun"');
    }, 60_000);
  });

  it('records a logging permission failure as a problem of that item and keeps the rest (stand-in gcloud)', async () => {
    const r = await run(env({ CLOUDSDK_CORE_PROJECT: 'demo-project', CLOUDSDK_RUN_REGION: 'europe-west1', GCLOUD_STANDIN_SCENARIO: 'logging-denied' }));
    expect(r.record.status).toBe('ok');
    expect(r.record.problems).toEqual([
      {
        item: 'cloudrun/logs/nightly-report-x7k2p.jsonl',
        reason: expect.stringMatching(/^gcloud logging read: permission denied \(logging\.logEntries\.list\): grant the account roles\/logging\.viewer/),
      },
    ]);
    expect(fileJson(r.entries, 'cloudrun/summary.json').logs).toEqual([]);
  }, 60_000);

  it('kills a gcloud call that hangs at its own timeout and says so (stand-in gcloud)', async () => {
    const r = await run(env({ CLOUDSDK_CORE_PROJECT: 'p', CLOUDSDK_RUN_REGION: 'r', GCLOUD_STANDIN_SCENARIO: 'hang' }), { commandTimeoutMs: 1000 });
    expect(r.record.status).toBe('failed');
    expect(r.record.reason).toMatch(/^gcloud run services list and jobs list: timed out and was killed/);
    expect(r.record.commands[0]).toMatchObject({ timedOut: true });
  }, 60_000);
});

describe('explainGcloudFailure', () => {
  const failed = (stderr: string) => explainGcloudFailure({ exitCode: 1, stderr, timedOut: false });
  it('names an unknown failure by its last ERROR line', () => {
    expect(failed('WARNING: x\nERROR: (gcloud.run.jobs.list) something odd\n')).toBe('exit code 1: ERROR: (gcloud.run.jobs.list) something odd');
  });
  it('tells a start failure as exec reports it', () => {
    expect(explainGcloudFailure({ exitCode: null, stderr: '', timedOut: false, error: 'gcloud: not found (is it installed and on PATH?)' })).toBe(
      'gcloud: not found (is it installed and on PATH?)',
    );
  });
});
