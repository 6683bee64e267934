// Room: core (src/core/) — imports nothing of ours (the rule: tests/architecture.test.ts).
/** Bounded concurrency for per-item work. */

/**
 * Runs `fn` over `items` with at most `limit` calls in flight and yields the results in input order.
 * A result waits until the consumer takes it, and no new call starts while `limit` results are
 * waiting or running: memory is bounded by `limit` results, whatever the number of items.
 *
 * `fn` should not throw (return a failure as a value); if it does, the error is raised when its turn
 * comes. Calls still running when the consumer stops are left to their own signal.
 */
export async function* mapOrdered<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): AsyncGenerator<R> {
  const width = Math.max(1, Math.floor(limit));
  const window: Promise<R>[] = [];
  let next = 0;
  const start = (): void => {
    const i = next++;
    const p = fn(items[i]!, i);
    p.catch(() => undefined); // raised in order below; never an unhandled rejection if abandoned
    window.push(p);
  };
  while (next < items.length && window.length < width) start();
  while (window.length > 0) {
    const result = await window.shift()!;
    if (next < items.length) start();
    yield result;
  }
}

/** Runs `fn` over `items`, at most `limit` at a time; resolves when all are done. */
export async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(Math.floor(limit), items.length)) }, worker));
}
