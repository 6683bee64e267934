/**
 * The streaming redaction stage. Every byte that reaches the bundle passes through here first.
 *
 * It works line by line, so memory is bounded by the longest line it holds. A line longer than a
 * window is scanned in windows that share `overlap` characters of context, so a secret whose key sits
 * in one window and whose value starts in the next is still caught. Content with a NUL byte is binary:
 * it is refused (BinaryContentError), never passed through unscanned.
 */
import { StringDecoder } from 'node:string_decoder';
import type { ByteSource, Rule } from '../src/types.js';
import { isSecretKeyName } from './keys.js';
import type { RedactionReport } from './report.js';
import { builtinRules } from './rules.js';
import { TOKEN_PREFIX, redactionToken } from './tags.js';

/** Thrown when content is binary; the writer records it as a problem and stores nothing. */
export class BinaryContentError extends Error {
  constructor(readonly bytesRead: number) {
    super(`binary content (NUL byte within the first ${bytesRead} bytes) was not included`);
    this.name = 'BinaryContentError';
  }
}

export interface RedactorOptions {
  /** HMAC key for tags; never written to the bundle. */
  readonly key: Buffer;
  readonly report: RedactionReport;
  readonly rules?: readonly Rule[];
  /** Characters of a long line scanned at once (default 64 Ki). */
  readonly windowChars?: number;
  /** Context carried from one window to the next (default 8 Ki); also the longest secret caught across a cut. */
  readonly overlapChars?: number;
}

interface CompiledRule {
  readonly id: string;
  readonly hint: RegExp | undefined;
  /** The rule's pattern with the `d` flag, for group positions. */
  readonly re: RegExp;
  readonly keyed: boolean;
}

interface Span {
  readonly start: number;
  readonly end: number;
  readonly rule: string;
}

/** Values that are never secrets whatever the key: placeholders, empties, references, our own tokens. */
const NOT_A_SECRET = /^(?:null|none|nil|true|false|undefined|\*+|x+|<[^>]*>|\$\{[A-Z_][A-Z0-9_]*\}|\$[A-Z_][A-Z0-9_]*|%\([^)]*\)s)$/i;

/**
 * One of our own tokens. Nothing inside one is scanned again: the rule ids in a token (`secret-key-value:`)
 * would otherwise read as a secret key, and redacting twice must equal redacting once.
 */
const OWN_TOKEN = /\[REDACTED:[a-z][a-z0-9-]*:[0-9a-f]{8}\]/g;

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

/** Text just before a bare value that makes it a JSON object member's value. */
const JSON_KEY_BEFORE = /"[^"\n]*"\s*:\s*$/;

/** Redacts text and streams for one run. Holds the run's key, rules and report. */
export class Redactor {
  readonly #key: Buffer;
  readonly #report: RedactionReport;
  readonly #rules: readonly CompiledRule[];
  readonly #window: number;
  readonly #overlap: number;

  constructor(options: RedactorOptions) {
    this.#key = options.key;
    this.#report = options.report;
    this.#rules = (options.rules ?? builtinRules).map((r) => ({
      id: r.id,
      hint: r.hint,
      re: new RegExp(r.pattern.source, r.pattern.flags.includes('d') ? r.pattern.flags : `${r.pattern.flags}d`),
      keyed: /\(\?<key>/.test(r.pattern.source),
    }));
    this.#window = options.windowChars ?? 64 * 1024;
    this.#overlap = options.overlapChars ?? 8 * 1024;
    if (this.#overlap >= this.#window) throw new Error('overlapChars must be smaller than windowChars');
  }

  get report(): RedactionReport {
    return this.#report;
  }

  /** Redacts a whole string (any number of lines), counting under `file`. */
  text(text: string, file: string): string {
    const lines = text.split('\n');
    return lines.map((line, i) => this.#scan('', line, line.length, file, i + 1).out).join('\n');
  }

  /** A value for a single field (an argv element, an error message): redacted as one line of `file`. */
  value(text: string, file: string): string {
    return this.text(text, file);
  }

  /**
   * An async-generator stage for `stream/promises.pipeline`: raw bytes in, redacted UTF-8 bytes out.
   * Line endings are kept as they were; a missing final newline stays missing.
   */
  stream(file: string): (source: ByteSource) => AsyncGenerator<Buffer> {
    const self = this;
    return async function* redactStream(source: ByteSource): AsyncGenerator<Buffer> {
      const decoder = new StringDecoder('utf8');
      let pending = '';
      let context = '';
      let line = 1;
      let bytesRead = 0;
      const limit = self.#window;
      /**
       * Scans whole windows off the front of `text` (part of one line) while more than a window and its
       * overlap remain, and returns their output and the unscanned rest. Both the "line still arriving"
       * and the "line complete" paths go through here, so how the bytes were chunked never changes where
       * the windows fall, and so never changes the output.
       */
      const drain = (text: string): { out: string; rest: string } => {
        let out = '';
        while (text.length > limit + self.#overlap) {
          let end = limit + self.#overlap;
          // Never end a window between the two halves of a surrogate pair.
          if (isHighSurrogate(text.charCodeAt(end - 1))) end++;
          const { out: part, consumed } = self.#scan(context, text.slice(0, end), limit, file, line);
          out += part;
          context = (context + text.slice(0, consumed)).slice(-self.#overlap);
          text = text.slice(consumed);
        }
        return { out, rest: text };
      };
      for await (const chunk of source as AsyncIterable<Buffer | string>) {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        bytesRead += buf.length;
        if (buf.includes(0)) throw new BinaryContentError(bytesRead);
        pending += decoder.write(buf);
        let out = '';
        let nl: number;
        while ((nl = pending.indexOf('\n')) !== -1) {
          const { out: head, rest } = drain(pending.slice(0, nl));
          out += head + self.#scan(context, rest, rest.length, file, line).out + '\n';
          pending = pending.slice(nl + 1);
          context = '';
          line++;
        }
        const { out: head, rest } = drain(pending);
        out += head;
        pending = rest;
        if (out) yield Buffer.from(out, 'utf8');
      }
      pending += decoder.end();
      const { out: head, rest } = drain(pending);
      const tail = head + (rest ? self.#scan(context, rest, rest.length, file, line).out : '');
      if (tail) yield Buffer.from(tail, 'utf8');
    };
  }

  /**
   * Scans `context + piece` and redacts secrets that start within the first `limit` characters of
   * `piece`. Returns the redacted text of the piece up to the cut, which moves past any secret that
   * straddles it, and how many characters of `piece` that covered.
   */
  #scan(context: string, piece: string, limit: number, file: string, line: number): { out: string; consumed: number } {
    const text = context + piece;
    const from = context.length;
    const spans = this.#spans(text, from, from + limit);
    let cut = from + limit;
    for (const s of spans) if (s.start < cut && s.end > cut) cut = s.end;
    cut = Math.min(cut, text.length);
    // A cut between the halves of a surrogate pair would emit two lone surrogates (two U+FFFD).
    if (cut < text.length && isHighSurrogate(text.charCodeAt(cut - 1))) cut++;
    let out = '';
    let pos = from;
    for (const s of spans) {
      if (s.start >= cut) break;
      const secret = text.slice(s.start, s.end);
      const token = redactionToken(this.#key, s.rule, secret);
      // A bare JSON value (`"password": 123`) becomes a JSON string, so JSON stays valid JSON.
      const bareJson = JSON_KEY_BEFORE.test(text.slice(Math.max(0, s.start - 200), s.start)) && !/^["']/.test(secret);
      out += text.slice(pos, s.start) + (bareJson ? `"${token}"` : token);
      pos = s.end;
      this.#report.add(file, s.rule, line);
    }
    out += text.slice(pos, cut);
    return { out, consumed: cut - from };
  }

  /** Non-overlapping secret spans starting in [from, to), sorted; earlier start wins, then rule order. */
  #spans(text: string, from: number, to: number): Span[] {
    const found: Span[] = [];
    const tokens = text.includes(TOKEN_PREFIX) ? [...text.matchAll(OWN_TOKEN)].map((t) => [t.index, t.index + t[0].length] as const) : [];
    const inToken = (s: { start: number; end: number }): boolean => tokens.some(([a, b]) => s.start >= a && s.end <= b);
    for (const rule of this.#rules) {
      if (rule.hint && !rule.hint.test(text)) continue;
      const re = rule.re;
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(text)) !== null) {
        if (m[0].length === 0) {
          re.lastIndex++;
          continue;
        }
        const span = secretSpan(m);
        const accepted =
          span !== undefined &&
          span.start >= from &&
          span.start < to &&
          span.end > span.start &&
          !inToken(span) &&
          (!rule.keyed || isSecretKeyName(m.groups?.['key'] ?? '')) &&
          isPlausibleSecret(text.slice(span.start, span.end));
        if (accepted) found.push({ ...span, rule: rule.id });
        // A rejected match (e.g. a key that is not secret) may hide a real one inside it: retry just after its start.
        else re.lastIndex = m.index + 1;
      }
    }
    found.sort((a, b) => a.start - b.start || b.end - a.end);
    const kept: Span[] = [];
    for (const s of found) if (kept.length === 0 || s.start >= kept[kept.length - 1]!.end) kept.push(s);
    return kept;
  }
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

function isPlausibleSecret(value: string): boolean {
  return !value.startsWith(TOKEN_PREFIX) && !NOT_A_SECRET.test(value);
}
