// Room: cli (src/cli/) — may import every room; the only place that prints errors and calls process.exit.
/**
 * The yargs command line: every command, option, example and the help text. Loaded by main.ts with
 * import() only when the fast path (fast-path.ts) cannot take the command line: yargs alone costs about
 * 0.2 s CPU to import, more than the rest of `--version` or `redact` of an empty file.
 */
import yargs from 'yargs';
import type { YargsOptionsView } from '../config/layers.js';
import { errorMessage } from '../core/artifacts.js';
import { CliError } from '../core/errors.js';
import { TOOL } from '../core/version.js';
import { analysisOptions, collectOptions, declare, oneRunOptions, REDACT_COMMAND_FLAGS, redactionOptions, shareOptions, uploadOptions } from './builders.js';
import type { CliIo, ParsedCommand } from './io.js';
import type { MessageRedactor } from './messages.js';
import { registerSchedule, runSchedule } from './schedule.js';

const EPILOG = `Exit codes:
  0    bundle written, every collector succeeded (or was skipped)
  1    fatal: no bundle written (output not writable, disk full, internal error)
  2    usage or configuration error (also an input that is a FIFO, a directory or a device)
  3    bundle written but partial: a collector failed, timed out or lost output, or a plugin failed
  4    --fail-on: bundle written (or analyzed) and a finding of that severity exists
  5    upload / --upload: the upload was refused, unreachable or arrived different (the bundle is kept)
  130  interrupted (Ctrl-C / SIGTERM): no bundle and no temporary files left behind;
       a second Ctrl-C / SIGTERM ends the process at once (by SIGINT: shells show 130)

The bundle is <output-dir>/collect-bundle-<host>[-<label>]-<UTC time>-<random>.tar.gz (mode 0600;
.tar.gz.age with --encrypt-to) with a .sha256 file beside it. Every byte in it has been redacted. Progress goes to stderr.`;

/**
 * Parses `args` with yargs (the middleware applies the config layers); resolves to the command's action,
 * and its parsed arguments; neither when yargs printed --help / --version and there is nothing to run. Throws CliError.
 */
export async function parseWithYargs(args: readonly string[], io: CliIo, messages: MessageRedactor): Promise<ParsedCommand> {
  let action: (() => Promise<number>) | undefined;
  let parsed: Record<string, unknown> | undefined;
  const parser = yargs([...args])
    .scriptName('collect-bundle')
    // Every word of ours is English: yargs' own (headings, its parse errors) too, whatever LANG says,
    // so --help and docs/options.md read the same everywhere.
    .locale('en')
    // A repeatable option takes one value per occurrence: `redact --redact-literals-file S FILE` redacts FILE.
    .parserConfiguration({ 'greedy-arrays': false })
    .usage('$0 [collect] [options]\n\nCollect diagnostics of a Django + Docker system, redact every secret, and pack them into one .tar.gz.')
    .option('config', {
      type: 'string',
      requiresArg: true,
      describe:
        'Configuration file to use (default: collect-bundle.config.{json,yaml,yml,mjs,js,cjs}, .collect-bundlerc[.json|.yaml|.yml|.mjs|.js|.cjs] or package.json "collect-bundle", searched from the current directory up, skipping files others could have written); --no-config ignores every file',
    })
    // Config file < COLLECT_BUNDLE_* environment < flags, for every command built on the collect or redaction options.
    .middleware((async (argv: Record<string, unknown>, y: YargsOptionsView) => {
      const [{ applyConfig }, { configWarning, loadBuiltins }, { settableFlags }] = await Promise.all([
        import('../config/layers.js'),
        import('./options.js'),
        import('./settable.js'),
      ]);
      await applyConfig(argv, y, { env: io.env, settable: settableFlags(y), builtins: loadBuiltins, warn: configWarning(io, messages) });
    }) as never)
    .command(
      ['collect', '$0'],
      'Collect a support bundle (the default command)',
      (y) => shareOptions(redactionOptions(analysisOptions(oneRunOptions(collectOptions(y))))),
      (argv) => {
        parsed = argv;
        action = async () => (await import('./collect.js')).runCollect(argv, args, io);
      },
    )
    .command(
      'redact [files..]',
      'Print files (or stdin) with every secret redacted; inputs are never modified',
      (y) =>
        declare(
          redactionOptions(y).positional('files', { type: 'string', array: true, describe: 'Files to redact; none or - reads stdin' }),
          REDACT_COMMAND_FLAGS,
        )
          .example('$0 redact app.log > app.redacted.log', 'Redact a log before pasting it into an issue')
          .example('docker logs web 2>&1 | $0 redact --explain', 'Redact a stream and say what was removed where'),
      (argv) => {
        parsed = argv;
        action = async () => (await import('./redact.js')).runRedact(argv, io);
      },
    )
    .command(
      'config',
      'Show the effective configuration and the file it came from (--print, the default), or check a file (--validate FILE)',
      (y) =>
        y
          .option('print', {
            type: 'boolean',
            default: false,
            describe: 'Print the merged options (file < COLLECT_BUNDLE_* environment), where each came from, and the file',
          })
          .option('validate', { type: 'string', requiresArg: true, describe: 'Check this configuration file: exit 0 when valid, 2 with one line per problem' })
          .example('$0 config --print', 'Which file is used and what it sets')
          .example('$0 config --validate ops/collect-bundle.config.yaml', 'Check a file before deploying it'),
      (argv) => {
        parsed = argv;
        action = async () => (await import('./config.js')).runConfig(argv, io);
      },
    )
    .command(
      'unmask [file]',
      'Print a reply (or any text) with the pseudonyms of --pseudonymize turned back into real names (needs the map next to your redaction key)',
      (y) =>
        y
          .positional('file', { type: 'string', describe: 'The text to unmask; none or - reads stdin' })
          .option('map', { type: 'string', requiresArg: true, array: true, describe: 'Pseudonym map file (default: every map next to the redaction key)' })
          .option('redaction-key-file', {
            type: 'string',
            requiresArg: true,
            describe: 'The key whose folder holds the maps (default: the per-installation key)',
          })
          .option('quiet', { type: 'boolean', default: false, describe: 'Do not print the count of replacements' })
          .example('pbpaste | $0 unmask -', 'Read a support reply with real host names and addresses'),
      (argv) => {
        parsed = argv;
        action = async () => (await import('./unmask.js')).runUnmask(argv, io);
      },
    )
    .command(
      'verify <bundle>',
      'Check a bundle: structure, manifest checksums, sidecar, and a rescan for unredacted secrets (exit 0 clean, 1 problems)',
      (y) =>
        redactionOptions(y)
          .positional('bundle', { type: 'string', describe: 'The .tar.gz bundle' })
          .option('identity', {
            type: 'string',
            requiresArg: true,
            describe:
              'age identity file (AGE-SECRET-KEY-1…) or unencrypted ssh private key (id_ed25519, id_rsa) to read an encrypted bundle (.tar.gz.age) with; nothing decrypted is written to disk',
          })
          .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON' }),
      (argv) => {
        parsed = argv;
        action = async () => (await import('./verify.js')).runVerify(argv, io);
      },
    )
    .command(
      'analyze <bundle>',
      'Run the analyzers over an existing bundle and print the findings (read-only; exit 4 with --fail-on when one matches)',
      (y) =>
        redactionOptions(analysisOptions(y))
          .positional('bundle', { type: 'string', describe: 'The .tar.gz bundle' })
          .option('identity', {
            type: 'string',
            requiresArg: true,
            describe:
              'age identity file (AGE-SECRET-KEY-1…) or unencrypted ssh private key (id_ed25519, id_rsa) to read an encrypted bundle (.tar.gz.age) with; nothing decrypted is written to disk',
          })
          .option('env-file', {
            type: 'string',
            requiresArg: true,
            array: true,
            describe: '.env-style file to check as well (read and redacted in memory only)',
          })
          .option('docs-url', {
            type: 'string',
            requiresArg: true,
            describe:
              "TROUBLESHOOTING.md's web address for the findings' links (absolute where the text is pasted); default: the package's repository, else relative",
          })
          .option('json', { type: 'boolean', default: false, describe: 'Print findings.json to stdout' }),
      (argv) => {
        parsed = argv;
        action = async () => (await import('./analyze.js')).runAnalyze(argv, io);
      },
    )
    .command(
      'inspect <bundle>',
      'Summarise a bundle without extracting it: run, collectors, findings, redactions, largest files, checks',
      (y) =>
        y
          .positional('bundle', { type: 'string', describe: 'The .tar.gz bundle' })
          .option('identity', {
            type: 'string',
            requiresArg: true,
            describe:
              'age identity file (AGE-SECRET-KEY-1…) or unencrypted ssh private key (id_ed25519, id_rsa) to read an encrypted bundle (.tar.gz.age) with; nothing decrypted is written to disk',
          })
          .option('json', { type: 'boolean', default: false, describe: 'Print the summary as one JSON document' })
          .option('file', {
            type: 'string',
            requiresArg: true,
            describe: 'Print this file of the bundle to stdout instead (e.g. docker/local/ps.txt; control characters escaped on a terminal)',
          })
          .example('$0 inspect bundles/collect-bundle-web1-20261128T143924Z-k3v9qa.tar.gz', 'What is in a bundle')
          .example('$0 inspect BUNDLE --file django/migrations.json | jq .', 'One file of it')
          .epilog(
            'Exit codes: 0 ok; 1 the file is not a readable bundle (damaged, not a .tar.gz, no manifest.json); 2 no such bundle or no such --file in it.',
          ),
      (argv) => {
        parsed = argv;
        action = async () => (await import('./inspect.js')).runInspect(argv, io);
      },
    )
    .command(
      'view <bundle>',
      "Write a bundle's HTML report (made now, through the current analyzers) to a private temporary folder and print its path",
      (y) =>
        y
          .positional('bundle', { type: 'string', describe: 'The .tar.gz bundle (any version)' })
          .option('open', { type: 'boolean', default: false, describe: 'Open the report with xdg-open' })
          .option('docs-url', { type: 'string', requiresArg: true, describe: "TROUBLESHOOTING.md's web address for the finding links" })
          .example('$0 view BUNDLE --open', 'Look at a bundle in the browser')
          .epilog('Exit codes: 0 written; 1 the file is not a readable bundle; 2 no such file.'),
      (argv) => {
        parsed = argv;
        action = async () => (await import('./view.js')).runView(argv, io);
      },
    )
    .command(
      'diff [old] [new]',
      'What changed between two bundles: containers, versions, migrations, findings, jobs, disk and memory',
      (y) =>
        y
          .positional('old', { type: 'string', describe: 'The earlier bundle (.tar.gz)' })
          .positional('new', { type: 'string', describe: 'The later bundle (.tar.gz)' })
          .option('identity', {
            type: 'string',
            requiresArg: true,
            describe:
              'age identity file (AGE-SECRET-KEY-1…) or unencrypted ssh private key (id_ed25519, id_rsa) to read an encrypted bundle (.tar.gz.age) with; nothing decrypted is written to disk',
          })
          .option('latest', { type: 'string', requiresArg: true, describe: 'Compare the two newest bundles in this directory (by the time in their names)' })
          .option('json', { type: 'boolean', default: false, describe: 'Print the differences as one JSON document' })
          .option('html', { type: 'string', requiresArg: true, describe: 'Also write the differences as a self-contained HTML page to this file' })
          .example('$0 diff before.tar.gz after.tar.gz', 'What changed between two snapshots')
          .example('$0 diff --latest /var/lib/collect-bundle', 'The two newest bundles a schedule wrote')
          .epilog('Exit codes (like diff(1)): 0 no differences; 1 differences found; 2 trouble (a bundle missing or unreadable, wrong arguments).'),
      (argv) => {
        parsed = argv;
        action = async () => (await import('./diff.js')).runDiff(argv, io);
      },
    )
    .command(
      'upload <bundle> <dest>',
      'Upload a bundle: https://… (PUT, or POST with --upload-field), sftp://user@host[:port]/path or s3://BUCKET/KEY (multipart, resumable); retries, checks what arrived (exit 5 when it failed)',
      (y) =>
        uploadOptions(y)
          .positional('bundle', { type: 'string', describe: 'The bundle (.tar.gz or .tar.gz.age)' })
          .positional('dest', {
            type: 'string',
            describe: 'https://… (a presigned URL works as is), http://…, sftp://user@host[:port]/path or s3://BUCKET/KEY',
          })
          .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print only errors on stderr' })
          .example('$0 upload BUNDLE.tar.gz.age "https://bucket.s3.amazonaws.com/x?X-Amz-Signature=…"', 'PUT to a presigned URL')
          .example('TOKEN=… $0 upload BUNDLE https://support.example.com/api/upload --upload-field file --upload-token-env TOKEN', 'POST a form')
          .example('$0 upload BUNDLE sftp://drop@files.example.com/incoming/', 'Through the system sftp')
          .example('$0 upload BUNDLE s3://support-drop/incoming/', 'To S3 (credentials from the AWS environment or ~/.aws); run again to resume'),
      (argv) => {
        parsed = argv;
        action = async () => (await import('./upload.js')).runUpload(argv, io);
      },
    )
    .command(
      'schedule',
      'Collect a bundle every interval or on a cron expression, keep the newest ones, never two runs at once',
      (y) => registerSchedule(shareOptions(redactionOptions(analysisOptions(collectOptions(y))), { ask: false })),
      (argv) => {
        parsed = argv;
        action = async () => {
          const [{ buildCollectOptions, recipientsFromArgv, recordedArgs }, { envFilesFromArgv }] = await Promise.all([
            import('./collect.js'),
            import('./options.js'),
          ]);
          // Recipients are checked before the first run; every bundle is then written encrypted.
          const encryptTo = await recipientsFromArgv(argv);
          return runSchedule(argv, args, io, {
            ...(await buildCollectOptions(argv, args, io)),
            envFiles: await envFilesFromArgv(argv),
            ...(encryptTo.length ? { encryptTo } : {}),
            ...(encryptTo.length || argv['upload'] !== undefined ? { commandLine: await recordedArgs(['collect-bundle', ...args]) } : {}),
          });
        };
      },
    )
    .example('$0', 'Bundle this machine into the current directory')
    .example('$0 -o /tmp/bundles --label before-upgrade', 'Name the bundle and choose where it goes')
    .example('$0 --only docker --timeout 20 --json', 'Docker only, machine-readable summary')
    .example('$0 --skip system --title "Jobs stuck in pending"', 'Skip a collector, set the ISSUE.md title')
    .example(
      '$0 --only docker --docker-host ssh://ci@exec1 --docker-host tcp://exec2:2376 --tlsverify --since 6h',
      'Several Docker engines in one run, the last 6 hours',
    )
    .example(
      '$0 --django-dir /srv/app --settings app.settings.prod --python /srv/app/.venv/bin/python',
      'Point at the Django project, its settings and its interpreter',
    )
    .epilog(EPILOG)
    .strict()
    .version(TOOL.version)
    .alias('h', 'help')
    .help()
    .wrap(Math.min(110, (io.stderr as { columns?: number }).columns ?? 100))
    .exitProcess(false)
    .fail((msg, err) => {
      if (err instanceof CliError) throw err;
      throw new CliError(msg ?? errorMessage(err), 'E_USAGE');
    });
  skipHelpCache(parser);
  await parser.parseAsync();
  return action && parsed ? { action, argv: parsed } : {};
}

/**
 * yargs renders the whole help text of a command right after calling its handler, on every run, so that
 * an async handler could still print it later (usage.cacheHelpMessage). Our handlers only choose an
 * action and never print help, so that render is pure cost: measuring widths loads Intl.Segmenter
 * (string-width) and took about 0.14 s of the 0.37 s CPU that `redact` of an empty file used. `--help`
 * and usage errors render help themselves and are unaffected. The hook is yargs-internal; if a yargs
 * version drops it, this does nothing and the run is only slower.
 */
function skipHelpCache(parser: unknown): void {
  const usage = (parser as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: unknown } } })
    .getInternalMethods?.()
    .getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}
