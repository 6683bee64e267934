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
  readonly caseSensitive: boolean;
  readonly rules: number[];
  /** For a two-character keyword: the third characters (folded) its rules allow; null: any. */
  next: Set<number> | null;
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

/**
 * The literal prefix of each top-level alternative of a regex source (possibly empty), and, when the
 * prefix stops at a plain character class that must follow (`SK[0-9a-fA-F]`), the class's characters
 * (ASCII-folded byte values): a two-character keyword is then indexed under those third characters only,
 * not under all 256 (`SK` would otherwise stop at every "tasks").
 */
function literalPrefixes(source: string): { word: string; next?: readonly number[] }[] {
  return splitTopLevel(source).map((part) => {
    let out = '';
    let i = 0;
    for (; i < part.length; i++) {
      const c = part[i]!;
      if (c === '\\') {
        const n = part[i + 1] ?? '';
        if (!/[./=:\-?*+()[\]{}|^$\\]/.test(n)) break;
        out += n;
        i++;
      } else if (/[A-Za-z0-9_ =:'"@#%,;<>!~-]/.test(c)) {
        // A quantifier after this character makes it optional or repeated: it is not part of the prefix.
        if (/[?*{]/.test(part[i + 1] ?? '')) return { word: out };
        out += c;
      } else break;
    }
    const next = part[i] === '[' ? classBytes(part, i) : undefined;
    return next ? { word: out, next } : { word: out };
  });
}

/**
 * The folded byte values of the plain class at source[at] (`[0-9a-fA-F]`, `[A-Za-z_]`) when it is
 * followed by nothing that makes it optional; undefined for a negated class, an escape, or `?`/`*`/`{0`.
 */
function classBytes(source: string, at: number): number[] | undefined {
  const close = source.indexOf(']', at + 1);
  if (close === -1 || source[at + 1] === '^') return undefined;
  const body = source.slice(at + 1, close);
  if (body.includes('\\') || body.length === 0) return undefined;
  const after = source.slice(close + 1);
  if (/^(?:[?*]|\{0)/.test(after)) return undefined;
  const out = new Set<number>();
  for (let j = 0; j < body.length; j++) {
    const lo = body.charCodeAt(j);
    if (body[j + 1] === '-' && j + 2 < body.length) {
      const hi = body.charCodeAt(j + 2);
      for (let c = lo; c <= hi; c++) out.add(c | 0x20);
      j += 2;
    } else out.add(lo | 0x20);
  }
  return [...out];
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
  /** Slot (hash of a trigram) → 1 + index of its bucket; 0: no keyword is indexed there. */
  readonly #table = new Uint16Array(1 << 18);
  /** Bucket b holds the keyword ids #bucketIds[#bucketFrom[b] .. #bucketFrom[b + 1]). */
  #bucketFrom = new Int32Array(1);
  #bucketIds = new Int32Array(0);
  /** Per keyword id: where its compared bytes start in #bytes, their length, case rule, indexed offset. */
  #kwFrom = new Int32Array(0);
  #kwLen = new Int32Array(0);
  #kwExact = new Uint8Array(0);
  #kwOffset = new Int32Array(0);
  #bytes = new Uint8Array(0);
  #candidates = new Int32Array(4096);
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
    const addWord = (word: string, rule: number, caseSensitive: boolean, next: readonly number[] | undefined): void => {
      const text = [...word].map((c) => String.fromCharCode(fold(c.charCodeAt(0) & 0xff))).join('');
      // One entry per spelling when case matters (`SK` and `sk` may select different rules).
      const id = caseSensitive ? `=${word}` : text;
      let k = byText.get(id);
      if (!k) byText.set(id, (k = { text, exact: word, caseSensitive, rules: [], next: next ? new Set(next) : null }));
      else if (!next) k.next = null;
      else if (k.next) for (const c of next) k.next.add(c);
      if (rule >= 0 && !k.rules.includes(rule)) k.rules.push(rule);
    };
    hints.forEach((hint, rule) => {
      if (!hint) {
        alwaysRules.push(rule);
        return;
      }
      const literal = literalAlternatives(hint.source);
      const words = literal ? literal.map((word) => ({ word, next: undefined })) : literalPrefixes(hint.source);
      if (words.length === 0 || words.some((w) => w.word.length < 2)) {
        regexRules.push({ rule, hint });
        return;
      }
      // A case-sensitive hint (`AKIA`, `ghp_`) is matched exactly: `sk` must not fire on every "task".
      for (const w of words) addWord(w.word, rule, !hint.flags.includes('i'), w.next);
    });
    for (const w of extra) addWord(w, -1, false, undefined);
    const buckets: number[][] = [];
    const offsets: number[] = [];
    for (const k of byText.values()) {
      const id = this.#keywords.push(k) - 1;
      // Indexed under its rarest trigram (`config(` under `ig(`, not the `con` of every "container"), so
      // common text yields few candidates; a two-character keyword under each third character it allows.
      const offset = k.text.length >= 3 ? rarestTrigram(k.text) : 0;
      offsets.push(offset);
      const thirds = k.text.length >= 3 ? [k.text.charCodeAt(offset + 2)] : k.next ? [...k.next] : Array.from({ length: 256 }, (_, c) => c);
      const slots = new Set(
        thirds.map((third) => slotOf(((k.text.charCodeAt(offset) | 0x20) << 16) | ((k.text.charCodeAt(offset + 1) | 0x20) << 8) | third | 0x20)),
      );
      for (const slot of slots) {
        if (this.#table[slot] === 0) this.#table[slot] = buckets.push([]);
        buckets[this.#table[slot]! - 1]!.push(id);
      }
    }
    // Flat typed arrays: the candidate check runs hundreds of thousands of times per 32 MiB, and
    // walking arrays of objects there cost more than the byte loop itself.
    const n = this.#keywords.length;
    this.#kwFrom = new Int32Array(n);
    this.#kwLen = new Int32Array(n);
    this.#kwExact = new Uint8Array(n);
    this.#kwOffset = Int32Array.from(offsets);
    let total = 0;
    for (const k of this.#keywords) total += k.text.length;
    this.#bytes = new Uint8Array(total);
    let at = 0;
    this.#keywords.forEach((k, id) => {
      const w = k.caseSensitive ? k.exact : k.text;
      this.#kwFrom[id] = at;
      this.#kwLen[id] = w.length;
      this.#kwExact[id] = k.caseSensitive ? 1 : 0;
      for (let j = 0; j < w.length; j++) this.#bytes[at++] = w.charCodeAt(j) & 0xff;
    });
    this.#bucketFrom = new Int32Array(buckets.length + 1);
    this.#bucketIds = new Int32Array(buckets.reduce((sum, b) => sum + b.length, 0));
    let b = 0;
    buckets.forEach((ids, i) => {
      this.#bucketFrom[i] = b;
      for (const id of ids) this.#bucketIds[b++] = id;
    });
    this.#bucketFrom[buckets.length] = b;
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
    const table = this.#table;
    // The hot loop lives in its own small function over typed arrays only, so V8 keeps it optimised;
    // the candidates it yields are checked in another such function.
    let candidates = this.#candidates;
    for (let at = from; ; ) {
      const n = trigramCandidates(bytes, at, to, table, candidates);
      verifyCandidates(
        bytes,
        from,
        to,
        candidates,
        n,
        table,
        this.#bucketFrom,
        this.#bucketIds,
        this.#kwFrom,
        this.#kwLen,
        this.#kwExact,
        this.#kwOffset,
        this.#bytes,
        hits,
      );
      if (n < candidates.length) break;
      // The buffer filled up: continue after the last candidate.
      at = candidates[n - 1]! + 1;
      if (candidates.length < 1 << 20) this.#candidates = candidates = new Int32Array(candidates.length * 4);
    }
    return hits;
  }
}

/** Checks candidates[0, n) against the keywords of their trigram's bucket; pushes the hits in order. */
function verifyCandidates(
  bytes: Uint8Array,
  from: number,
  to: number,
  candidates: Int32Array,
  n: number,
  table: Uint16Array,
  bucketFrom: Int32Array,
  bucketIds: Int32Array,
  kwFrom: Int32Array,
  kwLen: Int32Array,
  kwExact: Uint8Array,
  kwOffset: Int32Array,
  kwBytes: Uint8Array,
  hits: KeywordHit[],
): void {
  for (let c = 0; c < n; c++) {
    const p = candidates[c]!;
    const tri = ((bytes[p]! | 0x20) << 16) | ((bytes[p + 1]! | 0x20) << 8) | (p + 2 < to ? bytes[p + 2]! | 0x20 : 0x20);
    const bucket = table[Math.imul(tri, 0x9e3779b1) >>> 14]! - 1;
    for (let b = bucketFrom[bucket]!, bEnd = bucketFrom[bucket + 1]!; b < bEnd; b++) {
      const id = bucketIds[b]!;
      const start = p - kwOffset[id]!;
      const len = kwLen[id]!;
      if (start < from || start + len > to) continue;
      const w = kwFrom[id]!;
      let j = 0;
      if (kwExact[id] === 1) while (j < len && bytes[start + j] === kwBytes[w + j]) j++;
      else while (j < len && FOLD[bytes[start + j]!] === kwBytes[w + j]) j++;
      if (j === len) hits.push({ at: start, keyword: id });
    }
  }
}
