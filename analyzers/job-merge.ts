// Room: analyzers (analyzers/) — may import core, bundle (the rule: tests/architecture.test.ts).
/**
 * One failure, one finding: a container finding (OOM-killed, exited non-zero) about a container that
 * ran a job a job finding already reports is folded into that job finding (its evidence added, its
 * title kept as a sentence of the summary) instead of being listed twice. Which job a container ran
 * comes from its labels (`django.container_manager.job_id`/`job_name`) or from the job's
 * `execution_id` naming the container (job-identity.ts). Likewise an engine finding (unreachable,
 * permission denied) about the engine of an executor host (`--executor-hosts`) is folded into the
 * host's executor-host-unreachable finding, which names the host the user knows.
 */
import type { AnalyzeOptions, BundleView, Finding, Severity } from '../src/core/types.js';
import { containerEntries } from './docker-data.js';
import { jobIdentity, sameJob, type JobIdentity } from './job-identity.js';
import { jobFindings, type JobFinding } from './jobs-failed.js';

/** Container findings that describe a job's failure when the container ran a job. */
export const CONTAINER_FAILURE_IDS: readonly string[] = ['container-oom-killed', 'container-exit-nonzero'];

const norm = (j: JobIdentity): JobIdentity => (j.id ? { ...j, id: j.id.toLowerCase().replace(/-/g, '') } : j);

/** The job identity of each container of the bundle (by finding subject `<engine>/<name>`). */
async function containerJobs(view: BundleView): Promise<Map<string, { identity?: JobIdentity; containers: string[] }>> {
  const out = new Map<string, { identity?: JobIdentity; containers: string[] }>();
  const endpoints = Array.isArray(view.manifest?.docker?.endpoints) ? view.manifest.docker.endpoints : [];
  for (const e of endpoints) {
    if (typeof e?.label !== 'string') continue;
    for (const c of (await containerEntries(view, e.label)).entries) {
      const identity = jobIdentity({ labels: c.row.labels, containerId: c.row.id, containerName: c.row.name });
      out.set(c.subject, { ...(identity ? { identity: norm(identity) } : {}), containers: [c.row.id, c.row.name].filter(Boolean) });
    }
  }
  return out;
}

/** The job finding a container finding belongs to, if any. */
function owner(c: { identity?: JobIdentity; containers: string[] }, jobs: readonly JobFinding[]): JobFinding | undefined {
  const asJob: JobIdentity = c.identity ?? { containers: c.containers, text: '' };
  return jobs.find((j) => j.jobs.some((id) => sameJob(asJob, norm(id))));
}

/**
 * `findings` with container findings of a job folded into the job's finding (found again by its id,
 * subject and title: the job analyzer is pure, so it gives the same findings for the same bundle).
 */
export async function mergeJobFindings(view: BundleView, options: AnalyzeOptions, findings: readonly Finding[]): Promise<Finding[]> {
  if (!findings.some((f) => CONTAINER_FAILURE_IDS.includes(f.id))) return [...findings];
  const jobs = await jobFindings(view, options);
  if (!jobs.length) return [...findings];
  const containers = await containerJobs(view);
  const merged = new Map<string, { finding: Finding; absorbed: Finding[] }>();
  const keyOf = (f: Finding): string => `${f.id}\0${f.subject ?? ''}\0${f.title}`;
  const dropped = new Set<Finding>();
  for (const f of findings) {
    if (!CONTAINER_FAILURE_IDS.includes(f.id) || !f.subject) continue;
    const c = containers.get(f.subject);
    const job = c && owner(c, jobs);
    if (!job) continue;
    const entry = merged.get(keyOf(job.finding)) ?? { finding: job.finding, absorbed: [] };
    entry.absorbed.push(f);
    merged.set(keyOf(job.finding), entry);
    dropped.add(f);
  }
  if (!dropped.size) return [...findings];
  return findings
    .filter((f) => !dropped.has(f))
    .map((f) => {
      const m = merged.get(keyOf(f));
      if (!m || !['job-oom-killed', 'job-timed-out', 'job-failed', 'jobs-failing-alike'].includes(f.id)) return f;
      const seen = new Set(f.evidence.map((e) => `${e.file}\0${e.line ?? ''}\0${e.excerpt}`));
      return {
        ...f,
        summary: `${f.summary} Its container says the same: ${m.absorbed.map((a) => `${a.title.replace(/\.$/, '')}.`).join(' ')}`,
        evidence: [...f.evidence, ...m.absorbed.flatMap((a) => a.evidence).filter((e) => !seen.has(`${e.file}\0${e.line ?? ''}\0${e.excerpt}`))],
      };
    });
}

/** Engine findings that describe why an executor host's engine did not answer. */
export const ENGINE_FAILURE_IDS: readonly string[] = ['docker-unreachable', 'docker-permission-denied'];
const RANK: Readonly<Record<Severity, number>> = { error: 0, warning: 1, info: 2 };

/**
 * `findings` with each engine finding about an executor host's engine (the manifest's endpoint source
 * `executor host "<name>"`) folded into that host's executor-host-unreachable finding: the more severe
 * of the two, both summaries, both remedies, all evidence.
 */
export function mergeExecutorHostFindings(view: BundleView, findings: readonly Finding[]): Finding[] {
  const endpoints = Array.isArray(view.manifest?.docker?.endpoints) ? view.manifest.docker.endpoints : [];
  const hostOfLabel = new Map<string, string>();
  for (const e of endpoints) {
    const m = typeof e?.source === 'string' ? /^executor host "(.*)"$/.exec(e.source) : null;
    if (m && typeof e.label === 'string') hostOfLabel.set(e.label, m[1]!);
  }
  if (!hostOfLabel.size) return [...findings];
  const hosts = new Map(findings.filter((f) => f.id === 'executor-host-unreachable' && f.subject).map((f) => [f.subject!, f] as const));
  const absorbed = new Map<Finding, Finding[]>();
  for (const f of findings) {
    const host = ENGINE_FAILURE_IDS.includes(f.id) && f.subject ? hostOfLabel.get(f.subject) : undefined;
    const target = host !== undefined ? hosts.get(host) : undefined;
    if (target) absorbed.set(target, [...(absorbed.get(target) ?? []), f]);
  }
  const dropped = new Set([...absorbed.values()].flat());
  return findings
    .filter((f) => !dropped.has(f))
    .map((f) => {
      const more = absorbed.get(f);
      if (!more) return f;
      const severity = [f.severity, ...more.map((m) => m.severity)].sort((a, b) => RANK[a] - RANK[b])[0]!;
      return {
        ...f,
        severity,
        summary: `${f.summary} ${more.map((m) => `${m.title.replace(/\.$/, '')}. ${m.summary}`).join(' ')}`.trim(),
        remedy: [f.remedy, ...more.map((m) => m.remedy)].join('\n'),
        evidence: [...f.evidence, ...more.flatMap((m) => m.evidence)],
      };
    });
}
