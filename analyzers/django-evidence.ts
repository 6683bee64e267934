// Room: analyzers (analyzers/) — may import core, bundle (the rule: tests/architecture.test.ts).
/**
 * Reading the Django collector's files for evidence: tolerant accessors over parsed JSON (a bundle from
 * another version, or a file cut short, must give no finding rather than a throw) and line lookups, so
 * each piece of evidence points at the 1-based line that really shows it.
 */
import type { BundleView, Evidence } from '../src/core/types.js';
import { readJsonValue, readWhole } from './docker-data.js';
import { arr, excerpt, num, numberedLines, obj, str } from './finding.js';

export { arr, num, obj, str };

/** A probe section that raised (`{error, traceback}`) instead of giving its data. */
export const isSectionError = (v: unknown): boolean => {
  const o = obj(v);
  return !!o && typeof o['error'] === 'string' && 'traceback' in o;
};

/** A file of the bundle as text and numbered lines; undefined when absent or unreadable. */
export interface LoadedText {
  readonly path: string;
  readonly text: string;
  readonly lines: readonly { readonly line: number; readonly text: string }[];
  /**
   * Whether `lines[i]` is line i+1 of the stored file: false when the view gave only a tail (a file
   * over its limit), whose lines are searched but never named by number.
   */
  readonly numbered: boolean;
}

export async function loadText(view: BundleView, path: string): Promise<LoadedText | undefined> {
  const r = await readWhole(view, path);
  return r && { path, text: r.text, lines: numberedLines(r.text), numbered: r.numbered };
}

/** A JSON file of the bundle: its value and its text (for line numbers). */
export interface LoadedJson extends LoadedText {
  readonly value: unknown;
}

export async function loadJson(view: BundleView, path: string): Promise<LoadedJson | undefined> {
  const r = await readJsonValue(view, path);
  return r && { path, text: r.text, lines: numberedLines(r.text), numbered: r.numbered, value: r.value };
}

/**
 * The first line (at or after `from`, before `until`) for which `test` holds, as evidence; undefined
 * when there is none.
 */
export function lineEvidence(file: LoadedText | undefined, test: (line: string) => boolean, range: { from?: number; until?: number } = {}): Evidence | undefined {
  const n = lineNumber(file, test, range);
  if (n === undefined || !file) return undefined;
  const text = file.lines[n - 1]!.text.trim();
  // A JSON line's trailing comma is syntax, not evidence.
  const shown = excerpt(file.path.endsWith('.json') ? text.replace(/,$/, '') : text);
  // In a tail the number counts from where the view cut, not from the file's start: name no line then.
  return file.numbered ? { file: file.path, line: n, excerpt: shown } : { file: file.path, excerpt: shown };
}

/** The 1-based number of the first matching line, see lineEvidence. */
export function lineNumber(file: LoadedText | undefined, test: (line: string) => boolean, range: { from?: number; until?: number } = {}): number | undefined {
  if (!file) return undefined;
  const from = range.from ?? 1;
  const until = range.until ?? Number.POSITIVE_INFINITY;
  for (const l of file.lines) if (l.line >= from && l.line < until && test(l.text)) return l.line;
  return undefined;
}

/**
 * The line of `"key": <value>` in pretty-printed JSON (value as JSON.stringify writes it). An undefined
 * value matches no line (JSON has none): a lookup by a field a row lacks must find nothing, not the first
 * line with that key, which belongs to another row. For "any value", use jsonKey.
 */
export const jsonKeyLine = (key: string, value: unknown): ((line: string) => boolean) => {
  const want = value === undefined ? undefined : `${JSON.stringify(key)}: ${JSON.stringify(value)}`;
  return (line) => want !== undefined && line.trim().replace(/,$/, '') === want;
};

/** The line of `"key": ...` in pretty-printed JSON, whatever its value. */
export const jsonKey =
  (key: string): ((line: string) => boolean) =>
  (line) =>
    line.trim().startsWith(`${JSON.stringify(key)}:`);

/**
 * The lines of one object of a pretty-printed JSON array, found by a key/value pair it holds: from
 * that line back to the object's opening brace and on to its closing one (same indentation). An
 * undefined value finds no object.
 */
export function jsonObjectRange(file: LoadedText | undefined, key: string, value: unknown, from = 1): { from: number; until: number } | undefined {
  const at = lineNumber(file, jsonKeyLine(key, value), { from });
  if (at === undefined || !file) return undefined;
  const indent = (s: string): number => s.length - s.trimStart().length;
  const keyIndent = indent(file.lines[at - 1]!.text);
  let start = at;
  for (let i = at - 1; i >= 1; i--) {
    const l = file.lines[i - 1]!.text;
    if (indent(l) < keyIndent && l.trim().startsWith('{')) {
      start = i;
      break;
    }
  }
  let end = file.lines.length + 1;
  for (let i = at + 1; i <= file.lines.length; i++) {
    const l = file.lines[i - 1]!.text;
    if (indent(l) < keyIndent && l.trim().startsWith('}')) {
      end = i + 1;
      break;
    }
  }
  return { from: start, until: end };
}

/** Evidence that is a whole file's gist when no line can be pointed at. */
export const fileEvidence = (file: string, text: string): Evidence => ({ file, excerpt: excerpt(text) });

/** Drops undefined entries and repeats of one file/line. */
export function evidenceList(items: readonly (Evidence | undefined)[]): Evidence[] {
  const seen = new Set<string>();
  const out: Evidence[] = [];
  for (const e of items) {
    if (!e) continue;
    const key = `${e.file}\0${e.line ?? ''}\0${e.line === undefined ? e.excerpt : ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  return out;
}

/** `3 h 5 min`, `2 d 4 h`, `12 min`: a duration a person reads at a glance. */
export function humanDuration(ms: number): string {
  const min = Math.floor(ms / 60_000);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** A list in prose: `a`, `a and b`, `a, b and c`. */
export function andList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** `1 migration`, `2 migrations`. */
export const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;
