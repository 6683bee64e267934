// Room: bundle (src/bundle/) — may import core, redaction (the rule: tests/architecture.test.ts).
/**
 * The size budget (`--max-size`): the compressed bundle stays under a limit (a ticket system's 25 MiB).
 * Decided after collection from the spooled sizes (every artifact is already redacted and compressed
 * into its own gzip member, so the packed size is the sum of the members), before the root files are
 * written. What is kept whole: the root files (manifest, ISSUE.md, findings, ...) and every JSON file
 * (inspect, state, lists: cutting one would leave it unreadable). What is cut: logs first, the largest
 * first, keeping their last lines (a cap every log above it is cut down to); other text files only when
 * the logs at their smallest are not enough. A budget too small for what is kept whole is an error
 * naming the minimum.
 */
import { createHash } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { formatBytes } from '../core/units.js';
import { CONTAINER_FILE } from './layout.js';
import { byteAt, copyRange, indexOfNewline, type SpoolResult } from './spool.js';
import { gzipFile, removeMember, type GzipSpool, type Member } from './tar-gz.js';

/** One spooled artifact's redacted size and the size of its gzip member (content and tar padding). */
export interface SpooledSize {
  readonly path: string;
  readonly bytes: number;
  readonly gzBytes: number;
}

/** `keep`: never cut; `log`: cut first, oldest lines first; `other`: cut only when the logs are not enough. */
export type BudgetTier = 'keep' | 'log' | 'other';

/** A compressed tar header member, with room (a header is 512 bytes, mostly zeros: ~70 bytes gzipped). */
export const ENTRY_OVERHEAD = 160;
/** A cut file keeps at least this much compressed: the note saying what was cut and its last lines. */
export const MIN_KEPT_GZ = 2048;

const LOG_NAME = /(?:^|[-_.])(?:logs?|events)(?:\.(?:txt|jsonl|log))?$|\.(?:log|jsonl)$/i;

export function budgetTier(path: string): BudgetTier {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (LOG_NAME.test(name)) return 'log';
  if (/\.json$/i.test(name)) return 'keep';
  return 'other';
}

/** The plan: the compressed size each cut file may keep, by path; or the smallest budget that can work. */
export type BudgetPlan = { readonly cuts: ReadonlyMap<string, number> } | { readonly minimum: number };

/**
 * Decides the cuts. `fixedBytes` is what the root files and the archive's end take (compressed), with
 * room for the lines the cuts add to manifest.json and ISSUE.md.
 */
export function planBudget(items: readonly SpooledSize[], maxBytes: number, fixedBytes: number): BudgetPlan {
  const sum = (xs: readonly SpooledSize[], f: (x: SpooledSize) => number = (x) => x.gzBytes): number => xs.reduce((n, x) => n + f(x), 0);
  const floor = (x: SpooledSize): number => Math.min(x.gzBytes, MIN_KEPT_GZ);
  const logs = items.filter((i) => budgetTier(i.path) === 'log');
  const other = items.filter((i) => budgetTier(i.path) === 'other');
  const base = fixedBytes + items.length * ENTRY_OVERHEAD + sum(items.filter((i) => budgetTier(i.path) === 'keep'));
  const minimum = base + sum(logs, floor) + sum(other, floor);
  if (minimum > maxBytes) return { minimum };
  const cuts = new Map<string, number>();
  if (base + sum(other) + sum(logs, floor) <= maxBytes) waterFill(logs, maxBytes - base - sum(other), cuts);
  else {
    for (const l of logs) if (l.gzBytes > MIN_KEPT_GZ) cuts.set(l.path, MIN_KEPT_GZ);
    waterFill(other, maxBytes - base - sum(logs, floor), cuts);
  }
  return { cuts };
}

/** Cuts the largest files down to one cap so that all of them fit in `room`: the smaller ones stay whole. */
function waterFill(items: readonly SpooledSize[], room: number, cuts: Map<string, number>): void {
  if (items.reduce((n, x) => n + x.gzBytes, 0) <= room) return;
  const sorted = [...items].sort((a, b) => a.gzBytes - b.gzBytes);
  let left = room;
  for (let i = 0; i < sorted.length; i++) {
    const share = Math.floor(left / (sorted.length - i));
    if (sorted[i]!.gzBytes <= share) {
      left -= sorted[i]!.gzBytes;
      continue;
    }
    for (const s of sorted.slice(i)) cuts.set(s.path, Math.max(share, MIN_KEPT_GZ));
    return;
  }
}

/** A file cut to fit: its new spool file, its gzip member and what the manifest records. */
export interface CutResult {
  readonly result: SpoolResult & { readonly file: string };
  readonly gz: Member;
}

/**
 * Keeps the last lines of the redacted spool file `file` so that their gzip member is at most
 * `maxGzBytes`: the kept share is estimated from the file's compression ratio, then narrowed when the
 * tail compresses worse than the whole. Only the tail is read (a 10 MiB log cut to 100 KiB costs
 * 100 KiB of reading). The kept file starts with a line saying what was cut, as a capped spool's does.
 */
export async function cutToTail(
  file: string,
  sizes: { bytes: number; gzBytes: number },
  maxGzBytes: number,
  nextBase: () => string,
  gzipSpool: (file: string) => GzipSpool,
): Promise<CutResult> {
  let keep = Math.max(256, Math.floor(((sizes.bytes * maxGzBytes) / Math.max(1, sizes.gzBytes)) * 0.95));
  for (let attempt = 0; ; attempt++) {
    const base = nextBase();
    const result = await writeTail(file, keep, `${base}.tail`);
    const gz = await gzipFile(result.file, gzipSpool(`${base}.budget.gz`));
    const gzBytes = gz.bytes;
    if (gzBytes <= maxGzBytes || keep <= 256 || attempt >= 5) return { result, gz };
    await Promise.all([rm(result.file, { force: true }), removeMember(gz, undefined)]);
    keep = Math.max(256, Math.floor(((keep * maxGzBytes) / gzBytes) * 0.9));
  }
}

/** Writes the last `keep` bytes of `file` from a line start (a note line first) into `out` (0600). */
async function writeTail(file: string, keep: number, out: string): Promise<SpoolResult & { readonly file: string }> {
  const src = await open(file, 'r');
  try {
    const { size } = await src.stat();
    let from = Math.max(0, size - keep);
    // From the next line start, unless it is one; a tail without a newline is kept as it is.
    if (from > 0 && (await byteAt(src, from - 1)) !== 0x0a) {
      const nl = await indexOfNewline(src, from, size);
      if (nl !== -1) from = nl + 1;
    }
    const note = Buffer.from(`[collect-bundle: output truncated to its last ${size - from} bytes; the first ${from} of ${size} bytes were cut]\n`, 'utf8');
    const dst = await open(out, 'wx', 0o600);
    const hash = createHash('sha256');
    try {
      await dst.write(note);
      hash.update(note);
      await copyRange(src, from, size, dst, hash);
    } finally {
      await dst.close();
    }
    return { file: out, bytes: note.length + size - from, sha256: hash.digest('hex'), truncated: true, originalBytes: size };
  } finally {
    await src.close();
  }
}

/** The error of a budget too small for the files that are always kept whole. */
export function budgetTooSmall(maxBytes: number, minimum: number): string {
  const suggest = formatBytes(Math.ceil((minimum * 1.1) / 1024) * 1024);
  return `--max-size ${formatBytes(maxBytes)} is too small for this bundle: the files it always keeps whole (manifest.json, findings.json, ISSUE.md, inspect and state files) and the shortest cut logs need at least ${formatBytes(minimum)} compressed; use --max-size ${suggest.replace(' ', '')} or more, or collect less (--only, --skip)`;
}

/** One line for ISSUE.md and the console: "logs of 12 containers were cut to fit 25 MiB". */
export function describeCuts(paths: readonly string[], maxBytes: number): string {
  // A container's log is its folder's logs.txt; its folder names the engine and the container.
  const logs = paths.filter((p) => p.endsWith(`/${CONTAINER_FILE.logs}`));
  const containers = new Set(logs.map((p) => p.slice(0, p.lastIndexOf('/'))));
  const rest = paths.length - logs.length;
  const parts: string[] = [];
  if (containers.size) parts.push(`logs of ${containers.size} container${containers.size === 1 ? '' : 's'}`);
  if (rest) parts.push(`${rest}${containers.size ? ' other' : ''} file${rest === 1 ? '' : 's'}`);
  const first = parts.join(' and ');
  return `${first.charAt(0).toUpperCase()}${first.slice(1)} ${paths.length === 1 ? 'was' : 'were'} cut to fit ${formatBytes(maxBytes)} (their oldest lines; each is marked \`cut\` in manifest.json)`;
}
