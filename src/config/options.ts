// Room: config (src/config/) — may import core, redaction, collectors (the rule: tests/architecture.test.ts).
/** The options of one collection run (`collectBundle`), as the CLI, a config file or a library caller give them. */
import type { RedactionOptions } from './redaction-plan.js';
import type { AnalyzeOptions, Collector, DockerClient, DockerEndpoint, TlsFlags, ReviewData, ReviewDecision } from '../core/types.js';

/** Defaults shared by the CLI and the library. */
export const DEFAULTS = Object.freeze({ timeoutSec: 60, concurrency: 4 });

export interface CollectOptions {
  /** Where the bundle goes; created if missing. */
  readonly outputDir: string;
  /** Run only these collectors (also ones not enabled by default). */
  readonly only?: readonly string[];
  /** Do not run these collectors. */
  readonly skip?: readonly string[];
  /** Per-collector timeout in ms; when given it applies to every collector (default: each collector's own, else 60 s). */
  readonly timeoutMs?: number;
  /** Whole-run deadline for collection in ms; the bundle is still written with what was gathered. */
  readonly deadlineMs?: number;
  /**
   * Size budget (`--max-size`) in bytes: the compressed bundle stays under it; the largest logs are cut
   * from their oldest lines to fit (recorded in the manifest and ISSUE.md). Default: none.
   */
  readonly maxBytes?: number;
  /** Collectors run at once (default 4). */
  readonly concurrency?: number;
  /** Added to the bundle name. */
  readonly label?: string;
  /** ISSUE.md title and description. */
  readonly title?: string;
  readonly description?: string;
  /** Where TROUBLESHOOTING.md lives (`--docs-url`): finding links in ISSUE.md are absolute under it. */
  readonly docsUrl?: string;
  /**
   * Docker engines (`--docker-host`): URLs (`unix://`, `tcp://`, `ssh://`) or docker context names.
   * Default: DOCKER_HOST, else the current docker context, else the local socket.
   */
  readonly dockerHosts?: readonly string[];
  /** TLS for tcp:// engines (`--tls`, `--tlsverify`, `--tlscacert`, ...); default from DOCKER_TLS_VERIFY/DOCKER_CERT_PATH. */
  readonly dockerTls?: TlsFlags;
  /** Makes the client for each Docker engine; default: the real one (tests wrap it). */
  readonly dockerClient?: (endpoint: DockerEndpoint) => DockerClient;
  /** Options per collector name, merged over its defaults. */
  readonly collectorOptions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** The collector registry; default: the built-ins. */
  readonly collectors?: readonly Collector[];
  /**
   * Plugin modules to load (paths relative to `pluginBaseDir`, or npm package names). Their collectors
   * join the registry; one that fails to load is recorded in the manifest and the run goes on (partial).
   */
  readonly plugins?: readonly string[];
  /** Folder plugin paths are relative to (the config file's); default the current directory. */
  readonly pluginBaseDir?: string;
  /** Redaction settings: tag key, custom rules, known secrets, allowlist. */
  readonly redaction?: RedactionOptions;
  /** Aborts the run (Ctrl-C): no bundle is left behind. */
  readonly signal?: AbortSignal;
  /** Environment the run sees; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Recorded (redacted) in the manifest. */
  readonly commandLine?: readonly string[];
  /** The configuration file the options came from (recorded in the manifest's options as `config`). */
  readonly configFile?: string;
  /** `.env`-style files to store (redacted, under `env-files/`) and lint (`--env-file`). */
  readonly envFiles?: readonly string[];
  /** Thresholds for the analyzers (`--pending-threshold`, ...). */
  readonly analyze?: Omit<AnalyzeOptions, 'envFiles'>;
  /** Skip the analyzers (no findings.json); default false. */
  readonly noAnalyze?: boolean;
  /** Also write ISSUE.md beside the bundle (`<bundle>.ISSUE.md`, 0600, with the bundle's sha256), for pasting. */
  readonly issueBeside?: boolean;
  /**
   * age recipients (`--encrypt-to`, `--encrypt-to-file`; `age1…`): the bundle is written encrypted as
   * `<name>.tar.gz.age` and never exists in plaintext on disk. Checked before anything is collected.
   */
  readonly encryptTo?: readonly string[];
  /**
   * `collect --review`: called after collection, redaction and analysis, before anything is packed, with
   * what the bundle would hold; answers whether to write it and which files to leave out.
   */
  readonly review?: (data: ReviewData) => Promise<ReviewDecision>;
  /** Progress display; default: none. */
  readonly progress?: { readonly out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }; readonly quiet?: boolean; readonly verbose?: boolean };
}
