/**
 * A spool file for one artifact's *redacted* bytes, so the tarball can add it with a known size
 * (archiver buffers a stream entry whole when it does not know its size).
 *
 * With a byte cap it keeps the tail in bounded disk and memory: bytes go to one of two segment files
 * of at most `maxBytes` each, switching when one is full, so the last `maxBytes` bytes always lie in
 * the previous segment's tail plus the current segment. The cut is moved to the next line start and
 * the kept file begins with a line saying what was cut.
 */
import { createHash } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';

/** What a finished spool holds. */
export interface SpoolResult {
  readonly file: string;
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
}

export class TailSpool {
  readonly #base: string;
  readonly #max: number;
  readonly #hash = createHash('sha256');
  #segments: Segment[] = [];
  #current = 0;
  #total = 0;
  #wrapped = false;

  private constructor(base: string, maxBytes: number) {
    this.#base = base;
    this.#max = maxBytes;
  }

  /** Opens a spool at `base` (a path in the private spool directory). `maxBytes` 0 means no cap. */
  static async create(base: string, maxBytes = 0): Promise<TailSpool> {
    const spool = new TailSpool(base, maxBytes > 0 ? maxBytes : Number.POSITIVE_INFINITY);
    spool.#segments.push({ path: `${base}.a`, handle: await open(`${base}.a`, 'wx', 0o600), size: 0 });
    return spool;
  }

  async write(chunk: Buffer): Promise<void> {
    this.#total += chunk.length;
    if (!this.#wrapped) this.#hash.update(chunk);
    let rest = chunk;
    while (rest.length > 0) {
      const seg = this.#segments[this.#current]!;
      const room = this.#max - seg.size;
      if (room <= 0) {
        await this.#switch();
        continue;
      }
      const part = rest.length > room ? rest.subarray(0, room) : rest;
      await seg.handle.write(part);
      seg.size += part.length;
      rest = rest.subarray(part.length);
    }
  }

  async #switch(): Promise<void> {
    this.#wrapped = true;
    const other = this.#current === 0 ? 1 : 0;
    if (!this.#segments[other]) {
      const path = `${this.#base}.b`;
      this.#segments[other] = { path, handle: await open(path, 'wx', 0o600), size: 0 };
    } else {
      const seg = this.#segments[other]!;
      await seg.handle.truncate(0);
      seg.size = 0;
    }
    this.#current = other;
  }

  /** Closes the spool and returns the file to archive (the tail file when the cap was exceeded). */
  async finish(): Promise<SpoolResult> {
    if (!this.#wrapped) {
      await this.#closeAll();
      const seg = this.#segments[0]!;
      return { file: seg.path, bytes: seg.size, sha256: this.#hash.digest('hex'), truncated: false, originalBytes: this.#total };
    }
    const current = this.#segments[this.#current]!;
    const previous = this.#segments[this.#current === 0 ? 1 : 0]!;
    const need = this.#max - current.size;
    // The kept tail starts at a line start, so no line is kept half.
    let start = previous.size - need;
    const probe = Buffer.alloc(Math.min(need, 64 * 1024));
    const { bytesRead } = await previous.handle.read(probe, 0, probe.length, start);
    const nl = probe.subarray(0, bytesRead).indexOf(0x0a);
    if (nl !== -1) start += nl + 1;
    const keptBytes = previous.size - start + current.size;
    const header = Buffer.from(
      `[collect-bundle: output truncated to its last ${keptBytes} bytes; the first ${this.#total - keptBytes} of ${this.#total} bytes were cut]\n`,
      'utf8',
    );
    const outPath = `${this.#base}.tail`;
    const out = await open(outPath, 'wx', 0o600);
    const hash = createHash('sha256');
    try {
      await out.write(header);
      hash.update(header);
      await copyRange(previous.handle, start, previous.size, out, hash);
      await copyRange(current.handle, 0, current.size, out, hash);
    } finally {
      await out.close();
      await this.#closeAll();
    }
    await Promise.all(this.#segments.map((s) => rm(s.path, { force: true })));
    return { file: outPath, bytes: header.length + keptBytes, sha256: hash.digest('hex'), truncated: true, originalBytes: this.#total };
  }

  /** Removes everything this spool wrote (after a failure). */
  async discard(): Promise<void> {
    await this.#closeAll();
    await Promise.all([...this.#segments.map((s) => s.path), `${this.#base}.tail`].map((p) => rm(p, { force: true })));
  }

  async #closeAll(): Promise<void> {
    await Promise.all(this.#segments.map((s) => s.handle.close().catch(() => undefined)));
  }
}

async function copyRange(from: FileHandle, start: number, end: number, to: FileHandle, hash: ReturnType<typeof createHash>): Promise<void> {
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
