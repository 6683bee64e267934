// Room: report (src/report/) — may import core, bundle, analyzers (the rule: tests/architecture.test.ts).
/**
 * The Findings part of ISSUE.md: each finding once, with its summary, its evidence and its fix
 * together. Evidence lines of one file are one block in line order, a gap in the numbers shown as
 * "… N lines" (a long traceback keeps its header and its end); a multi-line remedy keeps its lines
 * (one check --deploy id per line). Links to TROUBLESHOOTING.md are absolute when a docs URL is known.
 */
import type { Evidence, Finding } from '../core/types.js';
import { oneLine } from '../core/text.js';

/** Longest single field (a title, a summary line) shown. */
const FIELD_MAX = 1_000;

/**
 * The link of a finding's `docs` (`TROUBLESHOOTING.md#id`) where the text is pasted: `base` (the
 * TROUBLESHOOTING.md page's absolute URL) with the anchor; the relative link when no base is known.
 */
export function docsHref(docs: string, base: string | undefined): string {
  if (!base) return docs;
  const anchor = docs.includes('#') ? docs.slice(docs.indexOf('#')) : '';
  return `${base.replace(/#.*$/, '')}${anchor}`;
}

/** A code block whose fence is longer than any backtick run inside. */
export function fenced(text: string): string[] {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((x) => x[0].length));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}text`, text.replace(/\s+$/, ''), fence];
}

interface Block {
  readonly file: string;
  readonly lines: { line?: number; text: string }[];
  /** One multi-line value of a JSON file (a traceback in a job's stderr_log): shown as it is, under its line. */
  readonly value?: { readonly line?: number };
}

/**
 * Evidence grouped by file (in order of first mention), each file's lines sorted, repeats dropped. A
 * multi-line excerpt of a JSON file is one string value (its lines are not the file's lines), so it is a
 * block of its own, never interleaved with the file's other lines.
 */
function blocks(evidence: readonly Evidence[]): Block[] {
  const byFile = new Map<string, Map<string, { line?: number; text: string }>>();
  const values: Block[] = [];
  for (const e of evidence) {
    if (e.file.endsWith('.json') && e.excerpt.includes('\n')) {
      values.push({ file: e.file, lines: e.excerpt.split('\n').map((text) => ({ text })), value: e.line !== undefined ? { line: e.line } : {} });
      continue;
    }
    const lines = byFile.get(e.file) ?? new Map<string, { line?: number; text: string }>();
    for (const [i, text] of e.excerpt.split('\n').entries()) {
      const line = e.line !== undefined ? e.line + i : undefined;
      lines.set(`${line ?? ''}:${text}`, { ...(line !== undefined ? { line } : {}), text });
    }
    byFile.set(e.file, lines);
  }
  return [...values, ...[...byFile].map(([file, m]) => ({ file, lines: [...m.values()].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)) }))];
}

/** One block's text: numbered lines, "… N lines" where numbers skip in a text file; at most `max` lines (its end kept). */
function blockText(b: Block, max: number): string {
  const json = b.file.endsWith('.json');
  let lines = b.lines;
  const out: string[] = [];
  if (lines.length > max) {
    out.push(`… ${lines.length - max} earlier line(s) of this excerpt in the bundle`);
    lines = lines.slice(-max);
  }
  let prev: number | undefined;
  for (const l of lines) {
    if (!json && prev !== undefined && l.line !== undefined && l.line > prev + 1) out.push(`… ${l.line - prev - 1} line${l.line - prev - 1 === 1 ? '' : 's'}`);
    out.push(l.line !== undefined ? `${l.line}: ${l.text}` : l.text);
    prev = l.line ?? prev;
  }
  return out.join('\n');
}

/** A remedy as Markdown lines: list items stay one per line, other lines are paragraphs (a blank line around each). */
function remedyLines(remedy: string): string[] {
  const lines = remedy
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '');
  if (lines.length <= 1) return [`**Fix:** ${oneLine(remedy, FIELD_MAX)}`];
  const out = ['**Fix:**'];
  let inList = false;
  for (const l of lines) {
    const item = /^\s*(?:[-*]|\d+\.) /.test(l);
    if (!item || !inList) out.push('');
    out.push(item ? l.slice(0, FIELD_MAX) : oneLine(l, FIELD_MAX));
    inList = item;
  }
  return out;
}

/** One finding: heading, summary, evidence blocks, fix and link, in that order. */
export function renderFinding(f: Finding, opts: { readonly docsBase?: string; readonly evidenceLines: number }): string[] {
  const out = [`### ${f.severity.toUpperCase()}: ${oneLine(f.title, FIELD_MAX)}`, '', oneLine(f.summary, FIELD_MAX * 2), ''];
  const evidence = f.evidence.filter((e) => e.excerpt.trim() !== '');
  if (evidence.length && opts.evidenceLines > 0) {
    out.push('Evidence:', '');
    for (const b of blocks(evidence)) {
      const numbers = b.value ? (b.value.line !== undefined ? [b.value.line] : []) : b.lines.map((l) => l.line).filter((n): n is number => n !== undefined);
      const where =
        numbers.length === 1 ? `\`${b.file}:${numbers[0]}\`` : `\`${b.file}\`${numbers.length ? ` lines ${numbers[0]}–${numbers[numbers.length - 1]}` : ''}`;
      out.push(where, '', ...fenced(blockText(b, opts.evidenceLines)), '');
    }
  }
  out.push(...remedyLines(f.remedy), '', `More: [${f.id} in TROUBLESHOOTING.md](${docsHref(f.docs, opts.docsBase)})`, '');
  return out;
}
