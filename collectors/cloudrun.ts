// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * `cloudrun`: Cloud Run services and jobs of one project and region, through the gcloud CLI
 * (`--format=json`, read-only list/describe/read commands, each with its own timeout): services.json,
 * jobs.json, per service its description and latest revisions, per job its latest executions, recent
 * log entries of failed executions, and summary.json (status, conditions, timeout, resources per
 * service and job, and each job's latest execution).
 *
 * Runs when `gcloud` is on PATH and a project and region are known (options, CLOUDSDK_CORE_PROJECT /
 * CLOUDSDK_RUN_REGION, or `gcloud config get-value`); otherwise skipped with the reason. Authentication,
 * permission and API errors are recorded with the command that fixes them.
 */
import { access, constants } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { isSecretKeyName } from '../redaction/keys.js';
import { defineCollector, fact, json, problem, text } from '../src/core/artifacts.js';
import type { CollectContext, CommandResult } from '../src/core/types.js';
import { folderName } from './docker-containers.js';

export interface CloudRunOptions {
  /** Google Cloud project; unset: CLOUDSDK_CORE_PROJECT, else `gcloud config get-value project`. */
  readonly project?: string;
  /** Cloud Run region; unset: CLOUDSDK_RUN_REGION, else `gcloud config get-value run/region`. */
  readonly region?: string;
  /** The gcloud program: a name looked up on the run's PATH, or a path. */
  readonly gcloud: string;
  /** Timeout of each gcloud call, in ms. */
  readonly commandTimeoutMs: number;
  /** Executions listed per job, revisions per service (newest first). */
  readonly limit: number;
  /** Failed executions whose log entries are read (the newest ones), over all jobs. */
  readonly failedExecutionLogs: number;
  /** Log entries read per failed execution (`gcloud logging read --limit`). */
  readonly logLimit: number;
  /** How far back log entries are read (`gcloud logging read --freshness`). */
  readonly logFreshness: string;
}

/** Where a setting came from, for summary.json and the skip reason. */
interface Setting {
  readonly value: string;
  readonly from: string;
}

type Json = Record<string, unknown>;

export default defineCollector<CloudRunOptions>({
  name: 'cloudrun',
  description: 'Cloud Run (gcloud): services, jobs, latest executions and revisions (status, conditions, timeout, resources), logs of failed executions',
  defaultEnabled: true,
  timeoutMs: 5 * 60_000,
  defaults: { gcloud: 'gcloud', commandTimeoutMs: 60_000, limit: 10, failedExecutionLogs: 5, logLimit: 200, logFreshness: '7d' },
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

    const services = await call(['run', 'services', 'list', ...scope]);
    const jobs = await call(['run', 'jobs', 'list', ...scope]);
    for (const [what, r] of [['services.json', services], ['jobs.json', jobs]] as const) {
      if (r.ok) {
        declareEnvSecrets(ctx, r.value);
        yield json(what, r.value);
      } else {
        failures.push(r.reason);
        yield problem(`cloudrun/${what}`, r.reason);
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
        yield json(`services/${file}.json`, described.value);
      } else yield problem(`cloudrun/services/${file}.json`, described.reason);
      const revisions = await call(['run', 'revisions', 'list', '--service', name, `--limit=${o.limit}`, '--sort-by=~metadata.creationTimestamp', ...scope]);
      if (revisions.ok) {
        declareEnvSecrets(ctx, revisions.value);
        yield json(`revisions/${file}.json`, revisions.value);
      } else yield problem(`cloudrun/revisions/${file}.json`, revisions.reason);
      serviceSummaries.push(serviceSummary(doc, revisions.ok ? asList(revisions.value) : []));
    }

    const jobSummaries: Json[] = [];
    const failed: { job: string; execution: string; created: string }[] = [];
    for (const j of jobList) {
      const name = nameOf(j);
      if (!name) continue;
      const file = folderName(name);
      const executions = await call(['run', 'jobs', 'executions', 'list', '--job', name, `--limit=${o.limit}`, '--sort-by=~metadata.creationTimestamp', ...scope]);
      let list: Json[] = [];
      if (executions.ok) {
        declareEnvSecrets(ctx, executions.value);
        list = newestFirst(asList(executions.value));
        yield json(`executions/${file}.json`, executions.value);
      } else yield problem(`cloudrun/executions/${file}.json`, executions.reason);
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
      const path = `logs/${folderName(f.execution)}.jsonl`;
      if (r.ok) {
        const entries = asList(r.value);
        yield text(path, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
        logsRead.push({ job: f.job, execution: f.execution, entries: entries.length, file: `cloudrun/${path}` });
      } else {
        failures.push(r.reason);
        yield problem(`cloudrun/${path}`, r.reason);
      }
    }
    if (failed.length > o.failedExecutionLogs) {
      yield problem('cloudrun/logs', `${failed.length} failed executions; log entries were read for the newest ${o.failedExecutionLogs} only`);
    }

    yield json('summary.json', {
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

// ---------------------------------------------------------------------------------------------
// gcloud

type GcloudResult = { ok: true; value: unknown } | { ok: false; reason: string; cause: string };

/** Runs one read-only gcloud command and parses its JSON; a failure comes back as a one-line reason with the fix. */
async function gcloudJson(ctx: CollectContext<CloudRunOptions>, gcloud: string, args: readonly string[]): Promise<GcloudResult> {
  const r = await ctx.deps.exec.run(gcloud, args, { env: childEnv(ctx.deps.env), timeoutMs: ctx.options.commandTimeoutMs, maxBuffer: 32 * 1024 * 1024, recordStderr: true });
  const what = describeCall(args);
  const failed = (cause: string): GcloudResult => ({ ok: false, reason: `${what}: ${cause}`, cause });
  if (r.exitCode !== 0) return failed(explainGcloudFailure(r));
  try {
    return { ok: true, value: r.stdout.trim() ? JSON.parse(r.stdout) : [] };
  } catch (err) {
    return failed(`the output is not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** `gcloud run jobs executions list --job nightly`: the command words and the resource it is about. */
function describeCall(args: readonly string[]): string {
  const words: string[] = [];
  for (const a of args) {
    if (a.startsWith('-') || /[\s="]/.test(a)) break;
    words.push(a);
  }
  for (const flag of ['--job', '--service']) {
    const i = args.indexOf(flag);
    if (i !== -1 && args[i + 1]) words.push(flag, args[i + 1]!);
  }
  return `gcloud ${words.join(' ')}`;
}

/**
 * One line naming why a gcloud command failed and how to fix it. The texts matched are gcloud's own:
 * no active account, expired or revoked tokens, IAM denials, a disabled API. gcloud's own words are in
 * the manifest (the command's stderrTail).
 */
export function explainGcloudFailure(r: Pick<CommandResult, 'exitCode' | 'stderr' | 'timedOut' | 'error'>): string {
  if (r.timedOut) return 'timed out and was killed (is the network or a proxy slow? raise the cloudrun commandTimeoutMs option)';
  if (r.error) return r.error;
  const err = r.stderr;
  const first = lastErrorLine(err);
  if (/You do not currently have an active account selected/i.test(err)) return `no active gcloud account: run \`gcloud auth login\` (or \`gcloud auth activate-service-account --key-file=KEY.json\`) and retry`;
  if (/Reauthentication failed|There was a problem refreshing your current auth tokens|invalid_grant|reauth/i.test(err)) return `the gcloud credentials expired or were revoked: run \`gcloud auth login\` (and \`gcloud auth application-default login\` for application default credentials), then retry`;
  if (/SERVICE_DISABLED|has not been used in project .* before or it is disabled|API has not been used/i.test(err)) {
    const api = /([a-z]+\.googleapis\.com)/.exec(err)?.[1] ?? 'run.googleapis.com';
    return `the ${api} API is disabled in this project: run \`gcloud services enable ${api}\` (needs roles/serviceusage.serviceUsageAdmin)`;
  }
  if (/PERMISSION_DENIED|Permission '[^']+' denied|does not have permission|403/i.test(err)) {
    const perm = /Permission '([^']+)'/.exec(err)?.[1];
    const role = perm?.startsWith('logging.') ? 'roles/logging.viewer' : 'roles/run.viewer';
    return `permission denied${perm ? ` (${perm})` : ''}: grant the account ${role} on the project (gcloud projects add-iam-policy-binding PROJECT --member=user:YOU --role=${role})`;
  }
  if (/NOT_FOUND|could not be found|not found/i.test(err)) return `not found: check the project and region (--gcloud-project, --gcloud-region): ${first}`;
  return `exit code ${r.exitCode ?? 'none'}${first ? `: ${first}` : ''}`;
}

/** The most telling line of gcloud's stderr: the last `ERROR:` line, else the last non-empty one, shortened. */
function lastErrorLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const line = [...lines].reverse().find((l) => l.startsWith('ERROR:')) ?? lines[lines.length - 1] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}...` : line;
}

/** The run's environment for gcloud, plus what keeps it from prompting. */
function childEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  out['CLOUDSDK_CORE_DISABLE_PROMPTS'] = '1';
  return out;
}

/** Finds a program on the run's PATH (or checks a path); undefined when it is not there. */
export async function findProgram(name: string, env: Readonly<Record<string, string | undefined>>): Promise<string | undefined> {
  const candidates = name.includes('/') ? [isAbsolute(name) ? name : join(process.cwd(), name)] : (env['PATH'] ?? '').split(delimiter).filter(Boolean).map((d) => join(d, name));
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK);
      return c;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Project and region: option, else environment, else gcloud's configuration; or why they are unknown. */
async function resolveTarget(ctx: CollectContext<CloudRunOptions>, gcloud: string): Promise<{ project: Setting; region: Setting } | string> {
  const get = async (option: string | undefined, envName: string, property: string): Promise<Setting | undefined> => {
    if (option) return { value: option, from: 'option' };
    const fromEnv = ctx.deps.env[envName];
    if (fromEnv) return { value: fromEnv, from: envName };
    const r = await ctx.deps.exec.run(gcloud, ['config', 'get-value', property], { env: childEnv(ctx.deps.env), timeoutMs: Math.min(ctx.options.commandTimeoutMs, 15_000) });
    // Unset, gcloud prints nothing on stdout and "(unset)" on stderr.
    const value = r.exitCode === 0 ? r.stdout.trim().split('\n').pop()?.trim() : undefined;
    return value && value !== '(unset)' ? { value, from: `gcloud config ${property}` } : undefined;
  };
  const project = await get(ctx.options.project, 'CLOUDSDK_CORE_PROJECT', 'project');
  const region = await get(ctx.options.region, 'CLOUDSDK_RUN_REGION', 'run/region');
  const missing = [
    ...(project ? [] : ['no project (--gcloud-project, CLOUDSDK_CORE_PROJECT or `gcloud config set project ID`)']),
    ...(region ? [] : ['no region (--gcloud-region, CLOUDSDK_RUN_REGION or `gcloud config set run/region REGION`)']),
  ];
  if (!project || !region) return `Cloud Run not configured: ${missing.join(' and ')}`;
  return { project, region };
}

// ---------------------------------------------------------------------------------------------
// Shapes (Cloud Run Admin API v1 as gcloud prints it; v2 fields as a fallback)

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const asList = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : isObject(v) ? [v] : []);
const get = (v: unknown, ...path: (string | number)[]): unknown => path.reduce<unknown>((o, k) => (isObject(o) || Array.isArray(o) ? (o as Record<string | number, unknown>)[k] : undefined), v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null);

const nameOf = (r: Json): string | undefined => str(get(r, 'metadata', 'name')) ?? str(r['name'])?.split('/').pop() ?? undefined;
const createdAt = (r: Json): string | undefined => str(get(r, 'metadata', 'creationTimestamp')) ?? str(r['createTime']) ?? undefined;
const newestFirst = (list: Json[]): Json[] => [...list].sort((a, b) => (createdAt(b) ?? '').localeCompare(createdAt(a) ?? ''));

/** `status.conditions` (v1) or `conditions` + `terminalCondition` (v2), reduced to what a reader needs. */
function conditions(r: Json): Json[] {
  const list = [...asList(get(r, 'status', 'conditions')), ...asList(r['terminalCondition']), ...asList(r['conditions'])];
  return list.map((c) => ({
    type: c['type'] ?? null,
    status: c['status'] ?? c['state'] ?? null,
    ...(c['reason'] ? { reason: c['reason'] } : {}),
    ...(c['message'] ? { message: c['message'] } : {}),
    ...(c['lastTransitionTime'] ? { lastTransitionTime: c['lastTransitionTime'] } : {}),
    ...(c['severity'] ? { severity: c['severity'] } : {}),
  }));
}

const conditionStatus = (list: Json[], type: string): string | null => str(list.find((c) => c['type'] === type)?.['status']);

/** Container image and resource limits of a pod-like spec (v1 `containers`, v2 the same key). */
function containers(spec: unknown): Json[] {
  return asList(get(spec, 'containers')).map((c) => ({
    image: c['image'] ?? null,
    resources: get(c, 'resources', 'limits') ?? null,
    ...(get(c, 'resources', 'cpuIdle') !== undefined ? { cpuIdle: get(c, 'resources', 'cpuIdle') } : {}),
  }));
}

/** `300`, or v2's `"300s"`, in seconds. */
function seconds(v: unknown): number | null {
  const n = num(v);
  if (n !== null) return n;
  const m = typeof v === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(v) : null;
  return m ? Number(m[1]) : null;
}

function serviceSummary(s: Json, revisions: Json[]): Json {
  const spec = get(s, 'spec', 'template', 'spec') ?? get(s, 'template');
  const conds = conditions(s);
  return {
    name: nameOf(s) ?? null,
    url: get(s, 'status', 'url') ?? s['uri'] ?? null,
    ready: conditionStatus(conds, 'Ready'),
    conditions: conds,
    latestReadyRevision: get(s, 'status', 'latestReadyRevisionName') ?? s['latestReadyRevision'] ?? null,
    latestCreatedRevision: get(s, 'status', 'latestCreatedRevisionName') ?? s['latestCreatedRevision'] ?? null,
    timeoutSeconds: seconds(get(spec, 'timeoutSeconds') ?? get(spec, 'timeout')),
    containerConcurrency: get(spec, 'containerConcurrency') ?? get(spec, 'maxInstanceRequestConcurrency') ?? null,
    serviceAccount: get(spec, 'serviceAccountName') ?? get(spec, 'serviceAccount') ?? null,
    containers: containers(spec),
    revisions: newestFirst(revisions).map((r) => ({ name: nameOf(r) ?? null, created: createdAt(r) ?? null, ready: conditionStatus(conditions(r), 'Ready'), conditions: conditions(r) })),
  };
}

/** `succeeded`, `failed`, `cancelled` or `running`, from an execution's counts and Completed condition. */
export function executionState(e: Json): 'succeeded' | 'failed' | 'cancelled' | 'running' {
  const conds = conditions(e);
  const completed = conds.find((c) => c['type'] === 'Completed');
  const failedCount = num(get(e, 'status', 'failedCount')) ?? num(e['failedCount']) ?? 0;
  const cancelledCount = num(get(e, 'status', 'cancelledCount')) ?? num(e['cancelledCount']) ?? 0;
  if (completed?.['status'] === 'True' || completed?.['status'] === 'CONDITION_SUCCEEDED') return 'succeeded';
  if (completed?.['status'] === 'False' || completed?.['status'] === 'CONDITION_FAILED') return cancelledCount > 0 && failedCount === 0 ? 'cancelled' : 'failed';
  if (str(get(e, 'status', 'completionTime')) ?? str(e['completionTime'])) return failedCount > 0 ? 'failed' : cancelledCount > 0 ? 'cancelled' : 'succeeded';
  return 'running';
}

function jobSummary(j: Json, latest: Json | undefined): Json {
  const template = get(j, 'spec', 'template', 'spec') ?? get(j, 'template');
  const task = get(template, 'template', 'spec') ?? get(template, 'template');
  return {
    name: nameOf(j) ?? null,
    conditions: conditions(j),
    ready: conditionStatus(conditions(j), 'Ready'),
    taskCount: num(get(template, 'taskCount')),
    parallelism: num(get(template, 'parallelism')),
    maxRetries: num(get(task, 'maxRetries')),
    timeoutSeconds: seconds(get(task, 'timeoutSeconds') ?? get(task, 'timeout')),
    serviceAccount: get(task, 'serviceAccountName') ?? get(task, 'serviceAccount') ?? null,
    containers: containers(task),
    executionCount: num(get(j, 'status', 'executionCount')) ?? num(j['executionCount']),
    latestExecution: latest ? executionSummary(latest) : null,
  };
}

function executionSummary(e: Json): Json {
  const status = isObject(e['status']) ? e['status'] : e;
  return {
    name: nameOf(e) ?? null,
    state: executionState(e),
    created: createdAt(e) ?? null,
    startTime: status['startTime'] ?? null,
    completionTime: status['completionTime'] ?? null,
    taskCount: num(get(e, 'spec', 'taskCount')) ?? num(e['taskCount']),
    succeededCount: num(status['succeededCount']) ?? 0,
    failedCount: num(status['failedCount']) ?? 0,
    cancelledCount: num(status['cancelledCount']) ?? 0,
    retriedCount: num(status['retriedCount']) ?? 0,
    runningCount: num(status['runningCount']) ?? 0,
    conditions: conditions(e),
    logUri: status['logUri'] ?? null,
  };
}

/**
 * Cloud Run env is a list of `{name, value}` objects: a line rule sees the name and the value on
 * different lines. Values under secret-looking names are declared to the run, so the redactor removes
 * them wherever they appear (this file and every other).
 */
function declareEnvSecrets(ctx: CollectContext<CloudRunOptions>, doc: unknown): void {
  const walk = (v: unknown, depth: number): void => {
    if (depth > 40) return;
    if (Array.isArray(v)) for (const x of v) walk(x, depth + 1);
    else if (isObject(v)) {
      const name = v['name'];
      const value = v['value'];
      if (typeof name === 'string' && typeof value === 'string' && value && isSecretKeyName(name)) ctx.deps.secrets.add(value);
      for (const x of Object.values(v)) walk(x, depth + 1);
    }
  };
  walk(doc, 0);
}
