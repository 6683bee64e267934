// Room: run (src/run/) — may import core, config, collectors, redaction, bundle, docker, report, analyzers (the rule: tests/architecture.test.ts).
/**
 * `collect --dry-run`: what a run would collect, without collecting it. The same selection
 * (`prepareRun`) and the same runner as a real run, with three changes: declarations are listed, not
 * run (a command's argv, a file and its size, a group's members); an artifact is listed with its byte
 * limit, never opened; and a collector that wants a command's output before it can go on is stopped at
 * that command, which is listed. Docker engines are asked what they hold (read-only API calls: the
 * containers selected, their log limits). Nothing is written: no bundle, no spool, no key file.
 */
import { stat } from 'node:fs/promises';
import type { Artifact, ArtifactRecord, Collector, Declared, DockerEndpoint, Exec } from '../core/types.js';
import { CliError } from '../core/errors.js';
import { createDockerClient } from '../docker/client.js';
import { builtinCollectors } from '../../collectors/index.js';
import { type CollectOptions, prepareRun } from './collect.js';
import { runCollectors } from './runner.js';

/** One thing a collector would do. */
export interface DryRunItem {
  /** `command`: a program it would run; `file`: a file it would copy; `output`: a file it would store; `needs`: a command whose output decides the rest (not run). */
  readonly kind: 'command' | 'file' | 'output' | 'needs' | 'step' | 'problem' | 'left out';
  readonly text: string;
  /** Bundle path (below the bundle's folder). */
  readonly path?: string;
  /** Kept of the output (the tail). */
  readonly maxBytes?: number;
  /** Size now, where it can be had cheaply (a file's size, capped by maxBytes). */
  readonly bytes?: number;
}

/** A collector in the plan: whether it would run, and why not. */
export interface DryRunCollector {
  readonly name: string;
  readonly state: 'runs' | 'skipped' | 'not selected';
  readonly reason?: string;
  readonly items: readonly DryRunItem[];
}

export interface DryRunPlan {
  readonly collectors: readonly DryRunCollector[];
  readonly engines: readonly DockerEndpoint[];
  /** Sum of the sizes known (an estimate from below: command output and logs are not known up front). */
  readonly knownBytes: number;
}

/** Thrown into a collector that asks for a command's output under --dry-run. */
class NotRun extends Error {}

/** Plans the run of `options` without running it. Throws CliError for bad options, like a real run. */
export async function dryRun(options: CollectOptions): Promise<DryRunPlan> {
  const env = Object.freeze({ ...(options.env ?? process.env) });
  const signal = options.signal ?? new AbortController().signal;
  const prepared = await prepareRun(options, env, signal);
  const registry: readonly Collector[] = [...(options.collectors ?? builtinCollectors), ...(prepared.plugins?.collectors ?? [])];
  const items = new Map<string, DryRunItem[]>();
  // File sizes, looked up (stat only) while the plan is made.
  const sizing: Promise<unknown>[] = [];
  const add = (collector: string, item: DryRunItem): void => {
    const list = items.get(collector) ?? [];
    list.push(item);
    items.set(collector, list);
  };
  const refuse = (collector: string): Exec => {
    const stop = (file: string, args: readonly string[]): never => {
      add(collector, { kind: 'needs', text: argvText([file, ...args]) });
      throw new NotRun(`what it collects next depends on the output of ${argvText([file, ...args])}, which --dry-run does not run`);
    };
    return { run: async (file, args) => stop(file, args), stream: (file, args) => stop(file, args), record: () => undefined };
  };
  // The writer is given a collector's folder (custom/<name>/ for a custom collector), not its name.
  const byFolder = new Map(prepared.collectors.map((c) => [c.folder ?? c.name, c.name]));
  const folderOf = new Map(prepared.collectors.map((c) => [c.name, c.folder ?? c.name]));
  const sink = {
    async write(folder: string, artifact: Artifact): Promise<ArtifactRecord> {
      const item: Mutable<DryRunItem> = {
        kind: 'output',
        text: `${folder}/${artifact.path}`,
        path: `${folder}/${artifact.path}`,
        ...(artifact.maxBytes ? { maxBytes: artifact.maxBytes } : {}),
      };
      if (artifact.source) sizing.push(sizeInto(item, artifact.source, artifact.maxBytes));
      add(byFolder.get(folder) ?? folder, item);
      return { path: `${folder}/${artifact.path}`, bytes: 0, sha256: '', truncated: false };
    },
  };
  // Requests a collector started but nobody reads (a container's log stream: the artifact is never opened) end with the plan.
  const done = new AbortController();
  const records = await runCollectors(
    {
      collectors: prepared.collectors,
      optionsFor: (n) => (n === 'env-files' ? { files: prepared.envFiles } : (options.collectorOptions?.[n] ?? {})),
      concurrency: prepared.concurrency,
      timeoutMs: prepared.timeoutMs,
      timeoutFixed: options.timeoutMs !== undefined,
      signal: AbortSignal.any([signal, done.signal]),
      deps: {
        dockerEndpoints: prepared.dockerEndpoints,
        docker: options.dockerClient ?? ((e) => createDockerClient(e)),
        env,
        secrets: { add: () => undefined },
      },
      dryRun: {
        declared: (collector, d) => {
          const item = declaredItem(d, folderOf.get(collector) ?? collector, sizing);
          if (item) add(collector, item);
        },
        exec: refuse,
      },
    },
    sink,
    { log: () => undefined },
  );
  done.abort(new Error('the dry run is planned'));
  if (signal.aborted) throw new CliError('interrupted: nothing was planned or written', 'E_INTERRUPTED');
  await Promise.allSettled(sizing);
  const selected = new Set(prepared.collectors.map((c) => c.name));
  const collectors: DryRunCollector[] = [];
  for (const c of registry) {
    if (selected.has(c.name)) continue;
    collectors.push({ name: c.name, state: 'not selected', reason: whyNotSelected(c, options), items: [] });
  }
  for (const r of records) {
    const list = [
      ...dedupe(items.get(r.name) ?? []),
      // What a real run would report too: a pattern that matched nothing, a file left out for its size.
      ...r.problems.map((p) => ({ kind: 'problem' as const, text: `${p.item}: ${p.reason}` })),
      ...(r.excluded ?? []).map((e) => ({ kind: 'left out' as const, text: `${e.item}: ${e.reason}` })),
    ];
    if (r.status === 'skipped') collectors.push({ name: r.name, state: 'skipped', ...(r.reason ? { reason: r.reason } : {}), items: [] });
    else collectors.push({ name: r.name, state: 'runs', ...(r.status !== 'ok' && r.reason ? { reason: r.reason } : {}), items: list });
  }
  const knownBytes = collectors.flatMap((c) => c.items).reduce((sum, i) => sum + (i.bytes ?? 0), 0);
  return { collectors, engines: prepared.dockerEndpoints, knownBytes };
}

/** A declaration as a plan item; a file's size is looked up into `bytes` (stat only, never read), its promise added to `sizing`. */
function declaredItem(d: Declared, folder: string, sizing: Promise<unknown>[]): DryRunItem | undefined {
  const p = d.plan;
  if (p?.members) return undefined;
  const where = { ...(p?.path ? { path: `${folder}/${p.path}` } : {}), ...(p?.maxBytes ? { maxBytes: p.maxBytes } : {}) };
  if (p?.argv) return { kind: 'command', text: `${argvText(p.argv)}${p.cwd ? `   (in ${p.cwd})` : ''}`, ...where };
  if (p?.file) {
    const item: Mutable<DryRunItem> = { kind: 'file', text: p.file, ...where };
    sizing.push(sizeInto(item, p.file, p.maxBytes));
    return item;
  }
  return { kind: 'step', text: d.what };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Sets `item.bytes` to the file's size (capped by what is kept); stat only, the file is never opened. */
async function sizeInto(item: Mutable<DryRunItem>, file: string, maxBytes: number | undefined): Promise<void> {
  try {
    const s = await stat(file);
    if (s.isFile()) item.bytes = Math.min(s.size, maxBytes ?? Number.POSITIVE_INFINITY);
  } catch {
    // gone or unreadable: the run itself says so
  }
}

/** An argv as one line a shell would take: quoted where needed, an inline script shown by its size. */
export function argvText(argv: readonly string[]): string {
  return argv
    .map((a) => {
      if (a.includes('\n')) return `<script, ${a.split('\n').length} lines>`;
      const word = /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
      return word.length > 160 ? `${word.slice(0, 157)}...` : word;
    })
    .join(' ');
}

/** An output listed by its declaration too (a command and the file it stores) is shown once. */
function dedupe(list: readonly DryRunItem[]): DryRunItem[] {
  const declaredPaths = new Set(list.filter((i) => i.kind !== 'output' && i.path).map((i) => i.path));
  return list.filter((i) => i.kind !== 'output' || !declaredPaths.has(i.path));
}

function whyNotSelected(c: Collector, options: CollectOptions): string {
  if (options.skip?.includes(c.name)) return '--skip';
  if (options.only?.length) return 'not named in --only';
  return `off by default (turn it on with --only ${c.name},… or collectors.${c.name}: true)`;
}

/** The plan as text for the terminal (the CLI redacts it before printing: an argv may hold a secret). */
export function renderDryRun(plan: DryRunPlan, formatBytes: (n: number) => string): string {
  const out: string[] = ['collect-bundle --dry-run: nothing was collected and nothing was written', ''];
  const width = Math.max(...plan.collectors.map((c) => c.name.length));
  out.push('Collectors');
  for (const c of plan.collectors) out.push(`  ${c.name.padEnd(width)}  ${c.state}${c.reason ? `: ${c.reason}` : ''}`);
  if (plan.engines.length) {
    out.push('', 'Docker engines');
    for (const e of plan.engines) out.push(`  ${e.label}  ${e.url}  (from ${e.source})${e.error ? `  unusable: ${e.error}` : ''}`);
  }
  for (const c of plan.collectors.filter((x) => x.state === 'runs')) {
    out.push('', `${c.name}`);
    if (c.items.length === 0) out.push('  (decides what to collect while it runs)');
    for (const i of c.items) {
      const limit = i.maxBytes ? `, at most ${formatBytes(i.maxBytes)}` : '';
      const size = i.bytes !== undefined ? `, ${formatBytes(i.bytes)} now` : '';
      const to = i.path && i.kind !== 'output' ? ` → ${i.path}` : '';
      const head = { command: 'runs   ', file: 'copies ', output: 'stores ', needs: 'needs  ', step: 'step   ', problem: 'problem', 'left out': 'leaves ' }[
        i.kind
      ];
      out.push(`  ${head} ${i.text}${to}${limit || size ? ` (${[limit, size].filter(Boolean).join('').slice(2)})` : ''}`);
    }
  }
  out.push('', `known size: ${formatBytes(plan.knownBytes)} of files (command output and logs are only known when collected)`, '');
  return out.join('\n');
}
