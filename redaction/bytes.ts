/**
 * Byte strings and binary detection. Internally the redactor works on "byte strings": each byte is one
 * character (latin1), so what is not redacted comes out byte for byte as it went in (even invalid UTF-8),
 * no window cut can split a character, and no time goes to decoding and re-encoding.
 */

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
export async function drainCount(source: AsyncIterator<Buffer | string>): Promise<number> {
  let n = 0;
  for (let r = await source.next(); !r.done; r = await source.next()) n += typeof r.value === 'string' ? Buffer.byteLength(r.value) : r.value.length;
  return n;
}

/** Share of U+FFFD in the first bytes above which content is treated as binary. */
const INVALID_UTF8_SHARE = 0.1;
export const UTF8_PROBE_BYTES = 64 * 1024;

export const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

/** A JS string as a byte string (one char per UTF-8 byte). */
export const toBytes = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');
/** A byte string back to a JS string. */
export const fromBytes = (bytes: string): string => Buffer.from(bytes, 'latin1').toString('utf8');

/** True when more than a tenth of `sample` (and more than 16 bytes) is not valid UTF-8. */
export function mostlyInvalidUtf8(sample: Buffer): boolean {
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
