// Room: core (src/core/) — imports nothing of ours (the rule: tests/architecture.test.ts).
/** The Docker Engine API types collectors and the client share: endpoints, TLS, the client interface and its requests (split from src/core/types.ts). */
import type { Readable } from 'node:stream';

/** TLS settings of a tcp:// engine: file paths only (the files are read when a client is made). */
export interface DockerTls {
  /** Verify the engine's certificate against `ca` (`--tlsverify`); false is `--tls` alone. */
  readonly verify: boolean;
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  /** Where the settings came from: `--tls options`, `DOCKER_TLS_VERIFY/DOCKER_CERT_PATH`, `context "x"`. */
  readonly from: string;
}

/** TLS options given on the command line (the docker CLI's `--tls`, `--tlsverify`, `--tlscacert`, ...). */
export interface TlsFlags {
  /** Use TLS (without verifying the engine unless `verify`). */
  readonly tls?: boolean;
  /** Use TLS and verify the engine's certificate against the CA. */
  readonly verify?: boolean;
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

/** A Docker Engine endpoint, resolved the way the docker CLI resolves one. */
export interface DockerEndpoint {
  /** `unix:///var/run/docker.sock`, `tcp://host:2376`, `ssh://user@host`, ... */
  readonly url: string;
  /** Where the URL came from: `--docker-host`, `DOCKER_HOST`, `DOCKER_CONTEXT`, `context "x"`, `default`. */
  readonly source: string;
  /** The engine's folder under `docker/` in the bundle: `local`, a context name, `host-port`; unique in a run. */
  readonly label: string;
  /** The docker context it came from, if any. */
  readonly context?: string;
  readonly tls?: DockerTls;
  /** Why this endpoint cannot be used (e.g. a malformed DOCKER_HOST); the engine is then recorded as failed. */
  readonly error?: string;
}

/** A container as `docker ps -a` lists it (subset of the Engine API's ContainerSummary). */
export interface ContainerSummary {
  readonly Id: string;
  readonly Names: readonly string[];
  readonly Image: string;
  readonly ImageID?: string;
  readonly Command?: string;
  readonly Created: number;
  readonly State: string;
  readonly Status: string;
  readonly Labels?: Readonly<Record<string, string>>;
}

/** The part of `docker inspect` a summary needs; the full document is kept as returned. */
export interface ContainerInspect {
  readonly Id: string;
  readonly Name: string;
  readonly Created: string;
  readonly RestartCount?: number;
  readonly State?: {
    readonly Status?: string;
    readonly Running?: boolean;
    readonly Restarting?: boolean;
    readonly Paused?: boolean;
    readonly ExitCode?: number;
    readonly OOMKilled?: boolean;
    readonly Error?: string;
    readonly StartedAt?: string;
    readonly FinishedAt?: string;
    readonly Health?: { readonly Status?: string };
  };
  readonly Config?: {
    readonly Image?: string;
    readonly Labels?: Readonly<Record<string, string>> | null;
    /** A TTY container's output is one raw stream, not multiplexed stdout/stderr frames. */
    readonly Tty?: boolean;
    readonly Env?: readonly string[] | null;
    readonly Cmd?: readonly string[] | null;
    readonly Entrypoint?: readonly string[] | null;
  };
  readonly HostConfig?: { readonly Memory?: number; readonly LogConfig?: { readonly Type?: string; readonly Config?: Readonly<Record<string, string>> } };
  readonly [key: string]: unknown;
}

/** A container log request (the Engine API's `/containers/{id}/logs`, stdout and stderr, timestamped). */
export interface LogsRequest {
  /** Lines from the end; undefined for all. */
  readonly tail?: number;
  /** Only entries at or after this time. */
  readonly since?: Date;
}

/** An events request; the stream ends at `until`. */
export interface EventsRequest {
  readonly since: Date;
  readonly until: Date;
}

/** What collectors may ask of an engine. Every call takes the collector's signal. */
export interface DockerClient {
  readonly endpoint: DockerEndpoint;
  ping(signal: AbortSignal): Promise<void>;
  version(signal: AbortSignal): Promise<Record<string, unknown>>;
  info(signal: AbortSignal): Promise<Record<string, unknown>>;
  /** `docker system df -v`: disk used by images, containers, volumes and the build cache. */
  systemDf(signal: AbortSignal): Promise<Record<string, unknown>>;
  listImages(signal: AbortSignal): Promise<Record<string, unknown>[]>;
  listNetworks(signal: AbortSignal): Promise<Record<string, unknown>[]>;
  listVolumes(signal: AbortSignal): Promise<Record<string, unknown>>;
  listContainers(signal: AbortSignal, options?: { all?: boolean }): Promise<ContainerSummary[]>;
  inspectContainer(id: string, signal: AbortSignal): Promise<ContainerInspect>;
  /** One stats sample of a running container (memory, CPU with the previous sample, pids). */
  containerStats(id: string, signal: AbortSignal): Promise<Record<string, unknown>>;
  /**
   * A container's log as the engine streams it: 8-byte-header frames (stdout/stderr) unless the
   * container has a TTY. Never buffered whole; the stream ends when the log has been sent.
   */
  containerLogs(id: string, request: LogsRequest, signal: AbortSignal): Promise<Readable>;
  /** Engine events in [since, until], one JSON object per line; the stream ends at `until`. */
  events(request: EventsRequest, signal: AbortSignal): Promise<Readable>;
  /** Releases what the client holds open (keep-alive sockets, ssh processes). Safe to call twice. */
  close(): void;
}
