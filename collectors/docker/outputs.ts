// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/** The docker collector's per-container outputs (inspect, logs, stats) and the small shapes it writes per engine. */
import { containerName, folderName, markSecret, statsSummary, type ContainerPattern, type DockerOptions } from '../docker-containers.js';
import { redactCommandLine, redactInspectStructure } from '../../redaction/structure.js';
import { DOCKER_FILES } from '../../src/bundle/layout.js';
import { errorMessage, json, problem } from '../../src/core/artifacts.js';
import { forEachLimit } from '../../src/core/concurrency.js';
import { DockerError, isEngineDown } from '../../src/docker/client.js';
import { JsonFileUnusable, openJsonFileLines } from '../../src/docker/json-file.js';
import { formatDockerLogs } from '../../src/docker/logs.js';
import { sshArgv } from '../../src/docker/ssh.js';
import type { ContainerInspect, ContainerSummary, DockerClient, DockerEndpoint, Output } from '../../src/core/types.js';

/** The run-wide settings every engine uses, parsed once. */
export interface Plan {
  readonly options: DockerOptions;
  readonly now: Date;
  readonly since: Date;
  readonly patterns: readonly ContainerPattern[];
}

/** inspect.json, logs.txt (if it ever started) and stats.json (if running) of one container. */
export async function containerOutputs(
  client: DockerClient,
  c: { summary: ContainerSummary; inspect: ContainerInspect },
  plan: Plan,
  endpoint: DockerEndpoint,
  stats: (id: string) => Promise<Record<string, unknown>> | undefined,
  signal: AbortSignal,
  logs: { files: number; engine: number } = { files: 0, engine: 0 },
): Promise<Output[]> {
  const { inspect } = c;
  const item = itemName(endpoint, c.summary);
  const files = DOCKER_FILES.container(endpoint.label, folderName(containerName(c.summary)));
  // Command lines and environments hold secrets a line rule cannot see whole: put them in a shape it can.
  const outputs: Output[] = [json(files.inspect, redactInspectStructure(inspect, markSecret))];
  const st = inspect.State ?? {};
  const neverStarted = !st.Running && (!st.StartedAt || st.StartedAt.startsWith('0001-01-01'));
  const driver = inspect.HostConfig?.LogConfig?.Type;
  if (neverStarted) {
    // Nothing to read.
  } else if (driver === 'none') {
    outputs.push(problem(`${item} logs`, 'logging driver "none": the engine keeps no log for this container'));
  } else {
    try {
      // A log cannot be older than its container: ask the engine to filter by time only when it must
      // (filtering makes it decode every entry's time).
      const needsSince = !(Date.parse(inspect.Created) >= plan.since.getTime());
      const request = { ...(plan.options.tail === 'all' ? {} : { tail: plan.options.tail }), ...(needsSince ? { since: plan.since } : {}) };
      const tty = Boolean(inspect.Config?.Tty);
      // The engine's own log file: only a local engine's path is ours to read (and `--dry-run` sizes it).
      const logFile = endpoint.url.startsWith('unix://') && typeof inspect.LogPath === 'string' && inspect.LogPath ? inspect.LogPath : undefined;
      // A json-file log is read from its files (src/docker/json-file.ts): the same bytes, without the
      // engine serving them on the cores we share. They are opened now, as the engine's stream would be
      // requested now: a container removed meanwhile is still read whole. Else, or if the files cannot
      // be opened (not root, another mount namespace, already removed), the engine sends them.
      // The files give formatted lines (the same bytes formatDockerLogs makes of the engine's frames).
      let lines: AsyncIterable<Buffer> | undefined;
      if (plan.options.logFiles && driver === 'json-file' && logFile !== undefined) {
        try {
          lines = await openJsonFileLines(logFile, { ...request, tty, live: Boolean(st.Running), ...maxFilesOf(inspect) }, undefined, signal);
          logs.files++;
        } catch (err) {
          if (!(err instanceof JsonFileUnusable)) throw err;
        }
      }
      if (!lines) {
        lines = formatDockerLogs(await client.containerLogs(inspect.Id, request, signal), { tty });
        logs.engine++;
      }
      const stream = lines;
      outputs.push({
        kind: 'artifact',
        path: files.logs,
        ...maxBytes(plan),
        ...(logFile ? { source: logFile } : {}),
        open: async () => ({ stream }),
      });
    } catch (err) {
      if (isEngineDown(err) || signal.aborted) throw err;
      const status = err instanceof DockerError ? err.statusCode : undefined;
      outputs.push(
        problem(
          `${item} logs`,
          status === 501
            ? `logging driver "${driver ?? 'unknown'}" cannot be read through the Engine API (enable dual logging, or read the logs where the driver sends them)`
            : goneOr(err, 'logs'),
        ),
      );
    }
  }
  const sample = stats(inspect.Id);
  if (sample) {
    // Written when its turn comes; by then the sample (asked for early) is usually there.
    outputs.push(
      json(files.stats, async () => {
        try {
          const raw = await sample;
          return { summary: statsSummary(raw), raw };
        } catch (err) {
          throw new Error(goneOr(err, 'stats'));
        }
      }),
    );
  }
  return outputs;
}

/** The container's json-file `max-file` option, when it says one (else rotated files are looked for). */
export function maxFilesOf(inspect: ContainerInspect): { maxFiles?: number } {
  const config = inspect.HostConfig?.LogConfig?.Config;
  // Without max-size the json-file driver never rotates (nor can max-file be set): no rotated file to
  // look for, so no directory listing per container. (The engine's default log options are merged in
  // when a container is created, and a container's log options never change after that.)
  if (config && typeof config === 'object' && config['max-size'] === undefined) return { maxFiles: 1 };
  const value = config?.['max-file'];
  if (value === undefined) return {};
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? { maxFiles: n } : {};
}

export const isRunning = (i: ContainerInspect): boolean => Boolean(i.State?.Running && !i.State.Restarting);

/**
 * Starts one stats request per running container, `limit` at a time, in the background; returns the
 * lookup of each container's pending sample (undefined for a container that is not running).
 */
export function statsPool(
  client: DockerClient,
  running: readonly ContainerInspect[],
  limit: number,
  signal: AbortSignal,
): (id: string) => Promise<Record<string, unknown>> | undefined {
  const samples = new Map<string, Promise<Record<string, unknown>>>();
  const starters = new Map<string, () => void>();
  for (const i of running) {
    samples.set(
      i.Id,
      new Promise((resolve, reject) => {
        starters.set(i.Id, () => client.containerStats(i.Id, signal).then(resolve, reject));
      }),
    );
    samples.get(i.Id)!.catch(() => undefined); // reported when its file is written
  }
  void forEachLimit(running, limit, async (i) => {
    starters.get(i.Id)!();
    await samples.get(i.Id)!.catch(() => undefined);
  });
  return (id) => samples.get(id);
}

export const maxBytes = (plan: Plan): { maxBytes?: number } => (plan.options.maxLogBytes > 0 ? { maxBytes: plan.options.maxLogBytes } : {});

/** `local/web-1`: the engine's label and the container's name, as items are named in the manifest. */
export function itemName(endpoint: DockerEndpoint, s: ContainerSummary): string {
  return `${endpoint.label}/${containerName(s)}`;
}

/** A 404 means the container went away while it was being collected; say so plainly. */
export function goneOr(err: unknown, what: string): string {
  if (err instanceof DockerError && err.statusCode === 404) return `removed while it was being collected (no such container at ${what})`;
  return errorMessage(err);
}

/** endpoint.json: where the engine is and how it was reached (file paths only, never key material). */
export function describeEndpoint(e: DockerEndpoint): Record<string, unknown> {
  const scheme = e.url.slice(0, Math.max(0, e.url.indexOf(':')));
  const transport = e.error ? 'none (invalid endpoint)' : scheme === 'unix' ? 'unix socket' : scheme === 'ssh' ? 'ssh' : e.tls ? 'tcp+tls' : 'tcp';
  return {
    label: e.label,
    url: e.url,
    source: e.source,
    ...(e.context ? { context: e.context } : {}),
    transport,
    ...(scheme === 'ssh' && !e.error ? { command: sshArgv(e.url) } : {}),
    ...(e.tls ? { tls: e.tls } : {}),
    ...(e.error ? { error: e.error } : {}),
  };
}

/** images.json: id, tags, size and creation time of each image (the fields a reader compares). */
export function imageRow(i: Record<string, unknown>): Record<string, unknown> {
  return {
    id: i['Id'],
    tags: i['RepoTags'] ?? [],
    digests: i['RepoDigests'] ?? [],
    sizeBytes: i['Size'],
    created: typeof i['Created'] === 'number' ? new Date((i['Created'] as number) * 1000).toISOString() : i['Created'],
    containers: i['Containers'],
    labels: i['Labels'] ?? {},
  };
}

/** `system df` lists each container's command line: give its secrets the same treatment as inspect. */
export function redactDfCommands(df: Record<string, unknown>): Record<string, unknown> {
  const containers = df['Containers'];
  if (!Array.isArray(containers)) return df;
  return {
    ...df,
    Containers: containers.map((c: Record<string, unknown>) =>
      typeof c['Command'] === 'string' ? { ...c, Command: redactCommandLine(c['Command'], markSecret) } : c,
    ),
  };
}
