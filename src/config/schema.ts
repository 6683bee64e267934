// Room: config (src/config/) — may import core, redaction, collectors (the rule: tests/architecture.test.ts).
/**
 * The configuration file's zod schema (strict: unknown keys are errors) and its JSON Schema. The
 * `collectors.<name>` objects are generated from the collectors' option declarations
 * (src/config/collector-options.ts); the rest are the run's own settings.
 */
import { z } from 'zod';
import { customCollectorSchema } from '../../collectors/custom/schema.js';
import { errorMessage } from '../core/artifacts.js';
import { bool, durationText, got, names, nonEmpty, path, seconds, show, size, wholeAtLeast } from '../core/validators.js';
import { builtinCollectors } from '../../collectors/index.js';
import { optionSpecs, type OptionSpec } from '../core/options.js';
import { matchesAnyCharacter } from '../core/text.js';
import type { Collector } from '../core/types.js';

/** A regex the redactor can use: compiles, and never matches empty text. */
const regexSource = (what: string, options: { rule?: boolean } = {}) =>
  z.string({ error: (iss) => `expected ${what}${got(iss)}` }).superRefine((source, ctx) => {
    let re: RegExp;
    try {
      re = new RegExp(source);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `invalid regex ${show(source)}: ${errorMessage(err).replace(/^Invalid regular expression: /, '')}` });
      return;
    }
    if (re.test('')) ctx.addIssue({ code: 'custom', message: `the regex ${show(source)} matches empty text; it would redact nothing useful` });
    else if (options.rule && matchesAnyCharacter(source))
      ctx.addIssue({ code: 'custom', message: `the regex ${show(source)} matches (almost) every character; it would redact all text` });
  });

const ruleId = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: (iss) => `expected a kebab-case rule id such as "acme-token"${got(iss)}` });

const rule = z.union(
  [
    regexSource('a regex', { rule: true }),
    z.strictObject({
      id: ruleId.optional().describe('Rule id, shown in redactions.json and the redaction tags (default custom-<n>)'),
      pattern: regexSource('a regex', { rule: true }).describe('Regex; with a capture group only the group is the secret'),
      description: z.string().optional(),
    }),
  ],
  { error: (iss) => `expected a regex string or { "id": "...", "pattern": "..." }${got(iss)}` },
);

// ---------------------------------------------------------------------------------------------
// collectors.<name>: generated from each collector's option declarations

const toggleError = (iss: { input?: unknown }) => `expected true (enable), false (disable) or an object of options${got(iss)}`;

/** `collectors.<name>`'s options object for one collector: each option's schema, optional, plus its old config keys. */
function collectorObjectSchema(specs: readonly OptionSpec[]) {
  const shape: Record<string, z.ZodType> = {};
  for (const s of specs) {
    shape[s.key] = (s.decl.schema as z.ZodType).optional().describe(s.describe);
    for (const alias of s.configAliases) shape[alias] = (s.decl.schema as z.ZodType).optional().describe(`Old name of ${s.key}`);
  }
  return z.strictObject(shape);
}

/** The config schema of `collectors`: a toggle or an options object for each built-in with declared options; other names (custom, plugins) take true, false or any object. */
export const collectorsConfigSchema = z
  .object(
    Object.fromEntries(
      builtinCollectors.filter((c) => c.options).map((c) => [c.name, z.union([z.boolean(), collectorObjectSchema(optionSpecs(c))], { error: toggleError })]),
    ),
  )
  .partial()
  .catchall(z.union([z.boolean(), z.record(z.string(), z.unknown())], { error: toggleError }))
  .describe('Collectors to enable (true or an object of options) or disable (false), by name; custom collectors too');

const redaction = z
  .strictObject({
    keyFile: path('a key file').describe('Key for redaction tags, created 0600 if missing (--redaction-key-file)'),
    stableTokens: bool().describe('Same secret, same tag across bundles; false for a fresh random key per run (--no-stable-tokens)'),
    rules: z
      .array(rule, { error: (iss) => `expected a list of rules${got(iss)}` })
      .describe('Extra rules: a regex, or { id, pattern, description } (--redact-pattern)'),
    literals: z
      .array(
        z
          .string({ error: 'expected a string (a known secret)' })
          .min(6, { error: 'a known secret must be at least 6 characters long; use a rule for shorter ones' }),
      )
      .describe('Known secrets removed wherever they appear'),
    literalsFiles: z.array(path('a file')).describe('Files of known secrets, one per line (--redact-literals-file)'),
    secretKeys: names('key name').describe('Extra secret key names whose values are redacted (--redact-key)'),
    allow: z.array(regexSource('a regex matching a whole value')).describe('Values never redacted: regexes matching the whole value (--allow)'),
    pseudonymize: bool().describe('Replace host names, addresses and people by stable pseudonyms (--pseudonymize)'),
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
    maxSize: size().describe('Size budget of the compressed bundle, e.g. "25MiB"; the largest logs are cut to fit (--max-size)'),
    concurrency: wholeAtLeast(1).describe('Collectors run at once (--concurrency)'),
    label: nonEmpty('a short label').describe('Label added to the bundle name (--label)'),
    title: z.string().describe('ISSUE.md title (--title)'),
    description: z.string().describe('Problem description for ISSUE.md (--description)'),
    docsUrl: z
      .url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://git.example.org/ops/collect-bundle/blob/main/TROUBLESHOOTING.md' })
      .describe("TROUBLESHOOTING.md's web address for the links in ISSUE.md (--docs-url)"),
    json: bool().describe('Print a machine-readable summary on stdout (--json)'),
    quiet: bool().describe('Print only errors on stderr (--quiet)'),
    verbose: bool().describe('Also print debug messages (--verbose)'),
    profile: bool().describe("Print where the run's time went, per phase and per collector (--profile)"),
    envFiles: z.array(path('a .env-style file')).describe('.env-style files to store (redacted) and check (--env-file)'),
    failOn: z
      .enum(['error', 'warning'], { error: (iss) => `expected "error" or "warning"${got(iss)}` })
      .describe('Exit 4 when a finding of this severity or worse exists (--fail-on)'),
    pendingThreshold: durationText('"15m" or "2h"').describe('A job pending longer than this is stuck (--pending-threshold)'),
    issueOnly: bool().describe('Also write ISSUE.md beside the bundle (--issue-only)'),
    analyze: bool().describe('Run the analyzers; false = --no-analyze'),
    docker: z
      .strictObject({
        hosts: z
          .array(nonEmpty('an engine URL or docker context name'))
          .min(1, 'expected at least one engine: a unix://, tcp:// or ssh:// URL or a docker context name')
          .describe('Docker engines: unix://, tcp://, ssh:// or context names (--docker-host)'),
        tls: bool().describe('TLS without verification for tcp:// engines (--tls)'),
        tlsverify: bool().describe('TLS with verification for tcp:// engines (--tlsverify)'),
        tlscacert: path('a CA certificate file').describe('CA certificate (--tlscacert)'),
        tlscert: path('a client certificate file').describe('Client certificate (--tlscert)'),
        tlskey: path('a client key file').describe('Client key (--tlskey)'),
      })
      .partial()
      .describe('Which Docker engines to talk to and how'),
    collectors: collectorsConfigSchema,
    custom: z
      .array(customCollectorSchema, { error: (iss) => `expected a list of custom collectors${got(iss)}` })
      .describe('Declarative collectors: command, file, http, env'),
    redaction,
    encryptTo: z
      .array(nonEmpty('an age recipient (age1… or an ssh public key)'))
      .describe('Encrypt the bundle for these recipients: age1… or ssh-ed25519/ssh-rsa public keys (--encrypt-to)'),
    encryptToFile: path('a file of age recipients').describe('File of recipients (age1… or ssh public keys), one a line (--encrypt-to-file)'),
    upload: z
      .strictObject({
        to: nonEmpty('an https://, http://, sftp:// or s3:// destination').describe('Upload the bundle after writing it (--upload)'),
        field: nonEmpty('a form field name').describe('POST multipart/form-data in this field instead of PUT (--upload-field)'),
        tokenEnv: nonEmpty('an environment variable name').describe('Environment variable holding a bearer token (--upload-token-env)'),
        tokenFile: path('a token file').describe('File holding a bearer token (--upload-token-file)'),
        knownHosts: path('a known_hosts file').describe('sftp:// only: known_hosts file for the server key (--upload-known-hosts)'),
        s3Endpoint: nonEmpty('an http(s):// URL').describe('s3:// only: an S3-compatible endpoint, addressed path-style (--s3-endpoint)'),
        yes: bool().describe('Upload without asking on a terminal; answers only the upload question (--yes on the command line answers --review too)'),
        headers: z
          .record(z.string().regex(/^[A-Za-z0-9-]+$/, { error: 'expected an HTTP header name' }), z.string())
          .describe('Extra HTTP headers (no secrets here: use tokenEnv or tokenFile for a token)'),
      })
      .partial()
      .describe('Where and how to upload bundles'),
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

/** A configuration file, read and validated. Deeply frozen. */
export interface LoadedConfig {
  /** Absolute path of the file (a package.json when the config is its `collect-bundle` key). */
  readonly file: string;
  /** The file's folder: relative paths in the config were resolved against it. */
  readonly dir: string;
  readonly config: Config;
}

/** What validation needs to know of a collector. */
export type KnownCollector = Pick<Collector, 'name' | 'defaults' | 'options'>;
