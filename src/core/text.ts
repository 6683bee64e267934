// Room: core (src/core/) — imports nothing of ours (the rule: tests/architecture.test.ts).
/** How a value is quoted in a message. Apart from validators.ts so that quoting a value loads no zod. */

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
