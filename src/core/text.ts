// Room: core (src/core/) — imports nothing of ours (the rule: tests/architecture.test.ts).
/** Text helpers for messages, tables and findings. */

/**
 * `text` on one line: every run of whitespace (newlines included) as one space, trimmed; longer than
 * `maxChars`, cut to `maxChars` with a trailing `…`.
 */
export function oneLine(text: string, maxChars = Number.POSITIVE_INFINITY): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > maxChars ? `${t.slice(0, maxChars - 1)}…` : t;
}
