// Room: cli (src/cli/) — may import every room; the only place that prints errors and calls process.exit.
/**
 * The start-up fast path: `--version` and the plain `redact` command lines, parsed without yargs (whose
 * import alone is about 0.2 s CPU, more than everything else `redact` of an empty file needs).
 *
 * Conservative by design: it takes a command line only when it is sure yargs would read it the same way,
 * and answers undefined for anything else (an unknown or camelCase flag, `--help`, `--`, a missing or
 * dash-led value, a non-repeatable flag given twice, `--flag=value` of a boolean, options before the
 * command...). Those go to yargs (parser.ts), so every error, message and exit code stays yargs' own.
 * tests/cli/fast-path.test.ts checks that whatever the fast path takes, yargs parses to the same argv.
 */
import type { YargsOptionsView } from '../config/layers.js';
import { type FlagDecl, REDACT_COMMAND_FLAGS, REDACTION_FLAGS } from './builders.js';

/** A command line the fast path takes. */
export type FastCommand =
  | { readonly kind: 'version' }
  | {
      readonly kind: 'redact';
      /** The parsed arguments in yargs' shape: every flag under its name, camelCase name and alias; `files`. */
      readonly argv: Record<string, unknown>;
      /** What the config middleware reads of a yargs instance, for the same `applyConfig` call. */
      readonly view: YargsOptionsView;
      /** The flags the config layers may set for `redact`: the redaction options. */
      readonly settable: ReadonlySet<string>;
    };

const camel = (s: string): string => s.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/** `--config` is global: a file name, or `--no-config`. */
const CONFIG_FLAG: FlagDecl = { name: 'config', type: 'string', describe: '' };

/** The redact command line as yargs would parse it, or undefined when only yargs can say. */
export function fastCommand(args: readonly string[]): FastCommand | undefined {
  if (args.length === 1 && args[0] === '--version') return { kind: 'version' };
  if (args[0] !== 'redact') return undefined;
  const flags = [...REDACTION_FLAGS, ...REDACT_COMMAND_FLAGS, CONFIG_FLAG];
  const byName = new Map<string, FlagDecl>();
  for (const f of flags) {
    byName.set(f.name, f);
    if (f.alias) byName.set(f.alias, f);
  }
  const values = new Map<string, unknown>();
  const files: string[] = [];
  for (let i = 1; i < args.length; i++) {
    const arg = args[i]!;
    // yargs drops a lone `-` from the positionals (`redact a - b` reads a and b; `redact -` reads stdin, as no file does).
    if (arg === '-') continue;
    if (!arg.startsWith('-')) {
      files.push(arg);
      continue;
    }
    const long = /^--([a-z][a-z-]*[a-z])(?:=(.*))?$/s.exec(arg);
    const short = /^-([a-z])$/.exec(arg);
    let name = long?.[1] ?? short?.[1];
    const inline = long?.[2];
    if (name === undefined) return undefined;
    let negated = false;
    if (!byName.has(name) && name.startsWith('no-') && inline === undefined) {
      name = name.slice(3);
      negated = true;
    }
    const flag = byName.get(name);
    if (!flag || (short && flag.alias !== name)) return undefined;
    if (flag.type === 'boolean') {
      // `--explain=false` and `--explain false` are yargs' to read.
      if (inline !== undefined || args[i + 1] === 'true' || args[i + 1] === 'false') return undefined;
      if (values.has(flag.name)) return undefined;
      values.set(flag.name, !negated);
      continue;
    }
    if (negated) {
      // Only `--no-config` is a string flag's negation that means something (no config file).
      if (flag !== CONFIG_FLAG || values.has(flag.name)) return undefined;
      values.set(flag.name, false);
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined || value === '' || value.startsWith('-')) return undefined;
    if (flag.array) values.set(flag.name, [...((values.get(flag.name) as string[] | undefined) ?? []), value]);
    else if (values.has(flag.name)) return undefined;
    else values.set(flag.name, value);
  }
  const argv: Record<string, unknown> = { _: ['redact'] };
  const defaulted: Record<string, boolean> = { files: true };
  for (const f of flags) {
    const given = values.has(f.name);
    if (!given && f.default === undefined) continue;
    if (!given) defaulted[f.name] = true;
    const value = given ? values.get(f.name) : f.default;
    for (const key of new Set([f.name, camel(f.name), ...(f.alias ? [f.alias] : [])])) argv[key] = value;
  }
  argv['files'] = files;
  argv['$0'] = 'collect-bundle';
  const all = [...flags];
  const view: YargsOptionsView = {
    getOptions: () => ({
      key: Object.fromEntries(all.map((f) => [f.name, true])),
      alias: Object.fromEntries(all.filter((f) => f.alias).map((f) => [f.name, [f.alias!]])),
      boolean: all.filter((f) => f.type === 'boolean').map((f) => f.name),
      number: [],
      array: all.filter((f) => f.array).map((f) => f.name),
    }),
    parsed: { defaulted },
  };
  return { kind: 'redact', argv, view, settable: new Set(REDACTION_FLAGS.map((f) => f.name)) };
}
