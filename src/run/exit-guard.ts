// Room: run (src/run/) — may import core, config, collectors, redaction, bundle, docker, report, analyzers (the rule: tests/architecture.test.ts).
/**
 * The exit guard: a plugin (or any collector) that calls `process.exit()` while it loads or runs must
 * not end the run with exit 0 and no bundle. While a guard is held, `process.exit` called from code
 * running inside `insideCollector()` (tracked with AsyncLocalStorage, so a plugin's promise chains and
 * timers count too) throws PluginExitError into that code instead; the plugin or collector then fails
 * like one that threw, and the rest of the bundle is written. Calls from anywhere else (the CLI's own
 * exit on a second Ctrl-C) pass through unchanged. A plugin's exit from a detached callback (a timer,
 * an event) has no caller to throw to: it is reported to the guard's holder and swallowed.
 *
 * Our own collectors (src/core/built-in.ts) run outside `insideCollector()`: they never call
 * process.exit (tests/architecture.test.ts), and on Node 20 AsyncLocalStorage, once used, hooks every
 * promise of the process (about 5% of a run's CPU with 100 containers). A run without plugins and
 * without a library caller's collectors never turns it on.
 *
 * `process.exit` is one per process, so the patch is reference-counted: two runs in one process share
 * it, and the last release puts the original back.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Thrown into collector or plugin code that calls process.exit() during a run. */
export class PluginExitError extends Error {
  override name = 'PluginExitError';
  constructor(
    /** Who called it: `plugin <spec>` while loading, `collector "<name>"` while running. */
    readonly owner: string,
    readonly exitCode: unknown,
  ) {
    // Without the owner: the plugin's or collector's record already names it.
    super(`called process.exit(${exitCode === undefined ? '' : String(exitCode)}), which would end the whole run (fix: throw an error instead)`);
  }
}

const owner = new AsyncLocalStorage<string>();
const strays = new Set<(err: PluginExitError) => void>();
let held = 0;
let original: typeof process.exit | undefined;

/** Runs `fn` as `who` (e.g. `plugin ./x.mjs`): a process.exit() from it, or from anything it starts, throws. */
export function insideCollector<T>(who: string, fn: () => T): T {
  return owner.run(who, fn);
}

/** Who the running code belongs to (`collector "x"`, `plugin ./x.mjs`), as the guard sees it; undefined outside. */
export function currentOwner(): string | undefined {
  return owner.getStore();
}

/** An uncaught PluginExitError (thrown in a plugin's timer or event handler) is reported, not fatal. */
function onUncaught(err: unknown): void {
  if (err instanceof PluginExitError) {
    for (const report of strays) report(err);
    return;
  }
  // Anything else crashes the process as it would have without this listener.
  process.removeListener('uncaughtException', onUncaught);
  process.nextTick(() => {
    throw err;
  });
}

/**
 * Installs the guard until the returned release is called. `onStray` hears about exits from detached
 * plugin callbacks (they cannot fail the plugin's own call).
 */
export function guardExit(onStray: (err: PluginExitError) => void = () => undefined): () => void {
  if (held++ === 0) {
    const real = process.exit;
    original = real;
    process.exit = ((code?: number | string | null) => {
      const who = owner.getStore();
      if (who !== undefined) throw new PluginExitError(who, code);
      return real.call(process, code);
    }) as typeof process.exit;
    process.on('uncaughtException', onUncaught);
  }
  strays.add(onStray);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    strays.delete(onStray);
    if (--held === 0) {
      process.exit = original!;
      original = undefined;
      process.removeListener('uncaughtException', onUncaught);
    }
  };
}
