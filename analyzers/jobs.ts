// Room: analyzers (analyzers/) — may import core, bundle (the rule: tests/architecture.test.ts).
/**
 * container_manager analyzers: jobs waiting in pending/queued longer than a threshold, and executor
 * hosts that are inactive or whose Docker engine the docker collector could not reach. They read
 * django/container-manager.json (whose `jobs`/`executorHosts` are `{error, traceback}` when the database
 * was unreachable: then nothing is reported here; database-unreachable says why) and docker/engines.json.
 */
import type { AnalyzeOptions, Analyzer, BundleView, Evidence, Finding } from '../src/core/types.js';
import {
  arr,
  evidenceList,
  fileEvidence,
  humanDuration,
  isSectionError,
  jsonKey,
  jsonKeyLine,
  jsonObjectRange,
  lineEvidence,
  lineNumber,
  loadJson,
  num,
  obj,
  plural,
  str,
  type LoadedJson,
} from './django-evidence.js';
import { finding } from './finding.js';
import { DJANGO, DOCKER } from '../src/bundle/layout.js';

/** A job pending longer than this is stuck, unless AnalyzeOptions.pendingThresholdMs says otherwise. */
export const DEFAULT_PENDING_THRESHOLD_MS = 15 * 60_000;

/** Status values that mean "waiting to start" (as the probe counts them). */
const PENDING_STATES = new Set(['pending', 'queued', 'waiting']);

/** "Now" of an analysis: the option, else when the bundle was finished, else the clock. */
export function analysisNow(view: BundleView, options: AnalyzeOptions): number {
  if (options.now) return options.now.getTime();
  const finished = Date.parse(view.manifest?.finishedAt ?? '');
  return Number.isFinite(finished) ? finished : Date.now();
}

/** A timestamp with an explicit zone (`Z`, `+00:00`); naive ones depend on a zone the bundle does not record. */
const ZONED = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/;

/** Milliseconds since `row` entered its state, at `now`. */
function ageMs(row: Record<string, unknown>, now: number, view: BundleView): number | undefined {
  const field = str(row['ageFrom']);
  const stamp = field ? str(row[field]) : undefined;
  if (stamp && ZONED.test(stamp)) {
    const t = Date.parse(stamp);
    if (Number.isFinite(t)) return now - t;
  }
  // The probe's own age (seconds at collection time), moved to `now`.
  const seconds = num(row['ageSeconds']);
  if (seconds === undefined) return undefined;
  const finished = Date.parse(view.manifest?.finishedAt ?? '');
  return seconds * 1000 + (Number.isFinite(finished) ? now - finished : 0);
}

/** The executor host a job row points at (a `*host*_id` / `*executor*_id` column), if the rows list it. */
function hostOf(row: Record<string, unknown>, hosts: readonly Record<string, unknown>[]): Record<string, unknown> | undefined {
  for (const [k, v] of Object.entries(row)) {
    if (!/(host|executor).*_id$/i.test(k) || v === null || v === undefined) continue;
    const found = hosts.find((h) => h['id'] !== undefined && String(h['id']) === String(v));
    if (found) return found;
  }
  return undefined;
}

const isFalse = (v: unknown): boolean => v === false || v === 0 || v === 'false' || v === 'False';

/**
 * The field a row is best named by in container-manager.json: `name` (or `job_name`) when the row has
 * one, else `id`. Evidence looks a row up by that field only, so a row without a name is never matched
 * to another row's "name" line.
 */
function identity(row: Record<string, unknown>): { key: string; value: unknown } | undefined {
  for (const key of ['name', 'job_name']) if (str(row[key]) !== undefined) return { key, value: row[key] };
  const id = row['id'];
  return typeof id === 'string' || typeof id === 'number' ? { key: 'id', value: id } : undefined;
}

/** The lines of an executor host's object in container-manager.json, found by its name, else its id. */
function hostRange(cm: LoadedJson, host: Record<string, unknown>, from: number): { from: number; until: number } | undefined {
  const who = identity(host);
  return who && jsonObjectRange(cm, who.key, who.value, from);
}

async function containerManager(view: BundleView): Promise<{ cm: LoadedJson; doc: Record<string, unknown> } | undefined> {
  const cm = await loadJson(view, DJANGO.containerManager);
  const doc = obj(cm?.value);
  if (!cm || !doc || doc['installed'] !== true) return undefined;
  return { cm, doc };
}

function hostRows(doc: Record<string, unknown>): { rows: Record<string, unknown>[]; activeField: string; typeField?: string } {
  const eh = obj(doc['executorHosts']);
  if (!eh || isSectionError(eh)) return { rows: [], activeField: 'is_active' };
  const rows = arr(eh['hosts'])
    .map((h) => obj(h))
    .filter((h): h is Record<string, unknown> => !!h);
  const typeField = str(eh['typeField']);
  return { rows, activeField: str(eh['activeField']) ?? 'is_active', ...(typeField ? { typeField } : {}) };
}

export const jobsPendingAnalyzer: Analyzer = {
  name: 'jobs-pending',
  description: 'container_manager jobs waiting in pending/queued longer than the threshold (default 15 min)',
  findingIds: ['jobs-stuck-pending'],
  async analyze(view, options) {
    const loaded = await containerManager(view);
    if (!loaded) return [];
    const { cm, doc } = loaded;
    const jobs = obj(doc['jobs']);
    if (!jobs || isSectionError(jobs)) return [];
    const oldest = obj(jobs['oldestPending']);
    if (!oldest) return [];
    const threshold = options.pendingThresholdMs ?? DEFAULT_PENDING_THRESHOLD_MS;
    const now = analysisNow(view, options);
    const age = ageMs(oldest, now, view);
    if (age === undefined || age <= threshold) return [];

    const model = str(doc['jobModel']) ?? 'job';
    const counts = obj(jobs['countsByStatus']) ?? {};
    const pendingCounts = Object.entries(counts).filter(([s, n]) => PENDING_STATES.has(s.toLowerCase()) && typeof n === 'number' && n > 0);
    const waiting = pendingCounts.reduce((sum, [, n]) => sum + (n as number), 0);
    const running = Object.entries(counts)
      .filter(([s]) => /^(running|started|in_progress)$/i.test(s))
      .reduce((sum, [, n]) => sum + (typeof n === 'number' ? n : 0), 0);
    const name = str(oldest['name']) ?? str(oldest['job_name']) ?? String(oldest['id'] ?? '?');
    const status = str(oldest['status']) ?? str(oldest['state']) ?? 'pending';
    const ageFrom = str(oldest['ageFrom']) ?? 'created_at';
    const { rows: hosts, activeField } = hostRows(doc);
    const host = hostOf(oldest, hosts);
    const hostName = host ? (str(host['name']) ?? `#${String(host['id'])}`) : undefined;
    const hostInactive = host ? isFalse(host[activeField]) : false;

    const at = lineNumber(cm, jsonKey('oldestPending'));
    // The oldest pending job's own fields come first after its key (latestFailed etc. follow it).
    const range = at ? { from: at } : {};
    const countsAt = lineNumber(cm, jsonKey('countsByStatus'));
    const job = identity(oldest);
    const evidence: (Evidence | undefined)[] = [
      job ? lineEvidence(cm, jsonKeyLine(job.key, job.value), range) : undefined,
      lineEvidence(cm, jsonKey(ageFrom), range),
      ...pendingCounts.map(([s]) => lineEvidence(cm, jsonKey(s), countsAt ? { from: countsAt } : {})),
    ];
    if (host && hostInactive) {
      const hr = hostRange(cm, host, lineNumber(cm, jsonKey('executorHosts')) ?? 1);
      if (hr) evidence.push(lineEvidence(cm, jsonKey(activeField), hr));
    }
    return [
      finding({
        id: 'jobs-stuck-pending',
        severity: 'warning',
        subject: `${model} ${name}`,
        title: `${plural(waiting || 1, 'job')} waiting; the oldest, ${name}, has been ${status} for ${humanDuration(age)}`,
        summary:
          `${model} ${name} has been ${status} for ${humanDuration(age)} (since its ${ageFrom}), longer than the ${humanDuration(threshold)} threshold` +
          `${waiting > 1 ? `; ${waiting} jobs are waiting in all (${pendingCounts.map(([s, n]) => `${n} ${s}`).join(', ')})` : ''}, and ${running} ${running === 1 ? 'is' : 'are'} running. ` +
          (hostName
            ? `It is assigned to executor host ${hostName}${hostInactive ? ', which is inactive: an inactive host is given no work, so its jobs wait forever' : ''}. `
            : '') +
          'Jobs that wait this long usually mean nothing is picking them up: the worker or scheduler is not running, every executor host is full or inactive, or the Docker engine cannot be reached.',
        evidence: evidenceList(evidence),
        remedy: [
          'Check that the process that starts jobs (the worker / scheduler of container_manager) is running and logging, e.g. `docker ps` or `systemctl status <worker>`, and read its log for errors.',
          ...(hostInactive && hostName
            ? [
                `Executor host ${hostName} is inactive: activate it, or move its waiting jobs to an active host (a change to production data: make it deliberately, e.g. in the Django admin).`,
              ]
            : []),
          'Check the executor hosts: active, below their max_concurrent_jobs, and their Docker engines reachable (see executor-host-unreachable findings, if any).',
          'Do not delete or edit stuck rows while diagnosing; once the cause is fixed, waiting jobs start by themselves.',
          `The threshold is ${humanDuration(threshold)}; a bundle made later can be re-analysed with \`collect-bundle analyze BUNDLE\`.`,
        ].join('\n'),
      }),
    ];
  },
};

/** A Docker endpoint URL in a comparable form: no credentials, lower-case scheme and host, no trailing `/`. */
export function normalizeEngineUrl(url: string): string {
  let u = url.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(u);
  if (!scheme) return u.replace(/\/+$/, '');
  let rest = u.slice(scheme[0].length);
  let s = scheme[1]!.toLowerCase();
  if (s === 'http' || s === 'https') s = 'tcp';
  if (s === 'unix' || s === 'npipe') return `${s}://${rest.replace(/\/+$/, '')}`;
  rest = rest.replace(/^[^@/]*@/, '');
  const slash = rest.indexOf('/');
  const host = (slash === -1 ? rest : rest.slice(0, slash)).toLowerCase();
  const path = slash === -1 ? '' : rest.slice(slash).replace(/\/+$/, '');
  u = `${s}://${host}${path}`;
  return u;
}

export const executorHostsAnalyzer: Analyzer = {
  name: 'executor-hosts',
  description: 'container_manager executor hosts that are inactive, or whose Docker engine the docker collector could not reach',
  findingIds: ['executor-host-unreachable'],
  async analyze(view) {
    const loaded = await containerManager(view);
    if (!loaded) return [];
    const { cm, doc } = loaded;
    const { rows, activeField, typeField } = hostRows(doc);
    if (!rows.length) return [];
    const enginesFile = await loadJson(view, DOCKER.engines);
    const engines = arr(obj(enginesFile?.value)?.['engines'])
      .map((e) => obj(e))
      .filter((e): e is Record<string, unknown> => !!e && typeof e['url'] === 'string');
    const jobs = obj(doc['jobs']);
    const byHost = jobs && !isSectionError(jobs) ? (obj(jobs['countsByExecutorHost']) ?? {}) : {};
    const hostsAt = lineNumber(cm, jsonKey('executorHosts')) ?? 1;

    const findings: Finding[] = [];
    for (const h of rows) {
      const name = str(h['name']) ?? `#${String(h['id'] ?? '?')}`;
      const type = typeField ? str(h[typeField]) : undefined;
      const url = str(h['connection_string']) ?? str(h['host_url']) ?? str(h['url']) ?? str(h['docker_host']) ?? str(h['host']);
      const inactive = isFalse(h[activeField]);
      const engine = url ? engines.find((e) => normalizeEngineUrl(str(e['url'])!) === normalizeEngineUrl(url)) : undefined;
      const engineDown = engine !== undefined && engine['status'] === 'failed';
      if (!inactive && !engineDown) continue;

      const waiting = Object.entries(obj(byHost[String(h['id'])]) ?? {})
        .filter(([s, n]) => PENDING_STATES.has(s.toLowerCase()) && typeof n === 'number' && n > 0)
        .reduce((sum, [, n]) => sum + (n as number), 0);
      const who = identity(h);
      const range = hostRange(cm, h, hostsAt);
      const engineRange = engine && enginesFile ? jsonObjectRange(enginesFile, 'url', engine['url']) : undefined;
      const reason = engine ? str(engine['reason']) : undefined;
      const problems = [
        ...(inactive ? [`is inactive (${activeField} = false)`] : []),
        ...(engineDown ? [`its Docker engine ${url ?? str(engine['label'])} could not be reached${reason ? `: ${reason}` : ''}`] : []),
      ];
      findings.push(
        finding({
          id: 'executor-host-unreachable',
          severity: 'warning',
          subject: name,
          title: `Executor host ${name}${type ? ` (${type})` : ''} ${problems.join('; ')}`,
          summary:
            `Executor host ${name}${type ? ` (${type}${url ? `, ${url}` : ''})` : url ? ` (${url})` : ''} ${problems.join(', and ')}. ` +
            (inactive ? 'An inactive host is given no new jobs; jobs already assigned to it wait. ' : '') +
            (engineDown ? 'Jobs sent to it cannot start while its engine does not answer. ' : '') +
            (waiting ? `${plural(waiting, 'job')} assigned to it ${waiting === 1 ? 'is' : 'are'} waiting.` : ''),
          evidence: evidenceList([
            // Without the host's own object, no line of another host's may stand for it.
            ...(range && who ? [lineEvidence(cm, jsonKeyLine(who.key, who.value), range)] : []),
            ...(inactive && range ? [lineEvidence(cm, jsonKey(activeField), range)] : []),
            ...(range ? [] : [fileEvidence(cm.path, `executor host ${name}: ${inactive ? `${activeField} false` : `engine ${url ?? '?'}`}`)]),
            ...(engineDown && enginesFile
              ? [
                  lineEvidence(enginesFile, jsonKey('reason'), engineRange ?? {}),
                  lineEvidence(enginesFile, jsonKeyLine('url', engine['url']), engineRange ?? {}),
                ]
              : []),
          ]),
          remedy: [
            ...(inactive
              ? [
                  `If ${name} should run jobs, activate it (e.g. in the Django admin). That changes production data: do it deliberately, not while collecting diagnostics.`,
                  `If it was retired on purpose, move or cancel the jobs still assigned to it so they do not wait forever.`,
                ]
              : []),
            ...(engineDown
              ? [
                  `Check the engine from the machine that runs the jobs: \`docker -H ${url ?? 'URL'} version\` (expected: a Server section).`,
                  'A unix socket needs the user to be in the docker group (or root); tcp:// needs the port open and, with TLS, the right certificates (DOCKER_CERT_PATH, --tlsverify).',
                ]
              : []),
          ].join('\n'),
        }),
      );
    }
    return findings;
  },
};

/** The container_manager analyzers, in the order their findings are listed. */
export const jobsAnalyzers: readonly Analyzer[] = [jobsPendingAnalyzer, executorHostsAnalyzer];
