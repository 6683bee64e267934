// Room: analyzers (analyzers/) — may import core, bundle (the rule: tests/architecture.test.ts).
/**
 * Docker analyzers: engines that could not be reached (or refused us), and what went wrong with
 * containers: killed for memory, exited non-zero, restarting in a loop, unhealthy, images that could
 * not be pulled. They read docker/engines.json, docker/<engine>/containers.json, each container's
 * inspect.json and logs.txt, events.jsonl and the manifest, through the bundle view only.
 */
import type { Analyzer, BundleView, Evidence, Finding } from '../src/core/types.js';
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
  type EngineEvents,
  type JsonDoc,
  type TextLines,
} from './docker-data.js';
import { excerpt, finding } from './finding.js';
import { DOCKER } from '../src/bundle/layout.js';
import { exitCodeMeaning, exitRemedy, PULL_ERROR, pullCommandFailures, pullFinding, pullImage, sigkillRemedy } from './docker-exits.js';
import { crashes, describeRequest, healthVerdict, lastExit, type HealthVerdict, type LastExit } from './docker-intent.js';
import { jobIdentity } from './job-identity.js';
export { exitCodeMeaning } from './docker-exits.js';
export { crashes } from './docker-intent.js';
export { dockerEngineAnalyzer } from './docker-engines.js';

// ---------------------------------------------------------------------------------------------
// Containers

/** Logs read per engine at most (each is read whole to number its lines). */
export const MAX_LOGS_PER_ENGINE = 50;
/** Containers whose events count as a restart loop when they crashed this often in the window. */
const LOOP_DIES = 5;
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
  // Peak usage is known only from a stats sample of a container that runs again (cgroup v1 keeps max_usage).
  const peak = get(stats?.value, ['raw', 'memory_stats', 'max_usage']);
  const usage = get(stats?.value, ['summary', 'memory', 'usageBytes']);
  const peakText =
    typeof peak === 'number' && peak > 0
      ? ` Its peak memory use was ${formatBytes(peak)}.`
      : typeof usage === 'number'
        ? ` It used ${formatBytes(usage)} when collected (after the kill; the peak is not recorded).`
        : ' Its peak memory use is not recorded (no stats sample of a stopped container).';
  const evidence: Evidence[] = [
    ...(c.row.oomKilled
      ? stateEvidence(ctx, c, inspect, ['State', 'OOMKilled'], 'oomKilled')
      : stateEvidence(ctx, c, inspect, ['State', 'ExitCode'], 'exitCode')),
    ...(inspect && limit ? [inspect.evidence(['HostConfig', 'Memory'])] : []),
    ...(stats && typeof peak === 'number' && peak > 0 ? [stats.evidence(['raw', 'memory_stats', 'max_usage'])] : []),
    ...(stats && typeof usage === 'number' ? [stats.evidence(['summary', 'memory', 'usageBytes'])] : []),
    ...(ctx.events ? oomEvents.slice(-1).map((e) => eventEvidence(ctx.events!, e)) : []),
    // The last lines, not the first: what it did just before it was killed.
    ...tail,
  ];
  return finding({
    id: 'container-oom-killed',
    severity: 'error',
    title: `Container ${containerText(c)} on ${c.label} was OOM-killed (${limitText})`,
    summary: limit
      ? `The kernel killed the container's process because it used all of its ${formatBytes(limit)} memory limit (exit code ${c.row.exitCode ?? 137}).${peakText} ${tail.length ? `The last ${tail.length} log lines are what it did just before.` : 'Its log is empty or was not collected.'}`
      : `The container has no memory limit, so the kernel's OOM killer chose it when the whole host ran out of memory (exit code ${c.row.exitCode ?? 137}).${peakText} Look at the host's memory (system/memory.json) and at what else runs there.`,
    remedy: limit
      ? `Give it more memory if the workload needs it: \`docker update --memory 1g --memory-swap 1g ${c.row.name}\` (compose: \`mem_limit\` or \`deploy.resources.limits.memory\`), or make it use less (fewer workers or concurrency, smaller batches). Watch it with \`docker stats ${c.row.name}\`.`
      : `Find what uses the host's memory (\`docker stats --no-stream\`, \`free -m\`), set a memory limit on each container (\`docker update --memory 1g --memory-swap 1g ${c.row.name}\`) so one cannot starve the others, or add memory.`,
    evidence,
    subject: c.subject,
  });
}

/** The container as findings name it: with the job it ran when its labels say so. */
export function containerText(c: ContainerEntry): string {
  const job = jobIdentity({ labels: c.row.labels, containerId: c.row.id, containerName: c.row.name });
  if (!job) return c.row.name;
  return `${c.row.name} (job ${[job.name, job.id !== undefined ? `id ${job.id}` : undefined].filter(Boolean).join(', ')})`;
}

/** Event lines of a recorded exit (the requests and the die) as evidence. */
function exitEventEvidence(ctx: EngineCtx, exit: LastExit): Evidence[] {
  if (!ctx.events || exit.kind === 'unknown') return [];
  const list = exit.kind === 'requested' ? [...exit.requests, ...(exit.die ? [exit.die] : [])] : [exit.die];
  return [...list].sort((a, b) => a.line - b.line).map((e) => eventEvidence(ctx.events!, e));
}

async function exitFinding(ctx: EngineCtx, c: ContainerEntry, code: number, exit: LastExit): Promise<Finding> {
  const inspect = await inspectOf(ctx, c);
  const log = await logOf(ctx, c);
  const logs = logEvidence(log);
  const engineError = c.row.error ?? (typeof get(inspect?.value, ['State', 'Error']) === 'string' ? (get(inspect?.value, ['State', 'Error']) as string) : '');
  const sigkill = code === 137;
  const meaning = sigkill ? "killed by SIGKILL, not by Docker's OOM killer (the container is not marked OOM-killed)" : exitCodeMeaning(code);
  const evidence: Evidence[] = [
    ...stateEvidence(ctx, c, inspect, ['State', 'ExitCode'], 'exitCode'),
    ...(sigkill && inspect && get(inspect.value, ['State', 'OOMKilled']) === false ? [inspect.evidence(['State', 'OOMKilled'])] : []),
    ...(engineError ? stateEvidence(ctx, c, inspect, ['State', 'Error'], 'error') : []),
    ...exitEventEvidence(ctx, exit),
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
  const requested =
    exit.kind === 'unrequested'
      ? ' The engine recorded its death and no `docker stop` or `docker kill` before it.'
      : ctx.events
        ? ' The collected events do not reach back to its exit, so a stop or kill request cannot be ruled out.'
        : '';
  const stopped = code === 143 || code === 130;
  return finding({
    id: 'container-exit-nonzero',
    severity: stopped ? 'warning' : 'error',
    title: `Container ${containerText(c)} on ${c.label} exited with code ${code} (${sigkill ? "killed by SIGKILL, not by Docker's OOM killer" : meaning.split(/[:(]/)[0]!.trim()})`,
    summary: `Exit code ${code}: ${meaning}.${sigkill ? requested : ''}${engineError ? ` The engine reported: ${excerpt(engineError, 200)}.` : ''}${said}`,
    remedy: sigkill ? sigkillRemedy(c.row.name, exit.kind === 'unrequested') : exitRemedy(code, c.row.name),
    evidence,
    subject: c.subject,
  });
}

/** An exit that followed a stop/kill request the engine recorded: what was asked for, not a failure. */
async function stoppedFinding(ctx: EngineCtx, c: ContainerEntry, code: number, exit: LastExit & { kind: 'requested' }): Promise<Finding> {
  const inspect = await inspectOf(ctx, c);
  const how = describeRequest(exit.requests);
  const signals = exit.requests.filter((r) => r.action === 'kill');
  const graceRanOut = code === 137 && signals.length > 1;
  return finding({
    id: 'container-stopped',
    severity: 'info',
    title: `Container ${containerText(c)} on ${c.label} was stopped by a stop/kill request (exit code ${code})`,
    summary:
      `The engine recorded ${how}; then the container exited with code ${code}. The exit is what was asked for, not a failure.` +
      (graceRanOut
        ? ' It did not exit on the first signal within the grace period, so Docker killed it: a program that handles SIGTERM shuts down cleanly (finishes requests, closes connections) instead.'
        : ''),
    remedy: `Nothing to fix if the stop was intended; start it again with \`docker start ${c.row.name}\` (or \`docker compose up -d\`). If nobody meant to stop it, \`docker events --since 24h --filter container=${c.row.name}\` shows when it was asked (a deploy, an orchestrator, a script).${graceRanOut ? ' To let it stop cleanly, handle SIGTERM in the program (or run it with `--init`), or lengthen the grace period (`docker stop -t 30`, compose `stop_grace_period`).' : ''}`,
    evidence: [...stateEvidence(ctx, c, inspect, ['State', 'ExitCode'], 'exitCode'), ...exitEventEvidence(ctx, exit)],
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
    title: `Container ${containerText(c)} on ${c.label} is in a restart loop (${parts.join(', ')})`,
    summary: `The container keeps dying and ${typeof policy === 'string' && policy && policy !== 'no' ? `its restart policy "${policy}" starts it again` : 'is started again'}, so it never stays up.${lastCode !== undefined && lastCode !== null && lastCode !== 0 ? ` Exit code ${lastCode}: ${exitCodeMeaning(lastCode)}.` : ''} The cause is in the last lines of its log.`,
    remedy: `Read why it dies: \`docker logs --tail 100 ${c.row.name}\` (and \`docker events --since 1h --filter container=${c.row.name}\`). Fix the cause (configuration, a missing dependency such as the database, the command). To stop the loop while you investigate: \`docker update --restart=no ${c.row.name}\`.`,
    evidence,
    subject: c.subject,
  });
}

async function unhealthyFinding(ctx: EngineCtx, c: ContainerEntry, verdict: HealthVerdict): Promise<Finding> {
  const inspect = await inspectOf(ctx, c);
  const test = get(inspect?.value, ['Config', 'Healthcheck', 'Test']);
  const testText = Array.isArray(test) ? test.filter((x): x is string => typeof x === 'string' && x !== 'CMD' && x !== 'CMD-SHELL').join(' ') : undefined;
  const unhealthyEvents = events(ctx, c.row.name, /^health_status: unhealthy$/);
  const failing = verdict.failing.slice(-3);
  const evidence: Evidence[] = [
    ...stateEvidence(ctx, c, inspect, ['State', 'Health', 'Status'], 'health'),
    ...(inspect && verdict.streak !== undefined ? [inspect.evidence(['State', 'Health', 'FailingStreak'])] : []),
    // A failing probe's output says why it failed; a probe without output is shown by its exit code.
    ...failing.map((p) =>
      p.output
        ? inspect!.evidence(['State', 'Health', 'Log', p.index, 'Output'])
        : inspect!.evidence(['State', 'Health', 'Log', p.index, 'ExitCode'], `health check exit ${String(p.exitCode)}, no output`),
    ),
    ...(ctx.events ? unhealthyEvents.slice(-1).map((e) => eventEvidence(ctx.events!, e)) : []),
  ];
  const quoted = failing.map((p) => `exit ${String(p.exitCode)}${p.output ? `: "${excerpt(p.output.replace(/\s+/g, ' '), 160)}"` : ' (no output)'}`);
  return finding({
    id: 'container-unhealthy',
    severity: 'warning',
    title: `Container ${containerText(c)} on ${c.label} is unhealthy${verdict.streak !== undefined ? ` (health check failed ${verdict.streak} times in a row)` : ''}`,
    summary: `Its health check${testText ? ` (\`${excerpt(testText, 120)}\`)` : ''} fails, so Docker (and anything that waits for "healthy") treats it as not working.${quoted.length ? ` The failing checks said: ${quoted.join('; ')}.` : ''}`,
    remedy: `Run the check by hand inside the container to see why it fails: \`docker exec ${c.row.name} ${testText ?? 'HEALTHCHECK-COMMAND'}\`; \`docker inspect --format '{{json .State.Health}}' ${c.row.name}\` shows the last results. Fix the service, or the check if it tests the wrong thing (port, path, a tool missing in the image, too short a timeout or start period).`,
    evidence,
    subject: c.subject,
  });
}

export const dockerContainerAnalyzer: Analyzer = {
  name: 'docker-containers',
  description:
    'Containers that were OOM-killed, exited non-zero unasked (or were stopped on request), restart in a loop, are unhealthy, or whose image could not be pulled',
  findingIds: ['container-oom-killed', 'container-exit-nonzero', 'container-stopped', 'container-restart-loop', 'container-unhealthy', 'image-pull-failed'],
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
        const list = ctx.events?.byContainer.get(r.name) ?? [];
        const dies = crashes(list);
        const oomEvent = events(ctx, r.name, /^oom$/).length > 0;
        const stopped = r.state === 'exited' || r.state === 'dead' || r.state === 'created';
        const oom = r.oomKilled === true || (stopped && r.exitCode === 137 && oomEvent);
        // Restarts by policy after deaths that were all asked for (or clean) are no loop.
        const allAsked = list.some((e) => e.action === 'die') && dies.length === 0;
        const loop = r.state === 'restarting' || dies.length >= LOOP_DIES || ((r.restartCount ?? 0) >= LOOP_RESTARTS && !allAsked);
        if (oom) findings.push(await oomFinding(ctx, c));
        if (loop) findings.push(await loopFinding(ctx, c, dies));
        if (!oom && !loop && stopped && typeof r.exitCode === 'number' && r.exitCode !== 0) {
          const exit = lastExit(list, r.finishedAt);
          findings.push(exit.kind === 'requested' ? await stoppedFinding(ctx, c, r.exitCode, exit) : await exitFinding(ctx, c, r.exitCode, exit));
        }
        if (r.health === 'unhealthy') {
          const verdict = healthVerdict(r.health, (await inspectOf(ctx, c))?.value);
          if (verdict.unhealthy) findings.push(await unhealthyFinding(ctx, c, verdict));
        }
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
