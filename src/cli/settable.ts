// Room: cli (src/cli/) — may import every room; the only place that prints errors and calls process.exit.
/** Which flags the config layers may set for a command; needs yargs, so only the yargs path (parser.ts, config.ts) loads it. */
import yargs from 'yargs';
import { flagSpecs, type YargsOptionsView } from '../config/layers.js';
import { analysisOptions, collectOptions, redactionOptions } from './builders.js';

/**
 * The flags a config file or COLLECT_BUNDLE_* variable may set for a command: the collect, analysis
 * and redaction options for a collecting command (collect, schedule); only the redaction options for
 * the others (redact, verify). A command with neither (inspect, diff) never reads a config file.
 */
export function settableFlags(command?: YargsOptionsView): ReadonlySet<string> {
  const collecting = !command || Object.hasOwn(command.getOptions().key, 'output-dir');
  const y = collecting ? redactionOptions(analysisOptions(collectOptions(yargs([])))) : redactionOptions(yargs([]));
  return new Set(flagSpecs(y as unknown as YargsOptionsView).map((f) => f.name));
}
