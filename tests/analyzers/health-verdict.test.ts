/**
 * healthVerdict (analyzers/docker-intent.ts): "unhealthy" only when Docker's own rule was met, a failing
 * streak of at least the check's Retries. The shapes are docker inspect's State.Health and
 * Config.Healthcheck; the stopped case is the one a loaded CI machine produced: `docker stop` while a
 * 1 s probe ran, status "unhealthy", streak 1, the last probe failed with the stop.
 */
import { describe, expect, it } from 'vitest';
import { healthVerdict } from '../../analyzers/docker-intent.js';

const probe = (exit: number, output = ''): object => ({ Start: '2026-12-07T10:00:00Z', End: '2026-12-07T10:00:01Z', ExitCode: exit, Output: output });
const inspect = (status: string, streak: number, log: object[], retries?: number): object => ({
  State: { Status: 'exited', Health: { Status: status, FailingStreak: streak, Log: log } },
  Config: { Healthcheck: { Test: ['CMD-SHELL', 'echo ok'], ...(retries !== undefined ? { Retries: retries } : {}) } },
});

describe('healthVerdict', () => {
  it.each([
    {
      what: 'three failures in a row under the default retries',
      doc: inspect('unhealthy', 3, [probe(1, 'refused'), probe(1, 'refused'), probe(1, 'refused')]),
      unhealthy: true,
    },
    { what: 'one failure when the check retries once', doc: inspect('unhealthy', 1, [probe(0, 'ok'), probe(1, 'refused')], 1), unhealthy: true },
    { what: 'a probe cut by docker stop (streak 1 of 3)', doc: inspect('unhealthy', 1, [probe(0, 'ok\n'), probe(0, 'ok\n'), probe(-1, '')]), unhealthy: false },
    { what: 'docker stop after passing probes (streak 0)', doc: inspect('unhealthy', 0, [probe(0, 'ok\n'), probe(0, 'ok\n')]), unhealthy: false },
    { what: 'streak 4 of retries 5', doc: inspect('unhealthy', 4, [probe(1), probe(1), probe(1), probe(1)], 5), unhealthy: false },
    { what: 'a healthy status', doc: inspect('healthy', 0, [probe(0, 'ok')]), unhealthy: false },
  ])('$what: unhealthy is $unhealthy', ({ doc, unhealthy }) => {
    expect(healthVerdict('unhealthy', doc).unhealthy).toBe(unhealthy);
  });

  it('without inspect data the row word stands', () => {
    expect(healthVerdict('unhealthy', undefined).unhealthy).toBe(true);
  });
});
