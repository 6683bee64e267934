// Room: schedule (src/schedule/) — may import core, config, run, bundle, collectors (the rule: tests/architecture.test.ts).
/**
 * `collect-bundle schedule`: a long-running loop that writes a bundle every interval (or on a cron
 * expression), never two at once, prunes old bundles after each run, skips a run when the disk is too
 * full for it, and stops cleanly on the caller's signal (SIGTERM/SIGINT in the CLI). It holds the output
 * directory's lock (`src/schedule/lock.ts`) the whole time. One log line per run.
 */
import { Cron } from 'croner';
import { mkdir, statfs } from 'node:fs/promises';
import { resolve } from 'node:path';
import { builtinCollectors } from '../../collectors/index.js';
import { errorMessage } from '../core/artifacts.js';
import { collectBundle, selectCollectors, type CollectOptions, type CollectResult } from '../run/collect.js';
import { showDestination, uploadBundle, type UploadOptions } from '../run/upload.js';
import { CliError } from '../core/errors.js';
import { acquireLock, LockHeldError, type Lock } from './lock.js';
import { applyRetention, listBundles, validatePolicy, type Deletion, type RetentionPolicy, type RetentionResult } from './retention.js';
import { formatBytes, formatDuration } from '../core/units.js';

/** When to run: every fixed interval, or on a cron expression (croner syntax, 5 or 6 fields). */
export type Trigger = { readonly every: number } | { readonly cron: string };

/** The smallest size a run is assumed to need when there is no previous bundle to go by. */
export const MIN_RUN_ESTIMATE = 5 * 1024 * 1024;

export interface ScheduleOptions {
  /** Options of each collection; their `signal` is replaced by the schedule's own. */
  readonly collect: CollectOptions;
  readonly trigger: Trigger;
  /** IANA zone the cron expression and the logged times are in; default: the local zone. */
  readonly timezone?: string;
  /** Run once at start; default: true with `every`, false with `cron`. */
  readonly runNow?: boolean;
  /** Applied after every run (and by `prune`). */
  readonly retention?: RetentionPolicy;
  /** Stop after this many runs (skipped ones count); default: run until the signal. */
  readonly maxRuns?: number;
  /** Skip a run when less than this would stay free on the output's file system after it; default 0. */
  readonly minFreeBytes?: number;
  /** The disk a run needs, instead of the estimate from the previous bundle (for a known size, or tests). */
  readonly estimateBytes?: number;
  /** Stops the schedule: the current run is aborted (nothing partial is left) and the lock released. */
  readonly signal?: AbortSignal;
  /** One line per run, plus start and stop lines; default: nowhere. */
  readonly log?: (line: string) => void;
  /**
   * `--fail-on`: a run line whose findings reach this severity says so. The schedule's exit code does
   * not change (a scheduler that stopped on the first finding would miss the "after").
   */
  readonly failOn?: 'error' | 'warning';
  /**
   * Upload each run's bundle after it is written (`--upload`, `upload.to`). Never asks: a schedule has
   * no terminal, so setting it is the consent. A failed upload is said in the run's line; the bundle
   * stays and the schedule goes on.
   */
  readonly upload?: { readonly dest: string; readonly options?: UploadOptions };
}

/** What one run did. */
export interface ScheduleRun {
  /** 1-based. */
  readonly number: number;
  readonly startedAt: Date;
  readonly status: 'complete' | 'partial' | 'failed' | 'skipped';
  readonly bundle?: string;
  readonly bytes?: number;
  /** Why it failed or was skipped. */
  readonly reason?: string;
  /** The bundle's findings by severity (absent when the analyzers did not run). */
  readonly findings?: { readonly error: number; readonly warning: number; readonly info: number };
  /** Set with `failOn` when a finding at or above that level exists. */
  readonly failedOn?: boolean;
  readonly durationMs: number;
  /** Bundles removed by retention after this run. */
  readonly deleted: readonly Deletion[];
  /** With `upload`: where the bundle went (as shown: no query, no password), or why it did not. */
  readonly upload?: { readonly to: string; readonly error?: string };
}

export interface ScheduleResult {
  readonly runs: readonly ScheduleRun[];
  /** `max-runs` when --max-runs was reached, `signal` when stopped. */
  readonly stoppedBy: 'max-runs' | 'signal';
}

/** The local IANA zone (`Europe/Berlin`), `UTC` when the system does not say. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Checks an IANA zone name; throws an Error naming the fix. */
export function checkTimeZone(zone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw new Error(`--timezone "${zone}" is not a known time zone: use an IANA name such as UTC, Europe/Berlin or America/New_York`);
  }
}

/** `2026-11-28T14:39:24+01:00`: the time as a clock in `zone` shows it, with the offset. */
export function formatTime(date: Date, zone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  }).formatToParts(date);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  const offset = get('timeZoneName').replace(/^GMT/, '') || '+00:00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}${offset}`;
}

/** A trigger made usable: its description and the first run time after a moment. */
export interface Timetable {
  /** `every 15m`, `cron "0 3 * * *" (Europe/Berlin)`. */
  readonly description: string;
  /** The next run strictly after `after` (for `every`, `after` is the previous planned start). */
  next(after: Date): Date;
}

/** Builds the timetable of a trigger; throws an Error naming the fix for an unusable one. */
export function timetable(trigger: Trigger, zone: string = localTimeZone()): Timetable {
  if ('every' in trigger) {
    if (!(trigger.every >= 1000)) throw new Error(`--every must be at least 1s, got ${trigger.every} ms`);
    return { description: `every ${formatDuration(trigger.every)}`, next: (after) => new Date(after.getTime() + trigger.every) };
  }
  let cron: Cron;
  try {
    cron = new Cron(trigger.cron, { timezone: zone, paused: true });
  } catch (err) {
    throw new Error(
      `--cron "${trigger.cron}" is not a cron expression (${errorMessage(err).replace(/^CronPattern: /, '')}): use 5 fields, minute hour day-of-month month day-of-week, e.g. "*/15 * * * *" or "0 3 * * *"`,
    );
  }
  if (cron.nextRun(new Date()) === null) throw new Error(`--cron "${trigger.cron}" never fires: check the day and month fields`);
  return {
    description: `cron "${trigger.cron}" (${zone})`,
    next: (after) => {
      const at = cron.nextRun(after);
      if (!at) throw new Error(`--cron "${trigger.cron}" has no run after ${after.toISOString()}`);
      return at;
    },
  };
}

/** Waits until `when` (re-reading the clock at least every minute, so a suspend or clock jump is noticed) or the signal. */
async function sleepUntil(when: Date, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    const ms = when.getTime() - Date.now();
    if (ms <= 0) return;
    await new Promise<void>((done) => {
      const finish = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', finish);
        done();
      };
      const timer = setTimeout(finish, Math.min(ms, 60_000));
      signal.addEventListener('abort', finish, { once: true });
    });
  }
}

/** Disk a run needs: its spool (the redacted files, uncompressed) plus the tarball, from the previous run. */
function runFootprint(result: CollectResult): number {
  const spooled = result.manifest.collectors.reduce((n, c) => n + c.artifacts.reduce((m, a) => m + a.bytes, 0), 0);
  return spooled + result.bytes;
}

/** Free bytes for an unprivileged writer on the file system of `dir`. */
async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return Number(s.bavail) * Number(s.bsize);
}

function describePolicy(p: RetentionPolicy | undefined): string {
  const parts: string[] = [];
  if (p?.keep !== undefined) parts.push(`keep ${p.keep}`);
  if (p?.maxAgeMs !== undefined) parts.push(`max age ${formatDuration(p.maxAgeMs)}`);
  if (p?.maxTotalBytes !== undefined) parts.push(`max total ${formatBytes(p.maxTotalBytes)}`);
  return parts.length ? parts.join(', ') : 'no retention (bundles accumulate; add --keep, --max-age or --max-total-size)';
}

function describeDeletions(deleted: readonly Deletion[], failed: RetentionResult['failed']): string {
  const parts = deleted.map((d) => `deleted ${d.name} (${d.reason})`);
  for (const f of failed) parts.push(`could not delete ${f.name}: ${f.error}`);
  return parts.length ? `; ${parts.join('; ')}` : '';
}

/** Takes the output directory's lock, as a CliError when another scheduler holds it (exit 2). */
async function lockOutput(dir: string, log: (line: string) => void): Promise<Lock> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new CliError(`cannot create the output directory ${dir}: ${errorMessage(err)}`, 'E_OUTPUT', { cause: err });
  }
  try {
    const lock = await acquireLock(dir);
    if (lock.warning) log(`collect-bundle schedule: warning: ${lock.warning}`);
    return lock;
  } catch (err) {
    if (err instanceof LockHeldError) throw new CliError(err.message, 'E_CONFIG', { cause: err });
    throw new CliError(errorMessage(err), 'E_OUTPUT', { cause: err });
  }
}

/**
 * Runs collections on the trigger until `maxRuns` or the signal. Resolves when stopped (a stop by the
 * signal is not an error); rejects with a CliError when it cannot start (bad options, lock held).
 */
export async function schedule(options: ScheduleOptions): Promise<ScheduleResult> {
  const log = options.log ?? (() => undefined);
  const zone = checkTimeZone(options.timezone ?? localTimeZone());
  const signal = options.signal ?? new AbortController().signal;
  const outputDir = resolve(options.collect.outputDir);
  let table: Timetable;
  try {
    table = timetable(options.trigger, zone);
    if (options.retention) validatePolicy(options.retention);
    if (options.maxRuns !== undefined && !(Number.isInteger(options.maxRuns) && options.maxRuns >= 1))
      throw new Error(`--max-runs must be a whole number of at least 1, got "${options.maxRuns}"`);
  } catch (err) {
    throw new CliError(errorMessage(err), 'E_USAGE');
  }
  selectCollectors(options.collect.collectors ?? builtinCollectors, options.collect.only, options.collect.skip); // unknown names: exit 2 now, not at the first run
  const runNow = options.runNow ?? 'every' in options.trigger;
  const lock = await lockOutput(outputDir, log);
  const runs: ScheduleRun[] = [];
  const cache = new Map<string, string>();
  /** Retention warnings already logged: each once, not on every run. */
  const warned = new Set<string>();
  let footprint: number | undefined;
  try {
    let planned = runNow ? new Date() : table.next(new Date());
    log(
      `collect-bundle schedule: ${table.description}, times in ${zone}; output ${outputDir}; ${describePolicy(options.retention)}${options.maxRuns ? `; at most ${options.maxRuns} run${options.maxRuns === 1 ? '' : 's'}` : ''}; lock ${lock.path} (pid ${lock.info.pid}); first run ${runNow ? 'now' : formatTime(planned, zone)}`,
    );
    if (options.collect.redaction?.ephemeralKey)
      log('collect-bundle schedule: warning: --no-stable-tokens gives every bundle new redaction tags, so the same secret cannot be followed across snapshots');
    for (;;) {
      await sleepUntil(planned, signal);
      if (signal.aborted) break;
      const number = runs.length + 1;
      const startedAt = new Date();
      const began = performance.now();
      let run: Omit<ScheduleRun, 'deleted' | 'durationMs'>;
      if (footprint === undefined) footprint = await estimateFromDirectory(outputDir, cache);
      const need = Math.max(MIN_RUN_ESTIMATE, options.estimateBytes ?? footprint);
      const free = await freeBytes(outputDir).catch(() => Number.POSITIVE_INFINITY);
      if (free - need < (options.minFreeBytes ?? 0)) {
        run = {
          number,
          startedAt,
          status: 'skipped',
          reason: `not enough free disk in ${outputDir}: ${formatBytes(free)} free, the run needs about ${formatBytes(need)}${options.minFreeBytes ? ` and --min-free keeps ${formatBytes(options.minFreeBytes)}` : ''}; free some space or lower --keep/--max-total-size`,
        };
      } else {
        try {
          // The absolute directory: run.bundle is then absolute too, which retention's protect and the log rely on.
          const result = await collectBundle({ ...options.collect, outputDir, signal });
          footprint = runFootprint(result);
          const counts = result.findings?.counts;
          const failedOn = options.failOn !== undefined && counts !== undefined && (counts.error > 0 || (options.failOn === 'warning' && counts.warning > 0));
          run = {
            number,
            startedAt,
            status: result.status,
            bundle: result.bundle,
            bytes: result.bytes,
            ...(counts ? { findings: counts } : {}),
            ...(failedOn ? { failedOn } : {}),
          };
        } catch (err) {
          if (signal.aborted) break; // collectBundle removed the .partial and the spool
          // A bad configuration will not mend itself: stop at once when the very first run shows one.
          if (number === 1 && err instanceof CliError && (err.code === 'E_USAGE' || err.code === 'E_CONFIG')) throw err;
          run = { number, startedAt, status: 'failed', reason: errorMessage(err) };
        }
        if (options.upload && run.bundle) run = { ...run, upload: await uploadRun(run.bundle, options.upload, signal, log) };
      }
      let retention: RetentionResult | undefined;
      if (options.retention) {
        try {
          retention = await applyRetention(outputDir, options.retention, { cache, ...(run.bundle ? { protect: run.bundle } : {}) });
        } catch (err) {
          retention = { kept: [], deleted: [], failed: [{ name: outputDir, error: errorMessage(err) }], foreign: [], warnings: [] };
        }
        for (const w of retention.warnings) {
          if (warned.has(w)) continue;
          warned.add(w);
          log(`collect-bundle schedule: warning: ${w}`);
        }
      }
      const done: ScheduleRun = { ...run, durationMs: Math.round(performance.now() - began), deleted: retention?.deleted ?? [] };
      runs.push(done);
      const last = options.maxRuns !== undefined && runs.length >= options.maxRuns;
      let tail: string;
      if (last) tail = '; that was the last run (--max-runs)';
      else {
        const now = new Date();
        let next = 'every' in options.trigger ? table.next(planned) : table.next(now);
        let late = '';
        if (next.getTime() < now.getTime()) {
          late = `; it took longer than the interval, so the next run starts now`;
          next = now;
        } else if ('cron' in options.trigger && table.next(planned).getTime() < now.getTime()) {
          late = `; it ran past the ${formatTime(table.next(planned), zone)} run, which is skipped`;
        }
        planned = next;
        tail = `${late}; next ${formatTime(next, zone)}`;
      }
      const what =
        done.status === 'skipped' ? `skipped: ${done.reason}` : done.bundle ? `${done.bundle} (${formatBytes(done.bytes ?? 0)})` : `failed: ${done.reason}`;
      const status = done.status === 'skipped' ? '' : ` ${done.status}`;
      const u = done.upload;
      const uploaded = u ? (u.error === undefined ? `; uploaded to ${u.to}` : `; upload failed: ${u.error}, kept on disk`) : '';
      const f = done.findings;
      const findings = f ? `; findings ${f.error} error, ${f.warning} warning, ${f.info} info${done.failedOn ? ' (findings at --fail-on level)' : ''}` : '';
      log(
        `${formatTime(startedAt, zone)} run ${number}${options.maxRuns ? `/${options.maxRuns}` : ''}${status} ${what} in ${(done.durationMs / 1000).toFixed(1)}s${uploaded}${findings}${describeDeletions(done.deleted, retention?.failed ?? [])}${tail}`,
      );
      if (last) return { runs, stoppedBy: 'max-runs' };
    }
    log(`collect-bundle schedule: stopped after ${runs.length} run${runs.length === 1 ? '' : 's'}; lock released`);
    return { runs, stoppedBy: 'signal' };
  } finally {
    await lock.release();
  }
}

/** Uploads one run's bundle; a failure (or the stop signal during it) is returned as the run's upload error, never thrown. */
async function uploadRun(
  bundle: string,
  upload: NonNullable<ScheduleOptions['upload']>,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<NonNullable<ScheduleRun['upload']>> {
  try {
    const result = await uploadBundle(bundle, upload.dest, {
      ...upload.options,
      signal,
      log: (line) => log(`collect-bundle schedule: warning: ${line}`),
    });
    return { to: result.shown };
  } catch (err) {
    return { to: showDestination(upload.dest), error: signal.aborted ? 'interrupted' : errorMessage(err) };
  }
}

/** The first run's estimate: three times the newest bundle already there (its spool is uncompressed), else the floor. */
async function estimateFromDirectory(dir: string, cache: Map<string, string>): Promise<number> {
  const { bundles } = await listBundles(dir, { cache }).catch(() => ({ bundles: [] }));
  return bundles[0] ? bundles[0].bytes * 3 : MIN_RUN_ESTIMATE;
}

/** `schedule --prune-only`: applies the retention policy once, under the directory's lock. */
export async function prune(options: {
  readonly outputDir: string;
  readonly retention: RetentionPolicy;
  readonly log?: (line: string) => void;
  readonly dryRun?: boolean;
}): Promise<RetentionResult> {
  const log = options.log ?? (() => undefined);
  try {
    validatePolicy(options.retention);
  } catch (err) {
    throw new CliError(errorMessage(err), 'E_USAGE');
  }
  const dir = resolve(options.outputDir);
  const lock = await lockOutput(dir, log);
  try {
    return await applyRetention(dir, options.retention, { ...(options.dryRun ? { dryRun: true } : {}) });
  } finally {
    await lock.release();
  }
}
