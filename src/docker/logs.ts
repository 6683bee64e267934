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
const OUTPUT_CHUNK = 64 * 1024;
const NEWLINE = Buffer.from('\n');
const SP = 0x20;

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
export async function* formatDockerLogs(source: AsyncIterable<Buffer | string>, format: LogFormat, stats: LogStats = { lines: 0, bytes: 0 }): AsyncGenerator<Buffer> {
  const out = new LineWriter(stats);
  const raw = new RawLines(out);
  let header = Buffer.alloc(0);
  let remaining = 0;
  let stream = 'stdout';
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
      if (remaining === 0) {
        const need = 8 - header.length;
        header = Buffer.concat([header, chunk.subarray(0, need)]);
        chunk = chunk.subarray(need);
        if (header.length < 8) break;
        if (header[0]! > 3 || header[1] !== 0 || header[2] !== 0 || header[3] !== 0) {
          // Not a frame header: the engine sent a raw stream (a TTY we did not know about). Keep it all.
          multiplexed = false;
          raw.write(Buffer.concat([header, chunk]));
          header = Buffer.alloc(0);
          break;
        }
        stream = STREAM_NAMES[header[0]!]!;
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
          out.startEntry('-', stream);
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

/** Reads `<timestamp> ` off the start of an entry, across chunk boundaries. */
class StampReader {
  done = false;
  value = '-';
  #buf = Buffer.alloc(0);

  /** Consumes bytes; returns the part after the timestamp once it is complete (else empty). */
  read(part: Buffer): Buffer {
    const sp = part.indexOf(SP);
    const nl = part.indexOf(NL);
    if (sp !== -1 && (nl === -1 || sp < nl) && this.#buf.length + sp <= MAX_TIMESTAMP) {
      this.value = Buffer.concat([this.#buf, part.subarray(0, sp)]).toString('latin1');
      this.done = true;
      return part.subarray(sp + 1);
    }
    if (this.#buf.length + part.length > MAX_TIMESTAMP || nl !== -1 || sp !== -1) {
      // No timestamp here (timestamps off, or a foreign stream): the bytes are content.
      this.done = true;
      this.value = '-';
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
 * Builds output lines. An entry that does not end in a newline (the engine splits lines over 16 KiB
 * into partial entries) stays open, and the next entry of the same stream continues it; an entry of
 * the other stream closes it first, so every output line has one stream.
 */
class LineWriter {
  readonly #parts: Buffer[] = [];
  #size = 0;
  readonly #stats: LogStats;
  #open: string | undefined;
  #atLineStart = true;
  #prefix = Buffer.alloc(0);

  constructor(stats: LogStats) {
    this.#stats = stats;
  }

  startEntry(stamp: string, stream: string): void {
    this.#prefix = Buffer.from(`${stamp} ${stream} `, 'latin1');
    if (this.#open !== undefined && this.#open !== stream) this.#newline();
    this.#atLineStart = this.#open === undefined || this.#open !== stream;
    this.#open = stream;
  }

  content(bytes: Buffer): void {
    let pos = 0;
    while (pos < bytes.length) {
      const nl = bytes.indexOf(NL, pos);
      const end = nl === -1 ? bytes.length : nl;
      if (this.#atLineStart) {
        this.#push(this.#prefix);
        this.#atLineStart = false;
      }
      let line = bytes.subarray(pos, end);
      if (nl !== -1 && line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, -1); // CRLF from a TTY
      if (line.length) this.#push(line);
      if (nl === -1) break;
      this.#newline();
      pos = nl + 1;
    }
  }

  endEntry(): void {
    if (this.#atLineStart) this.#open = undefined;
  }

  #push(b: Buffer): void {
    this.#parts.push(b);
    this.#size += b.length;
  }

  /** Bytes waiting to be taken. */
  get size(): number {
    return this.#size;
  }

  #newline(): void {
    this.#push(NEWLINE);
    this.#stats.lines++;
    this.#atLineStart = true;
  }

  finish(): void {
    if (!this.#atLineStart) this.#newline();
    this.#open = undefined;
  }

  take(): Buffer | undefined {
    if (this.#parts.length === 0) return undefined;
    const b = Buffer.concat(this.#parts, this.#size);
    this.#parts.length = 0;
    this.#size = 0;
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
        this.#out.startEntry(this.#stamp.value, 'tty');
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
      this.#out.startEntry('-', 'tty');
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
export async function* filterEvents(source: AsyncIterable<Buffer | string>, counts: { kept: number; dropped: number } = { kept: 0, dropped: 0 }): AsyncGenerator<Buffer> {
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
    const out = lines.map(keep).filter((l): l is string => l !== undefined).join('');
    if (out) yield Buffer.from(out, 'utf8');
  }
  const last = keep(pending + decoder.end());
  if (last) yield Buffer.from(last, 'utf8');
}
