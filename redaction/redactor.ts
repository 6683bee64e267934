/**
 * The streaming redaction stage. Every byte that reaches the bundle passes through here first.
 *
 * It works line by line, so memory is bounded by the longest line it holds. Speed comes from a
 * pre-filter: one pass of all rules' cheap hints (and of the known-secret literals) over a whole chunk
 * marks the few lines that can hold a secret; only those lines run the rules. The output depends on
 * each line's content only, never on how the bytes were chunked.
 *
 * A line longer than a window is scanned in windows that share `overlap` characters of context, so a
 * secret whose key sits in one window and whose value starts in the next is still caught. Two block
 * shapes span lines: PEM/OpenSSH private keys (the body between BEGIN and END is replaced by one
 * token) and a secret flag in a JSON argv array (`"--password",` then `"value"` on the next line).
 * Content with a NUL byte, or mostly invalid UTF-8, is binary: it is refused (BinaryContentError),
 * never passed through unscanned.
 *
 * Internally text is a "byte string": each byte is one character (latin1), so what is not redacted comes
 * out byte for byte as it went in (even invalid UTF-8), no window cut can split a character, and no time
 * goes to decoding and re-encoding. Rules are compiled byte-safe: `\s` means ASCII white space only, so a
 * UTF-8 continuation byte (0x85, 0xA0) is never mistaken for a space.
 */
import { createHmac, type Hmac } from 'node:crypto';
import type { ByteSource } from '../src/core/types.js';
import type { Rule } from './rule.js';
import { isSecretKeyName, keyWords } from './keys.js';
import { looksRandom, type LiteralSet } from './literals.js';
import { providerRules } from './providers.js';
import type { RedactionReport } from './report.js';
import { builtinRules } from './rules.js';
import { TOKEN_PREFIX, redactionToken } from './tags.js';

/** Thrown when content is binary; the writer records it as a problem and stores nothing. */
export class BinaryContentError extends Error {
  constructor(
    /** Size of the whole content in bytes (it is read to the end, never kept). */
    readonly bytesRead: number,
    readonly why: 'nul' | 'utf8' = 'nul',
  ) {
    super(`binary content (${bytesRead} bytes; ${why === 'nul' ? 'it has NUL bytes' : 'mostly invalid UTF-8'}) was not included`);
    this.name = 'BinaryContentError';
  }
}

/** Reads what is left of a source without keeping it, for the size of binary content. */
async function drainCount(source: AsyncIterator<Buffer | string>): Promise<number> {
  let n = 0;
  for (let r = await source.next(); !r.done; r = await source.next()) n += typeof r.value === 'string' ? Buffer.byteLength(r.value) : r.value.length;
  return n;
}

/** One redaction, for `--explain` and `verify` (never the secret itself). */
export interface RedactionEvent {
  readonly file: string;
  /** 1-based line of the input. */
  readonly line: number;
  /** 1-based column (in characters) of the secret's start within its line, when known. */
  readonly column: number;
  readonly rule: string;
}

/** Everything the built-in rules know: structure-aware rules first, then provider formats. */
export const defaultRules: readonly Rule[] = Object.freeze([...builtinRules, ...providerRules]);

export interface RedactorOptions {
  /** HMAC key for tags; never written to the bundle. */
  readonly key: Buffer;
  readonly report: RedactionReport;
  /** Default: `defaultRules`. Custom rules are added with `extraRules`. */
  readonly rules?: readonly Rule[];
  /** Rules added after the built-ins (custom rules from options or config). */
  readonly extraRules?: readonly Rule[];
  /** Known secrets of this run; values found by structure rules are added to it as they are found. */
  readonly literals?: LiteralSet;
  /** Do not learn new literals from matches (learning is on when `literals` is given). */
  readonly learn?: boolean;
  /** Key names that are secret in addition to the built-in word list (compared by their words). */
  readonly secretKeys?: readonly string[];
  /** Values that are never redacted: exact strings, or regexes that must match the whole value. */
  readonly allow?: readonly (string | RegExp)[];
  /** Called for every redaction (never with the secret). */
  readonly onRedaction?: (event: RedactionEvent) => void;
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
  /** Values it finds are learned as literals. */
  readonly learns: boolean;
}

interface Span {
  readonly start: number;
  readonly end: number;
  readonly rule: string;
}

/**
 * Values that are never secrets whatever the key: placeholders, empties, references, our own tokens, and
 * YAML block indicators (`ssh_private_key: |`: the value is on the lines below).
 */
const NOT_A_SECRET = /^(?:null|none|nil|true|false|undefined|\*+|x+|<[^>]*>|\$\{[A-Z_][A-Z0-9_]*\}|\$[A-Z_][A-Z0-9_]*|%\([^)]*\)s|[|>][-+1-9]{0,2})$/i;
/** A reference to another setting or attribute (`secret = settings.SECRET_KEY`), not the secret itself. */
const ATTRIBUTE_REFERENCE = /^(?:settings|self|cls|os\.environ|config|conf|request|app\.config)\.[A-Za-z_][A-Za-z0-9_.]*$/;
/** A model field's type in a schema dump (`"auth_token": "CharField"`), not a value. */
const FIELD_TYPE = /^[A-Z][A-Za-z]*Field$/;

/**
 * One of our own tokens. Nothing inside one is scanned again: the rule ids in a token (`secret-key-value:`)
 * would otherwise read as a secret key, and redacting twice must equal redacting once.
 */
const OWN_TOKEN = /\[REDACTED:[a-z][a-z0-9-]*:[0-9a-f]{8}\]/g;

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

/** Text just before a bare value that makes it a JSON object member's value. */
const JSON_KEY_BEFORE = /"[^"\n]*"[ \t]*:[ \t]*$/;

/** A private key block opens here (the body follows on the next lines). */
const PEM_BEGIN = /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----/;
const PEM_END = /-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/;
const PEM_RULE = 'private-key';

/** A JSON argv element that is a secret flag on its own: `"--password",` (its value is the next element). */
const ARGV_FLAG = /^[ \t]*"--?(?<key>[A-Za-z][A-Za-z0-9_.-]{0,60})",?[ \t\r]*$/;
/** The quoted value that a flag or key on the line before is waiting for: indent+quote, value, quote. */
const NEXT_VALUE = /^([ \t]*(["']))((?:(?!\2)[^\\\n]|\\.)+)\2/;
/** A secret key whose value is on the next line: `'PASSWORD':` (a dict printed over lines), `token =`. */
const KEY_ONLY = /(?<![A-Za-z0-9_.-])(?<key>[A-Za-z_][A-Za-z0-9_.-]{0,100})["']?[ \t]*[:=][ \t]*\r?$/;
const KEY_VALUE_RULE = 'secret-key-value';
const ARGV_RULE = 'cli-flag';

/** Rules whose findings become literals for the rest of the run (values a person chose, not formats). */
const LEARNING_RULES = new Set(['url-password', 'authorization-header', 'cli-flag', 'mysql-password']);

/** The literal matcher's rule id. */
export const KNOWN_SECRET_RULE = 'known-secret';

/** Share of U+FFFD in the first bytes above which content is treated as binary. */
const INVALID_UTF8_SHARE = 0.1;
const UTF8_PROBE_BYTES = 64 * 1024;

/** A private key body being read. */
interface KeyBody {
  readonly hmac: Hmac;
  readonly line: number;
  readonly indent: string;
  readonly eol: string;
  /**
   * The body so far is nothing but one of our own key tokens (this line, kept as it is), from redacting
   * the same text before; null once it holds anything else.
   */
  own: string | null | undefined;
}

/** The lines of a block that changed: [start, end) of the block's text, and what replaces them. */
interface BlockChanges {
  readonly changes: { readonly start: number; readonly end: number; readonly text: string }[];
}

/** Per-stream state of the block shapes that span lines. */
interface LineState {
  /** Inside a private key body: its HMAC, the line it started on, and the BEGIN line's indent and CR. */
  pem: KeyBody | undefined;
  /** The previous line was `"--password",` in a JSON argv array. */
  valueNext: string | undefined;
}

/** Redacts text and streams for one run. Holds the run's key, rules, literals and report. */
export class Redactor {
  readonly #key: Buffer;
  readonly #report: RedactionReport;
  readonly #rules: readonly CompiledRule[];
  readonly #prefilters: readonly RegExp[];
  readonly #scanEveryLine: boolean;
  readonly #literals: LiteralSet | undefined;
  readonly #learn: boolean;
  readonly #secretKeys: ReadonlySet<string>;
  readonly #allow: readonly (string | RegExp)[];
  readonly #onRedaction: ((event: RedactionEvent) => void) | undefined;
  readonly #window: number;
  readonly #overlap: number;

  constructor(options: RedactorOptions) {
    this.#key = options.key;
    this.#report = options.report;
    const rules = [...(options.rules ?? defaultRules), ...(options.extraRules ?? [])];
    this.#rules = rules.map((r) => ({
      id: r.id,
      hint: r.hint ? new RegExp(byteSafe(r.hint.source), r.hint.flags) : undefined,
      re: new RegExp(byteSafe(r.pattern.source), r.pattern.flags.includes('d') ? r.pattern.flags : `${r.pattern.flags}d`),
      keyed: /\(\?<key>/.test(r.pattern.source),
      learns: LEARNING_RULES.has(r.id) || /\(\?<key>/.test(r.pattern.source),
    }));
    this.#prefilters = buildPrefilters([...rules.flatMap((r) => (r.hint ? [r.hint] : [])), /-----BEGIN|-----END/]);
    this.#scanEveryLine = rules.some((r) => !r.hint);
    this.#literals = options.literals;
    this.#learn = options.learn ?? options.literals !== undefined;
    this.#secretKeys = new Set((options.secretKeys ?? []).map((k) => keyWords(k).join('')));
    // Regexes must match the whole value; anchor them once here, not on every candidate.
    this.#allow = (options.allow ?? []).map((a) => (typeof a === 'string' ? a : new RegExp(`^(?:${a.source})$`, a.flags.replace(/[gy]/g, ''))));
    this.#onRedaction = options.onRedaction;
    this.#window = options.windowChars ?? 64 * 1024;
    this.#overlap = options.overlapChars ?? 8 * 1024;
    if (this.#overlap >= this.#window) throw new Error('overlapChars must be smaller than windowChars');
  }

  get report(): RedactionReport {
    return this.#report;
  }

  /** The run's literal set, if any (collectors add known secrets to it). */
  get literals(): LiteralSet | undefined {
    return this.#literals;
  }

  /** Redacts a whole string (any number of lines), counting under `file`. */
  text(text: string, file: string): string {
    const state: LineState = { pem: undefined, valueNext: undefined };
    const bytes = toBytes(text);
    const body = bytes.endsWith('\n') ? bytes : `${bytes}\n`;
    const out = this.#block(body, file, 1, state) + this.#closeState(state, file);
    return fromBytes(bytes.endsWith('\n') ? out : out.slice(0, -1));
  }

  /** A value for a single field (an argv element, an error message): redacted as text of `file`. */
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
      const state: LineState = { pem: undefined, valueNext: undefined };
      let pending = '';
      // The bytes of `pending` (one byte per character): unchanged blocks are passed on as these bytes,
      // without encoding the text back.
      let pendingBytes: Buffer = Buffer.alloc(0);
      let context = '';
      let line = 1;
      let bytesRead = 0;
      let probed = 0;
      const limit = self.#window;
      /**
       * Scans whole windows off the front of `text` (part of one line) while more than a window and its
       * overlap remain, and returns their output and the unscanned rest. Both the "line still arriving"
       * and the "line complete" paths go through here, so how the bytes were chunked never changes where
       * the windows fall, and so never changes the output.
       */
      const drain = (text: string, at: number): { out: string; rest: string } => {
        let out = '';
        while (text.length > limit + self.#overlap) {
          let end = limit + self.#overlap;
          // Never end a window between the two halves of a surrogate pair.
          if (isHighSurrogate(text.charCodeAt(end - 1))) end++;
          if (state.pem) {
            // Inside a private key, a huge line is body too: hashed, never emitted.
            hashKeyBody(state.pem, text.slice(0, limit));
            context = '';
            text = text.slice(limit);
            continue;
          }
          const { out: part, consumed } = self.#scan(context, text.slice(0, end), limit, file, at);
          out += part;
          context = (context + text.slice(0, consumed)).slice(-self.#overlap);
          text = text.slice(consumed);
        }
        return { out, rest: text };
      };
      /** Finishes a line that was (partly) scanned in windows; the next line starts without context. */
      const finishLong = (rest: string, at: number): string => {
        const ctx = context;
        context = '';
        if (state.pem) {
          hashKeyBody(state.pem, rest);
          return '';
        }
        return self.#scan(ctx, rest, rest.length, file, at).out;
      };
      const iterator = (source as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
      for (let step = await iterator.next(); !step.done; step = await iterator.next()) {
        const chunk = step.value;
        const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        bytesRead += buf.length;
        // Binary content is refused whole; the rest is read (not kept) so the problem can give its size.
        if (buf.includes(0)) throw new BinaryContentError(bytesRead + (await drainCount(iterator)), 'nul');
        if (probed < UTF8_PROBE_BYTES) {
          const sample = buf.subarray(0, UTF8_PROBE_BYTES - probed);
          probed += sample.length;
          if (mostlyInvalidUtf8(sample)) throw new BinaryContentError(bytesRead + (await drainCount(iterator)), 'utf8');
        }
        pending += buf.toString('latin1');
        pendingBytes = pendingBytes.length ? Buffer.concat([pendingBytes, buf]) : buf;
        const pieces: (string | Buffer)[] = [];
        let out = '';
        const lastNl = pending.lastIndexOf('\n');
        if (lastNl !== -1) {
          let from = 0;
          if (context !== '') {
            // The first line's start was already scanned in windows: finish it with its context.
            const nl = pending.indexOf('\n');
            const { out: head, rest } = drain(pending.slice(0, nl), line);
            const tail = finishLong(rest, line);
            out += head + tail + (state.pem && tail === '' ? '' : '\n');
            line++;
            from = nl + 1;
          }
          if (from <= lastNl) {
            const block = pending.slice(from, lastNl + 1);
            const meta: BlockChanges = { changes: [] };
            self.#block(block, file, line, state, drain, finishLong, meta);
            if (out) pieces.push(out);
            out = '';
            // Unchanged stretches go on as the input's own bytes; only changed lines are encoded.
            let at = 0;
            for (const c of meta.changes) {
              if (c.start > at) pieces.push(pendingBytes.subarray(from + at, from + c.start));
              pieces.push(c.text);
              at = c.end;
            }
            if (at < block.length) pieces.push(pendingBytes.subarray(from + at, from + block.length));
            line += countNewlines(block);
          }
          pending = pending.slice(lastNl + 1);
          pendingBytes = pendingBytes.subarray(lastNl + 1);
        }
        const { out: head, rest } = drain(pending, line);
        out += head;
        pendingBytes = pendingBytes.subarray(pending.length - rest.length);
        pending = rest;
        if (out) pieces.push(out);
        for (const piece of pieces) yield typeof piece === 'string' ? Buffer.from(piece, 'latin1') : piece;
      }
      const { out: head, rest } = drain(pending, line);
      let tail = head;
      if (rest) {
        // The last line has no newline: redact it as if it had one (a key left open ends with its token
        // line), then drop that newline, as text() does, so a missing final newline stays missing.
        let last: string;
        if (context === '') last = self.#block(`${rest}\n`, file, line, state);
        else {
          const t = finishLong(rest, line);
          last = t + (state.pem && t === '' ? '' : '\n');
        }
        tail += (last + self.#closeState(state, file)).slice(0, -1);
      } else tail += self.#closeState(state, file);
      if (tail) yield Buffer.from(tail, 'latin1');
    };
  }

  /**
   * Redacts a run of complete lines (`text` ends with a newline), starting at input line `firstLine`.
   * Lines the pre-filter does not mark, and that no multi-line shape is waiting on, are copied as they are.
   */
  #block(
    text: string,
    file: string,
    firstLine: number,
    state: LineState,
    drain?: (t: string, line: number) => { out: string; rest: string },
    finishLong?: (rest: string, line: number) => string,
    meta?: BlockChanges,
  ): string {
    // Only lines that a hint or a known literal marks (or that a multi-line shape waits on) are looked
    // at; the text between them is copied as it is. Walking hits instead of lines keeps this pass cheap.
    const hits = this.#scanEveryLine ? undefined : mergeSorted(this.#prefilters.map((re) => hitPositions(re, text)));
    let literalVersion = this.#literals?.version ?? 0;
    const literal = this.#literals?.byteMatcher();
    let literalHits = literal ? hitPositions(literal, text) : [];
    let out = '';
    let copyFrom = 0;
    let counted = 0; // newlines before this offset are already in `line`
    let line = firstLine;
    let h = 0;
    let l = 0;
    let pos = 0;
    while (pos < text.length) {
      if (this.#literals && this.#literals.version !== literalVersion) {
        // A secret learned earlier in this chunk must be found in the rest of it too.
        literalVersion = this.#literals.version;
        literalHits = hitPositions(this.#literals.byteMatcher()!, text);
        l = 0;
      }
      let start: number;
      if (!hits || state.pem !== undefined || state.valueNext !== undefined) start = pos;
      else {
        while (h < hits.length && hits[h]! < pos) h++;
        while (l < literalHits.length && literalHits[l]! < pos) l++;
        const next = Math.min(hits[h] ?? Infinity, literalHits[l] ?? Infinity);
        if (next === Infinity) break;
        start = text.lastIndexOf('\n', next - 1) + 1;
        if (start < pos) start = pos;
      }
      line += countNewlines(text, counted, start);
      counted = start;
      const nl = text.indexOf('\n', start);
      const end = nl === -1 ? text.length : nl;
      const piece = text.slice(start, end);
      let redacted: string | undefined;
      if (drain && finishLong && piece.length > this.#window + this.#overlap && !state.pem) {
        const { out: head, rest } = drain(piece, line);
        redacted = head + finishLong(rest, line);
      } else redacted = this.#line(piece, file, line, state);
      const replacement = redacted === undefined ? '' : `${redacted}\n`;
      if (meta && redacted !== piece) meta.changes.push({ start, end: Math.min(end + 1, text.length), text: replacement });
      out += text.slice(copyFrom, start) + replacement;
      copyFrom = end + 1;
      pos = end + 1;
      counted = pos;
      line++;
    }
    return out + text.slice(copyFrom);
  }

  /** One complete line through the multi-line shapes and the rules; undefined when it is swallowed (key body). */
  #line(piece: string, file: string, line: number, state: LineState): string | undefined {
    if (state.pem) {
      const end = PEM_END.exec(piece);
      if (!end) {
        hashKeyBody(state.pem, piece);
        return undefined;
      }
      hashKeyBody(state.pem, piece.slice(0, end.index));
      const token = this.#pemToken(state, file);
      const after = this.#scan('', piece.slice(end.index), piece.length - end.index, file, line).out;
      return `${token}\n${piece.slice(0, end.index).match(/^[ \t]*/)?.[0] ?? ''}${after}`;
    }
    if (state.valueNext !== undefined) {
      const rule = state.valueNext;
      state.valueNext = undefined;
      const m = NEXT_VALUE.exec(piece);
      if (m && isPlausibleSecret(m[3]!) && !FIELD_TYPE.test(m[3]!) && !this.#allowed(m[3]!)) {
        const token = this.#record(m[3]!, rule, file, line, m[1]!.length + 1);
        this.#learnValue(m[3]!);
        return m[1]! + token + m[2]! + this.#scan('', piece.slice(m[0].length), piece.length - m[0].length, file, line).out;
      }
    }
    const begin = PEM_BEGIN.exec(piece);
    if (begin && !PEM_END.test(piece.slice(begin.index))) {
      // The body follows on the next lines: hash it, emit one token at the END line.
      const headEnd = begin.index + begin[0].length;
      const eol = piece.endsWith('\r') ? '\r' : '';
      state.pem = { hmac: createHmac('sha256', this.#key), line: line + 1, indent: piece.slice(0, begin.index).match(/^[ \t]*/)?.[0] ?? '', eol, own: undefined };
      hashKeyBody(state.pem, piece.slice(headEnd));
      return this.#scan('', piece.slice(0, headEnd), headEnd, file, line).out + eol;
    }
    const flag = ARGV_FLAG.exec(piece);
    if (flag && this.#isSecretKey(flag.groups!['key']!)) state.valueNext = ARGV_RULE;
    else {
      const keyOnly = KEY_ONLY.exec(piece);
      if (keyOnly && this.#isSecretKey(keyOnly.groups!['key']!)) state.valueNext = KEY_VALUE_RULE;
    }
    return this.#scan('', piece, piece.length, file, line).out;
  }

  /** The token for a finished private key body, recorded as one redaction. */
  #pemToken(state: LineState, file: string): string {
    const pem = state.pem!;
    state.pem = undefined;
    // Already redacted (a bundle checked again by verify): redacting twice must equal redacting once.
    if (typeof pem.own === 'string') return pem.own;
    const tag = pem.hmac.digest('hex').slice(0, 8);
    this.#report.add(file, PEM_RULE, pem.line);
    this.#onRedaction?.({ file, line: pem.line, column: 1, rule: PEM_RULE });
    return `${pem.indent}${TOKEN_PREFIX}${PEM_RULE}:${tag}]${pem.eol}`;
  }

  /** Ends a stream or text: a private key without its END line still never shows its body. */
  #closeState(state: LineState, file: string): string {
    state.valueNext = undefined;
    return state.pem ? `${this.#pemToken(state, file)}\n` : '';
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
      const token = this.#record(secret, s.rule, file, line, s.start - from + 1);
      // A bare JSON value (`"password": 123`) becomes a JSON string, so JSON stays valid JSON.
      const bareJson = JSON_KEY_BEFORE.test(text.slice(Math.max(0, s.start - 200), s.start)) && !/^["']/.test(secret);
      out += text.slice(pos, s.start) + (bareJson ? `"${token}"` : token);
      pos = s.end;
    }
    out += text.slice(pos, cut);
    return { out, consumed: cut - from };
  }

  /** Counts one redaction and returns its token. */
  #record(secret: string, rule: string, file: string, line: number, column: number): string {
    this.#report.add(file, rule, line);
    this.#onRedaction?.({ file, line, column, rule });
    return redactionToken(this.#key, rule, Buffer.from(secret, 'latin1'));
  }

  /** Non-overlapping secret spans starting in [from, to), sorted; earlier start wins, then rule order. */
  #spans(text: string, from: number, to: number): Span[] {
    const found: Span[] = [];
    const tokens = text.includes(TOKEN_PREFIX) ? [...text.matchAll(OWN_TOKEN)].map((t) => [t.index, t.index + t[0].length] as const) : [];
    const inToken = (s: { start: number; end: number }): boolean => tokens.some(([a, b]) => s.start < b && s.end > a);
    const acceptable = (span: { start: number; end: number }): boolean =>
      span.start >= from && span.start < to && span.end > span.start && !inToken(span);
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
        const value = span ? text.slice(span.start, span.end) : '';
        const accepted =
          span !== undefined &&
          acceptable(span) &&
          !value.includes('\n') &&
          (!rule.keyed || this.#isSecretKey(m.groups?.['key'] ?? '') || randomUnderKeyName(m.groups?.['key'] ?? '', value)) &&
          isPlausibleSecret(value) &&
          !FIELD_TYPE.test(value) &&
          !(m.groups?.['secret3'] !== undefined && ATTRIBUTE_REFERENCE.test(value)) &&
          // A bare value followed by `(` or `[` is code (os.environ.get(...), os.environ['X']), not the secret.
          !(m.groups?.['secret3'] !== undefined && (text[span.end] === '(' || text[span.end] === '[')) &&
          !this.#allowed(value);
        if (accepted) {
          found.push({ ...span, rule: rule.id });
          if (rule.learns) this.#learnValue(value);
        }
        // A rejected match (e.g. a key that is not secret) may hide a real one inside it: retry just after its start.
        else re.lastIndex = m.index + 1;
      }
    }
    const literal = this.#literals?.byteMatcher();
    if (literal) {
      literal.lastIndex = 0;
      for (const m of text.matchAll(literal)) {
        const span = { start: m.index, end: m.index + m[0].length };
        if (acceptable(span) && !this.#allowed(m[0])) found.push({ ...span, rule: KNOWN_SECRET_RULE });
      }
    }
    found.sort((a, b) => a.start - b.start || b.end - a.end);
    const kept: Span[] = [];
    for (const s of found) if (kept.length === 0 || s.start >= kept[kept.length - 1]!.end) kept.push(s);
    return kept;
  }

  #isSecretKey(name: string): boolean {
    return isSecretKeyName(name) || (this.#secretKeys.size > 0 && this.#secretKeys.has(keyWords(name).join('')));
  }

  #allowed(value: string): boolean {
    for (const a of this.#allow) {
      if (typeof a === 'string' ? a === value : a.test(value)) return true;
    }
    return false;
  }

  /** A value a person chose (password, token) is removed wherever else it shows up in this run. */
  #learnValue(value: string): void {
    if (!this.#learn || !this.#literals) return;
    const raw = fromBytes(value.replace(/\\(.)/g, '$1'));
    if (looksRandom(raw)) this.#literals.add(raw);
  }
}

/**
 * The pre-filter: which lines can hold a secret at all (a superset is fine). Hints that are plain word
 * lists are merged into one short case-insensitive alternation (a word that contains another listed
 * word is dropped: `password` adds nothing to `pass`); hints with character classes form a second regex.
 * Two small regexes run several times faster than one big one, and this pass touches every byte.
 */
function buildPrefilters(hints: readonly RegExp[]): RegExp[] {
  const words = new Set<string>();
  const caseInsensitive: string[] = [];
  const caseSensitive: string[] = [];
  for (const hint of hints) {
    // A literal word list joins the case-insensitive list whatever its flags: a superset is fine here.
    const literals = literalAlternatives(hint.source);
    if (literals) for (const w of literals) words.add(w.toLowerCase());
    else (hint.flags.includes('i') ? caseInsensitive : caseSensitive).push(`(?:${hint.source})`);
  }
  const minimal = [...words].filter((w) => ![...words].some((o) => o !== w && w.includes(o)));
  caseInsensitive.push(...minimal.sort((a, b) => b.length - a.length).map((w) => w.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
  const out: RegExp[] = [];
  if (caseInsensitive.length) out.push(new RegExp(caseInsensitive.join('|'), 'gi'));
  if (caseSensitive.length) out.push(new RegExp(caseSensitive.join('|'), 'g'));
  return out;
}

/** `a|b\.c` → ['a', 'b.c'] when a regex source is nothing but literal words; otherwise undefined. */
function literalAlternatives(source: string): string[] | undefined {
  const parts = source.split('|');
  const out: string[] = [];
  for (const part of parts) {
    if (!/^(?:[A-Za-z0-9_ =:-]|\\[./=:-])+$/.test(part)) return undefined;
    out.push(part.replace(/\\(.)/g, '$1'));
  }
  return out;
}

/** Merges sorted position lists into one sorted list. */
function mergeSorted(lists: readonly number[][]): number[] {
  if (lists.length === 1) return lists[0]!;
  return lists.flat().sort((a, b) => a - b);
}

/** A JS string as a byte string (one char per UTF-8 byte). */
const toBytes = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');
/** A byte string back to a JS string. */
const fromBytes = (bytes: string): string => Buffer.from(bytes, 'latin1').toString('utf8');

/** True when more than a tenth of `sample` (and more than 16 bytes) is not valid UTF-8. */
function mostlyInvalidUtf8(sample: Buffer): boolean {
  // Ignore a character cut at the end of the sample: it continues in the next chunk.
  let end = sample.length;
  for (let back = 0; back < 3 && end > 0 && (sample[end - 1]! & 0xc0) === 0x80; back++) end--;
  if (end > 0 && sample[end - 1]! >= 0xc0) end--;
  else end = sample.length;
  const text = sample.toString('utf8', 0, end);
  let bad = 0;
  for (let i = text.indexOf('\ufffd'); i !== -1; i = text.indexOf('\ufffd', i + 1)) bad++;
  return bad > 16 && bad / Math.max(1, end) > INVALID_UTF8_SHARE;
}

/**
 * Rewrites a regex source so it behaves on byte strings as on text: `\s` and `\S` mean ASCII white
 * space only (in JS `\s` also matches 0x85 and 0xA0, which are UTF-8 continuation bytes here).
 */
export function byteSafe(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const n = source[i + 1] ?? '';
      i++;
      if (n === 's') out += inClass ? '\\t\\n\\v\\f\\r ' : '[\\t\\n\\v\\f\\r ]';
      else if (n === 'S' && !inClass) out += '[^\\t\\n\\v\\f\\r ]';
      else out += c + n;
      continue;
    }
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass) inClass = false;
    out += c;
  }
  return out;
}

/** Start positions of all matches of a global regex in `text`, in order. */
function hitPositions(re: RegExp, text: string): number[] {
  const out: number[] = [];
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    out.push(m.index);
    if (m[0].length === 0) re.lastIndex++;
  }
  return out;
}

/** Newlines in text[from, to). */
function countNewlines(text: string, from = 0, to = text.length): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
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

/**
 * `STRIPE_KEY`, `PAYMENT_PROVIDER_KEY`: a name ending in KEY without a qualifier word is secret when
 * its value looks like one (long and random); `SORT_KEY=created_at` or `PRIMARY_KEY=id` are not.
 */
function randomUnderKeyName(key: string, value: string): boolean {
  const words = keyWords(key);
  if (words.at(-1) !== 'key' || NON_SECRET_KEY_KINDS.has(words.at(-2) ?? '')) return false;
  // A path (NetworkSettings.SandboxKey: /var/run/docker/netns/1a2b3c) is where a key lives, not a key.
  return value.length >= 12 && !value.includes('/') && looksRandom(fromBytes(value)) && /\d/.test(value);
}

/** `<word>_KEY` names that are never secrets. */
const NON_SECRET_KEY_KINDS = new Set(['sandbox', 'primary', 'foreign', 'sort', 'partition', 'routing', 'cache', 'idempotency', 'public', 'lookup', 'group', 'dedup', 'unique', 'index', 'hash', 'shard', 'composite', 'natural', 'row']);

/**
 * Hashes part of a private key body. Line breaks, indentation and carriage returns are layout, not key:
 * the same key gets the same tag in a .pem file, an indented YAML block and a CRLF file.
 */
function hashKeyBody(pem: KeyBody, text: string): void {
  if (/^[ \t\r]*$/.test(text)) return;
  pem.own = pem.own === undefined && OWN_KEY_TOKEN.test(text) ? text : null;
  pem.hmac.update(text.replace(/[ \t\r]/g, ''), 'latin1');
}

/** A body line that is one of our own private key tokens. */
const OWN_KEY_TOKEN = /^[ \t]*\[REDACTED:private-key:[0-9a-f]{8}\][ \t\r]*$/;

function isPlausibleSecret(value: string): boolean {
  return !value.startsWith(TOKEN_PREFIX) && !NOT_A_SECRET.test(value);
}
