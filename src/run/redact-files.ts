// Room: run (src/run/) — may import core, config, collectors, redaction, bundle, docker, report, analyzers (the rule: tests/architecture.test.ts).
/**
 * `collect-bundle redact`: the redactor on files or stdin, for a log a user is about to paste into an
 * issue. Inputs are only read; output goes to stdout or to a new file.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { RedactionEvent } from '../../redaction/redactor.js';
import { RedactionReport, type RuleCount } from '../../redaction/report.js';
import { errorMessage } from '../core/artifacts.js';
import { CliError } from '../core/errors.js';
import { openInput } from '../core/open-input.js';
import { setUpRedaction, type RedactionOptions } from '../config/redaction-plan.js';

export interface RedactFilesOptions {
  /** Files to redact, in order; empty or `-` means stdin. */
  readonly files: readonly string[];
  /** Write here instead of stdout (created 0600; refused if it is one of the inputs). */
  readonly output?: string;
  readonly redaction?: RedactionOptions;
  /** Called for every redaction (file, line, column, rule; never the value). */
  readonly onRedaction?: (event: RedactionEvent) => void;
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Ctrl-C / SIGTERM: stops reading at once (a CliError, exit 130), even from a stdin that never ends. */
  readonly signal?: AbortSignal;
}

export interface RedactFilesResult {
  readonly total: number;
  readonly byRule: readonly RuleCount[];
  /** The reader of stdout went away (`redact big.log | head -1`): output stopped there, quietly, like any Unix filter. */
  readonly outputClosed?: boolean;
}

/** A reader that went away: the pipe is broken (EPIPE) or the stream already destroyed by it. */
const isClosedOutput = (err: unknown): boolean => ['EPIPE', 'ERR_STREAM_DESTROYED'].includes((err as { code?: string }).code ?? '');

export async function redactFiles(options: RedactFilesOptions): Promise<RedactFilesResult> {
  const inputs = options.files.length ? options.files : ['-'];
  if (options.output && inputs.some((f) => f !== '-' && resolve(f) === resolve(options.output!))) {
    throw new CliError(`-o ${options.output} is also an input: redact never modifies its inputs; choose another output file`, 'E_USAGE');
  }
  const setup = await setUpRedaction(options.redaction ?? {}, options.env);
  const report = new RedactionReport();
  // `redact --pseudonymize` replaces host names, addresses and people too (its map saved next to the key).
  const redactor = setup.scanner(report, (e) => options.onRedaction?.(e), { pseudonymize: true });
  const partial = options.output ? `${options.output}.partial` : undefined;
  const out: NodeJS.WritableStream = partial ? createWriteStream(partial, { mode: 0o600 }) : options.stdout;
  // An error of the output (EPIPE when the reader left) ends the wait for 'drain', which would never come.
  const broken = new Promise<never>((_, reject) => out.once('error', reject));
  broken.catch(() => undefined);
  try {
    for (const file of inputs) {
      const name = file === '-' ? '<stdin>' : file;
      try {
        // A named input is opened without blocking and refused unless it is a regular file: a FIFO would wait forever.
        const source = file === '-' ? options.stdin : (await openInput(file, { hint: 'give a file path, or - for stdin' })).createReadStream();
        await pipeline(
          source,
          redactor.stream(name),
          async (chunks: AsyncIterable<Buffer>) => {
            for await (const chunk of chunks) {
              if (!out.write(chunk)) await Promise.race([new Promise<void>((r) => out.once('drain', () => r())), broken]);
            }
          },
          ...(options.signal ? [{ signal: options.signal }] : []),
        );
      } catch (err) {
        if (err instanceof CliError) throw err;
        if (options.signal?.aborted) throw new CliError('interrupted', 'E_INTERRUPTED');
        if (!partial && isClosedOutput(err)) return { total: report.total, byRule: report.byRule(), outputClosed: true };
        const code = (err as { code?: string }).code;
        if (code === 'ENOENT') throw new CliError(`${file}: no such file`, 'E_USAGE');
        if (code === 'EACCES') throw new CliError(`${file}: permission denied`, 'E_USAGE');
        if (code === 'EISDIR') throw new CliError(`${file}: is a directory`, 'E_USAGE');
        if ((err as Error).name === 'BinaryContentError') throw new CliError(`${file}: ${errorMessage(err)}; nothing of it was printed`, 'E_USAGE');
        throw err;
      }
    }
    await setup.pseudonyms?.save();
    if (partial && out !== options.stdout) {
      await new Promise<void>((res, rej) => {
        out.on('error', rej);
        out.end(() => res());
      });
      await rename(partial, options.output!);
    }
  } catch (err) {
    if (partial) await rm(partial, { force: true });
    throw err;
  }
  return { total: report.total, byRule: report.byRule() };
}
