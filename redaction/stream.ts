/**
 * Stream framing: bytes in, redacted bytes out, line by line, with memory bounded by the longest line
 * held (a line longer than a window is scanned in windows that share `overlap` characters of context,
 * so a secret whose key sits in one window and whose value starts in the next is still caught). The
 * output depends on each line's content only, never on how the bytes were chunked. Content with a NUL
 * byte, or mostly invalid UTF-8, is binary: refused (BinaryContentError), never passed through unscanned.
 * Unchanged stretches go out as the input's own bytes; only changed lines are encoded.
 */
import type { ByteSource } from '../src/core/types.js';
import { BinaryContentError, UTF8_PROBE_BYTES, drainCount, isHighSurrogate, mostlyInvalidUtf8 } from './bytes.js';
import type { BlockChanges, Engine, LineState } from './engine.js';

const NL = 0x0a;

/** An async-generator stage for `stream/promises.pipeline` that redacts `file`'s bytes with `engine`. */
export function redactStream(engine: Engine, file: string): (source: ByteSource) => AsyncGenerator<Buffer> {
  return async function* redactStream(source: ByteSource): AsyncGenerator<Buffer> {
    const state: LineState = { pem: undefined, valueNext: undefined };
    // The partial line carried to the next chunk, as bytes: made a string (one character per byte) only
    // when it is scanned in windows or finished.
    let pending: Buffer = Buffer.alloc(0);
    let context = '';
    let line = 1;
    let bytesRead = 0;
    let probed = 0;
    const limit = engine.window;
    /**
     * Scans whole windows off the front of `text` (part of one line) while more than a window and its
     * overlap remain, and returns their output and the unscanned rest. Both the "line still arriving"
     * and the "line complete" paths go through here, so how the bytes were chunked never changes where
     * the windows fall, and so never changes the output.
     */
    const drain = (text: string, at: number): { out: string; rest: string } => {
      let out = '';
      while (text.length > limit + engine.overlap) {
        let end = limit + engine.overlap;
        // Never end a window between the two halves of a surrogate pair.
        if (isHighSurrogate(text.charCodeAt(end - 1))) end++;
        if (state.pem) {
          // Inside a private key, a huge line is body too: hashed, never emitted.
          engine.hashBody(state, text.slice(0, limit));
          context = '';
          text = text.slice(limit);
          continue;
        }
        const { out: part, consumed } = engine.scan(context, text.slice(0, end), limit, file, at);
        out += part;
        context = (context + text.slice(0, consumed)).slice(-engine.overlap);
        text = text.slice(consumed);
      }
      return { out, rest: text };
    };
    /** Finishes a line that was (partly) scanned in windows; the next line starts without context. */
    const finishLong = (rest: string, at: number): string => {
      const ctx = context;
      context = '';
      if (state.pem) {
        engine.hashBody(state, rest);
        return '';
      }
      return engine.scan(ctx, rest, rest.length, file, at).out;
    };
    /** Redacts `bytes` (whole lines) and adds its output to `pieces`: unchanged stretches as the input's own bytes. */
    const blockPieces = (bytes: Buffer, pieces: (string | Buffer)[]): void => {
      const meta: BlockChanges = { changes: [] };
      engine.block(bytes, file, line, state, { drain, finishLong }, meta);
      let at = 0;
      for (const c of meta.changes) {
        if (c.start > at) pieces.push(bytes.subarray(at, c.start));
        pieces.push(c.text);
        at = c.end;
      }
      if (at < bytes.length) pieces.push(bytes.subarray(at));
      line += meta.lines!;
    };
    const iterator = (source as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
    for (let step = await iterator.next(); !step.done; step = await iterator.next()) {
      const chunk = step.value;
      const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      bytesRead += buf.length;
      // Binary content is refused whole; the rest is read (not kept) so the problem can give its size.
      if (buf.includes(0)) throw new BinaryContentError(bytesRead + (await drainCount(iterator)), 'nul');
      if (probed < UTF8_PROBE_BYTES) {
        const sample = buf.subarray(0, UTF8_PROBE_BYTES - probed);
        probed += sample.length;
        if (mostlyInvalidUtf8(sample)) throw new BinaryContentError(bytesRead + (await drainCount(iterator)), 'utf8');
      }
      const pieces: (string | Buffer)[] = [];
      let out = '';
      const lastNl = buf.lastIndexOf(NL);
      if (lastNl === -1) {
        // No line ends in this chunk: it all joins the partial line.
        pending = pending.length ? Buffer.concat([pending, buf]) : buf;
      } else {
        let from = 0;
        if (pending.length || context !== '') {
          // The partial line carried over ends here: finished on its own, so the rest of the chunk is
          // decoded and scanned as it is, never copied onto the carried bytes.
          const nl = buf.indexOf(NL);
          if (context !== '') {
            // Its start was already scanned in windows: finish it with its context.
            const { out: head, rest } = drain(pending.toString('latin1') + buf.toString('latin1', 0, nl), line);
            const tail = finishLong(rest, line);
            out += head + tail + (state.pem && tail === '' ? '' : '\n');
            line++;
          } else blockPieces(Buffer.concat([pending, buf.subarray(0, nl + 1)]), pieces);
          from = nl + 1;
        }
        if (from <= lastNl) {
          if (out) pieces.push(out);
          out = '';
          blockPieces(buf.subarray(from, lastNl + 1), pieces);
        }
        pending = buf.subarray(lastNl + 1);
      }
      if (pending.length > limit + engine.overlap) {
        // A partial line longer than a window and its overlap: its whole windows are scanned now.
        const { out: head, rest } = drain(pending.toString('latin1'), line);
        out += head;
        pending = pending.subarray(pending.length - rest.length);
      }
      if (out) pieces.push(out);
      // One write per chunk read: each yield is a round through the pipeline and a write of the sink
      // (a spool file), which cost more than the copy that joins the pieces.
      if (pieces.length === 1) yield typeof pieces[0] === 'string' ? Buffer.from(pieces[0], 'latin1') : pieces[0]!;
      else if (pieces.length > 1) yield Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)));
    }
    const { out: head, rest } = drain(pending.toString('latin1'), line);
    let tail = head;
    if (rest) {
      // The last line has no newline: redact it as if it had one (a key left open ends with its token
      // line), then drop that newline, as text() does, so a missing final newline stays missing.
      let last: string;
      if (context === '') last = engine.block(`${rest}\n`, file, line, state);
      else {
        const t = finishLong(rest, line);
        last = t + (state.pem && t === '' ? '' : '\n');
      }
      tail += (last + engine.closeState(state, file)).slice(0, -1);
    } else tail += engine.closeState(state, file);
    if (tail) yield Buffer.from(tail, 'latin1');
  };
}
