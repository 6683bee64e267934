// Room: analyzers (analyzers/) — may import core, bundle (the rule: tests/architecture.test.ts).
/**
 * Failed container_manager jobs as findings: one per job (named by the job, with its exit code's meaning,
 * the traceback or last log lines, OOM, retries and timeouts), or one per kind of failure when many jobs
 * of one image failed the same way; and running jobs far past their timeout. Read by job-failures.ts
 * from the rows the Django probe kept, so a failure is reported even when its container is gone.
 */
import type { AnalyzeOptions, Analyzer, BundleView, Evidence, Finding } from '../src/core/types.js';
import { formatBytes } from '../src/core/units.js';
import { evidenceList, humanDuration, plural, str } from './django-evidence.js';
import { exitMeaning, fieldEvidence, readJobs, sinceWindow, type JobFailure, type OverdueJob } from './job-failures.js';
import type { JobIdentity } from './job-identity.js';
import { analysisNow } from './jobs.js';
import { finding } from './finding.js';

/** As many jobs failing the same way become one finding. */
export const GROUP_MIN = 3;
/** Jobs a grouped finding names. */
const GROUP_LISTED = 5;
/** Most single-job findings; the rest are counted in the last one. */
const MAX_SINGLE = 20;
const LINE_MAX = 240;

/** The finding ids of this analyzer (job-merge.ts folds container findings into them). */
export const JOB_FINDING_IDS = ['job-oom-killed', 'job-timed-out', 'job-failed', 'jobs-failing-alike', 'job-running-past-timeout'] as const;

/** A finding with the jobs it is about (for the merge with container findings). */
export interface JobFinding {
  readonly finding: Finding;
  readonly jobs: readonly JobIdentity[];
}

/** Digits, hex ids and quoted values made alike, so "timeout after 31 s" and "after 30 s" group together. */
export const signatureKey = (s: string | undefined): string =>
  (s ?? '')
    .replace(/\b[0-9a-f]{8,}\b/gi, '#')
    .replace(/\d+/g, 'N')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);

const short = (s: string, max = 120): string => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
const capLines = (text: string): string =>
  text
    .split('\n')
    .map((l) => short(l, LINE_MAX))
    .join('\n');

function blockEvidence(f: JobFailure): Evidence | undefined {
  if (!f.block) return undefined;
  return fieldEvidence(f.source, f.block.field, undefined, capLines(f.block.text));
}

function jobTitle(f: JobFailure): string {
  const code = f.exitCode !== undefined ? `exit code ${f.exitCode}` : `status ${f.status}`;
  const retries = f.retries?.exhausted ? `; retries exhausted (${f.retries.count} of ${f.retries.max})` : '';
  if (f.kind === 'oom') {
    const mem = f.memory.limitBytes
      ? ` (limit ${formatBytes(f.memory.limitBytes)}${f.memory.peakBytes ? `, peak ${formatBytes(f.memory.peakBytes)}` : ''})`
      : '';
    return `Job ${idText(f.identity)} was OOM-killed${mem}, ${code}${retries}`;
  }
  if (f.kind === 'timeout')
    return `Job ${idText(f.identity)} timed out${f.timeoutSeconds ? ` after its ${humanDuration(f.timeoutSeconds * 1000)} limit` : ''}, ${code}${retries}`;
  return `Job ${idText(f.identity)} failed with ${code}${f.signature ? `: ${short(f.signature)}` : ''}${retries}`;
}

/** `bulk-loader (id 42)`. */
const idText = (j: JobIdentity): string => j.text.replace(/^job /, '');

function jobSummary(f: JobFailure): string {
  const parts: string[] = [];
  const image = f.image ? ` (image ${f.image})` : '';
  parts.push(
    `Job ${idText(f.identity)}${image} ended with status ${f.status || 'unknown'}${f.exitCode !== undefined ? ` and exit code ${f.exitCode}: ${exitMeaning(f.exitCode)}` : ''}.`,
  );
  if (f.kind === 'oom')
    parts.push(
      `Its memory limit was ${f.memory.limitBytes ? formatBytes(f.memory.limitBytes) : 'not recorded'}${f.memory.peakBytes ? ` and its peak usage ${formatBytes(f.memory.peakBytes)}` : ''}: the kernel killed it for using all of it.`,
    );
  else if (f.exitCode === 137) parts.push('Nothing on the row says it ran out of memory (no peak near a limit): look for a timeout or a manual kill too.');
  if (f.kind === 'timeout' && f.timeoutSeconds)
    parts.push(`Its limit was ${humanDuration(f.timeoutSeconds * 1000)}${f.runSeconds !== undefined ? `; it ran ${humanDuration(f.runSeconds * 1000)}` : ''}.`);
  if (f.retries)
    parts.push(
      f.retries.exhausted
        ? `It was retried ${f.retries.count} of ${f.retries.max} times: no retry is left, so it stays failed until someone re-queues it.`
        : `It was retried ${f.retries.count} of ${f.retries.max} times so far.`,
    );
  if (f.block) parts.push(`The ${f.block.field} on the job's row shows why (quoted below; the container itself may be gone).`);
  return parts.join(' ');
}

function jobRemedy(f: JobFailure): string {
  const steps: string[] = [];
  if (f.kind === 'oom')
    steps.push(
      'Give the job more memory (its memory_limit, in MB) or make it use less: process the input in smaller batches, stream instead of loading everything.',
      'Compare the peak usage with the limit across runs: a steady climb is a leak, a jump is one large input.',
    );
  else if (f.kind === 'timeout')
    steps.push(
      'Find out where the time went: the last lines of its log, a slow query or an external call that hangs.',
      'Raise timeout_seconds only when the work really takes that long; split it otherwise.',
    );
  else if (f.block?.text.includes('Traceback'))
    steps.push('Fix the exception in the traceback: the last frame is where it was raised, the line below the frames says what went wrong.');
  else if (f.exitCode === 127 || f.exitCode === 126) steps.push('Check the command and the image: the program is missing or not executable in that image.');
  else if (f.exitCode === 125)
    steps.push('Docker could not start the container: check the image name, volumes and the executor host (see its Docker findings).');
  else steps.push("Read the job's full log in the Django admin (stderr_log, docker_log) and fix what it reports.");
  if (f.retries?.exhausted) steps.push('Once fixed, re-queue the job (a change to production data: do it deliberately, e.g. in the Django admin).');
  steps.push(`Collect a bundle of this job alone with \`collect-bundle --job ${f.identity.id ?? '<id>'}\` for its record, containers and events.`);
  return steps.join('\n');
}

function jobEvidence(f: JobFailure): Evidence[] {
  return evidenceList([
    blockEvidence(f),
    fieldEvidence(f.source, 'exit_code', f.exitCode),
    fieldEvidence(f.source, 'status', str(f.row['status'])),
    ...(f.kind === 'oom' ? [fieldEvidence(f.source, 'memory_limit'), fieldEvidence(f.source, 'max_memory_usage')] : []),
    ...(f.kind === 'timeout' ? [fieldEvidence(f.source, 'timeout_seconds')] : []),
    ...(f.retries ? [fieldEvidence(f.source, 'retry_count'), fieldEvidence(f.source, 'max_retries')] : []),
    f.block?.field !== 'last_error' ? fieldEvidence(f.source, 'last_error') : undefined,
  ]);
}

function jobFinding(f: JobFailure): Finding {
  return finding({
    id: f.kind === 'oom' ? 'job-oom-killed' : f.kind === 'timeout' ? 'job-timed-out' : 'job-failed',
    severity: 'error',
    subject: `job:${f.identity.id ?? f.identity.name}`,
    title: jobTitle(f),
    summary: jobSummary(f),
    evidence: jobEvidence(f),
    remedy: jobRemedy(f),
  });
}

function groupFinding(jobs: readonly JobFailure[], sinceText: string): Finding {
  const first = jobs[0]!;
  const image = first.image ?? 'an unknown image';
  const codes = [...new Set(jobs.map((j) => j.exitCode).filter((c): c is number => c !== undefined))];
  const listed = jobs
    .slice(0, GROUP_LISTED)
    .map((j) => `${idText(j.identity)}${j.at ? ` at ${new Date(j.at).toISOString().slice(0, 16).replace('T', ' ')} UTC` : ''}`);
  const exhausted = jobs.filter((j) => j.retries?.exhausted).length;
  return finding({
    id: 'jobs-failing-alike',
    severity: 'error',
    subject: `jobs:${image}/${signatureKey(first.signature).slice(0, 60)}`,
    title: `${jobs.length} jobs of image ${image} failed with \`${short(first.signature ?? `exit code ${codes.join('/')}`)}\``,
    summary:
      `${jobs.length} jobs of image ${image} failed the same way within --since ${sinceText}` +
      `${codes.length ? ` (exit code ${codes.join(', ')}: ${exitMeaning(codes[0]!)})` : ''}. ` +
      `The newest: ${listed.join('; ')}${jobs.length > GROUP_LISTED ? `; and ${jobs.length - GROUP_LISTED} more` : ''}. ` +
      `${exhausted ? `${plural(exhausted, 'job')} used up ${exhausted === 1 ? 'its' : 'their'} retries. ` : ''}` +
      'One cause is behind them all: fix it once, rather than job by job.',
    evidence: evidenceList([blockEvidence(first), ...jobs.slice(0, GROUP_LISTED).map((j) => fieldEvidence(j.source, 'name', j.row['name']))]),
    remedy: [
      ...jobRemedy(first)
        .split('\n')
        .filter((l) => !l.startsWith('Collect a bundle')),
      'If the error names a service (a database, an API), check it first: many jobs failing alike usually means a shared dependency is down or misconfigured.',
    ].join('\n'),
  });
}

function overdueFinding(o: OverdueJob): Finding {
  const name = idText(o.identity);
  return finding({
    id: 'job-running-past-timeout',
    severity: 'warning',
    subject: `job:${o.identity.id ?? o.identity.name}`,
    title: `Job ${name} has been running for ${humanDuration(o.ageMs)}, past its ${humanDuration(o.timeoutSeconds * 1000)} timeout`,
    summary:
      `Job ${name} started ${humanDuration(o.ageMs)} ago and is still marked running, though its timeout_seconds is ${o.timeoutSeconds} (${humanDuration(o.timeoutSeconds * 1000)}). ` +
      'Either the process that enforces timeouts (the job processor) is not running, or the container hangs and nothing stopped it, or the container is gone and the row was never updated.',
    evidence: evidenceList([
      fieldEvidence(o.source, 'name', o.row['name']),
      fieldEvidence(o.source, 'timeout_seconds'),
      fieldEvidence(o.source, str(o.row['ageFrom']) ?? 'started_at'),
    ]),
    remedy: [
      'Check that the job processor (process_container_jobs) is running and harvesting: its log should show the job being checked.',
      `Look for the job's container on its executor host (\`docker ps --filter label=django.container_manager.job_id=${o.identity.id ?? '<id>'}\`): still running means it hangs, missing means the row is stale.`,
      'Do not edit the row while diagnosing; once the processor runs, it marks timed-out jobs itself.',
    ].join('\n'),
  });
}

/** Findings about failed and overdue jobs, with the jobs each is about. */
export async function jobFindings(view: BundleView, options: AnalyzeOptions): Promise<JobFinding[]> {
  const now = analysisNow(view, options);
  const { failures, overdue } = await readJobs(view, options, now);
  const groups = new Map<string, JobFailure[]>();
  for (const f of failures) {
    const key = `${f.image ?? ''}\0${f.kind}\0${signatureKey(f.signature ?? `exit ${f.exitCode ?? '?'}`)}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const out: JobFinding[] = [];
  let singles = 0;
  const sinceText = sinceWindow(view, now).text;
  for (const jobs of groups.values()) {
    if (jobs.length >= GROUP_MIN) out.push({ finding: groupFinding(jobs, sinceText), jobs: jobs.map((j) => j.identity) });
    else
      for (const j of jobs) {
        if (singles++ < MAX_SINGLE) out.push({ finding: jobFinding(j), jobs: [j.identity] });
      }
  }
  if (singles > MAX_SINGLE) {
    const last = out.filter((x) => x.finding.id !== 'jobs-failing-alike').pop();
    if (last)
      Object.assign(last, {
        finding: {
          ...last.finding,
          summary: `${last.finding.summary} ${singles - MAX_SINGLE} more failed jobs are not listed one by one (see django/container-manager.json).`,
        },
      });
  }
  for (const o of overdue) out.push({ finding: overdueFinding(o), jobs: [o.identity] });
  return out;
}

export const jobsFailedAnalyzer: Analyzer = {
  name: 'jobs-failed',
  description:
    'container_manager jobs that failed (exit code, traceback, OOM, retries, timeouts) within --since, grouped when many fail alike; jobs running far past their timeout',
  findingIds: [...JOB_FINDING_IDS],
  async analyze(view, options) {
    return (await jobFindings(view, options)).map((x) => x.finding);
  },
};
