// Room: cli (src/cli/) — may import every room; the only place that prints errors and calls process.exit (the rule: tests/architecture.test.ts).
/**
 * The yargs option builders the commands share (collect, analysis and redaction options) and `list`.
 * Light on purpose: src/cli/main.ts imports this for every command line, --version and --help included.
 */
import type { Argv } from 'yargs';
import { DEFAULTS } from '../config/options.js';
import { COLLECTOR_FLAGS } from './collector-flags.js';

/** Splits `a,b` and repeated flags into one list. */
export const list = (v: unknown): string[] =>
  ([] as unknown[])
    .concat(v ?? [])
    .flatMap((x) => String(x).split(','))
    .map((s) => s.trim())
    .filter(Boolean);

/** The collectors' options as flags, one group per collector (generated from their declarations: src/cli/collector-flags.ts). */
export function collectorOptions(y: Argv): Argv {
  let out = y;
  for (const f of COLLECTOR_FLAGS) {
    out = out.option(f.flag, {
      type: f.type === 'array' ? 'string' : f.type,
      ...(f.type === 'array' ? { array: true } : {}),
      ...(f.type === 'boolean' ? {} : { requiresArg: true }),
      ...(f.aliases.length ? { alias: [...f.aliases] } : {}),
      describe: f.describe,
    });
  }
  for (const name of new Set(COLLECTOR_FLAGS.map((f) => f.collector)))
    out = out.group(
      COLLECTOR_FLAGS.filter((f) => f.collector === name).map((f) => f.flag),
      `Collector ${name}:`,
    );
  return out;
}

export function collectOptions(y: Argv): Argv {
  const common = y
    .option('output-dir', { alias: 'o', type: 'string', requiresArg: true, default: '.', describe: 'Directory for the bundle (created if missing)' })
    .option('only', { type: 'string', requiresArg: true, array: true, describe: 'Run only these collectors (comma-separated or repeated)' })
    .option('skip', { type: 'string', requiresArg: true, array: true, describe: 'Do not run these collectors' })
    .option('list-collectors', { type: 'boolean', default: false, describe: 'List the collectors and exit' })
    .option('timeout', {
      type: 'number',
      requiresArg: true,
      describe: `Seconds each collector may run before it is cut off (default: the collector's own limit, else ${DEFAULTS.timeoutSec})`,
    })
    .option('deadline', {
      type: 'number',
      requiresArg: true,
      describe: 'Seconds the whole collection may take; the bundle is then written with what was gathered',
    })
    .option('max-size', {
      type: 'string',
      requiresArg: true,
      describe: 'Size budget of the compressed bundle (25MiB, 10MB): the largest logs are cut from their oldest lines to fit; default none',
    })
    .option('concurrency', { type: 'number', requiresArg: true, default: DEFAULTS.concurrency, describe: 'Collectors run at once' })
    .option('label', { type: 'string', requiresArg: true, describe: 'Short label added to the bundle name (one that looks like a secret is refused)' })
    .option('title', { type: 'string', requiresArg: true, describe: 'Issue title for ISSUE.md' })
    .option('description', { type: 'string', requiresArg: true, describe: 'Problem description for ISSUE.md' })
    .option('docs-url', {
      type: 'string',
      requiresArg: true,
      describe: "TROUBLESHOOTING.md's web address (a fork, an internal mirror) for the links in ISSUE.md; default: the package's repository",
    })
    .option('docker-host', {
      type: 'string',
      requiresArg: true,
      array: true,
      describe:
        'Docker engine to collect, repeatable: unix:///path, tcp://host:port, ssh://user@host or a docker context name (default: DOCKER_HOST, else the current context, else /var/run/docker.sock)',
    })
    .option('tls', { type: 'boolean', describe: 'Use TLS for tcp:// engines without verifying them (default: DOCKER_TLS)' })
    .option('tlsverify', { type: 'boolean', describe: 'Use TLS for tcp:// engines and verify them against the CA (default: DOCKER_TLS_VERIFY)' })
    .option('tlscacert', { type: 'string', requiresArg: true, describe: 'CA certificate (default: $DOCKER_CERT_PATH/ca.pem, else ~/.docker/ca.pem)' })
    .option('tlscert', { type: 'string', requiresArg: true, describe: 'Client certificate (default: $DOCKER_CERT_PATH/cert.pem)' })
    .option('tlskey', { type: 'string', requiresArg: true, describe: 'Client key (default: $DOCKER_CERT_PATH/key.pem)' })
    .option('job', {
      type: 'string',
      requiresArg: true,
      describe:
        "A bundle focused on one container_manager job (its id): its record, its containers with full logs, the engines' events of its lifetime (needs the Django project)",
    })
    .group(['docker-host', 'tls', 'tlsverify', 'tlscacert', 'tlscert', 'tlskey'], 'Docker:')
    .option('env-file', {
      type: 'string',
      requiresArg: true,
      array: true,
      describe: '.env-style file to store (redacted) and check for invalid lines, repeatable',
    })
    .option('issue-only', {
      type: 'boolean',
      default: false,
      describe: 'Also write ISSUE.md beside the bundle (<bundle>.ISSUE.md, with its sha256) for pasting into an issue',
    })
    .option('analyze', { type: 'boolean', default: true, describe: 'Run the analyzers and write findings.json (--no-analyze to skip)' })
    .group(['env-file', 'issue-only', 'analyze'], 'Analysis:')
    .option('json', { type: 'boolean', default: false, describe: 'Print a machine-readable summary on stdout' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print only errors on stderr' })
    .option('verbose', { type: 'boolean', default: false, describe: 'Also print debug messages' })
    .option('profile', {
      type: 'boolean',
      default: false,
      describe: 'After the run, print where its time went per phase and per collector on stderr (the manifest keeps it as timings)',
    });
  return collectorOptions(common);
}

/** Options of the analyzers; shared by collect and analyze. */
export function analysisOptions(y: Argv): Argv {
  return y
    .option('fail-on', {
      type: 'string',
      requiresArg: true,
      choices: ['error', 'warning'],
      describe: 'Exit 4 when a finding of this severity (or worse) exists',
    })
    .option('pending-threshold', { type: 'string', requiresArg: true, describe: 'A job pending longer than this is stuck (15m, 2h); default 15m' })
    .group(['fail-on', 'pending-threshold'], 'Analysis:');
}

/** One option of a command, as data: yargs gets it through `.option()`, the fast path (fast-path.ts) reads it directly. */
export interface FlagDecl {
  readonly name: string;
  readonly type: 'string' | 'boolean';
  /** One value per occurrence, repeatable (yargs `array: true` with greedy arrays off). */
  readonly array?: boolean;
  readonly default?: boolean;
  readonly alias?: string;
  readonly describe: string;
}

/** The options that change what counts as a secret; shared by collect, redact and verify. */
export const REDACTION_FLAGS: readonly FlagDecl[] = [
  {
    name: 'redaction-key-file',
    type: 'string',
    describe: 'Key for redaction tags (created 0600 if missing); default: a per-installation key in ~/.config/collect-bundle/redaction.key',
  },
  {
    name: 'stable-tokens',
    type: 'boolean',
    default: true,
    describe: 'Same secret, same tag across bundles (use --no-stable-tokens for a fresh random key per run)',
  },
  { name: 'redact-pattern', type: 'string', array: true, describe: 'Extra rule, repeatable: a regex; with a capture group only the group is redacted' },
  {
    name: 'redact-literals-file',
    type: 'string',
    array: true,
    describe: 'File of known secrets, one per line, removed wherever they appear (also URL-encoded, base64, JSON-escaped)',
  },
  {
    name: 'redact-key',
    type: 'string',
    array: true,
    describe: 'Extra secret key name, repeatable (e.g. ACME_CODE): its values are redacted like PASSWORD',
  },
  { name: 'allow', type: 'string', array: true, describe: 'Value never redacted, repeatable: a regex matching the whole value' },
  {
    name: 'pseudonymize',
    type: 'boolean',
    describe:
      'Replace host names, IP and MAC addresses, user names, home paths and e-mail addresses by stable pseudonyms (map kept next to the key; see collect-bundle unmask)',
  },
];

/** The `redact` command's own options (besides the redaction options and its `files` positional). */
export const REDACT_COMMAND_FLAGS: readonly FlagDecl[] = [
  { name: 'output', alias: 'o', type: 'string', describe: 'Write to this file (0600) instead of stdout' },
  { name: 'explain', type: 'boolean', default: false, describe: 'Print file:line:column: rule for every redaction to stderr (never the secret)' },
];

/** `collect` only (not `schedule`): ways to run the command once, so not config keys either. */
export function oneRunOptions(y: Argv): Argv {
  return y
    .option('dry-run', {
      type: 'boolean',
      default: false,
      describe: 'Show what would be collected (collectors and why each runs or not, commands, files, engines, containers, log limits) and exit; writes nothing',
    })
    .option('review', {
      type: 'boolean',
      default: false,
      describe:
        'Collect and redact, then show the files, sizes, redaction counts and findings and ask before the bundle is written (needs a terminal, or --yes)',
    });
  // --yes (answer yes to the --review question too) is declared with the upload options (UPLOAD_FLAGS).
}

/** `flags` as yargs options: a string option always requires its value. */
export function declare(y: Argv, flags: readonly FlagDecl[]): Argv {
  let out = y;
  for (const f of flags)
    out = out.option(f.name, {
      type: f.type,
      ...(f.type === 'string' ? { requiresArg: true } : {}),
      ...(f.array ? { array: true } : {}),
      ...(f.default !== undefined ? { default: f.default } : {}),
      ...(f.alias ? { alias: f.alias } : {}),
      describe: f.describe,
    });
  return out;
}

/** Options that change what counts as a secret; shared by collect, redact and verify. */
export function redactionOptions(y: Argv): Argv {
  return declare(y, REDACTION_FLAGS).group(
    REDACTION_FLAGS.map((f) => f.name),
    'Redaction:',
  );
}

/** Options of the upload step (`upload`, `collect --upload`); every one is also a config key under `upload`. */
export const UPLOAD_FLAGS: readonly FlagDecl[] = [
  {
    name: 'upload-field',
    type: 'string',
    describe: 'Send the bundle as a multipart/form-data POST in this form field (default: an HTTP PUT of the bytes, as presigned URLs expect)',
  },
  {
    name: 'upload-token-env',
    type: 'string',
    describe: 'Name of an environment variable holding a token, sent as "Authorization: Bearer …" (never give the token itself on the command line)',
  },
  { name: 'upload-token-file', type: 'string', describe: 'File holding a token (first line), sent as "Authorization: Bearer …"' },
  { name: 'upload-known-hosts', type: 'string', describe: "sftp:// only: the known_hosts file to check the server key against (default: ssh's own)" },
  {
    name: 's3-endpoint',
    type: 'string',
    describe: 's3:// only: an S3-compatible endpoint URL (MinIO, Ceph, R2), addressed path-style (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS)',
  },
  {
    name: 'yes',
    alias: 'y',
    type: 'boolean',
    describe: 'Never ask: upload without asking on a terminal; with --review, print the review and write the bundle',
  },
];

/**
 * The sharing options: encryption and the upload after the bundle is written. `schedule` has no `--yes`:
 * it never asks (it has no terminal), so giving the upload's destination is the consent.
 */
export function shareOptions(y: Argv, options: { readonly ask?: boolean } = {}): Argv {
  const flags = options.ask === false ? UPLOAD_FLAGS.filter((f) => f.name !== 'yes') : UPLOAD_FLAGS;
  return declare(
    y
      .option('encrypt-to', {
        type: 'string',
        requiresArg: true,
        array: true,
        describe:
          'Encrypt the bundle for this recipient (age1…, or an ssh-ed25519/ssh-rsa public key line), repeatable: <name>.tar.gz.age, never plaintext on disk',
      })
      .option('encrypt-to-file', {
        type: 'string',
        requiresArg: true,
        describe: 'File of recipients (age1… or ssh public keys, e.g. GitHub USER.keys), one a line (# comments)',
      })
      .option('upload', {
        type: 'string',
        requiresArg: true,
        describe: 'After writing the bundle, upload it: https://… (PUT, or POST with --upload-field), sftp://user@host[:port]/path or s3://BUCKET/KEY',
      }),
    flags,
  ).group(['encrypt-to', 'encrypt-to-file', 'upload', ...flags.map((f) => f.name)], 'Sharing:');
}

/** The `upload` command's options. */
export function uploadOptions(y: Argv): Argv {
  return declare(y, UPLOAD_FLAGS).group(
    UPLOAD_FLAGS.map((f) => f.name),
    'Upload:',
  );
}
