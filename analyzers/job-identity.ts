// Room: analyzers (analyzers/) — may import core, bundle (the rule: tests/architecture.test.ts).
/**
 * Which container_manager job a container ran, or a job record names: one identity both sides can
 * compute, so a container finding says "job bulk-loader (id 42)" instead of Docker's random name, and a
 * merge step can tell that a container finding and a job finding are about the same failure.
 *
 * django-container-manager labels a job's container `django.container_manager.job_id` and
 * `django.container_manager.job_name`, and stores the container's id in the job's `execution_id` (its
 * name in `executor_metadata.container_name`). The other labels are older or hand-rolled conventions
 * (the same list as collectors/job.ts, which this room may not import).
 */
import { obj } from './finding.js';

/** Labels whose value is the job's id, most specific first. */
export const JOB_ID_LABELS = ['django.container_manager.job_id', 'container_manager.job_id', 'job_id', 'job-id'] as const;
/** Labels whose value is the job's name, most specific first. */
export const JOB_NAME_LABELS = ['django.container_manager.job_name', 'container_manager.job_name', 'job_name', 'job-name'] as const;
/** Job record fields that hold its container's id or name. */
const RECORD_CONTAINER_FIELDS = ['execution_id', 'container_id', 'container_name'] as const;

/** A job as both a container and a job record can name it. */
export interface JobIdentity {
  /** The job's id (as text: labels are text, and a record's number compares equal to its label). */
  readonly id?: string;
  /** The job's name, when known. */
  readonly name?: string;
  /** The container ids/names the job ran in (from a record), or the container itself (from labels). */
  readonly containers: readonly string[];
  /** `job bulk-loader (id 42)`, `job 42`, `job bulk-loader`: how findings name it. */
  readonly text: string;
}

/** Where the identity is read from: a container's labels (with its id and name), or a job record. */
export type JobSource =
  | { readonly labels: Readonly<Record<string, unknown>>; readonly containerId?: string; readonly containerName?: string }
  | { readonly record: Readonly<Record<string, unknown>> };

const text = (v: unknown): string | undefined => {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
};

function describe(id: string | undefined, name: string | undefined): string {
  if (id && name) return `job ${name} (id ${id})`;
  return `job ${name ?? id}`;
}

/**
 * The job a container ran (from its labels) or a job record is about; undefined when a container
 * carries no job label (it is not a job's container) or a record has neither id nor name.
 */
export function jobIdentity(source: JobSource): JobIdentity | undefined {
  if ('labels' in source) {
    const labels = obj(source.labels) ?? {};
    const id = JOB_ID_LABELS.map((k) => text(labels[k])).find((v) => v !== undefined);
    const name = JOB_NAME_LABELS.map((k) => text(labels[k])).find((v) => v !== undefined);
    if (id === undefined && name === undefined) return undefined;
    const containers = [source.containerId, source.containerName].filter((x): x is string => typeof x === 'string' && x !== '');
    return { ...(id ? { id } : {}), ...(name ? { name } : {}), containers, text: describe(id, name) };
  }
  const r = obj(source.record) ?? {};
  const id = text(r['id']) ?? text(r['pk']) ?? text(r['job_id']);
  const name = text(r['name']) ?? text(r['job_name']);
  if (id === undefined && name === undefined) return undefined;
  const refs: unknown[] = RECORD_CONTAINER_FIELDS.map((f) => r[f]);
  let meta: unknown = r['executor_metadata'];
  if (typeof meta === 'string') {
    try {
      meta = JSON.parse(meta) as unknown;
    } catch {
      meta = undefined;
    }
  }
  refs.push(obj(meta)?.['container_name'], obj(meta)?.['container_id']);
  const containers = [
    ...new Set(
      refs
        .map(text)
        .filter((x): x is string => x !== undefined)
        .map((x) => x.replace(/^\//, '')),
    ),
  ];
  return { ...(id ? { id } : {}), ...(name ? { name } : {}), containers, text: describe(id, name) };
}

/** Container ids match by a prefix of at least 12 hex digits (docker's short id); names exactly. */
function sameContainer(a: string, b: string): boolean {
  if (a === b) return true;
  const hex = /^[0-9a-f]{12,64}$/;
  return hex.test(a) && hex.test(b) && (a.startsWith(b) || b.startsWith(a));
}

/**
 * Whether two identities are the same job: equal ids, or (when either has no id) a shared container,
 * or equal names when nothing else is known. A container and a record with different ids never match.
 */
export function sameJob(a: JobIdentity, b: JobIdentity): boolean {
  if (a.id !== undefined && b.id !== undefined) return a.id === b.id;
  if (a.containers.some((x) => b.containers.some((y) => sameContainer(x, y)))) return true;
  return a.name !== undefined && a.name === b.name;
}
