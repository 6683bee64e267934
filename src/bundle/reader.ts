// Room: bundle (src/bundle/) — may import core, redaction (the rule: tests/architecture.test.ts).
/**
 * Reads a finished bundle without extracting it: entries are streamed straight out of the .tar.gz.
 * Used by `verify` (and later `inspect`, `diff`, `analyze`). Nothing is written to disk.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';

/** One entry of a bundle. */
export interface BundleEntry {
  /** Full name in the archive, e.g. `collect-bundle-…/docker/info.json`. */
  readonly name: string;
  /** The top-level folder (first path segment). */
  readonly root: string;
  /** Path below the top-level folder (`docker/info.json`). */
  readonly path: string;
  readonly size: number;
  readonly mode: number;
  /** `file`, `directory`, `symlink`, ... */
  readonly type: string;
}

/**
 * Calls `onEntry` for every entry in order, with a stream of its content; the callback must consume
 * (or ignore) the stream before the next entry is read. Rejects on a corrupt archive.
 */
export async function forEachEntry(file: string, onEntry: (entry: BundleEntry, content: Readable) => Promise<void>): Promise<void> {
  const ex = extract();
  const source = createReadStream(file);
  const gunzip = createGunzip();
  const done = new Promise<void>((resolve, reject) => {
    const fail = (err: Error): void => {
      source.destroy();
      reject(err);
    };
    source.on('error', fail);
    gunzip.on('error', fail);
    ex.on('error', fail);
    ex.on('finish', resolve);
    ex.on('entry', (header, source, next) => {
      // tar-stream's entry stream is a streamx Readable; Node's stream tooling consumes it all the same.
      const stream = source as unknown as Readable;
      const name = header.name;
      const slash = name.indexOf('/');
      const entry: BundleEntry = {
        name,
        root: slash === -1 ? name : name.slice(0, slash),
        path: slash === -1 ? '' : name.slice(slash + 1),
        size: header.size ?? 0,
        mode: header.mode ?? 0,
        type: header.type ?? 'file',
      };
      let ended = false;
      let waiting = false;
      stream.on('end', () => {
        ended = true;
        if (waiting) next();
      });
      onEntry(entry, stream).then(
        () => {
          if (ended) return next();
          waiting = true;
          stream.resume(); // drain whatever the callback left unread
        },
        (err: Error) => fail(err),
      );
    });
  });
  source.pipe(gunzip).pipe(ex);
  await done;
}

/**
 * Reads one entry's text by its path below the top-level folder; undefined when absent. Stops reading
 * the archive as soon as the entry is read (manifest.json is the first entry of a bundle, so checking
 * a bundle costs a few KiB, not the whole file).
 */
export function readEntryText(file: string, path: string, maxBytes = 64 * 1024 * 1024): Promise<string | undefined> {
  const ex = extract();
  const source = createReadStream(file);
  const gunzip = createGunzip();
  return new Promise<string | undefined>((resolve, reject) => {
    let settled = false;
    const stop = (): void => {
      source.unpipe();
      source.destroy();
      gunzip.destroy();
      ex.destroy();
    };
    const finish = (text: string | undefined): void => {
      if (settled) return;
      settled = true;
      stop();
      resolve(text);
    };
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      stop();
      reject(err);
    };
    source.on('error', fail);
    gunzip.on('error', fail);
    ex.on('error', fail);
    ex.on('finish', () => finish(undefined));
    ex.on('entry', (header, content, next) => {
      const stream = content as unknown as Readable;
      const slash = header.name.indexOf('/');
      if ((slash === -1 ? '' : header.name.slice(slash + 1)) !== path) {
        stream.on('end', next);
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) fail(new Error(`${path} is larger than ${maxBytes} bytes`));
        else chunks.push(chunk);
      });
      stream.on('end', () => finish(Buffer.concat(chunks).toString('utf8')));
    });
    source.pipe(gunzip).pipe(ex);
  });
}
