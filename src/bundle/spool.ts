// Room: bundle (src/bundle/) — may import core, redaction (the rule: tests/architecture.test.ts).
/**
 * A spool file for one artifact's *redacted* bytes: its tar header needs the size before the bytes,
 * analyzers read the stored bytes back, and a secret learned later is removed from them again.
 *
 * With a byte cap it keeps the tail in bounded disk and memory: bytes go to one of two segment files
 * of at most `maxBytes` each, switching when one is full, so the last `maxBytes` bytes always lie in
 * the previous segment's tail plus the current segment. The cut is moved to the next line start and
 * the kept file begins with a line saying what was cut.
 */
import { createHash } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';

/**
 * Bytes the writer may hold in memory instead of spool files, for all files of a bundle together:
 * a small artifact (an inspect document, a short log) then never touches the disk before the bundle
 * is packed, which saves each one's file opens, writes, closes and unlinks (issue #14).
 */
export class MemoryBudget {
  #held = 0;
  constructor(readonly limit: number) {}

  /** Takes `n` bytes if they fit; false (nothing taken) if not. */
  take(n: number): boolean {
    if (this.#held + n > this.limit) return false;
    this.#held += n;
    return true;
  }

  release(n: number): void {
    this.#held = Math.max(0, this.#held - n);
  }
}

/** A spool's content is held in memory while it stays under this size (and the budget allows). */
export const SMALL_FILE = 512 * 1024;

/** What a finished spool holds: a file, or (small, within the memory budget) the bytes themselves. */
export interface SpoolResult {
  readonly file?: string;
  /** The content, when it was held in memory (its bytes stay taken from the budget). */
  readonly data?: Buffer;
  readonly bytes: number;
  readonly sha256: string;
  readonly truncated: boolean;
  /** Redacted bytes before the cut. */
  readonly originalBytes: number;
}

interface Segment {
  readonly path: string;
  handle: FileHandle;
  size: number;
  /** The byte written just before this segment's first byte (-1 at the very start). */
  before: number;
}

export class TailSpool {
  readonly #base: string;
  readonly #max: number;
  readonly #hash = createHash('sha256');
  #segments: Segment[] = [];
  #current = 0;
  #total = 0;
  #wrapped = false;
  readonly #memory: MemoryBudget | undefined;
  /** The content while it is held in memory; undefined once it went to a file (or without a budget). */
  #held: Buffer[] | undefined;
  #heldBytes = 0;

  private constructor(base: string, maxBytes: number, memory: MemoryBudget | undefined) {
    this.#base = base;
    this.#max = maxBytes;
    this.#memory = memory;
    if (memory) this.#held = [];
  }

  /**
   * Opens a spool at `base` (a path in the private spool directory). `maxBytes` 0 means no cap. With a
   * memory budget the content is held in memory until it outgrows SMALL_FILE, the cap or the budget.
   */
  static async create(base: string, maxBytes = 0, memory?: MemoryBudget): Promise<TailSpool> {
    const spool = new TailSpool(base, maxBytes > 0 ? maxBytes : Number.POSITIVE_INFINITY, memory);
    if (!memory) await spool.#openFirst();
    return spool;
  }

  async #openFirst(): Promise<void> {
    this.#segments.push({ path: `${this.#base}.a`, handle: await open(`${this.#base}.a`, 'wx+', 0o600), size: 0, before: -1 });
  }

  /** Moves the content held in memory to the first segment file; from then on it is a file spool. */
  async #spill(): Promise<void> {
    const held = this.#held!;
    this.#held = undefined;
    await this.#openFirst();
    const seg = this.#segments[0]!;
    if (this.#heldBytes > 0) await seg.handle.write(held.length === 1 ? held[0]! : Buffer.concat(held), 0, this.#heldBytes, 0);
    seg.size = this.#heldBytes;
    this.#memory!.release(this.#heldBytes);
    this.#heldBytes = 0;
  }

  async write(chunk: Buffer): Promise<void> {
    this.#total += chunk.length;
    if (!this.#wrapped) this.#hash.update(chunk);
    if (this.#held) {
      if (this.#heldBytes + chunk.length <= Math.min(SMALL_FILE, this.#max) && this.#memory!.take(chunk.length)) {
        this.#held.push(chunk);
        this.#heldBytes += chunk.length;
        return;
      }
      await this.#spill();
    }
    let rest = chunk;
    while (rest.length > 0) {
      const seg = this.#segments[this.#current]!;
      const room = this.#max - seg.size;
      if (room <= 0) {
        await this.#switch();
        continue;
      }
      const part = rest.length > room ? rest.subarray(0, room) : rest;
      await seg.handle.write(part, 0, part.length, seg.size); // explicit position: a reused segment was truncated
      seg.size += part.length;
      rest = rest.subarray(part.length);
    }
  }

  async #switch(): Promise<void> {
    this.#wrapped = true;
    const leaving = this.#segments[this.#current]!;
    const before = await byteAt(leaving.handle, leaving.size - 1);
    const other = this.#current === 0 ? 1 : 0;
    if (!this.#segments[other]) {
      const path = `${this.#base}.b`;
      this.#segments[other] = { path, handle: await open(path, 'wx+', 0o600), size: 0, before };
    } else {
      const seg = this.#segments[other]!;
      await seg.handle.truncate(0);
      seg.size = 0;
      seg.before = before;
    }
    this.#current = other;
  }

  /** Closes the spool and returns the file to archive (the tail file when the cap was exceeded). */
  async finish(): Promise<SpoolResult> {
    if (this.#held) {
      const data = this.#held.length === 1 ? this.#held[0]! : Buffer.concat(this.#held, this.#heldBytes);
      this.#held = undefined;
      return { data, bytes: data.length, sha256: this.#hash.digest('hex'), truncated: false, originalBytes: this.#total };
    }
    if (!this.#wrapped) {
      await this.#closeAll();
      const seg = this.#segments[0]!;
      return { file: seg.path, bytes: seg.size, sha256: this.#hash.digest('hex'), truncated: false, originalBytes: this.#total };
    }
    const current = this.#segments[this.#current]!;
    const previous = this.#segments[this.#current === 0 ? 1 : 0]!;
    // The last `max` bytes start `need` bytes before the end of the previous segment.
    let from = { seg: previous, pos: previous.size - (this.#max - current.size) };
    // Move the cut to the next line start, unless it already is one. A tail without any newline (one
    // huge line) is kept as it is: better part of the line than nothing.
    const prevByte = from.pos > 0 ? await byteAt(previous.handle, from.pos - 1) : previous.before;
    if (prevByte !== 0x0a) {
      const inPrev = await indexOfNewline(previous.handle, from.pos, previous.size);
      if (inPrev !== -1) from = { seg: previous, pos: inPrev + 1 };
      else {
        const inCur = await indexOfNewline(current.handle, 0, current.size);
        if (inCur !== -1) from = { seg: current, pos: inCur + 1 };
      }
    }
    const keptBytes = from.seg === previous ? previous.size - from.pos + current.size : current.size - from.pos;
    const header = Buffer.from(
      `[collect-bundle: output truncated to its last ${keptBytes} bytes; the first ${this.#total - keptBytes} of ${this.#total} bytes were cut]\n`,
      'utf8',
    );
    const outPath = `${this.#base}.tail`;
    const out = await open(outPath, 'wx+', 0o600);
    const hash = createHash('sha256');
    try {
      await out.write(header);
      hash.update(header);
      if (from.seg === previous) await copyRange(previous.handle, from.pos, previous.size, out, hash);
      await copyRange(current.handle, from.seg === current ? from.pos : 0, current.size, out, hash);
    } finally {
      await out.close();
      await this.#closeAll();
    }
    await Promise.all(this.#segments.map((s) => rm(s.path, { force: true })));
    return { file: outPath, bytes: header.length + keptBytes, sha256: hash.digest('hex'), truncated: true, originalBytes: this.#total };
  }

  /** Removes everything this spool wrote (after a failure). */
  async discard(): Promise<void> {
    if (this.#held) {
      this.#memory!.release(this.#heldBytes);
      this.#held = undefined;
    }
    await this.#closeAll();
    await Promise.all([...this.#segments.map((s) => s.path), `${this.#base}.tail`].map((p) => rm(p, { force: true })));
  }

  async #closeAll(): Promise<void> {
    await Promise.all(this.#segments.map((s) => s.handle.close().catch(() => undefined)));
  }
}

export async function copyRange(from: FileHandle, start: number, end: number, to: FileHandle, hash: ReturnType<typeof createHash>): Promise<void> {
  const buf = Buffer.alloc(256 * 1024);
  let pos = start;
  while (pos < end) {
    const { bytesRead } = await from.read(buf, 0, Math.min(buf.length, end - pos), pos);
    if (bytesRead === 0) break;
    const part = buf.subarray(0, bytesRead);
    await to.write(part);
    hash.update(part);
    pos += bytesRead;
  }
}

export async function byteAt(handle: FileHandle, pos: number): Promise<number> {
  if (pos < 0) return -1;
  const b = Buffer.alloc(1);
  const { bytesRead } = await handle.read(b, 0, 1, pos);
  return bytesRead === 1 ? b[0]! : -1;
}

/** Position of the first LF in [start, end) of a file, or -1. */
export async function indexOfNewline(handle: FileHandle, start: number, end: number): Promise<number> {
  const buf = Buffer.alloc(64 * 1024);
  for (let pos = start; pos < end; ) {
    const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, end - pos), pos);
    if (bytesRead === 0) break;
    const i = buf.subarray(0, bytesRead).indexOf(0x0a);
    if (i !== -1) return pos + i;
    pos += bytesRead;
  }
  return -1;
}
