// Room: report (src/report/) — may import core, bundle, analyzers (the rule: tests/architecture.test.ts).
/** report.html of a bundle: the model read from a bundle view, rendered as one self-contained page. */
import type { BundleView } from '../../core/types.js';
import { buildReportModel, type ReportInput } from './model.js';
import { renderReportHtml } from './page.js';

export type { ReportInput, ReportModel } from './model.js';
export { renderReportHtml } from './page.js';

/** The page for the bundle `view` shows (the one being written, or a finished one). */
export async function renderReport(view: BundleView, input: ReportInput): Promise<string> {
  return renderReportHtml(await buildReportModel(view, input));
}
