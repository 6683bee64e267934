/**
 * The redactor's engine: compiled rules and the pre-filter, the line and block shapes (private keys
 * that span lines, a secret flag whose value is on the next line), and the scan that turns spans into
 * tokens. `Redactor` (redactor.ts) is its public face; `redactStream` (stream.ts) frames bytes for it.
 */
import { createHmac } from 'node:crypto';
import type { Rule } from './rule.js';
import { ENTROPY_RULE } from './entropy.js';
import { LEARNING_FORMAT_RULES, NETRC_ONLY_RULES, formatRules } from './formats.js';
import { countNewlines } from '../src/core/text.js';
import { byteSafe, fromBytes, isHighSurrogate } from './bytes.js';
import { SECRET_KEY_HINT, isSecretKeyName, keyWords } from './keys.js';
import { looksRandom, type LiteralSet } from './literals.js';
import type { LiteralHit } from './literal-index.js';
import { KeywordPrefilter, type KeywordHit } from './prefilter.js';
import type { RedactionReport } from './report.js';
import { findSpans, type CompiledRule, type SpanContext } from './spans.js';
import { TOKEN_PREFIX, redactionToken } from './tags.js';
import { FIELD_TYPE, fileShape, isPlausibleSecret, type FileShape } from './values.js';
import { literalAlternatives } from './prefilter.js';
import { KEY_COLON, KEY_VALUE_RULE, keyForNextLine, nextValue, SHELL_FLAG_WORD, SHELL_KEY_WORD } from './next-line.js';
import { hashKeyBody, PEM_BEGIN, PEM_END, PEM_RULE, type KeyBody } from './private-key.js';

/** One redaction, for `--explain` and `verify` (never the secret itself). */
export interface RedactionEvent {
  readonly file: string;
  /** 1-based line of the input. */
  readonly line: number;
  /** 1-based column (in characters) of the secret's start within its line, when known. */
  readonly column: number;
  readonly rule: string;
}

/** What the engine is built from (RedactorOptions, resolved). */
export interface EngineOptions {
  readonly key: Buffer;
  readonly report: RedactionReport;
  readonly rules: readonly Rule[];
  readonly literals: LiteralSet | undefined;
  readonly learn: boolean;
  readonly secretKeys: readonly string[];
  readonly allow: readonly (string | RegExp)[];
  readonly onRedaction: ((event: RedactionEvent) => void) | undefined;
  readonly windowChars: number;
  readonly overlapChars: number;
}

/** Text just before a bare value that makes it a JSON object member's value. */
const JSON_KEY_BEFORE = /"[^"\n]*"[ \t]*:[ \t]*$/;

/**
 * A JSON or Python argv element that is a secret flag, last on its line: `"--password",`,
 * `"Args": ["--password",`, ` '--password',` (a list printed over lines; its value is the next element).
 */
const ARGV_FLAG = /(?:^|[[(,])[ \t]*(["'])--?(?<key>[A-Za-z][A-Za-z0-9_.-]{0,60})\1,?[ \t\r]*$/;
/**
 * A secret key whose value is on the next line: `'PASSWORD':` (a dict printed over lines), `token =`,
 * YAML's `password:` (the value indented below), Python's `'PASSWORD': (`.
 */
const KEY_ONLY = /(?<![A-Za-z0-9_.-])(?<key>[A-Za-z_][A-Za-z0-9_.-]{0,100})["']?[ \t]*[:=][ \t]*\(?[ \t]*\r?$/;
/** A shell line continued after a secret flag or assignment: `mysqldump --password \`, `export DB_PASSWORD=\`. */
const SHELL_FLAG_CONTINUED = /(?:^|[ \t])--?(?<key>[A-Za-z][A-Za-z0-9_.-]{0,60})[ \t]+\\\r?$/;
const SHELL_KEY_CONTINUED = /(?<![A-Za-z0-9_.-])(?<key>[A-Za-z_][A-Za-z0-9_]{0,100})=\\\r?$/;
const ARGV_RULE = 'cli-flag';

/** Rules whose findings become literals for the rest of the run (values a person chose, not formats). */
const LEARNING_RULES = new Set(['url-password', 'authorization-header', 'cli-flag', 'mysql-password']);
/** Rules whose bare value runs to where the line's format ends it (values.ts), not where the regex stopped. */
const EXTENDING_RULES = new Set(['secret-key-value']);

/** Key names whose isSecretKey verdict is remembered at most (a few hundred KiB). */
const KEY_VERDICTS_MAX = 4096;

const FORMAT_RULE_IDS: ReadonlySet<string> = new Set(formatRules.map((r) => r.id));

/** Keywords of the engine's own shapes, so their lines are looked at (they select no rule). */
const SHAPE_KEYWORDS = ['-----begin', '-----end', 'auth', 'bearer', 'cred'];

/** The lines of a block that changed: [start, end) of the block's text, and what replaces them. */
export interface BlockChanges {
  readonly changes: { readonly start: number; readonly end: number; readonly text: string }[];
  /** Set by `block` (of a block that ends with a newline): its number of lines, so the stream need not count them again. */
  lines?: number;
}

/** Per-stream state of the block shapes that span lines. */
export interface LineState {
  /** Inside a private key body: its HMAC, the line it started on, and the BEGIN line's indent and CR. */
  pem: KeyBody | undefined;
  /** The previous line was `"--password",` in a JSON argv array. */
  valueNext: string | undefined;
}

/** How a long line is cut into windows (stream.ts), handed to `block`. */
export interface Windowing {
  drain(text: string, line: number): { out: string; rest: string };
  finishLong(rest: string, line: number): string;
}

export class Engine {
  readonly key: Buffer;
  readonly report: RedactionReport;
  readonly literals: LiteralSet | undefined;
  readonly window: number;
  readonly overlap: number;
  readonly #rules: readonly CompiledRule[];
  readonly #prefilter: KeywordPrefilter;
  readonly #learn: boolean;
  readonly #secretKeys: ReadonlySet<string>;
  readonly #allow: readonly (string | RegExp)[];
  readonly #onRedaction: ((event: RedactionEvent) => void) | undefined;
  /** Scratch flags for the rules selected on one line. */
  readonly #selected: Uint8Array;
  readonly #contexts = new Map<string, SpanContext>();
  readonly #providerPrefixes: RegExp | undefined;
  /** isSecretKey's answers by key name (the names and the configured secret keys never change in a run). */
  readonly #keyVerdicts = new Map<string, boolean>();

  constructor(o: EngineOptions) {
    this.key = o.key;
    this.report = o.report;
    this.#rules = o.rules.map((r) => {
      const keyed = /\(\?<key>/.test(r.pattern.source);
      const hint = r.hint ? new RegExp(byteSafe(r.hint.source), r.hint.flags) : undefined;
      const pattern = byteSafe(r.pattern.source);
      return {
        id: r.id,
        hint,
        // A hint that is more than its keywords confirms the line itself (the same stateless RegExp).
        confirm: r.confirm
          ? new RegExp(byteSafe(r.confirm.source), r.confirm.flags.replace(/[gy]/g, ''))
          : r.hint && !literalAlternatives(r.hint.source)
            ? hint
            : undefined,
        re: new RegExp(pattern, r.pattern.flags.includes('d') ? r.pattern.flags : `${r.pattern.flags}d`),
        keyed,
        scout: keyed ? new RegExp(pattern, r.pattern.flags.replace('d', '')) : undefined,
        learns: LEARNING_RULES.has(r.id) || LEARNING_FORMAT_RULES.has(r.id) || keyed,
        extendsBare: EXTENDING_RULES.has(r.id),
        lastResort: r.id === ENTROPY_RULE,
        generic: FORMAT_RULE_IDS.has(r.id),
        netrcOnly: NETRC_ONLY_RULES.has(r.id),
      };
    });
    this.#prefilter = new KeywordPrefilter(
      o.rules.map((r) => r.hint),
      SHAPE_KEYWORDS,
    );
    this.#selected = new Uint8Array(o.rules.length);
    // Case-sensitive literal prefixes with a separator (`ghp_`, `sk-ant-`, `HRKU-`, `SG.`): the shapes
    // provider rules own. A token carrying one that its rule rejected (wrong length) is left to that rule.
    const prefixes = o.rules
      .flatMap((r) => (r.hint && !r.hint.flags.includes('i') ? (literalAlternatives(r.hint.source) ?? []) : []))
      .filter((w) => w.length >= 3 && /[_.-]$/.test(w));
    this.#providerPrefixes = prefixes.length ? new RegExp(prefixes.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')) : undefined;
    this.literals = o.literals;
    this.#learn = o.learn;
    this.#secretKeys = new Set(o.secretKeys.map((k) => keyWords(k).join('')));
    // Regexes must match the whole value; anchor them once here, not on every candidate.
    this.#allow = o.allow.map((a) => (typeof a === 'string' ? a : new RegExp(`^(?:${a.source})$`, a.flags.replace(/[gy]/g, ''))));
    this.#onRedaction = o.onRedaction;
    this.window = o.windowChars;
    this.overlap = o.overlapChars;
    if (this.overlap >= this.window) throw new Error('overlapChars must be smaller than windowChars');
  }

  /**
   * Redacts a run of complete lines (`input` ends with a newline: a string, or the stream's bytes, one
   * character per byte), starting at input line `firstLine`. Only lines with a keyword or a known literal
   * (or that a multi-line shape waits on) are looked at, and only they are made strings; the text
   * between them is copied as it is. With `meta`, the changed lines are listed there and the returned
   * text is empty.
   */
  block(input: string | Buffer, file: string, firstLine: number, state: LineState, windowing?: Windowing, meta?: BlockChanges): string {
    const pf = this.#prefilter;
    const shape: FileShape = fileShape(file);
    const bytes = typeof input === 'string' ? undefined : input;
    const text = typeof input === 'string' ? input : '';
    const length = input.length;
    const slice = (from: number, to: number): string => (bytes ? bytes.toString('latin1', from, to) : text.slice(from, to));
    // A file whose secrets carry no keyword (.pgpass) has every line looked at, with every rule.
    const hits = pf.scanEveryLine || shape.everyLine ? undefined : pf.scan(bytes ?? Buffer.from(text, 'latin1'));
    // Values learned on a line are in this index at once: found on the lines after it, in this block too.
    const literals = this.literals?.index();
    const literalIn = (from: number, to: number): LiteralHit | undefined => (bytes ? literals?.findBytes(bytes, from, to) : literals?.find(text, from, to));
    let out = '';
    let copyFrom = 0;
    let counted = 0; // newlines before this offset are already in `line`
    let line = firstLine;
    let h = 0;
    // The first literal at or after `litFrom` (undefined: none before the end); rescanned only past `pos`.
    let litAt = -1;
    let litFrom = 0;
    let litVersion = -1;
    let pos = 0;
    while (pos < length) {
      let start: number;
      if (!hits || state.pem !== undefined || state.valueNext !== undefined) start = pos;
      else {
        while (h < hits.length && hits[h]!.at < pos) h++;
        let next = hits[h]?.at ?? Infinity;
        if (literals) {
          // Scan for literals only up to the next keyword line, and only once per byte: a literal learned
          // on a line can only matter after it, and the scan has not been there yet (issue #18).
          const version = this.literals!.version;
          if (litAt !== -1 && (litAt < pos || version !== litVersion)) litAt = -1;
          if (litAt === -1 || version !== litVersion) {
            const limit = Math.min(next, length);
            if (litFrom < pos || version !== litVersion) litFrom = pos;
            const hit = litFrom < limit ? literalIn(litFrom, limit) : undefined;
            litAt = hit ? hit.start : -1;
            litFrom = hit ? hit.start : limit;
            litVersion = version;
          }
          if (litAt !== -1) next = Math.min(next, litAt);
        }
        if (next === Infinity) break;
        // (Buffer's lastIndexOf reads a negative offset from the end: position 0 starts a line anyway.)
        start = next <= 0 ? 0 : (bytes ? bytes.lastIndexOf(0x0a, next - 1) : text.lastIndexOf('\n', next - 1)) + 1;
        if (start < pos) start = pos;
      }
      line += countNewlines(input, counted, start);
      counted = start;
      const nl = bytes ? bytes.indexOf(0x0a, start) : text.indexOf('\n', start);
      const end = nl === -1 ? length : nl;
      const piece = slice(start, end);
      let redacted: string | undefined;
      const selected = this.#select(hits, h, piece, start, end, shape);
      if (selected === null && state.pem === undefined && state.valueNext === undefined && !literalIn(start, end)) {
        // Every keyword on the line belonged to a rule whose confirm test failed, and no known secret is
        // on it: the line is left as it is, like a line with no keyword.
        pos = end + 1;
        counted = pos;
        line++;
        if (litFrom < pos) litFrom = pos;
        continue;
      }
      if (windowing && piece.length > this.window + this.overlap && !state.pem) {
        const { out: head, rest } = windowing.drain(piece, line);
        redacted = head + windowing.finishLong(rest, line);
      } else redacted = this.line(piece, file, line, state, selected === null ? [] : selected, shape);
      const replacement = redacted === undefined ? '' : `${redacted}\n`;
      if (meta && redacted !== piece) meta.changes.push({ start, end: Math.min(end + 1, length), text: replacement });
      // With `meta` the caller splices the changes into the input's own bytes: no output string needed.
      if (!meta) out += slice(copyFrom, start) + replacement;
      copyFrom = end + 1;
      pos = end + 1;
      counted = pos;
      line++;
      if (litFrom < pos) litFrom = pos;
    }
    if (meta) {
      meta.lines = line - firstLine + countNewlines(input, counted);
      return '';
    }
    return out + slice(copyFrom, length);
  }

  /**
   * The rules that keyword hits in [start, end) select; `piece` is that line (undefined: all rules, there
   * is no pre-filter; null: none, and no keyword of the engine's own shapes either: the line needs no look).
   */
  #select(hits: readonly KeywordHit[] | undefined, h: number, piece: string, start: number, end: number, shape: FileShape): number[] | null | undefined {
    if (!hits) return undefined;
    const pf = this.#prefilter;
    const rules = this.#rules;
    // 1: selected; 2: its confirm test failed on this line (not tested again).
    const flags = this.#selected;
    const out: number[] = pf.alwaysRules.length ? [...pf.alwaysRules] : [];
    let sorted = true;
    let shapeHit = false;
    const tested: number[] = [];
    for (let i = h; i < hits.length && hits[i]!.at < end; i++) {
      if (hits[i]!.at < start) continue;
      const selects = pf.rulesOf(hits[i]!.keyword);
      if (selects.length === 0) shapeHit = true;
      for (const r of selects) {
        if (flags[r]) continue;
        const rule = rules[r]!;
        if (rule.netrcOnly && !shape.netrc) continue;
        if (rule.confirm && !rule.confirm.test(piece)) {
          flags[r] = 2;
          tested.push(r);
          continue;
        }
        flags[r] = 1;
        if (out.length && r < out[out.length - 1]!) sorted = false;
        out.push(r);
      }
    }
    for (const r of tested) flags[r] = 0;
    if (out.length === 0 && !shapeHit) {
      // A line marked only by keywords whose rules' confirm tests failed is as good as unmarked.
      if (tested.length > 0 || pf.regexRules.length === 0) return null;
    }
    // A rule whose hint has no keyword runs where its hint matches (the hint is the rule's own pre-filter).
    for (const { rule, hint } of pf.regexRules) {
      if (flags[rule] || (rules[rule]!.netrcOnly && !shape.netrc) || !hint.test(piece)) continue;
      flags[rule] = 1;
      if (out.length && rule < out[out.length - 1]!) sorted = false;
      out.push(rule);
    }
    for (const r of out) flags[r] = 0;
    // Rule order is priority order: keep it.
    return sorted ? out : out.sort((a, b) => a - b);
  }

  /** One complete line through the multi-line shapes and the rules; undefined when it is swallowed (key body). */
  line(piece: string, file: string, line: number, state: LineState, selected?: readonly number[], shape: FileShape = fileShape(file)): string | undefined {
    if (state.pem) {
      const end = PEM_END.exec(piece);
      if (!end) {
        hashKeyBody(state.pem, piece);
        return undefined;
      }
      hashKeyBody(state.pem, piece.slice(0, end.index));
      const token = this.#pemToken(state, file);
      const after = this.scan('', piece.slice(end.index), piece.length - end.index, file, line, selected, shape).out;
      return `${token}\n${piece.slice(0, end.index).match(/^[ \t]*/)?.[0] ?? ''}${after}`;
    }
    if (state.valueNext !== undefined) {
      const rule = state.valueNext;
      state.valueNext = undefined;
      const m = nextValue(rule, piece);
      if (m && isPlausibleSecret(m.value) && !FIELD_TYPE.test(m.value) && !this.allowed(m.value)) {
        const token = this.record(m.value, rule === ARGV_RULE || rule === SHELL_FLAG_WORD ? ARGV_RULE : KEY_VALUE_RULE, file, line, m.head.length + 1);
        this.learn(m.value);
        return m.head + token + m.close + this.scan('', piece.slice(m.end), piece.length - m.end, file, line, undefined, shape).out;
      }
    }
    const dash = piece.indexOf('-----');
    const begin = dash === -1 ? null : PEM_BEGIN.exec(piece);
    if (begin && !PEM_END.test(piece.slice(begin.index))) {
      // The body follows on the next lines: hash it, emit one token at the END line.
      const headEnd = begin.index + begin[0].length;
      const eol = piece.endsWith('\r') ? '\r' : '';
      state.pem = {
        hmac: createHmac('sha256', this.key),
        line: line + 1,
        indent: piece.slice(0, begin.index).match(/^[ \t]*/)?.[0] ?? '',
        eol,
        own: undefined,
      };
      hashKeyBody(state.pem, piece.slice(headEnd));
      return this.scan('', piece.slice(0, headEnd), headEnd, file, line, selected, shape).out + eol;
    }
    // The next-line shapes need a line that ends in `:`, `=`, `(`, a quote, `,` or `\`: test the end before any regex.
    const last = lastNonBlank(piece);
    if (last === ':' || last === '=' || last === '"' || last === "'" || last === ',' || last === '(') {
      const flag = ARGV_FLAG.exec(piece);
      if (flag && this.isSecretKey(flag.groups!['key']!)) state.valueNext = ARGV_RULE;
      else if (last === ':' || last === '=' || last === '(') {
        const keyOnly = KEY_ONLY.exec(piece);
        if (keyOnly && this.isSecretKey(keyOnly.groups!['key']!)) state.valueNext = last === ':' ? KEY_COLON : KEY_VALUE_RULE;
      }
    } else if (last === '\\') {
      const flag = SHELL_FLAG_CONTINUED.exec(piece);
      const key = flag ? undefined : SHELL_KEY_CONTINUED.exec(piece);
      if (flag && this.isSecretKey(flag.groups!['key']!)) state.valueNext = SHELL_FLAG_WORD;
      else if (key && this.isSecretKey(key.groups!['key']!)) state.valueNext = SHELL_KEY_WORD;
    }
    if (state.valueNext === undefined) {
      const named = keyForNextLine(piece);
      if (named && this.isSecretKey(named.key)) state.valueNext = named.kind;
    }
    return this.scan('', piece, piece.length, file, line, selected, shape).out;
  }

  /** The token for a finished private key body, recorded as one redaction. */
  #pemToken(state: LineState, file: string): string {
    const pem = state.pem!;
    state.pem = undefined;
    // Already redacted (a bundle checked again by verify): redacting twice must equal redacting once.
    if (typeof pem.own === 'string') return pem.own;
    const tag = pem.hmac.digest('hex').slice(0, 8);
    this.report.add(file, PEM_RULE, pem.line);
    this.#onRedaction?.({ file, line: pem.line, column: 1, rule: PEM_RULE });
    return `${pem.indent}${TOKEN_PREFIX}${PEM_RULE}:${tag}]${pem.eol}`;
  }

  /** Ends a stream or text: a private key without its END line still never shows its body. */
  closeState(state: LineState, file: string): string {
    state.valueNext = undefined;
    return state.pem ? `${this.#pemToken(state, file)}\n` : '';
  }

  /** Hashes part of a private key body (a window of a huge body line). */
  hashBody(state: LineState, text: string): void {
    hashKeyBody(state.pem!, text);
  }

  /**
   * Scans `context + piece` and redacts secrets that start within the first `limit` characters of
   * `piece`. Returns the redacted text of the piece up to the cut, which moves past any secret that
   * straddles it, and how many characters of `piece` that covered.
   */
  scan(
    context: string,
    piece: string,
    limit: number,
    file: string,
    line: number,
    selected?: readonly number[],
    shape: FileShape = fileShape(file),
  ): { out: string; consumed: number } {
    const text = context + piece;
    const from = context.length;
    const spans = findSpans(this.#context(shape), text, from, from + limit, selected);
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
      const token = this.record(secret, s.rule, file, line, s.start - from + 1);
      // A bare JSON value (`"password": 123`) becomes a JSON string, so JSON stays valid JSON.
      const bareJson = JSON_KEY_BEFORE.test(text.slice(Math.max(0, s.start - 200), s.start)) && !/^["']/.test(secret);
      out += text.slice(pos, s.start) + (bareJson ? `"${token}"` : token);
      pos = s.end;
    }
    out += text.slice(pos, cut);
    return { out, consumed: cut - from };
  }

  /** The span finder's view of this engine for files of one shape (two objects in all, made once). */
  #context(shape: FileShape): SpanContext {
    const key = `${shape.shell ? 1 : 0}${shape.config ? 1 : 0}${shape.everyLine ? 1 : 0}${shape.netrc ? 1 : 0}`;
    let ctx = this.#contexts.get(key);
    if (!ctx) {
      ctx = {
        rules: this.#rules,
        literals: () => this.literals?.index(),
        shape,
        providerPrefixes: this.#providerPrefixes,
        isSecretKey: (name) => this.isSecretKey(name),
        allowed: (value) => this.allowed(value),
        learn: (value) => this.learn(value),
      };
      this.#contexts.set(key, ctx);
    }
    return ctx;
  }

  /** Counts one redaction and returns its token. */
  record(secret: string, rule: string, file: string, line: number, column: number): string {
    this.report.add(file, rule, line);
    this.#onRedaction?.({ file, line, column, rule });
    return redactionToken(this.key, rule, Buffer.from(secret, 'latin1'));
  }

  isSecretKey(name: string): boolean {
    // Logs repeat the same few keys (`user=`, `path=`, `status=`) on every line: remember the answers,
    // in a bounded map (a log of thousands of distinct keys empties it now and then, never grows it).
    const known = this.#keyVerdicts.get(name);
    if (known !== undefined) return known;
    // Every secret name holds a hint word: one regex test, far cheaper than splitting most names (`level`).
    const verdict = (SECRET_KEY_HINT.test(name) && isSecretKeyName(name)) || (this.#secretKeys.size > 0 && this.#secretKeys.has(keyWords(name).join('')));
    if (this.#keyVerdicts.size >= KEY_VERDICTS_MAX) this.#keyVerdicts.clear();
    // A copy as the key: `name` is a slice of the whole block's text, and V8 would keep that alive with it.
    this.#keyVerdicts.set(name.split('').join(''), verdict);
    return verdict;
  }

  allowed(value: string): boolean {
    for (const a of this.#allow) {
      if (typeof a === 'string' ? a === value : a.test(value)) return true;
    }
    return false;
  }

  /** A value a person chose (password, token) is removed wherever else it shows up in this run. */
  learn(value: string): void {
    if (!this.#learn || !this.literals) return;
    const raw = fromBytes(value.replace(/\\(.)/g, '$1'));
    if (looksRandom(raw)) this.literals.add(raw);
  }
}

/** The last character of a line that is not a blank or CR. */
function lastNonBlank(s: string): string {
  let i = s.length - 1;
  while (i >= 0 && (s[i] === ' ' || s[i] === '\t' || s[i] === '\r')) i--;
  return i >= 0 ? s[i]! : '';
}
