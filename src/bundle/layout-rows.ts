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
  /**
   * How the containers' logs were read: `files`, from a local engine's json-file logs (the same bytes
   * the engine would send); `engine`, through the Engine API. Absent in bundles made before 0.x.
   */
  logs?: { files: number; engine: number };
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

/** compose/<engine>/containers.json: the compose project's containers on one engine. */
export interface ComposeContainersFile {
  readonly project: string;
  readonly engine: string;
  readonly containers: readonly ComposeContainerRow[];
  /** Services the compose files declare that have no container on this engine. */
  readonly servicesWithoutContainer: readonly string[];
  /** Services with a container on this engine that the compose files do not declare. */
  readonly servicesNotDeclared: readonly string[];
}

/**
 * One line of docker/<engine>/events.jsonl: an Engine event as the API sends it (`GET /events`), kept
 * byte for byte (noisy exec and attach events left out). Older engines also write `status`, `id` and
 * `from`; any field may be missing on another engine version, so readers check each.
 */
export interface DockerEventRow {
  /** container, image, network, volume, daemon, ... */
  readonly Type?: string;
  /** start, die, oom, kill, `health_status: unhealthy`, ... */
  readonly Action?: string;
  /** The object: its id, and attributes such as `name`, `image`, `exitCode`, `signal` (all strings). */
  readonly Actor?: { readonly ID?: string; readonly Attributes?: Readonly<Record<string, string>> };
  /** local or swarm. */
  readonly scope?: string;
  /** Seconds since the epoch. */
  readonly time?: number;
  /** Nanoseconds since the epoch. */
  readonly timeNano?: number;
  /** Older engines: the action. */
  readonly status?: string;
  /** Older engines: the object's id. */
  readonly id?: string;
  /** Older engines: a container's image. */
  readonly from?: string;
}

// ---------------------------------------------------------------------------------------------
// Django documents

/** A django probe section that raised: its one-line error and its (masked) traceback, in place of the section. */
export interface DjangoSectionError {
  readonly error: string;
  readonly traceback: string;
}

/** Where the django collector's interpreter choice came from, in discovery order. */
export type DjangoInterpreterSource = 'option' | 'uv' | 'virtual-env' | 'project-venv' | 'path';

/** django/interpreter.json: which Python ran the project and why, and whether it imports Django. */
export interface DjangoInterpreterFile {
  /** The directory holding manage.py, and how it was found. */
  readonly project: string;
  readonly projectFoundBy: string;
  /** The program and the arguments before the script (`uv run --no-sync python`), where it came from, and why. */
  readonly chosen: { readonly command: readonly string[]; readonly source: DjangoInterpreterSource; readonly reason: string };
  /** Candidates looked at before it, and why each was not taken. */
  readonly considered: readonly { readonly candidate: string; readonly skipped: string }[];
  /** The chosen interpreter, when it could be run. */
  readonly python?: {
    readonly executable: string;
    readonly realExecutable: string;
    readonly version: string;
    readonly implementation: string;
    readonly prefix: string;
    readonly basePrefix: string;
    readonly virtualEnv: boolean;
  };
  /** Django as the chosen interpreter imports it; null when it cannot (then `djangoImportError` says why). */
  readonly django?: { readonly version: string; readonly path: string } | null;
  readonly djangoImportError?: string | null;
  /** When the chosen one lacks Django: other interpreters on the machine and whether they import it. */
  readonly otherInterpreters?: readonly {
    readonly path: string;
    readonly python?: string;
    readonly executable?: string;
    readonly django?: string;
    readonly error?: string;
  }[];
  /** The chosen interpreter could not be run as Python (then there is no `python`). */
  readonly error?: string;
}

/** One database alias in django/databases.json: its settings (never the password) and the read-only connection test. */
export interface DjangoDatabaseRow {
  readonly alias: string;
  /** DATABASES[alias]["ENGINE"], e.g. django.db.backends.postgresql. */
  readonly engine: string | null;
  /** postgresql, mysql, sqlite, oracle. */
  readonly vendor: string;
  readonly name: string | null;
  readonly host: string | null;
  readonly port: string | null;
  readonly user: string | null;
  /** Whether a PASSWORD is set (its value is never written). */
  readonly passwordSet: boolean;
  /** OPTIONS, values under secret-looking names masked. */
  readonly options: Readonly<Record<string, unknown>>;
  readonly connMaxAge: number | null;
  readonly atomicRequests: boolean | null;
  /** The connection test (SELECT 1 in a rolled-back transaction) passed. */
  readonly reachable: boolean;
  /** A SQLite alias whose file does not exist: connecting would create it, so it was not tried. */
  readonly sqliteFileMissing?: boolean;
  readonly durationMs?: number;
  readonly serverVersion?: string;
  /** Why the test failed (one line, masked). */
  readonly error?: string;
}

/** django/databases.json. */
export interface DjangoDatabasesFile {
  /** How reachability was tested. */
  readonly method: string;
  /** Null when the probe gave no result. */
  readonly databases: readonly DjangoDatabaseRow[] | DjangoSectionError | null;
}

/** A system-check message as django/checks.json stores it (analyzers parse check.txt into the same shape). */
export interface DjangoCheckMessage {
  /** e.g. security.W018, models.E004. */
  readonly id: string;
  /** DEBUG, INFO, WARNING, ERROR, CRITICAL. */
  readonly level: string;
  readonly object: string | null;
  readonly message: string;
  readonly hint: string | null;
  /** Listed in SILENCED_SYSTEM_CHECKS. */
  readonly silenced: boolean;
}

/** One run of the system checks in django/checks.json. */
export interface DjangoCheckSummary {
  readonly messages: readonly DjangoCheckMessage[];
  /** Messages by level, silenced ones not counted. */
  readonly counts: Readonly<Record<string, number>>;
  readonly silenced: number;
}

/**
 * django/checks.json (null when the probe gave no result; the whole of it a {@link DjangoSectionError}
 * when the checks could not run): `manage.py check`, `check --deploy`, and the database-tagged checks
 * of the reachable aliases. Each part may be a section error of its own.
 */
/** One top-level `DEBUG = True|False` line in the settings module's package (django/settings-tree.json). */
export interface DjangoSettingsTreeRow {
  /** The module the file is (`mysite.settings_production`). */
  readonly module: string;
  readonly file: string;
  readonly line: number;
  readonly debug: boolean;
  /** The module DJANGO_SETTINGS_MODULE loaded in this run. */
  readonly loaded: boolean;
}

/** django/settings-tree.json: the settings module's siblings, read as text, never imported. */
export interface DjangoSettingsTreeFile {
  readonly note: string;
  readonly modules: readonly DjangoSettingsTreeRow[];
}

export interface DjangoChecksFile {
  readonly check?: DjangoCheckSummary | DjangoSectionError;
  readonly deploy?: DjangoCheckSummary | DjangoSectionError;
  /** Only when a database is reachable. */
  readonly database?: (DjangoCheckSummary & { readonly databases: readonly string[] }) | DjangoSectionError;
}

// ---------------------------------------------------------------------------------------------
// Reading documents back

/**
 * A document as a reader gets it back from a bundle: the contract's field names (a renamed field breaks
 * the reader's build), the values not yet checked (the bundle may come from another version, or be
 * edited), so the reader still checks each value it uses.
 */
export type Unchecked<T> = { readonly [K in keyof T]?: unknown };

/** The field names of `T`: the compiler checks the list has all of them and no other. */
const fieldsOf =
  <T>() =>
  <const K extends readonly (keyof T & string)[]>(
    fields: K & ([Exclude<keyof T, K[number]>] extends [never] ? unknown : { missing: Exclude<keyof T, K[number]> }),
  ) =>
    Object.freeze([...fields]) as readonly string[];

/** Every field of each row and document type, for tests that hold real output against the contract. */
export const ROW_FIELDS = Object.freeze({
  container: fieldsOf<ContainerRow>()([
    'name',
    'id',
    'image',
    'state',
    'status',
    'exitCode',
    'oomKilled',
    'restartCount',
    'health',
    'error',
    'created',
    'startedAt',
    'finishedAt',
    'memoryLimitBytes',
    'logDriver',
    'tty',
    'labels',
    'collected',
    'notCollected',
  ]),
  composeContainer: fieldsOf<ComposeContainerRow>()([
    'name',
    'id',
    'service',
    'containerNumber',
    'image',
    'state',
    'status',
    'exitCode',
    'oomKilled',
    'health',
    'restartCount',
    'startedAt',
    'finishedAt',
    'workingDir',
    'configFiles',
  ]),
  composeContainers: fieldsOf<ComposeContainersFile>()(['project', 'engine', 'containers', 'servicesWithoutContainer', 'servicesNotDeclared']),
  dockerEvent: fieldsOf<DockerEventRow>()(['Type', 'Action', 'Actor', 'scope', 'time', 'timeNano', 'status', 'id', 'from']),
  djangoInterpreter: fieldsOf<DjangoInterpreterFile>()([
    'project',
    'projectFoundBy',
    'chosen',
    'considered',
    'python',
    'django',
    'djangoImportError',
    'otherInterpreters',
    'error',
  ]),
  djangoDatabase: fieldsOf<DjangoDatabaseRow>()([
    'alias',
    'engine',
    'vendor',
    'name',
    'host',
    'port',
    'user',
    'passwordSet',
    'options',
    'connMaxAge',
    'atomicRequests',
    'reachable',
    'sqliteFileMissing',
    'durationMs',
    'serverVersion',
    'error',
  ]),
  djangoDatabases: fieldsOf<DjangoDatabasesFile>()(['method', 'databases']),
  djangoCheckMessage: fieldsOf<DjangoCheckMessage>()(['id', 'level', 'object', 'message', 'hint', 'silenced']),
  djangoCheckSummary: fieldsOf<DjangoCheckSummary>()(['messages', 'counts', 'silenced']),
  djangoChecks: fieldsOf<DjangoChecksFile>()(['check', 'deploy', 'database']),
  djangoSettingsTree: fieldsOf<DjangoSettingsTreeFile>()(['note', 'modules']),
  djangoSettingsTreeRow: fieldsOf<DjangoSettingsTreeRow>()(['module', 'file', 'line', 'debug', 'loaded']),
});
