// Room: docker (src/docker/) — may import core (the rule: tests/architecture.test.ts).
/**
 * The only place that talks to a Docker Engine: a small typed wrapper over dockerode (which ships no
 * types of its own) and one-line explanations of the errors users actually hit (socket missing,
 * connection refused, permission denied, TLS, ssh). Endpoint resolution is in docker-endpoints.ts.
 *
 * Every request takes the caller's signal and has its own time limit, so a hung engine costs one
 * request, not the whole collector. Streams (logs, events) are returned as the engine sends them and
 * never buffered whole.
 */
import type Docker from 'dockerode';
import DockerCtor from './dockerode-lazy.js';
import { readFile } from 'node:fs/promises';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { sshAgent } from './ssh.js';
import type { ContainerInspect, ContainerSummary, DockerClient, DockerEndpoint, EventsRequest, LogsRequest } from '../core/types.js';
import { oneLine } from '../core/text.js';

const inspectSignal = (): string => '[AbortSignal]';

export type { ContainerInspect, ContainerSummary, DockerClient };
export { DEFAULT_DOCKER_SOCKET, resolveDockerEndpoints } from './endpoints.js';

/** How long one ordinary request may take. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** `system df` walks every layer and volume: it is allowed much longer. */
const SLOW_REQUEST_TIMEOUT_MS = 120_000;
/** `system df` is tried this many times, waiting longer each time, while another scan runs. */
const DF_ATTEMPTS = 6;
const DF_RETRY_MS = 1_000;
/** A stream that sends nothing for this long while being read is given up (the engine hung mid-way). */
export const STREAM_IDLE_TIMEOUT_MS = 60_000;

/** Options of `createDockerClient`, for tests. */
export interface DockerClientOptions {
  readonly requestTimeoutMs?: number;
  readonly streamIdleTimeoutMs?: number;
}

interface Connection {
  readonly docker: Docker;
  readonly agent: HttpAgent;
}

/** Creates a client for one endpoint. Creating it does not connect; the first request does. */
export function createDockerClient(endpoint: DockerEndpoint, options: DockerClientOptions = {}): DockerClient {
  const requestTimeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const idleMs = options.streamIdleTimeoutMs ?? STREAM_IDLE_TIMEOUT_MS;
  let connection: Promise<Connection> | undefined;
  let closed = false;
  const connect = (): Promise<Connection> => {
    if (closed) return Promise.reject(new Error('client closed'));
    connection ??= connectTo(endpoint);
    return connection;
  };

  /**
   * A request's signal, one word when inspected: docker-modem's debug line (see `make`) goes through
   * a signal's listeners and internals too, about half of that formatting's cost per request.
   */
  const quiet = (s: AbortSignal): AbortSignal => Object.defineProperty(s, inspect.custom, { value: inspectSignal });

  /** Runs one request with the caller's signal plus a time limit; errors become DockerErrors. */
  const call = async <T>(signal: AbortSignal, fn: (docker: Docker, signal: AbortSignal) => Promise<unknown>, timeoutMs = requestTimeoutMs): Promise<T> => {
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const { docker } = await connect();
      return (await fn(docker, quiet(AbortSignal.any([signal, timeout])))) as T;
    } catch (err) {
      if (timeout.aborted && !signal.aborted) throw new DockerError(endpoint, { code: 'TIMEOUT', timeoutMs });
      throw err instanceof DockerError ? err : new DockerError(endpoint, err);
    }
  };

  /**
   * Opens a streaming request. The response headers must arrive within the request time limit; after
   * that only the caller's signal and the idle limit apply (a prefetched stream may wait unread).
   */
  const stream = async (signal: AbortSignal, dial: Omit<Docker.DialOptions, 'abortSignal' | 'isStream' | 'method'>, what: string): Promise<Readable> => {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error('timeout'));
    }, requestTimeoutMs);
    try {
      const { docker } = await connect();
      const res = await new Promise<Readable>((resolve, reject) =>
        docker.modem.dial({ ...dial, method: 'GET', isStream: true, abortSignal: quiet(controller.signal) }, (err, data) =>
          err ? reject(err) : resolve(data as Readable),
        ),
      );
      res.once('close', () => signal.removeEventListener('abort', onAbort));
      return Readable.from(idleGuard(res, idleMs, `${what}: the engine sent nothing for ${idleMs / 1000}s`), { objectMode: false });
    } catch (err) {
      signal.removeEventListener('abort', onAbort);
      if (timedOut && !signal.aborted) throw new DockerError(endpoint, { code: 'TIMEOUT', timeoutMs: requestTimeoutMs });
      throw err instanceof DockerError ? err : new DockerError(endpoint, err);
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    endpoint,
    ping: (signal) => call(signal, (d, s) => d.ping({ abortSignal: s })).then(() => undefined),
    version: (signal) => call(signal, (d, s) => d.version({ abortSignal: s })),
    info: (signal) => call(signal, (d, s) => d.info({ abortSignal: s })),
    systemDf: async (signal) => {
      // The engine runs one disk-usage scan at a time and refuses a second one ("a disk usage
      // operation is already running", 500 or 409): wait for the other to finish.
      for (let attempt = 1; ; attempt++) {
        try {
          return await call<Record<string, unknown>>(signal, (d, s) => d.df({ abortSignal: s }), SLOW_REQUEST_TIMEOUT_MS);
        } catch (err) {
          if (!(err instanceof DockerError && /already running/i.test(err.message)) || attempt >= DF_ATTEMPTS) throw err;
          await sleep(DF_RETRY_MS * attempt, signal);
        }
      }
    },
    listImages: (signal) => call(signal, (d, s) => d.listImages({ abortSignal: s })),
    listNetworks: (signal) => call(signal, (d, s) => d.listNetworks({ abortSignal: s })),
    listVolumes: (signal) => call(signal, (d, s) => d.listVolumes({ abortSignal: s })),
    listContainers: (signal, opts = {}) => call(signal, (d, s) => d.listContainers({ all: opts.all ?? false, abortSignal: s })),
    inspectContainer: (id, signal) => call(signal, (d, s) => d.getContainer(id).inspect({ abortSignal: s })),
    // stream=false waits for a second sample, so CPU usage can be turned into a percentage.
    containerStats: (id, signal) => call(signal, (d, s) => d.getContainer(id).stats({ stream: false, abortSignal: s })),
    containerLogs: (id, request: LogsRequest, signal) =>
      stream(
        signal,
        {
          path: `/containers/${encodeURIComponent(id)}/logs?`,
          statusCodes: { 200: true, 404: 'no such container', 500: 'server error', 501: 'not implemented' },
          options: {
            stdout: true,
            stderr: true,
            timestamps: true,
            follow: false,
            tail: request.tail === undefined ? 'all' : String(request.tail),
            ...(request.since ? { since: unixTime(request.since) } : {}),
          },
        },
        `logs of ${id.slice(0, 12)}`,
      ),
    events: (request: EventsRequest, signal) =>
      stream(
        signal,
        {
          path: '/events?',
          statusCodes: { 200: true, 400: 'bad parameter', 500: 'server error' },
          options: { since: unixTime(request.since), until: unixTime(request.until) },
        },
        'events',
      ),
    close: () => {
      closed = true;
      void connection?.then(
        (c) => c.agent.destroy(),
        () => undefined,
      );
    },
  };
}

/** Waits `ms`, or rejects as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** `seconds.nanoseconds`, the form the Engine API parses exactly (a plain float is misread). */
function unixTime(date: Date): string {
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000);
  return `${seconds}.${String((ms - seconds * 1000) * 1_000_000).padStart(9, '0')}`;
}

/** Builds the dockerode instance for an endpoint; reads TLS files. Errors become DockerErrors. */
async function connectTo(endpoint: DockerEndpoint): Promise<Connection> {
  if (endpoint.error) throw new DockerError(endpoint, { code: 'INVALID_ENDPOINT', message: endpoint.error });
  let url: URL;
  try {
    url = new URL(endpoint.url);
  } catch {
    throw new DockerError(endpoint, { code: 'INVALID_ENDPOINT', message: `invalid Docker host "${endpoint.url}"` });
  }
  // dockerode fills unset options from the *process* environment (DOCKER_HOST, DOCKER_CERT_PATH): set
  // every one of them, so the endpoint alone decides where requests go.
  const fixed: Docker.DockerOptions = {
    socketPath: undefined,
    host: undefined,
    port: undefined,
    ca: undefined,
    cert: undefined,
    key: undefined,
    username: undefined,
    sshOptions: {},
    version: undefined,
    timeout: undefined,
    pathPrefix: '/',
  } as Docker.DockerOptions;
  const make = (opts: Docker.DockerOptions, agent: HttpAgent): Connection => {
    // docker-modem formats every request's options with util.inspect({ showHidden, depth: null }) for
    // its debug log, even when debugging is off; an agent with live sockets (or ssh processes) made
    // that cost more than the requests themselves. Inspected, the agent is now one word.
    Object.defineProperty(agent, inspect.custom, { value: () => '[Agent]' });
    try {
      return { docker: new DockerCtor({ ...fixed, ...opts, agent }), agent };
    } catch (err) {
      agent.destroy();
      throw new DockerError(endpoint, err);
    }
  };
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  switch (url.protocol) {
    case 'unix:':
      return make({ socketPath: decodeURIComponent(url.pathname) }, new HttpAgent({ keepAlive: true }));
    case 'tcp:':
    case 'http:':
    case 'https:': {
      const tls = endpoint.tls;
      if (!tls) return make({ host: hostname, port: Number(url.port || 2375), protocol: 'http' }, new HttpAgent({ keepAlive: true }));
      const [ca, cert, key] = await Promise.all([
        readTlsFile(endpoint, tls.verify ? tls.ca : undefined, 'CA certificate'),
        readTlsFile(endpoint, tls.cert, 'client certificate'),
        readTlsFile(endpoint, tls.key, 'client key'),
      ]);
      const agent = new HttpsAgent({
        keepAlive: true,
        rejectUnauthorized: tls.verify,
        ...(ca ? { ca } : {}),
        ...(cert ? { cert } : {}),
        ...(key ? { key } : {}),
      });
      return make({ host: hostname, port: Number(url.port || 2376), protocol: 'https' }, agent);
    }
    case 'ssh:':
      return make({ host: 'localhost', port: 80, protocol: 'http' }, sshAgent(endpoint.url));
    default:
      throw new DockerError(endpoint, {
        code: 'INVALID_ENDPOINT',
        message: `unsupported Docker host "${endpoint.url}": use unix:///path/to/docker.sock, tcp://host:port or ssh://user@host`,
      });
  }
}

async function readTlsFile(endpoint: DockerEndpoint, path: string | undefined, what: string): Promise<Buffer | undefined> {
  if (!path) return undefined;
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'error';
    throw new DockerError(endpoint, {
      code: 'TLS_FILES',
      message: `cannot read the TLS ${what} ${path} (${code}; from ${endpoint.tls?.from ?? 'TLS settings'}): set DOCKER_CERT_PATH or --tlscacert/--tlscert/--tlskey to the right files`,
    });
  }
}

/** Yields `src`'s chunks; fails if the source sends nothing for `ms` while it is being read. */
async function* idleGuard(src: Readable, ms: number, message: string): AsyncGenerator<Buffer> {
  const it = src[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error(message), { code: 'STREAM_IDLE' })), ms);
      });
      try {
        const step = await Promise.race([it.next(), idle]);
        if (step.done) return;
        yield step.value;
      } finally {
        clearTimeout(timer);
      }
    }
  } finally {
    src.destroy();
  }
}

/** Errors that mean the engine as a whole cannot be used (as opposed to one item failing). */
const ENGINE_DOWN = new Set([
  'ENOENT',
  'ECONNREFUSED',
  'EACCES',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'EPIPE',
  'TIMEOUT',
  'SSH',
  'TLS',
  'TLS_FILES',
  'INVALID_ENDPOINT',
  'HTTPS_EXPECTED',
]);

/** True when an error says the whole engine is unreachable, so its other requests need not be tried. */
export function isEngineDown(err: unknown): boolean {
  return err instanceof DockerError && ENGINE_DOWN.has(err.code);
}

/** An engine error whose message names the cause and the fix in one line; keeps the original as `cause`. */
export class DockerError extends Error {
  /** e.g. ENOENT, ECONNREFUSED, EACCES, TIMEOUT, TLS, SSH, HTTP_404, ABORTED. */
  readonly code: string;
  /** The HTTP status the engine answered with, if it answered. */
  readonly statusCode: number | undefined;
  constructor(
    readonly endpoint: DockerEndpoint,
    cause: unknown,
  ) {
    const { code, message } = explainDockerError(endpoint, cause);
    super(message, { cause });
    this.name = 'DockerError';
    this.code = code;
    this.statusCode = (cause as { statusCode?: number })?.statusCode;
  }
}

const TLS_CODES =
  /^(?:DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(?:_LOCALLY)?|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|ERR_TLS_CERT_ALTNAME_INVALID|EPROTO|ERR_SSL_.*|ERR_OSSL_.*)$/;

/** Turns a low-level error into a code and a one-line message with the fix. */
export function explainDockerError(endpoint: DockerEndpoint, err: unknown): { code: string; message: string } {
  const e = err as { code?: string; name?: string; statusCode?: number; message?: string; json?: { message?: string } | null; timeoutMs?: number };
  const where = `Docker engine at ${endpoint.url} (from ${endpoint.source})`;
  const socket = endpoint.url.startsWith('unix://') ? endpoint.url.slice('unix://'.length) : undefined;
  if (e?.name === 'AbortError' || e?.code === 'ABORT_ERR') return { code: 'ABORTED', message: `${where}: request aborted (timeout or interrupt)` };
  switch (e?.code) {
    case 'INVALID_ENDPOINT':
      return { code: e.code, message: `${e.message ?? 'invalid endpoint'}` };
    case 'TLS_FILES':
      return { code: e.code, message: `${where}: ${e.message}` };
    case 'TIMEOUT':
      return {
        code: e.code,
        message: `${where}: no answer within ${(e.timeoutMs ?? REQUEST_TIMEOUT_MS) / 1000}s: the engine is hung or overloaded; check it with "docker info"`,
      };
    case 'SSH':
      return {
        code: e.code,
        message: `${where}: ssh failed: ${oneLine(e.message ?? '')}; check that "ssh -o BatchMode=yes <user>@<host> docker version" works (key or ssh-agent, known_hosts)`,
      };
    case 'ENOENT':
      return {
        code: 'ENOENT',
        message: `${where}: socket ${socket ?? ''} does not exist: is the Docker daemon running? Start it (sudo systemctl start docker) or point DOCKER_HOST at the right engine`,
      };
    case 'ECONNREFUSED':
      return {
        code: 'ECONNREFUSED',
        message: `${where}: connection refused: the daemon is not listening there; start it (sudo systemctl start docker) or check DOCKER_HOST`,
      };
    case 'EACCES':
    case 'EPERM':
      return {
        code: 'EACCES',
        message: `${where}: permission denied on ${socket ?? 'the socket'}: add your user to the docker group (sudo usermod -aG docker $USER, then log in again) or run collect-bundle with sudo`,
      };
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'ECONNRESET':
    case 'EPIPE':
      return {
        code: e.code,
        message: `${where}: ${e.code}: the engine cannot be reached over the network; check the address, firewall and that the daemon listens on it`,
      };
  }
  if (e?.code && TLS_CODES.test(e.code)) {
    return {
      code: 'TLS',
      message: `${where}: TLS handshake failed (${e.code}: ${oneLine(e.message ?? '')}): check the CA and client certificates (DOCKER_CERT_PATH, --tlscacert, --tlscert, --tlskey) or use --tls to skip verification`,
    };
  }
  if (typeof e?.statusCode === 'number') {
    const detail = oneLine(e.json?.message ?? e.message ?? '');
    if (e.statusCode === 400 && /HTTP request to an HTTPS server/i.test(detail)) {
      return { code: 'HTTPS_EXPECTED', message: `${where}: the engine expects TLS: set DOCKER_TLS_VERIFY=1 (with DOCKER_CERT_PATH) or pass --tlsverify` };
    }
    return { code: `HTTP_${e.statusCode}`, message: `${where}: the engine answered ${e.statusCode}: ${detail}` };
  }
  return { code: e?.code ?? 'UNKNOWN', message: `${where}: ${oneLine(e?.message ?? String(err))}` };
}
