/**
 * The only place that talks to a Docker Engine: a small typed wrapper over dockerode (which ships no
 * types of its own), endpoint resolution as the docker CLI does it, and one-line explanations of the
 * errors users actually hit (socket missing, connection refused, permission denied).
 */
import Docker from 'dockerode';
import type { ContainerInspect, ContainerSummary, DockerClient, DockerEndpoint } from './types.js';

export type { ContainerInspect, ContainerSummary, DockerClient };

/** The default local socket, as the docker CLI uses it. */
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

/**
 * Resolves the engine(s) to talk to: explicit URLs first, else `DOCKER_HOST`, else the local socket.
 * (Docker contexts and several engines are resolved by the docker-in-depth work; see issue 3.)
 */
export function resolveDockerEndpoints(env: Readonly<Record<string, string | undefined>>, explicit: readonly string[] = []): DockerEndpoint[] {
  if (explicit.length > 0) return explicit.map((url) => ({ url: normaliseDockerUrl(url), source: '--docker-host' }));
  const fromEnv = env['DOCKER_HOST']?.trim();
  if (fromEnv) return [{ url: normaliseDockerUrl(fromEnv), source: 'DOCKER_HOST' }];
  return [{ url: `unix://${DEFAULT_DOCKER_SOCKET}`, source: 'default' }];
}

function normaliseDockerUrl(url: string): string {
  if (url.startsWith('/')) return `unix://${url}`;
  return url;
}

/** dockerode constructor options for an endpoint URL; throws a one-line error for an unsupported one. */
function dockerodeOptions(url: string): Record<string, unknown> {
  const parsed = new URL(url);
  switch (parsed.protocol) {
    case 'unix:':
      return { socketPath: decodeURIComponent(parsed.pathname) };
    case 'tcp:':
    case 'http:':
      return { host: parsed.hostname, port: Number(parsed.port || 2375), protocol: 'http' };
    case 'https:':
      return { host: parsed.hostname, port: Number(parsed.port || 2376), protocol: 'https' };
    default:
      throw new Error(`unsupported Docker host "${url}": use unix:///path/to/docker.sock or tcp://host:port`);
  }
}

/** Creates a client for one endpoint. Creating it does not connect. */
export function createDockerClient(endpoint: DockerEndpoint): DockerClient {
  const docker = new Docker(dockerodeOptions(endpoint.url) as Docker.DockerOptions);
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw new DockerError(endpoint, err);
    }
  };
  return {
    endpoint,
    ping: (signal) => call(async () => void (await docker.ping({ abortSignal: signal }))),
    version: (signal) => call(() => docker.version({ abortSignal: signal }) as Promise<Record<string, unknown>>),
    info: (signal) => call(() => docker.info({ abortSignal: signal }) as Promise<Record<string, unknown>>),
    listContainers: (signal, options = {}) =>
      call(() => docker.listContainers({ all: options.all ?? false, abortSignal: signal }) as Promise<ContainerSummary[]>),
    inspectContainer: (id, signal) => call(() => docker.getContainer(id).inspect({ abortSignal: signal }) as Promise<ContainerInspect>),
  };
}

/** An engine error whose message names the cause and the fix in one line; keeps the original as `cause`. */
export class DockerError extends Error {
  /** e.g. ENOENT, ECONNREFUSED, EACCES, HTTP_404, ABORTED. */
  readonly code: string;
  constructor(
    readonly endpoint: DockerEndpoint,
    cause: unknown,
  ) {
    const { code, message } = explainDockerError(endpoint, cause);
    super(message, { cause });
    this.name = 'DockerError';
    this.code = code;
  }
}

/** Turns a low-level error into a code and a one-line message with the fix. */
export function explainDockerError(endpoint: DockerEndpoint, err: unknown): { code: string; message: string } {
  const e = err as { code?: string; name?: string; statusCode?: number; message?: string; json?: { message?: string } | null };
  const where = `Docker engine at ${endpoint.url} (from ${endpoint.source})`;
  const socket = endpoint.url.startsWith('unix://') ? endpoint.url.slice('unix://'.length) : undefined;
  if (e?.name === 'AbortError' || e?.code === 'ABORT_ERR') return { code: 'ABORTED', message: `${where}: request aborted (timeout or interrupt)` };
  switch (e?.code) {
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
    case 'ENOTFOUND':
    case 'ECONNRESET':
      return { code: e.code, message: `${where}: ${e.code}: the engine cannot be reached over the network; check the address, firewall and that the daemon listens on it` };
  }
  if (typeof e?.statusCode === 'number') {
    const detail = e.json?.message ?? e.message ?? '';
    return { code: `HTTP_${e.statusCode}`, message: `${where}: the engine answered ${e.statusCode}: ${oneLine(detail)}` };
  }
  return { code: e?.code ?? 'UNKNOWN', message: `${where}: ${oneLine(e?.message ?? String(err))}` };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
