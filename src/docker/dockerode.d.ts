// Room: docker (src/docker/) — may import core (the rule: tests/architecture.test.ts).
/**
 * The slice of dockerode's API we use. dockerode ships no types and @types/dockerode lags behind
 * dockerode 5, so we declare what we call and wrap it in DockerClient (docker-client.ts).
 */
declare module 'dockerode' {
  import type { Agent } from 'node:http';

  namespace Docker {
    interface DockerOptions {
      socketPath?: string;
      host?: string;
      port?: number;
      protocol?: 'http' | 'https' | 'ssh';
      /** Used for every request; carries TLS settings and keep-alive (docker-modem passes it through). */
      agent?: Agent;
      ca?: Buffer;
      cert?: Buffer;
      key?: Buffer;
      version?: string;
      timeout?: number;
      pathPrefix?: string;
      username?: string;
      sshOptions?: Record<string, unknown>;
    }
    interface RequestOptions {
      abortSignal?: AbortSignal;
      [key: string]: unknown;
    }
    /** docker-modem's low-level request, used for streams (logs, events) that must not be buffered. */
    interface DialOptions {
      /** Path with a trailing `?` when query options follow, as dockerode writes them. */
      path: string;
      method: 'GET' | 'POST' | 'HEAD';
      /** Resolve with the response stream instead of a parsed body. */
      isStream?: boolean;
      /** Status codes: `true` for success, else the error text. */
      statusCodes: Record<number, true | string>;
      /** Query options (objects are JSON-encoded). */
      options?: Record<string, unknown>;
      abortSignal?: AbortSignal;
    }
    interface Modem {
      dial(options: DialOptions, callback: (err: unknown, data: unknown) => void): void;
    }
    interface Container {
      inspect(options?: RequestOptions): Promise<unknown>;
      stats(options?: RequestOptions): Promise<unknown>;
    }
  }
  class Docker {
    constructor(options?: Docker.DockerOptions);
    readonly modem: Docker.Modem;
    ping(options?: Docker.RequestOptions): Promise<unknown>;
    version(options?: Docker.RequestOptions): Promise<unknown>;
    info(options?: Docker.RequestOptions): Promise<unknown>;
    df(options?: Docker.RequestOptions): Promise<unknown>;
    listImages(options?: Docker.RequestOptions): Promise<unknown>;
    listNetworks(options?: Docker.RequestOptions): Promise<unknown>;
    listVolumes(options?: Docker.RequestOptions): Promise<unknown>;
    listContainers(options?: Docker.RequestOptions): Promise<unknown>;
    getContainer(id: string): Docker.Container;
  }
  export default Docker;
}
