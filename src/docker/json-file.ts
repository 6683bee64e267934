// Room: docker (src/docker/) — may import core (the rule: tests/architecture.test.ts).
/**
 * A local engine's `json-file` logs, read from its files instead of through the engine: the same bytes
 * `GET /containers/{id}/logs?stdout=1&stderr=1&timestamps=1&tail=N&since=T` would send, without the
 * engine decoding, re-framing and sending every entry (the engine serves logs at about the speed it
 * takes us to redact them, on the same cores). `formatDockerLogs` then turns them into lines as it does
 * for the engine's stream, so a bundle's logs are the same whichever way they were read.
 *
 * The json-file driver writes one JSON object per entry and line:
 *
 *     {"log":"tick\n","stream":"stdout","time":"2026-12-07T10:00:00.12345Z"}
 *
 * (`"attrs":{…}` before `"time"` when the container has `--log-opt labels/env`). It rotates `LOG` to
 * `LOG.1`, `LOG.1` to `LOG.2`, …, gzip-compressed (`LOG.1.gz`) with `compress=true`. What the engine
 * does, and this does alike:
 * - entries oldest first: `LOG.N[.gz]` … `LOG.1[.gz]`, then `LOG`;
 * - `tail=N`: the last N entries over all those files (counted before `since` filters them);
 * - `since`: entries whose time is before it are left out. (Where the oldest compressed file ended
 *   before `since`, dockerd 20.10, Debian's docker.io and the version tested, returns only the
 *   current file's entries, leaving out later rotated files' entries that are within the window;
 *   here every file is read and each entry is judged by its own time.)
 * - each entry is one frame (8-byte header: stream 1 or 2, length) of `<time> <log>`, the time with
 *   nine fraction digits (RFC3339NanoFixed); a TTY container's entries are not framed.
 *
 * Read-only: files are opened O_RDONLY, never a FIFO or a link, and read up to the size they had when
 * opened (a running container's later lines are not waited for). A line that is not an entry (a
 * damaged file) is skipped and counted; the engine would end the whole log there.
 */
import { constants } from 'node:fs';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { countNewlines } from '../core/text.js';
import { formatDockerLogs, LineWriter, OUTPUT_CHUNK, STREAM_LABELS } from './logs.js';

export interface JsonFileRequest {
  /** The last this many entries (undefined: all). */
  readonly tail?: number;
  /** Entries at or after this time. */
  readonly since?: Date;
  /** The container has a TTY: entries are not framed (the engine sends them raw). */
  readonly tty: boolean;
  /**
   * The container's `max-file` log option (HostConfig.LogConfig.Config; the engine's defaults are
   * merged in at creation). Below 2 the driver never rotates, so no rotated file is looked for;
   * undefined: looked for.
   */
  readonly maxFiles?: number;
  /** The container is running: its log may rotate while the files are opened, which is checked. */
  readonly live?: boolean;
}

/** What was read, filled in as the stream is consumed. */
export interface JsonFileStats {
  /** Files read (the log and its rotated files). */
  files: number;
  /** Entries passed on. */
  entries: number;
  /** Lines that were not a log entry, skipped. */
  damaged: number;
}

/** Bytes read from a file at a time. */
const READ_CHUNK = 256 * 1024;
/** How often to re-take the snapshot when the files rotate while they are opened. */
const SNAPSHOT_ATTEMPTS = 3;

/** One file of the snapshot: open, with the size it had. */
interface Part {
  readonly path: string;
  readonly handle: FileHandle;
  readonly size: number;
  readonly gzip: boolean;
  /** Entries of this file to leave out at its start (tail). */
  skip: number;
  /** Where to start reading an uncompressed file (tail): the start of its first entry kept. */
  from: number;
  /** The whole file, when counting its lines back from the end read all of it (not read twice). */
  whole?: Buffer;
}

/** Why the files cannot be read (the caller asks the engine instead). */
export class JsonFileUnusable extends Error {}

/** An fs error's code (ENOENT, EACCES, …), else its text. */
const codeOf = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? String(err);

/**
 * Opens the files now (throws JsonFileUnusable if they cannot be opened as one snapshot) and returns
 * the stream that reads them. Open files stay readable when the container is removed meanwhile; they
 * are closed when the stream ends or is abandoned, or when `signal` aborts before it was read.
 */
export async function openJsonFileLog(
  logPath: string,
  request: JsonFileRequest,
  stats: JsonFileStats = { files: 0, entries: 0, damaged: 0 },
  signal?: AbortSignal,
): Promise<AsyncGenerator<Buffer>> {
  return openEntries(logPath, request, stats, signal, false);
}

/**
 * As openJsonFileLog, formatted: the lines `formatDockerLogs` makes of the frames openJsonFileLog
 * yields, byte for byte. Without a TTY each entry goes straight to the line writer, with the calls
 * formatDockerLogs would make for its frame, so no frame is written and parsed again (about 3% of a
 * run over 100 logs); a TTY's raw stream is formatted as the engine's is.
 */
export async function openJsonFileLines(
  logPath: string,
  request: JsonFileRequest,
  stats: JsonFileStats = { files: 0, entries: 0, damaged: 0 },
  signal?: AbortSignal,
): Promise<AsyncGenerator<Buffer>> {
  if (request.tty) return formatDockerLogs(await openJsonFileLog(logPath, request, stats, signal), { tty: true });
  return openEntries(logPath, request, stats, signal, true);
}

async function openEntries(
  logPath: string,
  request: JsonFileRequest,
  stats: JsonFileStats,
  signal: AbortSignal | undefined,
  asLines: boolean,
): Promise<AsyncGenerator<Buffer>> {
  if (request.tail === 0) return (async function* () {})();
  const parts = await snapshot(logPath, request);
  stats.files = parts.length;
  const close = (): Promise<unknown> => Promise.all(parts.map((p) => p.handle.close().catch(() => undefined)));
  const onAbort = (): void => void close();
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  return (async function* (): AsyncGenerator<Buffer> {
    try {
      if (request.tail !== undefined) await placeTail(parts, request.tail);
      const entries = new EntryWriter(request, stats, asLines ? new LineWriter({ lines: 0, bytes: 0 }) : undefined);
      for (const part of parts) {
        if (part.skip === Number.POSITIVE_INFINITY) continue;
        const lines = new LineSplitter();
        let skip = part.skip;
        for await (const chunk of part.gzip ? gunzipped(part) : plain(part)) {
          for (let data of lines.take(chunk)) {
            if (skip > 0) {
              const at = afterLines(data, skip);
              skip -= at.count;
              data = data.subarray(at.offset);
            }
            entries.write(data);
          }
          const out = entries.take();
          if (out) yield out;
        }
        // A last line without its newline (a writer stopped mid-line) is not an entry yet.
      }
      const rest = entries.finish();
      if (rest) yield rest;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      await close();
    }
  })();
}

/** Opens the log and its rotated files as one snapshot: no rotation between the first open and the last. */
async function snapshot(logPath: string, request: JsonFileRequest): Promise<Part[]> {
  for (let attempt = 1; ; attempt++) {
    const parts: Part[] = [];
    let consistent = false;
    try {
      const dir = dirname(logPath);
      const base = basename(logPath);
      let names: string[] = [];
      try {
        if (request.maxFiles === undefined || request.maxFiles >= 2) names = await readdir(dir);
      } catch (err) {
        throw new JsonFileUnusable(`cannot list ${dir}: ${codeOf(err)}`);
      }
      // LOG.N or LOG.N.gz, oldest (highest N) first. While a rotated file is being compressed both exist: the plain one is whole.
      const rotated = new Map<number, string>();
      for (const name of names) {
        const m = name.startsWith(`${base}.`) ? /^(\d{1,6})(\.gz)?$/.exec(name.slice(base.length + 1)) : null;
        if (!m) continue;
        const n = Number(m[1]);
        if (n >= 1 && (!rotated.has(n) || !m[2])) rotated.set(n, name);
      }
      const ordered = [...rotated.entries()].sort((a, b) => b[0] - a[0]).map(([, name]) => join(dir, name));
      for (const path of [...ordered, logPath]) parts.push(await openPart(path));
      // A stopped container's log does not change: nothing to check.
      consistent = !request.live;
      if (consistent) return parts;
      // Had anything rotated meanwhile, a path would now name another file than the one opened.
      const now = await Promise.all(parts.map((p) => stat(p.path).catch(() => undefined)));
      const inodes = await Promise.all(parts.map((p) => p.handle.stat()));
      consistent = now.every((s, i) => s !== undefined && s.ino === inodes[i]!.ino && s.dev === inodes[i]!.dev);
      if (consistent) return parts;
    } catch (err) {
      if (err instanceof JsonFileUnusable) throw err;
      throw new JsonFileUnusable(codeOf(err));
    } finally {
      if (!consistent) await Promise.all(parts.map((p) => p.handle.close().catch(() => undefined)));
    }
    if (attempt >= SNAPSHOT_ATTEMPTS) throw new JsonFileUnusable('the log rotated while it was being opened');
  }
}

async function openPart(path: string): Promise<Part> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    throw new JsonFileUnusable(`cannot open ${path}: ${codeOf(err)}`);
  }
  const s = await handle.stat();
  if (!s.isFile()) {
    await handle.close();
    throw new JsonFileUnusable(`${path} is not a regular file`);
  }
  return { path, handle, size: s.size, gzip: path.endsWith('.gz'), skip: 0, from: 0 };
}

/** An uncompressed file's bytes from `from` up to its size when opened. */
async function* plain(part: Part): AsyncGenerator<Buffer> {
  if (part.whole) {
    if (part.from < part.whole.length) yield part.whole.subarray(part.from);
    return;
  }
  let pos = part.from;
  while (pos < part.size) {
    const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, part.size - pos));
    const { bytesRead } = await part.handle.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) break; // truncated meanwhile
    pos += bytesRead;
    yield buf.subarray(0, bytesRead);
  }
}

/** A compressed file's decompressed bytes. */
async function* gunzipped(part: Part): AsyncGenerator<Buffer> {
  if (part.size === 0) return;
  // 256 KiB output pieces, as the bundle reader's: each piece is a round trip through the thread pool.
  const gunzip = createGunzip({ chunkSize: READ_CHUNK });
  // Read like a plain file (FileHandle.createReadStream closes the handle it was given when destroyed).
  const source = Readable.from(plain({ ...part, from: 0 }), { objectMode: false });
  source.on('error', (err) => gunzip.destroy(err));
  source.pipe(gunzip);
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } finally {
    source.unpipe(gunzip);
    source.destroy();
    gunzip.destroy();
  }
}

/**
 * Where the last `tail` entries start: files before that are skipped whole, the file it falls in from
 * that entry on. Uncompressed files are counted from their end backwards, so a long log's start is
 * never read; a compressed one is counted by decompressing it.
 */
async function placeTail(parts: Part[], tail: number): Promise<void> {
  let need = tail;
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i]!;
    if (need === 0) {
      part.from = part.size;
      part.skip = Number.POSITIVE_INFINITY;
      continue;
    }
    if (part.gzip) {
      let lines = 0;
      for await (const chunk of gunzipped(part)) lines += countNewlines(chunk);
      if (lines >= need) part.skip = lines - need;
      need = Math.max(0, need - lines);
    } else {
      const found = await lastLines(part, need);
      part.from = found.from;
      need -= found.count;
    }
  }
}

/** Counts up to `need` complete lines back from the end of an uncompressed file; where the first starts. */
async function lastLines(part: Part, need: number): Promise<{ from: number; count: number }> {
  let count = 0;
  let end = part.size;
  // A last line without its newline is not counted (nor passed on: see LineSplitter).
  let seenLast = false;
  const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, Math.max(1, part.size)));
  while (end > 0) {
    const start = Math.max(0, end - buf.length);
    const { bytesRead } = await part.handle.read(buf, 0, end - start, start);
    const data = buf.subarray(0, bytesRead);
    if (start === 0 && end === part.size) part.whole = data;
    for (let i = data.lastIndexOf(0x0a); i !== -1; i = i > 0 ? data.lastIndexOf(0x0a, i - 1) : -1) {
      if (!seenLast) {
        seenLast = true;
        continue;
      }
      count++;
      if (count === need) return { from: start + i + 1, count };
    }
    end = start;
  }
  return { from: 0, count: seenLast ? count + 1 : 0 };
}

/** The offset just after the first `lines` newlines of `data` (or its end), and how many it passed. */
function afterLines(data: Buffer, lines: number): { offset: number; count: number } {
  let count = 0;
  let at = -1;
  while (count < lines) {
    const nl = data.indexOf(0x0a, at + 1);
    if (nl === -1) return { offset: data.length, count };
    at = nl;
    count++;
  }
  return { offset: at + 1, count };
}

/** Passes on whole lines only; keeps a trailing partial line for the next chunk. */
class LineSplitter {
  #rest: Buffer | undefined;

  /**
   * The whole lines so far: the line the previous chunk left open, completed (only that line is
   * copied), then the chunk's own whole lines in place.
   */
  take(chunk: Buffer): Buffer[] {
    let data = chunk;
    const out: Buffer[] = [];
    if (this.#rest) {
      const nl = chunk.indexOf(0x0a);
      if (nl === -1) {
        this.#rest = Buffer.concat([this.#rest, chunk]);
        return out;
      }
      out.push(Buffer.concat([this.#rest, chunk.subarray(0, nl + 1)]));
      this.#rest = undefined;
      data = chunk.subarray(nl + 1);
    }
    const last = data.lastIndexOf(0x0a);
    if (last !== data.length - 1) this.#rest = Buffer.from(data.subarray(last + 1));
    if (last !== -1) out.push(data.subarray(0, last + 1));
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Entries: json lines in, the engine's frames out

/** Big-endian words of the driver's fixed key bytes: `{"lo` `g":"`, `,"st` `ream` `":"s` then `tdou`+`t` or `tder`+`r`, `,"ti` `me":` + `"`. */
const word = (s: string): number => Buffer.from(s, 'latin1').readUInt32BE(0);
const PREFIX_A = word('{"lo');
const PREFIX_B = word('g":"');
const STREAM_A = word(',"st');
const STREAM_B = word('ream');
const STREAM_C = word('":"s');
const STDOUT_END = word('tdou');
const STDERR_END = word('tder');
const TIME_A = word(',"ti');
const TIME_B = word('me":');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HEADER = 8;
const ZEROS = '000000000';
/** Scratch for one decoded entry: the driver cuts entries at 16 KiB of text. */
const ENTRY_SCRATCH = 32 * 1024;

/**
 * Turns whole json lines into the engine's frames, copying bytes (no string per entry on the usual
 * path); or, given a line writer (no TTY), into formatted lines: each entry's text is decoded into a
 * scratch area and handed to the writer with its time and stream, as formatDockerLogs does per frame.
 */
class EntryWriter {
  readonly #tty: boolean;
  readonly #since: Since | undefined;
  readonly #stats: JsonFileStats;
  readonly #lines: LineWriter | undefined;
  /** The frames; with a line writer, scratch space for one entry (grown by #ensure for a longer one). */
  #out: Buffer;
  /** Frame bytes written (always 0 with a line writer). */
  #size = 0;

  constructor(request: JsonFileRequest, stats: JsonFileStats, lines?: LineWriter) {
    this.#tty = request.tty;
    this.#since = request.since ? sinceOf(request.since) : undefined;
    this.#stats = stats;
    this.#lines = request.tty ? undefined : lines;
    this.#out = Buffer.allocUnsafe(this.#lines ? ENTRY_SCRATCH : READ_CHUNK);
  }

  /** Adds the frames of the whole lines in `data`. */
  write(data: Buffer): void {
    let pos = 0;
    while (pos < data.length) {
      const nl = data.indexOf(0x0a, pos);
      const end = nl === -1 ? data.length : nl;
      if (end > pos && !this.#fast(data, pos, end)) this.#slow(data, pos, end);
      pos = end + 1;
    }
  }

  /** The frames (or lines) so far; undefined when there are none (lines: fewer than OUTPUT_CHUNK bytes). */
  take(): Buffer | undefined {
    if (this.#lines) return this.#lines.size >= OUTPUT_CHUNK ? this.#lines.take() : undefined;
    if (this.#size === 0) return undefined;
    const out = this.#out.subarray(0, this.#size);
    this.#out = Buffer.allocUnsafe(Math.max(READ_CHUNK, this.#out.length));
    this.#size = 0;
    return out;
  }

  /** What is left at the end: the line writer's last bytes, its open line ended (nothing for frames). */
  finish(): Buffer | undefined {
    if (!this.#lines) return undefined;
    this.#lines.finish();
    return this.#lines.take();
  }

  /** One entry to the line writer: its time, its stream's label, its text. */
  #line(stamp: Buffer, type: number, text: Buffer, from: number, to: number): void {
    const lines = this.#lines!;
    lines.startEntry(stamp, STREAM_LABELS[type]!);
    lines.content(text, from, to);
    lines.endEntry();
    this.#stats.entries++;
  }

  #ensure(extra: number): void {
    if (this.#size + extra <= this.#out.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#size + extra, this.#out.length * 2));
    this.#out.copy(grown, 0, 0, this.#size);
    this.#out = grown;
  }

  /**
   * The driver's own layout, `{"log":"…","stream":"stdout|stderr","time":"…"}`, decoded in place.
   * False (nothing written) for anything else: the slow path parses it as JSON.
   */
  #fast(line: Buffer, start: number, end: number): boolean {
    // `{"log":"` as two 32-bit words: cheaper than Buffer.compare for a few bytes.
    if (end - start < 8 + 40 || line.readUInt32BE(start) !== PREFIX_A || line.readUInt32BE(start + 4) !== PREFIX_B) return false;
    const begin = this.#size;
    // The decoded text is at most as long as its escaped form; the header and time fit in the keys' room.
    this.#ensure(end - start + HEADER + 40);
    const textAt = begin + (this.#tty ? 0 : HEADER) + 31;
    let o = textAt;
    const out = this.#out;
    let i = start + 8;
    // Copied byte by byte while looking for the closing quote: log lines are short, and a copy call per
    // segment costs more than the loop that finds it.
    for (;;) {
      if (i >= end) return false;
      const b = line[i]!;
      if (b === QUOTE) break;
      if (b !== BACKSLASH) {
        out[o++] = b;
        i++;
        continue;
      }
      const e = line[i + 1];
      if (e === 0x6e) out[o++] = 0x0a;
      else if (e === 0x74) out[o++] = 0x09;
      else if (e === 0x72) out[o++] = 0x0d;
      else if (e === QUOTE || e === BACKSLASH || e === 0x2f) out[o++] = e;
      else if (e === 0x62) out[o++] = 0x08;
      else if (e === 0x66) out[o++] = 0x0c;
      else if (e === 0x75) {
        let code = hex4(line, i + 2, end);
        if (code < 0) return false;
        i += 6;
        if (code >= 0xd800 && code <= 0xdbff && line[i] === BACKSLASH && line[i + 1] === 0x75) {
          const low = hex4(line, i + 2, end);
          if (low >= 0xdc00 && low <= 0xdfff) {
            code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
            i += 6;
          }
        }
        o = utf8(out, o, code >= 0xd800 && code <= 0xdfff ? 0xfffd : code);
        continue;
      } else return false;
      i += 2;
    }
    i++;
    // `,"stream":"stdout"` or `…stderr"`, then `,"time":"`: compared as words (their last bytes tell the stream).
    if (i + 27 > end || line.readUInt32BE(i) !== STREAM_A || line.readUInt32BE(i + 4) !== STREAM_B || line.readUInt32BE(i + 8) !== STREAM_C) return false;
    const tail = line.readUInt32BE(i + 12);
    const type = tail === STDOUT_END && line[i + 16] === 0x74 ? 1 : tail === STDERR_END && line[i + 16] === 0x72 ? 2 : 0;
    if (type === 0 || line[i + 17] !== QUOTE) return false;
    i += 18;
    if (line.readUInt32BE(i) !== TIME_A || line.readUInt32BE(i + 4) !== TIME_B || line[i + 8] !== QUOTE) return false;
    i += 9;
    // The usual time: UTC with nine fraction digits (the driver writes fewer only when they end in 0).
    const close = i + 30;
    const at = begin + (this.#tty ? 0 : HEADER);
    if (end === close + 2 && line[close] === QUOTE && line[close + 1] === 0x7d && isFixedUtc(line, i)) {
      if (this.#since && isBefore(line.toString('latin1', i, close), this.#since)) return true;
      if (this.#lines) {
        this.#line(line.subarray(i, close), type, out, textAt, o);
        return true;
      }
      line.copy(out, at, i, close);
      out[at + 30] = 0x20;
    } else {
      const q = line.indexOf(QUOTE, i);
      if (q === -1 || q + 2 !== end || line[q + 1] !== 0x7d) return false;
      const time = fixedTime(line.toString('latin1', i, q));
      if (time === undefined) return false;
      if (this.#before(time)) return true;
      if (this.#lines) {
        this.#line(Buffer.from(time, 'latin1'), type, out, textAt, o);
        return true;
      }
      // Other zones are longer than 30 bytes: move the text.
      if (time.length !== 30) {
        const text = Buffer.from(out.subarray(textAt, o));
        this.#ensure(HEADER + time.length + 1 + text.length);
        o = at + this.#out.write(time, at, 'latin1');
        this.#out[o++] = 0x20;
        o += text.copy(this.#out, o);
      } else {
        out.write(time, at, 30, 'latin1');
        out[at + 30] = 0x20;
      }
    }
    if (!this.#tty) this.#header(begin, type, o - begin - HEADER);
    this.#size = o;
    this.#stats.entries++;
    return true;
  }

  /** Any other JSON object with a string `log`, `stream` and `time` (e.g. with `attrs`); else a damaged line. */
  #slow(line: Buffer, start: number, end: number): void {
    let entry: unknown;
    try {
      entry = JSON.parse(line.toString('utf8', start, end));
    } catch {
      entry = undefined;
    }
    const e = entry as { log?: unknown; stream?: unknown; time?: unknown } | undefined;
    const time = typeof e?.time === 'string' ? fixedTime(e.time) : undefined;
    if (typeof e?.log !== 'string' || (e.stream !== 'stdout' && e.stream !== 'stderr') || time === undefined) {
      this.#stats.damaged++;
      return;
    }
    if (this.#before(time)) return;
    if (this.#lines) {
      const text = Buffer.from(e.log, 'utf8');
      this.#line(Buffer.from(time, 'latin1'), e.stream === 'stdout' ? 1 : 2, text, 0, text.length);
      return;
    }
    const body = Buffer.from(`${time} ${e.log}`, 'utf8');
    this.#ensure(HEADER + body.length);
    if (!this.#tty) {
      this.#header(this.#size, e.stream === 'stdout' ? 1 : 2, body.length);
      this.#size += HEADER;
    }
    this.#size += body.copy(this.#out, this.#size);
    this.#stats.entries++;
  }

  /** A frame's header at `at`: the stream (1 stdout, 2 stderr), three zero bytes, the length. */
  #header(at: number, type: number, length: number): void {
    this.#out[at] = type;
    this.#out.fill(0, at + 1, at + 4);
    this.#out.writeUInt32BE(length, at + 4);
  }

  #before(time: string): boolean {
    return this.#since !== undefined && isBefore(time, this.#since);
  }
}

/** A `since` time as whole seconds and nanoseconds, to compare with entry times exactly. */
interface Since {
  readonly seconds: number;
  readonly nanos: number;
}

function sinceOf(date: Date): Since {
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1_000_000 };
}

/** True when `time` (fixed form, see fixedTime) is before `since`. */
function isBefore(time: string, since: Since): boolean {
  const seconds = Math.floor(Date.parse(time.slice(0, 19) + time.slice(29)) / 1000);
  if (seconds !== since.seconds) return seconds < since.seconds;
  return Number(time.slice(20, 29)) < since.nanos;
}

/**
 * RFC3339Nano (trailing zeros of the fraction dropped) to the engine's fixed form with nine fraction
 * digits; undefined when it is not such a time.
 */
export function fixedTime(t: string): string | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(t);
  if (!m) return undefined;
  if (m[3] !== 'Z') {
    // Another zone: the engine prints it as it was stored; `since` compares in UTC (Date.parse does).
    return `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}${m[3]}`;
  }
  return `${m[1]}.${m[2] === undefined ? ZEROS : m[2].padEnd(9, '0')}Z`;
}

/** `YYYY-MM-DDTHH:MM:SS.NNNNNNNNNZ` (30 bytes) at `at`, checked byte by byte. */
function isFixedUtc(buf: Buffer, at: number): boolean {
  for (let k = 0; k < 30; k++) {
    const c = buf[at + k]!;
    const want = FIXED_UTC[k]!;
    if (want === 0 ? c < 0x30 || c > 0x39 : c !== want) return false;
  }
  return true;
}
/** The fixed form's punctuation by position; 0 where a digit goes. */
const FIXED_UTC = Uint8Array.from('0000-00-00T00:00:00.000000000Z', (ch) => (ch === '0' ? 0 : ch.charCodeAt(0)));

/** The value of 4 hex digits at `at`, or -1. */
function hex4(buf: Buffer, at: number, end: number): number {
  if (at + 4 > end) return -1;
  let v = 0;
  for (let k = at; k < at + 4; k++) {
    const c = buf[k]!;
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/** Writes `code` as UTF-8 at `o`; returns the new offset. */
function utf8(out: Buffer, o: number, code: number): number {
  if (code < 0x80) out[o++] = code;
  else if (code < 0x800) {
    out[o++] = 0xc0 | (code >> 6);
    out[o++] = 0x80 | (code & 0x3f);
  } else if (code < 0x10000) {
    out[o++] = 0xe0 | (code >> 12);
    out[o++] = 0x80 | ((code >> 6) & 0x3f);
    out[o++] = 0x80 | (code & 0x3f);
  } else {
    out[o++] = 0xf0 | (code >> 18);
    out[o++] = 0x80 | ((code >> 12) & 0x3f);
    out[o++] = 0x80 | ((code >> 6) & 0x3f);
    out[o++] = 0x80 | (code & 0x3f);
  }
  return o;
}
