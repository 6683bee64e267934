// Room: core (src/core/) — imports nothing of ours (the rule: tests/architecture.test.ts).
/**
 * Opening a file the user named (a bundle, `--config`, a literals or key file, an env file, an input of
 * `redact`) without ever blocking: a plain open() of a FIFO waits for a writer forever, in a thread the
 * process cannot cancel, so neither Ctrl-C nor SIGTERM could end the run. Every input is opened with
 * O_NONBLOCK (a FIFO opens at once, with or without a writer) and checked with fstat on the open
 * descriptor, so no swap between a check and the open can slip a FIFO through; anything but a regular
 * file is closed unread and refused with one line naming what it is. O_NONBLOCK changes nothing for
 * a regular file's reads.
 */
import { constants, type ReadStream, type Stats } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { CliError } from './errors.js';

const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

/** What a non-regular file is, in words ("a FIFO", "a directory", ...). */
export function fileKind(st: Stats): string {
  if (st.isFile()) return 'a regular file';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isDirectory()) return 'a directory';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** The one-line refusal: `<what> <path> is a FIFO, not a regular file: give a file path`. */
export function notRegularMessage(path: string, st: Stats, what: string, hint = 'give a file path'): string {
  return `${what ? `${what} ` : ''}${path} is ${fileKind(st)}, not a regular file: ${hint}`;
}

export interface OpenInputOptions {
  /** Names the input in the message (e.g. "--config", "bundle"); default none. */
  readonly what?: string;
  /** The fix the message ends with; default "give a file path". */
  readonly hint?: string;
}

/**
 * Opens `path` for reading, never blocking; throws CliError (exit 2) when it is not a regular file.
 * Errors of open itself (ENOENT, EACCES, ...) are thrown unchanged for the caller to word.
 */
export async function openInput(path: string, options: OpenInputOptions = {}): Promise<FileHandle> {
  const handle = await open(path, FLAGS);
  let st: Stats;
  try {
    st = await handle.stat();
  } catch (err) {
    await handle.close();
    throw err;
  }
  if (!st.isFile()) {
    await handle.close();
    throw new CliError(notRegularMessage(path, st, options.what ?? '', options.hint), 'E_USAGE');
  }
  return handle;
}

/** Reads a whole input file (see openInput); a string when `encoding` is given. */
export async function readInput(path: string, options: OpenInputOptions & { encoding: BufferEncoding }): Promise<string>;
export async function readInput(path: string, options?: OpenInputOptions): Promise<Buffer>;
export async function readInput(path: string, options: OpenInputOptions & { encoding?: BufferEncoding } = {}): Promise<string | Buffer> {
  const handle = await openInput(path, options);
  try {
    return options.encoding ? await handle.readFile({ encoding: options.encoding }) : await handle.readFile();
  } finally {
    await handle.close();
  }
}

/**
 * A read stream over `path` opened as openInput does: the stream reads the very descriptor fstat
 * checked, so a file swapped for a FIFO between a caller's earlier check and this read is refused,
 * never waited on (issue #18: the bundle reader used to reopen the checked path). Closed with the stream.
 */
export async function openInputStream(path: string, options: OpenInputOptions & { highWaterMark?: number } = {}): Promise<ReadStream> {
  const handle = await openInput(path, options);
  return handle.createReadStream(options.highWaterMark ? { highWaterMark: options.highWaterMark } : {});
}

/**
 * Checks that `path` is a regular file, for a clear early message before a long command starts. Its
 * readers must still open through openInput/openInputStream (each checks its own descriptor): a
 * check by itself does not hold once the path is reopened.
 */
export async function checkInput(path: string, options: OpenInputOptions = {}): Promise<void> {
  await (await openInput(path, options)).close();
}
