/**
 * The house's rooms, the one-way dependency rule between them, and the import-cycle finder that
 * tests/architecture.test.ts applies to the real source (moved here: a test file exports nothing).
 */

import { stronglyConnected } from '../../analyzers/graph.js';

/**
 * The rooms and what each may import (besides itself). This table is the dependency rule:
 *   cli → run → (collectors | redaction | bundle | docker | config | report) → core
 * with schedule above run (its loop runs collections), config above collectors (it validates their
 * options and builds the config-defined ones), bundle above redaction (the writer redacts), collectors
 * above docker and bundle (they write the bundle's rows), analyzers and report reading only bundle and
 * core (report also analyzers), redaction importing only core and core importing nothing of ours.
 * `entry` is src/index.ts, the library API: it re-exports from every room but the CLI.
 */
export const ROOMS: Readonly<Record<string, readonly string[]>> = {
  core: [],
  redaction: ['core'],
  docker: ['core'],
  bundle: ['core', 'redaction'],
  collectors: ['core', 'docker', 'redaction', 'bundle'],
  config: ['core', 'redaction', 'collectors'],
  analyzers: ['core', 'bundle'],
  report: ['core', 'bundle', 'analyzers'],
  run: ['core', 'config', 'collectors', 'redaction', 'bundle', 'docker', 'report', 'analyzers'],
  schedule: ['core', 'config', 'run', 'bundle', 'collectors'],
  cli: ['core', 'config', 'run', 'collectors', 'redaction', 'bundle', 'docker', 'report', 'analyzers', 'schedule'],
  entry: ['core', 'config', 'run', 'collectors', 'redaction', 'bundle', 'docker', 'report', 'analyzers', 'schedule'],
};

/** The room of a repository-relative path, or undefined for a file in none. */
export function roomOf(path: string): string | undefined {
  if (path === 'src/index.ts') return 'entry';
  const m = /^src\/([a-z]+)\//.exec(path);
  if (m) return m[1] !== 'index' && m[1]! in ROOMS && m[1] !== 'entry' ? m[1] : undefined;
  const top = /^(collectors|redaction|analyzers)\//.exec(path);
  return top ? top[1] : undefined;
}

export interface Edge {
  readonly from: string;
  /** A repository-relative .ts path, or `pkg:<name>` for a package. */
  readonly to: string;
  /** Erased at run time (`import type`, `export type`, every named import a type). */
  readonly typeOnly: boolean;
  readonly dynamic: boolean;
}

/** Strongly connected components with more than one file (or a file importing itself), each as a cycle path. */
export function importCycles(files: readonly string[], edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>(files.map((f) => [f, []]));
  for (const e of edges) if (next.has(e.to)) next.get(e.from)!.push(e.to);
  const graph = new Map([...next].map(([f, to]) => [f, new Set(to)] as const));
  return stronglyConnected(graph)
    .filter((scc) => scc.length > 1 || next.get(scc[0]!)!.includes(scc[0]!))
    .map((scc) => cyclePath(scc, next));
}

/** One concrete cycle inside a strongly connected component: a → b → … → a. */
function cyclePath(scc: readonly string[], next: ReadonlyMap<string, string[]>): string[] {
  const inside = new Set(scc);
  const start = [...scc].sort()[0]!;
  // Breadth-first from start back to start, staying inside the component.
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of next.get(v) ?? []) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(prev.get(path[0]!)!);
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}
