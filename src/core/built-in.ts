// Room: core (src/core/) — imports nothing of ours (the rule: tests/architecture.test.ts).
/**
 * Which collectors are our own: the built-ins, the job collector and the collectors a config declares
 * (`custom`), all made by this package. The runner trusts them not to call `process.exit()` (only the
 * CLI does: tests/architecture.test.ts), so they run without the exit guard's tracking, which on Node 20
 * puts a hook on every promise of the run (src/run/exit-guard.ts). Anything else, a plugin's or a
 * library caller's collector, is not marked and runs guarded.
 *
 * The mark holds the code it vouches for: the collector's functions as they were when it was marked.
 * These objects are reachable from the library (`builtinCollectors`, `createCustomCollector`), and one
 * given another `collect` (`Object.assign(builtin, { collect })`) runs someone else's code: it is
 * guarded again.
 */

/** The functions a collector runs. */
const HOOKS = ['collect', 'applies', 'secrets'] as const;

const ours = new WeakMap<object, readonly unknown[]>();

const hooksOf = (collector: object): unknown[] => HOOKS.map((k) => (collector as Record<string, unknown>)[k]);

/** Marks `collector` as made by this package, with its functions as they are now; returns it. */
export function builtIn<T extends object>(collector: T): T {
  ours.set(collector, hooksOf(collector));
  return collector;
}

/**
 * True for a collector marked by `builtIn` whose functions are still the ones it was marked with (a copy
 * made with `Object.assign` is not marked: mark it again).
 */
export function isBuiltIn(collector: object): boolean {
  const marked = ours.get(collector);
  if (!marked) return false;
  const now = hooksOf(collector);
  return marked.every((fn, i) => fn === now[i]);
}
