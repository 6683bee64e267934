// Room: report (src/report/) — may import core, bundle, analyzers (the rule: tests/architecture.test.ts).
/**
 * What report.html shows, read from a bundle view (the bundle being written, or a finished one): the
 * same redacted data ISSUE.md and the analyzers read, never raw collector output. Building the model
 * is separate from rendering it, so the page (src/report/html/page.ts) is a pure function of this data.
 */
import type { BundleView, Finding } from '../../core/types.js';
import { DEFAULT_PENDING_THRESHOLD_MS } from '../../../analyzers/jobs.js';
import { containersOf, eventsOf, logsOf } from './model-docker.js';
import { djangoOf, gaugesOf, jobsOf } from './model-host.js';
import type { ReportModel } from './types.js';

export type * from './types.js';

export interface ReportInput {
  readonly findings: readonly Finding[];
  readonly bundleFile?: string;
  readonly docsUrl?: string;
  /** Log lines kept per container (default 200); fewer when there are many containers. */
  readonly logLines?: number;
}

/** Reads everything report.html shows from the view. A file that is missing or malformed leaves its section empty. */
export async function buildReportModel(view: BundleView, input: ReportInput): Promise<ReportModel> {
  const m = view.manifest;
  const containers = await containersOf(view);
  const [events, jobs, gauges, django, logs] = await Promise.all([
    eventsOf(view, containers),
    jobsOf(view),
    gaugesOf(view),
    djangoOf(view),
    logsOf(view, containers, input.logLines ?? 200),
  ]);
  const started = Date.parse(m.startedAt);
  const finished = Date.parse(m.finishedAt);
  const times = [
    ...events.map((e) => e.time),
    ...jobs.flatMap((j) => [j.created, j.started, j.finished]).filter((t): t is number => t !== null),
    ...[started, finished].filter(Number.isFinite),
  ];
  const start = times.length ? Math.min(...times) : 0;
  const end = times.length ? Math.max(...times) : 0;
  return {
    manifest: m,
    bundleFile: input.bundleFile ?? `${m.bundle}.tar.gz`,
    findings: input.findings,
    containers,
    events,
    jobs: jobs.map((j) => ({
      ...j,
      stuck: j.status === 'pending' && j.created !== null && (Number.isFinite(started) ? started : end) - j.created > DEFAULT_PENDING_THRESHOLD_MS,
    })),
    gauges,
    django,
    logs,
    window: { start, end: end > start ? end : start + 1000 },
    ...(input.docsUrl ? { docsUrl: input.docsUrl } : {}),
  };
}
