// Room: bundle (src/bundle/) — may import core, redaction (the rule: tests/architecture.test.ts).
/**
 * BundleViews: how analyzers (and ISSUE.md) read collected data. Two sources, one interface: the
 * bundle being written (its spool of redacted files) and a finished .tar.gz read without extracting.
 */
import { MemoryView, DEFAULT_TEXT_BYTES, parseJson, tailText } from './memory-view.js';
import type { BundleView, Manifest } from '../core/types.js';
import type { BundleWriter } from './writer.js';
import { forEachEntry } from './reader.js';

/** Paths that are the bundle's own root files, not collected artifacts. */
const ROOT_FILES = new Set(['manifest.json', 'ISSUE.md', 'findings.json', 'redactions.json', 'run.log']);

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
    this.#paths = writer.storedPaths().filter((p) => !ROOT_FILES.has(p)).sort();
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
}

/** Reads a finished bundle in one pass without extracting it; throws when there is no manifest.json. */
export async function openBundleView(file: string, maxFileBytes = DEFAULT_TEXT_BYTES): Promise<OpenedBundle> {
  const files = new Map<string, string>();
  const rootFiles = new Map<string, string>();
  let root = '';
  await forEachEntry(file, async (entry, content) => {
    if (entry.type !== 'file' || !entry.path) return;
    root ||= entry.root;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of content as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      // Keep only the tail: drop whole chunks from the front while the rest still covers the cap.
      while (chunks.length > 1 && size - chunks[0]!.length >= maxFileBytes) size -= chunks.shift()!.length;
    }
    const buf = Buffer.concat(chunks);
    const text = buf.length > maxFileBytes ? tailText(buf, maxFileBytes) : buf.toString('utf8');
    if (ROOT_FILES.has(entry.path)) rootFiles.set(entry.path, text);
    else files.set(entry.path, text);
  });
  const manifest = parseJson<Manifest>(rootFiles.get('manifest.json'));
  if (!manifest || typeof manifest !== 'object' || !Array.isArray(manifest.collectors)) {
    throw new Error(`${file} has no valid manifest.json: it is not a collect-bundle bundle (or it is damaged; check it with \`collect-bundle verify\`)`);
  }
  return { view: new MemoryView(manifest, files), root, rootFiles };
}
