// Room: core (src/core/) — imports nothing of ours (the rule: tests/architecture.test.ts).
/**
 * Which collectors are our own: the built-ins, the job collector and the collectors a config declares
 * (`custom`), all made by this package. The runner trusts them not to call `process.exit()` (only the
 * CLI does: tests/architecture.test.ts), so they run without the exit guard's tracking, which on Node 20
 * puts a hook on every promise of the run (src/run/exit-guard.ts). Anything else, a plugin's or a
 * library caller's collector, is not marked and runs guarded.
 */

const ours = new WeakSet<object>();

/** Marks `collector` as made by this package; returns it. */
export function builtIn<T extends object>(collector: T): T {
  ours.add(collector);
  return collector;
}

/** True for a collector marked by `builtIn` (a copy made with `Object.assign` is not: mark it again). */
export function isBuiltIn(collector: object): boolean {
  return ours.has(collector);
}
