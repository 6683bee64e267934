// Room: docker (src/docker/) — may import core (the rule: tests/architecture.test.ts).
/**
 * Stream stages for what the Engine API sends, written for bounded memory: each holds at most one
 * input chunk plus a few bytes of state, whatever the size of the log.
 *
 * `formatDockerLogs` turns a container's log stream into one line per log entry:
 *
 *     2026-11-28T15:07:38.782565975Z stdout tick
 *     2026-11-28T15:07:38.782792818Z stderr err
 *
 * A container without a TTY sends frames with an 8-byte header (stream type, 3 zero bytes, payload
 * length), each holding one timestamped entry; stdout and stderr arrive interleaved in the order they
 * were logged, and are kept in that order. A TTY container has one combined stream (labelled `tty`).
 */

import { StringDecoder } from 'node:string_decoder';

/** Label of each frame stream type (0 is stdin, which logs never carry; 3 is the engine's own error). */
const STREAM_NAMES = ['stdin', 'stdout', 'stderr', 'error'] as const;

/** A timestamp longer than this is not one: the entry is kept whole, stamped `-`. */
const MAX_TIMESTAMP = 64;
const NL = 0x0a;
/** Formatted output is passed on in pieces of about this size. */
export const OUTPUT_CHUNK = 64 * 1024;
const NEWLINE = Buffer.from('\n');
const SP = 0x20;
const CR = 0x0d;

export interface LogFormat {
  /** The container has a TTY (`Config.Tty`): its log is one raw stream, not frames. */
  readonly tty: boolean;
}

/** Counts of what was formatted, filled in as the stream is consumed. */
export interface LogStats {
  lines: number;
  bytes: number;
}

/** Formats a raw log stream (frames, or raw for TTY) as `<timestamp> <stream> <text>` lines. */
export async function* formatDockerLogs(
  source: AsyncIterable<Buffer | string>,
  format: LogFormat,
  stats: LogStats = { lines: 0, bytes: 0 },
): AsyncGenerator<Buffer> {
  const out = new LineWriter(stats);
  const raw = new RawLines(out);
  let header = Buffer.alloc(0);
  let remaining = 0;
  let stream = STREAM_LABELS[1]!;
  let multiplexed = !format.tty;
  let stamp: StampReader | undefined;
  for await (const input of source) {
    let chunk = typeof input === 'string' ? Buffer.from(input) : input;
    stats.bytes += chunk.length;
    while (chunk.length > 0) {
      if (!multiplexed) {
        raw.write(chunk);
        break;
      }
      if (remaining === 0 && header.length === 0) {
        // The common case: whole frames inside the chunk, handled in place without copying them.
        const used = wholeFrames(chunk, out);
        chunk = chunk.subarray(used);
        if (chunk.length === 0) break;
      }
      if (remaining === 0) {
        const need = 8 - header.length;
        header = Buffer.concat([header, chunk.subarray(0, need)]);
        chunk = chunk.subarray(need);
        if (header.length < 8) break;
        if (!isFrameHeader(header, 0)) {
          // Not a frame header: the engine sent a raw stream (a TTY we did not know about). Keep it all.
          multiplexed = false;
          raw.write(Buffer.concat([header, chunk]));
          header = Buffer.alloc(0);
          break;
        }
        stream = STREAM_LABELS[header[0]!]!;
        remaining = header.readUInt32BE(4);
        header = Buffer.alloc(0);
        stamp = new StampReader();
        continue;
      }
      const part = chunk.subarray(0, remaining);
      chunk = chunk.subarray(part.length);
      remaining -= part.length;
      let content = part;
      if (stamp && !stamp.done) {
        content = stamp.read(part);
        if (stamp.done) out.startEntry(stamp.value, stream);
      }
      if (stamp?.done) out.content(content);
      if (remaining === 0) {
        // An entry that ended inside its timestamp is kept as it came.
        if (stamp && !stamp.done) {
          out.startEntry(NO_STAMP, stream);
          out.content(stamp.flush());
        }
        out.endEntry();
      }
    }
    // The engine sends a few KiB at a time; pass on bigger pieces, so the stages after this one
    // (redactor, spool) run per 64 KiB rather than per small chunk.
    if (out.size >= OUTPUT_CHUNK) yield out.take()!;
  }
  raw.end();
  out.finish();
  const rest = out.take();
  if (rest) yield rest;
}

/** Each stream type's label with its trailing space, as it goes into a line. */
export const STREAM_LABELS = STREAM_NAMES.map((n) => Buffer.from(`${n} `, 'latin1'));
const TTY_LABEL = Buffer.from('tty ', 'latin1');
const NO_STAMP = Buffer.from('-', 'latin1');

/** True when the 8 bytes at `at` are a frame header: a known stream type, then 3 zero bytes. */
function isFrameHeader(buf: Buffer, at: number): boolean {
  return buf[at]! <= 3 && buf[at + 1] === 0 && buf[at + 2] === 0 && buf[at + 3] === 0;
}

/**
 * Formats the whole frames at the start of `chunk` (stopping at the first one that does not end inside
 * it, or at bytes that are not a frame header) and returns how many bytes they took. Same output as
 * the byte-by-byte path below: a timestamp is the text before the first space, if that space comes
 * within MAX_TIMESTAMP bytes and before any newline.
 */
function wholeFrames(chunk: Buffer, out: LineWriter): number {
  let pos = 0;
  while (chunk.length - pos >= 8 && isFrameHeader(chunk, pos)) {
    const length = chunk.readUInt32BE(pos + 4);
    const start = pos + 8;
    const end = start + length;
    if (end > chunk.length) break;
    pos = end;
    if (length === 0) continue; // an empty entry: nothing to write (as below)
    const label = STREAM_LABELS[chunk[start - 8]!]!;
    const sp = chunk.indexOf(SP, start);
    const nl = sp === -1 ? -1 : chunk.indexOf(NL, start);
    if (sp !== -1 && sp < end && sp - start <= MAX_TIMESTAMP && (nl === -1 || nl > sp)) {
      out.startEntry(chunk.subarray(start, sp), label);
      out.content(chunk, sp + 1, end);
    } else {
      out.startEntry(NO_STAMP, label);
      out.content(chunk, start, end);
    }
    out.endEntry();
  }
  return pos;
}
/** Reads `<timestamp> ` off the start of an entry, across chunk boundaries. */
class StampReader {
  done = false;
  value: Buffer = NO_STAMP;
  #buf = Buffer.alloc(0);

  /** Consumes bytes; returns the part after the timestamp once it is complete (else empty). */
  read(part: Buffer): Buffer {
    const sp = part.indexOf(SP);
    const nl = part.indexOf(NL);
    if (sp !== -1 && (nl === -1 || sp < nl) && this.#buf.length + sp <= MAX_TIMESTAMP) {
      this.value = this.#buf.length ? Buffer.concat([this.#buf, part.subarray(0, sp)]) : part.subarray(0, sp);
      this.done = true;
      return part.subarray(sp + 1);
    }
    if (this.#buf.length + part.length > MAX_TIMESTAMP || nl !== -1 || sp !== -1) {
      // No timestamp here (timestamps off, or a foreign stream): the bytes are content.
      this.done = true;
      this.value = NO_STAMP;
      const all = Buffer.concat([this.#buf, part]);
      this.#buf = Buffer.alloc(0);
      return all;
    }
    this.#buf = Buffer.concat([this.#buf, part]);
    return Buffer.alloc(0);
  }

  flush(): Buffer {
    const all = this.#buf;
    this.#buf = Buffer.alloc(0);
    return all;
  }
}

/**
 * Builds output lines, copying into one growing buffer (no object per line). An entry that does not
 * end in a newline (the engine splits lines over 16 KiB into partial entries) stays open, and the
 * next entry of the same stream continues it; an entry of the other stream closes it first, so every
 * output line has one stream. json-file.ts feeds one directly from the log files' entries, with the
 * same calls formatDockerLogs makes for the engine's frames of those entries.
 */
export class LineWriter {
  #buf = Buffer.allocUnsafe(OUTPUT_CHUNK * 2);
  #size = 0;
  readonly #stats: LogStats;
  #open: Buffer | undefined;
  #atLineStart = true;
  #stamp: Buffer = NO_STAMP;
  #label: Buffer = STREAM_LABELS[1]!;
  /** Where the current line's text starts in the buffer (after its timestamp and label). */
  #lineStart = 0;

  constructor(stats: LogStats) {
    this.#stats = stats;
  }

  /** A new entry: `stamp` (a view that stays valid) and its stream's label (one of STREAM_LABELS or TTY_LABEL). */
  startEntry(stamp: Buffer, label: Buffer): void {
    this.#stamp = stamp;
    this.#label = label;
    if (this.#open !== undefined && this.#open !== label) this.#newline();
    this.#atLineStart = this.#open === undefined || this.#open !== label;
    this.#open = label;
  }

  /** Adds `bytes[from, to)` of the current entry's text. */
  content(bytes: Buffer, from = 0, to = bytes.length): void {
    let pos = from;
    while (pos < to) {
      let nl = bytes.indexOf(NL, pos);
      if (nl >= to) nl = -1;
      const end = nl === -1 ? to : nl;
      if (this.#atLineStart) {
        this.#copy(this.#stamp, 0, this.#stamp.length, 1 + this.#label.length + (end - pos) + 1);
        this.#buf[this.#size++] = SP;
        this.#copy(this.#label, 0, this.#label.length);
        this.#lineStart = this.#size;
        this.#atLineStart = false;
      }
      if (end > pos) this.#copy(bytes, pos, end);
      if (nl === -1) break;
      // CRLF (from a TTY) ends a line like LF, wherever the chunks or entries were cut.
      if (this.#size > this.#lineStart && this.#buf[this.#size - 1] === CR) this.#size--;
      this.#newline();
      pos = nl + 1;
    }
  }

  endEntry(): void {
    if (this.#atLineStart) this.#open = undefined;
  }

  /** Copies `src[from, to)` in, with room for `extra` more bytes after it. */
  #copy(src: Buffer, from: number, to: number, extra = 1): void {
    const need = this.#size + (to - from) + extra;
    if (need > this.#buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.#buf.length * 2));
      this.#buf.copy(grown, 0, 0, this.#size);
      this.#buf = grown;
    }
    this.#size += src.copy(this.#buf, this.#size, from, to);
  }

  /** Bytes waiting to be taken. */
  get size(): number {
    return this.#size;
  }

  #newline(): void {
    if (this.#size >= this.#buf.length) this.#copy(NEWLINE, 0, 0);
    this.#buf[this.#size++] = NL;
    this.#stats.lines++;
    this.#atLineStart = true;
  }

  finish(): void {
    if (!this.#atLineStart) this.#newline();
    this.#open = undefined;
  }

  /** The bytes so far; the writer starts a new buffer, as later stages may keep views of this one. */
  take(): Buffer | undefined {
    // A CR at the end of an open line waits: an LF in the next chunk makes it part of a CRLF.
    const held = !this.#atLineStart && this.#size > this.#lineStart && this.#buf[this.#size - 1] === CR ? 1 : 0;
    if (this.#size - held === 0) return undefined;
    const b = this.#buf.subarray(0, this.#size - held);
    this.#buf = Buffer.allocUnsafe(OUTPUT_CHUNK * 2);
    this.#size = 0;
    if (held) this.#buf[this.#size++] = CR;
    this.#lineStart = 0;
    return b;
  }
}

/** A TTY container's raw stream: every line starts with its timestamp. */
class RawLines {
  readonly #out: LineWriter;
  /** Reads the current line's timestamp; undefined at the start of a line. */
  #stamp: StampReader | undefined;

  constructor(out: LineWriter) {
    this.#out = out;
  }

  write(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      this.#stamp ??= new StampReader();
      const nl = chunk.indexOf(NL, pos);
      const piece = chunk.subarray(pos, nl === -1 ? chunk.length : nl + 1);
      pos += piece.length;
      let content = piece;
      if (!this.#stamp.done) {
        content = this.#stamp.read(piece);
        if (!this.#stamp.done) continue; // the timestamp goes on in the next chunk
        this.#out.startEntry(this.#stamp.value, TTY_LABEL);
      }
      this.#out.content(content);
      if (piece[piece.length - 1] === NL) {
        this.#out.endEntry();
        this.#stamp = undefined;
      }
    }
  }

  end(): void {
    if (this.#stamp && !this.#stamp.done) {
      this.#out.startEntry(NO_STAMP, TTY_LABEL);
      this.#out.content(this.#stamp.flush());
    }
  }
}

/** Event actions left out of events.jsonl: health-check execs and terminal chatter, not diagnosis. */
const NOISY_EVENT = /^(?:exec_(?:create|start|die|detach)|attach|detach|resize|top|archive-path|extract-to-dir|copy)(?::|$)/;

/**
 * Keeps the engine's events (one JSON object per line) minus the noisy ones; lines are passed as the
 * engine wrote them. Counts what it kept and dropped.
 */
export async function* filterEvents(
  source: AsyncIterable<Buffer | string>,
  counts: { kept: number; dropped: number } = { kept: 0, dropped: 0 },
): AsyncGenerator<Buffer> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const keep = (line: string): string | undefined => {
    if (!line.trim()) return undefined;
    try {
      const action = (JSON.parse(line) as { Action?: unknown }).Action;
      if (typeof action === 'string' && NOISY_EVENT.test(action)) {
        counts.dropped++;
        return undefined;
      }
    } catch {
      // Not JSON: keep it, someone should see it.
    }
    counts.kept++;
    return `${line}\n`;
  };
  for await (const chunk of source) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    const out = lines
      .map(keep)
      .filter((l): l is string => l !== undefined)
      .join('');
    if (out) yield Buffer.from(out, 'utf8');
  }
  const last = keep(pending + decoder.end());
  if (last) yield Buffer.from(last, 'utf8');
}
