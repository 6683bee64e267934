// Room: report (src/report/) — may import core, bundle, analyzers (the rule: tests/architecture.test.ts).
/** What `diff` reports (its result types) and how it reads one file of a bundle (split from src/report/diff.ts). */
import type { LoadedBundle } from './inspect.js';
import type { Severity } from '../core/types.js';

/** When a resource change counts as a difference (smaller ones are listed, not counted). */
export const RESOURCE_THRESHOLDS = {
  /** Used space of a filesystem moved by at least this fraction of its size. */
  diskFraction: 0.05,
  /** Used memory (or swap) moved by at least this fraction of the total. */
  memoryFraction: 0.1,
  /** Docker disk use (images, containers, volumes, build cache) moved by at least this many bytes. */
  dockerBytes: 1024 ** 3,
} as const;

/** The parts of a container `diff` compares. */
export interface ContainerFacts {
  readonly id: string;
  readonly image: string;
  readonly imageId: string | null;
  readonly state: string;
  readonly exitCode: number | null;
  readonly oomKilled: boolean | null;
  readonly restartCount: number | null;
  readonly health: string | null;
}

/** One field of a container that changed. `state` carries state, exit code and OOM-kill together. */
export type ContainerFieldChange =
  | { readonly field: 'id' | 'image' | 'imageId' | 'health'; readonly old: string | null; readonly new: string | null }
  | { readonly field: 'restartCount'; readonly old: number | null; readonly new: number | null }
  | {
      readonly field: 'state';
      readonly old: Pick<ContainerFacts, 'state' | 'exitCode' | 'oomKilled'>;
      readonly new: Pick<ContainerFacts, 'state' | 'exitCode' | 'oomKilled'>;
    };

export type ContainerChange =
  | { readonly engine: string; readonly name: string; readonly kind: 'appeared' | 'disappeared'; readonly container: ContainerFacts }
  | { readonly engine: string; readonly name: string; readonly kind: 'changed'; readonly changes: readonly ContainerFieldChange[] };

/** A version (engine, Django, Python, a tool, an environment fact) that differs; null = absent. */
export interface VersionChange {
  readonly what: string;
  readonly old: string | null;
  readonly new: string | null;
}

export interface MigrationChange {
  readonly app: string;
  readonly name: string;
  /** `added`/`removed`: the migration file; `applied`/`unapplied`: its state in the database. */
  readonly change: 'added' | 'removed' | 'applied' | 'unapplied';
}

export interface FindingRef {
  readonly id: string;
  readonly subject: string | null;
  readonly severity: Severity;
  readonly title: string;
}

export interface JobCountChange {
  readonly status: string;
  readonly old: number;
  readonly new: number;
  readonly delta: number;
}

export interface ResourceChange {
  readonly kind: 'disk' | 'memory' | 'docker';
  /** A mount point, `memory`/`swap`, or `<engine> images|containers|volumes|build cache`. */
  readonly subject: string;
  /**
   * `used` (memory: total - available, so page cache does not count), `available`, `used+cache`
   * (memory as systeminformation's `used`, with buffers/cache), docker: `size`. `available` and
   * `used+cache` are listed for information and never counted. null = absent on that side.
   */
  readonly metric: 'used' | 'available' | 'used+cache' | 'size';
  readonly old: number | null;
  readonly new: number | null;
  readonly delta: number;
  /** Counted as a difference (see RESOURCE_THRESHOLDS). */
  readonly significant: boolean;
}

/** A part that could not be compared, and why. Not counted as a difference. */
export interface NotComparable {
  readonly section: string;
  readonly reason: string;
}

/** The result of `diff`; `--json` prints exactly this. */
export interface BundleDiff {
  readonly old: BundleRef;
  readonly new: BundleRef;
  /** How many differences were found (resource changes only when significant). 0 = the same. */
  readonly differences: number;
  readonly containers: readonly ContainerChange[];
  readonly versions: readonly VersionChange[];
  readonly migrations: readonly MigrationChange[];
  readonly findings: { readonly new: readonly FindingRef[]; readonly resolved: readonly FindingRef[] };
  readonly jobs: readonly JobCountChange[];
  readonly resources: readonly ResourceChange[];
  readonly notComparable: readonly NotComparable[];
  /** Remarks about the pair (different hosts, OLD newer than NEW, files skipped by --latest). */
  readonly notes: readonly string[];
}

export interface BundleRef {
  readonly file: string;
  readonly bundle: string;
  readonly host: string;
  readonly startedAt: string;
}

export const ref = (b: LoadedBundle): BundleRef => ({
  file: b.file,
  bundle: b.manifest.bundle,
  host: b.manifest.host?.hostname ?? 'unknown',
  startedAt: b.manifest.startedAt,
});

/** A JSON file of a bundle, or undefined when absent or not JSON. */
export function json<T>(b: LoadedBundle, path: string): T | undefined {
  const t = b.texts.get(path);
  if (t === undefined) return undefined;
  try {
    return JSON.parse(t) as T;
  } catch {
    return undefined;
  }
}

/** Whether a collector ran (ok or failed) in a bundle. */
export const ran = (b: LoadedBundle, name: string): boolean => b.manifest.collectors.some((c) => c.name === name && c.status !== 'skipped');
export const side = (b: LoadedBundle, a: LoadedBundle): string => (b === a ? 'OLD' : 'NEW');

/** When a file is in one bundle only: a not-comparable note; undefined when in both or in neither. */
export function oneSided(a: LoadedBundle, b: LoadedBundle, path: string, section: string, out: NotComparable[]): 'both' | 'none' | 'one' {
  const inA = a.texts.has(path);
  const inB = b.texts.has(path);
  if (inA && inB) return 'both';
  if (!inA && !inB) return 'none';
  const missing = inA ? b : a;
  out.push({
    section,
    reason: `${path} is only in ${side(inA ? a : b, a)}${ran(missing, path.split('/')[0]!) ? '' : ` (the ${path.split('/')[0]} collector did not run for ${side(missing, a)})`}`,
  });
  return 'one';
}
