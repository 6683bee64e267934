// Room: cli (src/cli/) — may import every room; the only place that prints errors and calls process.exit.
/** `collect-bundle diff`: the report's diff module loads when it runs. */
import { writeFile } from 'node:fs/promises';
import { errorMessage } from '../core/artifacts.js';
import { CliError } from '../core/errors.js';
import { printableDeep, printableJson } from '../core/printable.js';
import type { CliIo } from './io.js';
import { MessageRedactor } from './messages.js';

/** `collect-bundle diff OLD NEW | --latest DIR`: exit 0 same, 1 differences, 2 trouble (like diff(1)). */
export async function runDiff(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const files = [argv['old'], argv['new']].filter((v) => v !== undefined).map(String);
  try {
    const { diffBundles, diffLatest, renderDiff } = await import('../report/diff.js');
    const latest = argv['latest'] === undefined ? undefined : String(argv['latest']);
    if (latest !== undefined && files.length) throw new CliError('diff takes either OLD NEW or --latest DIR, not both', 'E_USAGE');
    if (latest === undefined && files.length !== 2) throw new CliError('diff needs two bundles (OLD NEW) or --latest DIR', 'E_USAGE');
    const { bundleInput } = await import('./options.js');
    const open = argv['identity'] === undefined ? undefined : (file: string) => bundleInput(file, argv);
    const result =
      latest !== undefined ? await diffLatest(latest, open) : await diffBundles(await bundleInput(files[0]!, argv), await bundleInput(files[1]!, argv));
    // Names, ids and titles come from the bundles: control characters are shown, never sent.
    if (argv['html'] !== undefined) {
      const { renderDiffHtml } = await import('../report/html/diff-page.js');
      const file = String(argv['html']);
      try {
        await writeFile(file, renderDiffHtml(result), { mode: 0o600 });
      } catch (err) {
        throw new CliError(`${file}: cannot write the HTML page (${errorMessage(err)}); pass a writable --html path`, 'E_USAGE');
      }
    }
    io.stdout.write(argv['json'] ? `${printableJson(result)}\n` : renderDiff(printableDeep(result)));
    return result.differences ? 1 : 0;
  } catch (err) {
    // Any trouble is 2 here, never EXIT.fatal (1): 1 means "differences found", as with diff(1).
    const message = err instanceof CliError ? err.message : `internal error: ${errorMessage(err)}`;
    io.stderr.write(`collect-bundle: ${await new MessageRedactor().redact(message)}\n`); // it quotes paths as typed
    return DIFF_TROUBLE;
  }
}

/** `diff`'s exit code for a bundle it cannot read or a wrong command line. */
export const DIFF_TROUBLE = 2;
