// Room: cli (src/cli/) — may import every room; the only place that prints errors and calls process.exit.
/** `collect-bundle config`: the collector registry loads when it runs. */
import yargs from 'yargs';
import { applyConfig, configOf, loadConfig, maskConfigSecrets, redactForDisplay, type YargsOptionsView } from '../config/config.js';
import { EXIT } from '../core/errors.js';
import type { CliIo } from './io.js';
import { analysisOptions, collectOptions, redactionOptions, shareOptions } from './builders.js';
import { configWarning, redactionFromArgv } from './options.js';
import { settableFlags } from './settable.js';

/** `collect-bundle config [--print | --validate FILE]`. */
export async function runConfig(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const [{ builtinCollectors }, { collectorsFor }] = await Promise.all([import('../../collectors/index.js'), import('../config/registry.js')]);
  if (argv['validate'] !== undefined) {
    const file = String(argv['validate']);
    const loaded = await loadConfig({ file, builtins: builtinCollectors });
    collectorsFor(loaded, builtinCollectors); // custom collectors are checked as a run would build them
    io.stdout.write(`ok: ${loaded!.file} is a valid collect-bundle configuration\n`);
    return EXIT.complete;
  }
  // The collect options with their defaults, then the same layers a run applies (no flags here).
  const y = shareOptions(redactionOptions(analysisOptions(collectOptions(yargs([]))))).exitProcess(false);
  const options = (await y.parseAsync()) as Record<string, unknown>;
  options['config'] = argv['config'];
  const sources = await applyConfig(options, y as unknown as YargsOptionsView, {
    env: io.env,
    settable: settableFlags(),
    builtins: builtinCollectors,
    warn: configWarning(io),
  });
  const loaded = configOf(options);
  const effective: Record<string, { value: unknown; from: string }> = {};
  for (const [flag, { source, env }] of Object.entries(sources)) {
    effective[flag] = { value: options[flag], from: source === 'environment' ? env! : source === 'config' ? 'config file' : source };
  }
  const collectors = collectorsFor(loaded, builtinCollectors).map((c) => ({ name: c.name, enabled: c.defaultEnabled }));
  const file = loaded?.file ?? null;
  const why = argv['config'] === false ? 'ignored (--no-config)' : 'none found';
  // Known secrets never print in clear: values under secret keys masked, then the redactor over it all.
  const doc = { file: file ?? why, options: effective, collectors, config: loaded ? maskConfigSecrets(loaded.config) : {} };
  io.stdout.write(await redactForDisplay(`${JSON.stringify(doc, null, 2)}\n`, redactionFromArgv(options), loaded?.config, io.env));
  return EXIT.complete;
}
