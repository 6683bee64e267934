// Room: core (src/core/) — imports nothing of ours (the rule: tests/architecture.test.ts).
/**
 * Strings from a bundle made safe for a terminal. Bundles come from strangers: a container name, a
 * finding title or an entry name can hold ESC/CSI/OSC sequences (OSC 52 writes the reader's clipboard)
 * or bidi overrides that make a line read differently from what it is. Every such character is shown
 * as an escape (`\x1b`, `\u009b`, `\u202e`) instead of being sent to the terminal.
 */
import { Transform } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/**
 * C0 controls, DEL, C1 controls (U+009B is a one-character CSI), the line and paragraph separators,
 * and the bidi embeddings, overrides, isolates and marks.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** The same without `\n` and `\t`: for text whose line breaks and indentation are its layout. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE_BUT_LAYOUT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** Like UNSAFE without the C0 controls, which JSON.stringify already escapes. */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` with every control character made visible, newlines and tabs included: for one value on one
 * line (a name, an id, a title, a path, a message).
 */
export function printable(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/** `text` with every control character made visible except `\n` and `\t`: for rendered multi-line text. */
export function printableLines(text: string): string {
  return text.replace(UNSAFE_BUT_LAYOUT, escapeChar);
}

/** Every string in a JSON-like value (keys too) passed through `printable`; other values unchanged. */
export function printableDeep<T>(value: T): T {
  if (typeof value === 'string') return printable(value) as T;
  if (Array.isArray(value)) return value.map(printableDeep) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[printable(k)] = printableDeep(v);
    return out as T;
  }
  return value;
}

/**
 * `JSON.stringify(value, null, 2)` that also escapes what JSON leaves raw (DEL, C1, bidi, U+2028/9) as
 * `\uXXXX`: still valid JSON with the same value, and nothing in it a terminal acts on. Those
 * characters can only occur inside JSON strings, so the replacement never touches the syntax.
 */
export function printableJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** True when `text` holds a character `printable` would escape (other than `\n` and `\t`). */
export function hasControl(text: string): boolean {
  UNSAFE_BUT_LAYOUT.lastIndex = 0;
  const found = UNSAFE_BUT_LAYOUT.test(text);
  UNSAFE_BUT_LAYOUT.lastIndex = 0;
  return found;
}

/**
 * A pass-through for raw file content going to a terminal (`inspect --file` when stdout is one):
 * decoded as UTF-8 (a stray byte becomes U+FFFD, never a lone 8-bit control) and `printableLines`d.
 * For a pipe, send the bytes unchanged instead: `| jq` wants the file as it is.
 */
export function printableStream(): Transform {
  const decoder = new StringDecoder('utf8');
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      done(null, printableLines(decoder.write(chunk)));
    },
    flush(done) {
      done(null, printableLines(decoder.end()));
    },
  });
}
