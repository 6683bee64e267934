// Room: bundle (src/bundle/) — may import core, redaction (the rule: tests/architecture.test.ts).
/**
 * The tar framing of a bundle, written by hand so each artifact can be compressed on its own, while it
 * is being redacted, instead of all at the end.
 *
 * A gzip file may hold several members one after the other; gunzip (zlib, gzip(1), GNU tar) reads
 * them as one stream. So a bundle is: one member with the root files (manifest.json first, known only
 * at the end), then per artifact one small member with its tar header and the member of its content and
 * padding that was compressed on zlib's thread pool as its redacted bytes were spooled, then one member
 * with the end-of-archive blocks. Headers are ustar as tar-stream's `pack` writes them (a test holds
 * the two byte for byte), with a pax record for a name ustar cannot hold.
 */
import { createReadStream } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGzip, gzip, gzipSync, type Gzip } from 'node:zlib';
import type { MemoryBudget } from './spool.js';

/** The gzip level of every member (gzip's default). */
export const GZIP_LEVEL = 6;
const BLOCK = 512;
/** Two zero blocks end a tar archive. */
export const END_OF_TAR = Buffer.alloc(2 * BLOCK);

/** What a tar header holds for a bundle entry: regular files only, owned by 0:0. */
export interface TarFile {
  readonly name: string;
  readonly size: number;
  readonly mode: number;
  readonly mtime: Date;
}

/** Zero bytes that fill an entry of `size` bytes up to the next 512-byte block. */
export function tarPadding(size: number): Buffer {
  const rest = size % BLOCK;
  return rest ? Buffer.alloc(BLOCK - rest) : Buffer.alloc(0);
}

/** The header block(s) of a regular file: ustar, preceded by a pax header when the name needs one. */
export function tarHeader(file: TarFile): Buffer {
  const ustar = encodeUstar(file.name, file.size, file.mode, file.mtime, '0');
  if (ustar) return ustar;
  const record = paxRecord('path', file.name);
  const pax = encodeUstar('PaxHeader', record.length, file.mode, file.mtime, 'x')!;
  return Buffer.concat([pax, record, tarPadding(record.length), encodeUstar('PaxHeader', file.size, file.mode, file.mtime, '0')!]);
}

/** A ustar header block; undefined when the name does not fit (not ASCII, or too long to split). */
function encodeUstar(fullName: string, size: number, mode: number, mtime: Date, type: string): Buffer | undefined {
  if (Buffer.byteLength(fullName) !== fullName.length) return undefined;
  let name = fullName;
  let prefix = '';
  // Same split as tar-stream: leading folders move to the prefix field until the name fits.
  while (name.length > 100) {
    const i = name.indexOf('/');
    if (i === -1) return undefined;
    prefix += prefix ? `/${name.slice(0, i)}` : name.slice(0, i);
    name = name.slice(i + 1);
  }
  if (prefix.length > 155) return undefined;
  const buf = Buffer.alloc(BLOCK);
  buf.write(name, 0, 'ascii');
  buf.write(octal(mode & 0o7777, 6), 100, 'ascii');
  buf.write(octal(0, 6), 108, 'ascii'); // uid
  buf.write(octal(0, 6), 116, 'ascii'); // gid
  if (size.toString(8).length > 11) {
    // Over 8 GiB: base-256, as GNU tar and tar-stream read it.
    buf[124] = 0x80;
    let n = size;
    for (let i = 11; i > 0; i--) {
      buf[124 + i] = n % 256;
      n = Math.floor(n / 256);
    }
  } else buf.write(octal(size, 11), 124, 'ascii');
  buf.write(octal(Math.floor(mtime.getTime() / 1000), 11), 136, 'ascii');
  buf.write(type, 156, 'ascii');
  buf.write('ustar\x0000', 257, 'latin1');
  buf.write(octal(0, 6), 329, 'ascii'); // devmajor
  buf.write(octal(0, 6), 337, 'ascii'); // devminor
  if (prefix) buf.write(prefix, 345, 'ascii');
  let sum = 8 * 0x20; // the checksum field counts as spaces
  for (let i = 0; i < BLOCK; i++) if (i < 148 || i >= 156) sum += buf[i]!;
  buf.write(octal(sum, 6), 148, 'ascii');
  return buf;
}

function octal(n: number, digits: number): string {
  const s = n.toString(8);
  return s.length > digits ? `${'7'.repeat(digits)} ` : `${s.padStart(digits, '0')} `;
}

/** One pax record, `<length> <key>=<value>\n`, where the length counts itself. */
function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  const len = Buffer.byteLength(body);
  let digits = String(len).length;
  if (len + digits >= 10 ** digits) digits++;
  return Buffer.from(`${len + digits}${body}`, 'utf8');
}

const gzipAsync = promisify(gzip);

/**
 * Up to this many bytes are compressed on the main thread: about 40 µs for an inspect.json, less than
 * handing it to zlib's thread pool and taking the result back (and, on a busy 2-core host, the main
 * thread losing its core to the worker it wakes).
 */
const SYNC_BYTES = 16 * 1024;

/** One gzip member of `data`: off the main thread, unless it is small (SYNC_BYTES). */
export function gzipMember(data: Buffer): Promise<Buffer> {
  if (data.length <= SYNC_BYTES) {
    try {
      return Promise.resolve(gzipSync(data, { level: GZIP_LEVEL }));
    } catch (err) {
      return Promise.reject(err);
    }
  }
  return gzipAsync(data, { level: GZIP_LEVEL });
}

/** One gzip member of a few bytes (a tar header), compressed on the main thread: cheaper than a thread-pool round trip. */
export function gzipMemberSync(data: Buffer): Buffer {
  return gzipSync(data, { level: GZIP_LEVEL });
}

/** The member with the tar framing and bytes of small in-memory files (the root files). */
export function gzipFiles(files: readonly { readonly file: TarFile; readonly data: Buffer }[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const { file, data } of files) parts.push(tarHeader(file), data, tarPadding(data.length));
  return gzipMember(Buffer.concat(parts));
}

/** Bytes handed to zlib at once: fewer, larger jobs on its thread pool. */
const BATCH = 256 * 1024;
/** Compressed-but-not-yet-taken input allowed before `write` waits: lets redaction run ahead of deflate. */
const AHEAD = 8 * 1024 * 1024;

/** A finished gzip member: in a file, or (small, within the writer's memory budget) in memory. */
export interface Member {
  readonly file?: string;
  readonly data?: Buffer;
  /** Content bytes (before compression, without padding): the tar header's size. */
  readonly size: number;
  /** Compressed bytes. */
  readonly bytes: number;
}

/**
 * Writes all of `data` at the handle's position: one write(2) may take only part of it (a nearly full
 * disk takes what fits and says nothing), and the next call then fails with ENOSPC.
 */
async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let at = 0;
  while (at < data.length) {
    const { bytesWritten } = await handle.write(data, at, data.length - at);
    if (bytesWritten === 0) throw Object.assign(new Error('no space left on device (a write took no bytes)'), { code: 'ENOSPC' });
    at += bytesWritten;
  }
}

/** A member is held in memory while it stays under this size (and the budget allows). */
const SMALL_MEMBER = 256 * 1024;

/**
 * Where a member's compressed bytes go: memory while they fit (with a budget), else the 0600 file,
 * opened at the first byte that does not fit (the bytes held so far go first).
 */
class SpillSink extends Writable {
  readonly #file: string;
  readonly #memory: MemoryBudget | undefined;
  #held: Buffer[] | undefined;
  #bytes = 0;
  #handle: FileHandle | undefined;

  constructor(file: string, memory: MemoryBudget | undefined) {
    super();
    this.#file = file;
    this.#memory = memory;
    if (memory) this.#held = [];
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.#held && this.#bytes + chunk.length <= SMALL_MEMBER && this.#memory!.take(chunk.length)) {
      this.#held.push(chunk);
      this.#bytes += chunk.length;
      cb();
      return;
    }
    this.#toFile(chunk).then(() => cb(), cb);
  }

  async #toFile(chunk: Buffer): Promise<void> {
    if (!this.#handle) {
      if (this.destroyed) throw new Error('member discarded');
      this.#handle = await open(this.#file, 'wx', 0o600);
      if (this.#held) {
        const held = this.#held;
        this.#held = undefined;
        this.#memory!.release(this.#bytes);
        if (held.length) await writeAll(this.#handle, Buffer.concat(held));
      }
    }
    await writeAll(this.#handle, chunk);
    this.#bytes += chunk.length;
  }

  override _final(cb: (err?: Error | null) => void): void {
    const handle = this.#handle;
    this.#handle = undefined;
    if (!handle) cb();
    else handle.close().then(() => cb(), cb);
  }

  // Also called after a normal finish (autoDestroy): the member's bytes are kept; discard() releases them.
  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    const handle = this.#handle;
    this.#handle = undefined;
    if (!handle) cb(err);
    else
      handle.close().then(
        () => cb(err),
        () => cb(err),
      );
  }

  /** The member, once finished. */
  member(size: number): Member {
    if (this.#held) return { data: Buffer.concat(this.#held, this.#bytes), size, bytes: this.#bytes };
    return { file: this.#file, size, bytes: this.#bytes };
  }

  /** Gives back the memory held (the member is discarded, or its bytes were copied out). */
  release(): void {
    if (!this.#held) return;
    this.#memory!.release(this.#bytes);
    this.#held = [];
    this.#bytes = 0;
  }
}

/**
 * The gzip member of one entry's content and padding, compressed on zlib's thread pool while the
 * content is being written, into a private (0600) file, or with a memory budget into memory while it
 * is small. `finish` adds the padding and closes it.
 *
 * The compressing stream starts with the first full batch (BATCH): an entry smaller than that (most of
 * a bundle's files: an inspect.json, a short log) is compressed in one call at `finish` instead, which
 * spares the main thread a stream and its plumbing per file (about half of its zlib work).
 */
export class GzipSpool {
  readonly file: string;
  readonly #memory: MemoryBudget | undefined;
  #gzip: Gzip | undefined;
  #out: SpillSink | undefined;
  #done: Promise<void> | undefined;
  #batch: Buffer[] = [];
  #batchBytes = 0;
  #size = 0;
  /** Why the member could not be written (a full disk): the next write or finish throws it. */
  #failed: unknown;
  /** A member written in one piece to its file (not in memory): removed by discard. */
  #wroteFile = false;

  private constructor(file: string, memory: MemoryBudget | undefined) {
    this.file = file;
    this.#memory = memory;
  }

  static create(file: string, memory?: MemoryBudget): GzipSpool {
    return new GzipSpool(file, memory);
  }

  /** Content bytes written so far. */
  get size(): number {
    return this.#size;
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.#failed) throw this.#failed;
    this.#size += chunk.length;
    this.#batch.push(chunk);
    this.#batchBytes += chunk.length;
    if (this.#batchBytes >= BATCH) await this.#flush();
  }

  /** The compressing stream, started at the first full batch. */
  #stream(): Gzip {
    if (this.#gzip) return this.#gzip;
    // Larger output chunks: fewer completion callbacks on the main thread.
    const gzip = createGzip({ level: GZIP_LEVEL, chunkSize: 128 * 1024 });
    const out = new SpillSink(this.file, this.#memory);
    this.#gzip = gzip;
    this.#out = out;
    this.#done = pipeline(gzip, out);
    this.#done.catch((err: unknown) => {
      this.#failed ??= err;
    });
    return gzip;
  }

  async #flush(): Promise<void> {
    if (this.#batchBytes === 0) return;
    const data = this.#batch.length === 1 ? this.#batch[0]! : Buffer.concat(this.#batch);
    this.#batch = [];
    this.#batchBytes = 0;
    if (this.#failed) throw this.#failed;
    const gzip = this.#stream();
    gzip.write(data);
    if (gzip.writableLength > AHEAD) {
      await Promise.race([new Promise<void>((resolve) => gzip.once('drain', () => resolve())), this.#done]);
    }
  }

  /** Pads the content to a whole block, ends the member and waits until it is written. */
  async finish(): Promise<Member> {
    if (this.#failed) throw this.#failed;
    if (!this.#gzip) return this.#whole();
    await this.#flush();
    if (this.#failed) throw this.#failed;
    this.#gzip.end(tarPadding(this.#size));
    await this.#done;
    return this.#out!.member(this.#size);
  }

  /** A small entry's member, compressed in one call: kept in memory when the budget allows, else in its file. */
  async #whole(): Promise<Member> {
    const parts = [...this.#batch, tarPadding(this.#size)];
    this.#batch = [];
    this.#batchBytes = 0;
    const data = await gzipMember(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
    // No stream here: only discard() sets #failed.
    if (this.#failed) throw this.#failed;
    if (this.#memory && data.length <= SMALL_MEMBER && this.#memory.take(data.length)) return { data, size: this.#size, bytes: data.length };
    this.#wroteFile = true;
    const handle = await open(this.file, 'wx', 0o600);
    try {
      try {
        await writeAll(handle, data);
      } finally {
        await handle.close();
      }
      if (this.#failed) throw this.#failed;
    } catch (err) {
      // A full disk, or discarded meanwhile: no part of the member is left behind.
      await rm(this.file, { force: true });
      throw err;
    }
    return { file: this.file, size: this.#size, bytes: data.length };
  }

  /** Stops and removes the file (after a failure, or when the content changed after all). */
  async discard(): Promise<void> {
    this.#failed ??= new Error('member discarded');
    this.#batch = [];
    this.#batchBytes = 0;
    if (this.#gzip) {
      this.#gzip.destroy();
      this.#out!.destroy();
      await this.#done!.catch(() => undefined);
      this.#out!.release();
    }
    if (this.#gzip || this.#wroteFile) await rm(this.file, { force: true });
  }
}

/** Gives a member's memory back to the budget and removes its file, whichever it has. */
export async function removeMember(member: Member | undefined, memory: MemoryBudget | undefined): Promise<void> {
  if (!member) return;
  if (member.data) memory?.release(member.data.length);
  if (member.file) await rm(member.file, { force: true });
}

/** A member's compressed bytes, from memory or its file. */
export async function* memberBytes(member: Member): AsyncGenerator<Buffer> {
  if (member.data) {
    yield member.data;
    return;
  }
  for await (const chunk of createReadStream(member.file!, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) yield chunk;
}

/** Compresses a finished file (content + padding) into `spool`'s member file, off the main thread. */
export async function gzipFile(from: string, spool: GzipSpool): Promise<Member> {
  try {
    for await (const chunk of createReadStream(from, { highWaterMark: BATCH }) as AsyncIterable<Buffer>) await spool.write(chunk);
    return await spool.finish();
  } catch (err) {
    await spool.discard();
    throw err;
  }
}
