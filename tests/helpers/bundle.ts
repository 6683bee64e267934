/** Reads a finished bundle the way a support engineer would: every entry, name and bytes. */
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';

export interface TarEntry {
  readonly name: string;
  readonly mode: number;
  readonly type: string;
  readonly data: Buffer;
}

export async function readBundle(path: string): Promise<Map<string, TarEntry>> {
  const entries = new Map<string, TarEntry>();
  const ex = extract();
  ex.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      entries.set(header.name, { name: header.name, mode: header.mode ?? 0, type: header.type ?? 'file', data: Buffer.concat(chunks) });
      next();
    });
    stream.resume();
  });
  await pipeline(createReadStream(path), createGunzip(), ex);
  return entries;
}

/** Entry text by path relative to the top-level folder. */
export function fileText(entries: Map<string, TarEntry>, rel: string): string {
  for (const [name, e] of entries) if (name.split('/').slice(1).join('/') === rel) return e.data.toString('utf8');
  throw new Error(`no ${rel} in bundle; have: ${[...entries.keys()].join(', ')}`);
}

// biome-ignore lint/suspicious/noExplicitAny: the caller names the shape it reads (fileJson<Manifest>); untyped, it stays any so a test can read a bundle file's JSON field by field, as 100-odd call sites do
export function fileJson<T = any>(entries: Map<string, TarEntry>, rel: string): T {
  return JSON.parse(fileText(entries, rel)) as T;
}

/**
 * Unpacks `bundle` into `workDir`, lets `edit` change files below its top-level folder, and packs the
 * result as `out` with GNU tar: a bundle someone altered after collect-bundle wrote it.
 */
export async function repackBundle(bundle: string, workDir: string, out: string, edit: (root: string) => Promise<void>): Promise<string> {
  await mkdir(workDir);
  execFileSync('tar', ['xzf', bundle, '-C', workDir]);
  const [root] = await readdir(workDir);
  await edit(join(workDir, root!));
  execFileSync('tar', ['czf', out, '-C', workDir, root!]);
  return out;
}
