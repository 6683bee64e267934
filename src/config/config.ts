// Room: config (src/config/) — may import core, redaction, collectors (the rule: tests/architecture.test.ts).
/**
 * Configuration files: discovery (lilconfig), validation (zod, strict) into a deeply frozen object, and
 * the layers a run's options come from: config file < environment (`COLLECT_BUNDLE_<FLAG>`) < flags.
 *
 * The file is turned into flag values (`collectors.docker.tail` → `--tail`) that fill only what the
 * command line did not give, so every command built on the collect options (`collect`, `schedule`)
 * gets the same merge. What no flag can say (custom collectors, plugins, rule ids, per-collector
 * extras, enabling an off-by-default collector) travels with the loaded config to the collect options.
 */
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { lilconfig, type Loader } from 'lilconfig';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { MAX_TIMEOUT_MS, customCollectorSchema } from '../../collectors/custom/schema.js';
import { parsePatterns } from '../../collectors/docker-containers.js';
import { redactArgv } from '../../redaction/structure.js';
import { errorMessage } from '../core/artifacts.js';
import { CliError } from '../core/errors.js';
import { setUpRedaction, type CustomRuleSpec, type RedactionOptions } from './redaction-plan.js';
import type { Collector } from '../core/types.js';
import { parseDuration, parseSince, parseSize } from '../core/units.js';

/** The name lilconfig searches for, and the `package.json` key. */
export const CONFIG_NAME = 'collect-bundle';

/** Where a config is looked for in each directory, first match wins (then the parent directory). */
export const SEARCH_PLACES: readonly string[] = Object.freeze([
  'package.json',
  '.collect-bundlerc',
  '.collect-bundlerc.json',
  '.collect-bundlerc.yaml',
  '.collect-bundlerc.yml',
  'collect-bundle.config.json',
  'collect-bundle.config.yaml',
  'collect-bundle.config.yml',
  'collect-bundle.config.mjs',
  'collect-bundle.config.js',
  'collect-bundle.config.cjs',
  '.collect-bundlerc.mjs',
  '.collect-bundlerc.js',
  '.collect-bundlerc.cjs',
]);

/** Prefix of the environment variables that set options: `COLLECT_BUNDLE_OUTPUT_DIR` is `--output-dir`. */
export const ENV_PREFIX = 'COLLECT_BUNDLE_';

/** The environment variable for a flag: `output-dir` → `COLLECT_BUNDLE_OUTPUT_DIR`. */
export const envName = (flag: string): string => `${ENV_PREFIX}${flag.toUpperCase().replace(/-/g, '_')}`;

// ---------------------------------------------------------------------------------------------
// Schema

/** How a value appears in a message: strings quoted, objects named by kind (never dumped). */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return String(v);
}

const got = (iss: { input?: unknown }): string => `, got ${show(iss.input)}`;

const nonEmpty = (what: string) => z.string({ error: (iss) => `expected ${what}${got(iss)}` }).min(1, `expected ${what}, got ""`);
const path = (what = 'a path') => nonEmpty(`${what} (relative paths are relative to the config file's folder)`);
const names = (what: string) => z.array(nonEmpty(what), { error: (iss) => `expected a list of ${what}s${got(iss)}` });
const bool = z.boolean({ error: (iss) => `expected true or false${got(iss)}` });
const wholeAtLeast = (min: number) => z.int({ error: (iss) => `expected a whole number ≥ ${min}${got(iss)}` }).min(min, { error: (iss) => `expected a whole number ≥ ${min}${got(iss)}` });

const DURATION_PATTERN = /^\s*(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+\s*$/i;
const SIZE_PATTERN = /^\s*\d+(?:\.\d+)?\s*(?:[kmgt]i?b?|b)?\s*$/i;

/**
 * The longest timer Node can set (2^31-1 ms, about 24.8 days): `AbortSignal.timeout()` and `setTimeout`
 * fire after 1 ms for anything longer, so a "30d" timeout would cut every collector off at once.
 */
export const MAX_TIMER_MS = MAX_TIMEOUT_MS;

/** Seconds: a positive number, or a duration string (`30s`, `5m`, `1h30m`), at most MAX_TIMER_MS. Parsed to seconds. */
const seconds = () => {
  const msg = (iss: { input?: unknown }) => `expected a positive number of seconds or a duration such as "30s", "5m" or "1h30m"${got(iss)}`;
  return z
    .union([z.number({ error: msg }).positive({ error: msg }).max(MAX_TIMER_MS / 1000, { error: (iss) => `expected at most ${MAX_TIMER_MS / 1000} seconds (24 days): longer timers overflow and would fire at once${got(iss)}` }), z.string().regex(DURATION_PATTERN, { error: msg })], { error: msg })
    .transform((v, ctx) => {
      let s: number;
      try {
        s = typeof v === 'number' ? v : parseDuration(v) / 1000;
      } catch {
        s = 0; // "0s": parseDuration refuses a zero duration
      }
      if (!(s > 0)) {
        ctx.addIssue({ code: 'custom', message: `expected a duration above zero, such as "30s", "5m" or "1h30m"${got({ input: v })}` });
        return z.NEVER;
      }
      if (s * 1000 > MAX_TIMER_MS) {
        ctx.addIssue({ code: 'custom', message: `expected at most 24 days ("24d"): longer timers overflow and would fire at once${got({ input: v })}` });
        return z.NEVER;
      }
      return s;
    });
};

/** A byte size: a whole number of bytes or a string such as `10MiB`, `512KiB`, `1GB`. Parsed to bytes. */
const size = () => {
  const msg = (iss: { input?: unknown }) => `expected a size such as "10MiB", "512KiB", "1GB" or a whole number of bytes${got(iss)}`;
  return z
    .union([z.int({ error: msg }).min(0, { error: msg }), z.string().regex(SIZE_PATTERN, { error: msg })], { error: msg })
    .transform((v, ctx) => {
      if (typeof v === 'number') return v;
      try {
        return parseSize(v);
      } catch {
        ctx.addIssue({ code: 'custom', message: msg({ input: v }) });
        return z.NEVER;
      }
    });
};

const tailMsg = (iss: { input?: unknown }) => `expected a whole number ≥ 0 or "all"${got(iss)}`;
const tail = z.union([z.int({ error: tailMsg }).min(0, { error: tailMsg }), z.literal('all', { error: tailMsg })], { error: tailMsg });

const since = z.string({ error: (iss) => `expected a duration back from now ("24h", "7d") or an ISO time${got(iss)}` }).refine(
  (s) => {
    try {
      parseSince(s);
      return true;
    } catch {
      return false;
    }
  },
  { error: (iss) => `expected a duration back from now ("24h", "7d") or an ISO time ("2026-11-27T10:00:00Z") that is not in the future${got(iss)}` },
);

const containerPatterns = names('container pattern').superRefine((list, ctx) => {
  try {
    parsePatterns(list);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: errorMessage(err) });
  }
});

/** A regex the redactor can use: compiles, and never matches empty text. */
const regexSource = (what: string) =>
  z.string({ error: (iss) => `expected ${what}${got(iss)}` }).superRefine((source, ctx) => {
    let re: RegExp;
    try {
      re = new RegExp(source);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `invalid regex ${show(source)}: ${errorMessage(err).replace(/^Invalid regular expression: /, '')}` });
      return;
    }
    if (re.test('')) ctx.addIssue({ code: 'custom', message: `the regex ${show(source)} matches empty text; it would redact nothing useful` });
  });

const ruleId = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: (iss) => `expected a kebab-case rule id such as "acme-token"${got(iss)}` });

const rule = z.union(
  [
    regexSource('a regex'),
    z.strictObject({
      id: ruleId.optional().describe('Rule id, shown in redactions.json and the redaction tags (default custom-<n>)'),
      pattern: regexSource('a regex').describe('Regex; with a capture group only the group is the secret'),
      description: z.string().optional(),
    }),
  ],
  { error: (iss) => `expected a regex string or { "id": "...", "pattern": "..." }${got(iss)}` },
);

/** The docker collector's options that a config may set. */
const dockerCollectorOptions = z
  .strictObject({
    tail: tail.describe('Log lines kept per container (the last ones), or "all" (--tail)'),
    since: since.describe('Logs and events from this long ago (30m, 24h, 7d) or this ISO time (--since)'),
    maxLogBytes: size().describe('Log bytes kept per container, from the end; 0 = no limit (--max-log-bytes)'),
    containers: containerPatterns.describe('Only these containers: name glob, id prefix, label=KEY[=VALUE] (--containers)'),
    allContainers: bool.describe('Every container, not only running and recently finished ones (--all-containers)'),
    concurrency: wholeAtLeast(1).describe('Containers worked on at once per engine'),
  })
  .partial();

/** The django collector's options that a config may set. */
const djangoCollectorOptions = z
  .strictObject({
    dir: path('the Django project folder').describe('Django project directory, with manage.py (--django-dir)'),
    settings: nonEmpty('a settings module such as "app.settings.prod"').describe('DJANGO_SETTINGS_MODULE (--settings)'),
    python: nonEmpty('an interpreter path, name or command').describe("The project's Python: a path, a name on PATH or a command (--python)"),
    failedJobs: wholeAtLeast(0).describe('How many of the latest failed container jobs are listed'),
    concurrency: wholeAtLeast(1).describe('Django commands run at once'),
  })
  .partial();

/** The cloudrun collector's options that a config may set. */
const cloudrunCollectorOptions = z
  .strictObject({
    project: nonEmpty('a Google Cloud project id').describe('Google Cloud project (--gcloud-project)'),
    region: nonEmpty('a Cloud Run region such as "europe-west1"').describe('Cloud Run region (--gcloud-region)'),
    gcloud: nonEmpty('the gcloud program: a name on PATH or a path').describe('The gcloud program'),
    limit: wholeAtLeast(1).describe('Executions listed per job, revisions per service'),
    failedExecutionLogs: wholeAtLeast(0).describe('Failed executions whose log entries are read'),
    logLimit: wholeAtLeast(1).describe('Log entries read per failed execution'),
    logFreshness: z.string().regex(DURATION_PATTERN, { error: (iss) => `expected a duration such as "7d" or "24h"${got(iss)}` }).describe('How far back log entries are read'),
    commandTimeoutMs: wholeAtLeast(1)
      .max(MAX_TIMER_MS, { error: (iss) => `expected at most ${MAX_TIMER_MS} ms (24 days)${got(iss)}` })
      .describe('Milliseconds each gcloud command may run (default 60000)'),
  })
  .partial();

/** The compose collector's options that a config may set. */
const composeCollectorOptions = z
  .strictObject({
    projectDir: path('the folder with the compose file').describe('Folder with the compose file (default: the Django project folder, else the current directory)'),
    files: z.array(path('a compose file')).describe('Compose files to read instead of the default names (like docker compose -f)'),
    projectName: nonEmpty('a compose project name').describe('The project name (like docker compose -p; default: derived as compose does)'),
  })
  .partial();

const toggle = <T extends z.ZodType>(options: T) =>
  z.union([z.boolean(), options], { error: (iss) => `expected true (enable), false (disable) or an object of options${got(iss)}` });

const collectors = z
  .object({
    system: toggle(z.strictObject({})),
    docker: toggle(dockerCollectorOptions),
    django: toggle(djangoCollectorOptions),
    cloudrun: toggle(cloudrunCollectorOptions),
    compose: toggle(composeCollectorOptions),
  })
  .partial()
  .catchall(z.union([z.boolean(), z.record(z.string(), z.unknown())], { error: (iss) => `expected true (enable), false (disable) or an object of options${got(iss)}` }))
  .describe('Collectors to enable (true or an object of options) or disable (false), by name; custom collectors too');

const redaction = z
  .strictObject({
    keyFile: path('a key file').describe('Key for redaction tags, created 0600 if missing (--redaction-key-file)'),
    stableTokens: bool.describe('Same secret, same tag across bundles; false for a fresh random key per run (--no-stable-tokens)'),
    rules: z.array(rule, { error: (iss) => `expected a list of rules${got(iss)}` }).describe('Extra rules: a regex, or { id, pattern, description } (--redact-pattern)'),
    literals: z
      .array(z.string({ error: 'expected a string (a known secret)' }).min(6, { error: 'a known secret must be at least 6 characters long; use a rule for shorter ones' }))
      .describe('Known secrets removed wherever they appear'),
    literalsFiles: z.array(path('a file')).describe('Files of known secrets, one per line (--redact-literals-file)'),
    secretKeys: names('key name').describe('Extra secret key names whose values are redacted (--redact-key)'),
    allow: z.array(regexSource('a regex matching a whole value')).describe('Values never redacted: regexes matching the whole value (--allow)'),
  })
  .partial();

/** The configuration file's shape. Unknown keys are errors. */
export const configSchema = z
  .strictObject({
    $schema: z.string().describe('The JSON Schema of this file, for editors'),
    outputDir: path('the output folder').describe('Directory for the bundle (--output-dir)'),
    only: names('collector name').describe('Run only these collectors (--only)'),
    skip: names('collector name').describe('Do not run these collectors (--skip)'),
    timeout: seconds().describe('Seconds (or a duration) each collector may run (--timeout)'),
    deadline: seconds().describe('Seconds (or a duration) the whole collection may take (--deadline)'),
    concurrency: wholeAtLeast(1).describe('Collectors run at once (--concurrency)'),
    label: nonEmpty('a short label').describe('Label added to the bundle name (--label)'),
    title: z.string().describe('ISSUE.md title (--title)'),
    description: z.string().describe('Problem description for ISSUE.md (--description)'),
    json: bool.describe('Print a machine-readable summary on stdout (--json)'),
    quiet: bool.describe('Print only errors on stderr (--quiet)'),
    verbose: bool.describe('Also print debug messages (--verbose)'),
    envFiles: z.array(path('a .env-style file')).describe('.env-style files to store (redacted) and check (--env-file)'),
    failOn: z.enum(['error', 'warning'], { error: (iss) => `expected "error" or "warning"${got(iss)}` }).describe('Exit 4 when a finding of this severity or worse exists (--fail-on)'),
    pendingThreshold: z
      .string({ error: (iss) => `expected a duration such as "15m" or "2h"${got(iss)}` })
      .regex(DURATION_PATTERN, { error: (iss) => `expected a duration such as "15m" or "2h"${got(iss)}` })
      .describe('A job pending longer than this is stuck (--pending-threshold)'),
    issueOnly: bool.describe('Also write ISSUE.md beside the bundle (--issue-only)'),
    analyze: bool.describe('Run the analyzers; false = --no-analyze'),
    docker: z
      .strictObject({
        hosts: z.array(nonEmpty('an engine URL or docker context name')).min(1, 'expected at least one engine: a unix://, tcp:// or ssh:// URL or a docker context name').describe('Docker engines: unix://, tcp://, ssh:// or context names (--docker-host)'),
        tls: bool.describe('TLS without verification for tcp:// engines (--tls)'),
        tlsverify: bool.describe('TLS with verification for tcp:// engines (--tlsverify)'),
        tlscacert: path('a CA certificate file').describe('CA certificate (--tlscacert)'),
        tlscert: path('a client certificate file').describe('Client certificate (--tlscert)'),
        tlskey: path('a client key file').describe('Client key (--tlskey)'),
      })
      .partial()
      .describe('Which Docker engines to talk to and how'),
    collectors,
    custom: z.array(customCollectorSchema, { error: (iss) => `expected a list of custom collectors${got(iss)}` }).describe('Declarative collectors: command, file, http, env'),
    redaction,
    plugins: z.array(nonEmpty('a module path or package name')).describe('Plugin modules (paths relative to the config file, or package names)'),
  })
  .partial()
  .describe('collect-bundle configuration (file < COLLECT_BUNDLE_* environment < command-line flags)');

/** A configuration as written (sizes and durations may be strings). */
export type ConfigInput = z.input<typeof configSchema>;
/** A validated configuration: sizes in bytes, durations in seconds, paths absolute. */
export type Config = z.output<typeof configSchema>;

/** The JSON Schema of the configuration file, for editors (shipped as schema/collect-bundle.schema.json). */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, title: 'collect-bundle configuration' };
}

/** schema/collect-bundle.schema.json as `npm run build` writes it (a test checks the shipped file is current). */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Errors

/** A problem with a configuration file: one line per problem, each naming the file and the key. */
export class ConfigError extends CliError {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(problems.map((p) => `${file}: ${p}`).join('\n'), 'E_CONFIG');
  }
}

/** `collectors.docker.tail`, `custom[1].maxBytes`. */
export function keyPath(p: readonly PropertyKey[]): string {
  let out = '';
  for (const k of p) out += typeof k === 'number' ? `[${k}]` : out ? `.${String(k)}` : String(k);
  return out || '(top level)';
}

/** Keys whose values may be secrets: a message never repeats what was written there, `config --print` masks them. */
export const SECRET_PATHS: readonly RegExp[] = [/^redaction\.literals/, /^custom\[\d+\]\.(?:env|headers)\b/];

/** What a value under a secret key path becomes when a config is shown. */
export const MASKED_VALUE = '<redacted>';

const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]*:)([^\s@/'"]+)@/gi;

/**
 * A copy of a config (or any part of one, at `prefix`) fit to print: every value under a secret key
 * path (`redaction.literals`, `custom[].env`, `custom[].headers`) replaced by MASKED_VALUE (names
 * kept), and URL passwords (`https://user:pass@host`) masked. Still pass the text through the redactor.
 */
export function maskConfigSecrets(value: unknown, prefix: readonly PropertyKey[] = []): unknown {
  const at = keyPath(prefix);
  if (value !== null && typeof value === 'object') {
    // A custom command's argv: secret flag values (`--password=...`) masked as the bundle masks them.
    if (Array.isArray(value) && /^custom\[\d+\]\.argv$/.test(at)) return redactArgv(value.map(String), () => MASKED_VALUE).map((v) => maskConfigSecrets(v, [...prefix, 0]));
    if (Array.isArray(value)) return value.map((v, i) => maskConfigSecrets(v, [...prefix, i]));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskConfigSecrets(v, [...prefix, k])]));
  }
  if (prefix.length && value !== undefined && value !== null && SECRET_PATHS.some((re) => re.test(at))) return MASKED_VALUE;
  return typeof value === 'string' ? value.replace(URL_PASSWORD, `$1${MASKED_VALUE}@`) : value;
}

/** The known secrets a config holds (literals, custom collectors' env and header values, URL passwords). */
export function configSecretValues(config: Config | undefined): string[] {
  const out: string[] = [...(config?.redaction?.literals ?? [])];
  for (const spec of config?.custom ?? []) {
    const s = spec as { env?: Record<string, string>; headers?: Record<string, string>; url?: string; argv?: string[] };
    if (s.argv) redactArgv(s.argv, (secret) => (out.push(secret), MASKED_VALUE));
    out.push(...Object.values(s.env ?? {}), ...Object.values(s.headers ?? {}));
    for (const v of Object.values(s.headers ?? {})) out.push(v.replace(/^(?:Bearer|Basic|Token|Digest)\s+/i, ''));
    if (s.url) {
      try {
        const u = new URL(s.url);
        if (u.password) out.push(decodeURIComponent(u.password));
      } catch {
        // validated already
      }
    }
  }
  return [...new Set(out.filter((v) => v.trim() !== ''))];
}

/**
 * Text about a config (`config --print`, `--list-collectors`) redacted for printing: the run's
 * redaction options (the config's rules and literals included) plus every known secret the config
 * holds. A fresh random tag key: printing never creates or reads a key file.
 */
export async function redactForDisplay(text: string, redaction: RedactionOptions, config: Config | undefined, env: Readonly<Record<string, string | undefined>>): Promise<string> {
  const { keyFile: _keyFile, ...rest } = redaction;
  const setup = await setUpRedaction({ ...rest, ephemeralKey: true }, env);
  for (const v of configSecretValues(config)) setup.literals.add(v); // a short one is masked by MASKED_VALUE already
  return setup.redactor.text(text, 'config');
}

type Issue = z.core.$ZodIssue;

/** One line per problem: `collectors.docker.tail: expected a whole number ≥ 0 or "all", got "lots"`. */
export function describeIssues(issues: readonly Issue[], jsonSchema: Record<string, unknown> = configJsonSchema(), prefix: readonly PropertyKey[] = []): string[] {
  const lines: string[] = [];
  for (const iss of issues) {
    const p = [...prefix, ...iss.path];
    if (iss.code === 'invalid_union' && iss.errors.length) {
      // Descend into the one alternative the value was meant as (the only one that got past its type check).
      const meant = iss.errors.filter((branch) => !branch.every((b) => b.path.length === 0 && (b.code === 'invalid_type' || b.code === 'invalid_value')));
      if (meant.length === 1) {
        lines.push(...describeIssues(meant[0]!, jsonSchema, p));
        continue;
      }
    }
    const at = keyPath(p);
    if (iss.code === 'unrecognized_keys') {
      const valid = validKeys(jsonSchema, p);
      for (const key of iss.keys) lines.push(`${keyPath([...p, key])}: unknown key${valid.length ? `; valid keys here: ${valid.join(', ')}` : ''}`);
      continue;
    }
    let message = iss.message;
    const secret = SECRET_PATHS.some((re) => re.test(at));
    // A discriminated union reports the whole object as its input: show the discriminator's value.
    const discriminator = (iss as { discriminator?: unknown }).discriminator;
    if (typeof discriminator === 'string' && iss.input && typeof iss.input === 'object') {
      lines.push(`${at}: ${message}${got({ input: (iss.input as Record<string, unknown>)[discriminator] })}`);
      continue;
    }
    if (iss.code === 'invalid_type' && message.startsWith('Invalid input')) {
      message = `expected ${iss.expected === 'int' ? 'a whole number' : iss.expected}${secret ? '' : got(iss)}`;
    } else if (!secret && iss.code !== 'custom' && 'input' in iss && (iss.input === null || typeof iss.input !== 'object') && !/\bgot\b/.test(message)) {
      message += got(iss);
    }
    lines.push(`${at}: ${message}`);
  }
  return lines;
}

/** The property names the JSON Schema allows at a key path (best effort, for "unknown key" messages). */
function validKeys(schema: Record<string, unknown>, p: readonly PropertyKey[]): string[] {
  let node: unknown = schema;
  const objectOf = (n: unknown): Record<string, unknown> | undefined => {
    if (!n || typeof n !== 'object') return undefined;
    const o = n as Record<string, unknown>;
    if (o['properties']) return o;
    for (const alt of (o['anyOf'] ?? o['oneOf'] ?? []) as unknown[]) {
      const found = objectOf(alt);
      if (found) return found;
    }
    return undefined;
  };
  for (const k of p) {
    const n = node as Record<string, unknown> | undefined;
    if (typeof k === 'number') node = n?.['items'];
    else node = (objectOf(n)?.['properties'] as Record<string, unknown> | undefined)?.[String(k)] ?? objectOf(n)?.['additionalProperties'];
  }
  return Object.keys((objectOf(node)?.['properties'] as Record<string, unknown> | undefined) ?? {});
}

// ---------------------------------------------------------------------------------------------
// Loading

/** A configuration file, read and validated. Deeply frozen. */
export interface LoadedConfig {
  /** Absolute path of the file (a package.json when the config is its `collect-bundle` key). */
  readonly file: string;
  /** The file's folder: relative paths in the config were resolved against it. */
  readonly dir: string;
  readonly config: Config;
}

/** What validation needs to know of a collector. */
export type KnownCollector = Pick<Collector<any>, 'name' | 'defaults'>;

export interface LoadConfigOptions {
  /** Use exactly this file (`--config`); a missing file is an error. */
  readonly file?: string;
  /** Where the search starts (default: the current directory). Also the base of a relative `file`. */
  readonly cwd?: string;
  /** The search stops after this folder (default: the home directory, as lilconfig does; else the root). */
  readonly stopDir?: string;
  /**
   * The built-in collectors (default: none checked): custom names must differ from theirs, and
   * `collectors.<name>` must name one of them (or a custom collector), with options from its defaults.
   */
  readonly builtins?: readonly KnownCollector[] | (() => Promise<readonly KnownCollector[]>);
  /** Told (one line) about a discovered file skipped as unsafe (default: process.emitWarning). */
  readonly warn?: (message: string) => void;
}

/**
 * Why a file the search found must not be used, or undefined when it may. A config can run code
 * (a .mjs/.js file, plugins, custom commands), so one that someone else could have planted or changed
 * is skipped: not owned by the current user or root, writable by group or others, or in a
 * world-writable directory such as /tmp (root running from /tmp/x would otherwise run /tmp's file).
 * A file named with --config is always used: the user chose it.
 */
export async function unsafeConfigReason(file: string): Promise<string | undefined> {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined; // no POSIX owners (Windows)
  const st = await stat(file);
  const dir = await stat(dirname(file));
  if (st.uid !== uid && st.uid !== 0) return `it is owned by uid ${st.uid}, not by you (uid ${uid}) or root`;
  if (st.mode & 0o022) return `it is writable by ${st.mode & 0o002 ? 'every user' : 'its group'} (mode ${(st.mode & 0o777).toString(8)})`;
  if (dir.mode & 0o002) return `its folder ${dirname(file)} is writable by every user`;
  return undefined;
}

type Found = { filepath: string; config: unknown; isEmpty?: boolean } | null;

/** lilconfig's search (nearest folder first, SEARCH_PLACES in order), skipping files unsafeConfigReason refuses. */
async function searchConfig(explorer: ReturnType<typeof lilconfig>, cwd: string, stopDir: string, warn: (message: string) => void): Promise<Found> {
  for (let dir = cwd; ; dir = dirname(dir)) {
    for (const place of SEARCH_PLACES) {
      const file = join(dir, place);
      try {
        if (!(await stat(file)).isFile()) continue;
      } catch {
        continue;
      }
      const isPackage = place === 'package.json';
      // A package.json is plain data: read it first, so one without our key is passed over quietly.
      const loaded = isPackage ? await explorer.load(file) : undefined;
      if (isPackage && (loaded?.config === undefined || loaded.config === null)) continue;
      const unsafe = await unsafeConfigReason(file);
      if (unsafe) {
        warn(`skipped the config file ${file}: ${unsafe}; a config can run commands, so only a safe one is used (fix: move it to a folder only you can write, chmod go-w it, or pass --config ${file})`);
        continue;
      }
      const found = loaded ?? (await explorer.load(file));
      if (!found || (found.isEmpty && !isPackage)) continue; // an empty file is passed over, as lilconfig's search does
      return found;
    }
    if (dir === stopDir || dirname(dir) === dir) return null;
  }
}

/** Where the file's text is broken, as `file:line:column: message`. */
function syntaxError(file: string, format: string, line: number | undefined, col: number | undefined, message: string): ConfigError {
  return new ConfigError(`${file}${line ? `:${line}${col ? `:${col}` : ''}` : ''}`, [`${format} syntax error: ${message}`]);
}

const jsonLoader: Loader = (file, content) => {
  const text = content.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const msg = errorMessage(err);
    const pos = /at position (\d+)/.exec(msg);
    const lineCol = /\(line (\d+) column (\d+)\)/.exec(msg);
    if (lineCol) throw syntaxError(file, 'JSON', Number(lineCol[1]), Number(lineCol[2]), msg.replace(/\s*\(line \d+ column \d+\)/, ''));
    if (pos) {
      const before = text.slice(0, Number(pos[1]));
      const line = before.split('\n').length;
      throw syntaxError(file, 'JSON', line, Number(pos[1]) - before.lastIndexOf('\n'), msg.replace(/\s*in JSON at position \d+.*$/, ''));
    }
    throw syntaxError(file, 'JSON', undefined, undefined, msg);
  }
};

const yamlLoader: Loader = (file, content) => {
  try {
    return parseYaml(content) as unknown;
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const at = err.linePos?.[0];
      throw syntaxError(file, 'YAML', at?.line, at?.col, errorMessage(err).replace(/ at line \d+, column \d+.*$/, ''));
    }
    throw syntaxError(file, 'YAML', undefined, undefined, errorMessage(err));
  }
};

const moduleLoader: Loader = async (file) => {
  try {
    const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
    return typeof mod.default === 'function' ? await (mod.default as () => unknown)() : mod.default;
  } catch (err) {
    throw new ConfigError(file, [`cannot load the module: ${errorMessage(err)}`]);
  }
};

const LOADERS = { '.json': jsonLoader, '.yaml': yamlLoader, '.yml': yamlLoader, '.mjs': moduleLoader, '.js': moduleLoader, '.cjs': moduleLoader, noExt: yamlLoader } as const;

/**
 * Finds (or reads the named) configuration file, validates it and returns it frozen, with relative
 * paths resolved against its folder. Undefined when a search found nothing. Throws ConfigError
 * (exit 2) naming the file, the key path and what was expected, one line per problem.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig | undefined> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const explorer = lilconfig(CONFIG_NAME, {
    searchPlaces: [...SEARCH_PLACES],
    loaders: LOADERS,
    cache: false,
    ...(options.stopDir ? { stopDir: options.stopDir } : {}),
  });
  let found: { filepath: string; config: unknown; isEmpty?: boolean } | null;
  try {
    if (options.file !== undefined) {
      const file = resolve(cwd, options.file);
      found = await explorer.load(file).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') throw new CliError(`config file ${file} does not exist: fix the --config path, or use --no-config to run without one`, 'E_CONFIG');
        if (err.code === 'EISDIR') throw new CliError(`config file ${file} is a directory: name a file such as ${file}/collect-bundle.config.json`, 'E_CONFIG');
        throw err;
      });
      if (found && /(^|[\\/])package\.json$/.test(file) && (found.config === undefined || found.config === null)) {
        throw new CliError(`${file} has no "${CONFIG_NAME}" key: add one, or name a collect-bundle.config.json with --config`, 'E_CONFIG');
      }
    } else {
      const warn = options.warn ?? ((message: string) => process.emitWarning(message, { code: 'COLLECT_BUNDLE_CONFIG_SKIPPED' }));
      found = await searchConfig(explorer, cwd, resolve(options.stopDir ?? homedir()), warn);
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`cannot read the configuration: ${errorMessage(err)}`, 'E_CONFIG', { cause: err });
  }
  if (!found) return undefined;
  // Loaded only now, when there is a file to check against them (the CLI passes a lazy import).
  const builtins = typeof options.builtins === 'function' ? await options.builtins() : options.builtins;
  return validateConfig(found.isEmpty ? {} : (found.config ?? {}), found.filepath, builtins);
}

/** Validates a configuration object as read from `file`; relative paths resolve against the file's folder. */
export function validateConfig(raw: unknown, file: string, builtins: readonly KnownCollector[] = []): LoadedConfig {
  const dir = dirname(file);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(file, [`expected an object of settings at the top level, got ${show(raw)}`]);
  const parsed = configSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new ConfigError(file, describeIssues(parsed.error.issues));
  const problems = checkNames(parsed.data, builtins);
  if (problems.length) throw new ConfigError(file, problems);
  return deepFreeze({ file, dir, config: resolvePaths(parsed.data, dir) });
}

/** Options the config schema itself checks, per built-in collector. */
const SCHEMA_CHECKED = new Set(['system', 'docker', 'django', 'cloudrun', 'compose']);

/**
 * Custom collector names are unique and differ from the built-ins; `collectors.<name>` names a known
 * collector, and options of a collector the schema does not describe match its defaults' keys and types.
 */
function checkNames(config: Config, builtins: readonly KnownCollector[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const byName = new Map(builtins.map((c) => [c.name, c]));
  for (const [i, spec] of (config.custom ?? []).entries()) {
    const name = String(spec.name);
    if (byName.has(name)) problems.push(`${keyPath(['custom', i, 'name'])}: "${name}" is the name of a built-in collector; choose another name`);
    else if (seen.has(name)) problems.push(`${keyPath(['custom', i, 'name'])}: "${name}" is already the name of custom[${seen.get(name)}]; names must be unique`);
    else seen.set(name, i);
  }
  if (!byName.size) return problems;
  const known = [...byName.keys(), ...seen.keys()];
  for (const [name, value] of Object.entries(config.collectors ?? {})) {
    const at = keyPath(['collectors', name]);
    if (seen.has(name) && typeof value === 'object' && value !== null) {
      // A custom collector's settings live in its spec; options here would be silently dropped.
      problems.push(`${at}: custom collector "${name}" takes no options here (true or false only); set them in custom[${seen.get(name)}]`);
      continue;
    }
    if (!known.includes(name)) {
      // A plugin's collector is known only once the plugins load (collectBundle reports those).
      if (!config.plugins?.length) problems.push(`${at}: unknown collector; valid: ${known.join(', ')} (or a plugin's, with "plugins")`);
      else if (typeof value === 'boolean') {
        // Would be ignored: the toggles apply before the plugins load.
        problems.push(`${at}: a plugin's collector takes an object of options here, not ${value}; to ${value ? 'run only some collectors use "only"' : 'leave it out use "skip"'} (or --${value ? 'only' : 'skip'} ${name})`);
      }
      continue;
    }
    const collector = byName.get(name);
    if (!collector || SCHEMA_CHECKED.has(name) || typeof value !== 'object' || value === null) continue;
    const defaults = collector.defaults as Record<string, unknown>;
    const valid = Object.keys(defaults);
    for (const [key, v] of Object.entries(value)) {
      const at = keyPath(['collectors', name, key]);
      if (!Object.hasOwn(defaults, key)) problems.push(`${at}: unknown option of the ${name} collector${valid.length ? `; valid: ${valid.join(', ')}` : ' (it takes none)'}`);
      else if (defaults[key] !== undefined && kind(defaults[key]) !== kind(v)) problems.push(`${at}: expected ${kind(defaults[key])}${got({ input: v })}`);
    }
  }
  return problems;
}

const kind = (v: unknown): string => (Array.isArray(v) ? 'a list' : v === null ? 'null' : typeof v === 'object' ? 'an object' : `a ${typeof v}`);

const resolveIn = (dir: string, p: string | undefined): string | undefined => (p === undefined ? undefined : resolve(dir, p));

/** An interpreter given as a relative path (`./.venv/bin/python`, `.venv/bin/python`) resolves; a name or command does not. */
function resolvePython(dir: string, python: string | undefined): string | undefined {
  if (python === undefined || isAbsolute(python) || /\s/.test(python) || !python.includes('/')) return python;
  return resolve(dir, python);
}

function resolvePaths(c: Config, dir: string): Config {
  const django = c.collectors?.django;
  const compose = c.collectors?.compose;
  return {
    ...c,
    ...(c.outputDir !== undefined ? { outputDir: resolveIn(dir, c.outputDir)! } : {}),
    ...(c.envFiles ? { envFiles: c.envFiles.map((f) => resolve(dir, f)) } : {}),
    ...(c.docker
      ? {
          docker: {
            ...c.docker,
            ...(c.docker.tlscacert ? { tlscacert: resolveIn(dir, c.docker.tlscacert)! } : {}),
            ...(c.docker.tlscert ? { tlscert: resolveIn(dir, c.docker.tlscert)! } : {}),
            ...(c.docker.tlskey ? { tlskey: resolveIn(dir, c.docker.tlskey)! } : {}),
          },
        }
      : {}),
    ...(c.collectors && (typeof django === 'object' || typeof compose === 'object')
      ? {
          collectors: {
            ...c.collectors,
            ...(typeof django === 'object' ? { django: { ...django, ...(django.dir ? { dir: resolveIn(dir, django.dir)! } : {}), ...(django.python ? { python: resolvePython(dir, django.python)! } : {}) } } : {}),
            ...(typeof compose === 'object'
              ? { compose: { ...compose, ...(compose.projectDir ? { projectDir: resolveIn(dir, compose.projectDir)! } : {}), ...(compose.files ? { files: compose.files.map((f) => resolve(compose.projectDir ? resolve(dir, compose.projectDir) : dir, f)) } : {}) } }
              : {}),
          },
        }
      : {}),
    ...(c.redaction
      ? {
          redaction: {
            ...c.redaction,
            ...(c.redaction.keyFile ? { keyFile: resolveIn(dir, c.redaction.keyFile)! } : {}),
            ...(c.redaction.literalsFiles ? { literalsFiles: c.redaction.literalsFiles.map((f) => resolve(dir, f)) } : {}),
          },
        }
      : {}),
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Layers: config file < environment < flags

/** The config's values for command-line flags, by flag name (the lowest layer). */
export function configFlagValues(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const set = (flag: string, v: unknown): void => {
    if (v !== undefined) out[flag] = v;
  };
  set('output-dir', config.outputDir);
  set('only', config.only);
  set('skip', config.skip);
  set('timeout', config.timeout);
  set('deadline', config.deadline);
  set('concurrency', config.concurrency);
  set('label', config.label);
  set('title', config.title);
  set('description', config.description);
  set('json', config.json);
  set('quiet', config.quiet);
  set('verbose', config.verbose);
  set('env-file', config.envFiles);
  set('fail-on', config.failOn);
  set('pending-threshold', config.pendingThreshold);
  set('issue-only', config.issueOnly);
  set('analyze', config.analyze);
  set('docker-host', config.docker?.hosts);
  set('tls', config.docker?.tls);
  set('tlsverify', config.docker?.tlsverify);
  set('tlscacert', config.docker?.tlscacert);
  set('tlscert', config.docker?.tlscert);
  set('tlskey', config.docker?.tlskey);
  const docker = config.collectors?.docker;
  if (typeof docker === 'object') {
    set('tail', docker.tail === undefined ? undefined : String(docker.tail));
    set('since', docker.since);
    set('max-log-bytes', docker.maxLogBytes === undefined ? undefined : String(docker.maxLogBytes));
    set('containers', docker.containers);
    set('all-containers', docker.allContainers);
  }
  const django = config.collectors?.django;
  if (typeof django === 'object') {
    set('django-dir', django.dir);
    set('settings', django.settings);
    set('python', django.python);
  }
  const cloudrun = config.collectors?.cloudrun;
  if (typeof cloudrun === 'object') {
    set('gcloud-project', cloudrun.project);
    set('gcloud-region', cloudrun.region);
  }
  set('redaction-key-file', config.redaction?.keyFile);
  set('stable-tokens', config.redaction?.stableTokens);
  return out;
}

/** Collector options no flag sets (`collectors.docker.concurrency`, another collector's object), by collector. */
export function configCollectorOptions(config: Config): Record<string, Record<string, unknown>> {
  const flagged: Record<string, readonly string[]> = { docker: ['tail', 'since', 'maxLogBytes', 'containers', 'allContainers'], django: ['dir', 'settings', 'python'], cloudrun: ['project', 'region'] };
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, value] of Object.entries(config.collectors ?? {})) {
    if (typeof value !== 'object' || value === null) continue;
    const rest = Object.fromEntries(Object.entries(value).filter(([k]) => !(flagged[name] ?? []).includes(k)));
    if (Object.keys(rest).length) out[name] = rest;
  }
  return out;
}

/** What a flag is, for reading it from the environment. */
export interface FlagSpec {
  readonly name: string;
  readonly type: 'boolean' | 'number' | 'array' | 'string';
  readonly aliases: readonly string[];
}

/** Parses `COLLECT_BUNDLE_<FLAG>` for one flag; throws a one-line CliError naming the variable. */
export function envValue(flag: FlagSpec, raw: string): unknown {
  const name = envName(flag.name);
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
    const raw = env[envName(flag.name)];
    let value: unknown;
    if (raw !== undefined) {
      value = envValue(flag, raw);
      sources[flag.name] = { source: 'environment', env: envName(flag.name) };
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
  const rules: CustomRuleSpec[] = (r.rules ?? []).map((x) => (typeof x === 'string' ? { pattern: x } : { pattern: x.pattern, ...(x.id ? { id: x.id } : {}), ...(x.description ? { description: x.description } : {}) }));
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
  return new Set(Object.entries(sourcesOf(argv)).filter(([, s]) => s.source === 'flag').map(([flag]) => flag));
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
  const skip = new Set(['help', 'version', 'config', 'list-collectors', '$0', '_']);
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
  readonly warn?: (message: string) => void;
}

/**
 * yargs middleware: loads the config (`--config FILE`, `--no-config`, `COLLECT_BUNDLE_CONFIG`, else a
 * search from the current directory up), then fills every settable option the command line did not
 * give from the environment, else from the file. A command without settable options is left alone.
 */
export async function applyConfig(argv: Record<string, unknown>, y: YargsOptionsView, options: ApplyConfigOptions): Promise<Record<string, { source: OptionSource; env?: string }>> {
  const flags = flagSpecs(y, options.settable);
  if (flags.length === 0) return {};
  const chosen = argv['config'] ?? options.env[envName('config')];
  const off = chosen === false || (typeof chosen === 'string' && ['false', '0', 'no', 'off'].includes(chosen.trim().toLowerCase()));
  if (typeof chosen === 'string' && chosen.trim() === '' && argv['config'] !== undefined) throw new CliError('--config needs a file name (or use --no-config)', 'E_USAGE');
  const loaded = off
    ? undefined
    : await loadConfig({ ...(typeof chosen === 'string' && chosen.trim() ? { file: chosen } : {}), ...(options.cwd ? { cwd: options.cwd } : {}), ...(options.warn ? { warn: options.warn } : {}), builtins: options.builtins });
  const defaulted = (y.parsed && y.parsed.defaulted) || {};
  const given = (flag: string): boolean => Object.hasOwn(argv, flag) && !defaulted[flag];
  const sources = applyLayers(argv, flags, given, loaded ? configFlagValues(loaded.config) : {}, options.env);
  Object.defineProperty(argv, ARGV_KEY, { value: loaded, enumerable: false, configurable: true });
  Object.defineProperty(argv, SOURCES_KEY, { value: sources, enumerable: false, configurable: true });
  return sources;
}
