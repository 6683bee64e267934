// Room: report (src/report/) — may import core, bundle, analyzers (the rule: tests/architecture.test.ts).
/** The data report.html shows (built by model.ts, drawn by page.ts): its own file so both sides import it without a cycle. */
import type { Finding, Manifest } from '../../core/types.js';
import type { ContainerRow } from '../../bundle/layout.js';

/** One container row of the table: the fields of containers.json it shows, and what the report adds. */
export interface ReportContainer
  extends Pick<ContainerRow, 'name' | 'id' | 'image' | 'state' | 'status' | 'exitCode' | 'oomKilled' | 'restartCount' | 'health' | 'startedAt' | 'finishedAt'> {
  readonly engine: string;
  /** `job NAME (id ID)` when the container carries a job label. */
  readonly job: string | null;
  readonly memoryLimit: number | null;
  readonly memoryUsage: number | null;
  /** The bundle path of its full log, when collected. */
  readonly logPath: string | null;
}

/** What a timeline mark stands for. */
export type EventKind = 'create' | 'start' | 'exit' | 'oom' | 'kill' | 'restart' | 'health' | 'stop';

/** One mark on the timeline. */
export interface TimelineEvent {
  /** The row it is drawn on: `engine/name` for a container. */
  readonly lane: string;
  /** Epoch milliseconds. */
  readonly time: number;
  readonly kind: EventKind;
  /** The hover text (exit code, signal, health state). */
  readonly detail: string;
  /** Drawn as trouble: a non-zero exit, an OOM kill, a kill, unhealthy. */
  readonly bad: boolean;
}

/** A container_manager job's lifetime, from created to finished (or to the collection when it is not). */
export interface JobSpan {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly created: number | null;
  readonly started: number | null;
  readonly finished: number | null;
  readonly exitCode: number | null;
  readonly error: string | null;
  /** Pending longer than the analyzers' threshold at collection time. */
  readonly stuck: boolean;
}

/** A used/total gauge (a filesystem, memory, Docker's data root). */
export interface Gauge {
  readonly label: string;
  readonly used: number;
  readonly total: number;
  readonly note: string;
}

export interface DjangoModel {
  readonly checks: readonly { readonly id: string; readonly level: string; readonly object: string | null; readonly message: string }[];
  readonly migrations: readonly { readonly app: string; readonly applied: number; readonly unapplied: readonly string[] }[];
  readonly jobCounts: Readonly<Record<string, number>> | null;
}

/** The last lines of one container's log. */
export interface LogExcerpt {
  readonly lane: string;
  readonly path: string;
  readonly lines: readonly string[];
  /** Lines left out before the excerpt (the full file is in the bundle). */
  readonly cut: boolean;
}

export interface ReportModel {
  readonly manifest: Manifest;
  readonly bundleFile: string;
  readonly findings: readonly Finding[];
  readonly containers: readonly ReportContainer[];
  readonly events: readonly TimelineEvent[];
  readonly jobs: readonly JobSpan[];
  readonly gauges: readonly Gauge[];
  readonly django: DjangoModel | null;
  readonly logs: readonly LogExcerpt[];
  /** The collection window the timeline spans (epoch ms). */
  readonly window: { readonly start: number; readonly end: number };
  readonly docsUrl?: string;
}
