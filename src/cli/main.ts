// Room: cli (src/cli/) — may import every room; the only place that prints errors and calls process.exit (the rule: tests/architecture.test.ts).
/**
 * The command line: argument parsing, the final summary and exit codes. The one place that prints
 * errors and decides how the process ends; every command is a thin call into the library.
 */
import yargs, { type Argv } from 'yargs';
import { DOCKER_DEFAULTS } from '../../collectors/docker.js';
import { parsePatterns } from '../../collectors/docker-containers.js';
import { ENV_FILE_MAX_BYTES, envFileSecrets } from '../../collectors/env-files.js';
import { builtinCollectors } from '../../collectors/index.js';
import { errorMessage } from '../core/artifacts.js';
import { access, constants, readFile, stat } from 'node:fs/promises';
import type { RedactionEvent } from '../../redaction/redactor.js';
import { verifyBundle } from '../bundle/verify.js';
import { diffBundles, diffLatest, renderDiff } from '../report/diff.js';
import { inspectBundle, renderInspect, writeBundleFile } from '../report/inspect.js';
import { openBundleView } from '../bundle/view.js';
import { formatFindings } from '../../analyzers/format.js';
import { failsOn, runAnalyzers } from '../../analyzers/run.js';
import type { AnalyzeOptions, Finding } from '../core/types.js';
import { DEFAULTS, collectBundle, type CollectOptions, type CollectResult } from '../run/collect.js';
import { registerSchedule, runSchedule } from './schedule.js';
import { redactFiles } from '../run/redact-files.js';
import { setUpRedaction, type RedactionOptions } from '../config/redaction-plan.js';
import type { TlsFlags } from '../docker/endpoints.js';
import { CliError, EXIT } from '../core/errors.js';
import { planJob, typedJobDockerKeys } from '../run/job.js';
import { MAX_TIMER_MS, applyConfig, collectorsFor, configOf, flagSpecs, loadConfig, maskConfigSecrets, mergeRedaction, redactForDisplay, typedFlags, withConfig, type YargsOptionsView } from '../config/config.js';
import { parseDuration, parseSince, parseSize } from '../core/units.js';
import { TOOL } from '../core/version.js';
import type { CliIo } from './io.js';

export type { CliIo };

const EPILOG = `Exit codes:
  0    bundle written, every collector succeeded (or was skipped)
  1    fatal: no bundle written (output not writable, disk full, internal error)
  2    usage or configuration error
  3    bundle written but partial: some collector failed or timed out (see manifest.json)
  4    --fail-on: bundle written (or analyzed) and a finding of that severity exists
  130  interrupted (Ctrl-C / SIGTERM): no bundle and no temporary files left behind

The bundle is <output-dir>/collect-bundle-<host>[-<label>]-<UTC time>-<random>.tar.gz (mode 0600)
with a .sha256 file beside it. Every byte in it has been redacted. Progress goes to stderr.`;

/** Splits `a,b` and repeated flags into one list. */
const list = (v: unknown): string[] =>
  ([] as unknown[])
    .concat(v ?? [])
    .flatMap((x) => String(x).split(','))
    .map((s) => s.trim())
    .filter(Boolean);

function collectOptions(y: Argv): Argv {
  return y
    .option('output-dir', { alias: 'o', type: 'string', requiresArg: true, default: '.', describe: 'Directory for the bundle (created if missing)' })
    .option('only', { type: 'string', requiresArg: true, array: true, describe: 'Run only these collectors (comma-separated or repeated)' })
    .option('skip', { type: 'string', requiresArg: true, array: true, describe: 'Do not run these collectors' })
    .option('list-collectors', { type: 'boolean', default: false, describe: 'List the collectors and exit' })
    .option('timeout', { type: 'number', requiresArg: true, describe: `Seconds each collector may run before it is cut off (default: the collector's own limit, else ${DEFAULTS.timeoutSec})` })
    .option('deadline', { type: 'number', requiresArg: true, describe: 'Seconds the whole collection may take; the bundle is then written with what was gathered' })
    .option('concurrency', { type: 'number', requiresArg: true, default: DEFAULTS.concurrency, describe: 'Collectors run at once' })
    .option('label', { type: 'string', requiresArg: true, describe: 'Short label added to the bundle name' })
    .option('title', { type: 'string', requiresArg: true, describe: 'Issue title for ISSUE.md' })
    .option('description', { type: 'string', requiresArg: true, describe: 'Problem description for ISSUE.md' })
    .option('django-dir', { type: 'string', requiresArg: true, describe: 'Django project directory (with manage.py); default: the current directory, else one level below' })
    .option('settings', { type: 'string', requiresArg: true, describe: 'DJANGO_SETTINGS_MODULE for the Django commands' })
    .option('python', {
      type: 'string',
      requiresArg: true,
      describe: "The project's Python: a path, a name on PATH or a command (\"poetry run python\"); default: uv, $VIRTUAL_ENV, .venv, venv, python3",
    })
    .option('docker-host', {
      type: 'string',
      requiresArg: true,
      array: true,
      describe: 'Docker engine to collect, repeatable: unix:///path, tcp://host:port, ssh://user@host or a docker context name (default: DOCKER_HOST, else the current context, else /var/run/docker.sock)',
    })
    .option('tls', { type: 'boolean', describe: 'Use TLS for tcp:// engines without verifying them (default: DOCKER_TLS)' })
    .option('tlsverify', { type: 'boolean', describe: 'Use TLS for tcp:// engines and verify them against the CA (default: DOCKER_TLS_VERIFY)' })
    .option('tlscacert', { type: 'string', requiresArg: true, describe: 'CA certificate (default: $DOCKER_CERT_PATH/ca.pem, else ~/.docker/ca.pem)' })
    .option('tlscert', { type: 'string', requiresArg: true, describe: 'Client certificate (default: $DOCKER_CERT_PATH/cert.pem)' })
    .option('tlskey', { type: 'string', requiresArg: true, describe: 'Client key (default: $DOCKER_CERT_PATH/key.pem)' })
    .option('tail', { type: 'string', requiresArg: true, describe: `Log lines kept per container (the last ones), or "all"; default ${DOCKER_DEFAULTS.tail}` })
    .option('since', { type: 'string', requiresArg: true, describe: `Logs and events from this long ago (30m, 24h, 7d) or this ISO time; also which stopped containers are collected (default ${DOCKER_DEFAULTS.since})` })
    .option('max-log-bytes', { type: 'string', requiresArg: true, describe: 'Log bytes kept per container, from the end (10MiB, 512KiB; 0 = no limit; default 10MiB)' })
    .option('containers', { type: 'string', requiresArg: true, array: true, describe: 'Only these containers, repeatable: name glob (web-*), id prefix, label=KEY or label=KEY=VALUE' })
    .option('all-containers', { type: 'boolean', describe: 'Collect every container, not only running ones and those that finished within --since' })
    .option('job', { type: 'string', requiresArg: true, describe: 'A bundle focused on one container_manager job (its id): its record, its containers with full logs, the engines\' events of its lifetime (needs the Django project)' })
    .option('gcloud-project', { type: 'string', requiresArg: true, describe: 'Google Cloud project for the cloudrun collector (default: CLOUDSDK_CORE_PROJECT, else gcloud config)' })
    .option('gcloud-region', { type: 'string', requiresArg: true, describe: 'Cloud Run region for the cloudrun collector (default: CLOUDSDK_RUN_REGION, else gcloud config run/region)' })
    .group(['docker-host', 'tls', 'tlsverify', 'tlscacert', 'tlscert', 'tlskey', 'tail', 'since', 'max-log-bytes', 'containers', 'all-containers'], 'Docker:')
    .option('env-file', { type: 'string', requiresArg: true, array: true, describe: '.env-style file to store (redacted) and check for invalid lines, repeatable' })
    .option('issue-only', { type: 'boolean', default: false, describe: 'Also write ISSUE.md beside the bundle (<bundle>.ISSUE.md, with its sha256) for pasting into an issue' })
    .option('analyze', { type: 'boolean', default: true, describe: 'Run the analyzers and write findings.json (--no-analyze to skip)' })
    .group(['env-file', 'issue-only', 'analyze'], 'Analysis:')
    .option('json', { type: 'boolean', default: false, describe: 'Print a machine-readable summary on stdout' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print only errors on stderr' })
    .option('verbose', { type: 'boolean', default: false, describe: 'Also print debug messages' });
}

/** Options of the analyzers; shared by collect and analyze. */
function analysisOptions(y: Argv): Argv {
  return y
    .option('fail-on', { type: 'string', requiresArg: true, choices: ['error', 'warning'], describe: 'Exit 4 when a finding of this severity (or worse) exists' })
    .option('pending-threshold', { type: 'string', requiresArg: true, describe: 'A job pending longer than this is stuck (15m, 2h); default 15m' })
    .group(['fail-on', 'pending-threshold'], 'Analysis:');
}

/** AnalyzeOptions from the command line (thresholds only; env files are read by the caller). */
function analyzeFromArgv(argv: Record<string, unknown>): Omit<AnalyzeOptions, 'envFiles'> {
  if (argv['pending-threshold'] === undefined) return {};
  try {
    return { pendingThresholdMs: parseDuration(String(argv['pending-threshold'])) };
  } catch (err) {
    throw new CliError(`--pending-threshold: ${errorMessage(err)}`, 'E_USAGE');
  }
}

/** `--env-file` paths, each checked readable up front: a path the user typed that cannot be read is a usage error. */
async function envFilesFromArgv(argv: Record<string, unknown>): Promise<string[]> {
  const files = ([] as unknown[]).concat(argv['env-file'] ?? []).map(String);
  for (const f of files) {
    if (f.trim() === '') throw new CliError('--env-file needs a file path', 'E_USAGE');
    try {
      await access(f, constants.R_OK);
    } catch (err) {
      const code = (err as { code?: string }).code;
      throw new CliError(`--env-file ${f}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied (run as a user who can read it)' : errorMessage(err)}`, 'E_USAGE');
    }
    const st = await stat(f);
    if (!st.isFile()) throw new CliError(`--env-file ${f}: not a regular file; pass the path of a .env file`, 'E_USAGE');
    if (st.size > ENV_FILE_MAX_BYTES) throw new CliError(`--env-file ${f}: ${st.size} bytes, larger than an env file should be (1 MiB); check the path`, 'E_USAGE');
  }
  return files;
}

/** A bundle path the user named must be readable: otherwise a usage error naming the cause. */
async function requireReadable(bundle: string): Promise<void> {
  try {
    await access(bundle, constants.R_OK);
  } catch (err) {
    throw new CliError(`${bundle}: ${(err as { code?: string }).code === 'ENOENT' ? 'no such file' : errorMessage(err)}`, 'E_USAGE');
  }
}

/** `collect-bundle analyze BUNDLE`: re-runs the analyzers over a finished bundle (read-only). */
async function runAnalyze(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const bundle = String(argv['bundle']);
  await requireReadable(bundle);
  const analyze = analyzeFromArgv(argv);
  const envPaths = await envFilesFromArgv(argv);
  let opened;
  try {
    opened = await openBundleView(bundle);
  } catch (err) {
    throw new CliError(`cannot read ${bundle}: ${errorMessage(err)}`, 'E_FATAL');
  }
  // Env files named now are read and redacted in memory only, like everything the analyzers see; their
  // values under secret keys are known secrets first (the line rules cut `KEY=two words` short). Without
  // --env-file the analyzers lint the env-files/ stored in the bundle.
  let envFiles: { path: string; text: string }[] | undefined;
  if (envPaths.length) {
    const setup = await setUpRedaction(redactionFromArgv(argv), io.env);
    const raw = await Promise.all(envPaths.map(async (path) => ({ path, text: await readFile(path, 'utf8') })));
    for (const f of raw) for (const v of envFileSecrets(f.text)) setup.literals.add(v);
    envFiles = raw.map((f) => ({ path: f.path, text: setup.redactor.text(f.text, f.path) }));
  }
  const doc = await runAnalyzers(opened.view, { ...analyze, ...(envFiles ? { envFiles } : {}) });
  if (argv['json']) io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  else {
    io.stdout.write(formatFindings(doc.findings));
    const c = doc.counts;
    io.stdout.write(`${opened.root}: ${c.error} error, ${c.warning} warning, ${c.info} info\n`);
  }
  return failOn(argv, doc.findings) ? EXIT.findings : EXIT.complete;
}

/** `collect-bundle inspect BUNDLE [--json | --file PATH]`: a bundle's summary, or one of its files. */
async function runInspect(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const bundle = String(argv['bundle']);
  try {
    if (argv['file'] !== undefined) {
      if (argv['json']) throw new CliError('inspect takes --file PATH or --json, not both', 'E_USAGE');
      await writeBundleFile(bundle, String(argv['file']), io.stdout);
      return EXIT.complete;
    }
    const result = await inspectBundle(bundle);
    io.stdout.write(argv['json'] ? `${JSON.stringify(result, null, 2)}\n` : renderInspect(result));
    return EXIT.complete;
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    io.stderr.write(`collect-bundle: ${err.message}\n`); // one line: the cause and the fix, no usage hint
    return err.exitCode;
  }
}

/** `collect-bundle diff OLD NEW | --latest DIR`: exit 0 same, 1 differences, 2 trouble (like diff(1)). */
async function runDiff(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const files = [argv['old'], argv['new']].filter((v) => v !== undefined).map(String);
  try {
    const latest = argv['latest'] === undefined ? undefined : String(argv['latest']);
    if (latest !== undefined && files.length) throw new CliError('diff takes either OLD NEW or --latest DIR, not both', 'E_USAGE');
    if (latest === undefined && files.length !== 2) throw new CliError('diff needs two bundles (OLD NEW) or --latest DIR', 'E_USAGE');
    const result = latest !== undefined ? await diffLatest(latest) : await diffBundles(files[0]!, files[1]!);
    io.stdout.write(argv['json'] ? `${JSON.stringify(result, null, 2)}\n` : renderDiff(result));
    return result.differences ? 1 : 0;
  } catch (err) {
    // Any trouble is 2 here, never EXIT.fatal (1): 1 means "differences found", as with diff(1).
    io.stderr.write(`collect-bundle: ${err instanceof CliError ? err.message : `internal error: ${errorMessage(err)}`}\n`);
    return DIFF_TROUBLE;
  }
}

/** `diff`'s exit code for a bundle it cannot read or a wrong command line. */
const DIFF_TROUBLE = 2;

/** True when `--fail-on` is set and a finding at or above it exists. */
function failOn(argv: Record<string, unknown>, findings: readonly Finding[]): boolean {
  const level = argv['fail-on'];
  return (level === 'error' || level === 'warning') && failsOn(findings, level);
}

/** Options that change what counts as a secret; shared by collect, redact and verify. */
function redactionOptions(y: Argv): Argv {
  return y
    .option('redaction-key-file', { type: 'string', requiresArg: true, describe: 'Key for redaction tags (created 0600 if missing); default: a per-installation key in ~/.config/collect-bundle/redaction.key' })
    .option('stable-tokens', { type: 'boolean', default: true, describe: 'Same secret, same tag across bundles (use --no-stable-tokens for a fresh random key per run)' })
    .option('redact-pattern', { type: 'string', requiresArg: true, array: true, describe: 'Extra rule, repeatable: a regex; with a capture group only the group is redacted' })
    .option('redact-literals-file', { type: 'string', requiresArg: true, array: true, describe: 'File of known secrets, one per line, removed wherever they appear (also URL-encoded, base64, JSON-escaped)' })
    .option('redact-key', { type: 'string', requiresArg: true, array: true, describe: 'Extra secret key name, repeatable (e.g. ACME_CODE): its values are redacted like PASSWORD' })
    .option('allow', { type: 'string', requiresArg: true, array: true, describe: 'Value never redacted, repeatable: a regex matching the whole value' })
    .group(['redaction-key-file', 'stable-tokens', 'redact-pattern', 'redact-literals-file', 'redact-key', 'allow'], 'Redaction:');
}

/**
 * The flags a config file or COLLECT_BUNDLE_* variable may set for a command: the collect, analysis
 * and redaction options for a collecting command (collect, schedule); only the redaction options for
 * the others (redact, verify). A command with neither (inspect, diff) never reads a config file.
 */
function settableFlags(command?: YargsOptionsView): ReadonlySet<string> {
  const collecting = !command || Object.hasOwn(command.getOptions().key, 'output-dir');
  const y = collecting ? redactionOptions(analysisOptions(collectOptions(yargs([])))) : redactionOptions(yargs([]));
  return new Set(flagSpecs(y as unknown as YargsOptionsView).map((f) => f.name));
}

/** The redaction options of a parsed command line. */
function redactionFromArgv(argv: Record<string, unknown>): RedactionOptions {
  const patterns = ([] as unknown[]).concat(argv['redact-pattern'] ?? []).map(String);
  // The config file's rules, literals and allowlist come first; flags add to them.
  return mergeRedaction(configOf(argv)?.config, {
    ...(argv['redaction-key-file'] ? { keyFile: String(argv['redaction-key-file']) } : {}),
    ephemeralKey: argv['stable-tokens'] === false,
    rules: patterns.map((pattern) => ({ pattern })),
    literalFiles: ([] as unknown[]).concat(argv['redact-literals-file'] ?? []).map(String),
    secretKeys: list(argv['redact-key']),
    allow: ([] as unknown[]).concat(argv['allow'] ?? []).map(String),
  });
}

/** `collect-bundle redact`: files or stdin, redacted, to stdout or -o FILE. */
async function runRedact(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const files = ([] as unknown[]).concat(argv['files'] ?? []).map(String);
  const explain = Boolean(argv['explain']);
  const result = await redactFiles({
    files,
    ...(argv['output'] ? { output: String(argv['output']) } : {}),
    redaction: redactionFromArgv(argv),
    ...(explain ? { onRedaction: (e: RedactionEvent) => void io.stderr.write(`${e.file}:${e.line}:${e.column}: ${e.rule}\n`) } : {}),
    stdin: io.stdin ?? process.stdin,
    stdout: io.stdout,
    env: io.env,
  });
  if (explain || argv['output']) {
    const byRule = result.byRule.map(({ rule, count }) => `${rule} ${count}`).join(', ');
    io.stderr.write(`collect-bundle: ${result.total} redaction${result.total === 1 ? '' : 's'}${byRule ? ` (${byRule})` : ''}\n`);
  }
  return EXIT.complete;
}

/** How a discovered config file skipped as unsafe is reported: one line on stderr. */
const configWarning = (io: CliIo) => (message: string): void => void io.stderr.write(`collect-bundle: warning: ${message}\n`);

/** `collect-bundle config [--print | --validate FILE]`. */
async function runConfig(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  if (argv['validate'] !== undefined) {
    const file = String(argv['validate']);
    const loaded = await loadConfig({ file, builtins: builtinCollectors });
    collectorsFor(loaded, builtinCollectors); // custom collectors are checked as a run would build them
    io.stdout.write(`ok: ${loaded!.file} is a valid collect-bundle configuration\n`);
    return EXIT.complete;
  }
  // The collect options with their defaults, then the same layers a run applies (no flags here).
  const y = redactionOptions(analysisOptions(collectOptions(yargs([])))).exitProcess(false);
  const options = (await y.parseAsync()) as Record<string, unknown>;
  options['config'] = argv['config'];
  const sources = await applyConfig(options, y as unknown as YargsOptionsView, { env: io.env, settable: settableFlags(), builtins: builtinCollectors, warn: configWarning(io) });
  const loaded = configOf(options);
  const effective: Record<string, { value: unknown; from: string }> = {};
  for (const [flag, { source, env }] of Object.entries(sources)) {
    effective[flag] = { value: options[flag], from: source === 'environment' ? env! : source === 'config' ? 'config file' : source };
  }
  const collectors = collectorsFor(loaded, builtinCollectors).map((c) => ({ name: c.name, enabled: c.defaultEnabled }));
  const file = loaded?.file ?? null;
  const why = argv['config'] === false ? 'ignored (--no-config)' : 'none found';
  // Known secrets never print in clear: values under secret keys masked, then the redactor over it all.
  const doc = { file: file ?? why, options: effective, collectors, config: loaded ? maskConfigSecrets(loaded.config) : {} };
  io.stdout.write(await redactForDisplay(`${JSON.stringify(doc, null, 2)}\n`, redactionFromArgv(options), loaded?.config, io.env));
  return EXIT.complete;
}

/** `collect-bundle verify BUNDLE`: exit 0 clean, 1 problems found. */
async function runVerify(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const bundle = String(argv['bundle']);
  await requireReadable(bundle);
  const setup = await setUpRedaction(redactionFromArgv(argv), io.env);
  const result = await verifyBundle(bundle, { scanner: setup.scanner });
  if (argv['json']) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    for (const p of result.problems) io.stdout.write(`${p.file}${p.line ? `:${p.line}` : ''}: ${p.kind}: ${p.message}\n`);
    io.stdout.write(result.ok ? `ok: ${result.entries} entries verified, checksums match, no unredacted secret found\n` : `${result.problems.length} problem${result.problems.length === 1 ? '' : 's'} found in ${bundle}\n`);
  }
  return result.ok ? EXIT.complete : EXIT.fatal;
}

/** Runs the CLI; resolves to the process exit code. Never calls process.exit itself. */
export async function main(args: readonly string[], io: CliIo): Promise<number> {
  let action: (() => Promise<number>) | undefined;
  const parser = yargs([...args])
    .scriptName('collect-bundle')
    .usage('$0 [collect] [options]\n\nCollect diagnostics of a Django + Docker system, redact every secret, and pack them into one .tar.gz.')
    .option('config', {
      type: 'string',
      requiresArg: true,
      describe: 'Configuration file to use (default: collect-bundle.config.{json,yaml,yml,mjs,js,cjs}, .collect-bundlerc[.json|.yaml|.yml|.mjs|.js|.cjs] or package.json "collect-bundle", searched from the current directory up, skipping files others could have written); --no-config ignores every file',
    })
    // Config file < COLLECT_BUNDLE_* environment < flags, for every command built on the collect or redaction options.
    .middleware(((argv: Record<string, unknown>, y: YargsOptionsView) => applyConfig(argv, y, { env: io.env, settable: settableFlags(y), builtins: builtinCollectors, warn: configWarning(io) }).then(() => undefined)) as never)
    .command(['collect', '$0'], 'Collect a support bundle (the default command)', (y) => redactionOptions(analysisOptions(collectOptions(y))), (argv) => {
      action = () => runCollect(argv, args, io);
    })
    .command(
      'redact [files..]',
      'Print files (or stdin) with every secret redacted; inputs are never modified',
      (y) =>
        redactionOptions(y)
          .positional('files', { type: 'string', array: true, describe: 'Files to redact; none or - reads stdin' })
          .option('output', { alias: 'o', type: 'string', requiresArg: true, describe: 'Write to this file (0600) instead of stdout' })
          .option('explain', { type: 'boolean', default: false, describe: 'Print file:line:column: rule for every redaction to stderr (never the secret)' })
          .example('$0 redact app.log > app.redacted.log', 'Redact a log before pasting it into an issue')
          .example('docker logs web 2>&1 | $0 redact --explain', 'Redact a stream and say what was removed where'),
      (argv) => {
        action = () => runRedact(argv, io);
      },
    )
    .command(
      'config',
      'Show the effective configuration and the file it came from (--print, the default), or check a file (--validate FILE)',
      (y) =>
        y
          .option('print', { type: 'boolean', default: false, describe: 'Print the merged options (file < COLLECT_BUNDLE_* environment), where each came from, and the file' })
          .option('validate', { type: 'string', requiresArg: true, describe: 'Check this configuration file: exit 0 when valid, 2 with one line per problem' })
          .example('$0 config --print', 'Which file is used and what it sets')
          .example('$0 config --validate ops/collect-bundle.config.yaml', 'Check a file before deploying it'),
      (argv) => {
        action = () => runConfig(argv, io);
      },
    )
    .command(
      'verify <bundle>',
      'Check a bundle: structure, manifest checksums, sidecar, and a rescan for unredacted secrets (exit 0 clean, 1 problems)',
      (y) =>
        redactionOptions(y)
          .positional('bundle', { type: 'string', describe: 'The .tar.gz bundle' })
          .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON' }),
      (argv) => {
        action = () => runVerify(argv, io);
      },
    )
    .command(
      'analyze <bundle>',
      'Run the analyzers over an existing bundle and print the findings (read-only; exit 4 with --fail-on when one matches)',
      (y) =>
        redactionOptions(analysisOptions(y))
          .positional('bundle', { type: 'string', describe: 'The .tar.gz bundle' })
          .option('env-file', { type: 'string', requiresArg: true, array: true, describe: '.env-style file to check as well (read and redacted in memory only)' })
          .option('json', { type: 'boolean', default: false, describe: 'Print findings.json to stdout' }),
      (argv) => {
        action = () => runAnalyze(argv, io);
      },
    )
    .command(
      'inspect <bundle>',
      'Summarise a bundle without extracting it: run, collectors, findings, redactions, largest files, checks',
      (y) =>
        y
          .positional('bundle', { type: 'string', describe: 'The .tar.gz bundle' })
          .option('json', { type: 'boolean', default: false, describe: 'Print the summary as one JSON document' })
          .option('file', { type: 'string', requiresArg: true, describe: 'Print this file of the bundle to stdout instead (e.g. docker/local/ps.txt)' })
          .example('$0 inspect bundles/collect-bundle-web1-20261128T143924Z-k3v9qa.tar.gz', 'What is in a bundle')
          .example('$0 inspect BUNDLE --file django/migrations.json | jq .', 'One file of it')
          .epilog('Exit codes: 0 ok; 1 the file is not a readable bundle (damaged, not a .tar.gz, no manifest.json); 2 no such bundle or no such --file in it.'),
      (argv) => {
        action = () => runInspect(argv, io);
      },
    )
    .command(
      'diff [old] [new]',
      'What changed between two bundles: containers, versions, migrations, findings, jobs, disk and memory',
      (y) =>
        y
          .positional('old', { type: 'string', describe: 'The earlier bundle (.tar.gz)' })
          .positional('new', { type: 'string', describe: 'The later bundle (.tar.gz)' })
          .option('latest', { type: 'string', requiresArg: true, describe: 'Compare the two newest bundles in this directory (by the time in their names)' })
          .option('json', { type: 'boolean', default: false, describe: 'Print the differences as one JSON document' })
          .example('$0 diff before.tar.gz after.tar.gz', 'What changed between two snapshots')
          .example('$0 diff --latest /var/lib/collect-bundle', 'The two newest bundles a schedule wrote')
          .epilog('Exit codes (like diff(1)): 0 no differences; 1 differences found; 2 trouble (a bundle missing or unreadable, wrong arguments).'),
      (argv) => {
        action = () => runDiff(argv, io);
      },
    )
    .command(
      'schedule',
      'Collect a bundle every interval or on a cron expression, keep the newest ones, never two runs at once',
      (y) => registerSchedule(redactionOptions(analysisOptions(collectOptions(y)))),
      (argv) => {
        action = async () => runSchedule(argv, args, io, { ...buildCollectOptions(argv, args, io), envFiles: await envFilesFromArgv(argv) });
      },
    )
    .example('$0', 'Bundle this machine into the current directory')
    .example('$0 -o /tmp/bundles --label before-upgrade', 'Name the bundle and choose where it goes')
    .example('$0 --only docker --timeout 20 --json', 'Docker only, machine-readable summary')
    .example('$0 --skip system --title "Jobs stuck in pending"', 'Skip a collector, set the ISSUE.md title')
    .example('$0 --only docker --docker-host ssh://ci@exec1 --docker-host tcp://exec2:2376 --tlsverify --since 6h', 'Several Docker engines in one run, the last 6 hours')
    .example('$0 --django-dir /srv/app --settings app.settings.prod --python /srv/app/.venv/bin/python', 'Point at the Django project, its settings and its interpreter')
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
  try {
    await parser.parseAsync();
    return action ? await action() : EXIT.complete; // --help / --version printed and nothing to run
  } catch (err) {
    if (err instanceof CliError) {
      // A config error has one line per problem; each gets the prefix.
      for (const line of err.message.split('\n')) io.stderr.write(`collect-bundle: ${line}\n`);
      if (err.code === 'E_USAGE') io.stderr.write('Run collect-bundle --help for usage.\n');
      return err.exitCode;
    }
    io.stderr.write(`collect-bundle: internal error: ${errorMessage(err)}\n`);
    return EXIT.fatal;
  }
}

async function runCollect(argv: Record<string, unknown>, rawArgs: readonly string[], io: CliIo): Promise<number> {
  if (argv['list-collectors']) {
    const collectors = collectorsFor(configOf(argv), builtinCollectors);
    const width = Math.max(...collectors.map((c) => c.name.length));
    const listing = collectors.map((c) => `${c.name.padEnd(width)}  ${c.defaultEnabled ? 'on ' : 'off'}  ${c.description}\n`).join('');
    // A custom command's description is its argv, which may hold a secret: redacted like bundle text.
    io.stdout.write(await redactForDisplay(listing, redactionFromArgv(argv), configOf(argv)?.config, io.env));
    return EXIT.complete;
  }
  if (argv['fail-on'] !== undefined && argv['analyze'] === false) throw new CliError('--fail-on needs the analyzers: drop --no-analyze', 'E_USAGE');
  const built = { ...buildCollectOptions(argv, rawArgs, io), envFiles: await envFilesFromArgv(argv) };
  // --job: one read-only lookup first, then the run narrowed to that job (src/job.ts).
  // Only docker flags typed on this command line override the job's narrowing; a config's or COLLECT_BUNDLE_*'s tail does not.
  const options = argv['job'] !== undefined ? { ...built, ...(await planJob(built, String(argv['job']), new Date(), { overrides: typedJobDockerKeys(typedFlags(argv)) })).options } : built;
  const result = await collectBundle(options);
  if (!argv['quiet']) io.stderr.write(summary(result));
  if (argv['json']) io.stdout.write(`${JSON.stringify(jsonSummary(result), null, 2)}\n`);
  if (failOn(argv, result.findings?.findings ?? [])) return EXIT.findings;
  return result.status === 'complete' ? EXIT.complete : EXIT.partial;
}

/**
 * The collect options of a parsed command line (shared by `collect` and `schedule`). Throws a
 * CliError (exit 2) for a value that cannot be used.
 */
export function buildCollectOptions(argv: Record<string, unknown>, rawArgs: readonly string[], io: CliIo): CollectOptions {
  // Custom collectors, per-collector extras and the file's path from the config (its flag values are already in argv).
  return withConfig(configOf(argv), collectOptionsFromFlags(argv, rawArgs, io), builtinCollectors);
}

function collectOptionsFromFlags(argv: Record<string, unknown>, rawArgs: readonly string[], io: CliIo): CollectOptions {
  // yargs turns a non-numeric value into NaN: quote what the user typed instead.
  const given = (name: string, v: unknown): string => (typeof v === 'number' && Number.isNaN(v) ? (rawOptionValue(rawArgs, name) ?? String(v)) : String(v));
  const seconds = (name: string): number | undefined => {
    const v = argv[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new CliError(`--${name} must be a positive number of seconds, got "${given(name, v)}"`, 'E_USAGE');
    // Node's timers overflow above 2^31-1 ms and then fire after 1 ms.
    if (v * 1000 > MAX_TIMER_MS) throw new CliError(`--${name} must be at most ${Math.floor(MAX_TIMER_MS / 1000)} seconds (about 24 days), got "${given(name, v)}"`, 'E_USAGE');
    return v * 1000;
  };
  const concurrency = argv['concurrency'] as number;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new CliError(`--concurrency must be a whole number of at least 1, got "${given('concurrency', concurrency)}"`, 'E_USAGE');
  // `--only ,` or `--only ""` would otherwise silently mean "the default collectors".
  for (const name of ['only', 'skip']) {
    if (argv[name] !== undefined && list(argv[name]).length === 0) {
      throw new CliError(`--${name} needs at least one collector name; valid: ${builtinCollectors.map((c) => c.name).join(', ')}`, 'E_USAGE');
    }
  }
  if (String(argv['output-dir']).trim() === '') throw new CliError('--output-dir must not be empty', 'E_USAGE');
  const django: Record<string, string> = {};
  for (const [flag, key] of [['django-dir', 'djangoDir'], ['settings', 'settings'], ['python', 'python']] as const) {
    if (argv[flag] === undefined) continue;
    if (String(argv[flag]).trim() === '') throw new CliError(`--${flag} must not be empty`, 'E_USAGE');
    django[key] = String(argv[flag]);
  }
  const docker = dockerCollectorOptions(argv);
  const cloudrun: Record<string, string> = {};
  for (const [flag, key] of [['gcloud-project', 'project'], ['gcloud-region', 'region']] as const) {
    if (argv[flag] === undefined) continue;
    if (String(argv[flag]).trim() === '') throw new CliError(`--${flag} must not be empty`, 'E_USAGE');
    cloudrun[key] = String(argv[flag]).trim();
  }
  // The compose file is looked for where the Django project is.
  const compose: Record<string, string> = django['djangoDir'] ? { projectDir: django['djangoDir'] } : {};
  const quiet = Boolean(argv['quiet']);
  const deadlineMs = seconds('deadline');
  return {
    outputDir: String(argv['output-dir']),
    only: list(argv['only']),
    skip: list(argv['skip']),
    ...(argv['timeout'] !== undefined ? { timeoutMs: seconds('timeout')! } : {}),
    ...(deadlineMs ? { deadlineMs } : {}),
    concurrency,
    ...(argv['label'] ? { label: String(argv['label']) } : {}),
    ...(argv['title'] ? { title: String(argv['title']) } : {}),
    ...(argv['description'] ? { description: String(argv['description']) } : {}),
    ...dockerHostOptions(argv),
    ...(Object.keys(django).length || Object.keys(docker).length || Object.keys(cloudrun).length
      ? {
          collectorOptions: {
            ...(Object.keys(django).length ? { django } : {}),
            ...(Object.keys(docker).length ? { docker } : {}),
            ...(Object.keys(compose).length ? { compose } : {}),
            ...(Object.keys(cloudrun).length ? { cloudrun } : {}),
          },
        }
      : {}),
    redaction: redactionFromArgv(argv),
    signal: io.signal,
    env: io.env,
    commandLine: ['collect-bundle', ...rawArgs],
    progress: { out: io.stderr, quiet, verbose: Boolean(argv['verbose']) },
    analyze: analyzeFromArgv(argv),
    ...(argv['analyze'] === false ? { noAnalyze: true } : {}),
    ...(argv['issue-only'] ? { issueBeside: true } : {}),
  };
}

/** `--docker-host` and the `--tls*` options, for collectBundle. */
function dockerHostOptions(argv: Record<string, unknown>): { dockerHosts?: string[]; dockerTls?: TlsFlags } {
  const hosts = list(argv['docker-host']);
  if (argv['docker-host'] !== undefined && hosts.length === 0) throw new CliError('--docker-host needs a URL (unix://, tcp://, ssh://) or a docker context name', 'E_USAGE');
  const tls: { -readonly [K in keyof TlsFlags]: TlsFlags[K] } = {};
  if (argv['tls'] !== undefined) tls.tls = Boolean(argv['tls']);
  if (argv['tlsverify'] !== undefined) tls.verify = Boolean(argv['tlsverify']);
  for (const [flag, key] of [['tlscacert', 'ca'], ['tlscert', 'cert'], ['tlskey', 'key']] as const) {
    if (argv[flag] === undefined) continue;
    if (String(argv[flag]).trim() === '') throw new CliError(`--${flag} must name a file`, 'E_USAGE');
    tls[key] = String(argv[flag]);
  }
  return { ...(hosts.length ? { dockerHosts: hosts } : {}), ...(Object.keys(tls).length ? { dockerTls: tls } : {}) };
}

/** The docker collector's options from `--tail`, `--since`, `--max-log-bytes`, `--containers`, `--all-containers`. */
function dockerCollectorOptions(argv: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const usage = (flag: string, err: unknown): CliError => new CliError(`--${flag}: ${errorMessage(err)}`, 'E_USAGE');
  if (argv['tail'] !== undefined) {
    const t = String(argv['tail']).trim().toLowerCase();
    if (t === 'all') out['tail'] = 'all';
    else if (/^\d+$/.test(t)) out['tail'] = Number(t);
    else throw new CliError(`--tail must be a whole number of lines or "all", got "${String(argv['tail'])}"`, 'E_USAGE');
  }
  if (argv['since'] !== undefined) {
    try {
      parseSince(String(argv['since']));
    } catch (err) {
      throw usage('since', err);
    }
    out['since'] = String(argv['since']).trim();
  }
  if (argv['max-log-bytes'] !== undefined) {
    try {
      out['maxLogBytes'] = parseSize(String(argv['max-log-bytes']));
    } catch (err) {
      throw usage('max-log-bytes', err);
    }
  }
  if (argv['containers'] !== undefined) {
    // Commas separate patterns, except inside a label value (label=k=a,b).
    const patterns = ([] as unknown[]).concat(argv['containers']).flatMap((v) => (String(v).trim().startsWith('label=') ? [String(v).trim()] : list(v)));
    try {
      parsePatterns(patterns);
    } catch (err) {
      throw usage('containers', err);
    }
    if (patterns.length === 0) throw new CliError('--containers needs at least one pattern: a name glob, an id prefix or label=KEY[=VALUE]', 'E_USAGE');
    out['containers'] = patterns;
  }
  if (argv['all-containers'] !== undefined) out['allContainers'] = Boolean(argv['all-containers']);
  return out;
}

/** The text that followed `--name` (or `--name=`) on the command line, if any. */
function rawOptionValue(args: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    if (a === `--${name}`) value = args[i + 1];
    else if (a.startsWith(`--${name}=`)) value = a.slice(name.length + 3);
  }
  return value;
}

/** The `--json` document. */
export function jsonSummary(r: CollectResult): Record<string, unknown> {
  return {
    bundle: r.bundle,
    sha256: r.sha256,
    bytes: r.bytes,
    status: r.status,
    durationMs: r.durationMs,
    collectors: r.manifest.collectors.map((c) => ({ name: c.name, status: c.status, durationMs: c.durationMs, ...(c.reason && c.status !== 'ok' ? { error: c.reason } : {}) })),
    redactions: { total: r.manifest.redaction.total, byRule: r.manifest.redaction.byRule },
    ...(r.findings ? { findings: { counts: r.findings.counts, items: r.findings.findings.map((f) => ({ id: f.id, severity: f.severity, title: f.title, docs: f.docs })) } } : {}),
    ...(r.issueFile ? { issueFile: r.issueFile } : {}),
  };
}

function summary(r: CollectResult): string {
  const failed = r.manifest.collectors.filter((c) => c.status === 'failed' || c.status === 'timed-out');
  const byRule = r.manifest.redaction.byRule.map(({ rule, count }) => `${rule} ${count}`).join(', ');
  return [
    '',
    `bundle     ${r.bundle}`,
    `size       ${formatBytes(r.bytes)}   sha256 ${r.sha256}`,
    `duration   ${(r.durationMs / 1000).toFixed(1)}s   status ${r.status}`,
    `collectors ${r.manifest.collectors.length} run, ${failed.length} failed or timed out${failed.length ? `: ${failed.map((c) => c.name).join(', ')}` : ''}`,
    `redactions ${r.manifest.redaction.total}${byRule ? ` (${byRule})` : ''}`,
    ...(r.findings ? [`findings   ${r.findings.counts.error} error, ${r.findings.counts.warning} warning, ${r.findings.counts.info} info${r.findings.findings.length ? ' (findings.json; details: collect-bundle analyze BUNDLE)' : ''}`] : []),
    ...(r.findings?.findings ?? []).filter((f) => f.severity !== 'info').slice(0, 5).map((f) => `  ${f.severity.toUpperCase().padEnd(7)} ${f.title}  → ${f.docs}`),
    ...(r.issueFile ? [`issue      ${r.issueFile}`] : []),
    '',
  ].join('\n');
}

function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

/** Entry point for bin/collect-bundle.js: wires signals and the process exit code. */
export async function run(): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(`\ncollect-bundle: ${sig} received: stopping and removing partial files (press Ctrl-C again to quit at once)\n`);
      controller.abort(new Error(sig));
    } else process.exit(EXIT.interrupted);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A reader that went away (`collect-bundle --json | head -1`, a closed terminal) must not crash the
  // run with an unhandled EPIPE: the bundle is on disk and the exit code still says how it went.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
    });
  }
  const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal });
  process.exitCode = code;
}
