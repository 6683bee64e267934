// Room: cli (src/cli/) — may import every room; the only place that prints errors and calls process.exit.
/** `collect-bundle redact`: the redaction pipeline loads when it runs; never the Docker client, the collectors or the analyzers. */
import type { RedactionEvent } from '../../redaction/redactor.js';
import { EXIT } from '../core/errors.js';
import type { CliIo } from './io.js';
import { redactionFromArgv } from './options.js';

/** `collect-bundle redact`: files or stdin, redacted, to stdout or -o FILE. */
export async function runRedact(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const files = ([] as unknown[]).concat(argv['files'] ?? []).map(String);
  const explain = Boolean(argv['explain']);
  const { redactFiles } = await import('../run/redact-files.js');
  const result = await redactFiles({
    files,
    ...(argv['output'] ? { output: String(argv['output']) } : {}),
    redaction: redactionFromArgv(argv),
    ...(explain ? { onRedaction: (e: RedactionEvent) => void io.stderr.write(`${e.file}:${e.line}:${e.column}: ${e.rule}\n`) } : {}),
    stdin: io.stdin ?? process.stdin,
    stdout: io.stdout,
    env: io.env,
    signal: io.signal,
  });
  // `redact big.log | head -1`: the reader has what it wanted; end quietly with 0, like other filters.
  if (result.outputClosed) return EXIT.complete;
  if (explain || argv['output']) {
    const byRule = result.byRule.map(({ rule, count }) => `${rule} ${count}`).join(', ');
    io.stderr.write(`collect-bundle: ${result.total} redaction${result.total === 1 ? '' : 's'}${byRule ? ` (${byRule})` : ''}\n`);
  }
  return EXIT.complete;
}
