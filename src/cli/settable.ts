// Room: cli (src/cli/) — may import every room; the only place that prints errors and calls process.exit.
/** Which flags the config layers may set for a command; needs yargs, so only the yargs path (parser.ts, config.ts) loads it. */
import yargs from 'yargs';
import { flagSpecs, type YargsOptionsView } from '../config/layers.js';
import { analysisOptions, collectOptions, redactionOptions, shareOptions, uploadOptions } from './builders.js';

/**
 * The flags a config file or COLLECT_BUNDLE_* variable may set for a command: the collect, analysis
 * and redaction options for a collecting command (collect, schedule); only the redaction options for
 * the others (redact, verify). A command with neither (inspect, diff) never reads a config file.
 */
export function settableFlags(command?: YargsOptionsView): ReadonlySet<string> {
  const keys = command?.getOptions().key;
  const collecting = !keys || Object.hasOwn(keys, 'output-dir');
  // The upload command reads its upload options from a config too (`upload.*`).
  if (keys && !collecting && Object.hasOwn(keys, 'upload-field'))
    return new Set(flagSpecs(uploadOptions(yargs([])) as unknown as YargsOptionsView).map((f) => f.name));
  const y = collecting ? shareOptions(redactionOptions(analysisOptions(collectOptions(yargs([]))))) : redactionOptions(yargs([]));
  return new Set(flagSpecs(y as unknown as YargsOptionsView).map((f) => f.name));
}
