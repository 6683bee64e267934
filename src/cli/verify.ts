// Room: cli (src/cli/) — may import every room; the only place that prints errors and calls process.exit.
/** `collect-bundle verify`: the bundle reader and the redactor load when it runs; never the Docker client, the collectors or the analyzers. */
import { EXIT } from '../core/errors.js';
import { printable, printableJson } from '../core/printable.js';
import type { CliIo } from './io.js';
import { bundleInput, redactionFromArgv, requireReadable } from './options.js';

/** `collect-bundle verify BUNDLE`: exit 0 clean, 1 problems found. */
export async function runVerify(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const bundle = String(argv['bundle']);
  await requireReadable(bundle);
  const input = await bundleInput(bundle, argv);
  const [{ setUpRedaction }, { verifyBundle }] = await Promise.all([import('../config/redaction-plan.js'), import('../bundle/verify.js')]);
  // verify judges secrets only: no pseudonym map is needed (or read).
  const setup = await setUpRedaction({ ...redactionFromArgv(argv), pseudonymize: false }, io.env);
  const result = await verifyBundle(input, { scanner: setup.scanner });
  // Entry names and messages come from the bundle: control characters are shown, never sent.
  if (argv['json']) io.stdout.write(`${printableJson(result)}\n`);
  else {
    for (const p of result.problems) io.stdout.write(`${printable(p.file)}${p.line ? `:${p.line}` : ''}: ${p.kind}: ${printable(p.message)}\n`);
    io.stdout.write(
      result.ok
        ? `ok: ${result.entries} entries verified, checksums match, no unredacted secret found\n`
        : `${result.problems.length} problem${result.problems.length === 1 ? '' : 's'} found in ${printable(bundle)}\n`,
    );
  }
  return result.ok ? EXIT.complete : EXIT.fatal;
}
