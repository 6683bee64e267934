// Room: analyzers (analyzers/) — may import core, bundle (the rule: tests/architecture.test.ts).
/** Findings about the collection itself: a collector that failed, timed out or lost output leaves a blind spot. */
import type { Analyzer, Finding } from '../src/core/types.js';
import { arr, excerpt, finding, objects } from './finding.js';
import { ROOT } from '../src/bundle/layout.js';

export const collectionAnalyzer: Analyzer = {
  name: 'collection',
  description: 'Collectors that failed, timed out or lost output, so part of the system was not examined',
  findingIds: ['collector-failed'],
  async analyze(view): Promise<Finding[]> {
    const out: Finding[] = [];
    // The manifest is JSON: a collector may be null, its reason a number, its artifacts missing.
    for (const c of objects(view.manifest?.collectors)) {
      if (c['status'] !== 'failed' && c['status'] !== 'timed-out' && c['status'] !== 'partial') continue;
      const name = excerpt(c['name'] ?? '(unnamed)', 80);
      const status = c['status'];
      const reason = c['reason'] === undefined || c['reason'] === null ? 'no reason recorded' : excerpt(c['reason']);
      const kept = arr(c['artifacts']).length;
      out.push(
        finding({
          id: 'collector-failed',
          severity: 'warning',
          title: `Collector ${name} ${status === 'timed-out' ? 'timed out' : status === 'partial' ? 'lost output' : 'failed'}: ${excerpt(reason, 160)}`,
          summary: `The ${name} collector ${status === 'timed-out' ? 'was cut off by its time limit' : status === 'partial' ? 'finished, but some of its output was lost on the way (the files are named in its problems)' : 'could not finish'}; what it would have gathered is missing or incomplete, so findings that depend on it may be missing too. ${kept} file(s) from it were kept.`,
          remedy:
            status === 'timed-out'
              ? 'Re-run with a longer `--timeout SEC` (or `--deadline`), or narrow what is collected (`--since`, `--containers`).'
              : 'Fix the cause named in the reason, then collect again; the reason names the fix for the common cases.',
          evidence: [{ file: ROOT.manifest, excerpt: excerpt(`${name}: ${status}: ${reason}`) }],
          subject: name,
        }),
      );
    }
    return out;
  },
};
