/** Findings about the collection itself: a collector that failed or timed out leaves a blind spot. */
import type { Analyzer, Finding } from '../src/types.js';
import { excerpt, finding } from './finding.js';

export const collectionAnalyzer: Analyzer = {
  name: 'collection',
  description: 'Collectors that failed or timed out, so part of the system was not examined',
  findingIds: ['collector-failed'],
  async analyze(view): Promise<Finding[]> {
    const out: Finding[] = [];
    for (const c of view.manifest.collectors) {
      if (c.status !== 'failed' && c.status !== 'timed-out') continue;
      const reason = c.reason ?? 'no reason recorded';
      out.push(
        finding({
          id: 'collector-failed',
          severity: 'warning',
          title: `Collector ${c.name} ${c.status === 'timed-out' ? 'timed out' : 'failed'}: ${excerpt(reason, 160)}`,
          summary: `The ${c.name} collector ${c.status === 'timed-out' ? 'was cut off by its time limit' : 'could not finish'}; what it would have gathered is missing or incomplete, so findings that depend on it may be missing too. ${c.artifacts.length} file(s) from it were kept.`,
          remedy: c.status === 'timed-out' ? 'Re-run with a longer `--timeout SEC` (or `--deadline`), or narrow what is collected (`--since`, `--containers`).' : 'Fix the cause named in the reason, then collect again; the reason names the fix for the common cases.',
          evidence: [{ file: 'manifest.json', excerpt: excerpt(`${c.name}: ${c.status}: ${reason}`) }],
          subject: c.name,
        }),
      );
    }
    return out;
  },
};
