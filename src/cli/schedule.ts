// Room: cli (src/cli/) — may import every room; the only place that prints errors and calls process.exit (the rule: tests/architecture.test.ts).
/**
 * The `schedule` command's options and its thin call into the library (`schedule`, `prune`, and the
 * systemd/cron printers). Beside src/cli/main.ts, which only registers the command; like the rest
 * of the CLI it throws CliError and leaves printing errors and the exit to src/cli/main.ts.
 */
import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { errorMessage } from '../core/artifacts.js';
import type { CliIo } from './io.js';
import { MessageRedactor } from './messages.js';
import type { CollectOptions } from '../config/options.js';
import { CliError, EXIT } from '../core/errors.js';
import { isSecretKeyName } from '../../redaction/keys.js';
import type { RetentionPolicy } from '../schedule/retention.js';
import type { Trigger } from '../schedule/schedule.js';
import { formatBytes, parseDuration, parseSize } from '../core/units.js';

const SCHEDULE_OPTIONS = [
  'every',
  'cron',
  'timezone',
  'run-now',
  'max-runs',
  'keep',
  'max-age',
  'max-total-size',
  'min-free',
  'prune-only',
  'print-systemd',
  'print-cron',
];

/** Adds the schedule options to the collect options builder. */
export function registerSchedule(y: Argv): Argv {
  return y
    .option('every', { type: 'string', requiresArg: true, describe: 'Run every DURATION (30s, 15m, 1h); the first run starts at once unless --no-run-now' })
    .option('cron', { type: 'string', requiresArg: true, describe: 'Run on a cron expression ("*/15 * * * *", "0 3 * * MON-FRI"; 6 fields add seconds)' })
    .option('timezone', {
      type: 'string',
      requiresArg: true,
      describe: 'Time zone of --cron and of the logged times (IANA name, e.g. Europe/Berlin); default: the local zone',
    })
    .option('run-now', { type: 'boolean', describe: 'Run once at start (default: yes with --every, no with --cron)' })
    .option('max-runs', { type: 'number', requiresArg: true, describe: 'Stop after N runs (skipped runs count) and exit 0' })
    .option('keep', { type: 'number', requiresArg: true, describe: 'After each run keep only the newest N bundles' })
    .option('max-age', {
      type: 'string',
      requiresArg: true,
      describe: 'After each run delete bundles older than DURATION (7d, 12h); the newest is always kept',
    })
    .option('max-total-size', {
      type: 'string',
      requiresArg: true,
      describe: 'After each run delete the oldest bundles until all take at most SIZE (5GiB); the newest is always kept',
    })
    .option('min-free', {
      type: 'string',
      requiresArg: true,
      describe: 'Skip a run when less than SIZE would stay free on the output disk after it (default 0)',
    })
    .option('prune-only', { type: 'boolean', describe: 'Apply --keep/--max-age/--max-total-size once and exit (for cron or a systemd timer)' })
    .option('print-systemd', { type: 'boolean', describe: 'Print a collect-bundle.service + .timer pair for these options and exit' })
    .option('print-cron', { type: 'boolean', describe: 'Print a crontab line for these options and exit' })
    .group(SCHEDULE_OPTIONS, 'Schedule:')
    .example('$0 schedule --every 15m --keep 96 -o /var/lib/collect-bundle', 'A snapshot every 15 minutes, the last day kept')
    .example('$0 schedule --cron "0 3 * * *" --timezone Europe/Berlin --max-age 30d -o /srv/snapshots', 'Nightly at 03:00 Berlin time, a month kept')
    .example('$0 schedule --every 1h --keep 48 -o /var/lib/collect-bundle --print-systemd', 'The same as a systemd timer instead')
    .example('$0 schedule --every 6h --keep 8 --encrypt-to-file support.keys --upload sftp://drop@files.example.com/in/', 'Encrypted snapshots, each uploaded')
    .epilog(
      `Runs in the foreground, one log line per run on stderr. Holds <output-dir>/.collect-bundle.lock while it runs; a second scheduler on the same directory exits 2. Retention only ever deletes collect-bundle's own bundles (name and manifest checked; for a .tar.gz.age, its .sha256) with their .sha256 and .ISSUE.md. With --encrypt-to every bundle is written encrypted; with --upload each is uploaded after it is written, without asking (a failed upload is said in the run's line and the bundle kept). SIGTERM/SIGINT stop the current run without leftovers and exit 0.`,
    );
}

const usage = (flag: string, err: unknown): CliError => new CliError(`--${flag}: ${errorMessage(err)}`, 'E_USAGE');

/** The retention policy of the command line (may be empty). */
function retentionFromArgv(argv: Record<string, unknown>): RetentionPolicy {
  const policy: { -readonly [K in keyof RetentionPolicy]: RetentionPolicy[K] } = {};
  if (argv['keep'] !== undefined) {
    const keep = argv['keep'];
    if (typeof keep !== 'number' || !Number.isInteger(keep) || keep < 1)
      throw new CliError('--keep must be a whole number of at least 1 (the newest N bundles are kept)', 'E_USAGE');
    policy.keep = keep;
  }
  if (argv['max-age'] !== undefined) {
    try {
      policy.maxAgeMs = parseDuration(String(argv['max-age']));
    } catch (err) {
      throw usage('max-age', err);
    }
  }
  if (argv['max-total-size'] !== undefined) {
    try {
      policy.maxTotalBytes = parseSize(String(argv['max-total-size']));
    } catch (err) {
      throw usage('max-total-size', err);
    }
    if (policy.maxTotalBytes <= 0) throw new CliError('--max-total-size must be more than 0', 'E_USAGE');
  }
  return policy;
}

/** `--every` or `--cron`, exactly one. */
function triggerFromArgv(argv: Record<string, unknown>): Trigger {
  const every = argv['every'];
  const cron = argv['cron'];
  if (every !== undefined && cron !== undefined) throw new CliError('--every and --cron exclude each other: give one of them', 'E_USAGE');
  if (every === undefined && cron === undefined)
    throw new CliError('schedule needs --every DURATION (e.g. 15m) or --cron "EXPR" (e.g. "0 3 * * *")', 'E_USAGE');
  if (cron !== undefined) {
    if (String(cron).trim() === '') throw new CliError('--cron needs an expression, e.g. "*/15 * * * *"', 'E_USAGE');
    return { cron: String(cron).trim() };
  }
  let ms: number;
  try {
    ms = parseDuration(String(every));
  } catch (err) {
    throw usage('every', err);
  }
  if (ms < 1000) throw new CliError(`--every must be at least 1s, got "${String(every)}"`, 'E_USAGE');
  return { every: ms };
}

/** Environment a plain collect depends on, for the printed service/crontab. */
const PASSED_ENV = ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_CONFIG', 'XDG_CONFIG_HOME'];
/** With --upload: what the AWS SDK reads for s3:// (credentials, profile, region, endpoint). */
const UPLOAD_ENV = [
  'AWS_PROFILE',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_CONFIG_FILE',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_S3',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
];
/** Of UPLOAD_ENV, the ones that go to the 0600 environment file whatever the redaction options say. */
const UPLOAD_SECRET_ENV = new Set(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']);

/** `collect-bundle schedule ...`: exit 0 when stopped by the signal or --max-runs, or after printing. */
export async function runSchedule(argv: Record<string, unknown>, rawArgs: readonly string[], io: CliIo, collect: CollectOptions): Promise<number> {
  // The scheduler (croner, the run) and the config layer load when the command runs, not for --help.
  const [
    { checkTimeZone, localTimeZone, prune, schedule, timetable },
    { collectArgsFrom, printCron, printSystemd },
    { envFileText, splitSecrets, writeSecretEnvFile },
    { configOf, ENV_PREFIX },
  ] = await Promise.all([
    import('../schedule/schedule.js'),
    import('../schedule/system-scheduler.js'),
    import('../schedule/secret-env.js'),
    import('../config/config.js'),
  ]);
  // Run lines quote errors (a failed run's cause, a path): redacted like every message (messages.ts).
  const redact = await new MessageRedactor().ready();
  const log = (line: string): void => void io.stderr.write(`${redact(line)}\n`);
  if (argv['job'] !== undefined) throw new CliError('--job makes a one-off bundle; use collect --job', 'E_USAGE');
  const retention = retentionFromArgv(argv);
  const hasPolicy = Object.keys(retention).length > 0;
  const outputDir = resolve(collect.outputDir);
  const pruneArgs = [
    'schedule',
    '--prune-only',
    '--output-dir',
    outputDir,
    ...(['keep', 'max-age', 'max-total-size'] as const).flatMap((k) => (argv[k] !== undefined ? [`--${k}`, String(argv[k])] : [])),
  ];
  if (argv['prune-only']) {
    if (!hasPolicy) throw new CliError('--prune-only needs --keep, --max-age or --max-total-size', 'E_USAGE');
    const result = await prune({ outputDir, retention, log });
    for (const d of result.deleted) log(`deleted ${d.name} (${formatBytes(d.bytes)}, ${d.reason})`);
    for (const f of result.failed) log(`could not delete ${f.name}: ${f.error}`);
    log(`collect-bundle: ${result.deleted.length} bundle${result.deleted.length === 1 ? '' : 's'} deleted, ${result.kept.length} kept in ${outputDir}`);
    return result.failed.length ? EXIT.fatal : EXIT.complete;
  }
  const trigger = triggerFromArgv(argv);
  let timezone: string;
  try {
    timezone = checkTimeZone(argv['timezone'] !== undefined ? String(argv['timezone']) : localTimeZone());
  } catch (err) {
    throw new CliError(errorMessage(err), 'E_USAGE');
  }
  if (argv['print-systemd'] || argv['print-cron']) {
    if (argv['print-systemd'] && argv['print-cron']) throw new CliError('--print-systemd and --print-cron exclude each other: give one of them', 'E_USAGE');
    try {
      timetable(trigger, timezone); // what the scheduler itself would refuse is not printed either
    } catch (err) {
      throw new CliError(errorMessage(err), 'E_USAGE');
    }
    const env: Record<string, string> = {};
    for (const k of PASSED_ENV) if (io.env[k]) env[k] = io.env[k]!;
    // The upload needs its token variable and the AWS settings in the service too, or every run fails.
    const tokenVar = argv['upload-token-env'] !== undefined ? String(argv['upload-token-env']) : undefined;
    if (argv['upload'] !== undefined) {
      for (const k of UPLOAD_ENV) if (io.env[k]) env[k] = io.env[k]!;
      if (tokenVar && io.env[tokenVar]) env[tokenVar] = io.env[tokenVar]!;
    }
    // The options set through the environment, except the config choice (passed as --config/--no-config).
    for (const [k, v] of Object.entries(io.env).sort(([x], [y]) => x.localeCompare(y))) {
      if (k.startsWith(ENV_PREFIX) && v !== undefined && k !== `${ENV_PREFIX}CONFIG`) env[k] = v;
    }
    const cwd = process.cwd();
    const config = argv['config'] === false ? null : (configOf(argv)?.file ?? null);
    // A unit file or crontab is no place for a secret: secret by name or by content (the run's own
    // redaction options), it goes to an environment file of mode 0600 beside the bundles (secret-env.ts).
    const redactionSecret = await secretTest(argv, io.env);
    const isSecret = (value: string, name?: string): boolean =>
      (name !== undefined && (name === tokenVar || UPLOAD_SECRET_ENV.has(name))) || redactionSecret(value, name);
    const split = splitSecrets(
      {
        env,
        collectArgs: collectArgsFrom(rawArgs, outputDir, { cwd, config }),
        ...(hasPolicy ? { pruneArgs: [...pruneArgs, ...(config === null ? ['--no-config'] : ['--config', config])] } : {}),
      },
      isSecret,
    );
    const format = argv['print-systemd'] ? 'systemd' : 'sh';
    const secretNames = Object.keys(split.secretEnv);
    const envFile = secretNames.length ? join(outputDir, format === 'systemd' ? 'collect-bundle.env' : 'collect-bundle.cron.env') : undefined;
    const options = {
      trigger,
      timezone,
      localZone: localTimeZone(),
      // `--` as in bin's shebang: Node must not read the command's own --env-file (nodejs/node#54232).
      program: [process.execPath, '--', resolve(process.argv[1] ?? 'collect-bundle')],
      ...split,
      ...(envFile ? { envFile, secretNames } : {}),
      cwd,
    };
    let text: string;
    try {
      text = argv['print-systemd'] ? printSystemd(options) : printCron(options);
    } catch (err) {
      throw new CliError(errorMessage(err), 'E_USAGE');
    }
    if (envFile) {
      try {
        await writeSecretEnvFile(envFile, envFileText(split.secretEnv, format));
      } catch (err) {
        throw new CliError(`cannot write the environment file for the secrets (${errorMessage(err)}): check that ${outputDir} is writable`, 'E_OUTPUT');
      }
      io.stderr.write(
        `collect-bundle: wrote ${secretNames.length} secret value(s) (${secretNames.join(', ')}) to ${envFile} (mode 0600); the ${format === 'systemd' ? 'unit reads' : 'crontab line sources'} it\n`,
      );
    }
    io.stdout.write(text);
    return EXIT.complete;
  }
  let minFreeBytes: number | undefined;
  if (argv['min-free'] !== undefined) {
    try {
      minFreeBytes = parseSize(String(argv['min-free']));
    } catch (err) {
      throw usage('min-free', err);
    }
  }
  const maxRuns = argv['max-runs'];
  if (maxRuns !== undefined && (typeof maxRuns !== 'number' || !Number.isInteger(maxRuns) || maxRuns < 1))
    throw new CliError('--max-runs must be a whole number of at least 1', 'E_USAGE');
  // --upload / upload.to: the destination and the token are checked before the first run; never asked
  // (no terminal), so giving the destination is the consent.
  let upload: { dest: string; options: Awaited<ReturnType<typeof import('./upload.js').uploadOptionsFromArgv>> } | undefined;
  if (argv['upload'] !== undefined) {
    const dest = String(argv['upload']);
    const [{ parseDestination, preflightUpload }, { uploadOptionsFromArgv }] = await Promise.all([import('../run/upload.js'), import('./upload.js')]);
    parseDestination(dest);
    const { signal: _signal, ...options } = await uploadOptionsFromArgv(argv, io);
    // s3://: credentials and the endpoint, as `collect --upload` checks them (exit 2 before the first run).
    await preflightUpload(dest, { ...options, signal: io.signal, log: (line) => void io.stderr.write(`collect-bundle: warning: ${line}\n`) });
    upload = { dest, options };
  }
  // One line per run: the collection's own progress only with --verbose.
  const quietCollect: CollectOptions = { ...collect, progress: undefined };
  await schedule({
    collect: argv['verbose'] ? collect : quietCollect,
    trigger,
    timezone,
    ...(argv['run-now'] !== undefined ? { runNow: Boolean(argv['run-now']) } : {}),
    ...(hasPolicy ? { retention } : {}),
    ...(typeof maxRuns === 'number' ? { maxRuns } : {}),
    ...(minFreeBytes !== undefined ? { minFreeBytes } : {}),
    signal: io.signal,
    log,
    ...(upload ? { upload } : {}),
    ...(argv['fail-on'] === 'error' || argv['fail-on'] === 'warning' ? { failOn: argv['fail-on'] } : {}),
  });
  // Exit 0 even with --fail-on: the run lines say which bundles had findings at that level.
  return EXIT.complete;
}

/**
 * Whether a value of a printed unit is secret: its variable's name looks secret, or the run's redactor
 * (built-in rules plus the command's own rules, literals and secret keys; a throwaway key) changes it.
 */
async function secretTest(argv: Record<string, unknown>, env: CliIo['env']): Promise<(value: string, name?: string) => boolean> {
  const [{ setUpRedaction }, { redactionFromArgv }] = await Promise.all([import('../config/redaction-plan.js'), import('./options.js')]);
  const { keyFile: _keyFile, ...redaction } = redactionFromArgv(argv);
  // Only secrets count here: a host name that --pseudonymize would replace is not a secret.
  const { redactor } = await setUpRedaction({ ...redaction, ephemeralKey: true, pseudonymize: false }, env);
  return (value, name) => (name !== undefined && isSecretKeyName(name)) || redactor.value(value, 'schedule') !== value;
}
