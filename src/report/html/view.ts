// Room: report (src/report/) — may import core, bundle, analyzers (the rule: tests/architecture.test.ts).
/**
 * `collect-bundle view BUNDLE`: the report of any bundle, also one made before report.html existed,
 * through the current analyzers. The bundle is read once without extracting it; the files the page
 * links to come with it, so the links work where the page is written (src/cli/view.ts writes them).
 */
import { basename } from 'node:path';
import { ROOT } from '../../bundle/layout.js';
import { openBundleView } from '../../bundle/view.js';
import { errorMessage } from '../../core/artifacts.js';
import { CliError } from '../../core/errors.js';
import { printable } from '../../core/printable.js';
import { runAnalyzers } from '../../../analyzers/run.js';
import { troubleshootingUrl } from '../docs-url.js';
import { renderReport } from './report.js';

/** What the view writes: the page and the bundle's files (bundle-relative paths; the last 8 MiB of a larger one). */
export interface BundleReport {
  /** The bundle's top-level folder. */
  readonly root: string;
  readonly html: string;
  readonly files: ReadonlyMap<string, string>;
  readonly findings: number;
}

/** Reads `file`, re-runs the analyzers over it and renders its report. Throws a CliError for a bundle it cannot read. */
export async function reportOfBundle(file: string, options: { docsUrl?: string } = {}): Promise<BundleReport> {
  let opened: Awaited<ReturnType<typeof openBundleView>>;
  try {
    opened = await openBundleView(file);
  } catch (err) {
    const message = err instanceof Error && err.name === 'UnreadableBundleError' ? err.message : `cannot read ${file}: ${errorMessage(err)}`;
    throw new CliError(printable(message), 'E_FATAL');
  }
  const doc = await runAnalyzers(opened.view);
  const docsUrl = troubleshootingUrl(options.docsUrl);
  const html = await renderReport(opened.view, { findings: doc.findings, bundleFile: basename(file), ...(docsUrl ? { docsUrl } : {}) });
  const files = new Map<string, string>();
  for (const path of opened.view.paths()) {
    const text = await opened.view.text(path);
    if (text !== undefined) files.set(path, text);
  }
  for (const [path, text] of opened.rootFiles) if (path !== ROOT.report) files.set(path, text);
  return { root: opened.root, html, files, findings: doc.findings.length };
}
