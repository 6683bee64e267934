// Room: bundle (src/bundle/) — may import core, redaction (the rule: tests/architecture.test.ts).
/** Small helpers of the bundle writer (writer.ts): output batching, artifact path checks, disk error lines, the tee of an encrypted bundle's plaintext to its check. */
import { once } from 'node:events';
import type { PassThrough } from 'node:stream';
import { posix } from 'node:path';
import { errorMessage } from '../core/artifacts.js';
import type { VerifyProblem } from './verify.js';

/**
 * The redactor's output in blocks of at least 256 KiB (the last may be shorter): it yields many small
 * pieces, and one disk write and one zlib job per piece would cost the main thread more than needed.
 */
export async function* batched(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    parts.push(chunk);
    size += chunk.length;
    if (size >= 256 * 1024) {
      yield parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
      parts = [];
      size = 0;
    }
  }
  if (size > 0) yield parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
}

/** Normalises an artifact path; undefined when it is absolute or escapes its folder. */
export function safeRelativePath(path: string): string | undefined {
  if (path.startsWith('/') || path.includes('\0')) return undefined;
  const norm = posix.normalize(path);
  if (norm.startsWith('..') || norm === '.' || norm.endsWith('/')) return undefined;
  return norm;
}

/** One line naming a filesystem failure's cause and the fix. */
export function describeFsError(err: unknown, path: string, what: string): string {
  const code = (err as { code?: string })?.code;
  switch (code) {
    case 'ENOSPC':
      return `no space left on the device holding ${path}: free some space or choose another --output-dir`;
    case 'EDQUOT':
      return `disk quota exceeded writing ${path}: free some space or choose another --output-dir`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied on ${what} ${path}: choose a writable --output-dir`;
    case 'EROFS':
      return `${what} ${path} is on a read-only filesystem: choose another --output-dir`;
    case 'ENOTDIR':
    case 'EEXIST':
      return `${what} ${path} is not a directory: choose another --output-dir`;
    default:
      return `cannot write ${what} ${path}: ${errorMessage(err)}`;
  }
}

/** The finished archive failed its own verification; no bundle was written. */
export class VerificationError extends Error {
  override name = 'VerificationError';
  constructor(readonly problems: readonly VerifyProblem[]) {
    const first = problems[0]!;
    super(
      `the finished bundle failed verification, so it was not kept (fail closed): ${problems.length} problem(s), first: ${first.file}${first.line ? `:${first.line}` : ''}: ${first.message}. Please report this with \`collect-bundle verify\` output`,
    );
  }
}

/** Thrown when the output cannot be written at all; the CLI turns it into exit 1. */
export class OutputError extends Error {
  override name = 'OutputError';
}

/**
 * Yields `source` and writes a copy of each chunk to `copy` (waiting while its reader is behind); a copy
 * whose reader stopped (destroyed) gets nothing more. `copy` is ended when the source ends or fails.
 */
export async function* teeTo(source: AsyncIterable<Buffer>, copy: PassThrough): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of source) {
      if (!copy.destroyed && !copy.write(chunk)) await Promise.race([once(copy, 'drain'), once(copy, 'close')]).catch(() => undefined);
      yield chunk;
    }
  } finally {
    if (!copy.destroyed) copy.end();
  }
}
