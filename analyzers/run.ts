// Room: analyzers (analyzers/) — may import core, bundle (the rule: tests/architecture.test.ts).
/**
 * Runs analyzers over a bundle view. An analyzer that throws does not stop the others: its failure
 * becomes an `analyzer-failed` warning, so the report says what could not be checked.
 */
import type { AnalyzeOptions, Analyzer, BundleView, Finding, Severity } from '../src/core/types.js';
import { errorMessage } from '../src/core/artifacts.js';
import { finding } from './finding.js';
import { builtinAnalyzers } from './index.js';
import { mergeExecutorHostFindings, mergeJobFindings } from './job-merge.js';

export const SEVERITY_ORDER: readonly Severity[] = ['error', 'warning', 'info'];
export const severityRank = (s: Severity): number => SEVERITY_ORDER.indexOf(s);

/** findings.json: the document stored at the bundle root. */
export interface FindingsDocument {
  readonly generatedAt: string;
  readonly counts: { readonly error: number; readonly warning: number; readonly info: number };
  readonly analyzers: readonly { readonly name: string; readonly findings: number; readonly error?: string }[];
  readonly findings: readonly Finding[];
}

export async function runAnalyzers(
  view: BundleView,
  options: AnalyzeOptions = {},
  analyzers: readonly Analyzer[] = builtinAnalyzers,
): Promise<FindingsDocument> {
  const results = await Promise.all(
    analyzers.map(async (a) => {
      try {
        return { name: a.name, findings: [...(await a.analyze(view, options))] };
      } catch (err) {
        return { name: a.name, findings: [] as Finding[], error: errorMessage(err) };
      }
    }),
  );
  const all: Finding[] = [];
  for (const r of results) {
    all.push(...r.findings);
    if (r.error) {
      all.push(
        finding({
          id: 'analyzer-failed',
          // A warning, not info: part of the diagnosis is missing, which --fail-on warning should see.
          severity: 'warning',
          title: `Analyzer ${r.name} failed: ${r.error}`,
          summary: `The ${r.name} analyzer could not finish, so what it checks is not reported here. The collected files are still in the bundle.`,
          remedy: 'Re-run the analyzers later with `collect-bundle analyze BUNDLE`, and report the error with the bundle attached.',
          subject: r.name,
        }),
      );
    }
  }
  // A job's failure and its container's are one finding (analyzers/job-merge.ts).
  const jobsMerged = analyzers.some((a) => a.name === 'jobs-failed') ? await mergeJobFindings(view, options, all) : all;
  // An executor host's unreachable engine, likewise: one finding, named by the host.
  const merged = analyzers.some((a) => a.name === 'executor-hosts') ? mergeExecutorHostFindings(view, jobsMerged) : jobsMerged;
  // Stable order: severity, then the registry's order (already in `all`).
  const sorted = merged
    .map((f, i) => ({ f, i }))
    .sort((a, b) => severityRank(a.f.severity) - severityRank(b.f.severity) || a.i - b.i)
    .map((x) => x.f);
  return {
    generatedAt: new Date().toISOString(),
    counts: countFindings(sorted),
    analyzers: results.map((r) => ({ name: r.name, findings: r.findings.length, ...(r.error ? { error: r.error } : {}) })),
    findings: sorted,
  };
}

export function countFindings(findings: readonly Finding[]): { error: number; warning: number; info: number } {
  const c = { error: 0, warning: 0, info: 0 };
  for (const f of findings) c[f.severity]++;
  return c;
}

/** True when a finding at or above `threshold` exists (`--fail-on`). */
export function failsOn(findings: readonly Finding[], threshold: Severity): boolean {
  return findings.some((f) => severityRank(f.severity) <= severityRank(threshold));
}
