/**
 * Shared helpers for the redaction tests: a fixed run key (so a failure reproduces), the expected token
 * for a secret (computed by tags.ts, a separate unit, never by running the redactor), and a way to push
 * bytes through `Redactor.stream` in a chosen chunking.
 */
import { Redactor, type RedactorOptions } from '../../redaction/redactor.js';
import { RedactionReport } from '../../redaction/report.js';
import { redactionToken } from '../../redaction/tags.js';

/** The run key every test redactor uses unless a test needs another one. */
export const KEY = Buffer.from('collect-bundle redaction test key, 32+ bytes', 'utf8');

export const URL_PASSWORD = 'url-password';
export const AUTHORIZATION = 'authorization-header';
export const KEY_VALUE = 'secret-key-value';

/** The token the redactor must put in place of `secret` when rule `ruleId` finds it (under KEY). */
export const tok = (ruleId: string, secret: string, key: Buffer = KEY): string => redactionToken(key, ruleId, secret);

/** Any redaction token, for checks that do not care which secret it replaced. */
export const ANY_TOKEN = /\[REDACTED:[a-z][a-z0-9-]*:[0-9a-f]{8}\]/g;

export function makeRedactor(options: Partial<RedactorOptions> = {}): Redactor {
  return new Redactor({ key: KEY, report: new RedactionReport(), ...options });
}

/** A redactor with tiny windows, so long-line behaviour is cheap to exercise. */
export const smallWindows = (options: Partial<RedactorOptions> = {}): Redactor => makeRedactor({ windowChars: 256, overlapChars: 64, ...options });

/** Splits `bytes` into chunks whose sizes cycle through `sizes` (each at least 1). */
export function chunkBytes(bytes: Buffer, sizes: readonly number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let i = 0;
  for (let at = 0; at < bytes.length; i++) {
    const size = Math.max(1, sizes[i % sizes.length] ?? bytes.length);
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

async function* fromChunks(chunks: readonly (Buffer | string)[]): AsyncGenerator<Buffer | string> {
  for (const c of chunks) yield c;
}

/** Streams `input` through `redactor.stream(file)` in chunks of `sizes` (default: one chunk) and returns the output bytes. */
export async function redactBytes(
  redactor: Redactor,
  input: string | Buffer,
  sizes: readonly number[] = [Number.MAX_SAFE_INTEGER],
  file = 'test.log',
): Promise<Buffer> {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const out: Buffer[] = [];
  for await (const b of redactor.stream(file)(fromChunks(chunkBytes(bytes, sizes)))) out.push(b);
  return Buffer.concat(out);
}

/** Like redactBytes, decoded as UTF-8. */
export async function redactString(redactor: Redactor, input: string | Buffer, sizes?: readonly number[], file?: string): Promise<string> {
  return (await redactBytes(redactor, input, sizes, file)).toString('utf8');
}

/** Streams raw string chunks (not bytes) through the redactor. */
export async function redactStringChunks(redactor: Redactor, chunks: readonly string[], file = 'test.log'): Promise<string> {
  const out: Buffer[] = [];
  for await (const b of redactor.stream(file)(fromChunks(chunks))) out.push(b);
  return Buffer.concat(out).toString('utf8');
}

/** A small deterministic PRNG (mulberry32), so every run and every failure sees the same generated secrets. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
