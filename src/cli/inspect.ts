// Room: cli (src/cli/) — may import every room; the only place that prints errors and calls process.exit.
/** `collect-bundle inspect`: the report's inspect module loads when it runs. */
import { CliError, EXIT } from '../core/errors.js';
import type { CliIo } from './io.js';
import { MessageRedactor } from './messages.js';

/** `collect-bundle inspect BUNDLE [--json | --file PATH]`: a bundle's summary, or one of its files. */
export async function runInspect(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const bundle = String(argv['bundle']);
  const { inspectBundle, renderInspect } = await import('../report/inspect.js');
  const { writeBundleFile } = await import('../report/inspect-file.js');
  try {
    if (argv['file'] !== undefined) {
      if (argv['json']) throw new CliError('inspect takes --file PATH or --json, not both', 'E_USAGE');
      await writeBundleFile(bundle, String(argv['file']), io.stdout);
      return EXIT.complete;
    }
    const result = await inspectBundle(bundle);
    io.stdout.write(argv['json'] ? `${JSON.stringify(result, null, 2)}\n` : renderInspect(result));
    return EXIT.complete;
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    // One line: the cause and the fix, no usage hint; redacted, since it quotes the path as typed.
    io.stderr.write(`collect-bundle: ${await new MessageRedactor().redact(err.message)}\n`);
    return err.exitCode;
  }
}
