// Room: core (src/core/) — imports nothing of ours (the rule: tests/architecture.test.ts).
/** Text helpers for messages, tables and findings: quoting a value (apart from validators.ts, so it loads no zod), one-line text. */

/** How a value appears in a message: strings quoted, objects named by kind (never dumped). */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return String(v);
}

/** `, got "lots"`: the end of a message quoting the offending value. */
export const got = (iss: { input?: unknown }): string => `, got ${show(iss.input)}`;

/**
 * `text` on one line: every run of whitespace (newlines included) as one space, trimmed; longer than
 * `maxChars`, cut to `maxChars` with a trailing `…`.
 */
export function oneLine(text: string, maxChars = Number.POSITIVE_INFINITY): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > maxChars ? `${t.slice(0, maxChars - 1)}…` : t;
}

/** The printable ASCII characters, space to tilde. */
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));

/**
 * Whether a regex matches (almost) any single character (`.`, `\S`, `[^x]`): judged on the printable
 * ASCII characters one by one, 90% or more is "every character". A redaction rule like that turns all
 * text, the tool's own messages included, into a row of tags.
 */
export function matchesAnyCharacter(source: string): boolean {
  const one = new RegExp(source);
  return PRINTABLE.filter((c) => one.test(c)).length >= PRINTABLE.length * 0.9;
}

/** Newlines in text[from, to). */
export function countNewlines(text: string | Uint8Array, from = 0, to = text.length): number {
  let n = 0;
  if (typeof text === 'string') for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n++;
  else for (let i = text.indexOf(0x0a, from); i !== -1 && i < to; i = text.indexOf(0x0a, i + 1)) n++;
  return n;
}
