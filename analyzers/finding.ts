// Room: analyzers (analyzers/) — may import core, bundle (the rule: tests/architecture.test.ts).
/** Small helpers analyzers share to build findings and evidence. */
import type { Evidence, Finding, Severity } from '../src/core/types.js';

/** The TROUBLESHOOTING.md link of a finding id (the id is the heading's anchor). */
export const docsLink = (id: string): string => `TROUBLESHOOTING.md#${id}`;

/** Longest excerpt kept in evidence. */
export const EXCERPT_MAX = 300;

/** An excerpt of at most `max` characters; a value that is not a string (from JSON of any shape) as its text. */
export function excerpt(text: unknown, max = EXCERPT_MAX): string {
  const t = (typeof text === 'string' ? text : text === undefined || text === null ? '' : typeof text === 'object' ? (JSON.stringify(text) ?? '') : String(text)).replace(/\s+$/, '');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

export function finding(f: { id: string; severity: Severity; title: string; summary: string; remedy: string; evidence?: Evidence[]; subject?: string }): Finding {
  return {
    id: f.id,
    severity: f.severity,
    title: f.title,
    summary: f.summary,
    evidence: f.evidence ?? [],
    remedy: f.remedy,
    docs: docsLink(f.id),
    ...(f.subject ? { subject: f.subject } : {}),
  };
}

// Accessors for values read from JSON: a bundle from another version, or a damaged one, may hold any
// type anywhere, and an analyzer that throws loses all of its findings.

/** A plain object (not an array, not null), or undefined. */
export function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
/** The plain objects of an array (anything else in it skipped); [] when it is not an array. */
export const objects = (v: unknown): Record<string, unknown>[] => arr(v).flatMap((x): Record<string, unknown>[] => { const o = obj(x); return o ? [o] : []; });

/** Lines of a text with their 1-based numbers. */
export function numberedLines(text: string): { line: number; text: string }[] {
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.map((t, i) => ({ line: i + 1, text: t }));
}
