/**
 * The pre-filter: one cheap pass over every byte that finds where any rule's keyword occurs, so only the
 * lines with a keyword are looked at, and on each of them only the rules its keywords select.
 *
 * Keywords come from the rules' hints. A hint that is a plain word list (`ghp_|gho_`, `password`) gives
 * its words; another hint gives the literal prefix of each alternative when it has one of 2+ characters
 * (`SK[0-9a-f]` → `sk`); a hint with no usable literal is tested as a regex on each line the pass marks
 * for other reasons, and its rule is also run on every line that has none (correctness over speed; the
 * built-in and provider rules all have literal hints). Keywords are matched ASCII case-insensitively: a
 * superset of what the hints match, which is fine for a filter.
 *
 * Measured in V8 on 32 MiB of realistic logs: one case-insensitive alternation regex of the ~60 built-in
 * keywords took ~420 ms (irregexp tries the alternatives position by position); this trigram scan (a
 * rolling 24-bit value of the last three case-folded bytes, one bitmap test per byte, a map lookup only on
 * a set bit) takes ~60-90 ms and does not slow down as rules are added (see tests/redaction/speed).
 */

/** Where one keyword occurs in a scanned text. */
export interface KeywordHit {
  readonly at: number;
  /** Index of the keyword; `rulesOf(keyword)` gives the rules it selects. */
  readonly keyword: number;
}

interface Keyword {
  /** Lower-cased (ASCII) bytes. */
  readonly text: string;
  /** The bytes as written, compared exactly when every hint that gave this keyword is case-sensitive. */
  readonly exact: string;
  caseSensitive: boolean;
  readonly rules: number[];
}

/** ASCII case folding of one byte. */
const fold = (c: number): number => (c >= 65 && c <= 90 ? c | 0x20 : c);
const FOLD = Uint8Array.from({ length: 256 }, (_, c) => fold(c));

/** `a|b\.c` → ['a', 'b.c'] when a regex source is nothing but literal words; otherwise undefined. */
export function literalAlternatives(source: string): string[] | undefined {
  const out: string[] = [];
  for (const part of splitTopLevel(source)) {
    if (!/^(?:[A-Za-z0-9_ =:'"@#%,;<>!~-]|\\[./=:\-?*+()[\]{}|^$\\t])+$/.test(part)) return undefined;
    // `\t` is a tab (`user\t` beside `user `); any other escape is the character itself.
    out.push(part.replace(/\\(.)/g, (_, c: string) => (c === 't' ? '\t' : c)));
  }
  return out;
}

/** The literal prefix of each top-level alternative of a regex source (possibly empty). */
function literalPrefixes(source: string): string[] {
  return splitTopLevel(source).map((part) => {
    let out = '';
    for (let i = 0; i < part.length; i++) {
      const c = part[i]!;
      if (c === '\\') {
        const n = part[i + 1] ?? '';
        if (!/[./=:\-?*+()[\]{}|^$\\]/.test(n)) break;
        out += n;
        i++;
      } else if (/[A-Za-z0-9_ =:'"@#%,;<>!~-]/.test(c)) {
        // A quantifier after this character makes it optional or repeated: it is not part of the prefix.
        if (/[?*{]/.test(part[i + 1] ?? '')) break;
        out += c;
      } else break;
    }
    return out;
  });
}

/** Splits a regex source on `|` outside groups and classes. */
function splitTopLevel(source: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inClass = false;
  let cur = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      cur += c + (source[i + 1] ?? '');
      i++;
      continue;
    }
    if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      parts.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  parts.push(cur);
  return parts;
}

/**
 * Hash of a trigram (three bytes, each `| 0x20`) to a slot of the 2^18-entry table (512 KiB): with
 * 2^16 slots, the ~1,000 the keywords take made hash collisions most of the candidates.
 */
const slotOf = (tri: number): number => Math.imul(tri, 0x9e3779b1) >>> 14;

/**
 * Start positions in bytes[from, to) whose trigram's slot is set, into `out` (as many as fit); returns
 * how many. Position p's trigram is bytes p, p+1, p+2, each `| 0x20` (ASCII case folding for letters, a
 * harmless merge of a few punctuation pairs for the others: candidates are verified), a 0x20 past `to`.
 * One load, one multiply and one table load per byte: ~4x faster in V8 than a Map probe per bit hit.
 */
function trigramCandidates(bytes: Uint8Array, from: number, to: number, table: Uint16Array, out: Int32Array): number {
  let n = 0;
  const cap = out.length;
  if (to - from < 2) return 0;
  let tri = ((bytes[from]! | 0x20) << 8) | (bytes[from + 1]! | 0x20);
  for (let i = from + 2; i < to; i++) {
    tri = ((tri << 8) | bytes[i]! | 0x20) & 0xffffff;
    if (table[Math.imul(tri, 0x9e3779b1) >>> 14] !== 0) {
      out[n++] = i - 2;
      if (n === cap) return n;
    }
  }
  // The last position's trigram runs past `to` (a two-character keyword can still end there).
  tri = ((tri << 8) | 0x20) & 0xffffff;
  if (table[Math.imul(tri, 0x9e3779b1) >>> 14] !== 0 && n < cap) out[n++] = to - 2;
  return n;
}

/** Letters by how common they are in English text and logs (rarer letters score lower). */
const LETTER_RANK = 'zqxjkvbpygfwmucldrhsnioate';

/** The offset of the trigram of `word` least likely to occur in ordinary text. */
/**
 * Trigrams that ordinary logs are full of (measured on the bench corpus: each gave 7,000-40,000
 * candidates per 16 MiB as the indexed trigram of a keyword): a keyword is indexed elsewhere if it can.
 */
const COMMON_TRIGRAMS = new Set(['log', 'wor', 'tim', 'ill', 'ver', 'lin', 'mai', 'ogi', 'acc', 'try', 'nse', 'pag', 'cre', 'lic', 'ssi', 'cur']);

function rarestTrigram(word: string): number {
  const score = (c: string): number => {
    const r = LETTER_RANK.indexOf(c);
    if (r !== -1) return r + 1;
    return /[0-9 ]/.test(c) ? 20 : 0; // punctuation (`(`, `_`, `:`, `-`) is rare in words
  };
  let best = 0;
  let bestScore = Infinity;
  for (let o = 0; o + 3 <= word.length; o++) {
    const sc = score(word[o]!) + score(word[o + 1]!) + score(word[o + 2]!) + (COMMON_TRIGRAMS.has(word.slice(o, o + 3)) ? 100 : 0);
    if (sc < bestScore) {
      bestScore = sc;
      best = o;
    }
  }
  return best;
}

/** Rules' keywords in one index; built once per Redactor. */
export class KeywordPrefilter {
  readonly #keywords: Keyword[] = [];
  /** Slot (hash of a trigram) → 1 + index into #buckets of the keywords indexed there; 0: none. */
  readonly #table = new Uint16Array(1 << 18);
  readonly #buckets: number[][] = [];
  #candidates = new Int32Array(4096);
  /** Where each keyword's indexed trigram starts within it. */
  readonly #offsets: number[] = [];
  /** Rules with a hint that yields no keyword: tested with their hint on every line. */
  readonly regexRules: readonly { readonly rule: number; readonly hint: RegExp }[];
  /** Rules with no hint at all: run on every line. */
  readonly alwaysRules: readonly number[];
  /** True when some line can need a rule without a keyword hit (a hint-less rule, or a regex-only hint). */
  readonly scanEveryLine: boolean;

  /** `hints[i]` is rule i's hint; `extra` are keywords of the engine's own shapes (rule index -1). */
  constructor(hints: readonly (RegExp | undefined)[], extra: readonly string[] = []) {
    const regexRules: { rule: number; hint: RegExp }[] = [];
    const alwaysRules: number[] = [];
    const byText = new Map<string, Keyword>();
    const addWord = (word: string, rule: number, caseSensitive: boolean): void => {
      const text = [...word].map((c) => String.fromCharCode(fold(c.charCodeAt(0) & 0xff))).join('');
      // One entry per spelling when case matters (`SK` and `sk` may select different rules).
      const id = caseSensitive ? `=${word}` : text;
      let k = byText.get(id);
      if (!k) byText.set(id, (k = { text, exact: word, caseSensitive, rules: [] }));
      if (rule >= 0 && !k.rules.includes(rule)) k.rules.push(rule);
    };
    hints.forEach((hint, rule) => {
      if (!hint) {
        alwaysRules.push(rule);
        return;
      }
      const words = literalAlternatives(hint.source) ?? literalPrefixes(hint.source);
      if (words.length === 0 || words.some((w) => w.length < 2)) {
        regexRules.push({ rule, hint });
        return;
      }
      // A case-sensitive hint (`AKIA`, `ghp_`) is matched exactly: `sk` must not fire on every "task".
      for (const w of words) addWord(w, rule, !hint.flags.includes('i'));
    });
    for (const w of extra) addWord(w, -1, false);
    for (const k of byText.values()) {
      const id = this.#keywords.push(k) - 1;
      // Indexed under its rarest trigram (`config(` under `ig(`, not the `con` of every "container"), so
      // common text yields few candidates; a two-character keyword under every third character.
      const offset = k.text.length >= 3 ? rarestTrigram(k.text) : 0;
      this.#offsets.push(offset);
      const thirds = k.text.length >= 3 ? [k.text.charCodeAt(offset + 2)] : Array.from({ length: 256 }, (_, c) => c);
      const slots = new Set(
        thirds.map((third) => slotOf(((k.text.charCodeAt(offset) | 0x20) << 16) | ((k.text.charCodeAt(offset + 1) | 0x20) << 8) | third | 0x20)),
      );
      for (const slot of slots) {
        if (this.#table[slot] === 0) this.#table[slot] = this.#buckets.push([]);
        this.#buckets[this.#table[slot]! - 1]!.push(id);
      }
    }
    this.regexRules = regexRules;
    this.alwaysRules = alwaysRules;
    this.scanEveryLine = alwaysRules.length > 0;
  }

  /** The rules keyword `k` selects (empty for the engine's own shape keywords). */
  rulesOf(k: number): readonly number[] {
    return this.#keywords[k]!.rules;
  }

  get keywordCount(): number {
    return this.#keywords.length;
  }

  /**
   * Every keyword occurrence in bytes[from, to), by start position. Works on the bytes (a Buffer), not
   * on a latin1 string: indexing a Uint8Array is about twice as fast in V8 as charCodeAt on a sliced string.
   */
  scan(bytes: Uint8Array, from = 0, to = bytes.length): KeywordHit[] {
    const hits: KeywordHit[] = [];
    const keywords = this.#keywords;
    const offsets = this.#offsets;
    const table = this.#table;
    // The hot loop lives in its own small function over typed arrays only, so V8 keeps it optimised;
    // the few candidates it yields are checked here.
    let candidates = this.#candidates;
    for (let at = from; ; ) {
      const n = trigramCandidates(bytes, at, to, table, candidates);
      for (let c = 0; c < n; c++) {
        const p = candidates[c]!;
        const tri = ((bytes[p]! | 0x20) << 16) | ((bytes[p + 1]! | 0x20) << 8) | (p + 2 < to ? bytes[p + 2]! | 0x20 : 0x20);
        for (const id of this.#buckets[table[slotOf(tri)]! - 1]!) {
          const k = keywords[id]!;
          const start = p - offsets[id]!;
          const w = k.caseSensitive ? k.exact : k.text;
          if (start < from || start + w.length > to) continue;
          let j = 0;
          if (k.caseSensitive) while (j < w.length && bytes[start + j] === w.charCodeAt(j)) j++;
          else while (j < w.length && FOLD[bytes[start + j]!] === w.charCodeAt(j)) j++;
          if (j >= w.length) hits.push({ at: start, keyword: id });
        }
      }
      if (n < candidates.length) break;
      // The buffer filled up: continue after the last candidate.
      at = candidates[n - 1]! + 1;
      if (candidates.length < 1 << 20) this.#candidates = candidates = new Int32Array(candidates.length * 4);
    }
    return hits;
  }
}
