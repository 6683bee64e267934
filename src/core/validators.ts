// Room: core (src/core/) — imports nothing of ours (the rule: tests/architecture.test.ts).
/**
 * The zod building blocks of option schemas, shared by the config file's own keys (src/config/) and
 * every collector's declared options (collectors/*): each says what it expects and quotes what it got,
 * so a bad value reads the same whether it came from a flag, the environment or a config file.
 */
import { z } from 'zod';
import { got } from './text.js';
import { parseDuration, parseSince, parseSize } from './units.js';

/**
 * The longest timer Node can set (2^31-1 ms, about 24.8 days): `AbortSignal.timeout()` and `setTimeout`
 * fire after 1 ms for anything longer, so a "30d" timeout would cut every collector off at once.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export { got, show } from './text.js';

export const DURATION_PATTERN = /^\s*(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+\s*$/i;
const SIZE_PATTERN = /^\s*\d+(?:\.\d+)?\s*(?:[kmgt]i?b?|b)?\s*$/i;

/** A non-empty string. */
export const nonEmpty = (what: string) => z.string({ error: (iss) => `expected ${what}${got(iss)}` }).min(1, `expected ${what}, got ""`);
/** A path; relative ones are resolved against the config file's folder by the loader. */
export const path = (what = 'a path') => nonEmpty(`${what} (relative paths are relative to the config file's folder)`);
/** A list of non-empty strings. */
export const names = (what: string) => z.array(nonEmpty(what), { error: (iss) => `expected a list of ${what}s${got(iss)}` });
export const bool = () => z.boolean({ error: (iss) => `expected true or false${got(iss)}` });
export const wholeAtLeast = (min: number) =>
  z.int({ error: (iss) => `expected a whole number ≥ ${min}${got(iss)}` }).min(min, { error: (iss) => `expected a whole number ≥ ${min}${got(iss)}` });
/** Milliseconds for a timer: a whole number from 1 to MAX_TIMER_MS. */
export const timerMs = () => wholeAtLeast(1).max(MAX_TIMER_MS, { error: (iss) => `expected at most ${MAX_TIMER_MS} ms (24 days)${got(iss)}` });
/** A duration string such as `7d` (kept as written). */
export const durationText = (example: string) =>
  z
    .string({ error: (iss) => `expected a duration such as ${example}${got(iss)}` })
    .regex(DURATION_PATTERN, { error: (iss) => `expected a duration such as ${example}${got(iss)}` });

/** Seconds: a positive number, or a duration string (`30s`, `5m`, `1h30m`), at most MAX_TIMER_MS. Parsed to seconds. */
export const seconds = () => {
  const msg = (iss: { input?: unknown }) => `expected a positive number of seconds or a duration such as "30s", "5m" or "1h30m"${got(iss)}`;
  return z
    .union(
      [
        z
          .number({ error: msg })
          .positive({ error: msg })
          .max(MAX_TIMER_MS / 1000, {
            error: (iss) => `expected at most ${MAX_TIMER_MS / 1000} seconds (24 days): longer timers overflow and would fire at once${got(iss)}`,
          }),
        z.string().regex(DURATION_PATTERN, { error: msg }),
      ],
      { error: msg },
    )
    .transform((v, ctx) => {
      let s: number;
      try {
        s = typeof v === 'number' ? v : parseDuration(v) / 1000;
      } catch {
        s = 0; // "0s": parseDuration refuses a zero duration
      }
      if (!(s > 0)) {
        ctx.addIssue({ code: 'custom', message: `expected a duration above zero, such as "30s", "5m" or "1h30m"${got({ input: v })}` });
        return z.NEVER;
      }
      if (s * 1000 > MAX_TIMER_MS) {
        ctx.addIssue({ code: 'custom', message: `expected at most 24 days ("24d"): longer timers overflow and would fire at once${got({ input: v })}` });
        return z.NEVER;
      }
      return s;
    });
};

/** A byte size: a whole number of bytes or a string such as `10MiB`, `512KiB`, `1GB`. Parsed to bytes. */
export const size = () => {
  const msg = (iss: { input?: unknown }) => `expected a size such as "10MiB", "512KiB", "1GB" or a whole number of bytes${got(iss)}`;
  return z.union([z.int({ error: msg }).min(0, { error: msg }), z.string().regex(SIZE_PATTERN, { error: msg })], { error: msg }).transform((v, ctx) => {
    if (typeof v === 'number') return v;
    try {
      return parseSize(v);
    } catch {
      ctx.addIssue({ code: 'custom', message: msg({ input: v }) });
      return z.NEVER;
    }
  });
};

/** A time back from now (`24h`, `7d`) or an ISO time not in the future. */
export const since = () =>
  z.string({ error: (iss) => `expected a duration back from now ("24h", "7d") or an ISO time${got(iss)}` }).refine(
    (s) => {
      try {
        parseSince(s);
        return true;
      } catch {
        return false;
      }
    },
    { error: (iss) => `expected a duration back from now ("24h", "7d") or an ISO time ("2026-11-27T10:00:00Z") that is not in the future${got(iss)}` },
  );
