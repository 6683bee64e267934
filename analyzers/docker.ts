// Room: analyzers (analyzers/) — may import core, bundle (the rule: tests/architecture.test.ts).
/**
 * Docker analyzers: engines that could not be reached (or refused us), and what went wrong with
 * containers: killed for memory, exited non-zero, restarting in a loop, unhealthy, images that could
 * not be pulled. They read docker/engines.json, docker/<engine>/containers.json, each container's
 * inspect.json and logs.txt, events.jsonl and the manifest, through the bundle view only.
 */
import type { Analyzer, BundleView, CommandRecord, Evidence, Finding } from '../src/core/types.js';
import { formatBytes } from '../src/core/units.js';
import {
  containerEntries,
  engineLabels,
  errorLines,
  eventEvidence,
  get,
  lineEvidence,
  logMessage,
  readEvents,
  readJson,
  readLines,
  type ContainerEntry,
  type ContainerEvent,
  type EngineEvents,
  type JsonDoc,
  type TextLines,
} from './docker-data.js';
import { excerpt, finding, obj } from './finding.js';
import { DOCKER, ROOT } from '../src/bundle/layout.js';
import { exitCodeMeaning, exitRemedy, PULL_ERROR, pullImage, pullRemedy } from './docker-exits.js';
export { exitCodeMeaning } from './docker-exits.js';
export { dockerEngineAnalyzer } from './docker-engines.js';

// ---------------------------------------------------------------------------------------------
// Containers

/** Logs read per engine at most (each is read whole to number its lines). */
export const MAX_LOGS_PER_ENGINE = 50;
/** Containers whose events count as a restart loop when they crashed this often in the window. */
const LOOP_DIES = 5;
/** A kill this long (or less) before a die means the container was asked to stop: docker stop's grace period, with room. */
const ASKED_WINDOW_MS = 60_000;
/** Signals that ask a container to stop (`docker stop`, `docker kill`, Ctrl-C); a kill with another (HUP, USR1) is a reload. */
const STOP_SIGNAL = /^(?:2|3|9|15|(?:SIG)?(?:INT|QUIT|KILL|TERM))$/i;
const LOOP_RESTARTS = 3;

/** Per-engine context shared by the container checks. */
interface EngineCtx {
  readonly view: BundleView;
  readonly label: string;
  readonly rows?: JsonDoc<unknown[]>;
  readonly events?: EngineEvents;
  logsRead: number;
  /** Pull errors seen in the logs read (a worker that pulls images logs the registry's answer). */
  readonly pullHits?: Finding[];
}

async function inspectOf(ctx: EngineCtx, c: ContainerEntry): Promise<JsonDoc<Record<string, unknown>> | undefined> {
  const doc = await readJson<Record<string, unknown>>(ctx.view, c.files.inspect);
  return doc && typeof doc.value === 'object' && doc.value !== null ? doc : undefined;
}

async function logOf(ctx: EngineCtx, c: ContainerEntry): Promise<TextLines | undefined> {
  const path = c.files.logs;
  if (!ctx.view.has(path) || ctx.logsRead >= MAX_LOGS_PER_ENGINE) return undefined;
  ctx.logsRead++;
  const log = await readLines(ctx.view, path);
  for (const l of log?.lines ?? []) {
    if (!PULL_ERROR.test(l.text)) continue;
    ctx.pullHits?.push(pullFinding(pullImage(l.text) ?? c.subject, `log of ${c.subject}`, logMessage(l.text), [lineEvidence(log!, l)]));
    break;
  }
  return log;
}

/** containers.json evidence for a field of a row. */
function rowEvidence(ctx: EngineCtx, c: ContainerEntry, key: string): Evidence[] {
  if (!ctx.rows) return [];
  return [ctx.rows.evidence([c.index, key], `${c.row.name}: ${key} ${JSON.stringify((c.row as unknown as Record<string, unknown>)[key])}`)];
}

/** A field of inspect.json as evidence, else the containers.json row's. */
function stateEvidence(
  ctx: EngineCtx,
  c: ContainerEntry,
  inspect: JsonDoc<Record<string, unknown>> | undefined,
  path: (string | number)[],
  rowKey: string,
): Evidence[] {
  if (inspect && get(inspect.value, path) !== undefined) return [inspect.evidence(path)];
  return rowEvidence(ctx, c, rowKey);
}

function logEvidence(log: TextLines | undefined, max = 3): { kind: string; last?: string; evidence: Evidence[] } {
  if (!log || log.lines.length === 0) return { kind: 'none', evidence: [] };
  const found = errorLines(log.lines, max);
  const last = found.lines[found.lines.length - 1];
  return { kind: found.kind, ...(last ? { last: logMessage(last.text) } : {}), evidence: found.lines.map((l) => lineEvidence(log, l)) };
}

const events = (ctx: EngineCtx, name: string, action: RegExp): { line: number; text: string; exitCode?: number }[] =>
  (ctx.events?.byContainer.get(name) ?? []).filter((e) => action.test(e.action));

/**
 * The `die` events of a container that were crashes: a non-zero exit code that nobody asked for. A die
 * after a `kill`/`stop` of the same container (since its last start, within ASKED_WINDOW_MS) was a
 * `docker stop`, a deploy or an orchestrator: five of those are not a restart loop, nor are the exits
 * 0 of a job run every hour.
 */
export function crashes(list: readonly ContainerEvent[]): ContainerEvent[] {
  const out: ContainerEvent[] = [];
  /** When the container was last asked to stop (NaN: at an unknown time), since its last start or death. */
  let asked: number | undefined;
  for (const e of list) {
    if (e.action === 'kill' || e.action === 'stop') {
      if (e.action === 'stop' || e.signal === undefined || STOP_SIGNAL.test(e.signal)) asked = e.time ?? NaN;
      continue;
    }
    if (e.action === 'start') {
      asked = undefined;
      continue;
    }
    if (e.action !== 'die') continue;
    const wasAsked = asked !== undefined && (Number.isNaN(asked) || e.time === undefined || e.time - asked <= ASKED_WINDOW_MS);
    asked = undefined;
    if (!wasAsked && typeof e.exitCode === 'number' && e.exitCode !== 0) out.push(e);
  }
  return out;
}

function memoryLimit(c: ContainerEntry, inspect: JsonDoc<Record<string, unknown>> | undefined): number | null {
  const m = get(inspect?.value, ['HostConfig', 'Memory']);
  if (typeof m === 'number' && m > 0) return m;
  return typeof c.row.memoryLimitBytes === 'number' && c.row.memoryLimitBytes > 0 ? c.row.memoryLimitBytes : null;
}

async function oomFinding(ctx: EngineCtx, c: ContainerEntry): Promise<Finding> {
  const inspect = await inspectOf(ctx, c);
  const limit = memoryLimit(c, inspect);
  const limitText = limit ? `limit ${formatBytes(limit)}` : 'no memory limit';
  const oomEvents = events(ctx, c.row.name, /^oom$/);
  const log = await logOf(ctx, c);
  const tail = log ? log.lines.slice(-5).map((l) => lineEvidence(log, l)) : [];
  const stats = ctx.view.has(c.files.stats) ? await readJson(ctx.view, c.files.stats) : undefined;
  const evidence: Evidence[] = [
    ...(c.row.oomKilled
      ? stateEvidence(ctx, c, inspect, ['State', 'OOMKilled'], 'oomKilled')
      : stateEvidence(ctx, c, inspect, ['State', 'ExitCode'], 'exitCode')),
    ...(inspect && limit ? [inspect.evidence(['HostConfig', 'Memory'])] : []),
    ...(ctx.events ? oomEvents.slice(-1).map((e) => eventEvidence(ctx.events!, e)) : []),
    ...tail,
    ...(stats ? [stats.evidence(['summary', 'memory', 'usageBytes'])] : []),
  ];
  return finding({
    id: 'container-oom-killed',
    severity: 'error',
    title: `Container ${c.row.name} on ${c.label} was OOM-killed (${limitText})`,
    summary: limit
      ? `The kernel killed the container's process because it used all of its ${formatBytes(limit)} memory limit (exit code ${c.row.exitCode ?? 137}). ${tail.length ? 'The last log lines are what it did just before.' : 'Its log is empty or was not collected.'}`
      : `The container has no memory limit, so the kernel's OOM killer chose it when the whole host ran out of memory (exit code ${c.row.exitCode ?? 137}). Look at the host's memory (system/memory.json) and at what else runs there.`,
    remedy: limit
      ? `Give it more memory if the workload needs it: \`docker update --memory 1g --memory-swap 1g ${c.row.name}\` (compose: \`mem_limit\` or \`deploy.resources.limits.memory\`), or make it use less (fewer workers or concurrency, smaller batches). Watch it with \`docker stats ${c.row.name}\`.`
      : `Find what uses the host's memory (\`docker stats --no-stream\`, \`free -m\`), set a memory limit on each container (\`docker update --memory 1g --memory-swap 1g ${c.row.name}\`) so one cannot starve the others, or add memory.`,
    evidence,
    subject: c.subject,
  });
}

async function exitFinding(ctx: EngineCtx, c: ContainerEntry, code: number): Promise<Finding> {
  const inspect = await inspectOf(ctx, c);
  const log = await logOf(ctx, c);
  const logs = logEvidence(log);
  const engineError = c.row.error ?? (typeof get(inspect?.value, ['State', 'Error']) === 'string' ? (get(inspect?.value, ['State', 'Error']) as string) : '');
  const meaning = exitCodeMeaning(code);
  const evidence: Evidence[] = [
    ...stateEvidence(ctx, c, inspect, ['State', 'ExitCode'], 'exitCode'),
    ...(engineError ? stateEvidence(ctx, c, inspect, ['State', 'Error'], 'error') : []),
    ...logs.evidence,
  ];
  const said =
    logs.kind === 'traceback'
      ? ` It ended with a Python traceback: ${excerpt(logs.last ?? '', 200)}`
      : logs.kind === 'errors'
        ? ' The last error lines of its log are in the evidence.'
        : logs.kind === 'last'
          ? ' Its log shows no error line; the last lines are in the evidence.'
          : '';
  const stopped = code === 143 || code === 130;
  return finding({
    id: 'container-exit-nonzero',
    severity: stopped ? 'warning' : 'error',
    title: `Container ${c.row.name} on ${c.label} exited with code ${code} (${meaning.split(/[:(]/)[0]!.trim()})`,
    summary: `Exit code ${code}: ${meaning}.${engineError ? ` The engine reported: ${excerpt(engineError, 200)}.` : ''}${said}`,
    remedy: exitRemedy(code, c.row.name),
    evidence,
    subject: c.subject,
  });
}

async function loopFinding(ctx: EngineCtx, c: ContainerEntry, dies: { line: number; text: string; exitCode?: number }[]): Promise<Finding> {
  const inspect = await inspectOf(ctx, c);
  const log = await logOf(ctx, c);
  const logs = logEvidence(log);
  const lastCode = dies[dies.length - 1]?.exitCode ?? c.row.exitCode ?? undefined;
  const policy = get(inspect?.value, ['HostConfig', 'RestartPolicy', 'Name']);
  const count = c.row.restartCount ?? 0;
  const evidence: Evidence[] = [
    ...(count > 0 ? stateEvidence(ctx, c, inspect, ['RestartCount'], 'restartCount') : []),
    ...(c.row.state === 'restarting' ? stateEvidence(ctx, c, inspect, ['State', 'Restarting'], 'state') : []),
    ...(ctx.events ? dies.slice(-1).map((e) => eventEvidence(ctx.events!, e)) : []),
    ...logs.evidence,
  ];
  const parts = [
    count > 0 ? `${count} restarts` : '',
    dies.length ? `${dies.length} non-zero exits in the events window` : '',
    lastCode !== undefined && lastCode !== null ? `last exit code ${lastCode}` : '',
  ].filter(Boolean);
  return finding({
    id: 'container-restart-loop',
    severity: 'error',
    title: `Container ${c.row.name} on ${c.label} is in a restart loop (${parts.join(', ')})`,
    summary: `The container keeps dying and ${typeof policy === 'string' && policy && policy !== 'no' ? `its restart policy "${policy}" starts it again` : 'is started again'}, so it never stays up.${lastCode !== undefined && lastCode !== null && lastCode !== 0 ? ` Exit code ${lastCode}: ${exitCodeMeaning(lastCode)}.` : ''} The cause is in the last lines of its log.`,
    remedy: `Read why it dies: \`docker logs --tail 100 ${c.row.name}\` (and \`docker events --since 1h --filter container=${c.row.name}\`). Fix the cause (configuration, a missing dependency such as the database, the command). To stop the loop while you investigate: \`docker update --restart=no ${c.row.name}\`.`,
    evidence,
    subject: c.subject,
  });
}

async function unhealthyFinding(ctx: EngineCtx, c: ContainerEntry): Promise<Finding> {
  const inspect = await inspectOf(ctx, c);
  const healthLog = get(inspect?.value, ['State', 'Health', 'Log']);
  // Entries that are not objects (null, a number) are skipped; their index still names their line.
  const entries = (Array.isArray(healthLog) ? healthLog : [])
    .flatMap((x, i) => {
      const e = obj(x);
      return e ? [{ e, i }] : [];
    })
    .slice(-3);
  const streak = get(inspect?.value, ['State', 'Health', 'FailingStreak']);
  const test = get(inspect?.value, ['Config', 'Healthcheck', 'Test']);
  const testText = Array.isArray(test) ? test.filter((x): x is string => typeof x === 'string' && x !== 'CMD' && x !== 'CMD-SHELL').join(' ') : undefined;
  const unhealthyEvents = events(ctx, c.row.name, /^health_status: unhealthy$/);
  const evidence: Evidence[] = [
    ...stateEvidence(ctx, c, inspect, ['State', 'Health', 'Status'], 'health'),
    // A check's output says why it failed; a check without output is shown once, by its exit code.
    ...entries
      .filter(({ e }, k) => (typeof e['Output'] === 'string' && e['Output'].trim() !== '') || k === entries.length - 1)
      .map(({ e, i }) =>
        typeof e['Output'] === 'string' && e['Output'].trim()
          ? inspect!.evidence(['State', 'Health', 'Log', i, 'Output'])
          : inspect!.evidence(['State', 'Health', 'Log', i, 'ExitCode'], `health check exit ${String(e['ExitCode'])}, no output`),
      ),
    ...(ctx.events ? unhealthyEvents.slice(-1).map((e) => eventEvidence(ctx.events!, e)) : []),
  ];
  const outputs = entries.map(
    ({ e }) =>
      `exit ${String(e['ExitCode'])}${typeof e['Output'] === 'string' && e['Output'].trim() ? `: ${excerpt(e['Output'].trim(), 120)}` : ' (no output)'}`,
  );
  return finding({
    id: 'container-unhealthy',
    severity: 'warning',
    title: `Container ${c.row.name} on ${c.label} is unhealthy${typeof streak === 'number' ? ` (health check failed ${streak} times in a row)` : ''}`,
    summary: `Its health check${testText ? ` (\`${excerpt(testText, 120)}\`)` : ''} fails, so Docker (and anything that waits for "healthy") treats it as not working.${outputs.length ? ` Last checks: ${outputs.join('; ')}.` : ''}`,
    remedy: `Run the check by hand inside the container to see why it fails: \`docker exec ${c.row.name} ${testText ?? 'HEALTHCHECK-COMMAND'}\`; \`docker inspect --format '{{json .State.Health}}' ${c.row.name}\` shows the last results. Fix the service, or the check if it tests the wrong thing (port, path, a tool missing in the image, too short a timeout or start period).`,
    evidence,
    subject: c.subject,
  });
}

function pullFinding(subject: string, where: string, text: string, evidence: Evidence[]): Finding {
  const image = pullImage(text);
  const { cause, remedy } = pullRemedy(text, image);
  return finding({
    id: 'image-pull-failed',
    severity: 'error',
    title: `Image ${image ? `${image} ` : ''}could not be pulled${where ? ` (${where})` : ''}: ${cause}`,
    summary: `A container could not be created or started because its image was not available: ${excerpt(text.trim(), 240)}`,
    remedy,
    evidence,
    subject,
  });
}

/** Failed commands of any collector whose error output says a pull failed. */
function pullCommandFailures(view: BundleView): Finding[] {
  const out: Finding[] = [];
  const collectors = Array.isArray(view.manifest?.collectors) ? view.manifest.collectors : [];
  for (const c of collectors) {
    for (const cmd of (Array.isArray(c?.commands) ? c.commands : []) as CommandRecord[]) {
      if (cmd?.exitCode === 0 && !cmd.error) continue;
      const text = [cmd?.stderrTail, cmd?.error].filter((x): x is string => typeof x === 'string').join('\n');
      if (!PULL_ERROR.test(text)) continue;
      const argv = Array.isArray(cmd.argv) ? cmd.argv.join(' ') : '';
      const lines = text.split('\n').filter((l) => PULL_ERROR.test(l) || /Error response from daemon/.test(l));
      const image = pullImage(text);
      out.push(
        pullFinding(image ?? `${c.name}: ${excerpt(argv, 80)}`, `${c.name} ran \`${excerpt(argv, 80)}\``, lines.join('\n') || text, [
          { file: ROOT.manifest, excerpt: excerpt(`${c.name}: ${argv}: exit ${cmd.exitCode ?? 'none'}: ${lines.join(' | ') || text}`) },
        ]),
      );
    }
  }
  return out;
}

export const dockerContainerAnalyzer: Analyzer = {
  name: 'docker-containers',
  description: 'Containers that were OOM-killed, exited non-zero, restart in a loop, are unhealthy, or whose image could not be pulled',
  findingIds: ['container-oom-killed', 'container-exit-nonzero', 'container-restart-loop', 'container-unhealthy', 'image-pull-failed'],
  async analyze(view): Promise<Finding[]> {
    const findings: Finding[] = [];
    const pulls = new Map<string, Finding>();
    const addPull = (f: Finding): void => {
      const key = f.subject ?? f.title;
      if (!pulls.has(key)) pulls.set(key, f);
    };
    for (const label of await engineLabels(view)) {
      const { doc, entries } = await containerEntries(view, label);
      const ev = await readEvents(view, label, PULL_ERROR);
      const ctx: EngineCtx = { view, label, ...(doc ? { rows: doc } : {}), ...(ev ? { events: ev } : {}), logsRead: 0, pullHits: [] };
      const seen = new Set<string>();
      // The worst first, so the log budget goes to them.
      const ranked = [...entries].sort((a, b) => rank(a) - rank(b));
      for (const c of ranked) {
        seen.add(c.row.name);
        const r = c.row;
        const dies = crashes(ctx.events?.byContainer.get(r.name) ?? []);
        const oomEvent = events(ctx, r.name, /^oom$/).length > 0;
        const stopped = r.state === 'exited' || r.state === 'dead' || r.state === 'created';
        const oom = r.oomKilled === true || (stopped && r.exitCode === 137 && oomEvent);
        const loop = (r.restartCount ?? 0) >= LOOP_RESTARTS || r.state === 'restarting' || dies.length >= LOOP_DIES;
        if (oom) findings.push(await oomFinding(ctx, c));
        if (loop) findings.push(await loopFinding(ctx, c, dies));
        if (!oom && !loop && stopped && typeof r.exitCode === 'number' && r.exitCode !== 0) findings.push(await exitFinding(ctx, c, r.exitCode));
        if (r.health === 'unhealthy') findings.push(await unhealthyFinding(ctx, c));
        if (r.error && PULL_ERROR.test(r.error)) {
          const inspect = await inspectOf(ctx, c);
          addPull(pullFinding(pullImage(r.error) ?? c.subject, `container ${c.subject}`, r.error, stateEvidence(ctx, c, inspect, ['State', 'Error'], 'error')));
        }
      }
      for (const f of ctx.pullHits ?? []) addPull(f);
      // Containers gone from the list (e.g. `--rm` ones) that the events show dying over and over.
      if (ev) {
        for (const [name, list] of ev.byContainer) {
          if (seen.has(name)) continue;
          // Only crashes count here too: an hourly `--rm` job that exits 0 dies every hour by design.
          const dies = crashes(list);
          if (dies.length < LOOP_DIES) continue;
          const c: ContainerEntry = { label, index: -1, subject: `${label}/${name}`, files: DOCKER.container(label, '-'), row: ghostRow(name) };
          findings.push(await loopFinding({ view, label, ...(ev ? { events: ev } : {}), logsRead: MAX_LOGS_PER_ENGINE }, c, dies));
        }
        for (const l of ev.pullErrors) addPull(pullFinding(pullImage(l.text) ?? `${label}/events`, `engine ${label}`, l.text, [eventEvidence(ev, l)]));
      }
    }
    for (const f of pullCommandFailures(view)) addPull(f);
    return [...findings, ...pulls.values()];
  },
};

/** Examine the containers most likely to need their log first. */
function rank(c: ContainerEntry): number {
  const r = c.row;
  if (r.oomKilled) return 0;
  if (r.state === 'restarting' || (r.restartCount ?? 0) >= LOOP_RESTARTS) return 1;
  if (typeof r.exitCode === 'number' && r.exitCode !== 0 && r.state !== 'running') return 2;
  return 3;
}

/** A stand-in row for a container known only from its events. */
function ghostRow(name: string): ContainerEntry['row'] {
  return {
    name,
    id: '',
    image: '',
    state: 'removed',
    status: '',
    exitCode: null,
    oomKilled: null,
    restartCount: null,
    health: null,
    error: null,
    created: '',
    startedAt: null,
    finishedAt: null,
    memoryLimitBytes: null,
    logDriver: null,
    tty: null,
    labels: {},
    collected: false,
    notCollected: 'not in the container list',
  };
}
