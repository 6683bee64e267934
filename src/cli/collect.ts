// Room: cli (src/cli/) — may import every room; the only place that prints errors and calls process.exit.
/** `collect-bundle [collect]`: its options read from the command line, the run, and the summary printed after it. */
import { redactForDisplay } from '../config/display.js';
import { configOf, typedFlags } from '../config/layers.js';
import type { CollectOptions } from '../config/options.js';
import { CliError, EXIT } from '../core/errors.js';
import type { Collector, TlsFlags } from '../core/types.js';
import { MAX_TIMER_MS } from '../core/validators.js';
import { errorMessage } from '../core/artifacts.js';
import { formatBytes, parseSize } from '../core/units.js';
import type { CollectResult } from '../run/collect.js';
import { profileTable } from '../run/progress.js';
import type { CliIo } from './io.js';
import { troubleshootingUrl } from '../report/docs-url.js';
import { docsHref } from '../report/issue-findings.js';
import { list } from './builders.js';
import { analyzeFromArgv, docsUrlFromArgv, envFilesFromArgv, failOn, redactionFromArgv } from './options.js';

/** `collect-bundle [collect]`: the run (collectors, Docker client, bundle writer, analyzers) loads when it runs. */
export async function runCollect(argv: Record<string, unknown>, rawArgs: readonly string[], io: CliIo): Promise<number> {
  if (argv['list-collectors']) {
    const [{ builtinCollectors }, { collectorsFor }] = await Promise.all([import('../../collectors/index.js'), import('../config/registry.js')]);
    const collectors = collectorsFor(configOf(argv), builtinCollectors);
    const width = Math.max(...collectors.map((c) => c.name.length));
    const listing = collectors.map((c) => `${c.name.padEnd(width)}  ${c.defaultEnabled ? 'on ' : 'off'}  ${c.description}\n`).join('');
    // A custom command's description is its argv, which may hold a secret: redacted like bundle text.
    io.stdout.write(await redactForDisplay(listing, redactionFromArgv(argv), configOf(argv)?.config, io.env));
    return EXIT.complete;
  }
  if (argv['fail-on'] !== undefined && argv['analyze'] === false) throw new CliError('--fail-on needs the analyzers: drop --no-analyze', 'E_USAGE');
  if (argv['review'] && argv['dry-run'])
    throw new CliError('--review and --dry-run do not go together: --dry-run collects nothing to review; drop one', 'E_USAGE');
  // Checked before anything is collected: a --review that cannot ask fails at once.
  const review = argv['review'] ? await import('./review.js') : undefined;
  const reviewFrom = review?.reviewInput(io, Boolean(argv['yes']));
  // Recipients and the upload's destination and token are checked before anything is collected.
  const encryptTo = await recipientsFromArgv(argv);
  const dest = argv['upload'] === undefined ? undefined : String(argv['upload']);
  if (dest !== undefined) {
    const [{ parseDestination, preflightUpload }, { uploadOptionsFromArgv }] = await Promise.all([import('../run/upload.js'), import('./upload.js')]);
    parseDestination(dest);
    const options = await uploadOptionsFromArgv(argv, io);
    await preflightUpload(dest, { ...options, log: (line) => void io.stderr.write(`collect-bundle: warning: ${line}\n`) });
  }
  const built = {
    ...(await buildCollectOptions(argv, rawArgs, io)),
    envFiles: await envFilesFromArgv(argv),
    ...(encryptTo.length ? { encryptTo } : {}),
    ...(encryptTo.length || dest !== undefined ? { commandLine: await recordedArgs(['collect-bundle', ...rawArgs]) } : {}),
  };
  if (argv['dry-run']) {
    if (argv['job'] !== undefined) throw new CliError('--dry-run and --job do not go together: --job looks the job up first; drop one', 'E_USAGE');
    const { dryRun, renderDryRun } = await import('../run/dry-run.js');
    const plan = await dryRun(built);
    // An argv or a file name may hold a secret: redacted like bundle text.
    const text = argv['json'] ? `${JSON.stringify(plan, null, 2)}\n` : renderDryRun(plan, formatBytes);
    io.stdout.write(await redactForDisplay(text, redactionFromArgv(argv), configOf(argv)?.config, io.env));
    return EXIT.complete;
  }
  // --job: one read-only lookup first, then the run narrowed to that job (src/run/job.ts).
  // Only docker flags typed on this command line override the job's narrowing; a config's or COLLECT_BUNDLE_*'s tail does not.
  const [{ collectBundle }, { planJob, typedJobDockerKeys }] = await Promise.all([import('../run/collect.js'), import('../run/job.js')]);
  const options =
    argv['job'] !== undefined
      ? { ...built, ...(await planJob(built, String(argv['job']), new Date(), { overrides: typedJobDockerKeys(typedFlags(argv)) })).options }
      : built;
  // Since the process started: Node itself, loading the modules and reading the options (--profile).
  const beforeMs = Math.round(performance.now());
  const result = await collectBundle(review ? { ...options, review: review.reviewer(io, reviewFrom) } : options);
  if (!argv['quiet']) io.stderr.write(summary(result, troubleshootingUrl(options.docsUrl)));
  // Asked for by name: printed even with --quiet.
  if (argv['profile']) io.stderr.write(profileTable(result.timings, result.durationMs, beforeMs));
  let uploaded: Awaited<ReturnType<typeof import('./upload.js').uploadStep>> | undefined;
  if (dest !== undefined) uploaded = await (await import('./upload.js')).uploadStep(result.bundle, dest, argv, io);
  if (argv['json'])
    io.stdout.write(
      `${JSON.stringify({ ...jsonSummary(result), ...(uploaded ? { upload: { to: uploaded.shown, bytes: uploaded.bytes, checked: uploaded.checked } } : {}) }, null, 2)}\n`,
    );
  if (await failOn(argv, result.findings?.findings ?? [])) return EXIT.findings;
  return result.status === 'complete' ? EXIT.complete : EXIT.partial;
}

/**
 * The command line for the manifest: each `--encrypt-to` recipient as its fingerprint (the manifest names
 * recipients, never keys) and `--upload` as scheme, host and path only (a presigned URL's query is a credential).
 */
export async function recordedArgs(args: readonly string[]): Promise<string[]> {
  // The age library (about 55 modules) only when a recipient is there to show.
  const encrypting = args.some((a) => a === '--encrypt-to' || a.startsWith('--encrypt-to='));
  const [age, { showDestination }] = await Promise.all([encrypting ? import('../bundle/age.js') : undefined, import('../run/upload.js')]);
  const shown: Record<string, (v: string) => string> = { upload: showDestination };
  if (age) shown['encrypt-to'] = (v) => age.recipientFingerprint(v.trim());
  const out = [...args];
  for (let i = 0; i < out.length; i++) {
    if (out[i] === '--') break;
    for (const [flag, show] of Object.entries(shown)) {
      if (out[i] === `--${flag}` && i + 1 < out.length) out[i + 1] = show(out[i + 1]!);
      else if (out[i]!.startsWith(`--${flag}=`)) out[i] = `--${flag}=${show(out[i]!.slice(flag.length + 3))}`;
    }
  }
  return out;
}

/** `--encrypt-to` and the lines of `--encrypt-to-file`, checked (exit 2 naming a bad one); [] when neither is given. */
export async function recipientsFromArgv(argv: Record<string, unknown>): Promise<string[]> {
  const given = list(argv['encrypt-to']);
  if (argv['encrypt-to'] !== undefined && given.length === 0)
    throw new CliError('--encrypt-to needs a recipient (age1…, or an ssh-ed25519/ssh-rsa public key)', 'E_USAGE');
  if (given.length === 0 && argv['encrypt-to-file'] === undefined) return [];
  const { checkRecipients, readRecipientsFile } = await import('../bundle/age.js');
  const keys = checkRecipients(given).map((r) => r.key);
  if (argv['encrypt-to-file'] !== undefined) keys.push(...(await readRecipientsFile(String(argv['encrypt-to-file']))).map((r) => r.key));
  return keys;
}

/**
 * The collect options of a parsed command line (shared by `collect` and `schedule`). Throws a
 * CliError (exit 2) for a value that cannot be used.
 */
export async function buildCollectOptions(argv: Record<string, unknown>, rawArgs: readonly string[], io: CliIo): Promise<CollectOptions> {
  const [{ builtinCollectors }, { withConfig }, { collectorOptionsFromArgv }] = await Promise.all([
    import('../../collectors/index.js'),
    import('../config/registry.js'),
    import('../config/collector-options.js'),
  ]);
  if (argv['label']) await refuseSecretLabel(String(argv['label']));
  // Custom collectors, per-collector extras and the file's path from the config (its flag values are already in argv).
  return withConfig(configOf(argv), collectOptionsFromFlags(argv, rawArgs, io, builtinCollectors, collectorOptionsFromArgv), builtinCollectors);
}

/** `password=…`, `token: …`: a secret key name followed by a value. */
const KEY_VALUE = /^\s*([A-Za-z0-9_.-]+)\s*[=:]/;

/**
 * The label becomes the bundle's file and folder name, which nothing redacts after the fact: a label
 * the built-in rules would redact (`ghp_…`, `postgres://u:PW@h`) or that assigns a secret key
 * (`password=X`) is refused with exit 2, never quoted.
 */
async function refuseSecretLabel(label: string): Promise<void> {
  const [{ MessageRedactor }, { isSecretKeyName }] = await Promise.all([import('./messages.js'), import('../../redaction/keys.js')]);
  const key = KEY_VALUE.exec(label)?.[1];
  if ((key !== undefined && isSecretKeyName(key)) || (await new MessageRedactor().redact(label)) !== label) {
    throw new CliError(
      "--label looks like a secret, and the label becomes the bundle's file name: choose a plain label such as before-upgrade (letters, digits, dot and dash)",
      'E_USAGE',
    );
  }
}

function collectOptionsFromFlags(
  argv: Record<string, unknown>,
  rawArgs: readonly string[],
  io: CliIo,
  collectors: readonly Collector[],
  fromArgv: (argv: Record<string, unknown>, collectors: readonly Collector[]) => Record<string, Record<string, unknown>>,
): CollectOptions {
  const collectorNames = collectors.map((c) => c.name);
  // yargs turns a non-numeric value into NaN: quote what the user typed instead.
  const given = (name: string, v: unknown): string => (typeof v === 'number' && Number.isNaN(v) ? (rawOptionValue(rawArgs, name) ?? String(v)) : String(v));
  const seconds = (name: string): number | undefined => {
    const v = argv[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      throw new CliError(`--${name} must be a positive number of seconds, got "${given(name, v)}"`, 'E_USAGE');
    // Node's timers overflow above 2^31-1 ms and then fire after 1 ms.
    if (v * 1000 > MAX_TIMER_MS)
      throw new CliError(`--${name} must be at most ${Math.floor(MAX_TIMER_MS / 1000)} seconds (about 24 days), got "${given(name, v)}"`, 'E_USAGE');
    return v * 1000;
  };
  const concurrency = argv['concurrency'] as number;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new CliError(`--concurrency must be a whole number of at least 1, got "${given('concurrency', concurrency)}"`, 'E_USAGE');
  // `--only ,` or `--only ""` would otherwise silently mean "the default collectors".
  for (const name of ['only', 'skip']) {
    if (argv[name] !== undefined && list(argv[name]).length === 0) {
      throw new CliError(`--${name} needs at least one collector name; valid: ${collectorNames.join(', ')}`, 'E_USAGE');
    }
  }
  if (String(argv['output-dir']).trim() === '') throw new CliError('--output-dir must not be empty', 'E_USAGE');
  // Every collector's declared options, from its flags (the environment and the config file already layered in).
  const collectorOptions = fromArgv(argv, collectors);
  // The compose file is looked for where the Django project is, unless it was given.
  const djangoDir = collectorOptions['django']?.['djangoDir'];
  if (typeof djangoDir === 'string' && collectorOptions['compose']?.['projectDir'] === undefined)
    collectorOptions['compose'] = { ...collectorOptions['compose'], projectDir: djangoDir };
  let maxBytes: number | undefined;
  if (argv['max-size'] !== undefined) {
    try {
      maxBytes = parseSize(String(argv['max-size']));
    } catch (err) {
      throw new CliError(`--max-size: ${errorMessage(err)}`, 'E_USAGE');
    }
    if (maxBytes <= 0) throw new CliError(`--max-size must be more than 0, e.g. 25MiB, got "${argv['max-size']}"`, 'E_USAGE');
  }
  const quiet = Boolean(argv['quiet']);
  const deadlineMs = seconds('deadline');
  return {
    outputDir: String(argv['output-dir']),
    only: list(argv['only']),
    skip: list(argv['skip']),
    ...(argv['timeout'] !== undefined ? { timeoutMs: seconds('timeout')! } : {}),
    ...(deadlineMs ? { deadlineMs } : {}),
    concurrency,
    ...(maxBytes !== undefined ? { maxBytes } : {}),
    ...(argv['label'] ? { label: String(argv['label']) } : {}),
    ...(argv['title'] ? { title: String(argv['title']) } : {}),
    ...(argv['description'] ? { description: String(argv['description']) } : {}),
    ...(argv['docs-url'] ? { docsUrl: docsUrlFromArgv(argv['docs-url']) } : {}),
    ...dockerHostOptions(argv),
    ...(Object.keys(collectorOptions).length ? { collectorOptions } : {}),
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
  if (argv['docker-host'] !== undefined && hosts.length === 0)
    throw new CliError('--docker-host needs a URL (unix://, tcp://, ssh://) or a docker context name', 'E_USAGE');
  const tls: { -readonly [K in keyof TlsFlags]: TlsFlags[K] } = {};
  if (argv['tls'] !== undefined) tls.tls = Boolean(argv['tls']);
  if (argv['tlsverify'] !== undefined) tls.verify = Boolean(argv['tlsverify']);
  for (const [flag, key] of [
    ['tlscacert', 'ca'],
    ['tlscert', 'cert'],
    ['tlskey', 'key'],
  ] as const) {
    if (argv[flag] === undefined) continue;
    if (String(argv[flag]).trim() === '') throw new CliError(`--${flag} must name a file`, 'E_USAGE');
    tls[key] = String(argv[flag]);
  }
  return { ...(hosts.length ? { dockerHosts: hosts } : {}), ...(Object.keys(tls).length ? { dockerTls: tls } : {}) };
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
    collectors: r.manifest.collectors.map((c) => ({
      name: c.name,
      status: c.status,
      durationMs: c.durationMs,
      ...(c.reason && c.status !== 'ok' ? { error: c.reason } : {}),
    })),
    redactions: { total: r.manifest.redaction.total, byRule: r.manifest.redaction.byRule },
    // --max-size: the limit and the files cut to fit it.
    ...(r.manifest.budget
      ? { budget: { ...r.manifest.budget, cut: r.manifest.collectors.flatMap((c) => c.artifacts.filter((a) => a.cut).map((a) => a.path)) } }
      : {}),
    ...(r.findings
      ? { findings: { counts: r.findings.counts, items: r.findings.findings.map((f) => ({ id: f.id, severity: f.severity, title: f.title, docs: f.docs })) } }
      : {}),
    ...(r.issueFile ? { issueFile: r.issueFile } : {}),
    timings: r.timings,
  };
}

/** A path as one shell word (quoted when it holds anything a shell would split or expand). */
const shellWord = (p: string): string => (/^[\w@%+=:,./-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`);

/** The console summary; finding links absolute under `docsUrl` when known. */
export function summary(r: CollectResult, docsUrl?: string): string {
  const failed = r.manifest.collectors.filter((c) => c.status === 'failed' || c.status === 'timed-out' || c.status === 'partial');
  const byRule = r.manifest.redaction.byRule.map(({ rule, count }) => `${rule} ${count}`).join(', ');
  return [
    '',
    `bundle     ${r.bundle}`,
    `size       ${formatBytes(r.bytes)}   sha256 ${r.sha256}`,
    `duration   ${(r.durationMs / 1000).toFixed(1)}s   status ${r.status}`,
    `collectors ${r.manifest.collectors.length} run, ${failed.length} failed, timed out or partial${failed.length ? `: ${failed.map((c) => c.name).join(', ')}` : ''}`,
    `redactions ${r.manifest.redaction.total}${byRule ? ` (${byRule})` : ''}`,
    ...(r.findings
      ? [
          `findings   ${r.findings.counts.error} error, ${r.findings.counts.warning} warning, ${r.findings.counts.info} info${r.findings.findings.length ? ` (findings.json; details: collect-bundle analyze ${shellWord(r.bundle)})` : ''}`,
        ]
      : []),
    ...(r.findings?.findings ?? [])
      .filter((f) => f.severity !== 'info')
      .slice(0, 5)
      .map((f) => `  ${f.severity.toUpperCase().padEnd(7)} ${f.title}  → ${docsHref(f.docs, docsUrl)}`),
    ...(r.issueFile ? [`issue      ${r.issueFile}`] : []),
    '',
  ].join('\n');
}
