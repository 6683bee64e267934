// Room: config (src/config/) — may import core, redaction, collectors (the rule: tests/architecture.test.ts).
/**
 * The layers a run's options come from: config file < environment (`COLLECT_BUNDLE_<FLAG>`) < flags.
 * The file is turned into flag values (`collectors.docker.tail` → `--tail`, src/config/collector-options.ts)
 * that fill only what the command line did not give, so every command built on the collect options
 * (`collect`, `schedule`) gets the same merge; the environment layer reads one variable per flag (and
 * per alias: old spellings keep working). Light: no zod, no registry until a config file was found.
 */
import { CliError } from '../core/errors.js';
import { envName } from '../core/options.js';
import { show } from '../core/text.js';
import type { RedactionOptions, CustomRuleSpec } from './redaction-plan.js';
import type { Config } from './schema.js';
import { loadConfig, type KnownCollector, type LoadedConfig } from './search.js';

export { ENV_PREFIX, envName } from '../core/options.js';

/** What a flag is, for reading it from the environment. */
export interface FlagSpec {
  readonly name: string;
  readonly type: 'boolean' | 'number' | 'array' | 'string';
  readonly aliases: readonly string[];
}

/** Parses `COLLECT_BUNDLE_<FLAG>` for one flag; throws a one-line CliError naming the variable. */
export function envValue(flag: FlagSpec, raw: string, name: string = envName(flag.name)): unknown {
  switch (flag.type) {
    case 'boolean': {
      const v = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
      throw new CliError(`${name}: expected true or false, got ${show(raw)}`, 'E_CONFIG');
    }
    case 'number': {
      const n = Number(raw.trim());
      if (raw.trim() === '' || !Number.isFinite(n)) throw new CliError(`${name}: expected a number, got ${show(raw)}`, 'E_CONFIG');
      return n;
    }
    case 'array':
      // As if the flag were given once with this value (commas split lists where the flag does).
      return [raw];
    default:
      return raw;
  }
}

/** Where an option's value came from, for `config --print`. */
export type OptionSource = 'flag' | 'environment' | 'config' | 'default';

/**
 * Fills the options the command line did not give, from the environment, else from the config file.
 * Mutates `argv` (yargs' parsed arguments: every flag under its name, camelCase name and aliases).
 * Returns each option's source.
 */
export function applyLayers(
  argv: Record<string, unknown>,
  flags: readonly FlagSpec[],
  given: (flag: string) => boolean,
  fileValues: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
): Record<string, { source: OptionSource; env?: string }> {
  const sources: Record<string, { source: OptionSource; env?: string }> = {};
  for (const flag of flags) {
    if (given(flag.name)) {
      sources[flag.name] = { source: 'flag' };
      continue;
    }
    // The flag's own variable, else an alias's (COLLECT_BUNDLE_DJANGO_DIR; a one-letter alias has none).
    const variable = [flag.name, ...flag.aliases.filter((a) => a.length > 1)].map(envName).find((n) => env[n] !== undefined);
    const raw = variable === undefined ? undefined : env[variable];
    let value: unknown;
    if (variable !== undefined && raw !== undefined) {
      value = envValue(flag, raw, variable);
      sources[flag.name] = { source: 'environment', env: variable };
    } else if (Object.hasOwn(fileValues, flag.name)) {
      value = fileValues[flag.name];
      sources[flag.name] = { source: 'config' };
    } else {
      if (argv[flag.name] !== undefined) sources[flag.name] = { source: 'default' };
      continue;
    }
    for (const key of new Set([flag.name, camel(flag.name), ...flag.aliases])) argv[key] = value;
  }
  return sources;
}

const camel = (s: string): string => s.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/** Config redaction settings added to the run's (lists add up: a flag never drops a rule from the file). */
export function mergeRedaction(config: Config | undefined, base: RedactionOptions): RedactionOptions {
  const r = config?.redaction;
  if (!r) return base;
  const rules: CustomRuleSpec[] = (r.rules ?? []).map((x) =>
    typeof x === 'string' ? { pattern: x } : { pattern: x.pattern, ...(x.id ? { id: x.id } : {}), ...(x.description ? { description: x.description } : {}) },
  );
  return {
    ...base,
    rules: [...rules, ...(base.rules ?? [])],
    literals: [...(r.literals ?? []), ...(base.literals ?? [])],
    literalFiles: [...(r.literalsFiles ?? []), ...(base.literalFiles ?? [])],
    secretKeys: [...(r.secretKeys ?? []), ...(base.secretKeys ?? [])],
    allow: [...(r.allow ?? []), ...(base.allow ?? [])],
  };
}

// ---------------------------------------------------------------------------------------------
// The command line's side: yargs middleware

/** Where the loaded config rides on yargs' argv (non-enumerable), from the middleware to the command. */
const ARGV_KEY = '$collectBundleConfig';

/** The config the middleware loaded for this command line, if any. */
export function configOf(argv: Record<string, unknown>): LoadedConfig | undefined {
  return argv[ARGV_KEY] as LoadedConfig | undefined;
}

/** Where each option's sources ride on yargs' argv (non-enumerable). */
const SOURCES_KEY = '$collectBundleSources';

/** Where each option of this command line came from (flag, environment, config, default); {} before the middleware ran. */
export function sourcesOf(argv: Record<string, unknown>): Readonly<Record<string, { source: OptionSource; env?: string }>> {
  return (argv[SOURCES_KEY] as Record<string, { source: OptionSource; env?: string }> | undefined) ?? {};
}

/** The flags the user typed on this command line (not filled from the environment, a config file or a default). */
export function typedFlags(argv: Record<string, unknown>): Set<string> {
  return new Set(
    Object.entries(sourcesOf(argv))
      .filter(([, s]) => s.source === 'flag')
      .map(([flag]) => flag),
  );
}

/** The parts of a yargs instance the middleware reads (yargs' own typings do not declare them). */
export interface YargsOptionsView {
  getOptions(): { key: Record<string, unknown>; alias: Record<string, string[]>; boolean: string[]; number: string[]; array: string[] };
  readonly parsed?: false | { readonly defaulted?: Record<string, boolean> };
}

/** The flags (names, types, aliases) a yargs instance declares, aliases excluded. */
export function flagSpecs(y: YargsOptionsView, only?: ReadonlySet<string>): FlagSpec[] {
  const o = y.getOptions();
  const aliasOf = new Set(Object.values(o.alias).flat());
  // Ways to run the command once, not settings: no config key, no COLLECT_BUNDLE_* variable.
  const skip = new Set(['help', 'version', 'config', 'list-collectors', 'dry-run', 'review', 'yes', '$0', '_']);
  return Object.keys(o.key)
    .filter((k) => !aliasOf.has(k) && !skip.has(k) && (!only || only.has(k)))
    .map((name) => ({
      name,
      type: o.boolean.includes(name) ? 'boolean' : o.number.includes(name) ? 'number' : o.array.includes(name) ? 'array' : 'string',
      aliases: o.alias[name] ?? [],
    }));
}

export interface ApplyConfigOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Flags the layers may set (the collect and redaction options); others are left alone. */
  readonly settable: ReadonlySet<string>;
  readonly builtins: readonly KnownCollector[] | (() => Promise<readonly KnownCollector[]>);
  readonly cwd?: string;
  /** Told (one line) about a discovered config file skipped as unsafe. */
  readonly warn?: (message: string) => void | Promise<void>;
}

/**
 * yargs middleware: loads the config (`--config FILE`, `--no-config`, `COLLECT_BUNDLE_CONFIG`, else a
 * search from the current directory up), then fills every settable option the command line did not
 * give from the environment, else from the file. A command without settable options is left alone.
 */
export async function applyConfig(
  argv: Record<string, unknown>,
  y: YargsOptionsView,
  options: ApplyConfigOptions,
): Promise<Record<string, { source: OptionSource; env?: string }>> {
  const flags = flagSpecs(y, options.settable);
  if (flags.length === 0) return {};
  const chosen = argv['config'] ?? options.env[envName('config')];
  const off = chosen === false || (typeof chosen === 'string' && ['false', '0', 'no', 'off'].includes(chosen.trim().toLowerCase()));
  if (typeof chosen === 'string' && chosen.trim() === '' && argv['config'] !== undefined)
    throw new CliError('--config needs a file name (or use --no-config)', 'E_USAGE');
  const loaded = off
    ? undefined
    : await loadConfig({
        ...(typeof chosen === 'string' && chosen.trim() ? { file: chosen } : {}),
        ...(options.cwd ? { cwd: options.cwd } : {}),
        ...(options.warn ? { warn: options.warn } : {}),
        builtins: options.builtins,
      });
  const defaulted = (y.parsed !== false && y.parsed?.defaulted) || {};
  const given = (flag: string): boolean => Object.hasOwn(argv, flag) && !defaulted[flag];
  // The file's values as flag values need the registry's declarations: loaded only when a file was found.
  const fileValues = loaded ? (await import('./collector-options.js')).configFlagValues(loaded.config) : {};
  const sources = applyLayers(argv, flags, given, fileValues, options.env);
  Object.defineProperty(argv, ARGV_KEY, { value: loaded, enumerable: false, configurable: true });
  Object.defineProperty(argv, SOURCES_KEY, { value: sources, enumerable: false, configurable: true });
  return sources;
}
