// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/** The cloudrun collector's reading of Cloud Run resources: summaries of services, jobs and executions, and their env secrets. */
import { isSecretKeyName } from '../../redaction/keys.js';
import type { CollectContext } from '../../src/core/types.js';

/** A resource as gcloud prints it (JSON). */
export type Json = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Shapes (Cloud Run Admin API v1 as gcloud prints it; v2 fields as a fallback)

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
export const asList = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : isObject(v) ? [v] : []);
const get = (v: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((o, k) => (isObject(o) || Array.isArray(o) ? (o as Record<string | number, unknown>)[k] : undefined), v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null);

export const nameOf = (r: Json): string | undefined => str(get(r, 'metadata', 'name')) ?? str(r['name'])?.split('/').pop() ?? undefined;
export const createdAt = (r: Json): string | undefined => str(get(r, 'metadata', 'creationTimestamp')) ?? str(r['createTime']) ?? undefined;
export const newestFirst = (list: Json[]): Json[] => [...list].sort((a, b) => (createdAt(b) ?? '').localeCompare(createdAt(a) ?? ''));

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

export function serviceSummary(s: Json, revisions: Json[]): Json {
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
    revisions: newestFirst(revisions).map((r) => ({
      name: nameOf(r) ?? null,
      created: createdAt(r) ?? null,
      ready: conditionStatus(conditions(r), 'Ready'),
      conditions: conditions(r),
    })),
  };
}

/** `succeeded`, `failed`, `cancelled` or `running`, from an execution's counts and Completed condition. */
export function executionState(e: Json): 'succeeded' | 'failed' | 'cancelled' | 'running' {
  const conds = conditions(e);
  const completed = conds.find((c) => c['type'] === 'Completed');
  const failedCount = num(get(e, 'status', 'failedCount')) ?? num(e['failedCount']) ?? 0;
  const cancelledCount = num(get(e, 'status', 'cancelledCount')) ?? num(e['cancelledCount']) ?? 0;
  if (completed?.['status'] === 'True' || completed?.['status'] === 'CONDITION_SUCCEEDED') return 'succeeded';
  if (completed?.['status'] === 'False' || completed?.['status'] === 'CONDITION_FAILED')
    return cancelledCount > 0 && failedCount === 0 ? 'cancelled' : 'failed';
  if (str(get(e, 'status', 'completionTime')) ?? str(e['completionTime'])) return failedCount > 0 ? 'failed' : cancelledCount > 0 ? 'cancelled' : 'succeeded';
  return 'running';
}

export function jobSummary(j: Json, latest: Json | undefined): Json {
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
export function declareEnvSecrets(ctx: CollectContext<object>, doc: unknown): void {
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
