// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * The shape of a declarative (config-driven) custom collector: `command`, `file`, `http` or `env`.
 * One zod schema serves the config loader (which reports errors with the key path) and
 * `createCustomCollector` (so library users get the same validation). Sizes (`"5MiB"`) and
 * durations (`"30s"`) are parsed with src/core/units.ts, so they read like the CLI's flags.
 */
import { z } from 'zod';
import { parseDuration, parseSize } from '../../src/core/units.js';

/** The longest timer Node can set (2^31-1 ms, about 24.8 days). */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** A collector name: kebab-case, as built-ins are named, so `--only`/`--skip` accept it. */
const collectorName = z
  .string()
  .regex(/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/, 'expected a kebab-case name (lower-case letters, digits and single dashes, starting with a letter), e.g. "nginx-logs"');

/** A byte size: a number of bytes or a string such as `5MiB`, `512KiB`, `1GB`. */
const byteSize = z.union([z.number().int().nonnegative(), z.string()], { error: 'expected a size: a number of bytes or e.g. "5MiB", "512KiB", "1GB"' }).transform((value, ctx) => {
  if (typeof value === 'number') return value;
  try {
    return parseSize(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
}).refine((n) => n > 0, 'expected a size above 0 (a cap of 0 would keep nothing)');

/**
 * A timeout: a number of seconds or a duration such as `30s`, `2m`, `1m30s`. Parsed to seconds (not ms),
 * so parsing an already parsed spec again gives the same value (the config loader validates the whole
 * file, then `createCustomCollector` validates each spec again).
 */
const timeout = z.union([z.number().positive().max(MAX_TIMEOUT_MS / 1000, 'expected a timeout of at most 24 days (2147483 seconds): longer timers overflow and would fire at once'), z.string()], { error: 'expected a timeout: a number of seconds or a duration such as "30s" or "2m"' }).transform((value, ctx) => {
  let seconds: number;
  try {
    seconds = typeof value === 'number' ? value : parseDuration(value) / 1000;
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
  // Node's timers overflow above 2^31-1 ms and then fire after 1 ms.
  if (seconds * 1000 > MAX_TIMEOUT_MS) {
    ctx.addIssue({ code: 'custom', message: 'expected a timeout of at most 24 days ("24d"): longer timers overflow and would fire at once' });
    return z.NEVER;
  }
  return seconds;
});

const stringMap = z.record(z.string(), z.string());

/** Runs one program with an argument array (never a shell) and keeps its output and outcome. */
export const commandCollectorSchema = z.strictObject({
  type: z.literal('command'),
  name: collectorName,
  /** Program first, then its arguments. Never a shell string. */
  argv: z.array(z.string().min(1, 'argv entries must not be empty')).min(1, 'argv needs at least the program, e.g. ["celery", "-A", "proj", "inspect", "active"]'),
  /** Working directory; relative to the config file's folder. */
  cwd: z.string().min(1).optional(),
  /** Added to the inherited environment (values are redacted; the manifest records names only). */
  env: stringMap.optional(),
  /** Seconds (`30`) or a duration (`"2m"`); seconds after parsing. Default 30 s. */
  timeout: timeout.optional(),
  /** Output kept (the tail); default 5 MiB. */
  maxBytes: byteSize.optional(),
  /** Exit codes that count as success; default [0]. */
  exitCodes: z.array(z.number().int()).min(1).optional(),
});

/** Copies files (and the files below named directories, and glob matches) into the bundle. */
export const fileCollectorSchema = z.strictObject({
  type: z.literal('file'),
  name: collectorName,
  /** Files, directories and globs (`*`, `**`, `?`, `[...]`, `{a,b}`); relative to the config file's folder. */
  paths: z.array(z.string().min(1, 'paths entries must not be empty')).min(1, 'paths needs at least one file, directory or glob, e.g. ["/var/log/nginx/*.log"]'),
  /** Per file: keep at most this many bytes (the tail); default 10 MiB. */
  maxBytes: byteSize.optional(),
  /** All files of this collector together; default 100 MiB. */
  maxTotalBytes: byteSize.optional(),
  /** Follow symlinks whose target stays inside the named root (default true); links out of it are never followed. */
  followSymlinks: z.boolean().optional(),
});

/** GETs one URL the user named (health, readiness, metrics) and keeps the status, timing and body. */
export const httpCollectorSchema = z.strictObject({
  type: z.literal('http'),
  name: collectorName,
  url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL, e.g. "http://127.0.0.1:8000/healthz"' }),
  /** Only GET: the collector is read-only. */
  method: z.literal('GET', { error: 'only "GET" is supported: collectors are read-only' }).optional(),
  /** Request headers; sensitive ones (Authorization, Cookie, X-Api-Key, ...) never appear in the bundle. */
  headers: stringMap.optional(),
  /** Seconds or a duration; seconds after parsing. Default 10 s. */
  timeout: timeout.optional(),
  /** Body kept (the tail); default 1 MiB. */
  maxBytes: byteSize.optional(),
});

/** The process environment: every name; values only for safe or included names that do not look secret, through the redactor. */
export const envCollectorSchema = z.strictObject({
  type: z.literal('env'),
  name: collectorName,
  /** Name globs (`DJANGO_*`, `*_URL`); default: all names. An included name shows its value unless it looks secret. */
  include: z.array(z.string().min(1)).optional(),
  /** Name globs to leave out (applied after include). */
  exclude: z.array(z.string().min(1)).optional(),
});

/** One custom collector, as written in the config's `custom` list. */
export const customCollectorSchema = z.discriminatedUnion('type', [commandCollectorSchema, fileCollectorSchema, httpCollectorSchema, envCollectorSchema], {
  error: (issue) => (issue.code === 'invalid_union' ? 'expected "type" to be one of "command", "file", "http", "env"' : undefined),
});

/** A custom collector as the user writes it (sizes and timeouts may be strings). */
export type CustomCollectorInput = z.input<typeof customCollectorSchema>;
/** A validated custom collector (sizes in bytes, timeouts in seconds); parsing it again changes nothing. */
export type CustomCollectorSpec = z.output<typeof customCollectorSchema>;
export type CommandCollectorSpec = z.output<typeof commandCollectorSchema>;
export type FileCollectorSpec = z.output<typeof fileCollectorSchema>;
export type HttpCollectorSpec = z.output<typeof httpCollectorSchema>;
export type EnvCollectorSpec = z.output<typeof envCollectorSchema>;

/** One line describing the first problems of a failed parse: `custom collector "x": argv: expected ...`. */
export function describeSpecError(input: unknown, error: z.ZodError): string {
  const name = typeof input === 'object' && input !== null && typeof (input as { name?: unknown }).name === 'string' ? `"${(input as { name: string }).name}"` : '(unnamed)';
  const parts = error.issues.slice(0, 3).map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`);
  const more = error.issues.length > 3 ? ` (+${error.issues.length - 3} more)` : '';
  return `custom collector ${name}: ${parts.join('; ')}${more}`;
}
