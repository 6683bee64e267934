/**
 * Span finding: which parts of a line are secrets. The rules a line's keywords selected run here, then
 * the known-secret literals, then the last line of defence (entropy.ts) on what no rule took. Overlaps
 * are resolved earliest start first, then longest.
 */
import type { LiteralIndex } from './literal-index.js';
import type { Span } from './span.js';
import { highEntropySpans } from './entropy.js';
import { BareValues } from './bare-value.js';
import { ATTRIBUTE_REFERENCE, FIELD_TYPE, isCode, isPlausibleSecret, mayBeRandomKey, randomUnderKeyName, urlUserinfo, type FileShape } from './values.js';

/** One rule, compiled for byte strings. */
export interface CompiledRule {
  readonly id: string;
  readonly hint: RegExp | undefined;
  /** Tested on a line its keyword selected before the pattern runs (Rule.confirm, or a hint that is more than keywords). */
  readonly confirm: RegExp | undefined;
  /** The rule's pattern with the `d` flag, for group positions. */
  readonly re: RegExp;
  /**
   * A keyed rule's pattern without the `d` flag: it finds the matches, and `re` is run again only at a
   * match whose key may be secret (most keys on a log line are not, and group positions cost on every match).
   */
  readonly scout: RegExp | undefined;
  readonly keyed: boolean;
  /** Values it finds are learned as literals. */
  readonly learns: boolean;
  /** A bare value it finds is extended to where the line's format ends it (values.ts). */
  readonly extendsBare: boolean;
  /** The entropy rule: run after the others, on what they left (entropy.ts). */
  readonly lastResort: boolean;
  /**
   * A generic format rule (formats.ts): on the very same span, a provider's rule names the secret better
   * (`docker login -p dckr_pat_…` is a Docker Hub token), so it wins the tie.
   */
  readonly generic: boolean;
  /** Runs only in .netrc files. */
  readonly netrcOnly: boolean;
}

export type { Span };

/** What span finding needs from the redactor. */
export interface SpanContext {
  readonly rules: readonly CompiledRule[];
  /** The known-secret index as it is now (it grows while a line is scanned). */
  literals(): LiteralIndex | undefined;
  /** What the file's name says about its lines (values.ts). */
  readonly shape: FileShape;
  /** Tokens in a provider's own prefix: the provider rule judges them, the entropy rule does not. */
  readonly providerPrefixes: RegExp | undefined;
  isSecretKey(name: string): boolean;
  allowed(value: string): boolean;
  learn(value: string): void;
}

/**
 * One of our own tokens. Nothing inside one is scanned again: the rule ids in a token (`secret-key-value:`)
 * would otherwise read as a secret key, and redacting twice must equal redacting once.
 */
const OWN_TOKEN = /\[REDACTED:[a-z][a-z0-9-]*:[0-9a-f]{8}\]/g;
const TOKEN_START = '[REDACTED:';

/** The literal matcher's rule id. */
export const KNOWN_SECRET_RULE = 'known-secret';

/**
 * Non-overlapping secret spans starting in [from, to) of `text`, sorted. `selected` lists the indexes of
 * the rules to run (all when undefined); the rest are known not to match (no keyword of theirs).
 */
export function findSpans(ctx: SpanContext, text: string, from: number, to: number, selected?: readonly number[]): Span[] {
  const found: Span[] = [];
  const tokens = text.includes(TOKEN_START) ? [...text.matchAll(OWN_TOKEN)].map((t) => [t.index, t.index + t[0].length] as const) : [];
  const inToken = (s: { start: number; end: number }): boolean => tokens.some(([a, b]) => s.start < b && s.end > a);
  const acceptable = (span: { start: number; end: number }): boolean => span.start >= from && span.start < to && span.end > span.start && !inToken(span);
  const count = selected ? selected.length : ctx.rules.length;
  let lastResort = false;
  for (let r = 0; r < count; r++) {
    const rule = ctx.rules[selected ? selected[r]! : r]!;
    if (!selected && rule.hint && !rule.hint.test(text)) continue;
    if (rule.netrcOnly && !ctx.shape.netrc) continue;
    if (rule.lastResort) {
      lastResort = true;
      continue;
    }
    // The loop's regex: the scout when the rule has one (see CompiledRule.scout).
    const re = rule.scout ?? rule.re;
    const bareValues = rule.extendsBare ? new BareValues(text, ctx.shape) : undefined;
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      const key = m.groups?.['key'] ?? '';
      // The key first: it is cheap, and a value's end is looked for only under a key that may be secret.
      const secretKey = !rule.keyed || ctx.isSecretKey(key);
      if (!secretKey && !mayBeRandomKey(key)) {
        re.lastIndex = m.index + 1;
        continue;
      }
      if (re !== rule.re) {
        // The same match again, with group positions: the first match at or after its start is itself.
        rule.re.lastIndex = m.index;
        const again = rule.re.exec(text);
        if (again === null || again.index !== m.index) throw new Error(`rule ${rule.id}: the match at ${m.index} was not found again`);
        m = again;
      }
      let span = secretSpan(m);
      let unclosed: number | undefined;
      const bare = m.groups?.['secret3'] !== undefined;
      const keyRange = m.indices?.groups?.['key'];
      if (span && bare && bareValues && keyRange) {
        const quotedKey = text[keyRange[1]] === '"' || text[keyRange[1]] === "'";
        // An INI/YAML key with blanks inside (`secret key = x`) is a key only in a configuration file.
        if ((!ctx.shape.config && /[ \t]/.test(key)) || bareValues.opensStructure(span.start, quotedKey)) span = undefined;
        else if ((unclosed = unclosedQuoteEnd(text, span.start)) !== undefined) {
          // `KEY="abc def` or `--password='x y` with no closing quote on the line: the quoted alternative
          // failed, so the value is the rest of the line, blanks included (cut at the first blank, the
          // words after it leaked). The opening quote stays, so the format's error stays visible.
          span = { start: span.start + 1, end: Math.max(unclosed, span.start + 2) };
        } else {
          span = { start: span.start, end: Math.max(bareValues.end(keyRange[0], keyRange[1], span.start), span.start + 1) };
          const userinfo = urlUserinfo(text.slice(span.start, span.end));
          if (userinfo) span = { start: span.start + userinfo.start, end: span.start + userinfo.end };
        }
      }
      // A quoted value glued to more of its word (`--password="$"G5x`, INI's `" "  5`) is one value with it.
      else if (span && bareValues && keyRange && (m.groups?.['secret'] !== undefined || m.groups?.['secret2'] !== undefined)) {
        span = gluedQuotedValue(text, bareValues, keyRange, span, ctx.shape.config);
      }
      const value = span ? text.slice(span.start, span.end) : '';
      const accepted =
        span !== undefined &&
        acceptable(span) &&
        !value.includes('\n') &&
        (secretKey || randomUnderKeyName(key, value)) &&
        isPlausibleSecret(value) &&
        !FIELD_TYPE.test(value) &&
        !(bare && (ATTRIBUTE_REFERENCE.test(value) || isCode(value, text[span!.end]))) &&
        // A bare value followed by `(` or `[` is code (os.environ.get(...), os.environ['X']), not the secret.
        !(bare && (text[span!.end] === '(' || text[span!.end] === '[')) &&
        !ctx.allowed(value);
      if (accepted) {
        found.push(rule.generic ? { ...span!, rule: rule.id, generic: true } : { ...span!, rule: rule.id });
        if (rule.learns) ctx.learn(value);
        // Go on after the value: an extended value may run past where the regex stopped, and a value cut
        // short (at `&` in a URL query) leaves the next pair for the next match.
        if (bareValues && bare) re.lastIndex = Math.max(span!.end, m.index + 1);
        else if (span!.end > re.lastIndex) re.lastIndex = span!.end;
      }
      // A rejected match (e.g. a key that is not secret) may hide a real one inside it: retry just after its start.
      else re.lastIndex = m.index + 1;
    }
  }
  const literals = ctx.literals();
  if (literals) {
    for (const hit of literals.findAll(text, 0, text.length)) {
      if (acceptable(hit) && !ctx.allowed(text.slice(hit.start, hit.end))) found.push({ ...hit, rule: KNOWN_SECRET_RULE });
    }
  }
  const kept = resolve(found);
  if (!lastResort) return kept;
  // The last line of defence only looks at what no rule took.
  const extra = highEntropySpans(text, from, to, kept).filter((s) => {
    const value = text.slice(s.start, s.end);
    return !inToken(s) && !ctx.allowed(value) && !ctx.providerPrefixes?.test(value);
  });
  return extra.length ? resolve([...kept, ...extra]) : kept;
}

/** Characters after a closing quote that end the value there: a separator, a closer or the line's end. */
const AFTER_QUOTE_ENDS = new Set([...',;:)}]\n'].map((c) => c.charCodeAt(0)));

/**
 * The span of a quoted value [start, end) (quotes outside), or, when its closing quote is followed by
 * more of the same word or (in a configuration file's line) by more than blanks and a comment, the
 * whole written value from its opening quote, as the line's format reads it.
 */
/**
 * When `at` holds a `"` or `'` with no other such quote after it on its line: where the line ends,
 * before trailing blanks and CR (the unclosed value's end); otherwise undefined.
 */
function unclosedQuoteEnd(text: string, at: number): number | undefined {
  const q = text[at];
  if (q !== '"' && q !== "'") return undefined;
  const nl = text.indexOf('\n', at);
  let end = nl === -1 ? text.length : nl;
  const close = text.indexOf(q, at + 1);
  if (close !== -1 && close < end) return undefined;
  while (end > at + 1 && (text[end - 1] === ' ' || text[end - 1] === '\t' || text[end - 1] === '\r')) end--;
  return end;
}

function gluedQuotedValue(
  text: string,
  bareValues: BareValues,
  keyRange: readonly [number, number],
  span: { start: number; end: number },
  config: boolean,
): { start: number; end: number } {
  const after = span.end + 1;
  if (after >= text.length || AFTER_QUOTE_ENDS.has(text.charCodeAt(after))) return span;
  let i = after;
  while (text[i] === ' ' || text[i] === '\t' || text[i] === '\r') i++;
  if (i > after && (!config || i >= text.length || text[i] === '#' || text[i] === '\n')) return span;
  const end = bareValues.end(keyRange[0], keyRange[1], span.start - 1);
  return end > after ? { start: span.start - 1, end } : span;
}

/** Earliest start wins, then the longest; spans overlapping a kept one are dropped. */
function resolve(found: Span[]): Span[] {
  found.sort((a, b) => a.start - b.start || b.end - a.end || (a.generic ? 1 : 0) - (b.generic ? 1 : 0));
  const kept: Span[] = [];
  for (const s of found) if (kept.length === 0 || s.start >= kept[kept.length - 1]!.end) kept.push(s);
  return kept;
}

/** Where the secret of a match lies: the first matched group named `secret*`, else the whole match. */
function secretSpan(m: RegExpExecArray): { start: number; end: number } | undefined {
  const groups = m.indices?.groups;
  if (groups) {
    let named = false;
    for (const [name, range] of Object.entries(groups)) {
      if (!name.startsWith('secret')) continue;
      named = true;
      if (range) return { start: range[0], end: range[1] };
    }
    if (named) return undefined;
  }
  return { start: m.index, end: m.index + m[0].length };
}
