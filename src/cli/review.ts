// Room: cli (src/cli/) — may import every room; the only place that prints errors and calls process.exit.
/**
 * `collect --review`: before the bundle is packed, what it would hold (files and sizes, redaction counts
 * per rule and per file, the findings' titles; never a value) goes to stderr, and on a terminal the
 * user answers "Write the bundle? [y/N/l(ist)/e(xclude) PATH]". Without a terminal it is a usage error
 * unless `--yes` (then the summary is printed and the bundle written).
 */
import { createInterface } from 'node:readline';
import { CliError } from '../core/errors.js';
import { printable } from '../core/printable.js';
import type { ReviewData, ReviewDecision } from '../core/types.js';
import { formatBytes } from '../core/units.js';
import type { CliIo } from './io.js';

export const REVIEW_PROMPT = 'Write the bundle? [y/N/l(ist)/e(xclude) PATH] ';

/** The input `--review` asks on (a terminal), or a usage error naming the fix. */
export function reviewInput(io: CliIo, yes: boolean): (NodeJS.ReadableStream & { isTTY?: boolean }) | undefined {
  const input = (io.stdin ?? process.stdin) as NodeJS.ReadableStream & { isTTY?: boolean };
  if (yes) return undefined;
  if (!input.isTTY)
    throw new CliError(
      '--review asks on a terminal and stdin is not one: run it in a terminal, or add --yes to print the review and write the bundle',
      'E_USAGE',
    );
  return input;
}

/** The file list, with sizes. */
function fileList(data: ReviewData): string {
  const width = Math.max(0, ...data.files.map((f) => formatBytes(f.bytes).length));
  return data.files.map((f) => `  ${formatBytes(f.bytes).padStart(width)}  ${printable(f.path)}\n`).join('');
}

/** Sizes and counts only: a summary fit to print. */
export function reviewSummary(data: ReviewData): string {
  const total = data.files.reduce((n, f) => n + f.bytes, 0);
  const out = ['', `Review: ${data.files.length} files, ${formatBytes(total)} before compression`, fileList(data).trimEnd()];
  const redactions = data.byRule.reduce((n, r) => n + r.count, 0);
  out.push('', `Redactions: ${redactions}${data.byRule.length ? ` (${data.byRule.map((r) => `${r.rule} ${r.count}`).join(', ')})` : ''}`);
  for (const f of data.byFile) out.push(`  ${String(f.count).padStart(5)}  ${printable(f.file)}`);
  out.push('', `Findings: ${data.findings.length}`);
  for (const f of data.findings) out.push(`  ${f.severity.toUpperCase().padEnd(7)} ${printable(f.title)}`);
  return `${out.join('\n')}\n\n`;
}

/** The `review` callback of collectBundle: prints the summary, then asks (unless `input` is undefined: --yes). */
export function reviewer(io: CliIo, input: NodeJS.ReadableStream | undefined): (data: ReviewData) => Promise<ReviewDecision> {
  return async (data) => {
    io.stderr.write(reviewSummary(data));
    if (!input) return { write: true, exclude: [] };
    const known = new Set(data.files.map((f) => f.path));
    const exclude: string[] = [];
    const rl = createInterface({ input, output: io.stderr as NodeJS.WritableStream, terminal: false });
    const lines = rl[Symbol.asyncIterator]();
    // Ctrl-C while it asks: stop asking (the run then ends as interrupted, nothing written).
    const stop = (): void => rl.close();
    io.signal.addEventListener('abort', stop, { once: true });
    try {
      for (;;) {
        io.stderr.write(REVIEW_PROMPT);
        const step = await lines.next();
        // End of input (Ctrl-D): no answer is no.
        if (step.done) return { write: false, exclude };
        const answer = String(step.value).trim();
        if (/^(y|yes)$/i.test(answer)) return { write: true, exclude };
        if (answer === '' || /^(n|no)$/i.test(answer)) return { write: false, exclude };
        if (/^(l|list)$/i.test(answer)) {
          io.stderr.write(fileList({ ...data, files: data.files.filter((f) => !exclude.includes(f.path)) }));
          continue;
        }
        const m = /^(?:e|exclude)\s+(.+)$/i.exec(answer);
        if (m) {
          const path = m[1]!.trim().replace(/^\/+/, '');
          // A folder excludes everything below it.
          const hits = known.has(path) ? [path] : [...known].filter((p) => p.startsWith(`${path.replace(/\/+$/, '')}/`));
          if (hits.length === 0) io.stderr.write(`no file ${printable(path)} in the bundle: "l" lists them\n`);
          for (const h of hits) if (!exclude.includes(h)) exclude.push(h);
          if (hits.length) io.stderr.write(`left out: ${hits.map(printable).join(', ')}\n`);
          continue;
        }
        io.stderr.write('answer y (write), n (do not write), l (list the files) or e PATH (leave a file or folder out)\n');
      }
    } finally {
      io.signal.removeEventListener('abort', stop);
      rl.close();
    }
  };
}
