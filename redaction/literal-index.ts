/**
 * Finds known-secret literals in byte strings in one forward pass, in time linear in the text whatever
 * the number of literals (issue #18: N distinct secrets must not cost N passes or a rebuilt regex).
 *
 * Every literal is at least MIN_ANCHOR characters long, so its first four characters are an anchor.
 * The scan keeps the last four characters in a 32-bit rolling value and tests one bit of a bitmap for
 * it (a Bloom-style filter with one hash); only on a set bit does it look the anchor up in a map and
 * compare the few literals that start with it. Adding a literal sets one bit and appends to one list:
 * nothing is rebuilt, so a secret learned mid-stream costs O(its length), and a scan that already
 * passed a position never needs to see it again (later text is scanned with the new literal included).
 *
 * A V8 alternation regex of all literals was the previous design: rebuilt on every new literal and
 * tried alternative by alternative at each position, it made 20,000 distinct secrets quadratic.
 */

/** Literals shorter than this are not indexed (the literal set never holds shorter forms). */
export const MIN_ANCHOR = 4;

/** 2^20 bits (128 KiB): a few percent false positives even with 100k literals. */
const BITS_LOG2 = 20;

const bitOf = (anchor: number): number => Math.imul(anchor, 0x9e3779b1) >>> (32 - BITS_LOG2);

/** The first four characters of `s` from `at`, one byte each, as an unsigned 32-bit number. */
const anchorAt = (s: string, at: number): number =>
  ((s.charCodeAt(at) << 24) | (s.charCodeAt(at + 1) << 16) | (s.charCodeAt(at + 2) << 8) | s.charCodeAt(at + 3)) >>> 0;

/** A match of one literal: [start, end) in the scanned text. */
export interface LiteralHit {
  readonly start: number;
  readonly end: number;
}

/** An incremental index of byte-string literals (each character one byte, 0-255). */
export class LiteralIndex {
  readonly #bits = new Uint8Array(1 << (BITS_LOG2 - 3));
  /**
   * Anchor → the literals starting with it, by length (lengths longest first, so a form is never cut by
   * a shorter one). Many secrets can share an anchor (`CANARY-1`, `CANARY-2`, … or their base64 forms):
   * a set per length keeps adding and looking up O(1) per length instead of a list scan per literal.
   */
  readonly #byAnchor = new Map<number, { lengths: number[]; byLength: Map<number, Set<string>> }>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Adds a literal of at least MIN_ANCHOR byte characters; false when too short or already known. */
  add(literal: string): boolean {
    if (literal.length < MIN_ANCHOR) return false;
    const anchor = anchorAt(literal, 0);
    let bucket = this.#byAnchor.get(anchor);
    if (!bucket) this.#byAnchor.set(anchor, (bucket = { lengths: [], byLength: new Map() }));
    let set = bucket.byLength.get(literal.length);
    if (!set) {
      bucket.byLength.set(literal.length, (set = new Set()));
      bucket.lengths.push(literal.length);
      bucket.lengths.sort((a, b) => b - a);
    }
    if (set.has(literal)) return false;
    set.add(literal);
    const bit = bitOf(anchor);
    this.#bits[bit >>> 3]! |= 1 << (bit & 7);
    this.#size++;
    return true;
  }

  /** The first (then longest) literal that starts in [from, to) of `text`, or undefined. */
  find(text: string, from: number, to: number = text.length): LiteralHit | undefined {
    if (this.#size === 0) return undefined;
    const bits = this.#bits;
    const last = Math.min(to, text.length - MIN_ANCHOR + 1);
    if (from >= last) return undefined;
    let h = ((text.charCodeAt(from) << 16) | (text.charCodeAt(from + 1) << 8) | text.charCodeAt(from + 2)) >>> 0;
    for (let i = from + 3, start = from; start < last; i++, start++) {
      h = ((h << 8) | text.charCodeAt(i)) >>> 0;
      const bit = Math.imul(h, 0x9e3779b1) >>> (32 - BITS_LOG2);
      if ((bits[bit >>> 3]! & (1 << (bit & 7))) === 0) continue;
      const bucket = this.#byAnchor.get(h);
      if (!bucket) continue;
      for (const len of bucket.lengths) {
        if (start + len <= text.length && bucket.byLength.get(len)!.has(text.slice(start, start + len))) return { start, end: start + len };
      }
    }
    return undefined;
  }

  /**
   * `find` over bytes (one character per byte, as the stream holds them), so the text between keyword
   * lines is never made a string. The same loop as `find`, reading bytes instead of char codes: one
   * loop over both would test the type at every byte of every log.
   */
  findBytes(bytes: Buffer, from: number, to: number = bytes.length): LiteralHit | undefined {
    if (this.#size === 0) return undefined;
    const bits = this.#bits;
    const last = Math.min(to, bytes.length - MIN_ANCHOR + 1);
    if (from >= last) return undefined;
    let h = ((bytes[from]! << 16) | (bytes[from + 1]! << 8) | bytes[from + 2]!) >>> 0;
    for (let i = from + 3, start = from; start < last; i++, start++) {
      h = ((h << 8) | bytes[i]!) >>> 0;
      const bit = Math.imul(h, 0x9e3779b1) >>> (32 - BITS_LOG2);
      if ((bits[bit >>> 3]! & (1 << (bit & 7))) === 0) continue;
      const bucket = this.#byAnchor.get(h);
      if (!bucket) continue;
      for (const len of bucket.lengths) {
        if (start + len <= bytes.length && bucket.byLength.get(len)!.has(bytes.toString('latin1', start, start + len))) return { start, end: start + len };
      }
    }
    return undefined;
  }

  /** Every non-overlapping match starting in [from, to), leftmost first, longest at each start. */
  findAll(text: string, from = 0, to: number = text.length): LiteralHit[] {
    const out: LiteralHit[] = [];
    for (let hit = this.find(text, from, to); hit; hit = this.find(text, hit.end, to)) out.push(hit);
    return out;
  }
}
