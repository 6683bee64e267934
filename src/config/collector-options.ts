// Room: config (src/config/) — may import core, redaction, collectors (the rule: tests/architecture.test.ts).
/**
 * Everything generated from the collectors' option declarations (src/core/options.ts), read from the
 * registry (collectors/index.ts): the `collectors.<name>` part of the config schema, a config file's
 * values as flag values (the lowest layer), the options a parsed command line gives each collector,
 * the flag table the CLI builds its flags from (src/cli/collector-flags.ts) and docs/collectors.md's tables.
 * An option is declared once, in its collector; nothing here names one.
 */
import { builtinCollectors } from '../../collectors/index.js';
import { CliError } from '../core/errors.js';
import { optionSpecs, parseOptionValue, type OptionSpec } from '../core/options.js';
import type { Collector } from '../core/types.js';
import type { Config } from './schema.js';

/** Every user-settable option of every built-in collector, in registry order. */
export const BUILTIN_OPTION_SPECS: readonly OptionSpec[] = Object.freeze(builtinCollectors.flatMap((c) => optionSpecs(c)));

/** The config's run settings that have a flag: config key path → flag. */
export const RUN_FLAGS: ReadonlyArray<readonly [readonly string[], string]> = [
  [['outputDir'], 'output-dir'],
  [['only'], 'only'],
  [['skip'], 'skip'],
  [['timeout'], 'timeout'],
  [['deadline'], 'deadline'],
  [['maxSize'], 'max-size'],
  [['concurrency'], 'concurrency'],
  [['label'], 'label'],
  [['title'], 'title'],
  [['description'], 'description'],
  [['docsUrl'], 'docs-url'],
  [['json'], 'json'],
  [['quiet'], 'quiet'],
  [['verbose'], 'verbose'],
  [['profile'], 'profile'],
  [['envFiles'], 'env-file'],
  [['failOn'], 'fail-on'],
  [['pendingThreshold'], 'pending-threshold'],
  [['issueOnly'], 'issue-only'],
  [['analyze'], 'analyze'],
  [['docker', 'hosts'], 'docker-host'],
  [['docker', 'tls'], 'tls'],
  [['docker', 'tlsverify'], 'tlsverify'],
  [['docker', 'tlscacert'], 'tlscacert'],
  [['docker', 'tlscert'], 'tlscert'],
  [['docker', 'tlskey'], 'tlskey'],
  [['redaction', 'keyFile'], 'redaction-key-file'],
  [['redaction', 'stableTokens'], 'stable-tokens'],
  [['encryptTo'], 'encrypt-to'],
  [['encryptToFile'], 'encrypt-to-file'],
  [['upload', 'to'], 'upload'],
  [['upload', 'field'], 'upload-field'],
  [['upload', 'tokenEnv'], 'upload-token-env'],
  [['upload', 'tokenFile'], 'upload-token-file'],
  [['upload', 'knownHosts'], 'upload-known-hosts'],
  [['upload', 's3Endpoint'], 's3-endpoint'],
  // Not `upload.yes`: `--yes` is never filled from a file (it also answers --review's question); the
  // upload step reads `upload.yes` itself, for its own question only (src/cli/upload.ts).
  [['redaction', 'pseudonymize'], 'pseudonymize'],
];

const at = (o: unknown, path: readonly string[]): unknown =>
  path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);

/** A config value as the flag would carry it: a string flag gets text (`maxLogBytes: 1024` → "1024"). */
const asFlagValue = (spec: OptionSpec, v: unknown): unknown => (spec.type === 'string' && typeof v !== 'string' ? String(v) : v);

/** The config's values for command-line flags, by flag name (the lowest layer): the run's settings and every collector option. */
export function configFlagValues(config: Config, specs: readonly OptionSpec[] = BUILTIN_OPTION_SPECS): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, flag] of RUN_FLAGS) {
    const v = at(config, path);
    if (v !== undefined) out[flag] = v;
  }
  const collectors = (config.collectors ?? {}) as Record<string, unknown>;
  for (const spec of specs) {
    const values = collectors[spec.collector];
    if (typeof values !== 'object' || values === null) continue;
    // The option's key, else an old spelling of it (`dir` for `djangoDir`).
    const v = [spec.key, ...spec.configAliases].map((k) => (values as Record<string, unknown>)[k]).find((x) => x !== undefined);
    if (v !== undefined) out[spec.flag] = asFlagValue(spec, v);
  }
  return out;
}

/**
 * The config's options objects, by collector, for a library caller or a collector no flag covers (a
 * plugin's); under the flags' values, which already carry the file's (the same values, checked again).
 */
export function configCollectorOptions(config: Config, specs: readonly OptionSpec[] = BUILTIN_OPTION_SPECS): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, value] of Object.entries(config.collectors ?? {})) {
    if (typeof value !== 'object' || value === null || !Object.keys(value).length) continue;
    const values: Record<string, unknown> = { ...value };
    // An old spelling reaches the collector under the option's key.
    for (const spec of specs.filter((s) => s.collector === name)) {
      for (const alias of spec.configAliases) {
        if (values[alias] !== undefined && values[spec.key] === undefined) values[spec.key] = values[alias];
        delete values[alias];
      }
    }
    out[name] = values;
  }
  return out;
}

/**
 * Each collector's options from a parsed command line (flags, with the environment and the config
 * file already layered in): only the options that were set, checked against their schema. Throws a
 * CliError (exit 2) naming the flag.
 */
export function collectorOptionsFromArgv(
  argv: Readonly<Record<string, unknown>>,
  collectors: readonly Pick<Collector, 'name' | 'options'>[] = builtinCollectors,
): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const c of collectors) {
    for (const spec of optionSpecs(c)) {
      const raw = argv[spec.flag];
      if (raw === undefined) continue;
      let value: unknown;
      try {
        value = parseOptionValue(spec, raw);
      } catch (err) {
        throw new CliError(err instanceof Error ? err.message : String(err), 'E_USAGE');
      }
      (out[c.name] ??= {})[spec.key] = value;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Generated text: the CLI's flag table and docs/collectors.md's tables

/** How an option's default reads in help and docs, or undefined when it has none worth saying. */
export function defaultText(spec: Pick<OptionSpec, 'default' | 'defaultText'>): string | undefined {
  if (spec.defaultText !== undefined) return spec.defaultText;
  const d = spec.default;
  if (d === undefined || (Array.isArray(d) && d.length === 0)) return undefined;
  return Array.isArray(d) ? d.join(', ') : String(d);
}

/** One flag of the generated table src/cli/collector-flags.ts. */
export interface CollectorFlag {
  readonly collector: string;
  readonly key: string;
  readonly flag: string;
  readonly aliases: readonly string[];
  readonly type: OptionSpec['type'];
  readonly describe: string;
}

/** The flags of every declared collector option, help text with the default. */
export function collectorFlags(specs: readonly OptionSpec[] = BUILTIN_OPTION_SPECS): CollectorFlag[] {
  return specs.map((s) => {
    const d = defaultText(s);
    return {
      collector: s.collector,
      key: s.key,
      flag: s.flag,
      aliases: s.aliases,
      type: s.type,
      describe: `${s.describe}${d !== undefined ? ` (default: ${d})` : ''}`,
    };
  });
}

/** src/cli/collector-flags.ts as `npm run docs:options` writes it (a test fails when the committed file differs). */
export function collectorFlagsSource(specs: readonly OptionSpec[] = BUILTIN_OPTION_SPECS): string {
  const rows = collectorFlags(specs).map((f) => `  ${JSON.stringify(f)},`);
  return [
    '// Room: cli (src/cli/) — may import every room; the only place that prints errors and calls process.exit.',
    "// Generated by `npm run docs:options` from the collectors' option declarations (collectors/index.ts):",
    '// edit the declaration in the collector, not this file. tests/config/options.test.ts fails when it is stale.',
    '// Plain data, so `--help` builds the flags without loading zod or the collectors.',
    "import type { CollectorFlag } from '../config/collector-options.js';",
    '',
    '/** Every declared option of every built-in collector, as a flag, in registry order. */',
    'export const COLLECTOR_FLAGS: readonly CollectorFlag[] = [',
    ...rows,
    '];',
    '',
  ].join('\n');
}

const code = (s: string): string => `\`${s}\``;

/** docs/collectors.md's collector option tables (between the collector-options markers). */
export function optionTablesMarkdown(specs: readonly OptionSpec[] = BUILTIN_OPTION_SPECS): string {
  const out: string[] = [];
  for (const name of [...new Set(specs.map((s) => s.collector))]) {
    out.push('', `**${name}**`, '', '| config key | flag | environment | default | what it sets |', '|---|---|---|---|---|');
    for (const s of specs.filter((x) => x.collector === name)) {
      const flags = [s.flag, ...s.aliases].map((f) => code(`--${f}`)).join(', ');
      const keys = [s.key, ...s.configAliases].map((k) => code(`collectors.${name}.${k}`)).join(', ');
      const d = defaultText(s);
      out.push(`| ${keys} | ${flags} | ${code(s.env)} | ${d === undefined ? '' : d.replace(/\|/g, '\\|')} | ${s.describe.replace(/\|/g, '\\|')} |`);
    }
  }
  return `${out.join('\n').trimStart()}\n`;
}

/** The markers around the generated option tables in docs/collectors.md. */
export const OPTION_TABLE_MARKERS = { start: '<!-- collector-options:start -->', end: '<!-- collector-options:end -->' } as const;
/** The markers around the generated list of collectors in docs/collectors.md. */
export const COLLECTOR_LIST_MARKERS = { start: '<!-- collector-list:start -->', end: '<!-- collector-list:end -->' } as const;

/** The list of collectors (what `--list-collectors` prints), as a table. */
export function collectorListMarkdown(collectors: readonly Pick<Collector, 'name' | 'description' | 'defaultEnabled'>[] = builtinCollectors): string {
  const rows = collectors.map((c) => `| ${code(c.name)} | ${c.defaultEnabled ? 'on' : 'off'} | ${c.description.replace(/\|/g, '\\|')} |`);
  return ['| name | default | what it gathers |', '|---|---|---|', ...rows, ''].join('\n');
}

/** `text` with what lies between `markers` replaced by `body` (unchanged when it has no markers). */
function replaceBetween(text: string, markers: { start: string; end: string }, body: string): string {
  const a = text.indexOf(markers.start);
  const b = text.indexOf(markers.end);
  if (a === -1 || b === -1 || b < a) return text;
  return `${text.slice(0, a)}${markers.start}\n${body}${text.slice(b)}`;
}

/** docs/collectors.md with its collector list and option tables replaced by the generated ones. */
export function withOptionTables(doc: string, specs: readonly OptionSpec[] = BUILTIN_OPTION_SPECS): string {
  const note = "<!-- Generated from the collectors' option declarations by `npm run docs:options`; edit the collector, not this table. -->";
  const listNote = "<!-- Generated from the collector registry (collectors/index.ts) by `npm run docs:options`; edit the collector's description. -->";
  const listed = replaceBetween(doc, COLLECTOR_LIST_MARKERS, `${listNote}\n${collectorListMarkdown()}`);
  return replaceBetween(listed, OPTION_TABLE_MARKERS, `${note}\n${optionTablesMarkdown(specs)}`);
}
