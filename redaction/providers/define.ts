/**
 * Builders for provider rules, so each rule is a line of data: a literal prefix and a body, or a
 * provider's name and the shape of the value next to it. Every builder puts real boundaries on both
 * sides of the secret (the boundary class always holds the body's own alphabet, so a run of valid
 * characters has one possible start, and a failed match costs one scan of the run, never a square),
 * uses bounded or single quantifiers only (no nested repetition), and derives the hint from the same
 * literals the pattern starts with, so the engine's pre-filter can merge every hint into one pass.
 */
import type { Rule } from '../rule.js';
import { defineRule } from '../rules.js';

/** The characters of a token word: a token never starts or ends next to one of them. */
const WORD = 'A-Za-z0-9_';

/** Escapes a literal for use in a regex source (outside a character class). */
export const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * `(?<![...])` and `(?![...])` over the token word plus `extra` (characters a body may hold, class-escaped).
 * `=` and `:` never block a start: they separate a key from its value (`KEY=glc_…`, `sig=…`), and a body
 * that holds them is short or bounded, so a run of them costs a bounded scan per start.
 */
export const boundaries = (extra = ''): { start: string; end: string } => ({
  start: `(?<![${WORD}${extra.replace(/[=:]/g, '')}-])`,
  end: `(?![${WORD}${extra}-])`,
});

export const { start: START, end: END } = boundaries();

/** A hint that is nothing but literal alternatives (the pre-filter merges these into one alternation). */
export const hintOf = (words: readonly string[], flags = ''): RegExp => new RegExp(words.map(esc).join('|'), flags);

/** A literal matched in any letter case, without the `i` flag (which would also loosen the value's classes). */
export const ci = (word: string): string => [...word].map((c) => (/[a-z]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : esc(c))).join('');

interface Common {
  readonly id: string;
  /** Names the provider and the format; docs/redaction.md's provider list is made from it. */
  readonly description: string;
  /** Characters the body holds beyond `A-Za-z0-9_-`, escaped for a character class (e.g. `+/=.`). */
  readonly extra?: string;
}

export interface TokenSpec extends Common {
  /** Literal prefixes; one of them starts every token. */
  readonly prefixes: readonly string[];
  /** Regex source for what follows the prefix, with bounded repetition only. */
  readonly body: string;
  /** For a token without a prefix: the literal that every token holds (Azure AD's `Q~`). */
  readonly hint?: RegExp;
}

/** A token with a distinctive literal prefix: `dop_v1_` + 64 hex. */
export function token(spec: TokenSpec): Rule {
  if (spec.prefixes.length === 0 && !spec.hint) throw new Error(`rule "${spec.id}": a token without a prefix needs a hint`);
  const { start, end } = boundaries(spec.extra);
  return defineRule({
    id: spec.id,
    description: spec.description,
    hint: spec.hint ?? hintOf(spec.prefixes),
    pattern: new RegExp(`${start}(?:${spec.prefixes.map(esc).join('|')})${spec.body}${end}`, 'g'),
  });
}

export interface ContextSpec extends Common {
  /** Provider names (any letter case) that must come right before the value's key separator. */
  readonly context: readonly string[];
  /** Regex source of the value itself. */
  readonly value: string;
}

/** Any letter case of one of the names. */
const names = (context: readonly string[]): string => `(?:${context.map(ci).join('|')})`;

/**
 * A value without a prefix of its own, under a key that names the provider: `DATADOG_APP_KEY=…`,
 * `"cloudflare_token": "…"`, `--fastly-token=…`. The rest of the key name is at most 30 word characters,
 * then `=`, `:`, `:=` or `=>`, optional quotes (also `\"` inside a JSON string); the secret is the value.
 */
export function keyed(spec: ContextSpec): Rule {
  const { start, end } = boundaries(spec.extra);
  return defineRule({
    id: spec.id,
    description: spec.description,
    hint: hintOf(spec.context, 'i'),
    pattern: new RegExp(
      String.raw`${names(spec.context)}[A-Za-z0-9_.-]{0,30}(?:\\?["'])?[ \t]{0,3}(?::=|=>|[:=])[ \t]{0,3}(?:\\?["'])?${start}(?<secret>${spec.value})${end}`,
      'g',
    ),
  });
}

export interface NearSpec extends ContextSpec {
  /** Most characters between the end of the name and the value (default 60). */
  readonly gap?: number;
  /** Replaces the start boundary (e.g. a Telegram token glued to `/bot`). */
  readonly start?: string;
  /**
   * A literal every value holds (`:AA` of a Telegram token), as the pre-filter's hint instead of the
   * context names: a common name (`bot`) selected thousands of lines that cannot hold the value.
   */
  readonly valueHint?: RegExp;
}

/**
 * A value with a weak shape of its own, taken only when the provider's name comes before it within a
 * short distance on the same line: `vault token s.XXXX`, `Atlassian …: <24>`.
 */
export function near(spec: NearSpec): Rule {
  const { start, end } = boundaries(spec.extra);
  return defineRule({
    id: spec.id,
    description: spec.description,
    hint: spec.valueHint ?? hintOf(spec.context, 'i'),
    pattern: new RegExp(`${names(spec.context)}[^\\n]{0,${spec.gap ?? 60}}?${spec.start ?? start}(?<secret>${spec.value})${end}`, 'g'),
  });
}

/** A rule written out in full (a URL part, a JSON member): the builders' checks still apply. */
export const custom = (rule: Rule): Rule => defineRule(rule);

/** Common value shapes. */
export const HEX = (n: number | string): string => `[a-f0-9]{${n}}`;
export const ALNUM = (n: number | string): string => `[A-Za-z0-9]{${n}}`;
export const B64URL = (n: number | string): string => `[A-Za-z0-9_-]{${n}}`;
export const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
