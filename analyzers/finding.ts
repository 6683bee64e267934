/** Small helpers analyzers share to build findings and evidence. */
import type { Evidence, Finding, Severity } from '../src/types.js';

/** The TROUBLESHOOTING.md link of a finding id (the id is the heading's anchor). */
export const docsLink = (id: string): string => `TROUBLESHOOTING.md#${id}`;

/** Longest excerpt kept in evidence. */
export const EXCERPT_MAX = 300;

export function excerpt(text: string, max = EXCERPT_MAX): string {
  const t = text.replace(/\s+$/, '');
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

/** Lines of a text with their 1-based numbers. */
export function numberedLines(text: string): { line: number; text: string }[] {
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.map((t, i) => ({ line: i + 1, text: t }));
}
