// Room: run (src/run/) — may import core, config, collectors, redaction, bundle, docker, report, analyzers (the rule: tests/architecture.test.ts).
/**
 * `--max-size`: after collection and analysis (so the findings are those of the whole data), the
 * spooled, redacted artifacts are cut to fit the budget (src/bundle/budget.ts decides how), and their
 * records say so. The root files are written after this, with the cuts in them.
 */
import { budgetTooSmall, planBudget } from '../bundle/budget.js';
import { gzipFiles } from '../bundle/tar-gz.js';
import type { BundleWriter } from '../bundle/writer.js';
import { CliError } from '../core/errors.js';
import type { ArtifactRecord, CollectorRecord } from '../core/types.js';
import { formatBytes } from '../core/units.js';

/** Room for what the cuts add to manifest.json and ISSUE.md, per file that may be cut, and overall. */
const PER_CUT_RESERVE = 256;
const RESERVE = 4 * 1024;

export interface BudgetOutcome {
  readonly records: CollectorRecord[];
  /** Paths of the files cut, in manifest order. */
  readonly cut: string[];
}

/**
 * Cuts the spooled files so the bundle fits `maxBytes`. `rootTexts` are drafts of the root files
 * (manifest, ISSUE.md, findings, run.log, redactions.json) for the estimate of their compressed size.
 */
export async function fitSizeBudget(
  writer: BundleWriter,
  records: readonly CollectorRecord[],
  maxBytes: number,
  rootTexts: readonly string[],
): Promise<BudgetOutcome> {
  const sizes = await writer.spooledSizes();
  const roots = await gzipFiles(
    rootTexts.map((t, i) => ({ file: { name: `${writer.name}/root-${i}`, size: Buffer.byteLength(t), mode: 0o600, mtime: new Date() }, data: Buffer.from(t) })),
  );
  // The drafts grow: the final manifest lists the cuts and the run.log gains a few lines.
  const fixed = Math.ceil(roots.length * 1.25) + RESERVE + sizes.length * PER_CUT_RESERVE;
  const plan = planBudget(sizes, maxBytes, fixed);
  if ('minimum' in plan) throw new CliError(budgetTooSmall(maxBytes, plan.minimum), 'E_USAGE');
  const changed = new Map<string, Partial<ArtifactRecord>>();
  for (const item of sizes) {
    const target = plan.cuts.get(item.path);
    if (target === undefined) continue;
    const result = await writer.cutSpooled(item.path, item, target);
    changed.set(item.path, {
      bytes: result.bytes,
      sha256: result.sha256,
      truncated: true,
      cut: `its oldest lines were cut to fit --max-size ${formatBytes(maxBytes)}: ${result.bytes} of ${result.originalBytes} redacted bytes kept`,
    });
  }
  const out = records.map((r) =>
    r.artifacts.some((a) => changed.has(a.path))
      ? {
          ...r,
          artifacts: r.artifacts.map((a) => (changed.has(a.path) ? { ...a, ...changed.get(a.path), originalBytes: a.originalBytes ?? a.bytes } : a)),
        }
      : r,
  );
  return { records: out, cut: out.flatMap((r) => r.artifacts.filter((a) => changed.has(a.path)).map((a) => a.path)) };
}
