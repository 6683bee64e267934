// Room: bundle (src/bundle/) — may import core, redaction (the rule: tests/architecture.test.ts).
/**
 * BundleViews: how analyzers (and ISSUE.md) read collected data. Two sources, one interface: the
 * bundle being written (its spool of redacted files) and a finished .tar.gz read without extracting.
 */
import { MemoryView, DEFAULT_TEXT_BYTES, parseJson, tailText } from './memory-view.js';
import type { BundleView, Manifest } from '../core/types.js';
import type { BundleWriter } from './writer.js';
import { type BundleInput, openBundle, type ValidBundle } from './reader.js';
import { isRootFile } from './layout.js';

/** A view over the bundle a writer is building: only what has been stored (redacted) is visible. */
export class SpoolView implements BundleView {
  readonly #writer: BundleWriter;
  readonly #paths: readonly string[];
  /** The same paths for `has`, which analyzers call for every container's files. */
  readonly #stored: ReadonlySet<string>;
  constructor(
    readonly manifest: Manifest,
    writer: BundleWriter,
  ) {
    this.#writer = writer;
    this.#paths = writer
      .storedPaths()
      .filter((p) => !isRootFile(p))
      .sort();
    this.#stored = new Set(this.#paths);
  }
  paths(): readonly string[] {
    return this.#paths;
  }
  has(path: string): boolean {
    return this.#stored.has(path);
  }
  async text(path: string, maxBytes = DEFAULT_TEXT_BYTES): Promise<string | undefined> {
    if (!this.has(path)) return undefined;
    const buf = await this.#writer.readStored(path, maxBytes + 1);
    if (!buf) return undefined;
    return buf.length > maxBytes ? tailText(buf, maxBytes) : buf.toString('utf8');
  }
  async json<T = unknown>(path: string): Promise<T | undefined> {
    if (!this.has(path)) return undefined;
    const buf = await this.#writer.readStored(path, 64 * 1024 * 1024);
    return parseJson<T>(buf?.toString('utf8'));
  }
}

/** A finished bundle read into memory (each file's last `maxFileBytes`), with its root files. */
export interface OpenedBundle {
  readonly view: BundleView;
  /** The archive's top-level folder (the bundle name). */
  readonly root: string;
  /** Root files by name (manifest.json, findings.json, ISSUE.md, ...), when present. */
  readonly rootFiles: ReadonlyMap<string, string>;
  /** The bundle as the shared reader saw it: entries, hashes, layout and checksum problems. */
  readonly read: ValidBundle;
}

/**
 * Reads a finished bundle in one pass without extracting it, through the validated reader; throws an
 * UnreadableBundleError (one line) when it is not a readable collect-bundle bundle.
 */
export async function openBundleView(file: BundleInput, maxFileBytes = DEFAULT_TEXT_BYTES): Promise<OpenedBundle> {
  const read = await openBundle(file, { want: () => true, maxTextBytes: maxFileBytes, overflow: 'tail', hash: false });
  const files = new Map<string, string>();
  const rootFiles = new Map<string, string>();
  for (const [path, text] of read.texts) (isRootFile(path) ? rootFiles : files).set(path, text);
  return { view: new MemoryView(read.manifest, files), root: read.roots[0] ?? '', rootFiles, read };
}
