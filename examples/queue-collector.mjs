/**
 * An example collect-bundle plugin: the length of Celery's queues in Redis, through `redis-cli`.
 *
 * Load it from a config file (`"plugins": ["./examples/queue-collector.mjs"]`) or from code
 * (`collectBundle({ plugins: ['./examples/queue-collector.mjs'], ... })`). Options, as
 * `"collectors": { "celery-queue": { ... } }` in the config:
 *   brokerUrl  redis://[:password@]host:port/db   default: $CELERY_BROKER_URL, else $REDIS_URL, else redis://127.0.0.1:6379/0
 *   queues     queue names (Redis list keys)       default: ["celery"]
 *   redisCli   the redis-cli program               default: "redis-cli" (from PATH)
 *
 * It is written against the package's public API only. `import ... from 'collect-bundle'` resolves
 * wherever collect-bundle is installed, and also inside this repository: package.json has `exports`, so
 * Node resolves a package's own name from files within it (self-reference; run `npm run build` first).
 *
 * Read-only: LLEN only reads. The password never goes on the command line (where `ps` would show it):
 * redis-cli reads it from REDISCLI_AUTH, and the `secrets` hook declares it so it is removed wherever
 * it might appear in the bundle.
 */
import { defineCollector, fact, json, problem } from 'collect-bundle';

/** The broker URL the options or the environment name, split into a URL without password and the password. */
function broker(ctx) {
  const raw = ctx.options.brokerUrl ?? ctx.deps.env.CELERY_BROKER_URL ?? ctx.deps.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
  const url = new URL(raw);
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  url.password = '';
  url.username = '';
  return { url: url.href, password, scheme: url.protocol };
}

export default defineCollector({
  name: 'celery-queue',
  description: 'Length of the Celery queues in Redis (redis-cli LLEN), from the broker URL',
  defaultEnabled: true,
  timeoutMs: 20_000,
  defaults: { brokerUrl: undefined, queues: ['celery'], redisCli: 'redis-cli' },

  async applies(ctx) {
    const { scheme } = broker(ctx);
    return scheme === 'redis:' || scheme === 'rediss:' ? true : `the broker is not Redis (${scheme}//); this plugin only reads Redis queues`;
  },

  async secrets(ctx) {
    const { password } = broker(ctx);
    return password ? [password] : [];
  },

  async *collect(ctx) {
    const { url, password } = broker(ctx);
    const queues = [];
    for (const queue of ctx.options.queues) {
      const result = await ctx.deps.exec.run(ctx.options.redisCli, ['-u', url, '--no-raw', 'LLEN', queue], {
        timeoutMs: 5_000,
        recordStderr: true,
        ...(password ? { env: { REDISCLI_AUTH: password } } : {}),
      });
      const length = /^\(integer\) (\d+)\s*$/.exec(result.stdout)?.[1];
      if (length !== undefined) {
        queues.push({ queue, length: Number(length) });
        continue;
      }
      // Degrade, never fail: say what happened and how to fix it, and go on with the next queue.
      const why = result.error?.includes('not found')
        ? `${ctx.options.redisCli} not found (fix: install redis-tools, e.g. apt-get install redis-tools, or set "redisCli" to its path)`
        : result.timedOut
          ? `redis-cli timed out after 5s (is ${url} reachable from here?)`
          : `redis-cli exited with ${result.exitCode}: ${(result.stderr || result.stdout).trim().split('\n')[0] || 'no output'} (fix: check the broker URL and that Redis is up)`;
      queues.push({ queue, length: null, error: why });
      yield problem(`queue ${queue}`, why);
    }
    yield json('queues.json', { broker: url, queues });
    const total = queues.reduce((n, q) => n + (q.length ?? 0), 0);
    if (queues.some((q) => q.length !== null)) yield fact('celery.queued', String(total));
  },
});
