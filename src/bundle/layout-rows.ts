// Room: bundle (src/bundle/) — may import core, redaction (the rule: tests/architecture.test.ts).
/**
 * The shapes of the rows and documents a bundle's files hold (re-exported by layout.ts, the bundle
 * contract): writers build them, readers (analyzers, `diff`, `inspect`) read them, so a renamed field
 * breaks the build of both sides.
 */

/** One row of docker/<engine>/containers.json: what analyzers and `diff` read. */
export interface ContainerRow {
  readonly name: string;
  readonly id: string;
  readonly image: string;
  /** created, running, paused, restarting, removing, exited, dead */
  readonly state: string;
  /** `docker ps` status text, e.g. "Exited (137) 2 minutes ago". */
  readonly status: string;
  readonly exitCode: number | null;
  readonly oomKilled: boolean | null;
  readonly restartCount: number | null;
  /** starting, healthy, unhealthy; null without a health check. */
  readonly health: string | null;
  /** The engine's error for the container (e.g. a failed start), if any. */
  readonly error: string | null;
  readonly created: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly memoryLimitBytes: number | null;
  readonly logDriver: string | null;
  readonly tty: boolean | null;
  readonly labels: Readonly<Record<string, string>>;
  /** Whether containers/<name>/ was collected (inspect, logs, stats). */
  readonly collected: boolean;
  /** Why it was not, when it was not. */
  readonly notCollected: string | null;
}

/** What docker/engines.json says about one engine. */
export interface EngineOutcome {
  readonly label: string;
  readonly url: string;
  readonly source: string;
  status: 'ok' | 'partial' | 'failed';
  reason?: string;
  serverVersion?: string;
  apiVersion?: string;
  containers: { listed: number; selected: number; collected: number; excluded: number };
  durationMs: number;
}

/** docker/engines.json. */
export interface EnginesFile {
  readonly options: Readonly<Record<string, unknown>>;
  readonly engines: readonly EngineOutcome[];
}

/** system/versions.json: each tool's version or why there is none. */
export type ToolVersionsFile = Record<string, { version?: string; path?: string; output?: string; error?: string } | undefined>;

/** One row of system/filesystems.json. */
export interface FilesystemRow {
  mount?: string;
  type?: string;
  readWrite?: boolean;
  sizeBytes?: number;
  usedBytes?: number;
  availableBytes?: number;
}

/** system/memory.json (the fields readers use). */
export interface MemoryFile {
  totalBytes?: number;
  usedBytes?: number;
  availableBytes?: number;
  swapTotalBytes?: number;
  swapUsedBytes?: number;
}

/** django/container-manager.json (the fields readers use; each section may be `{ error }` instead). */
export interface ContainerManagerFile {
  installed?: boolean;
  jobs?: { error?: string; countsByStatus?: Record<string, number>; total?: number };
}

/** django/versions.json (the fields readers use). */
export interface DjangoVersionsFile {
  django?: { version?: string };
  python?: { version?: string };
}

/** django/migrations.json (the fields readers use): each app's migrations and whether they are applied. */
export interface MigrationsFile {
  readonly apps?: Record<string, readonly { readonly name: string; readonly applied: boolean | null }[]>;
}

/** docker/<engine>/df.json (`docker system df -v`; the fields readers use). */
export interface DockerDfFile {
  LayersSize?: number;
  Containers?: { SizeRw?: number }[] | null;
  Volumes?: { UsageData?: { Size?: number } | null }[] | null;
  BuildCache?: { Size?: number }[] | null;
}

/** One row of compose/<engine>/containers.json's `containers`. */
export interface ComposeContainerRow {
  readonly name: string;
  readonly id: string;
  readonly service: string | null;
  readonly containerNumber: string | null;
  readonly image: string;
  readonly state: string;
  readonly status: string;
  readonly exitCode: number | null;
  readonly oomKilled: boolean | null;
  readonly health: string | null;
  readonly restartCount: number | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly workingDir: string | null;
  readonly configFiles: string | null;
}
