// Room: run (src/run/) — may import core, config, collectors, redaction, bundle, docker, report, analyzers (the rule: tests/architecture.test.ts).
/** `collect --review`: what the bundle would hold, asked about before packing; files left out are dropped and recorded. */
import type { FindingsDocument } from '../../analyzers/run.js';
import type { BundleWriter } from '../bundle/writer.js';
import type { CollectOptions } from '../config/options.js';
import { CliError } from '../core/errors.js';
import type { CollectorRecord } from '../core/types.js';

/** Reason recorded in the manifest for a file left out at `--review`. */
export const EXCLUDED_BY_USER = 'excluded by the user (--review)';

/** Asks `ask` about what the bundle would hold; drops what it excludes from the writer. Throws CliError when the answer is no. */
export async function review(
  ask: NonNullable<CollectOptions['review']>,
  writer: BundleWriter,
  report: { toJSON(): { byRule: readonly { rule: string; count: number }[]; files: readonly { file: string; rules: readonly { count: number }[] }[] } },
  findings: FindingsDocument | undefined,
): Promise<string[]> {
  const summary = report.toJSON();
  const decision = await ask({
    files: await writer.storedSizes(),
    byRule: summary.byRule,
    byFile: summary.files.map((f) => ({ file: f.file, count: f.rules.reduce((n, r) => n + r.count, 0) })).filter((f) => f.count > 0),
    findings: (findings?.findings ?? []).map((f) => ({ severity: f.severity, title: f.title })),
  });
  if (!decision.write) throw new CliError('nothing was written: the bundle was declined at --review', 'E_FATAL');
  const dropped: string[] = [];
  for (const path of decision.exclude) if (await writer.drop(path)) dropped.push(path);
  return dropped;
}

/** The collectors' records without the files left out, which are listed as excluded by the user instead. */
export function excludeRecords(records: CollectorRecord[], excluded: readonly string[]): CollectorRecord[] {
  const out = new Set(excluded);
  return records.map((r) => {
    const left = r.artifacts.filter((a) => out.has(a.path));
    if (left.length === 0) return r;
    return {
      ...r,
      artifacts: r.artifacts.filter((a) => !out.has(a.path)),
      excluded: [...(r.excluded ?? []), ...left.map((a) => ({ item: a.path, reason: EXCLUDED_BY_USER }))],
    };
  });
}
