// Room: docker (src/docker/) — may import core (the rule: tests/architecture.test.ts).
/**
 * dockerode, loaded without the parts it requires at start-up that collect-bundle never calls:
 * `lib/session.js`, BuildKit sessions for image builds (it loads @grpc/grpc-js and protobufjs, about
 * 150 files), docker-modem's `lib/ssh.js`, its own ssh transport (it loads ssh2; ssh:// engines go
 * through our agent, ssh.ts), and tar-fs, for build contexts. Each is replaced by a stand-in that
 * loads the real module when it is first used, so nothing changes for a caller that does use them.
 * CommonJS files loaded by a collect run: 355 -> 162 (issue #14: start-up).
 */
import { createRequire } from 'node:module';
import type DockerodeType from 'dockerode';

const require = createRequire(import.meta.url);

/**
 * Puts a stand-in for `id` in the module cache, unless the real one is loaded already: a function
 * (the module exports one) or an object whose properties load the module when first read.
 */
function deferred(id: string, from: string, shape: 'function' | 'object' = 'function'): void {
  let path: string;
  try {
    path = createRequire(require.resolve(from)).resolve(id);
  } catch {
    return; // laid out differently: dockerode loads it as usual
  }
  if (require.cache[path]) return;
  let real: ((...args: unknown[]) => unknown) | undefined;
  const load = (): ((...args: unknown[]) => unknown) => {
    if (!real) {
      delete require.cache[path];
      real = require(path) as (...args: unknown[]) => unknown;
    }
    return real;
  };
  const Module = require('node:module') as new (id: string) => NodeJS.Module;
  const stand = new Module(path);
  stand.filename = path;
  stand.loaded = true;
  stand.exports =
    shape === 'function'
      ? function (this: unknown, ...args: unknown[]): unknown {
          return load().apply(this, args);
        }
      : new Proxy({}, { get: (_target, key) => (load() as unknown as Record<PropertyKey, unknown>)[key] });
  require.cache[path] = stand;
}

deferred('./session.js', 'dockerode/lib/docker.js');
deferred('./ssh.js', 'docker-modem/lib/modem.js');
// tar-fs (with bl, pump, chownr: about 25 files) packs build contexts, which we never send.
deferred('tar-fs', 'dockerode/lib/util.js', 'object');

const Docker = require('dockerode') as typeof DockerodeType;
export default Docker;
