// Room: bundle (src/bundle/) — may import core, redaction (the rule: tests/architecture.test.ts).
/**
 * The lines of a redacted file that a fail-closed rescan must look at again, when the file's bytes are
 * known to be the redactor's own output (the writer's manifest checksums tie the archive to them).
 *
 * Rescanning redacted output with the same rules finds something only where the output differs from
 * what the redactor already scanned: (1) lines it changed (they hold one of our `[REDACTED:` tokens, a
 * private key's token included), with the line before (the state a line starts in comes from it) and
 * the two after (a changed line can change the state the next one starts in); (2) key blocks left open
 * (`-----BEGIN`/`-----END`); (3) known secrets learned after the file was written (a literal scan with
 * the final set). Every other line is byte for byte a line the redactor scanned and left alone, with the
 * same rules: scanning it again cannot find anything new. The lines kept go to the scanner in order, runs
 * apart by a blank line (so no state carries from one run into the next); `lineOf` maps a finding's line
 * back to the file's. Binary content is refused as the redactor refuses it. A line longer than
 * MAX_HELD_BYTES stops the selection: the rest of the file is passed on whole (a full rescan).
 */
import { BinaryContentError } from '../../redaction/redactor.js';
import { UTF8_PROBE_BYTES, mostlyInvalidUtf8 } from '../../redaction/bytes.js';
import type { LiteralIndex } from '../../redaction/literal-index.js';
import type { ByteSource } from '../core/types.js';

const MARKS = ['[REDACTED:', '-----BEGIN', '-----END'].map((m) => Buffer.from(m, 'latin1'));
const MAX_HELD_BYTES = 1 << 20;
const NL = 0x0a;
const SEPARATOR = Buffer.from('\n');

export interface SuspectLines {
  /** A pipeline stage: the file's bytes in, the lines to rescan out. */
  readonly select: (source: ByteSource) => AsyncGenerator<Buffer>;
  /** The file's line number of line `n` (1-based) of what `select` yielded. */
  lineOf(n: number): number;
}

/** Selects the lines to rescan of one file; `literals` is the run's final known-secret index. */
export function suspectLines(literals: LiteralIndex | undefined): SuspectLines {
  /** Yielded line n+1 came from the file's line origins[n] (0 for a separator). */
  const origins: number[] = [];
  /** Once a long line stops the selection: yielded line `from` and later are the file's from `at` on. */
  let whole: { from: number; at: number } | undefined;

  async function* select(source: ByteSource): AsyncGenerator<Buffer> {
    let pending: Buffer = Buffer.alloc(0);
    let line = 1; // the file's line number of pending's first line
    let lastOut = 0; // the file's line number of the last line yielded
    let prev: Buffer | undefined; // the line before pending's first line, with its newline
    let follow = 0; // lines at pending's start still to keep (after a changed line)
    let bytes = 0;
    let probed = 0;
    let passing = false;

    /** Selects among the complete lines of `block` (each ends with a newline), numbered from `line`. */
    function* lines(block: Buffer): Generator<Buffer> {
      const starts: number[] = [];
      for (let at = 0; at < block.length; at = block.indexOf(NL, at) + 1) starts.push(at);
      const keep = new Set<number>();
      const hit = (offset: number): void => {
        // The line holding `offset`: the last start at or before it.
        let lo = 0;
        let hi = starts.length - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (starts[mid]! <= offset) lo = mid;
          else hi = mid - 1;
        }
        for (let i = lo - 1; i <= lo + 2; i++) keep.add(i);
      };
      for (const mark of MARKS) for (let at = block.indexOf(mark); at !== -1; at = block.indexOf(mark, at + 1)) hit(at);
      if (literals && literals.size > 0) {
        const text = block.toString('latin1');
        for (let h = literals.find(text, 0); h; h = literals.find(text, h.start + 1)) hit(h.start);
      }
      for (let i = 0; i < follow && i < starts.length; i++) keep.add(i);
      follow = 0;
      const emit = function* (n: number, bytesOfLine: Buffer): Generator<Buffer> {
        if (lastOut !== 0 && n !== lastOut + 1) {
          origins.push(0);
          yield SEPARATOR;
        }
        origins.push(n);
        lastOut = n;
        yield bytesOfLine;
      };
      for (const i of [...keep].sort((a, b) => a - b)) {
        if (i === -1) {
          if (prev && lastOut !== line - 1) yield* emit(line - 1, prev);
        } else if (i < starts.length) yield* emit(line + i, block.subarray(starts[i]!, starts[i + 1] ?? block.length));
        else follow = Math.max(follow, i - starts.length + 1);
      }
      const last = starts[starts.length - 1]!;
      prev = Buffer.from(block.subarray(last));
      line += starts.length;
    }

    for await (const piece of source as AsyncIterable<Buffer | string>) {
      const chunk = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
      bytes += chunk.length;
      if (chunk.includes(0)) throw new BinaryContentError(bytes, 'nul');
      if (probed < UTF8_PROBE_BYTES) {
        const sample = chunk.subarray(0, UTF8_PROBE_BYTES - probed);
        probed += sample.length;
        if (mostlyInvalidUtf8(sample)) throw new BinaryContentError(bytes, 'utf8');
      }
      if (passing) {
        yield chunk;
        continue;
      }
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      const nl = pending.lastIndexOf(NL);
      if (nl !== -1) {
        yield* lines(pending.subarray(0, nl + 1));
        pending = pending.subarray(nl + 1);
      }
      if (pending.length > MAX_HELD_BYTES) {
        // A line this long: rescan the rest of the file whole, from the line before it.
        passing = true;
        if (lastOut !== 0) {
          origins.push(0);
          yield SEPARATOR;
        }
        whole = { from: origins.length + 1, at: line - (prev ? 1 : 0) };
        if (prev) yield prev;
        yield pending;
      }
    }
    if (!passing && pending.length) {
      // The last line has no newline: select it as one that has, and yield it without.
      const tailLine = line;
      const out = [...lines(Buffer.concat([pending, SEPARATOR]))];
      const tail = lastOut === tailLine ? out.pop() : undefined;
      for (const b of out) yield b;
      if (tail) yield tail.subarray(0, tail.length - 1);
    }
  }

  return {
    select,
    lineOf: (n) => (whole && n >= whole.from ? whole.at + (n - whole.from) : (origins[n - 1] ?? 0)),
  };
}
