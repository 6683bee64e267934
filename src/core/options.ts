// Room: core (src/core/) — imports nothing of ours (the rule: tests/architecture.test.ts).
/**
 * A collector's options, declared once in its own module: each option is a zod schema (what a value
 * must be) with a default, a one-line description and how users reach it — its flag (name and
 * aliases), its `COLLECT_BUNDLE_*` variable and its `collectors.<name>.<key>` config key. The config
 * schema, the JSON Schema, the environment layer, the yargs flags and the docs tables are generated
 * from these declarations (src/config/collector-options.ts, scripts/gen-options.mjs).
 *
 * Names come from the option's key: `djangoDir` of `django` is `collectors.django.djangoDir`, the flag
 * `--django-dir` (declared: it reads better than `--django-django-dir`) and `COLLECT_BUNDLE_DJANGO_DIR`
 * (the flag's name, as for every flag). An option without a declared flag gets `--<collector>-<key>`.
 *
 * zod is only a type here: declaring options loads nothing, so `--help` stays cheap.
 */
import type { z } from 'zod';

/** How a flag is typed on the command line (and how its environment variable is read). */
export type FlagType = 'string' | 'number' | 'boolean' | 'array';

/** What an option says about itself besides its schema. */
export interface OptionMeta {
  /** One line: the flag's help, the config key's JSON Schema description, the docs tables. */
  readonly describe: string;
  /** The flag, without dashes; default `<collector>-<kebab-case key>`. */
  readonly flag?: string;
  /** Other names of the flag (old spellings keep working; their environment variables too). */
  readonly aliases?: readonly string[];
  /** How the flag is typed (default `string`). */
  readonly type?: FlagType;
  /** Older config keys read as this option (`dir` for the django collector's `djangoDir`). */
  readonly configAliases?: readonly string[];
  /** How the default reads in help and docs when it is not the value itself ("the current directory"). */
  readonly defaultText?: string;
  /**
   * Turns a flag or environment value (a trimmed string, or a list for an array flag) into what the
   * schema takes; throws an Error saying what is wrong. Default: strings as typed, lists split on commas.
   */
  readonly fromCli?: (value: unknown) => unknown;
  /** A path: relative ones in a config file are relative to the file's folder. */
  readonly path?: boolean;
  /** Set by the program, never by a user: no flag, variable or config key (`cwd`, `until`). */
  readonly internal?: boolean;
}

/** One declared option: its schema, its default (when it has one) and its metadata. */
export interface OptionDecl<S extends z.ZodType = z.ZodType, HasDefault extends boolean = boolean> extends OptionMeta {
  readonly schema: S;
  readonly default?: z.output<S>;
  /** Type-level only: whether the value is always there (it has a default). */
  readonly hasDefault?: HasDefault;
}

/** A collector's option declarations, by key, in the order help and docs list them. */
export type OptionDecls = Readonly<Record<string, OptionDecl>>;

/** An option with a default: its value is always set. */
export function option<S extends z.ZodType>(schema: S, meta: OptionMeta & { readonly default: z.output<S> }): OptionDecl<S, true>;
/** An option without a default: unset unless a user sets it. */
export function option<S extends z.ZodType>(schema: S, meta: OptionMeta & { readonly default?: undefined }): OptionDecl<S, false>;
export function option<S extends z.ZodType>(schema: S, meta: OptionMeta & { readonly default?: unknown }): OptionDecl<S> {
  return Object.freeze({ ...meta, schema }) as OptionDecl<S>;
}

/** Declares a collector's options (checked here: a flag needs a type its default fits). */
export function defineOptions<D extends OptionDecls>(decls: D): D {
  for (const [key, d] of Object.entries(decls)) {
    if (d.default === undefined) continue;
    const type = d.type ?? 'string';
    const fits = Array.isArray(d.default)
      ? type === 'array'
      : typeof d.default === 'boolean'
        ? type === 'boolean'
        : typeof d.default === 'number'
          ? type === 'number' || type === 'string'
          : true;
    if (!fits && !d.internal) throw new Error(`option ${key}: a ${type} flag cannot carry the default ${JSON.stringify(d.default)}`);
  }
  return Object.freeze(decls);
}

type Value<T> = T extends OptionDecl<infer S, boolean> ? z.output<S> : never;
type KeysWithDefault<D> = { [K in keyof D]: D[K] extends OptionDecl<z.ZodType, true> ? K : never }[keyof D];

/** The values a collector's `ctx.options` holds, typed from its declarations: options with a default are always set. */
export type OptionValues<D extends OptionDecls> = { readonly [K in KeysWithDefault<D>]: Value<D[K]> } & {
  readonly [K in Exclude<keyof D, KeysWithDefault<D>>]?: Value<D[K]>;
};

/** The defaults of declared options (only those that have one), frozen. */
export function defaultsOf<D extends OptionDecls>(decls: D): OptionValues<D> {
  const out: Record<string, unknown> = {};
  for (const [key, d] of Object.entries(decls)) if (d.default !== undefined) out[key] = Array.isArray(d.default) ? Object.freeze([...d.default]) : d.default;
  return Object.freeze(out) as OptionValues<D>;
}

/** `maxLogBytes` → `max-log-bytes`. */
export const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Prefix of the environment variables that set options: `COLLECT_BUNDLE_OUTPUT_DIR` is `--output-dir`. */
export const ENV_PREFIX = 'COLLECT_BUNDLE_';

/** The environment variable for a flag: `output-dir` → `COLLECT_BUNDLE_OUTPUT_DIR`. */
export const envName = (flag: string): string => `${ENV_PREFIX}${flag.toUpperCase().replace(/-/g, '_')}`;

/** One option of one collector with every name resolved: what the generators and the layers read. */
export interface OptionSpec {
  readonly collector: string;
  readonly key: string;
  readonly flag: string;
  readonly aliases: readonly string[];
  readonly type: FlagType;
  /** `COLLECT_BUNDLE_<FLAG>`; the aliases' variables are read too. */
  readonly env: string;
  /** `collectors.<collector>.<key>`. */
  readonly configKey: string;
  readonly configAliases: readonly string[];
  readonly describe: string;
  readonly default: unknown;
  readonly defaultText?: string;
  readonly path: boolean;
  readonly decl: OptionDecl;
}

/** Every user-settable option a collector declares, names resolved (internal options left out). */
export function optionSpecs(collector: { readonly name: string; readonly options?: OptionDecls }): OptionSpec[] {
  return Object.entries(collector.options ?? {})
    .filter(([, d]) => !d.internal)
    .map(([key, d]) => {
      const flag = d.flag ?? `${collector.name}-${kebab(key)}`;
      return {
        collector: collector.name,
        key,
        flag,
        aliases: d.aliases ?? [],
        type: d.type ?? 'string',
        env: envName(flag),
        configKey: `collectors.${collector.name}.${key}`,
        configAliases: d.configAliases ?? [],
        describe: d.describe,
        default: d.default,
        ...(d.defaultText !== undefined ? { defaultText: d.defaultText } : {}),
        path: Boolean(d.path),
        decl: d,
      };
    });
}

/** Splits `a,b` and repeated values into one list. */
export const splitList = (v: unknown): string[] =>
  ([] as unknown[])
    .concat(v ?? [])
    .flatMap((x) => String(x).split(','))
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * A flag's (or its variable's, or a config value carried as a flag value) value checked against the
 * option's schema. Throws an Error whose message names the flag: `--tail: ...`, `--django-dir must not be empty`.
 */
export function parseOptionValue(spec: OptionSpec, raw: unknown): unknown {
  let v: unknown = typeof raw === 'string' ? raw.trim() : raw;
  if (v === '') throw new Error(`--${spec.flag} must not be empty`);
  const fail = (message: string): Error => new Error(message.startsWith(`--${spec.flag}`) ? message : `--${spec.flag}: ${message}`);
  if (spec.decl.fromCli) {
    try {
      v = spec.decl.fromCli(v);
    } catch (err) {
      throw fail(err instanceof Error ? err.message : String(err));
    }
  } else if (spec.type === 'array') v = splitList(v);
  const parsed = spec.decl.schema.safeParse(v);
  if (!parsed.success) throw fail(parsed.error.issues[0]?.message ?? 'invalid value');
  return parsed.data;
}
