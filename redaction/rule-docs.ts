/**
 * docs/redaction.md's list of what is redacted, made from the rule table itself (scripts/gen-redaction-docs.mjs
 * writes it between the redaction-rules markers; a test fails when docs/redaction.md and the table disagree), so
 * the documentation cannot drift from the rules.
 */
import type { Rule } from './rule.js';

export const DOCS_START = '<!-- redaction-rules:start -->';
export const DOCS_END = '<!-- redaction-rules:end -->';

/** A description without its trailing details in parentheses: `Doppler CLI token (dp.ct.)` → `Doppler CLI token`. */
const short = (description: string): string => description.replace(/\s*\([^()]*\)$/, '').trim();

/**
 * One family's rules as a compact list: consecutive descriptions that start with the same word share it
 * (`Doppler personal token, service token, CLI token`).
 */
function familyLine(rules: readonly Rule[]): string {
  // Consecutive descriptions that start with the same capitalised word form one group; the group's head
  // is the words all of them share (`Hugging Face`, `Twitter / X`).
  const groups: string[][] = [];
  const firstWord = (t: string): string => (/^[A-Z0-9]/.test(t) ? t.split(' ')[0]! : '');
  for (const r of rules) {
    const text = short(r.description);
    const last = groups.at(-1);
    if (last && firstWord(text) && firstWord(last[0]!) === firstWord(text)) last.push(text);
    else groups.push([text]);
  }
  return groups
    .map((g) => {
      if (g.length === 1) return g[0]!;
      const words = g.map((t) => t.split(' '));
      let n = 0;
      while (words.every((w) => w.length > n + 1 && w[n] === words[0]![n])) n++;
      return `${words[0]!.slice(0, n).join(' ')} (${words.map((w) => w.slice(n).join(' ')).join('; ')})`;
    })
    .join(', ');
}

/** The generated section, markers included. */
export function renderRuleDocs(builtin: readonly Rule[], families: readonly { readonly name: string; readonly rules: readonly Rule[] }[]): string {
  const total = families.reduce((n, f) => n + f.rules.length, 0);
  return [
    DOCS_START,
    '<!-- Generated from the rule table by `npm run docs:redaction`; edit the rules, not this list. -->',
    'Structure-aware rules, tried first (the id appears in each `[REDACTED:<id>:<tag>]`):',
    '',
    ...builtin.map((r) => `- \`${r.id}\`: ${r.description}`),
    '',
    `Provider formats (${total} rules, each anchored on a literal prefix or on the provider's name next to the value):`,
    '',
    ...families.map((f) => `- **${f.name}** (${f.rules.length}): ${familyLine(f.rules)}.`),
    DOCS_END,
  ].join('\n');
}

/** `readme` with the section between the markers replaced; throws when the markers are missing. */
export function replaceRuleDocs(readme: string, section: string): string {
  const a = readme.indexOf(DOCS_START);
  const b = readme.indexOf(DOCS_END);
  if (a === -1 || b === -1 || b < a) throw new Error(`docs/redaction.md needs the markers ${DOCS_START} and ${DOCS_END}`);
  return readme.slice(0, a) + section + readme.slice(b + DOCS_END.length);
}

/** The section as docs/redaction.md has it now, markers included (undefined without markers). */
export function currentRuleDocs(readme: string): string | undefined {
  const a = readme.indexOf(DOCS_START);
  const b = readme.indexOf(DOCS_END);
  return a === -1 || b === -1 || b < a ? undefined : readme.slice(a, b + DOCS_END.length);
}
