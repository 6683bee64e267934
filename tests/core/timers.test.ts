/**
 * Time limits survive garbage collection. Node 20's AbortSignal.timeout() inside AbortSignal.any() is
 * held weakly and a collection can drop it unfired (a CI run: a flooding command never killed at its
 * timeout). These tests force collections while the limit runs, in this process (gc exposed at run time).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createExec } from '../../src/core/exec.js';
import { timeLimit } from '../../src/core/timers.js';
import type { CommandRecord } from '../../src/core/types.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects garbage every 10 ms, with garbage to collect, until stopped. */
function churn(): () => void {
  const timer = setInterval(() => {
    const junk: object[] = [];
    for (let i = 0; i < 20_000; i++) junk.push({ i });
    gc();
  }, 10);
  return () => clearInterval(timer);
}

describe('timeLimit', () => {
  it('fires inside AbortSignal.any though nothing else holds it, with a TimeoutError', async () => {
    const stop = churn();
    try {
      const signal = AbortSignal.any([new AbortController().signal, timeLimit(200).signal]);
      const reason = await new Promise<unknown>((resolve) => {
        signal.addEventListener('abort', () => resolve(signal.reason), { once: true });
        setTimeout(() => resolve('never fired'), 2_000).unref();
      });
      expect((reason as DOMException).name).toBe('TimeoutError');
    } finally {
      stop();
    }
  });

  it('does not fire once cleared', async () => {
    const limit = timeLimit(50);
    limit.clear();
    await new Promise((r) => setTimeout(r, 150));
    expect(limit.signal.aborted).toBe(false);
  });

  it("kills a command at its timeout while collections run (the command's record says timed out)", async () => {
    const records: CommandRecord[] = [];
    const exec = createExec({ signal: new AbortController().signal, record: (r) => records.push(r) });
    const stop = churn();
    try {
      const r = await exec.run('sleep', ['30'], { timeoutMs: 300 });
      expect(r).toMatchObject({ timedOut: true, error: 'timed out and was killed' });
      expect(r.durationMs).toBeLessThan(10_000);
    } finally {
      stop();
    }
  }, 20_000);
});
