/**
 * The slice of dockerode's API we use. dockerode ships no types and @types/dockerode lags behind
 * dockerode 5, so we declare what we call and wrap it in DockerClient (docker-client.ts).
 */
declare module 'dockerode' {
  namespace Docker {
    interface DockerOptions {
      socketPath?: string;
      host?: string;
      port?: number;
      protocol?: 'http' | 'https' | 'ssh';
      timeout?: number;
    }
    interface RequestOptions {
      abortSignal?: AbortSignal;
      [key: string]: unknown;
    }
    interface Container {
      inspect(options?: RequestOptions): Promise<unknown>;
    }
  }
  class Docker {
    constructor(options?: Docker.DockerOptions);
    ping(options?: Docker.RequestOptions): Promise<unknown>;
    version(options?: Docker.RequestOptions): Promise<unknown>;
    info(options?: Docker.RequestOptions): Promise<unknown>;
    listContainers(options?: Docker.RequestOptions): Promise<unknown>;
    getContainer(id: string): Docker.Container;
  }
  export default Docker;
}
