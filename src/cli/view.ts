// Room: cli (src/cli/) — may import every room; the only place that prints errors and calls process.exit.
/**
 * `collect-bundle view BUNDLE [--open]`: writes the bundle's report.html (made now, through the current
 * analyzers) and the files it links to into a new private temporary folder (0700, files 0600), prints
 * the page's path, and with --open hands it to xdg-open. Nothing is written beside the bundle.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { ROOT } from '../bundle/layout.js';
import { CliError, EXIT } from '../core/errors.js';
import { printable } from '../core/printable.js';
import type { CliIo } from './io.js';
import { MessageRedactor } from './messages.js';
import { requireReadable } from './options.js';

/** A program on PATH, or undefined. */
async function onPath(name: string, env: Readonly<Record<string, string | undefined>>): Promise<string | undefined> {
  for (const dir of (env['PATH'] ?? '').split(delimiter).filter(Boolean)) {
    const full = join(dir, name);
    try {
      await access(full, constants.X_OK);
      return full;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Only a path made of plain segments is written (the reader already refused `..` and absolute names). */
const safePath = (p: string): boolean => p.split('/').every((s) => s !== '' && s !== '.' && s !== '..' && !s.includes('\\'));

export async function runView(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const bundle = String(argv['bundle']);
  try {
    await requireReadable(bundle);
    const { reportOfBundle } = await import('../report/html/view.js');
    const report = await reportOfBundle(bundle, { ...(argv['docs-url'] ? { docsUrl: String(argv['docs-url']) } : {}) });
    const base = await mkdtemp(join(tmpdir(), 'collect-bundle-view-'));
    await chmod(base, 0o700);
    const root = join(base, safePath(report.root) && report.root ? report.root : 'bundle');
    await mkdir(root, { mode: 0o700 });
    for (const [path, text] of report.files) {
      if (!safePath(path)) continue;
      await mkdir(dirname(join(root, path)), { recursive: true, mode: 0o700 });
      await writeFile(join(root, path), text, { mode: 0o600, flag: 'wx' });
    }
    const page = join(root, ROOT.report);
    await writeFile(page, report.html, { mode: 0o600, flag: 'wx' });
    io.stdout.write(`${printable(page)}\n`);
    if (argv['open']) {
      const opener = await onPath('xdg-open', io.env);
      if (!opener) io.stderr.write('collect-bundle: xdg-open was not found; open the path above in a browser\n');
      else
        spawn(opener, [page], { detached: true, stdio: 'ignore' })
          .on('error', () => undefined)
          .unref();
    }
    return EXIT.complete;
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    io.stderr.write(`collect-bundle: ${await new MessageRedactor().redact(err.message)}\n`);
    return err.exitCode;
  }
}
