// Room: run (src/run/) — may import core, config, collectors, redaction, bundle, docker, report, analyzers (the rule: tests/architecture.test.ts).
/**
 * `collectBundle`: one whole run as a library call. Plans the run, creates the per-run redactor and
 * report, runs the collectors into the bundle writer, then adds ISSUE.md, redactions.json, run.log and
 * manifest.json and finishes the tarball. The CLI is a thin layer over this.
 */
import { chmod, writeFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { basename } from 'node:path';
import { Writable } from 'node:stream';
import { runAnalyzers, type FindingsDocument } from '../../analyzers/run.js';
import { envFileBundlePaths, envFilesCollector } from '../../collectors/env-files.js';
import { builtinCollectors } from '../../collectors/index.js';
import { errorMessage } from '../core/artifacts.js';
import { bundleName } from '../bundle/name.js';
import { SpoolView } from '../bundle/view.js';
import { BundleWriter, OutputError } from '../bundle/writer.js';
import { createDockerClient } from '../docker/client.js';
import { resolveDockerEndpoints } from '../docker/endpoints.js';
import { CliError } from '../core/errors.js';
import { renderIssue } from '../report/issue.js';
import { troubleshootingUrl } from '../report/docs-url.js';
import { DEFAULTS, type CollectOptions } from '../config/options.js';
import { setUpRedaction } from '../config/redaction-plan.js';
import { Reporter } from './progress.js';
import { planExecutorHosts } from './executor-hosts.js';
import { guardExit, type PluginExitError } from './exit-guard.js';
import { LOAD_TIMEOUT_MS as PLUGIN_LOAD_TIMEOUT_MS, loadPlugins, type PluginLoadResult } from './plugins.js';
import { excludeRecords, review } from './review.js';
import { runCollectors } from './runner.js';
import { fitSizeBudget } from './size-budget.js';
import { describeCuts } from '../bundle/budget.js';
import type { ArtifactRecord, Collector, CollectorRecord, DockerEndpoint, Manifest, RunPhase, RunTimings } from '../core/types.js';
import { TOOL } from '../core/version.js';
import { ROOT } from '../bundle/layout.js';
import { renderReport } from '../report/html/report.js';

export { DEFAULTS, type CollectOptions };

/** What a finished run returns. Everything in it has been redacted. */
export interface CollectResult {
  readonly bundle: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly status: Manifest['status'];
  readonly durationMs: number;
  /** The manifest exactly as stored in the bundle. */
  readonly manifest: Manifest;
  /** findings.json as stored (absent with `noAnalyze`). */
  readonly findings?: FindingsDocument;
  /** ISSUE.md as stored in the bundle. */
  readonly issue: string;
  /** The copy of ISSUE.md written beside the bundle (`issueBeside`). */
  readonly issueFile?: string;
  /** Where the time went: the manifest's `timings` plus `pack` and `verify`, which follow the manifest. */
  readonly timings: RunTimings;
}

/** Picks collectors by --only/--skip; unknown names are a usage error naming the valid ones. */
export function selectCollectors(all: readonly Collector[], only: readonly string[] = [], skip: readonly string[] = []): Collector[] {
  const names = new Set(all.map((c) => c.name));
  const unknown = [...only, ...skip].filter((n) => !names.has(n));
  if (unknown.length) {
    throw new CliError(
      `unknown collector${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}; valid: ${[...names].join(', ')}`,
      'E_USAGE',
    );
  }
  const chosen = only.length ? all.filter((c) => only.includes(c.name)) : all.filter((c) => c.defaultEnabled);
  return chosen.filter((c) => !skip.includes(c.name));
}

export async function collectBundle(options: CollectOptions): Promise<CollectResult> {
  // A plugin's process.exit() fails that plugin instead of ending the run (exit 0, no bundle).
  const strays: PluginExitError[] = [];
  const release = guardExit((err) => strays.push(err));
  try {
    return await collectGuarded(options, strays);
  } finally {
    release();
  }
}

/** Wall time per phase: each phase runs from the end of the one before it, so together they cover the run. */
class PhaseClock {
  readonly #phases: { phase: RunPhase; ms: number }[] = [];
  #mark: number;
  constructor(began: number) {
    this.#mark = began;
  }
  /** Ends `phase` now (a phase that is reached again adds up). */
  end(phase: RunPhase, at = performance.now()): void {
    const ms = at - this.#mark;
    this.#mark = at;
    const seen = this.#phases.find((p) => p.phase === phase);
    if (seen) seen.ms += ms;
    else this.#phases.push({ phase, ms });
  }
  timings(records: readonly CollectorRecord[]): RunTimings {
    return {
      phases: this.#phases.map((p) => ({ phase: p.phase, ms: Math.round(p.ms) })),
      collectors: records.map((r) => ({ name: r.name, status: r.status, ms: r.durationMs })),
    };
  }
}

async function collectGuarded(options: CollectOptions, strays: readonly PluginExitError[]): Promise<CollectResult> {
  const began = performance.now();
  const clock = new PhaseClock(began);
  const startedAt = new Date();
  const env = Object.freeze({ ...(options.env ?? process.env) });
  const signal = options.signal ?? new AbortController().signal;
  // A recipient that cannot be used is a usage error before anything runs (age.ts).
  // The age library is loaded only when there is something to encrypt.
  const recipients = options.encryptTo?.length ? (await import('../bundle/age.js')).checkRecipients(options.encryptTo) : [];
  const { envFiles, plugins, collectors, timeoutMs, concurrency, executorHosts, dockerEndpoints } = await prepareRun(options, env, signal);

  const redaction = await setUpRedaction(options.redaction ?? {}, env);
  const { redactor, report } = redaction;
  for (const secret of executorHosts.secrets) redaction.literals.add(secret);
  const reporter = new Reporter({
    out: options.progress?.out ?? new Writable({ write: (_c, _e, cb) => cb() }),
    quiet: options.progress ? Boolean(options.progress.quiet) : true,
    verbose: options.progress?.verbose ?? false,
    redact: (line) => redactor.value(line, ROOT.runLog),
  });

  const realHost = hostname();
  // The bundle's file and folder name carry the host name: its pseudonym with --pseudonymize.
  const host = redaction.pseudonyms ? redaction.pseudonyms.pseudonymizer.host(realHost) : realHost;
  const name = bundleName({ hostname: host, ...(options.label ? { label: options.label } : {}), date: startedAt, redact: (l) => redactor.value(l, 'label') });
  let writer: BundleWriter;
  try {
    writer = await BundleWriter.create({ outputDir: options.outputDir, name, redactor, ...(recipients.length ? { encryptTo: recipients } : {}) });
  } catch (err) {
    throw new CliError(errorMessage(err), err instanceof OutputError ? 'E_OUTPUT' : 'E_FATAL', { cause: err });
  }

  const interrupted = (): CliError => new CliError('interrupted: no bundle was written', 'E_INTERRUPTED');
  try {
    if (redaction.key.warning) reporter.log('warn', redaction.key.warning);
    if (executorHosts.note) reporter.log(executorHosts.note.level, executorHosts.note.message);
    for (const f of plugins?.failures ?? []) reporter.log('warn', `plugin ${f.plugin} was skipped: ${f.error}`);
    reporter.log('info', `collecting ${collectors.map((c) => c.name).join(', ')} into ${writer.path}`);
    clock.end('setup');
    const environment: Record<string, string> = {};
    const collected: CollectorRecord[] = await runCollectors(
      {
        collectors,
        optionsFor: (n) => (n === envFilesCollector.name ? { files: envFiles } : (options.collectorOptions?.[n] ?? {})),
        concurrency,
        timeoutMs,
        timeoutFixed: options.timeoutMs !== undefined,
        signal,
        ...(options.deadlineMs ? { deadline: AbortSignal.timeout(options.deadlineMs) } : {}),
        deps: {
          dockerEndpoints,
          docker: options.dockerClient ?? ((e) => createDockerClient(e)),
          env,
          secrets: { add: (value: string) => void redaction.literals.add(value) },
        },
      },
      writer,
      {
        started: (n) => reporter.started(n),
        finished: (r) => reporter.finished(r),
        log: (n, level, message) => reporter.log(level, message, n),
        fact: (key, value) => {
          environment[key] = value;
        },
      },
    );
    if (signal.aborted) throw interrupted();
    clock.end('collect');
    // Secrets learned late (from a later artifact) are removed from files spooled before them.
    const restated = await writer.redactLateSecrets();
    let records = collected.map((r) =>
      r.artifacts.some((a) => restated.has(a.path)) ? { ...r, artifacts: r.artifacts.map((a) => ({ ...a, ...restated.get(a.path) })) } : r,
    );
    clock.end('redact');

    for (const e of strays) reporter.log('error', `${e.owner} ${e.message}; its call was ignored`);
    const failed = records.some((r) => r.status === 'failed' || r.status === 'timed-out' || r.status === 'partial');
    const status = failed || plugins?.failures.length || strays.length ? 'partial' : 'complete';
    const files: ArtifactRecord[] = [];
    let cutCount = 0;
    let findings: FindingsDocument | undefined;
    const draft = (finishedAt: Date): Manifest => ({
      tool: { name: TOOL.name, version: TOOL.version },
      bundle: name,
      commandLine: options.commandLine ?? [],
      host: { hostname: host, platform: process.platform, arch: process.arch, ...currentUser() },
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: Math.round(performance.now() - began),
      status,
      options: {
        outputDir: options.outputDir,
        only: options.only ?? [],
        skip: options.skip ?? [],
        timeoutSec: timeoutMs / 1000,
        deadlineSec: options.deadlineMs ? options.deadlineMs / 1000 : null,
        concurrency,
        label: options.label ?? null,
        collectorOptions: options.collectorOptions ?? {},
        config: options.configFile ?? null,
      },
      docker: { endpoints: dockerEndpoints },
      ...(plugins ? { plugins: pluginRecords(plugins, options.plugins ?? []) } : {}),
      environment,
      collectors: records,
      ...(options.maxBytes !== undefined ? { budget: { maxBytes: options.maxBytes, cutFiles: cutCount } } : {}),
      ...(findings ? { findings: findings.counts } : {}),
      files: [...files],
      ...(recipients.length ? { encryption: { format: 'age' as const, recipients: recipients.map((r) => r.fingerprint) } } : {}),
      timings: clock.timings(records),
      redaction: {
        total: report.total,
        byRule: report.byRule(),
        ...redaction.summary,
        literals: redaction.literals.size,
        ...(redaction.pseudonyms ? { pseudonymized: true } : {}),
      },
    });
    if (!options.noAnalyze) {
      reporter.log('info', 'analyzing what was collected');
      const view = new SpoolView(draft(new Date()), writer);
      const stored = envFileBundlePaths(envFiles);
      const lint = await Promise.all(stored.map(async (path) => ({ path, text: await view.text(path) })));
      // A fresh view each time: after --review the manifest's records no longer list what was left out.
      const analyze = (): Promise<FindingsDocument> =>
        runAnalyzers(new SpoolView(draft(new Date()), writer), {
          ...options.analyze,
          envFiles: lint.filter((f): f is { path: string; text: string } => f.text !== undefined),
        });
      findings = await analyze();
      if (options.review) {
        const excluded = await review(options.review, writer, report, findings);
        if (excluded.length) {
          records = excludeRecords(records, excluded);
          reporter.log('info', `left out at --review: ${excluded.join(', ')}`);
          // A finding's evidence may quote a file left out: judged again without it.
          findings = await analyze();
        }
      }
      const c = findings.counts;
      reporter.log(c.error ? 'warn' : 'info', `findings: ${c.error} error, ${c.warning} warning, ${c.info} info`);
      files.push(writer.addRootFile(ROOT.findings, `${JSON.stringify(findings, null, 2)}\n`));
      clock.end('analyze');
    } else if (options.review) {
      const excluded = await review(options.review, writer, report, undefined);
      if (excluded.length) records = excludeRecords(records, excluded);
    }
    const docsUrl = troubleshootingUrl(options.docsUrl);
    const issueInput = {
      findings: findings?.findings ?? [],
      bundleFile: basename(writer.path),
      ...pick(options, 'title', 'description'),
      ...(docsUrl ? { docsUrl } : {}),
    };
    // Root files are built from redacted output: re-passes (the pseudonyms in them stay).
    const redactIssue = (body: string): string => redactor.text(body, ROOT.issue, { repass: true });
    if (options.maxBytes !== undefined) {
      // The size budget: decided now, from the spooled sizes, so the root files below record the cuts.
      const m = draft(new Date());
      // report.html too (log excerpts make it the largest root file): rendered once as a draft to be
      // counted, or the finished bundle came out over the budget and was refused.
      const page = await renderReport(new SpoolView(m, writer), {
        findings: issueInput.findings,
        bundleFile: issueInput.bundleFile,
        ...(docsUrl ? { docsUrl } : {}),
      }).catch(() => '');
      const drafts = [
        JSON.stringify(m, null, 2),
        renderIssue({ manifest: m, ...issueInput }),
        page,
        reporter.lines.join('\n'),
        JSON.stringify(report.toJSON(), null, 2),
      ];
      const fitted = await fitSizeBudget(writer, records, options.maxBytes, [...drafts, findings ? JSON.stringify(findings, null, 2) : '']);
      records = fitted.records;
      cutCount = fitted.cut.length;
      if (cutCount) reporter.log('warn', describeCuts(fitted.cut, options.maxBytes));
    }
    const issueManifest = draft(new Date());
    const issue = renderIssue({ manifest: issueManifest, ...issueInput, redact: redactIssue });
    files.push(writer.addRootFile(ROOT.issue, issue));
    // report.html: the same data as ISSUE.md, read back through the spool (redacted) and redacted again
    // as a root file. A failure to render it loses the page, never the bundle.
    try {
      const html = await renderReport(new SpoolView(issueManifest, writer), {
        findings: issueInput.findings,
        bundleFile: issueInput.bundleFile,
        ...(docsUrl ? { docsUrl } : {}),
      });
      files.push(writer.addRootFile(ROOT.report, html));
    } catch (err) {
      reporter.log('error', `could not render ${ROOT.report}: ${redactor.value(errorMessage(err), 'errors')} (the bundle is complete without it)`);
    }
    reporter.log('info', `collection finished (${status}); writing ${writer.path}`);
    files.push(writer.addRootFile(ROOT.runLog, `${reporter.lines.join('\n')}\n`));
    // Counts only, never values; written after every other redacted file so its totals are final.
    files.push(writer.addRootFile(ROOT.redactions, `${JSON.stringify(report.toJSON(), null, 2)}\n`));
    clock.end('report');
    const manifestText = redactor.text(`${JSON.stringify(draft(new Date()), null, 2)}\n`, ROOT.manifest, { repass: true });
    // Redacting is idempotent, so the writer's own pass over this text changes nothing more.
    writer.addRootFile(ROOT.manifest, manifestText);
    const storedManifest = JSON.parse(manifestText) as Manifest;
    if (signal.aborted) throw interrupted();
    // The map first: a bundle whose pseudonyms cannot be turned back is not written.
    await redaction.pseudonyms?.save();
    // The verification scans the tarball as it is written (writer.finish): 'pack' until it is on disk,
    // 'verify' the wait for the scan's verdict after that.
    let packed: number | undefined;
    const written = await writer.finish(signal, { scanner: redaction.scanner, manifest: storedManifest }, options.maxBytes, () => {
      packed = performance.now();
    });
    if (packed !== undefined) clock.end('pack', packed);
    clock.end(packed === undefined ? 'pack' : 'verify');
    let issueFile: string | undefined;
    if (options.issueBeside) {
      // Same inputs as the stored ISSUE.md plus the checksum, which only exists now. Redacted again on
      // the way out like every file we write; on failure the bundle stands and the error is logged.
      issueFile = written.path.replace(/\.tar\.gz(\.age)?$/, '.ISSUE.md');
      try {
        await writeFile(issueFile, renderIssue({ manifest: issueManifest, ...issueInput, sha256: written.sha256, redact: redactIssue }), {
          mode: 0o600,
          flag: 'w',
        });
        await chmod(issueFile, 0o600);
      } catch (err) {
        reporter.log('error', `could not write ${issueFile}: ${errorMessage(err)} (the bundle is complete; ISSUE.md is inside it)`);
        issueFile = undefined;
      }
    }
    clock.end('report');
    reporter.close();
    return {
      bundle: written.path,
      sha256: written.sha256,
      bytes: written.bytes,
      status,
      durationMs: Math.round(performance.now() - began),
      manifest: storedManifest,
      ...(findings ? { findings: JSON.parse(redactor.text(JSON.stringify(findings), ROOT.findings, { repass: true })) as FindingsDocument } : {}),
      issue,
      ...(issueFile ? { issueFile } : {}),
      timings: clock.timings(records),
    };
  } catch (err) {
    reporter.close();
    await writer.abort();
    if (signal.aborted) throw interrupted();
    if (err instanceof CliError) throw err;
    throw new CliError(redactor.value(errorMessage(err), 'errors'), err instanceof OutputError ? 'E_OUTPUT' : 'E_FATAL', { cause: err });
  }
}

/** What a run (or a --dry-run) works on: the selected collectors, their limits and the Docker engines. */
export interface PreparedRun {
  readonly envFiles: readonly string[];
  readonly plugins: PluginLoadResult | undefined;
  readonly collectors: Collector[];
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly executorHosts: Awaited<ReturnType<typeof planExecutorHosts>>;
  readonly dockerEndpoints: DockerEndpoint[];
}

/** Loads plugins, selects the collectors (--only/--skip, --env-file) and resolves the Docker engines; throws CliError. */
export async function prepareRun(options: CollectOptions, env: Readonly<Record<string, string | undefined>>, signal: AbortSignal): Promise<PreparedRun> {
  const envFiles = options.envFiles ?? [];
  const registry = options.collectors ?? builtinCollectors;
  const plugins: PluginLoadResult | undefined = options.plugins?.length
    ? await loadPlugins(options.plugins, options.pluginBaseDir ?? process.cwd(), {
        reserved: registry.map((c) => c.name),
        signal,
        // --timeout bounds a plugin's loading too (its top-level await), never beyond the default 30 s.
        ...(options.timeoutMs !== undefined ? { timeoutMs: Math.min(PLUGIN_LOAD_TIMEOUT_MS, options.timeoutMs) } : {}),
      })
    : undefined;
  const collectors = selectWithPlugins([...registry, ...(plugins?.collectors ?? [])], options, plugins);
  // Named env files are always collected: the user asked for them by path.
  // env-files is off by default: --env-file turns it on (unless --skip env-files), after the selection as before.
  if (envFiles.length && !collectors.some((c) => c.name === envFilesCollector.name) && !options.skip?.includes(envFilesCollector.name)) {
    collectors.push(registry.find((c) => c.name === envFilesCollector.name) ?? envFilesCollector);
  }
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutSec * 1000;
  const concurrency = options.concurrency ?? DEFAULTS.concurrency;
  if (!(timeoutMs > 0)) throw new CliError('--timeout must be a positive number of seconds', 'E_USAGE');
  if (options.deadlineMs !== undefined && !(options.deadlineMs > 0)) throw new CliError('--deadline must be a positive number of seconds', 'E_USAGE');
  // --executor-hosts: the container_manager executor hosts' engines join the run's (read-only lookup first).
  const executorHosts = await planExecutorHosts(options, env, collectors, signal);
  let dockerEndpoints: DockerEndpoint[];
  try {
    dockerEndpoints = resolveDockerEndpoints(env, {
      ...(options.dockerHosts ? { hosts: options.dockerHosts } : {}),
      ...(options.dockerTls ? { tls: options.dockerTls } : {}),
      ...(executorHosts.endpoints.length ? { extra: executorHosts.endpoints } : {}),
    });
  } catch (err) {
    throw new CliError(errorMessage(err), 'E_USAGE');
  }

  return { envFiles, plugins, collectors, timeoutMs, concurrency, executorHosts, dockerEndpoints };
}

/** selectCollectors, but an --only/--skip name that a failed plugin would have provided says so. */
function selectWithPlugins(all: readonly Collector[], options: CollectOptions, plugins: PluginLoadResult | undefined): Collector[] {
  try {
    return selectCollectors(all, options.only, options.skip);
  } catch (err) {
    const failed = plugins?.failures ?? [];
    if (!(err instanceof CliError) || failed.length === 0) throw err;
    throw new CliError(`${err.message} (${failed.length} plugin(s) failed to load: ${failed.map((f) => `${f.plugin}: ${f.error}`).join('; ')})`, err.code);
  }
}

/** The manifest's `plugins`: every plugin asked for, in the order given, loaded or not (one-line errors). */
function pluginRecords(plugins: PluginLoadResult, order: readonly string[]): Manifest['plugins'] {
  return [
    ...plugins.loaded.map((p) => ({ plugin: p.plugin, status: 'loaded' as const, collectors: p.collectors })),
    ...plugins.failures.map((f) => ({ plugin: f.plugin, status: 'failed' as const, error: f.error })),
  ].sort((a, b) => order.indexOf(a.plugin) - order.indexOf(b.plugin));
}

function currentUser(): { user?: string } {
  try {
    return { user: userInfo().username };
  } catch {
    return {};
  }
}

function pick<T extends object, K extends keyof T>(o: T, ...keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
