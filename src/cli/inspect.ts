// Room: cli (src/cli/) — may import every room; the only place that prints errors and calls process.exit.
/** `collect-bundle inspect`: the report's inspect module loads when it runs. */
import { CliError, EXIT } from '../core/errors.js';
import { printableDeep, printableJson, printableStream } from '../core/printable.js';
import type { CliIo } from './io.js';
import { MessageRedactor } from './messages.js';

/** `collect-bundle inspect BUNDLE [--json | --file PATH]`: a bundle's summary, or one of its files. */
export async function runInspect(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const bundle = String(argv['bundle']);
  const { inspectBundle, renderInspect } = await import('../report/inspect.js');
  const { writeBundleFile } = await import('../report/inspect-file.js');
  try {
    const input = await (await import('./options.js')).bundleInput(bundle, argv);
    if (argv['file'] !== undefined) {
      if (argv['json']) throw new CliError('inspect takes --file PATH or --json, not both', 'E_USAGE');
      if (!io.stdout.isTTY) {
        await writeBundleFile(input, String(argv['file']), io.stdout); // a pipe gets the bytes as they are
        return EXIT.complete;
      }
      // A terminal gets the text with its control characters shown (a bundle file can hold OSC 52).
      const shown = printableStream();
      shown.pipe(io.stdout, { end: false });
      const drained = new Promise<void>((resolve) => shown.once('end', resolve));
      try {
        await writeBundleFile(input, String(argv['file']), shown);
      } finally {
        shown.end();
        await drained;
      }
      return EXIT.complete;
    }
    const result = await inspectBundle(input);
    // Every string in it comes from the bundle: control characters are shown, never sent.
    io.stdout.write(argv['json'] ? `${printableJson(result)}\n` : renderInspect(printableDeep(result)));
    return EXIT.complete;
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    // One line: the cause and the fix, no usage hint; redacted, since it quotes the path as typed.
    io.stderr.write(`collect-bundle: ${await new MessageRedactor().redact(err.message)}\n`);
    return err.exitCode;
  }
}
