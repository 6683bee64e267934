// Room: core (src/core/) — imports nothing of ours (the rule: tests/architecture.test.ts).
/**
 * The few types every room of collect-bundle shares. This file imports nothing of ours, so any module
 * can depend on it without creating a cycle.
 */
import type { Readable } from 'node:stream';
import type { OptionDecls } from './options.js';
import type { DockerEndpoint, DockerClient } from './docker-types.js';
export type { DockerTls, TlsFlags, DockerEndpoint, ContainerSummary, ContainerInspect, LogsRequest, EventsRequest, DockerClient } from './docker-types.js';

/** A stream of bytes or text that an artifact produces; it is redacted before any byte reaches disk. */
export type ByteSource = Readable | AsyncIterable<Buffer | string>;

/** What opening an artifact returns: the raw (unredacted) content and, for commands, how they ended. */
export interface Opened {
  /** Raw content. The writer pipes it through the redactor; nothing else ever reads it. */
  readonly stream: ByteSource;
  /** Called once the stream has been consumed (or abandoned); resolves the command's outcome, if any. */
  readonly settle?: () => Promise<CommandRecord | undefined>;
  /** A command's own time limit: aborted once it was killed at its timeout (so its output ends early). */
  readonly timeLimit?: AbortSignal;
}

/** One file a collector wants in the bundle. Nothing runs until the writer calls `open`. */
export interface Artifact {
  readonly kind: 'artifact';
  /** Bundle-relative path below the collector's folder, e.g. `version.json` or `containers/web/logs.txt`. */
  readonly path: string;
  /** Starts producing the content. Receives the collector's signal (Ctrl-C + timeout + deadline). */
  readonly open: (signal: AbortSignal) => Promise<Opened>;
  /** Keep at most this many bytes (the tail) of the redacted content. */
  readonly maxBytes?: number;
  /** The file it copies, when it copies one (`collect --dry-run` shows its size; nothing else reads it). */
  readonly source?: string;
}

/** Something that could not be collected for one item, while the collector as a whole went on. */
export interface Problem {
  readonly kind: 'problem';
  /** What it concerns: an artifact path, a container name, a command. */
  readonly item: string;
  /** One line naming the cause and, where known, the fix. */
  readonly reason: string;
  /** The item's output was lost (not stored, or stored cut short): its collector is then `partial`. */
  readonly lost?: boolean;
}

/**
 * A short environment fact for the manifest and ISSUE.md (OS, engine version, ...). ISSUE.md is made
 * from the manifest only, so what it shows about the environment arrives this way. Redacted like all.
 */
export interface Fact {
  readonly kind: 'fact';
  /** Dotted key, e.g. `os`, `kernel`, `docker.server`, `python3`. */
  readonly key: string;
  readonly value: string;
}

/**
 * An item a collector deliberately left out (not a failure), e.g. a container outside the `--since`
 * window. Listed in the manifest so a reader knows what is missing and why; not shown as a problem.
 */
export interface Excluded {
  readonly kind: 'excluded';
  /** What was left out, e.g. `local/web-1` (an engine and a container). */
  readonly item: string;
  /** Why, and how to include it (`--all-containers`, `--containers`). */
  readonly reason: string;
}

/**
 * A declaration the runner executes in the collector's context: a command to run, files to copy, a URL
 * to fetch (collectors/declare.ts builds them from the implementations the config-defined collectors
 * use). What `run` yields is handled as if the collector had yielded it, under the collector's signal.
 */
export interface Declared {
  readonly kind: 'declared';
  /** What it is, for messages: `command git --version`, `file /srv/app/compose.yaml`. */
  readonly what: string;
  run(ctx: CollectContext<object>): AsyncIterable<Output>;
  /** What `collect --dry-run` shows instead of running it: its argv, the file it copies, a group's members. */
  readonly plan?: DeclaredPlan;
}

/** What `collect --review` shows before the bundle is packed: sizes and counts, never values. */
export interface ReviewData {
  /** Every file the bundle would hold (redacted names), with its size. */
  readonly files: readonly { readonly path: string; readonly bytes: number }[];
  readonly byRule: readonly { readonly rule: string; readonly count: number }[];
  readonly byFile: readonly { readonly file: string; readonly count: number }[];
  readonly findings: readonly { readonly severity: string; readonly title: string }[];
}

/** The answer to `collect --review`. */
export interface ReviewDecision {
  readonly write: boolean;
  /** Bundle paths (as listed) to leave out; recorded in the manifest as excluded by the user. */
  readonly exclude: readonly string[];
}

/** A declaration's plan, for `--dry-run` (nothing in it is run or read). */
export interface DeclaredPlan {
  readonly argv?: readonly string[];
  readonly cwd?: string;
  /** Where the output goes (bundle path below the collector's folder), when known up front. */
  readonly path?: string;
  /** The file a `file(...)` copies. */
  readonly file?: string;
  /** Kept of the output (the tail). */
  readonly maxBytes?: number;
  /** A group's members, in order. */
  readonly members?: readonly Output[];
}

/** What a collector yields. */
export type Output = Artifact | Problem | Fact | Excluded | Declared;

/** The outcome of one external command, as recorded in the manifest. */
export interface CommandRecord {
  /** argv, program first. Redacted before it is written. */
  readonly argv: readonly string[];
  readonly cwd?: string;
  /** null when the process could not start or was killed by a signal. */
  readonly exitCode: number | null;
  readonly signal?: string;
  readonly durationMs: number;
  readonly timedOut: boolean;
  /** Set when the program could not be started at all (ENOENT, EACCES). */
  readonly error?: string;
  /** Output was cut to this many bytes (the tail was kept). */
  readonly truncated?: boolean;
  /** The last 4 KiB of stderr, for commands run with `recordStderr` (redacted like the whole manifest). */
  readonly stderrTail?: string;
  /**
   * Set when the command had no process of its own: it ran inside the process named here (Django's
   * management commands, run in the django collector's one interpreter); argv is as if it had its own.
   */
  readonly ranIn?: string;
}

/** Options for running an external command. Always an argument array, never a shell string. */
export interface ExecOptions {
  readonly cwd?: string;
  /** Added to the inherited environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Per-command timeout; the collector's signal still applies. */
  readonly timeoutMs?: number;
  /** Largest output kept by `run` (tail kept); default 1 MiB. */
  readonly maxBuffer?: number;
  /** `run` only: keep the tail of stderr in the manifest's record of the command (`stderrTail`). */
  readonly recordStderr?: boolean;
}

/** What `exec.run` resolves to: buffered output plus the record that also went to the manifest. */
export interface CommandResult extends CommandRecord {
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts processes for a collector and records every one of them for the manifest. */
export interface Exec {
  /** Runs a command to completion and buffers its output (bounded). Never throws for a non-zero exit. */
  run(file: string, args: readonly string[], options?: ExecOptions): Promise<CommandResult>;
  /** Starts a command whose combined stdout+stderr becomes an artifact's content. */
  stream(file: string, args: readonly string[], options?: ExecOptions): Opened;
  /** Records, for the manifest, a command that ran inside a process started here (see `ranIn`). */
  record(record: CommandRecord): void;
}

/** Levels of the run log. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A collector's log; lines go to the terminal (per --quiet) and to the run log in the bundle. */
export interface Logger {
  log(level: LogLevel, message: string): void;
}

/** Everything a collector may use to reach the world; tests pass real ones with other settings. */
export interface Deps {
  readonly exec: Exec;
  /** The engine endpoints this run talks to. */
  readonly dockerEndpoints: readonly DockerEndpoint[];
  /** Makes a client for an endpoint (creating one does not connect). */
  readonly docker: (endpoint: DockerEndpoint) => DockerClient;
  /** Environment the run sees (a frozen copy of process.env unless a caller passes another). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * The run's known secrets: a value added here is removed wherever it appears in the bundle (also
   * URL-encoded, base64 and JSON-escaped). Values stay in memory only.
   */
  readonly secrets: { add(value: string): void };
}

/** What a collector receives when it runs. */
export interface CollectContext<O extends object = object> {
  /** Aborts on Ctrl-C, on this collector's timeout and on the run's deadline. Pass it to every I/O call. */
  readonly signal: AbortSignal;
  /** The collector's defaults merged with the user's settings, frozen. */
  readonly options: Readonly<O>;
  readonly deps: Deps;
  readonly log: Logger;
}

/** A pluggable source of diagnostics: a declaration plus an async generator of outputs. */
export interface Collector<O extends object = object> {
  /** kebab-case, unique; also the collector's folder in the bundle unless `folder` says otherwise. */
  readonly name: string;
  /** Bundle folder for this collector's artifacts (default: `name`); custom collectors use `custom/<name>`. */
  readonly folder?: string;
  /** One sentence, shown by --list-collectors. */
  readonly description: string;
  readonly defaultEnabled: boolean;
  /** Overrides the run's --timeout for this collector. */
  readonly timeoutMs?: number;
  /** Option defaults; their types are the options' types. */
  readonly defaults: O;
  /**
   * The options' declarations (src/core/options.ts): schema, default, flag, variable and config key of
   * each. Built-ins declare them; the config schema, flags, environment layer and docs come from them.
   */
  readonly options?: OptionDecls;
  /** `true` to run, or a string saying why the collector is skipped. */
  applies?(ctx: CollectContext<O>): Promise<true | string>;
  /**
   * Secrets this collector can name before anything is collected (a Django SECRET_KEY, database
   * passwords). Every collector's hook runs before any collector collects, so such a value is removed
   * even from output gathered by other collectors. Read-only, like everything else; values stay in memory.
   */
  secrets?(ctx: CollectContext<O>): Promise<readonly string[]>;
  collect(ctx: CollectContext<O>): AsyncIterable<Output>;
}

/** Where artifacts go: the bundle writer. Returns the stored file's record, or a problem for that item. */
export interface ArtifactSink {
  write(collector: string, artifact: Artifact, signal: AbortSignal): Promise<ArtifactRecord | Problem>;
}

/**
 * How a collector ended. `partial`: it finished, but output was lost on the way (a stream cut, an engine
 * that stalled, a command killed by its timeout): the reason names what and why, the run exits 3.
 */
export type CollectorStatus = 'ok' | 'partial' | 'failed' | 'timed-out' | 'skipped';

/** A file in the bundle, as the manifest lists it. */
export interface ArtifactRecord {
  /** Path relative to the bundle's top-level folder. */
  readonly path: string;
  readonly bytes: number;
  /** sha256 of the content as stored (redacted, and cut if truncated). */
  readonly sha256: string;
  readonly truncated: boolean;
  /** Bytes of redacted content before the cut, when truncated. */
  readonly originalBytes?: number;
  /** Why part of its output was lost (its command was killed by its timeout): its collector is then `partial`. */
  readonly lost?: string;
  /** Why its oldest lines were cut after collection (the size budget, `--max-size`); not a failure. */
  readonly cut?: string;
}

/** One collector's entry in the manifest. */
export interface CollectorRecord {
  readonly name: string;
  readonly status: CollectorStatus;
  /** Skip reason or error message (one line). */
  readonly reason?: string;
  readonly startedAt?: string;
  readonly durationMs: number;
  readonly artifacts: readonly ArtifactRecord[];
  readonly problems: readonly Omit<Problem, 'kind'>[];
  /** Items left out on purpose, with the reason (present only when there are some). */
  readonly excluded?: readonly Omit<Excluded, 'kind'>[];
  readonly commands: readonly CommandRecord[];
}

/** One plugin module in the manifest: loaded with its collectors, or failed with a one-line error. */
export interface PluginRecord {
  /** As the user named it: a path or a package name. */
  readonly plugin: string;
  readonly status: 'loaded' | 'failed';
  readonly collectors?: readonly string[];
  readonly error?: string;
}

/** manifest.json: the audit trail of everything one run did. */
export interface Manifest {
  readonly tool: { readonly name: string; readonly version: string };
  readonly bundle: string;
  readonly commandLine: readonly string[];
  readonly host: { readonly hostname: string; readonly platform: string; readonly arch: string; readonly user?: string };
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly status: 'complete' | 'partial';
  readonly options: Readonly<Record<string, unknown>>;
  readonly docker: { readonly endpoints: readonly DockerEndpoint[] };
  /** Plugins the run was asked to load (present only when there were some). */
  readonly plugins?: readonly PluginRecord[];
  /** Facts collectors reported, e.g. `{ os: 'Debian GNU/Linux 12', 'docker.server': '20.10.24' }`. */
  readonly environment: Readonly<Record<string, string>>;
  readonly collectors: readonly CollectorRecord[];
  /** Counts of findings.json by severity (present when analyzers ran). */
  readonly findings?: { readonly error: number; readonly warning: number; readonly info: number };
  /** The size budget (`--max-size`) and how many files were cut to fit it (each has `cut`). */
  readonly budget?: { readonly maxBytes: number; readonly cutFiles: number };
  /** Files the writer itself adds (run.log, ISSUE.md); manifest.json cannot list its own hash. */
  readonly files: readonly ArtifactRecord[];
  /** Present when the bundle was written encrypted: to whom, as fingerprints (`sha256:` + 16 hex digits of the recipient string), never keys. */
  readonly encryption?: { readonly format: 'age'; readonly recipients: readonly string[] };
  /** Totals; per-file counts are in redactions.json. A list, since rule ids look like secret keys. */
  /** Where the run's time went, up to the moment the manifest was sealed (packing and verifying come after it). */
  readonly timings?: RunTimings;
  readonly redaction: {
    readonly total: number;
    readonly byRule: readonly { readonly rule: string; readonly count: number }[];
    /** Where tag keys came from: `installation` (stable across bundles), `file`, or `ephemeral`. */
    readonly tags?: string;
    readonly customRules?: readonly string[];
    /** How many known-secret forms were in the literal set at the end (never the values). */
    readonly literals?: number;
    readonly allow?: number;
    /** `--pseudonymize`: host names, addresses and people were replaced by pseudonyms (the map stays with the key). */
    readonly pseudonymized?: boolean;
  };
}

/**
 * A phase of a run, in run order: `setup` (plugins, engines, redaction key and rules, output file),
 * `collect` (the collectors, their output redacted and spooled as it streams), `redact` (secrets learned
 * late removed from files spooled before), `analyze`, `report` (ISSUE.md, run.log, redactions.json,
 * manifest.json), `pack` (the tar.gz) and `verify` (the fail-closed rescan of the finished archive).
 */
export type RunPhase = 'setup' | 'collect' | 'redact' | 'analyze' | 'report' | 'pack' | 'verify';

/** Where a run's time went (`--profile`; issue #14): wall milliseconds per phase and per collector. */
export interface RunTimings {
  readonly phases: readonly { readonly phase: RunPhase; readonly ms: number }[];
  /** Collectors run side by side (--concurrency): their times overlap and add up to more than `collect`. */
  readonly collectors: readonly { readonly name: string; readonly status: CollectorStatus; readonly ms: number }[];
}

/** How bad a finding is. `--fail-on` compares against this order: error > warning > info. */
export type Severity = 'error' | 'warning' | 'info';

/** Where in the bundle a finding was seen. */
export interface Evidence {
  /** Bundle-relative path, e.g. `docker/local/containers/web/logs.txt`. */
  readonly file: string;
  /** 1-based line in that file, when the evidence is a line. */
  readonly line?: number;
  /** A short redacted excerpt (a log line, a JSON field); never more than a few hundred characters. */
  readonly excerpt: string;
}

/** One thing an analyzer found wrong (or worth knowing), with the way to fix it. */
export interface Finding {
  /** Stable kebab-case id of the kind of finding (`container-oom-killed`); also its TROUBLESHOOTING.md anchor. */
  readonly id: string;
  readonly severity: Severity;
  /** One line, names the subject: `Container web-1 on local was OOM-killed (limit 64 MiB)`. */
  readonly title: string;
  /** A few sentences: what was seen and what it means. */
  readonly summary: string;
  readonly evidence: readonly Evidence[];
  /** What to do about it: concrete steps or commands. */
  readonly remedy: string;
  /** `TROUBLESHOOTING.md#<anchor>`. */
  readonly docs: string;
  /** What it is about (`local/web-1`, `django`, an env file path): used to tell findings of one id apart in diffs. */
  readonly subject?: string;
}

/**
 * Read-only access to a bundle's redacted files: the one being written (its spool) or a finished
 * .tar.gz. Analyzers and ISSUE.md see the collected data only through this.
 */
export interface BundleView {
  /** The manifest as it will be (or was) stored; `collectors`, `environment`, `options` are final. */
  readonly manifest: Manifest;
  /** Every artifact path in the bundle (bundle-relative, e.g. `docker/local/info.json`), sorted. */
  paths(): readonly string[];
  has(path: string): boolean;
  /** The file's text (UTF-8), or undefined when absent. Large files: the last `maxBytes` bytes (default 8 MiB). */
  text(path: string, maxBytes?: number): Promise<string | undefined>;
  /** The file parsed as JSON, or undefined when absent or not valid JSON. */
  json<T = unknown>(path: string): Promise<T | undefined>;
}

/** Options analyzers read (thresholds and inputs the user gave). */
export interface AnalyzeOptions {
  /** A ContainerJob pending longer than this is stuck (default 15 min). */
  readonly pendingThresholdMs?: number;
  /** Filesystem use at or above this fraction is low disk (default 0.9 = 90 %). */
  readonly diskUsedWarn?: number;
  /** Host memory available below this fraction of the total is memory pressure (default 0.1 = 10 %). */
  readonly memoryAvailableWarn?: number;
  /** A running container using more than this fraction of its memory limit is memory pressure (default 0.9). */
  readonly containerMemoryWarn?: number;
  /** `.env`-style files to lint (`--env-file`), already read and redacted: path and text. */
  readonly envFiles?: readonly { readonly path: string; readonly text: string }[];
  /** "Now" for age thresholds; default: the manifest's `finishedAt` (so re-analysing an old bundle gives the same answer). */
  readonly now?: Date;
  /**
   * Where the Django settings run (`production`, `staging`, `development`, `test`); default: the
   * manifest's `collectors.django.environment`, else decided on evidence in the settings.
   */
  readonly environment?: string;
}

/** Turns collected, redacted data into findings. Pure: reads the view, never the system. */
export interface Analyzer {
  /** kebab-case, unique. */
  readonly name: string;
  readonly description: string;
  /** Every finding id this analyzer can produce (a test checks each has a TROUBLESHOOTING.md section). */
  readonly findingIds: readonly string[];
  analyze(view: BundleView, options: AnalyzeOptions): Promise<readonly Finding[]>;
}
