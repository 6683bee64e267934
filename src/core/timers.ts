// Room: core (src/core/) — imports nothing of ours (the rule: tests/architecture.test.ts).
/**
 * A time limit as an AbortSignal that really fires. Node 20's `AbortSignal.timeout()` holds its signal
 * only weakly: handed straight to `AbortSignal.any([...])`, nothing else refers to it, and a garbage
 * collection before the time is up drops it, so the combined signal never aborts (a flooding command
 * that was never killed at its timeout; tests/core/timers.test.ts shows it with --expose-gc). Here the
 * timer holds the controller, so the signal lives until it fires or `clear()` is called.
 */

export interface TimeLimit {
  /** Aborts with a `TimeoutError` DOMException (as `AbortSignal.timeout()` does) after the time. */
  readonly signal: AbortSignal;
  /** Stops the timer (the work ended first). */
  clear(): void;
}

/**
 * A signal that aborts after `ms`. The timer is unreferenced, like `AbortSignal.timeout()`: it does not
 * by itself keep the process alive (the work it limits does).
 */
export function timeLimit(ms: number): TimeLimit {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`The operation was aborted due to timeout (${ms} ms)`, 'TimeoutError')), ms);
  timer.unref();
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}
