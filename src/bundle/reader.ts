// Room: bundle (src/bundle/) — may import core, redaction (the rule: tests/architecture.test.ts).
/**
 * Reads a finished bundle without extracting it: entries are streamed straight out of the .tar.gz.
 * `readBundle` is the one validated reader `verify`, `inspect`, `diff` and `analyze` share: one pass,
 * every entry hashed, manifest.json size-capped and schema-checked, the archive's layout checked
 * against it, so the four commands agree on what a bundle is. Nothing is written to disk.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { errorMessage } from '../core/artifacts.js';
import { CliError } from '../core/errors.js';
import type { Manifest } from '../core/types.js';
import { formatBytes } from '../core/units.js';
import { ROOT } from './layout.js';
import { checkManifest } from './manifest-schema.js';
import { BUNDLE_INPUT, type BundleInput, inputFile, openBundleBytes } from './source.js';

export { BUNDLE_INPUT, type BundleInput, inputFile };

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
export async function forEachEntry(file: BundleInput, onEntry: (entry: BundleEntry, content: Readable) => Promise<void>): Promise<void> {
  const source = await openBundleBytes(file);
  const ex = extract();
  // Larger output pieces than zlib's 16 KiB: each is a round trip through the thread pool, and a
  // bundle of 25 MiB would take 1,600 of them.
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
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
export async function readEntryText(file: BundleInput, path: string, maxBytes = 64 * 1024 * 1024): Promise<string | undefined> {
  const source = await openBundleBytes(file);
  const ex = extract();
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

// ---------------------------------------------------------------------------------------------
// The validated reader

/**
 * The largest manifest.json parsed. A real one lists every file and command of a run: a few MiB for
 * thousands of containers. Beyond this it is not ours; reading it would cost gigabytes (a string over
 * 512 MiB cannot even be made), so it is hashed as a stream like any other entry and refused.
 */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;
/** Default cap of the other files a caller keeps in memory. */
export const MAX_TEXT_BYTES = 16 * 1024 * 1024;

/** Something wrong with a bundle's layout or its agreement with manifest.json. */
export interface BundleProblem {
  /** Path below the top-level folder, or the entry's full name when it has none. */
  readonly file: string;
  readonly kind: 'structure' | 'checksum' | 'missing' | 'extra';
  readonly message: string;
}

/** A regular file of the archive as the reader saw it. */
export interface ReadEntry {
  /** Path below the top-level folder (`docker/local/ps.txt`). */
  readonly path: string;
  readonly bytes: number;
  /** sha256 of the stored content; empty when the read was asked not to hash. */
  readonly sha256: string;
}

export interface ReadOptions {
  /** Which files (besides manifest.json) to keep in memory as text. */
  readonly want?: (path: string) => boolean;
  /** Per-file cap for kept files (default 16 MiB). */
  readonly maxTextBytes?: number;
  /** A kept file over the cap: listed in `tooLarge` (`skip`, the default) or its last bytes kept (`tail`). */
  readonly overflow?: 'skip' | 'tail';
  /**
   * Hash every entry and check them against the manifest (default true). `diff` and `analyze` turn it
   * off: sha256 costs about as much CPU as gunzip, and the verdict (readable or not) never needs it.
   */
  readonly hash?: boolean;
  /**
   * Sees every regular file's content as it streams past (verify's secret rescan). It may stop early:
   * the reader still hashes the whole entry; what it throws ends the read. One entry at a time, in order.
   */
  readonly scan?: (entry: BundleEntry, content: AsyncIterable<Buffer>) => Promise<void>;
}

/** Why a file is not a readable collect-bundle bundle. */
export interface Unreadable {
  /** `archive`: not a readable .tar.gz; `no-manifest`: no manifest.json; `manifest`: one that is not ours. */
  readonly kind: 'archive' | 'no-manifest' | 'manifest';
  /** One line: the cause and the fix. */
  readonly message: string;
}

/** A bundle read once. `manifest` is set exactly when `unreadable` is not. */
export interface ReadBundle {
  readonly file: string;
  /** Top-level folders (one in a well-formed bundle). */
  readonly roots: readonly string[];
  /** Every entry of the archive, whatever its type. */
  readonly count: number;
  /** Regular files in archive order. */
  readonly entries: readonly ReadEntry[];
  /** manifest.json, schema-checked; undefined when `unreadable`. */
  readonly manifest: Manifest | undefined;
  /** Why this is not a readable collect-bundle bundle; undefined when it is. */
  readonly unreadable: Unreadable | undefined;
  /** Layout and checksum problems (the listing checks only when the manifest is valid and `hash` is on). */
  readonly problems: readonly BundleProblem[];
  /** Text of manifest.json and of the files `want` selected, by bundle-relative path. */
  readonly texts: ReadonlyMap<string, string>;
  /** Files `want` selected that were over the cap and not kept (`overflow: 'skip'`). */
  readonly tooLarge: readonly string[];
}

/** The one-line fix for a file that cannot be read as a bundle. */
export const corruptFix = (file: string): string => `the file is damaged or incomplete: copy it again and check the copy with \`sha256sum -c ${file}.sha256\``;

/** Reads a bundle in one pass. Never throws for what the archive holds: see `unreadable` and `problems`. */
export async function readBundle(input: BundleInput, options: ReadOptions = {}): Promise<ReadBundle> {
  const file = inputFile(input);
  const maxText = options.maxTextBytes ?? MAX_TEXT_BYTES;
  const want = options.want ?? (() => false);
  const problems: BundleProblem[] = [];
  const entries: ReadEntry[] = [];
  const seen = new Set<string>();
  const roots = new Set<string>();
  const texts = new Map<string, string>();
  const tooLarge: string[] = [];
  let count = 0;
  let manifestNote: string | undefined;
  let unreadable: Unreadable | undefined;
  try {
    await forEachEntry(input, async (entry, content) => {
      count++;
      roots.add(entry.root);
      if (entry.type === 'directory') return; // harmless: GNU tar adds them when a bundle is repacked
      if (entry.type !== 'file') {
        problems.push({ file: entry.name, kind: 'structure', message: `unexpected ${entry.type} entry (a bundle holds regular files only)` });
        return;
      }
      if (!entry.path || entry.path.split('/').includes('..') || entry.name.startsWith('/')) {
        problems.push({ file: entry.name, kind: 'structure', message: 'entry outside the top-level folder' });
        return;
      }
      if (seen.has(entry.path)) problems.push({ file: entry.path, kind: 'structure', message: 'duplicate entry' });
      seen.add(entry.path);
      const isManifest = entry.path === ROOT.manifest;
      const cap = isManifest ? MAX_MANIFEST_BYTES : maxText;
      const keep = isManifest || want(entry.path);
      const tail = keep && !isManifest && options.overflow === 'tail';
      const kept = new KeptText(keep ? cap : 0, tail);
      if (keep && !tail && entry.size > cap) kept.overflowed = true; // the header says so: keep none of it
      const hash = options.hash === false ? undefined : createHash('sha256');
      let bytes = 0;
      const it = (content as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
      const pull = async (): Promise<IteratorResult<Buffer>> => {
        const r = await it.next();
        if (!r.done) {
          hash?.update(r.value);
          bytes += r.value.length;
          kept.add(r.value);
        }
        return r;
      };
      if (options.scan) {
        // A scan that stops (or throws) ends its loop with return(): that must not end the entry's stream.
        const view: AsyncIterable<Buffer> = {
          [Symbol.asyncIterator]: () => ({ next: pull, return: async () => ({ done: true, value: undefined }) }),
        };
        await options.scan(entry, view);
      }
      while (!(await pull()).done) {
        // hash (and keep) the rest
      }
      entries.push({ path: entry.path, bytes, sha256: hash?.digest('hex') ?? '' });
      if (!keep) return;
      if (kept.overflowed && !tail) {
        if (isManifest) manifestNote = `manifest.json is ${formatBytes(bytes)}, over the ${formatBytes(cap)} a collect-bundle manifest can be`;
        else tooLarge.push(entry.path);
        return;
      }
      if (!isManifest || !texts.has(ROOT.manifest)) texts.set(entry.path, kept.text());
    });
  } catch (err) {
    // An identity that cannot open an encrypted bundle (age.ts) is the user's input, said as it is.
    if (err instanceof CliError) throw err;
    unreadable = { kind: 'archive', message: `not a readable .tar.gz bundle (${errorMessage(err)}); ${corruptFix(file)}` };
  }

  const rootList = [...roots];
  let manifest: Manifest | undefined;
  if (!unreadable) {
    const text = texts.get(ROOT.manifest);
    if (manifestNote) unreadable = { kind: 'manifest', message: `${manifestNote}: not a collect-bundle bundle` };
    else if (text === undefined)
      unreadable = {
        kind: 'no-manifest',
        message: `not a collect-bundle bundle (no manifest.json inside${rootList.length ? ` ${rootList[0]}/` : ''}); pass a .tar.gz written by collect-bundle`,
      };
    else {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        unreadable = { kind: 'manifest', message: `manifest.json is not valid JSON (${errorMessage(err)}); ${corruptFix(file)}` };
      }
      if (!unreadable) {
        const checked = checkManifest(parsed);
        if (checked.ok) manifest = checked.value;
        else
          unreadable = {
            kind: 'manifest',
            message: `manifest.json is not a collect-bundle manifest (${checked.reason}); pass a .tar.gz written by collect-bundle`,
          };
      }
    }
  }
  if (!unreadable && roots.size !== 1)
    problems.push({
      file: basename(file),
      kind: 'structure',
      message: `expected one top-level folder, found ${roots.size}: ${rootList.slice(0, 5).join(', ')}`,
    });
  if (manifest && options.hash !== false) problems.push(...listingProblems(manifest, entries));
  return { file, roots: rootList, count, entries, manifest, unreadable, problems, texts, tooLarge };
}

/** Files listed in the manifest but absent or different, and files in the archive it does not list. */
export function listingProblems(manifest: Manifest, entries: readonly ReadEntry[]): BundleProblem[] {
  const problems: BundleProblem[] = [];
  const listed = new Map<string, { sha256: string; bytes: number }>();
  for (const c of manifest.collectors) for (const a of c.artifacts) listed.set(a.path, a);
  for (const f of manifest.files) listed.set(f.path, f);
  const got = new Map(entries.map((e) => [e.path, e]));
  for (const [path, want] of listed) {
    const e = got.get(path);
    if (!e) problems.push({ file: path, kind: 'missing', message: 'listed in manifest.json but not in the archive' });
    else if (e.sha256 !== want.sha256 || e.bytes !== want.bytes)
      problems.push({
        file: path,
        kind: 'checksum',
        message: `sha256/size differ from manifest.json (${e.bytes} bytes ${e.sha256.slice(0, 12)}… vs ${want.bytes} bytes ${want.sha256.slice(0, 12)}…)`,
      });
  }
  for (const path of got.keys())
    if (path !== ROOT.manifest && !listed.has(path)) problems.push({ file: path, kind: 'extra', message: 'in the archive but not listed in manifest.json' });
  return problems;
}

/** A bundle that passed: `readBundle`'s result with its manifest. */
export type ValidBundle = ReadBundle & { readonly manifest: Manifest; readonly unreadable: undefined };

/** Thrown by `openBundle` for a file that is not a readable collect-bundle bundle; the message is one line. */
export class UnreadableBundleError extends Error {
  override readonly name = 'UnreadableBundleError';
}

/** `readBundle`, throwing an UnreadableBundleError (message `FILE: reason`) when the bundle is not readable. */
export async function openBundle(input: BundleInput, options: ReadOptions = {}): Promise<ValidBundle> {
  const b = await readBundle(input, options);
  if (b.unreadable !== undefined || !b.manifest) throw new UnreadableBundleError(`${b.file}: ${b.unreadable?.message ?? 'no manifest'}`);
  return b as ValidBundle;
}

/** Up to `cap` bytes of an entry: the first ones, or with `tail` the last ones; notes when there were more. */
class KeptText {
  #chunks: Buffer[] = [];
  #size = 0;
  overflowed = false;
  constructor(
    readonly cap: number,
    readonly tail: boolean,
  ) {}
  add(chunk: Buffer): void {
    if (this.cap === 0 || (this.overflowed && !this.tail)) return;
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    if (this.#size <= this.cap) return;
    this.overflowed = true;
    if (!this.tail) {
      this.#chunks = []; // no use for a part of it
      this.#size = 0;
      return;
    }
    // Keep only the tail: drop whole chunks from the front while the rest still covers the cap.
    while (this.#chunks.length > 1 && this.#size - this.#chunks[0]!.length >= this.cap) this.#size -= this.#chunks.shift()!.length;
  }
  text(): string {
    const buf = Buffer.concat(this.#chunks);
    if (buf.length <= this.cap) return buf.toString('utf8');
    const cut = buf.subarray(buf.length - this.cap);
    const nl = cut.indexOf(0x0a);
    return (nl >= 0 && nl < cut.length - 1 ? cut.subarray(nl + 1) : cut).toString('utf8');
  }
}
