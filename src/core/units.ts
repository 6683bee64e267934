// Room: core (src/core/) — imports nothing of ours (the rule: tests/architecture.test.ts).
/**
 * Parsers for the human-friendly values options take: durations (`24h`, `1h30m`), points in time
 * (`--since 24h` or an ISO time) and byte sizes (`10MiB`). Each throws an Error whose message says
 * what was expected, so the CLI can name the flag and exit 2.
 */

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A duration like `90s`, `15m`, `24h`, `7d`, `1h30m` or `1.5h` (Go-style, plus `d` and `w`), in ms.
 * A bare number has no unit and is refused: `--since 10` could mean seconds, minutes or a timestamp.
 */
export function parseDuration(text: string): number {
  const s = text.trim().toLowerCase();
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/y;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    part.lastIndex = pos;
    const m = part.exec(s);
    if (!m) throw new Error(`"${text}" is not a duration: use a number with a unit, e.g. 30m, 24h, 7d or 1h30m`);
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    pos = part.lastIndex;
  }
  if (s.length === 0 || !(total > 0)) throw new Error(`"${text}" is not a positive duration: use e.g. 30m, 24h or 7d`);
  return Math.round(total);
}

/** An ISO-8601 date or date-time: `2026-11-27`, `2026-11-27T10:00`, `2026-11-27T10:00:00Z`, with offset. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * `--since`: a duration back from `now` or an ISO time; returns the point in time. A time in the future
 * is refused, since it would select nothing.
 */
export function parseSince(text: string, now: Date = new Date()): Date {
  const s = text.trim();
  if (ISO_TIME.test(s)) {
    const date = new Date(s.replace(' ', 'T'));
    if (Number.isNaN(date.getTime())) throw new Error(`"${text}" is not a valid date/time`);
    if (date.getTime() > now.getTime()) throw new Error(`"${text}" lies in the future`);
    return date;
  }
  try {
    return new Date(now.getTime() - parseDuration(s));
  } catch {
    throw new Error(`"${text}" is neither a duration (30m, 24h, 7d) nor an ISO time (2026-11-27T10:00:00Z)`);
  }
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
};

/**
 * A byte size: `10MiB`, `10M` (binary, as docker's `--memory 16m`), `10MB` (decimal), `512k`, `4096`.
 * `0` is allowed and means "no limit" where the option says so.
 */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new Error(`"${text}" is not a size: use e.g. 10MiB, 512KiB, 1GB or a number of bytes`);
  return Math.floor(Number(m[1]) * unit);
}

/** `1.5 MiB`-style text for messages. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : +v.toFixed(1)} ${units[u]}`;
}

/** `24h`, `1h30m`, `45s` for messages (whole seconds). */
export function formatDuration(ms: number): string {
  let s = Math.round(ms / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  return parts.join('') || '0s';
}
