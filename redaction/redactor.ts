/**
 * The streaming redaction stage. Every byte that reaches the bundle passes through here first.
 *
 * The work is split along its seams: stream.ts frames bytes into lines and windows; engine.ts holds the
 * compiled rules, the line and block shapes (private keys over lines, a flag whose value is on the next
 * line) and turns spans into tokens; prefilter.ts finds every rule keyword in one pass so that only
 * lines with a keyword run, and only the rules it selects; spans.ts finds the secrets of a line;
 * values.ts decides where a value ends and which values are not secrets; literal-index.ts finds known
 * secrets in linear time; entropy.ts is the last line of defence; bytes.ts has the byte-string helpers.
 *
 * Internally text is a "byte string": each byte is one character (latin1), so what is not redacted comes
 * out byte for byte as it went in (even invalid UTF-8). Rules are compiled byte-safe: `\s` means ASCII
 * white space only, so a UTF-8 continuation byte (0x85, 0xA0) is never mistaken for a space.
 */
import type { ByteSource } from '../src/core/types.js';
import type { Rule } from './rule.js';
import { fromBytes, toBytes } from './bytes.js';
import { Engine, type LineState, type RedactionEvent } from './engine.js';
import type { LiteralSet } from './literals.js';
import { providerRules } from './providers.js';
import type { RedactionReport } from './report.js';
import { formatRules } from './formats.js';
import { builtinRules } from './rules.js';
import { redactStream } from './stream.js';
import { type Pseudonymizer, pseudonymizeStream } from './pseudonymize.js';

export { BinaryContentError, byteSafe } from './bytes.js';
export type { RedactionEvent } from './engine.js';
export { KNOWN_SECRET_RULE } from './spans.js';

/** Everything the built-in rules know: structure-aware rules first, then file formats, then provider formats. */
export const defaultRules: readonly Rule[] = Object.freeze([...builtinRules, ...formatRules, ...providerRules]);

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
  /** `--pseudonymize`: host names, addresses and people replaced after redaction, in the same stream. */
  readonly pseudonymizer?: Pseudonymizer;
  /** Characters of a long line scanned at once (default 64 Ki). */
  readonly windowChars?: number;
  /** Context carried from one window to the next (default 8 Ki); also the longest secret caught across a cut. */
  readonly overlapChars?: number;
}

/** How a text or stream is passed through the redactor. */
export interface RedactPassOptions {
  /**
   * The input is the redactor's own output, passed again (a late pass over a spooled file, a root file
   * built from spooled ones): `--pseudonymize`'s pseudonyms in it stay as they are. Off, every value is
   * taken as real, even one equal to a pseudonym issued before, so none passes unreplaced.
   */
  readonly repass?: boolean;
}

/** Redacts text and streams for one run. Holds the run's key, rules, literals and report. */
export class Redactor {
  readonly #engine: Engine;
  readonly #pseudonymizer: Pseudonymizer | undefined;

  constructor(options: RedactorOptions) {
    this.#engine = new Engine({
      key: options.key,
      report: options.report,
      rules: [...(options.rules ?? defaultRules), ...(options.extraRules ?? [])],
      literals: options.literals,
      learn: options.learn ?? options.literals !== undefined,
      secretKeys: options.secretKeys ?? [],
      allow: options.allow ?? [],
      onRedaction: options.onRedaction,
      windowChars: options.windowChars ?? 64 * 1024,
      overlapChars: options.overlapChars ?? 8 * 1024,
    });
    this.#pseudonymizer = options.pseudonymizer;
  }

  /** The pseudonymizer of `--pseudonymize`, if any. */
  get pseudonymizer(): Pseudonymizer | undefined {
    return this.#pseudonymizer;
  }

  /**
   * Changes when something learned during the run (a secret, a host or user name) would change the
   * output of text redacted before: the bundle writer passes such files again.
   */
  get version(): number {
    return (this.#engine.literals?.version ?? 0) + (this.#pseudonymizer?.version ?? 0);
  }

  get report(): RedactionReport {
    return this.#engine.report;
  }

  /** The run's literal set, if any (collectors add known secrets to it). */
  get literals(): LiteralSet | undefined {
    return this.#engine.literals;
  }

  /**
   * Redacts a whole string (any number of lines), counting under `file`. `repass`: the text was built
   * from redacted output (a root file such as ISSUE.md or manifest.json), so the pseudonyms in it stay.
   */
  text(text: string, file: string, { repass = false }: RedactPassOptions = {}): string {
    const state: LineState = { pem: undefined, valueNext: undefined };
    const bytes = toBytes(text);
    const body = bytes.endsWith('\n') ? bytes : `${bytes}\n`;
    const out = this.#engine.block(body, file, 1, state) + this.#engine.closeState(state, file);
    const redacted = fromBytes(bytes.endsWith('\n') ? out : out.slice(0, -1));
    return this.#pseudonymizer ? this.#pseudonymizer.text(redacted, file, repass) : redacted;
  }

  /** A value for a single field (an argv element, an error message): redacted as text of `file`. */
  value(text: string, file: string): string {
    return this.text(text, file);
  }

  /**
   * An async-generator stage for `stream/promises.pipeline`: raw bytes in, redacted UTF-8 bytes out.
   * Line endings are kept as they were; a missing final newline stays missing. `repass` as for `text`.
   */
  stream(file: string, { repass = false }: RedactPassOptions = {}): (source: ByteSource) => AsyncGenerator<Buffer> {
    const redact = redactStream(this.#engine, file);
    const p = this.#pseudonymizer;
    if (!p) return redact;
    // One stage: the redactor's output goes straight into the pseudonymizer, never to disk in between.
    const pseudonymize = pseudonymizeStream(p, file, { repass });
    return (source) => pseudonymize(redact(source));
  }
}
