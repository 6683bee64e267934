// Room: report (src/report/) — may import core, bundle, analyzers (the rule: tests/architecture.test.ts).
/** report.html's Docker parts: the containers table, the timeline's container events, the log excerpts. */
import type { BundleView } from '../../core/types.js';
import { type ContainerRow, DOCKER, type DockerEventRow, folderName } from '../../bundle/layout.js';
import { jobIdentity } from '../../../analyzers/job-identity.js';
import type { EventKind, LogExcerpt, ReportContainer, TimelineEvent } from './types.js';

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Every engine's containers.json rows, with memory use from each container's stats.json. */
export async function containersOf(view: BundleView): Promise<ReportContainer[]> {
  const engines = view
    .paths()
    .map((p) => DOCKER.engineOf(p, 'containers'))
    .filter((e): e is string => e !== undefined);
  const out: ReportContainer[] = [];
  for (const engine of engines) {
    const rows = await view.json<unknown>(DOCKER.engine(engine).containers);
    if (!Array.isArray(rows)) continue;
    for (const raw of rows as Partial<ContainerRow>[]) {
      if (typeof raw !== 'object' || raw === null || typeof raw.name !== 'string') continue;
      const files = DOCKER.container(engine, folderName(raw.name));
      const stats = view.has(files.stats) ? await view.json<{ summary?: { memory?: { usageBytes?: unknown } } }>(files.stats) : undefined;
      const labels = typeof raw.labels === 'object' && raw.labels !== null ? raw.labels : {};
      out.push({
        engine,
        name: raw.name,
        id: str(raw.id) ?? '',
        job: jobIdentity({ labels })?.text ?? null,
        image: str(raw.image) ?? '',
        state: str(raw.state) ?? '',
        status: str(raw.status) ?? '',
        exitCode: num(raw.exitCode),
        oomKilled: typeof raw.oomKilled === 'boolean' ? raw.oomKilled : null,
        restartCount: num(raw.restartCount),
        health: str(raw.health),
        memoryLimit: (num(raw.memoryLimitBytes) ?? 0) > 0 ? num(raw.memoryLimitBytes) : null,
        memoryUsage: num(stats?.summary?.memory?.usageBytes),
        startedAt: str(raw.startedAt),
        finishedAt: str(raw.finishedAt),
        logPath: view.has(files.logs) ? files.logs : null,
      });
    }
  }
  return out;
}

/** Docker's zero time (`0001-01-01T00:00:00Z`) and unparsable stamps are no time. */
function when(stamp: string | null): number | null {
  if (!stamp) return null;
  const t = Date.parse(stamp);
  return Number.isFinite(t) && t > 0 ? t : null;
}

/** One engine event as a timeline mark, or undefined for the ones not drawn (network, exec, attach, ...). */
function markOf(engine: string, e: DockerEventRow, byId: ReadonlyMap<string, string>): TimelineEvent | undefined {
  if (typeof e !== 'object' || e === null || (e.Type ?? 'container') !== 'container') return undefined;
  const action = String(e.Action ?? e.status ?? '');
  const attrs = e.Actor?.Attributes ?? {};
  const id = e.Actor?.ID ?? e.id ?? '';
  const name = byId.get(id) ?? (typeof attrs['name'] === 'string' ? attrs['name'] : id.slice(0, 12));
  const time = typeof e.timeNano === 'number' ? e.timeNano / 1e6 : typeof e.time === 'number' ? e.time * 1000 : NaN;
  if (!Number.isFinite(time) || !name) return undefined;
  const lane = `${engine}/${name}`;
  const at = (kind: EventKind, detail: string, bad: boolean): TimelineEvent => ({ lane, time, kind, detail, bad });
  if (action === 'create') return at('create', 'created', false);
  if (action === 'start') return at('start', 'started', false);
  if (action === 'restart') return at('restart', 'restarted', true);
  if (action === 'oom') return at('oom', 'OOM-killed (out of memory)', true);
  if (action === 'kill') return at('kill', `killed${attrs['signal'] ? ` with signal ${attrs['signal']}` : ''}`, false);
  if (action === 'stop') return at('stop', 'stopped', false);
  if (action === 'die') {
    const code = attrs['exitCode'] ?? '?';
    return at('exit', `exited with code ${code}`, code !== '0');
  }
  if (action.startsWith('health_status')) {
    const state = action.split(':')[1]?.trim() ?? '';
    return at('health', `health: ${state}`, state === 'unhealthy');
  }
  return undefined;
}

/**
 * The marks of every engine's events.jsonl; a container the events do not mention (an older bundle,
 * events not collected, a start before the events' window) gets its start and exit from its row.
 */
export async function eventsOf(view: BundleView, containers: readonly ReportContainer[]): Promise<TimelineEvent[]> {
  const out: TimelineEvent[] = [];
  const engines = new Set(containers.map((c) => c.engine));
  for (const p of view.paths()) {
    const engine = DOCKER.engineOf(p, 'events');
    if (engine) engines.add(engine);
  }
  for (const engine of engines) {
    const byId = new Map(containers.filter((c) => c.engine === engine && c.id).map((c) => [c.id, c.name] as const));
    const text = (await view.text(DOCKER.engine(engine).events)) ?? '';
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let row: DockerEventRow;
      try {
        row = JSON.parse(line) as DockerEventRow;
      } catch {
        continue;
      }
      const mark = markOf(engine, row, byId);
      if (mark) out.push(mark);
    }
  }
  const seen = new Set(out.map((e) => `${e.lane}\u0000${e.kind}`));
  // With events, the window is theirs: a start days before it (a long-running container) would squeeze
  // every event into the last pixel, so marks from states are kept only inside it.
  const from = new Map<string, number>();
  for (const e of out) from.set(e.lane.slice(0, e.lane.indexOf('/')), Math.min(from.get(e.lane.slice(0, e.lane.indexOf('/'))) ?? e.time, e.time));
  for (const c of containers) {
    const lane = `${c.engine}/${c.name}`;
    const start = from.get(c.engine) ?? -Infinity;
    const inWindow = (t: number | null): t is number => t !== null && t >= start;
    const started = when(c.startedAt);
    const finished = when(c.finishedAt);
    if (inWindow(started) && !seen.has(`${lane}\u0000start`)) out.push({ lane, time: started, kind: 'start', detail: 'started (from its state)', bad: false });
    if (inWindow(finished) && c.state !== 'running' && !seen.has(`${lane}\u0000exit`)) {
      out.push({ lane, time: finished, kind: 'exit', detail: `exited with code ${c.exitCode ?? '?'} (from its state)`, bad: !!c.exitCode });
    }
    if (c.oomKilled && inWindow(finished) && !seen.has(`${lane}\u0000oom`))
      out.push({ lane, time: finished, kind: 'oom', detail: 'OOM-killed (from its state)', bad: true });
  }
  out.sort((a, b) => a.time - b.time);
  // A start after an exit of the same container is a restart (the engine reports a restart policy's as die, start).
  const exited = new Set<string>();
  return out.map((e) => {
    if (e.kind === 'exit') exited.add(e.lane);
    if (e.kind !== 'start' || !exited.has(e.lane)) return e;
    exited.delete(e.lane);
    return { ...e, kind: 'restart', detail: 'restarted after its exit', bad: false };
  });
}

/** How many bytes of a log the excerpt reads at most (its last lines are what it shows). */
const LOG_READ_BYTES = 256 * 1024;
/** All excerpts together keep at most this many lines, so a bundle of hundreds of containers stays light. */
const TOTAL_LOG_LINES = 12_000;

/** The last lines of each collected container's log. */
export async function logsOf(view: BundleView, containers: readonly ReportContainer[], perContainer: number): Promise<LogExcerpt[]> {
  const withLogs = containers.filter((c): c is ReportContainer & { logPath: string } => c.logPath !== null);
  const each = Math.max(20, Math.min(perContainer, Math.floor(TOTAL_LOG_LINES / Math.max(1, withLogs.length))));
  const out: LogExcerpt[] = [];
  for (const c of withLogs) {
    const text = (await view.text(c.logPath, LOG_READ_BYTES)) ?? '';
    const last = lastLinesOf(text, each);
    out.push({ lane: `${c.engine}/${c.name}`, path: c.logPath, lines: text ? last.lines : [], cut: last.more || text.length >= LOG_READ_BYTES });
  }
  return out;
}

/**
 * The last `n` lines of `text` (a final newline ends the last line) and whether lines come before them.
 * Found from the end, so a log of thousands of lines is not split into strings to keep a hundred.
 */
export function lastLinesOf(text: string, n: number): { lines: string[]; more: boolean } {
  if (!(n >= 1)) {
    // Not a count (0, negative, NaN from a library caller's logLines): what slice(-n) made of it.
    const all = text.replace(/\n$/, '').split('\n');
    return { lines: all.slice(-n), more: all.length > n };
  }
  n = Math.trunc(n);
  const end = text.endsWith('\n') ? text.length - 1 : text.length;
  let start = end;
  for (let i = 0; i < n; i++) {
    const nl = start === 0 ? -1 : text.lastIndexOf('\n', start - 1);
    if (nl === -1) return { lines: text.slice(0, end).split('\n'), more: false };
    start = nl;
  }
  return { lines: text.slice(start + 1, end).split('\n'), more: true };
}
