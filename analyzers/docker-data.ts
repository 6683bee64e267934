// Room: analyzers (analyzers/) — may import core, bundle (the rule: tests/architecture.test.ts).
/**
 * Reading what the docker and system collectors stored, for analyzers: JSON files with the line of
 * each field, text files whose line numbers can be trusted, the engines of a run, the rows of
 * containers.json and the container events of events.jsonl. Everything reads through the BundleView
 * (redacted data only) and returns `undefined` or an empty list for a missing or malformed file:
 * an analyzer turns "no data" into "no finding", never into a throw.
 */
import { folderName, type ContainerRow, type DockerEventRow, type Unchecked } from '../src/bundle/layout.js';
import type { ArtifactRecord, BundleView, Evidence, Manifest } from '../src/core/types.js';
import { excerpt, numberedLines, obj } from './finding.js';
import { DOCKER, type ContainerFiles } from '../src/bundle/layout.js';

/** Largest file read whole to number its lines (a log is cut at 10 MiB by default). */
export const MAX_READ_BYTES = 64 * 1024 * 1024;

/** A path inside a JSON document: keys and array indexes. */
export type JsonPath = readonly (string | number)[];

/** A parsed JSON file with the 1-based line where each value starts. */
export class JsonDoc<T = unknown> {
  readonly #lines: readonly string[];
  readonly #index: Map<string, number>;
  constructor(
    /** Bundle-relative path. */
    readonly file: string,
    readonly value: T,
    text: string,
    /** False when the view returned only the file's tail (line numbers unknown). */
    readonly numbered: boolean,
  ) {
    this.#lines = text.split('\n');
    this.#index = numbered ? jsonLineIndex(value) : new Map();
  }

  /** The 1-based line of a value, when the file is laid out as `JSON.stringify(v, null, 2)` lays it out. */
  line(path: JsonPath): number | undefined {
    const n = this.#index.get(pathKey(path));
    if (n === undefined) return undefined;
    const text = this.#lines[n - 1];
    if (text === undefined) return undefined;
    // Only trust the computed number when the stored line really is that field.
    const last = path[path.length - 1];
    const t = text.trim();
    if (typeof last === 'string' && !t.startsWith(`${JSON.stringify(last)}:`)) return undefined;
    return n;
  }

  /** Evidence for one field: its line and the line's text; without a line, `fallback` as the excerpt. */
  evidence(path: JsonPath, fallback?: string): Evidence {
    const n = this.line(path);
    if (n !== undefined) return { file: this.file, line: n, excerpt: excerpt(this.#lines[n - 1]!.trim().replace(/,$/, '')) };
    return { file: this.file, excerpt: excerpt(fallback ?? `${path.join('.')}: ${JSON.stringify(get(this.value, path)) ?? 'missing'}`) };
  }
}

const pathKey = (path: JsonPath): string => JSON.stringify(path);

/** The value at `path`, or undefined. */
export function get(value: unknown, path: JsonPath): unknown {
  let v: unknown = value;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

/**
 * Where each value starts in `JSON.stringify(value, null, 2)`: a non-empty object or array opens on
 * its own line, each member starts on the next line, and the closing bracket takes one more line.
 */
export function jsonLineIndex(value: unknown): Map<string, number> {
  const index = new Map<string, number>();
  let line = 1;
  const walk = (v: unknown, path: (string | number)[]): void => {
    index.set(pathKey(path), line);
    if (v === null || typeof v !== 'object') return;
    const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
    if (entries.length === 0) return;
    for (const [k, child] of entries) {
      line++;
      walk(child, [...path, k]);
    }
    line++;
  };
  walk(value, []);
  return index;
}

/** The manifest's record of an artifact (its stored size), if listed. */
export function artifactRecord(manifest: Manifest, path: string): ArtifactRecord | undefined {
  const collectors = Array.isArray(manifest?.collectors) ? manifest.collectors : [];
  for (const c of collectors) {
    if (!Array.isArray(c?.artifacts)) continue;
    for (const a of c.artifacts) if (a?.path === path) return a;
  }
  return undefined;
}

/** A text file's lines; `numbered` says whether `lines[i]` is line i+1 of the stored file. */
export interface TextLines {
  readonly file: string;
  readonly lines: readonly { line: number; text: string }[];
  readonly numbered: boolean;
}

/**
 * Reads a whole stored file (up to MAX_READ_BYTES); undefined when absent or unreadable. `numbered`
 * says whether the text is the whole file (so its line numbers are the file's), not a tail the view cut.
 */
export async function readWhole(view: BundleView, path: string): Promise<{ text: string; numbered: boolean } | undefined> {
  if (!view.has(path)) return undefined;
  const rec = artifactRecord(view.manifest, path);
  const limit = rec && rec.bytes < MAX_READ_BYTES ? rec.bytes + 1 : MAX_READ_BYTES;
  let text: string | undefined;
  try {
    text = await view.text(path, limit);
  } catch {
    return undefined;
  }
  if (text === undefined) return undefined;
  const bytes = Buffer.byteLength(text);
  // With the manifest's size we know whether the view cut the file; without it, only a file well
  // under the limit is surely whole.
  const numbered = rec ? bytes === rec.bytes : bytes < limit / 2;
  return { text, numbered };
}

export async function readLines(view: BundleView, path: string): Promise<TextLines | undefined> {
  const r = await readWhole(view, path);
  return r && { file: path, lines: numberedLines(r.text), numbered: r.numbered };
}

/**
 * A stored JSON file parsed from its whole text; for a file the view gave only as a tail (not JSON),
 * parsed by the view instead, with no text to number lines in. Undefined when absent or not JSON.
 */
export async function readJsonValue(view: BundleView, path: string): Promise<{ value: unknown; text: string; numbered: boolean } | undefined> {
  const r = await readWhole(view, path);
  if (!r) return undefined;
  try {
    return { value: JSON.parse(r.text) as unknown, text: r.text, numbered: r.numbered };
  } catch {
    if (r.numbered) return undefined;
    const value = await view.json(path).catch(() => undefined);
    return value === undefined ? undefined : { value, text: '', numbered: false };
  }
}

export async function readJson<T = unknown>(view: BundleView, path: string): Promise<JsonDoc<T> | undefined> {
  const r = await readJsonValue(view, path);
  return r && new JsonDoc<T>(path, r.value as T, r.text, r.numbered);
}

/** Evidence for a line of a text file (its number only when the numbers can be trusted). */
export function lineEvidence(t: TextLines, l: { line: number; text: string }): Evidence {
  return t.numbered ? { file: t.file, line: l.line, excerpt: excerpt(l.text) } : { file: t.file, excerpt: excerpt(l.text) };
}

// ---------------------------------------------------------------------------------------------
// Engines and containers

/** Every engine label of the run: from the manifest, docker/engines.json and the docker/<label>/ folders. */
export async function engineLabels(view: BundleView): Promise<string[]> {
  const labels = new Set<string>();
  const endpoints = view.manifest?.docker?.endpoints;
  if (Array.isArray(endpoints)) for (const e of endpoints) if (typeof e?.label === 'string') labels.add(e.label);
  const engines = get(await view.json(DOCKER.engines).catch(() => undefined), ['engines']);
  if (Array.isArray(engines)) for (const e of engines) if (typeof e?.label === 'string') labels.add(e.label);
  for (const p of view.paths()) {
    const engine = DOCKER.engineIn(p);
    if (engine) labels.add(engine);
  }
  return [...labels];
}

/** The URL an engine was reached at (from the manifest), if known. */
export function engineUrl(view: BundleView, label: string): string | undefined {
  const endpoints = view.manifest?.docker?.endpoints;
  if (!Array.isArray(endpoints)) return undefined;
  const e = endpoints.find((x) => x?.label === label);
  return typeof e?.url === 'string' ? e.url : undefined;
}

/** A container as the analyzers see it: its containers.json row and where its files are. */
export interface ContainerEntry {
  readonly label: string;
  readonly row: ContainerRow;
  /** Index of the row in containers.json (for line lookups). */
  readonly index: number;
  /** `<label>/<name>`: the finding's subject. */
  readonly subject: string;
  /** Its folder `docker/<label>/containers/<folder>` and the files there. */
  readonly files: ContainerFiles;
}

/** Most containers examined per engine (a host with thousands still gets an answer quickly). */
export const MAX_CONTAINERS = 2000;

/** The rows of docker/<label>/containers.json that look like rows; [] when missing or malformed. */
export async function containerEntries(view: BundleView, label: string): Promise<{ doc?: JsonDoc<unknown[]>; entries: ContainerEntry[] }> {
  const doc = await readJson<unknown[]>(view, DOCKER.engine(label).containers);
  if (!doc || !Array.isArray(doc.value)) return { entries: [] };
  const entries: ContainerEntry[] = [];
  for (const [index, r] of doc.value.slice(0, MAX_CONTAINERS).entries()) {
    const row = toRow(r);
    if (!row) continue;
    entries.push({ label, row, index, subject: `${label}/${row.name}`, files: DOCKER.container(label, folderName(row.name)) });
  }
  return { doc, entries };
}

/**
 * A containers.json row with every field of the type ContainerRow promises (a field of another type
 * is read as absent), so the checks never meet a number where they expect text; undefined without a name.
 */
function toRow(r: unknown): ContainerRow | undefined {
  const o = obj(r);
  const name = o?.['name'];
  if (!o || typeof name !== 'string' || name.length === 0) return undefined;
  const s = (k: string): string | null => (typeof o[k] === 'string' ? (o[k] as string) : null);
  const n = (k: string): number | null => (typeof o[k] === 'number' && Number.isFinite(o[k]) ? (o[k] as number) : null);
  const b = (k: string): boolean | null => (typeof o[k] === 'boolean' ? (o[k] as boolean) : null);
  const labels = obj(o['labels']) ?? {};
  return {
    name,
    id: s('id') ?? '',
    image: s('image') ?? '',
    state: s('state') ?? '',
    status: s('status') ?? '',
    exitCode: n('exitCode'),
    oomKilled: b('oomKilled'),
    restartCount: n('restartCount'),
    health: s('health'),
    // The engine's error as text, whatever JSON type it came as (an error is worth showing).
    error: o['error'] === undefined || o['error'] === null || o['error'] === '' ? null : typeof o['error'] === 'string' ? o['error'] : excerpt(o['error']),
    created: s('created') ?? '',
    startedAt: s('startedAt'),
    finishedAt: s('finishedAt'),
    memoryLimitBytes: n('memoryLimitBytes'),
    logDriver: s('logDriver'),
    tty: b('tty'),
    labels: Object.fromEntries(Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string')),
    collected: o['collected'] === true,
    notCollected: s('notCollected'),
  };
}

/** One container event of events.jsonl, with its line. */
export interface ContainerEvent {
  readonly action: string;
  readonly line: number;
  readonly text: string;
  readonly exitCode?: number;
  /** When it happened (ms since the epoch), from `timeNano` or `time`. */
  readonly time?: number;
  /** A kill event's signal, as the engine wrote it (`15`, `SIGTERM`). */
  readonly signal?: string;
}

/** events.jsonl of one engine, indexed: container events by name, and lines that look like image pull errors. */
export interface EngineEvents {
  readonly file: string;
  readonly numbered: boolean;
  readonly byContainer: ReadonlyMap<string, readonly ContainerEvent[]>;
  readonly pullErrors: readonly { line: number; text: string }[];
}

/** Actions analyzers look at; other events are not even parsed. */
const EVENT_ACTIONS = /"(?:Action|status)":"(?:die|oom|kill|stop|start|restart|health_status[^"]*)"/;

export async function readEvents(view: BundleView, label: string, pullError: RegExp): Promise<EngineEvents | undefined> {
  const t = await readLines(view, DOCKER.engine(label).events);
  if (!t) return undefined;
  const byContainer = new Map<string, ContainerEvent[]>();
  const pullErrors: { line: number; text: string }[] = [];
  for (const l of t.lines) {
    if (pullError.test(l.text)) pullErrors.push(l);
    if (!EVENT_ACTIONS.test(l.text)) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(l.text);
    } catch {
      continue;
    }
    // Every field is checked: an event line of another engine version may hold anything.
    const e: Unchecked<DockerEventRow> = typeof parsed === 'object' && parsed !== null ? parsed : {};
    const action = typeof e['Action'] === 'string' ? e['Action'] : e['status'];
    const attrs = get(e, ['Actor', 'Attributes']);
    const attr = (k: string): string | undefined => {
      const v = typeof attrs === 'object' && attrs !== null ? (attrs as Record<string, unknown>)[k] : undefined;
      return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
    };
    const name = attr('name');
    if ((e['Type'] !== undefined && e['Type'] !== 'container') || typeof action !== 'string' || name === undefined) continue;
    const exit = attr('exitCode');
    const code = exit === undefined || exit.trim() === '' ? NaN : Number(exit);
    const nano = typeof e['timeNano'] === 'number' ? e['timeNano'] / 1e6 : NaN;
    const time = Number.isFinite(nano) ? nano : typeof e['time'] === 'number' && Number.isFinite(e['time']) ? e['time'] * 1000 : undefined;
    const signal = attr('signal');
    const list = byContainer.get(name) ?? [];
    list.push({
      action,
      line: l.line,
      text: l.text,
      ...(Number.isFinite(code) ? { exitCode: code } : {}),
      ...(time !== undefined ? { time } : {}),
      ...(signal !== undefined ? { signal } : {}),
    });
    byContainer.set(name, list);
  }
  return { file: t.file, numbered: t.numbered, byContainer, pullErrors };
}

/** Evidence for an event line. */
export function eventEvidence(ev: EngineEvents, e: { line: number; text: string }): Evidence {
  return ev.numbered ? { file: ev.file, line: e.line, excerpt: excerpt(e.text) } : { file: ev.file, excerpt: excerpt(e.text) };
}

// ---------------------------------------------------------------------------------------------
// Logs

/** `2026-11-28T16:57:58.693546227Z stderr ` — the collector's prefix on every log line. */
const LOG_PREFIX = /^\S+Z (?:stdout|stderr|tty) /;
/** The message part of a log line. */
export const logMessage = (line: string): string => line.replace(LOG_PREFIX, '');

/** Lines that look like an error: a traceback, an exception, ERROR/FATAL/panic, `error:`. */
export const ERROR_LINE =
  /Traceback \(most recent call last\)|\b(?:ERROR|FATAL|CRITICAL|PANIC|Fatal)\b|\bpanic:|[A-Za-z]*(?:Error|Exception)\b|\b[Ee]rror:|\bfatal:/;

/** Most lines of one traceback kept as evidence: its header and its last lines (the exception at the end). */
export const MAX_TRACEBACK_LINES = 40;

/**
 * The lines that best explain why a program died, in file order: the last Python traceback whole, from
 * `Traceback (most recent call last):` to the exception line (a longer one keeps its header and its
 * last MAX_TRACEBACK_LINES - 1 lines; the gap in line numbers shows what was left out), else the last
 * few error-looking lines, else the last few lines. `kind` says which.
 */
export function errorLines(
  lines: readonly { line: number; text: string }[],
  max = 3,
): { kind: 'traceback' | 'errors' | 'last'; lines: { line: number; text: string }[] } {
  let header = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (logMessage(lines[i]!.text).startsWith('Traceback (most recent call last)')) {
      header = i;
      break;
    }
  }
  if (header >= 0) {
    // The exception line: the first unindented line after the frames (the block's last line).
    let end = lines.length - 1;
    for (let j = header + 1; j < lines.length; j++) {
      const msg = logMessage(lines[j]!.text);
      if (msg.trim() && !/^\s/.test(msg)) {
        end = j;
        break;
      }
    }
    const block = lines.slice(header, end + 1);
    const kept = block.length > MAX_TRACEBACK_LINES ? [block[0]!, ...block.slice(-(MAX_TRACEBACK_LINES - 1))] : block;
    return { kind: 'traceback', lines: kept };
  }
  const found: { line: number; text: string }[] = [];
  for (let i = lines.length - 1; i >= 0 && found.length < max; i--) if (ERROR_LINE.test(logMessage(lines[i]!.text))) found.unshift(lines[i]!);
  if (found.length) return { kind: 'errors', lines: found };
  return { kind: 'last', lines: lines.slice(-max) };
}
