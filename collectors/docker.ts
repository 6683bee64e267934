/**
 * `docker`: the engine's version and info, and every container as `docker ps -a` plus the state
 * fields `ps` hides (exit code, OOM-killed, started/finished, restarts), through the Engine API.
 * An unreachable engine fails this collector with the cause and the fix; the rest of the bundle is
 * still written. Deeper collection (logs, events, stats, several engines) builds on this.
 */
import { defineCollector, errorMessage, fact, json, problem, text } from '../src/artifacts.js';
import type { ContainerInspect, ContainerSummary, Output } from '../src/types.js';

export interface DockerOptions {
  /** Containers inspected at once. */
  readonly concurrency: number;
}

/** One row of docker/containers.json. */
export interface ContainerRow {
  readonly name: string;
  readonly id: string;
  readonly image: string;
  readonly state: string;
  readonly status: string;
  readonly exitCode: number | null;
  readonly oomKilled: boolean | null;
  readonly restartCount: number | null;
  readonly health: string | null;
  readonly error: string | null;
  readonly created: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly memoryLimitBytes: number | null;
}

export default defineCollector<DockerOptions>({
  name: 'docker',
  description: 'Docker engine version, info and all containers (ps -a with exit codes, OOM, start/finish times)',
  defaultEnabled: true,
  defaults: { concurrency: 8 },
  async *collect(ctx) {
    const { signal } = ctx;
    for (const endpoint of ctx.deps.dockerEndpoints) {
      const client = ctx.deps.docker(endpoint);
      yield json('endpoint.json', endpoint);
      const version = await client.version(signal);
      yield fact('docker.server', String(version['Version'] ?? 'unknown'));
      yield fact('docker.api', String(version['ApiVersion'] ?? 'unknown'));
      yield json('version.json', version);
      yield json('info.json', await client.info(signal));

      const summaries = await client.listContainers(signal, { all: true });
      const rows: ContainerRow[] = [];
      const problems: Output[] = [];
      await mapLimit(summaries, ctx.options.concurrency, async (s) => {
        try {
          rows.push(toRow(s, await client.inspectContainer(s.Id, signal)));
        } catch (err) {
          if (signal.aborted) throw err;
          // Gone between list and inspect (removed), or the engine refused: keep what ps showed.
          problems.push(problem(`container ${containerName(s)}`, errorMessage(err)));
          rows.push(toRow(s, undefined));
        }
      });
      yield* problems;
      rows.sort((a, b) => a.name.localeCompare(b.name));
      yield json('containers.json', rows);
      yield text('ps.txt', psTable(rows));
    }
  },
});

function containerName(s: ContainerSummary): string {
  return (s.Names[0] ?? s.Id.slice(0, 12)).replace(/^\//, '');
}

function toRow(s: ContainerSummary, i: ContainerInspect | undefined): ContainerRow {
  const st = i?.State;
  const zero = (t: string | undefined): string | null => (!t || t.startsWith('0001-01-01') ? null : t);
  return {
    name: containerName(s),
    id: s.Id,
    image: s.Image,
    state: st?.Status ?? s.State,
    status: s.Status,
    exitCode: st?.ExitCode ?? null,
    oomKilled: st?.OOMKilled ?? null,
    restartCount: i?.RestartCount ?? null,
    health: st?.Health?.Status ?? null,
    error: st?.Error || null,
    created: i?.Created ?? new Date(s.Created * 1000).toISOString(),
    startedAt: zero(st?.StartedAt),
    finishedAt: zero(st?.FinishedAt),
    memoryLimitBytes: i?.HostConfig?.Memory || null,
  };
}

/** A `docker ps -a`-like table for humans. */
function psTable(rows: readonly ContainerRow[]): string {
  const header = ['NAME', 'CONTAINER ID', 'IMAGE', 'STATE', 'EXIT', 'OOM', 'RESTARTS', 'STARTED', 'FINISHED', 'STATUS'];
  const body = rows.map((r) => [
    r.name,
    r.id.slice(0, 12),
    r.image,
    r.state,
    r.exitCode === null ? '-' : String(r.exitCode),
    r.oomKilled ? 'yes' : 'no',
    r.restartCount === null ? '-' : String(r.restartCount),
    r.startedAt ?? '-',
    r.finishedAt ?? '-',
    r.status,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => row[c]!.length)));
  const line = (cells: readonly string[]): string => cells.map((v, c) => v.padEnd(widths[c]!)).join('  ').trimEnd();
  return `${[header, ...body].map(line).join('\n')}\n`;
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
