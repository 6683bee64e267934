// Room: cli (src/cli/) — may import every room; the only place that prints errors and calls process.exit.
/** `collect-bundle analyze BUNDLE`: the bundle view, the analyzers and the redactor load when it runs. */
import { errorMessage } from '../core/artifacts.js';
import { CliError, EXIT } from '../core/errors.js';
import { printable, printableJson, printableLines } from '../core/printable.js';
import type { Finding } from '../core/types.js';
import { readInput } from '../core/open-input.js';
import type { CliIo } from './io.js';
import { troubleshootingUrl } from '../report/docs-url.js';
import { docsHref } from '../report/issue-findings.js';
import { analyzeFromArgv, bundleInput, docsUrlFromArgv, envFilesFromArgv, failOn, redactionFromArgv, requireReadable } from './options.js';

/** `collect-bundle analyze BUNDLE`: re-runs the analyzers over a finished bundle (read-only). */
export async function runAnalyze(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const bundle = String(argv['bundle']);
  await requireReadable(bundle);
  const input = await bundleInput(bundle, argv);
  const analyze = analyzeFromArgv(argv);
  // Finding links absolute where the text is pasted: --docs-url, else the package's repository, else relative.
  const docsUrl = troubleshootingUrl(argv['docs-url'] ? docsUrlFromArgv(argv['docs-url']) : undefined);
  const envPaths = await envFilesFromArgv(argv);
  const [{ openBundleView }, { runAnalyzers }, { formatFindings }] = await Promise.all([
    import('../bundle/view.js'),
    import('../../analyzers/run.js'),
    import('../../analyzers/format.js'),
  ]);
  let opened: Awaited<ReturnType<typeof openBundleView>>;
  try {
    opened = await openBundleView(input);
  } catch (err) {
    if (err instanceof CliError) throw err;
    // The shared reader's one line (`FILE: cause; fix`), the same verdict verify, inspect and diff give.
    const message = err instanceof Error && err.name === 'UnreadableBundleError' ? err.message : `cannot read ${bundle}: ${errorMessage(err)}`;
    throw new CliError(printable(message), 'E_FATAL');
  }
  // Env files named now are read and redacted in memory only, like everything the analyzers see; their
  // values under secret keys are known secrets first (the line rules cut `KEY=two words` short). Without
  // --env-file the analyzers lint the env-files/ stored in the bundle.
  let envFiles: { path: string; text: string }[] | undefined;
  if (envPaths.length) {
    const [{ setUpRedaction }, { envFileSecrets }] = await Promise.all([import('../config/redaction-plan.js'), import('../../collectors/env-files.js')]);
    const setup = await setUpRedaction({ ...redactionFromArgv(argv), pseudonymize: false }, io.env);
    const raw = await Promise.all(envPaths.map(async (path) => ({ path, text: await readInput(path, { what: '--env-file', encoding: 'utf8' }) })));
    for (const f of raw) for (const v of envFileSecrets(f.text)) setup.literals.add(v);
    envFiles = raw.map((f) => ({ path: f.path, text: setup.redactor.text(f.text, f.path) }));
  }
  const analyzed = await runAnalyzers(opened.view, { ...analyze, ...(envFiles ? { envFiles } : {}) });
  const doc = docsUrl ? { ...analyzed, findings: analyzed.findings.map((f) => ({ ...f, docs: docsHref(f.docs, docsUrl) })) } : analyzed;
  // Findings quote the bundle (names, log lines): control characters are shown, never sent.
  if (argv['json']) io.stdout.write(`${printableJson(doc)}\n`);
  else {
    io.stdout.write(printableLines(formatFindings(doc.findings.map(shownFinding))));
    const c = doc.counts;
    io.stdout.write(`${printable(opened.root)}: ${c.error} error, ${c.warning} warning, ${c.info} info\n`);
  }
  return (await failOn(argv, doc.findings)) ? EXIT.findings : EXIT.complete;
}

/** A finding for the terminal: one-line fields fully escaped, the multi-line ones keeping their line breaks. */
function shownFinding(f: Finding): Finding {
  return {
    ...f,
    id: printable(f.id),
    title: printable(f.title),
    summary: printableLines(f.summary),
    remedy: printableLines(f.remedy),
    docs: printable(f.docs),
    evidence: f.evidence.map((e) => ({ ...e, file: printable(e.file), excerpt: printableLines(e.excerpt) })),
    ...(f.subject !== undefined ? { subject: printable(f.subject) } : {}),
  };
}
