// Room: analyzers (analyzers/) — may import core, bundle (the rule: tests/architecture.test.ts).
/** Findings as terminal text: one block per finding, most severe first. */
import type { Finding } from '../src/core/types.js';

export function formatFindings(findings: readonly Finding[], options: { max?: number } = {}): string {
  const max = options.max ?? Infinity;
  const lines: string[] = [];
  for (const f of findings.slice(0, max)) {
    lines.push(`${f.severity.toUpperCase().padEnd(7)} ${f.id}: ${f.title}`);
    const ev = f.evidence[0];
    if (ev) lines.push(`        evidence: ${ev.file}${ev.line !== undefined ? `:${ev.line}` : ''}${ev.excerpt ? `  ${ev.excerpt.split('\n')[0]!.slice(0, 160)}` : ''}`);
    lines.push(`        fix: ${f.remedy.replace(/\s+/g, ' ').trim()}`);
    lines.push(`        docs: ${f.docs}`);
  }
  if (findings.length > max) lines.push(`… and ${findings.length - max} more (see findings.json)`);
  return lines.length ? `${lines.join('\n')}\n` : '';
}
