// Room: report (src/report/) — may import core, bundle, analyzers (the rule: tests/architecture.test.ts).
/** `collect-bundle inspect BUNDLE --file PATH`: one file of a bundle to stdout (split from src/report/inspect.ts along its // --- seam). */
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { errorMessage } from '../core/artifacts.js';
import { type BundleInput, forEachEntry, inputFile } from '../bundle/reader.js';
import { CliError } from '../core/errors.js';
import { ROOT } from '../bundle/layout.js';
import { corruptFix, checkFile } from './inspect.js';

// ---------------------------------------------------------------------------------------------
// inspect --file

/** Normalises what a user may type for an entry: `./x`, `/x`, or the bundle's folder in front. */
function entryPath(path: string, root: string): string {
  let p = path.trim().replace(/^\.\//, '').replace(/^\/+/, '');
  if (root && p.startsWith(`${root}/`)) p = p.slice(root.length + 1);
  return p;
}

/**
 * Streams one entry's content to `out` (not ended afterwards), in one pass over the archive. Throws a
 * CliError (exit 2) listing similar paths when the bundle has no such entry.
 */
export async function writeBundleFile(input: BundleInput, path: string, out: NodeJS.WritableStream): Promise<{ path: string; bytes: number }> {
  const file = inputFile(input);
  await checkFile(file);
  const paths: string[] = [];
  let found: { path: string; bytes: number } | undefined;
  let writing = false;
  try {
    await forEachEntry(input, async (entry, content) => {
      if (entry.type !== 'file' || !entry.path) return;
      paths.push(entry.path);
      if (found || entry.path !== entryPath(path, entry.root)) return;
      writing = true;
      found = { path: entry.path, bytes: await copyTo(content, out) };
      writing = false;
    });
  } catch (err) {
    if (err instanceof CliError) throw err;
    if (writing) throw new CliError(`${path}: could not be written to the output (${errorMessage(err)})`, 'E_FATAL', { cause: err });
    throw new CliError(`${file}: not a readable .tar.gz bundle (${errorMessage(err)}); ${corruptFix(file)}`, 'E_FATAL', { cause: err });
  }
  if (found) return found;
  if (!paths.includes(ROOT.manifest))
    throw new CliError(`${file}: not a collect-bundle bundle (no manifest.json inside); pass a .tar.gz written by collect-bundle`, 'E_FATAL');
  const near = similarPaths(entryPath(path, ''), paths);
  throw new CliError(
    `${path}: no such file in ${basename(file)}${near.length ? `; similar: ${near.join(', ')}` : ''} (list every file with: tar tzf ${file})`,
    'E_USAGE',
  );
}

async function copyTo(content: Readable, out: NodeJS.WritableStream): Promise<number> {
  let bytes = 0;
  for await (const chunk of content as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (!out.write(chunk)) {
      // A reader that went away (`| head`) never drains: stop instead of waiting forever.
      await new Promise<void>((resolve, reject) => {
        const done = (err?: unknown): void => {
          out.off('drain', done);
          out.off('close', gone);
          out.off('error', done);
          if (err) reject(err instanceof Error ? err : new Error(String(err)));
          else resolve();
        };
        const gone = (): void => done(new Error('the output was closed'));
        out.once('drain', done);
        out.once('close', gone);
        out.once('error', done);
      });
    }
  }
  return bytes;
}

/** Up to five paths that look like `wanted`: same file name first, then by edit distance. */
export function similarPaths(wanted: string, paths: readonly string[]): string[] {
  const name = wanted.split('/').pop() ?? wanted;
  const scored = paths.map((p) => {
    const base = p.split('/').pop() ?? p;
    let score = editDistance(wanted, p);
    if (base === name) score -= 1000;
    else if (p.includes(wanted) || wanted.includes(base)) score -= 500;
    return { p, score };
  });
  const limit = Math.max(2, Math.floor(wanted.length / 4));
  return scored
    .filter((s) => s.score < limit)
    .sort((a, b) => a.score - b.score || a.p.localeCompare(b.p))
    .slice(0, 5)
    .map((s) => s.p);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
