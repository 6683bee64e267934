// Room: analyzers (analyzers/) — may import core, bundle (the rule: tests/architecture.test.ts).
/**
 * The failed container_manager jobs of a bundle, read from the rows the Django probe kept
 * (django/container-manager.json `jobs.failures` and `jobs.overdue`) and, in a `--job` bundle, from
 * job/record.json: one JobFailure each, with what it says about memory, retries and timeouts and the
 * block of its log that explains it. The rows outlive the containers (django-container-manager removes
 * a job's container after harvesting it), so this is often the only account of a failure.
 */
import type { AnalyzeOptions, BundleView, Evidence } from '../src/core/types.js';
import { parseSince } from '../src/core/units.js';
import { arr, isSectionError, jsonKey, jsonKeyLine, lineNumber, loadJson, num, obj, str, type LoadedJson } from './django-evidence.js';
import { jobIdentity, type JobIdentity } from './job-identity.js';
import { DJANGO, JOB } from '../src/bundle/layout.js';

/** Statuses that mean the job ended badly (as the probe counts them). */
export const FAILED_STATES = new Set(['failed', 'failure', 'error', 'errored', 'timeout', 'timed_out', 'timed-out']);
const TIMEOUT_STATES = new Set(['timeout', 'timed_out', 'timed-out']);
/** Log fields, most telling first. */
const LOG_FIELDS = ['stderr_log', 'docker_log', 'stdout_log'] as const;
/** Message fields that say why, most specific first. */
const MESSAGE_FIELDS = ['last_error', 'error_message', 'error', 'failure_reason', 'reason'] as const;
/** Longest traceback kept in evidence, in lines (its head and its end are kept, the middle counted). */
export const TRACEBACK_MAX_LINES = 14;
/** Lines kept from the end of a log without a traceback. */
const LAST_LINES = 6;
const MIB = 1024 * 1024;

/** Where a failed job was read from: its object's lines in a JSON file of the bundle. */
export interface JobSource {
  readonly file: LoadedJson;
  readonly range: { from: number; until: number };
}

export interface JobFailure {
  readonly identity: JobIdentity;
  /** The job's id as the row has it (for evidence lookups). */
  readonly rawId: unknown;
  readonly status: string;
  readonly exitCode?: number;
  readonly image?: string;
  /** When it stopped (ms), else when it started or was created. */
  readonly at?: number;
  readonly kind: 'oom' | 'timeout' | 'failed';
  readonly memory: { readonly limitBytes?: number; readonly peakBytes?: number };
  readonly retries?: { readonly count: number; readonly max: number; readonly exhausted: boolean };
  readonly timeoutSeconds?: number;
  readonly runSeconds?: number;
  /** The last exception or error line: what groups jobs that failed the same way. */
  readonly signature?: string;
  /** The block that explains it (a traceback, else a log's last lines, else the message) and its field. */
  readonly block?: { readonly field: string; readonly text: string };
  readonly row: Record<string, unknown>;
  readonly source: JobSource;
}

/** A running job far past its timeout_seconds. */
export interface OverdueJob {
  readonly identity: JobIdentity;
  readonly rawId: unknown;
  readonly ageMs: number;
  readonly timeoutSeconds: number;
  readonly row: Record<string, unknown>;
  readonly source: JobSource;
}

const time = (v: unknown): number | undefined => {
  const s = str(v);
  // A naive timestamp is read as UTC: the ORM stores UTC when USE_TZ is on, and the probe sends aware ones otherwise.
  const t = s ? Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`) : NaN;
  return Number.isFinite(t) ? t : undefined;
};

/** The lines of a log block that explain a failure: the last Python traceback (capped), else the last lines. */
export function explainingBlock(log: string): { text: string; signature?: string } | undefined {
  const lines = log.replace(/\r\n/g, '\n').split('\n');
  while (lines.length && !lines[lines.length - 1]!.trim()) lines.pop();
  if (!lines.length) return undefined;
  let start = -1;
  for (let i = lines.length - 1; i >= 0; i--)
    if (lines[i]!.includes('Traceback (most recent call last):')) {
      start = i;
      break;
    }
  if (start >= 0) {
    // The block runs to the exception line: the first line after the frames that is not indented.
    let end = lines.length - 1;
    for (let j = start + 1; j < lines.length; j++) {
      if (lines[j]!.trim() && !/^\s/.test(lines[j]!.replace(/^\S+Z (?:stdout|stderr) /, ''))) {
        end = j;
        break;
      }
    }
    const block = lines.slice(start, end + 1);
    const signature = block[block.length - 1]!.trim();
    if (block.length <= TRACEBACK_MAX_LINES) return { text: block.join('\n'), signature };
    const head = 1;
    const tail = TRACEBACK_MAX_LINES - head - 1;
    return { text: [...block.slice(0, head), `  … ${block.length - head - tail} lines`, ...block.slice(-tail)].join('\n'), signature };
  }
  const last = lines.filter((l) => l.trim()).slice(-LAST_LINES);
  const errorLine = [...last].reverse().find((l) => /[A-Za-z]*(?:Error|Exception)\b|\b(?:ERROR|FATAL|CRITICAL)\b|[Ee]rror:|Killed/.test(l));
  return { text: last.join('\n'), ...(errorLine ? { signature: errorLine.trim() } : {}) };
}

/** What an exit code means, in words. */
export function exitMeaning(code: number): string {
  const signals: Record<number, string> = {
    1: 'SIGHUP',
    2: 'SIGINT',
    3: 'SIGQUIT',
    6: 'SIGABRT',
    9: 'SIGKILL',
    11: 'SIGSEGV',
    13: 'SIGPIPE',
    15: 'SIGTERM',
  };
  if (code === 0) return 'success';
  if (code === 1) return 'the program failed (for Python: an uncaught exception)';
  if (code === 2) return 'bad usage: wrong arguments or options (argparse and shells exit 2)';
  if (code === 125) return 'the container could not be created or started (the error is Docker’s, not the program’s)';
  if (code === 126) return 'the command exists but cannot be executed (permissions, wrong architecture)';
  if (code === 127) return 'the command was not found in the image';
  if (code === 137) return 'killed by SIGKILL: the out-of-memory killer, a forced stop after a timeout, or `docker kill`';
  if (code === 143) return 'stopped by SIGTERM: `docker stop`, a timeout or a shutdown';
  if (code > 128 && code < 160) return `killed by signal ${code - 128}${signals[code - 128] ? ` (${signals[code - 128]})` : ''}`;
  if (code < 0) return 'no exit status: the executor gave up on the container (lost, timed out or never started)';
  return 'the program reported an error (its own exit status)';
}

/** A job row as a JobFailure, or undefined when it did not fail. */
export function toFailure(row: Record<string, unknown>, source: JobSource, statusHint?: unknown): JobFailure | undefined {
  const status = (str(row['status']) ?? str(row['state']) ?? str(statusHint) ?? '').toLowerCase();
  const exitCode = num(row['exit_code']) ?? num(row['return_code']);
  const failedState = FAILED_STATES.has(status);
  const badExit = exitCode !== undefined && exitCode !== 0 && !/^(pending|queued|waiting|running|started|launching|in_progress)$/.test(status);
  if (!failedState && !badExit) return undefined;
  const identity = jobIdentity({ record: row });
  if (!identity) return undefined;
  const messages: [string, string][] = MESSAGE_FIELDS.flatMap((f): [string, string][] => {
    const m = str(row[f])?.trim();
    return m ? [[f, m]] : [];
  });
  const blocks = LOG_FIELDS.flatMap((field) => {
    const text = str(row[field]);
    const b = text ? explainingBlock(text) : undefined;
    return b ? [{ field, ...b }] : [];
  });
  // A traceback wins, then a log with an error-looking line, then stderr's last lines, then the message.
  const chosen = blocks.find((b) => b.text.includes('Traceback (most recent call last):')) ?? blocks.find((b) => b.signature) ?? blocks[0];
  const signature =
    chosen?.signature ??
    messages[0]?.[1]
      .split('\n')
      .filter((l) => l.trim())
      .pop();
  const block: JobFailure['block'] = chosen
    ? { field: chosen.field, text: chosen.text }
    : messages[0]
      ? { field: messages[0][0], text: messages[0][1] }
      : undefined;
  const limitMb = num(row['memory_limit']);
  const peak = num(row['max_memory_usage']);
  const memory = { ...(limitMb !== undefined && limitMb > 0 ? { limitBytes: limitMb * MIB } : {}), ...(peak !== undefined ? { peakBytes: peak } : {}) };
  const said = messages.map(([, m]) => m).join('\n');
  const oomWords = /\bOOM\b|out of memory|OOMKilled|memory limit/i.test(said);
  const nearLimit = memory.limitBytes !== undefined && memory.peakBytes !== undefined && memory.peakBytes >= memory.limitBytes * 0.9;
  const timeoutSeconds = num(row['timeout_seconds']);
  const started = time(row['started_at']);
  const finished = time(row['completed_at']) ?? time(row['finished_at']);
  const runSeconds = started !== undefined && finished !== undefined ? Math.round((finished - started) / 1000) : undefined;
  const timedOut = TIMEOUT_STATES.has(status) || /\btimed? ?out\b|timeout exceeded/i.test(said);
  const kind = exitCode === 137 && (nearLimit || oomWords) ? 'oom' : timedOut ? 'timeout' : 'failed';
  const count = num(row['retry_count']);
  const max = num(row['max_retries']);
  return {
    identity,
    rawId: row['id'] ?? row['pk'],
    status,
    ...(exitCode !== undefined ? { exitCode } : {}),
    ...((str(row['docker_image']) ?? str(row['image'])) ? { image: str(row['docker_image']) ?? str(row['image'])! } : {}),
    ...((finished ?? started ?? time(row['created_at'])) !== undefined ? { at: (finished ?? started ?? time(row['created_at']))! } : {}),
    kind,
    memory,
    // max_retries 0 means "never retry": nothing to exhaust.
    ...(count !== undefined && max !== undefined && max > 0 ? { retries: { count, max, exhausted: count >= max } } : {}),
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
    ...(runSeconds !== undefined ? { runSeconds } : {}),
    ...(signature ? { signature } : {}),
    ...(block ? { block } : {}),
    row,
    source,
  };
}

/** The `--since` window the bundle was collected with (the docker option; 24 h by default), ending at `now`. */
export function sinceWindow(view: BundleView, now: number): { from: number; text: string } {
  const docker = obj(obj(obj(view.manifest?.options)?.['collectorOptions'])?.['docker']);
  const text = str(docker?.['since']) ?? '24h';
  try {
    return { from: parseSince(text, new Date(now)).getTime(), text };
  } catch {
    return { from: now - 24 * 3600_000, text: '24h' };
  }
}

/**
 * The lines of each element of `key`'s array in pretty-printed JSON, by index (undefined for an element
 * that is not an object): one pass over the file, since a bundle may list hundreds of failed jobs.
 */
function rowSources(file: LoadedJson, key: string): (JobSource | undefined)[] {
  const start = lineNumber(file, jsonKey(key));
  if (start === undefined) return [];
  const indentOf = (t: string): number => t.length - t.trimStart().length;
  const inner = indentOf(file.lines[start - 1]!.text) + 2;
  const out: (JobSource | undefined)[] = [];
  let open: number | undefined;
  for (let n = start + 1; n <= file.lines.length; n++) {
    const text = file.lines[n - 1]!.text;
    const indent = indentOf(text);
    if (indent < inner) break;
    if (indent !== inner) continue;
    const t = text.trim();
    if (t.startsWith('{}')) out.push({ file, range: { from: n, until: n + 1 } });
    else if (t.startsWith('{')) open = n;
    else if (t.startsWith('}') && open !== undefined) {
      out.push({ file, range: { from: open, until: n + 1 } });
      open = undefined;
    } else out.push(undefined);
  }
  return out;
}

const normId = (id: string | undefined): string | undefined => id?.toLowerCase().replace(/-/g, '');

/** Every failed job of the bundle (the `--job` record first), without repeats, newest first; and the overdue ones. */
export async function readJobs(view: BundleView, options: AnalyzeOptions, now: number): Promise<{ failures: JobFailure[]; overdue: OverdueJob[] }> {
  const failures: JobFailure[] = [];
  const seen = new Set<string>();
  const add = (f: JobFailure | undefined): void => {
    const key = normId(f?.identity.id) ?? f?.identity.text;
    if (!f || !key || seen.has(key)) return;
    seen.add(key);
    failures.push(f);
  };
  // A --job bundle: its own job, whenever it ran.
  const rec = await loadJson(view, JOB.record);
  const record = obj(obj(rec?.value)?.['record']);
  if (rec && record) {
    const at = lineNumber(rec, jsonKey('record')) ?? 1;
    const until = rec.lines.length + 1;
    add(toFailure(record, { file: rec, range: { from: at, until } }, obj(rec.value)?.['status']));
  }
  const overdue: OverdueJob[] = [];
  const cm = await loadJson(view, DJANGO.containerManager);
  const jobs = obj(obj(cm?.value)?.['jobs']);
  if (cm && jobs && !isSectionError(jobs)) {
    const window = sinceWindow(view, now);
    const sources = rowSources(cm, 'failures');
    const recent: JobFailure[] = [];
    for (const [i, value] of arr(jobs['failures']).entries()) {
      const r = obj(value);
      const f = r && sources[i] && toFailure(r, sources[i]!);
      if (f && (f.at === undefined || (f.at >= window.from && f.at <= now + 60_000))) recent.push(f);
    }
    for (const f of recent.sort((a, b) => (b.at ?? 0) - (a.at ?? 0))) add(f);
    const runSources = rowSources(cm, 'overdue');
    for (const [i, value] of arr(jobs['overdue']).entries()) {
      const r = obj(value);
      if (!r) continue;
      const limit = num(r['timeout_seconds']);
      const identity = jobIdentity({ record: r });
      const startedAt = time(r[str(r['ageFrom']) ?? 'started_at']);
      const seconds = num(r['ageSeconds']);
      const finished = Date.parse(view.manifest?.finishedAt ?? '');
      const age =
        startedAt !== undefined ? now - startedAt : seconds !== undefined ? seconds * 1000 + (Number.isFinite(finished) ? now - finished : 0) : undefined;
      if (!identity || !runSources[i] || limit === undefined || limit <= 0 || age === undefined) continue;
      if (age > overdueAfterMs(limit, options)) overdue.push({ identity, rawId: r['id'], ageMs: age, timeoutSeconds: limit, row: r, source: runSources[i]! });
    }
  }
  return { failures, overdue };
}

/** "Far past" its timeout: half as long again, and at least 10 minutes over (a harvest cycle is not a hang). */
export const overdueAfterMs = (timeoutSeconds: number, _options: AnalyzeOptions): number =>
  Math.max(timeoutSeconds * 1500, timeoutSeconds * 1000 + 10 * 60_000);

/** The line of a field of a job's object, as evidence with the given excerpt (default: the line itself). */
export function fieldEvidence(source: JobSource, key: string, value?: unknown, shown?: string): Evidence | undefined {
  const n = lineNumber(source.file, value === undefined ? jsonKey(key) : jsonKeyLine(key, value), source.range);
  if (n === undefined) return undefined;
  const text = shown ?? source.file.lines[n - 1]!.text.trim().replace(/,$/, '');
  return source.file.numbered ? { file: source.file.path, line: n, excerpt: text } : { file: source.file.path, excerpt: text };
}
