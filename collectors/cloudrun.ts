// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * `cloudrun`: Cloud Run services and jobs of one project and region, through the gcloud CLI
 * (`--format=json`, read-only list/describe/read commands, each with its own timeout): services.json,
 * jobs.json, per service its description and latest revisions, per job its latest executions, recent
 * log entries of failed executions, and summary.json (status, conditions, timeout, resources per
 * service and job, and each job's latest execution).
 *
 * Runs when `gcloud` is on PATH and a project and region are known (options, CLOUDSDK_CORE_PROJECT /
 * CLOUDSDK_RUN_REGION, or gcloud's configuration files, read without starting gcloud); otherwise skipped
 * with the reason. Authentication,
 * permission and API errors are recorded with the command that fixes them.
 */
import { defineCollector, fact, json, problem, text } from '../src/core/artifacts.js';
import { defineOptions, option, type OptionValues } from '../src/core/options.js';
import { durationText, nonEmpty, timerMs, wholeAtLeast } from '../src/core/validators.js';
import { findProgram, gcloudJson, resolveTarget, type GcloudResult } from './cloudrun/gcloud.js';
import {
  asList,
  createdAt,
  declareEnvSecrets,
  executionState,
  isObject,
  jobSummary,
  nameOf,
  newestFirst,
  serviceSummary,
  type Json,
} from './cloudrun/shapes.js';
import { folderName } from './docker-containers.js';
import { CLOUDRUN, CLOUDRUN_FILES, FOLDER } from '../src/bundle/layout.js';

export { explainGcloudFailure, findProgram } from './cloudrun/gcloud.js';
export { executionState } from './cloudrun/shapes.js';

/** The cloudrun collector's options. */
export const cloudrunOptions = defineOptions({
  project: option(nonEmpty('a Google Cloud project id'), {
    flag: 'gcloud-project',
    defaultText: 'CLOUDSDK_CORE_PROJECT, else gcloud config',
    describe: 'Google Cloud project for the cloudrun collector',
  }),
  region: option(nonEmpty('a Cloud Run region such as "europe-west1"'), {
    flag: 'gcloud-region',
    defaultText: 'CLOUDSDK_RUN_REGION, else gcloud config run/region',
    describe: 'Cloud Run region for the cloudrun collector',
  }),
  gcloud: option(nonEmpty('the gcloud program: a name on PATH or a path'), {
    default: 'gcloud',
    describe: 'The gcloud program: a name looked up on PATH, or a path',
  }),
  limit: option(wholeAtLeast(1), { default: 10, type: 'number', describe: 'Executions listed per job, revisions per service (newest first)' }),
  failedExecutionLogs: option(wholeAtLeast(0), {
    default: 5,
    type: 'number',
    describe: 'Failed executions whose log entries are read (the newest ones, over all jobs)',
  }),
  logLimit: option(wholeAtLeast(1), { default: 200, type: 'number', describe: 'Log entries read per failed execution' }),
  logFreshness: option(durationText('"7d" or "24h"'), { default: '7d', describe: 'How far back log entries are read' }),
  commandTimeoutMs: option(timerMs(), { default: 60_000, type: 'number', describe: 'Milliseconds each gcloud command may run' }),
});
export type CloudRunOptions = OptionValues<typeof cloudrunOptions>;

export default defineCollector({
  name: 'cloudrun',
  description: 'Cloud Run (gcloud): services, jobs, latest executions and revisions (status, conditions, timeout, resources), logs of failed executions',
  defaultEnabled: true,
  timeoutMs: 5 * 60_000,
  options: cloudrunOptions,
  async applies(ctx) {
    const gcloud = await findProgram(ctx.options.gcloud, ctx.deps.env);
    if (!gcloud) return `${ctx.options.gcloud} is not on PATH (install the Google Cloud CLI to collect Cloud Run)`;
    const target = await resolveTarget(ctx, gcloud);
    return typeof target === 'string' ? target : true;
  },
  async *collect(ctx) {
    const gcloud = await findProgram(ctx.options.gcloud, ctx.deps.env);
    if (!gcloud) throw new Error(`${ctx.options.gcloud} is not on PATH`);
    const target = await resolveTarget(ctx, gcloud);
    if (typeof target === 'string') throw new Error(target);
    const { project, region } = target;
    yield fact('cloudrun', `project ${project.value}, region ${region.value}`);
    const o = ctx.options;
    const scope = ['--project', project.value, '--region', region.value, '--format=json'];
    const call = (args: readonly string[]): Promise<GcloudResult> => gcloudJson(ctx, gcloud, args);
    const failures: string[] = [];

    const [services, jobs] = await Promise.all([call(['run', 'services', 'list', ...scope]), call(['run', 'jobs', 'list', ...scope])]);
    for (const [what, r] of [
      [CLOUDRUN_FILES.services, services],
      [CLOUDRUN_FILES.jobs, jobs],
    ] as const) {
      if (r.ok) {
        declareEnvSecrets(ctx, r.value);
        yield json(what, r.value);
      } else {
        failures.push(r.reason);
        yield problem(`${FOLDER.cloudrun}/${what}`, r.reason);
      }
    }
    if (!services.ok && !jobs.ok) {
      // Nothing could be listed: the same cause (credentials, permission, API) stops everything else.
      throw new Error(services.cause === jobs.cause ? `gcloud run services list and jobs list: ${services.cause}` : `${services.reason}; ${jobs.reason}`);
    }

    const serviceList = services.ok ? asList(services.value) : [];
    const jobList = jobs.ok ? asList(jobs.value) : [];
    const serviceSummaries: Json[] = [];
    for (const s of serviceList) {
      const name = nameOf(s);
      if (!name) continue;
      const file = folderName(name);
      const described = await call(['run', 'services', 'describe', name, ...scope]);
      let doc = s;
      if (described.ok) {
        declareEnvSecrets(ctx, described.value);
        doc = isObject(described.value) ? described.value : s;
        yield json(CLOUDRUN_FILES.service(file), described.value);
      } else yield problem(CLOUDRUN.service(file), described.reason);
      const revisions = await call(['run', 'revisions', 'list', '--service', name, `--limit=${o.limit}`, '--sort-by=~metadata.creationTimestamp', ...scope]);
      if (revisions.ok) {
        declareEnvSecrets(ctx, revisions.value);
        yield json(CLOUDRUN_FILES.revisions(file), revisions.value);
      } else yield problem(CLOUDRUN.revisions(file), revisions.reason);
      serviceSummaries.push(serviceSummary(doc, revisions.ok ? asList(revisions.value) : []));
    }

    const jobSummaries: Json[] = [];
    const failed: { job: string; execution: string; created: string }[] = [];
    for (const j of jobList) {
      const name = nameOf(j);
      if (!name) continue;
      const file = folderName(name);
      const executions = await call([
        'run',
        'jobs',
        'executions',
        'list',
        '--job',
        name,
        `--limit=${o.limit}`,
        '--sort-by=~metadata.creationTimestamp',
        ...scope,
      ]);
      let list: Json[] = [];
      if (executions.ok) {
        declareEnvSecrets(ctx, executions.value);
        list = newestFirst(asList(executions.value));
        yield json(CLOUDRUN_FILES.executions(file), executions.value);
      } else yield problem(CLOUDRUN.executions(file), executions.reason);
      for (const e of list) {
        const ename = nameOf(e);
        if (ename && executionState(e) === 'failed') failed.push({ job: name, execution: ename, created: createdAt(e) ?? '' });
      }
      jobSummaries.push(jobSummary(j, list[0]));
    }

    // Log entries of the newest failed executions: what the task printed before it failed.
    failed.sort((a, b) => b.created.localeCompare(a.created));
    const logsRead: Json[] = [];
    for (const f of failed.slice(0, o.failedExecutionLogs)) {
      const filter = [
        'resource.type="cloud_run_job"',
        `resource.labels.job_name="${f.job}"`,
        `resource.labels.location="${region.value}"`,
        `labels."run.googleapis.com/execution_name"="${f.execution}"`,
      ].join(' AND ');
      // `logging read` has no --region: the location is part of the filter.
      const r = await call(['logging', 'read', filter, '--project', project.value, `--limit=${o.logLimit}`, `--freshness=${o.logFreshness}`, '--format=json']);
      const path = CLOUDRUN_FILES.logs(folderName(f.execution));
      if (r.ok) {
        const entries = asList(r.value);
        yield text(path, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
        logsRead.push({ job: f.job, execution: f.execution, entries: entries.length, file: `${FOLDER.cloudrun}/${path}` });
      } else {
        failures.push(r.reason);
        yield problem(`${FOLDER.cloudrun}/${path}`, r.reason);
      }
    }
    if (failed.length > o.failedExecutionLogs) {
      yield problem(CLOUDRUN.logsDir, `${failed.length} failed executions; log entries were read for the newest ${o.failedExecutionLogs} only`);
    }

    yield json(CLOUDRUN_FILES.summary, {
      project: project.value,
      projectFrom: project.from,
      region: region.value,
      regionFrom: region.from,
      services: serviceSummaries,
      jobs: jobSummaries,
      failedExecutions: failed,
      logs: logsRead,
    });
  },
});
