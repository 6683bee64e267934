// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * `docker`: for every engine of the run (`--docker-host`, DOCKER_HOST, the docker context or the local
 * socket), in `docker/<engine-label>/`: version, info, disk usage, images, networks, volumes, a
 * summary of every container (containers.json, ps.txt), and for each selected container its inspect
 * document, its log (stdout and stderr, timestamped, in order) and, when running, a stats sample;
 * then the engine's events of the `--since` window.
 *
 * Selection: running containers plus those that finished within `--since` (all with
 * `--all-containers`), narrowed by `--containers`; every container left out is listed in the manifest
 * with the reason. A failing container is a problem for that container; a failing engine is recorded
 * for that engine (docker/engines.json and a problem) and the others go on. The collector fails only
 * when every engine failed.
 */
import {
  DOCKER_DEFAULTS,
  dockerOptions,
  containerRow,
  decide,
  knownSecrets,
  matchesPatterns,
  parsePatterns,
  psTable,
  type ContainerRow,
  type DockerOptions,
} from './docker-containers.js';
import { defineCollector, errorMessage, excluded, fact, json, problem, text } from '../src/core/artifacts.js';
import { forEachLimit, mapOrdered } from '../src/core/concurrency.js';
import { DockerError, isEngineDown } from '../src/docker/client.js';
import { filterEvents } from '../src/docker/logs.js';
import type { Artifact, CollectContext, ContainerInspect, ContainerSummary, DockerClient, Output } from '../src/core/types.js';
import { parseSince } from '../src/core/units.js';
import {
  containerOutputs,
  describeEndpoint,
  goneOr,
  imageRow,
  isRunning,
  itemName,
  maxBytes,
  redactDfCommands,
  statsPool,
  type Plan,
} from './docker/outputs.js';
import { CONTAINER_FILE, DOCKER_FILES, type EngineOutcome, type EnginesFile } from '../src/bundle/layout.js';

export type { ContainerRow } from './docker-containers.js';
export type { EngineOutcome };
export { DOCKER_DEFAULTS, type DockerOptions };

export default defineCollector({
  name: 'docker',
  description: 'Docker engines: version, info, disk usage, images, networks, volumes; per container inspect, logs and stats; events',
  defaultEnabled: true,
  // A host with hundreds of containers needs minutes. Every request has its own limit (docker-client.ts),
  // so a hung engine fails fast anyway; an explicit --timeout still wins.
  timeoutMs: 10 * 60_000,
  options: dockerOptions,
  async *collect(ctx) {
    const wallClock = new Date();
    // An `until` in the past moves "now" back: events end there; a later one is capped at the real now.
    const until = ctx.options.until ? Date.parse(ctx.options.until) : NaN;
    if (ctx.options.until && Number.isNaN(until)) throw new Error(`docker option until: "${ctx.options.until}" is not an ISO date/time`);
    const now = Number.isNaN(until) ? wallClock : new Date(Math.min(until, wallClock.getTime()));
    const plan: Plan = { options: ctx.options, now, since: parseSince(ctx.options.since, now), patterns: parsePatterns(ctx.options.containers) };
    const endpoints = ctx.deps.dockerEndpoints;
    const clients = endpoints.map((e) => ctx.deps.docker(e));
    // Ask every engine for its version at once, so an unreachable one costs its wait only once.
    const versions = clients.map((c) => c.version(ctx.signal));
    for (const v of versions) v.catch(() => undefined);
    const outcomes: EngineOutcome[] = [];
    const shared = { serverReported: false };
    try {
      for (const [i, endpoint] of endpoints.entries()) {
        const outcome: EngineOutcome = {
          label: endpoint.label,
          url: endpoint.url,
          source: endpoint.source,
          status: 'ok',
          containers: { listed: 0, selected: 0, collected: 0, excluded: 0 },
          logs: { files: 0, engine: 0 },
          durationMs: 0,
        };
        outcomes.push(outcome);
        yield* collectEngine(ctx, clients[i]!, versions[i]!, plan, outcome, shared);
      }
    } finally {
      for (const c of clients) c.close();
    }
    yield json(DOCKER_FILES.engines, {
      options: { ...plan.options, sinceTime: plan.since.toISOString(), ...(plan.options.until ? { untilTime: plan.now.toISOString() } : {}) },
      engines: outcomes,
    } satisfies EnginesFile);
    const failed = outcomes.filter((o) => o.status === 'failed');
    if (failed.length > 0 && failed.length === outcomes.length) {
      throw new Error(
        outcomes.length === 1 ? failed[0]!.reason : `all ${outcomes.length} Docker engines failed: ${failed.map((o) => `${o.label}: ${o.reason}`).join('; ')}`,
      );
    }
    for (const o of outcomes)
      if (o.status !== 'ok') yield problem(`engine ${o.label}`, `${o.status === 'failed' ? 'not collected' : 'partly collected'}: ${o.reason}`);
  },
});

/** Raised inside an engine's collection when the engine as a whole stopped answering. */
class EngineDown extends Error {}

/** Everything about one engine, into docker/<label>/. Never throws for the engine's own failures. */
async function* collectEngine(
  ctx: CollectContext<DockerOptions>,
  client: DockerClient,
  version: Promise<Record<string, unknown>>,
  plan: Plan,
  outcome: EngineOutcome,
  shared: { serverReported: boolean },
): AsyncGenerator<Output> {
  const began = performance.now();
  const endpoint = client.endpoint;
  const at = DOCKER_FILES.engine(endpoint.label);
  // Aborted when the engine goes down mid-way: cancels its prefetched log streams too.
  const engineAbort = new AbortController();
  const signal = AbortSignal.any([ctx.signal, engineAbort.signal]);
  const pending: Output[] = [];
  let mark = performance.now();
  /** A debug line with the time since the previous one (--verbose; also in run.log). */
  const phase = (what: string): void => {
    const now = performance.now();
    ctx.log.log('debug', `docker ${endpoint.label}: ${what} in ${Math.round(now - mark)} ms`);
    mark = now;
  };

  /**
   * Sorts a failed request: an interrupt or timeout goes up as it is; an engine that stopped answering
   * ends this engine's collection (and cancels its other requests); anything else is a problem of the item.
   */
  const classify = (err: unknown, item: string, explain: (err: unknown) => string = errorMessage): Output => {
    if (ctx.signal.aborted) throw err;
    if (isEngineDown(err) || engineAbort.signal.aborted) {
      if (!engineAbort.signal.aborted) engineAbort.abort(err);
      // The failure that stopped the engine, not a request it cancelled ("aborted") meanwhile.
      const cause: unknown = engineAbort.signal.reason;
      throw cause instanceof EngineDown ? cause : new EngineDown(errorMessage(cause), { cause });
    }
    return problem(item, explain(err));
  };
  /** One request whose failure is a problem of `item` (queued in `pending`). */
  const attempt = async <T>(item: string, fn: () => Promise<T>, explain?: (err: unknown) => string): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      pending.push(classify(err, item, explain));
      return undefined;
    }
  };
  /** A JSON file from one request, or the problem that kept it out. */
  const fetched = async <T>(path: string, fn: () => Promise<T>, shape: (value: T) => unknown = (v) => v, opts: { slow?: boolean } = {}): Promise<Output[]> => {
    try {
      return [json(path, shape(await fn()))];
    } catch (err) {
      // A slow request that timed out while the engine answers the others: a problem of its file.
      if (opts.slow && err instanceof DockerError && err.code === 'TIMEOUT' && !ctx.signal.aborted && !engineAbort.signal.aborted) {
        return [problem(path, errorMessage(err))];
      }
      return [classify(err, path)];
    }
  };

  // Engine-wide files (below): what has arrived is kept even when the engine fails later on.
  const ready: Output[] = [];
  let failure: unknown;
  let engineWide: Promise<void>[] = [];
  const drain = function* (): Generator<Output> {
    if (failure) throw failure;
    yield* ready.splice(0);
  };

  yield json(at.endpoint, describeEndpoint(endpoint));
  try {
    let v: Record<string, unknown>;
    try {
      v = await version;
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      outcome.status = 'failed';
      outcome.reason = errorMessage(err);
      return;
    }
    outcome.serverVersion = String(v['Version'] ?? 'unknown');
    outcome.apiVersion = String(v['ApiVersion'] ?? 'unknown');
    if (!shared.serverReported) {
      // ISSUE.md's "Docker engine" row: the first engine that answered.
      shared.serverReported = true;
      yield fact('docker.server', outcome.serverVersion);
      yield fact('docker.api', outcome.apiVersion);
    }
    yield fact(
      `docker.engine.${endpoint.label}`,
      `${outcome.serverVersion} (API ${outcome.apiVersion}, ${String(v['Os'] ?? '?')}/${String(v['Arch'] ?? '?')})`,
    );
    yield json(at.version, v);
    // Engine-wide state, asked for as soon as the engine answered and written as each answer arrives:
    // `system df` sizes every container's and volume's files (0.5 s of the engine's CPU for 100 small
    // containers on vfs, seconds on a big host), which the listing and the per-container work below
    // should neither wait for nor finish before. Slow to answer is not down: its timeout is a problem
    // of df.json alone.
    engineWide = [
      fetched(at.df, () => client.systemDf(signal), redactDfCommands, { slow: true }),
      fetched(
        at.images,
        () => client.listImages(signal),
        (images) => images.map(imageRow),
      ),
      fetched(at.networks, () => client.listNetworks(signal)),
      fetched(at.volumes, () => client.listVolumes(signal)),
    ].map((p) =>
      p.then(
        (outs) => void ready.push(...outs),
        (err: unknown) => void (failure ??= err),
      ),
    );

    const info = await attempt(at.info, () => client.info(signal));
    if (info) yield json(at.info, info);
    yield* pending.splice(0);

    // Every container, the ones to collect, and why the others are left out.
    const listed = await attempt(at.containers, () => client.listContainers(signal, { all: true }));
    yield* pending.splice(0);
    if (!listed) throw new EngineDown('the engine did not list its containers');
    outcome.containers.listed = listed.length;
    phase(`listed ${listed.length} containers`);
    const wanted: ContainerSummary[] = [];
    for (const s of listed) {
      if (matchesPatterns(s, plan.patterns)) wanted.push(s);
      else {
        outcome.containers.excluded++;
        yield excluded(itemName(endpoint, s), `does not match --containers ${plan.patterns.map((p) => p.text).join(' ')}`);
      }
    }
    const inspected = new Map<string, ContainerInspect>();
    await forEachLimit(wanted, plan.options.concurrency, async (s) => {
      const doc = await attempt(
        itemName(endpoint, s),
        () => client.inspectContainer(s.Id, signal),
        (err) => goneOr(err, 'inspect'),
      );
      if (doc) inspected.set(s.Id, doc);
    });
    phase(`inspected ${inspected.size}`);
    yield* pending.splice(0);
    // Before anything of theirs is written: their secrets are then removed everywhere, logs included.
    for (const doc of inspected.values()) for (const secret of knownSecrets(doc)) ctx.deps.secrets.add(secret);
    const rows: ContainerRow[] = [];
    const selected: { summary: ContainerSummary; inspect: ContainerInspect }[] = [];
    for (const s of wanted) {
      const doc = inspected.get(s.Id);
      if (!doc) {
        rows.push(containerRow(s, undefined, { collected: false, reason: 'could not be inspected (see the problems in manifest.json)' }));
        continue;
      }
      const decision = decide(doc, { since: plan.since, sinceText: plan.options.since, all: plan.options.allContainers, now: plan.now });
      if (decision.collect) selected.push({ summary: s, inspect: doc });
      else {
        outcome.containers.excluded++;
        yield excluded(itemName(endpoint, s), decision.reason);
      }
      rows.push(containerRow(s, doc, decision.collect ? { collected: true } : { collected: false, reason: decision.reason }));
    }
    outcome.containers.selected = selected.length;
    rows.sort((a, b) => a.name.localeCompare(b.name));
    yield json(at.containers, rows);
    yield text(at.ps, psTable(rows));
    phase('wrote the summary');

    // Stats take the engine a second (it waits for a second sample): ask for all of them alongside, a
    // bounded number at once, so the containers' turns do not wait for them.
    const stats = statsPool(client, selected.map((c) => c.inspect).filter(isRunning), plan.options.concurrency * 2, signal);

    // Per container, a bounded number at once; each one's log is opened ahead and read when its turn comes.
    const perContainer = mapOrdered(selected, plan.options.concurrency, async (c) => {
      try {
        return await containerOutputs(client, c, plan, endpoint, stats, signal, outcome.logs!);
      } catch (err) {
        return [classify(err, itemName(endpoint, c.summary), (e) => goneOr(e, 'collect'))];
      }
    });
    for await (const outputs of perContainer) {
      for (const out of outputs) {
        if (out.kind === 'artifact' && out.path.endsWith(`/${CONTAINER_FILE.inspect}`)) outcome.containers.collected++;
        yield out;
      }
      yield* drain();
    }
    phase(`wrote ${outcome.containers.collected} containers`);
    await Promise.all(engineWide);
    yield* drain();
    phase('engine-wide files');

    // The engine's own account of the window: die, oom, kill, restart, health_status, pulls, ...
    const events = await attempt(at.events, () => client.events({ since: plan.since, until: plan.now }, signal));
    if (events) yield { kind: 'artifact', path: at.events, ...maxBytes(plan), open: async () => ({ stream: filterEvents(events) }) } satisfies Artifact;
    yield* pending.splice(0);
    phase('events');
  } catch (err) {
    if (!(err instanceof EngineDown) || ctx.signal.aborted) throw err;
    yield* pending.splice(0);
    // The engine-wide files: an engine that answers (a listing refused with 500) still gives them; a
    // down one's requests were cancelled with it, so this does not wait.
    await Promise.allSettled(engineWide);
    yield* ready.splice(0);
    outcome.status = outcome.containers.listed > 0 || outcome.serverVersion ? 'partial' : 'failed';
    outcome.reason = err.message;
  } finally {
    // Nothing this engine was asked may outlive its collection (a df still sizing files).
    if (!engineAbort.signal.aborted) engineAbort.abort(new Error('the engine collection ended'));
    await Promise.allSettled(engineWide);
    outcome.durationMs = Math.round(performance.now() - began);
  }
}
