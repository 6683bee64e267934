/**
 * Conformance of every rule in the default set (structure-aware rules and the provider table): ids,
 * descriptions, literal hints the pre-filter can merge, no nested repetition in provider patterns, and no
 * catastrophic backtracking. Each rule's own pattern is applied to 1 MiB adversarial lines built from its
 * hint's literals and its example's alphabet: the literal followed by a megabyte of valid characters, the
 * literal repeated with and without separators, and a megabyte of short near-tokens. A rule whose time
 * grows more than 10x from a quarter of such a line to the whole has a backtracking bug (linear: 4x).
 */
import { describe, expect, it } from 'vitest';
import { defaultRules } from '../../redaction/redactor.js';
import { providerRules } from '../../redaction/providers.js';
import type { Rule } from '../../redaction/rule.js';
import { providerSpecs } from './provider-specs.js';

const MiB = 1 << 20;
/** Built-in rules with a backtracking bug found here, left to the engine rewrite (see the todo below). */
const ENGINE_KNOWN_SLOW = new Set(['django-secret-key-fallbacks']);
/** Quarter-line times below this are noise; linear rules take a few ms, backtracking ones seconds. */
const FLOOR_MS = 50;
/** Whole line / first quarter: 4 when linear, 16 when quadratic. */
const MAX_GROWTH = 10;

/** A hint's source split into its alternatives, when it is a plain literal list (escaped punctuation allowed). */
function literalWords(source: string): string[] | undefined {
  const parts = source.split('|');
  const out: string[] = [];
  for (const part of parts) {
    // A literal, optionally followed by a shape the engine confirms on the line (Twilio's `SK[0-9a-fA-F]`,
    // Airtable's `pat[A-Za-z0-9]{14}\.`, url-password's `://[^\s/]*@`): `SK` and `pat` alone are syllables of
    // ordinary words, and most URLs hold no password.
    const m = /^((?:[^\\[\]()*+?{}^$.|]|\\[^A-Za-z0-9]|\\t)+)(\[.*)?$/.exec(part);
    if (!m) return undefined;
    out.push(m[1]!.replace(/\\(.)/g, '$1'));
  }
  return out;
}

/**
 * True when some group that holds a quantifier is itself repeated (`*`, `+`, `{n,m}` with m > 1): the
 * shape behind catastrophic backtracking. An optional group (`?`, `{0,1}`) is not repetition.
 */
function hasNestedQuantifier(source: string): boolean {
  const stack: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') {
      stack.push(false);
      // Group syntax is not a quantifier: (?: (?= (?! (?<= (?<! (?<name>
      const syntax = /^\?(?::|=|!|<=|<!|<[A-Za-z][A-Za-z0-9]*>)/.exec(source.slice(i + 1));
      if (syntax) i += syntax[0].length;
    } else if (c === ')') {
      const inner = stack.pop() ?? false;
      const rest = source.slice(i + 1);
      const q = /^(?:[*+]|\{(\d+)(?:,(\d*))?\})/.exec(rest);
      const repeats = q !== null && (q[0] === '*' || q[0] === '+' || q[2] === '' || Number(q[2] ?? q[1]) > 1);
      if (inner && repeats) return true;
      if (inner || q || rest.startsWith('?')) if (stack.length) stack[stack.length - 1] = true;
    } else if ((c === '*' || c === '+' || c === '?' || c === '{') && stack.length) stack[stack.length - 1] = true;
  }
  return false;
}

const examples = new Map(providerSpecs.map((s) => [s.rule, s]));
const DEFAULT_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+/=.';

/** `alphabet` repeated to `n` characters. */
const cycle = (alphabet: string, n: number): string => alphabet.repeat(Math.ceil(n / alphabet.length)).slice(0, n);
const fill = (unit: string): string => unit.repeat(Math.ceil(MiB / unit.length));

function adversarialLines(rule: Rule): { what: string; line: string }[] {
  const words = (literalWords(rule.hint?.source ?? '') ?? ['x']).slice(0, 1);
  const spec = examples.get(rule.id);
  const body = spec ? spec.secret.slice(spec.prefix?.length ?? 0) : DEFAULT_ALPHABET;
  const alphabet = [...new Set(body)].join('') || DEFAULT_ALPHABET;
  const lines: { what: string; line: string }[] = [];
  for (const w of words) {
    lines.push({ what: `${w} + 1 MiB of its alphabet`, line: w + cycle(alphabet, MiB) });
    lines.push({ what: `${w} + 1 MiB of its alphabet + a character that ends nothing`, line: `${w}${cycle(alphabet, MiB)}_` });
    lines.push({ what: `${w} repeated`, line: fill(w) });
    lines.push({ what: `${w}= repeated`, line: fill(`${w}=`) });
    lines.push({ what: `${w}: " repeated`, line: fill(`${w}: "`) });
    lines.push({ what: `short near-tokens after ${w}`, line: fill(`${w}=${cycle(alphabet, 30)} `) });
    lines.push({ what: `${w} inside a megabyte of its alphabet`, line: fill(`${cycle(alphabet, 97)}${w}`) });
  }
  return lines;
}

/** Runs a rule's pattern over a line to the end, as the engine does. */
function runPattern(rule: Rule, line: string): number {
  const re = new RegExp(rule.pattern.source, rule.pattern.flags);
  let n = 0;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) {
    n++;
    if (m[0].length === 0) re.lastIndex++;
  }
  return n;
}

/**
 * Rules whose hint is a line shape, not a word: a `.pgpass` line (`host:5432:db:user:password`) has no
 * keyword at all. The engine runs them on every line of a file named .pgpass and, elsewhere, only on
 * lines another keyword marked; their patterns are anchored at line start and bounded.
 */
const LINE_SHAPE_HINTS = new Set(['pgpass-password']);

describe('rule conformance (every rule of the default set)', () => {
  it('has unique kebab-case ids and a description', () => {
    const ids = defaultRules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of defaultRules) {
      expect(r.id, r.id).toMatch(/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/);
      expect(r.description.trim().length, r.id).toBeGreaterThan(10);
    }
  });

  it('gives every rule a literal hint the pre-filter can merge', () => {
    for (const r of defaultRules) {
      expect(r.hint, r.id).toBeDefined();
      expect(r.hint!.global || r.hint!.sticky, r.id).toBe(false);
      if (LINE_SHAPE_HINTS.has(r.id)) continue;
      expect(literalWords(r.hint!.source), `${r.id}: ${r.hint!.source}`).toBeDefined();
    }
  });

  it('has about 200 provider rules or more', () => {
    expect(providerRules.length).toBeGreaterThanOrEqual(190);
  });

  it('writes no provider pattern with a repeated group that itself repeats', () => {
    for (const r of providerRules) expect(hasNestedQuantifier(r.pattern.source), `${r.id}: ${r.pattern.source}`).toBe(false);
    // The check itself: it must see the classic shapes.
    expect(hasNestedQuantifier('(a+)+')).toBe(true);
    expect(hasNestedQuantifier('(?:[a-z]{2,5}\\.)*x')).toBe(true);
    expect(hasNestedQuantifier('(?:ab)+c[a-z]{3,}(?:-x)?')).toBe(false);
  });

  it.each(defaultRules.filter((r) => !ENGINE_KNOWN_SLOW.has(r.id)).map((r) => [r.id, r] as const))(
    '%s finishes 1 MiB adversarial lines in bounded time',
    (_id, rule) => {
      const time = (line: string): number => {
        const t0 = performance.now();
        if (rule.hint) rule.hint.test(line);
        runPattern(rule, line);
        return performance.now() - t0;
      };
      for (const { what, line } of adversarialLines(rule)) {
        // A ratio, not a wall-clock limit (the machines are shared): the whole line against its first
        // quarter, measured back to back. Linear work grows 4x; a backtracking bug grows 16x or more.
        // Each the best of three runs, so one pause of a shared machine does not decide.
        const best = (l: string): number => Math.min(time(l), time(l), time(l));
        const quarter = best(line.slice(0, line.length >> 2));
        const whole = best(line);
        const ratio = whole / Math.max(quarter, FLOOR_MS);
        expect(ratio, `${rule.id} on ${what}: ${whole.toFixed(0)} ms whole, ${quarter.toFixed(0)} ms a quarter`).toBeLessThan(MAX_GROWTH);
      }
    },
    120_000,
  );

  // Found by this test, in rules.ts (owned by the engine rewrite, not by the provider table): the
  // lookbehind of django-secret-key-fallbacks rescans the line from every `SECRET_KEY_FALLBACKS: "` it
  // sees, 127 s on a 1 MiB line of them. It joins the loop above once rules.ts is fixed.
  it.todo('django-secret-key-fallbacks finishes 1 MiB adversarial lines in bounded time (quadratic lookbehind in rules.ts)');
});
