// Room: analyzers (analyzers/) — may import core, bundle (the rule: tests/architecture.test.ts).
/**
 * What the engine recorded that someone wanted: a container that died after a `docker stop`,
 * `docker kill` or `docker compose down` was asked to stop, so its exit is not a failure; and what
 * its health check really says, so a container whose probes pass is never called unhealthy (Docker
 * marks a stopped container "unhealthy" with a failing streak of 0). Split from analyzers/docker.ts.
 */
import type { ContainerEvent } from './docker-data.js';
import { get } from './docker-data.js';
import { obj } from './finding.js';

/** A kill this long (or less) before a die means the container was asked to stop: docker stop's grace period, with room. */
export const ASKED_WINDOW_MS = 60_000;
/** Signals that ask a container to stop (`docker stop`, `docker kill`, Ctrl-C); a kill with another (HUP, USR1) is a reload. */
const STOP_SIGNAL = /^(?:2|3|9|15|(?:SIG)?(?:INT|QUIT|KILL|TERM))$/i;

const isRequest = (e: ContainerEvent): boolean => e.action === 'stop' || (e.action === 'kill' && (e.signal === undefined || STOP_SIGNAL.test(e.signal)));

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
      if (isRequest(e)) asked = e.time ?? NaN;
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

/** How the container's last exit came about, as far as the engine recorded it. */
export type LastExit =
  /** Someone asked: the request events (kill signals in order, then stop), and the die when recorded. */
  | { readonly kind: 'requested'; readonly requests: readonly ContainerEvent[]; readonly die?: ContainerEvent }
  /** The engine recorded the death and no stop/kill request before it. */
  | { readonly kind: 'unrequested'; readonly die: ContainerEvent }
  /** Nothing recorded about it (no events, or it died before their window). */
  | { readonly kind: 'unknown' };

/**
 * Whether the container's last exit followed a stop/kill request: the requests since its last start
 * before its last `die` (within ASKED_WINDOW_MS of it); without a recorded die, a request shortly before
 * `State.FinishedAt` (`finishedAt`, ISO text) counts too.
 */
export function lastExit(list: readonly ContainerEvent[], finishedAt?: string | null): LastExit {
  let dieAt = -1;
  for (let i = list.length - 1; i >= 0 && dieAt < 0; i--) if (list[i]!.action === 'die') dieAt = i;
  const until = dieAt >= 0 ? dieAt : list.length;
  let startAt = -1;
  for (let i = until - 1; i >= 0 && startAt < 0; i--) if (list[i]!.action === 'start') startAt = i;
  const die = dieAt >= 0 ? list[dieAt] : undefined;
  const requests = list.slice(startAt + 1, until).filter(isRequest);
  if (die) {
    const near = requests.filter((r) => r.time === undefined || die.time === undefined || die.time - r.time <= ASKED_WINDOW_MS);
    // A `stop` event comes right after the die it caused: it belongs to this exit too.
    const after = list.slice(dieAt + 1).find((e) => e.action === 'stop' || e.action === 'start');
    const stop = after?.action === 'stop' ? [after] : [];
    if (near.length || stop.length) return { kind: 'requested', requests: [...near, ...stop], die };
    return { kind: 'unrequested', die };
  }
  const finished = finishedAt ? Date.parse(finishedAt) : NaN;
  if (requests.length && Number.isFinite(finished)) {
    const near = requests.filter((r) => r.time !== undefined && finished - r.time >= -1000 && finished - r.time <= ASKED_WINDOW_MS);
    if (near.length) return { kind: 'requested', requests: near };
  }
  return { kind: 'unknown' };
}

/** The request in words: `docker stop` (SIGTERM, then SIGKILL after the grace period), `docker kill -s KILL`. */
export function describeRequest(requests: readonly ContainerEvent[]): string {
  const signals = requests.filter((r) => r.action === 'kill').map((r) => signalName(r.signal));
  const stopped = requests.some((r) => r.action === 'stop');
  if (stopped) {
    if (signals.length > 1 && signals[signals.length - 1] === 'SIGKILL')
      return `a stop request (\`docker stop\` or \`docker compose stop/down\`): ${signals[0]}, then SIGKILL when the grace period ran out`;
    return `a stop request (\`docker stop\` or \`docker compose stop/down\`${signals.length ? `, ${signals.join(', ')}` : ''})`;
  }
  return `a kill request (\`docker kill\`${signals.length ? ` with ${signals.join(', then ')}` : ''})`;
}

function signalName(s: string | undefined): string {
  if (s === undefined) return 'a signal';
  const byNumber: Record<string, string> = { '2': 'SIGINT', '3': 'SIGQUIT', '9': 'SIGKILL', '15': 'SIGTERM' };
  return byNumber[s] ?? (s.toUpperCase().startsWith('SIG') ? s.toUpperCase() : `SIG${s.toUpperCase()}`);
}

/** One health probe of State.Health.Log, with its index there. */
export interface Probe {
  readonly index: number;
  readonly exitCode: unknown;
  readonly output: string;
}

/** What State.Health says: the failing streak, the probes recorded, and whether it really is unhealthy. */
export interface HealthVerdict {
  readonly unhealthy: boolean;
  readonly streak?: number;
  /** The failing probes among the last ones (exit code not 0), oldest first. */
  readonly failing: readonly Probe[];
  readonly probes: readonly Probe[];
}

/** Docker's health check retries when the image and the run set none. */
const DEFAULT_HEALTH_RETRIES = 3;

/**
 * Unhealthy only on evidence: Docker's status says so AND the failing streak reached the check's Retries
 * (when the inspect has one) AND the last probe failed (when probes are recorded). A container `docker stop`
 * marked "unhealthy" while its last probes passed is not. Without inspect data the row's word stands.
 */
export function healthVerdict(rowHealth: string | null, inspect: unknown): HealthVerdict {
  const health = obj(get(inspect, ['State', 'Health']));
  const status = typeof health?.['Status'] === 'string' ? health['Status'] : rowHealth;
  const log = Array.isArray(health?.['Log']) ? (health['Log'] as unknown[]) : [];
  const probes = log
    .flatMap((x, index): Probe[] => {
      const e = obj(x);
      return e ? [{ index, exitCode: e['ExitCode'], output: typeof e['Output'] === 'string' ? e['Output'].trim() : '' }] : [];
    })
    .slice(-5);
  const streak = typeof health?.['FailingStreak'] === 'number' ? health['FailingStreak'] : undefined;
  const failing = probes.filter((p) => p.exitCode !== 0);
  const last = probes[probes.length - 1];
  // Docker declares a container unhealthy after Retries failures in a row (3 when unset). A lower
  // streak under an "unhealthy" status is the stop's doing: `docker stop` marks the container so, and a
  // probe running when the stop came fails with it (seen under load with a 1 s interval).
  const retriesSet = get(inspect, ['Config', 'Healthcheck', 'Retries']);
  const retries = typeof retriesSet === 'number' && retriesSet > 0 ? retriesSet : DEFAULT_HEALTH_RETRIES;
  const unhealthy = status === 'unhealthy' && (streak === undefined || streak >= retries) && (last === undefined || last.exitCode !== 0);
  return { unhealthy, ...(streak !== undefined ? { streak } : {}), failing, probes };
}
