// Room: bundle (src/bundle/) — may import core, redaction (the rule: tests/architecture.test.ts).
/**
 * A BundleView over files held in memory: used by `analyze` for a finished bundle once its small
 * files are read, and by unit tests that build a bundle's files by hand.
 */
import type { BundleView, Manifest } from '../core/types.js';

export class MemoryView implements BundleView {
  readonly #files: Map<string, string>;
  constructor(
    readonly manifest: Manifest,
    files: Iterable<readonly [string, string]>,
  ) {
    this.#files = new Map(files);
  }
  paths(): readonly string[] {
    return [...this.#files.keys()].sort();
  }
  has(path: string): boolean {
    return this.#files.has(path);
  }
  async text(path: string, maxBytes = DEFAULT_TEXT_BYTES): Promise<string | undefined> {
    const t = this.#files.get(path);
    if (t === undefined) return undefined;
    return Buffer.byteLength(t) > maxBytes ? tailText(Buffer.from(t), maxBytes) : t;
  }
  async json<T = unknown>(path: string): Promise<T | undefined> {
    return parseJson<T>(this.#files.get(path));
  }
}

/** What `text()` returns at most by default. */
export const DEFAULT_TEXT_BYTES = 8 * 1024 * 1024;

/** The last `maxBytes` of a buffer as text, starting at a line boundary. */
export function tailText(buf: Buffer, maxBytes: number): string {
  const cut = buf.subarray(buf.length - maxBytes);
  const nl = cut.indexOf(0x0a);
  return (nl >= 0 && nl < cut.length - 1 ? cut.subarray(nl + 1) : cut).toString('utf8');
}

export function parseJson<T>(text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
