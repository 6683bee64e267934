// Room: schedule (src/schedule/) — may import core, config, run, bundle, collectors (the rule: tests/architecture.test.ts).
/**
 * Retention for a directory of bundles: which of collect-bundle's own bundles to delete under a policy
 * of `keep` (newest N), `maxAgeMs` and `maxTotalBytes`, oldest first. A file counts as one of ours only
 * when its name is a bundle name (`src/bundle/name.ts`) AND the archive holds a manifest.json written by
 * collect-bundle (read by streaming, nothing is extracted). An encrypted bundle (`.tar.gz.age`) cannot be
 * opened without its recipient's key: it counts as ours when it is an age file and its `.sha256` sidecar,
 * which collect-bundle writes beside it, matches its bytes. Everything else in the directory (notes,
 * other tools' tarballs, `.partial` files, spools, the lock) is never touched.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { errorMessage } from '../core/artifacts.js';
import { AGE_SUFFIX, isAgeFile } from '../bundle/age-file.js';
import { BUNDLE_NAME_RE } from '../bundle/name.js';
import { readEntryText } from '../bundle/reader.js';
import { TOOL } from '../core/version.js';
import { ROOT } from '../bundle/layout.js';

/**
 * A name stamp further ahead of the clock than this is not trusted for ordering: the clock was stepped
 * back, or the bundle was copied from a host whose clock runs fast. Such a bundle is ordered (and aged)
 * by its file's mtime instead, so it cannot crowd out the bundles written from now on.
 */
export const FUTURE_STAMP_SLACK_MS = 5 * 60_000;

/** What to keep. Any combination; an empty policy deletes nothing. */
export interface RetentionPolicy {
  /** Keep at most this many bundles (the newest). At least 1. */
  readonly keep?: number;
  /** Delete bundles older than this (by the UTC time in their name). The newest is always kept. */
  readonly maxAgeMs?: number;
  /** Delete the oldest bundles until the bundles and their sidecars take at most this many bytes. The newest is always kept. */
  readonly maxTotalBytes?: number;
}

/** One of our bundles in the directory. */
export interface BundleFile {
  /** File name (`collect-bundle-…tar.gz`, or `….tar.gz.age` when encrypted). */
  readonly name: string;
  readonly path: string;
  /** When it was made: the UTC time in its name. */
  readonly time: Date;
  /** Bundle plus its `.sha256` sidecar and its `<stem>.ISSUE.md` (`--issue-only`), in bytes. */
  readonly bytes: number;
  /** The file's mtime (ms), to order two bundles made in the same second. */
  readonly mtimeMs?: number;
  /** The sidecar's path, when there is one. */
  readonly sidecar?: string;
  /** The `<stem>.ISSUE.md` written beside it by `--issue-only`, when there is one. */
  readonly issue?: string;
  /** The `<bundle>.upload.json` an s3:// upload that did not finish left beside it (src/run/upload-s3.ts). */
  readonly uploadState?: string;
  /** The name's time is more than FUTURE_STAMP_SLACK_MS ahead of the clock: ordered and aged by mtime. */
  readonly futureStamp?: boolean;
}

/** When a bundle counts as made, for ordering and --max-age: its name's time, or its mtime when that is in the future. */
export function bundleTime(b: BundleFile): number {
  // Whole seconds like the names, so a same-second tie falls to the mtime comparison of listBundles.
  return b.futureStamp && b.mtimeMs !== undefined ? Math.floor(b.mtimeMs / 1000) * 1000 : b.time.getTime();
}

/** A deleted bundle and why. */
export interface Deletion {
  readonly name: string;
  readonly bytes: number;
  /** `keep 2`, `older than 7d`, `total over 1 GiB`. */
  readonly reason: string;
}

export interface RetentionResult {
  /** Our bundles left, newest first. */
  readonly kept: readonly BundleFile[];
  readonly deleted: readonly Deletion[];
  /** Bundles that should have gone but could not be deleted, with the reason. */
  readonly failed: readonly { readonly name: string; readonly error: string }[];
  /** Files with a bundle name that were left alone because they are not (valid) collect-bundle bundles. */
  readonly foreign: readonly string[];
  /** One line each: bundles stamped in the future (ordered by mtime instead). */
  readonly warnings: readonly string[];
}

export interface RetentionOptions {
  /** Default: the current time. */
  readonly now?: Date;
  /** Never deleted, whatever the policy says (the bundle just written). */
  readonly protect?: string;
  /**
   * Remembers which files were already checked (path → `size:mtime` for ours, `foreign:size:mtime`
   * for the others), so a long-running scheduler does not stream every old bundle, nor every foreign
   * file under a bundle name, again on every run. Pass the same map on every call.
   */
  readonly cache?: Map<string, string>;
  /** Only list and decide; delete nothing (the result says what would be deleted). */
  readonly dryRun?: boolean;
}

/** `20261128T143924Z` → Date. */
function stampTime(stamp: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp)!;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

/** Whether the archive is a bundle collect-bundle wrote: a parseable manifest.json whose tool is us. */
async function isOurBundle(path: string): Promise<boolean> {
  try {
    const text = await readEntryText(path, ROOT.manifest, 16 * 1024 * 1024);
    if (text === undefined) return false;
    const manifest = JSON.parse(text) as { tool?: { name?: unknown } };
    return manifest.tool?.name === TOOL.name;
  } catch {
    return false; // not gzip, not tar, not JSON: not ours
  }
}

/** Whether an encrypted bundle is one collect-bundle wrote: an age file whose `.sha256` sidecar matches its bytes. */
async function isOurEncryptedBundle(path: string, sidecar: string | undefined): Promise<boolean> {
  if (sidecar === undefined) return false;
  try {
    if (!(await isAgeFile(path))) return false;
    const said = /^([0-9a-f]{64}) {2}(\S+)$/.exec((await readFile(sidecar, 'utf8')).trim());
    if (!said || said[2] !== basename(path)) return false;
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    return hash.digest('hex') === said[1];
  } catch {
    return false;
  }
}

/**
 * Our bundles in `dir`, newest first, and the bundle-named files that are not ours. A missing
 * directory has none.
 */
export async function listBundles(
  dir: string,
  options: Pick<RetentionOptions, 'cache' | 'now'> = {},
): Promise<{ bundles: BundleFile[]; foreign: string[]; warnings: string[] }> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return { bundles: [], foreign: [], warnings: [] };
    throw err;
  }
  const now = (options.now ?? new Date()).getTime();
  const warnings: string[] = [];
  const present = new Set(names);
  const bundles: BundleFile[] = [];
  const foreign: string[] = [];
  for (const name of names.sort()) {
    const encrypted = name.endsWith(`.tar.gz${AGE_SUFFIX}`);
    if (!name.endsWith('.tar.gz') && !encrypted) continue;
    const stem = name.replace(/\.tar\.gz(\.age)?$/, '');
    const m = BUNDLE_NAME_RE.exec(stem);
    if (!m) continue;
    const path = join(dir, name);
    const st = await lstat(path).catch(() => undefined);
    if (!st?.isFile()) continue; // symlinks and directories are never ours to delete
    /** A file that goes with the bundle: its stat when it is listed, and its path when it is a regular file. */
    const beside = async (file: string) => {
      const stat = present.has(file) ? await lstat(join(dir, file)).catch(() => undefined) : undefined;
      return { stat, path: stat?.isFile() ? join(dir, file) : undefined };
    };
    const { stat: sidecarStat, path: sidecar } = await beside(`${name}.sha256`);
    // An encrypted bundle is known by its sidecar too: a changed sidecar is checked again.
    const id = `${st.size}:${st.mtimeMs}${encrypted ? `:${sidecarStat?.size}:${sidecarStat?.mtimeMs}` : ''}`;
    const known = options.cache?.get(path);
    if (known === `foreign:${id}`) {
      foreign.push(name);
      continue;
    }
    if (known !== id) {
      if (!(encrypted ? await isOurEncryptedBundle(path, sidecar) : await isOurBundle(path))) {
        options.cache?.set(path, `foreign:${id}`);
        foreign.push(name);
        continue;
      }
      options.cache?.set(path, id);
    }
    const { stat: issueStat, path: issue } = await beside(`${stem}.ISSUE.md`);
    // An s3:// upload that failed leaves its resume state beside the bundle; it goes with the bundle.
    const { stat: stateStat, path: uploadState } = await beside(`${name}.upload.json`);
    const time = stampTime(m.groups!['stamp']!);
    const futureStamp = time.getTime() - now > FUTURE_STAMP_SLACK_MS;
    if (futureStamp)
      warnings.push(
        `${name} is stamped ${time.toISOString()}, in the future (the clock was stepped back, or it was copied from a host with a fast clock): ordered by its file time instead`,
      );
    const bytes = st.size + (sidecar ? sidecarStat!.size : 0) + (issue ? issueStat!.size : 0) + (uploadState ? stateStat!.size : 0);
    bundles.push({
      name,
      path,
      time,
      bytes,
      mtimeMs: st.mtimeMs,
      ...(sidecar ? { sidecar } : {}),
      ...(issue ? { issue } : {}),
      ...(uploadState ? { uploadState } : {}),
      ...(futureStamp ? { futureStamp } : {}),
    });
  }
  // Newest first; two made in the same second (the name has whole seconds) by mtime, then by name.
  bundles.sort((a, b) => bundleTime(b) - bundleTime(a) || (b.mtimeMs ?? 0) - (a.mtimeMs ?? 0) || (a.name < b.name ? 1 : -1));
  return { bundles, foreign, warnings };
}

/** Which bundles a policy removes (pure): newest-first list in, deletions with reasons out. */
export function planRetention(bundles: readonly BundleFile[], policy: RetentionPolicy, options: { now: Date; protect?: string }): Map<string, string> {
  const doomed = new Map<string, string>();
  const newest = bundles[0];
  // By name: the caller's path may be relative, or spelled differently from join(dir, name).
  const protectName = options.protect !== undefined ? basename(options.protect) : undefined;
  const isProtected = (b: BundleFile): boolean => b === newest || (protectName !== undefined && b.name === protectName);
  if (policy.keep !== undefined) {
    let kept = 0;
    for (const b of bundles) {
      if (isProtected(b) || kept < policy.keep) kept++;
      else doomed.set(b.path, `beyond --keep ${policy.keep}`);
    }
  }
  if (policy.maxAgeMs !== undefined) {
    for (const b of bundles) {
      if (!doomed.has(b.path) && !isProtected(b) && options.now.getTime() - bundleTime(b) > policy.maxAgeMs) doomed.set(b.path, `older than --max-age`);
    }
  }
  if (policy.maxTotalBytes !== undefined) {
    let total = bundles.filter((b) => !doomed.has(b.path)).reduce((n, b) => n + b.bytes, 0);
    for (const b of [...bundles].reverse()) {
      if (total <= policy.maxTotalBytes) break;
      if (doomed.has(b.path) || isProtected(b)) continue;
      doomed.set(b.path, `total over --max-total-size`);
      total -= b.bytes;
    }
  }
  return doomed;
}

/** Checks a policy's numbers; throws an Error naming the option. */
export function validatePolicy(policy: RetentionPolicy): void {
  if (policy.keep !== undefined && (!Number.isInteger(policy.keep) || policy.keep < 1))
    throw new Error(`--keep must be a whole number of at least 1, got "${policy.keep}"`);
  if (policy.maxAgeMs !== undefined && !(policy.maxAgeMs > 0)) throw new Error('--max-age must be a positive duration (e.g. 7d)');
  if (policy.maxTotalBytes !== undefined && !(policy.maxTotalBytes > 0)) throw new Error('--max-total-size must be a positive size (e.g. 5GiB)');
}

/** Applies `policy` to the bundles in `dir`, deleting the oldest first; each bundle goes with its sidecar, its ISSUE.md and an unfinished upload's state. */
export async function applyRetention(dir: string, policy: RetentionPolicy, options: RetentionOptions = {}): Promise<RetentionResult> {
  validatePolicy(policy);
  const now = options.now ?? new Date();
  const { bundles, foreign, warnings } = await listBundles(dir, { ...options, now });
  const doomed = planRetention(bundles, policy, { now, ...(options.protect ? { protect: options.protect } : {}) });
  const deleted: Deletion[] = [];
  const failed: { name: string; error: string }[] = [];
  const kept: BundleFile[] = [];
  // Oldest first, so an interruption leaves the newest ones.
  for (const b of [...bundles].reverse()) {
    const reason = doomed.get(b.path);
    if (reason === undefined) {
      kept.unshift(b);
      continue;
    }
    if (!options.dryRun) {
      try {
        await unlink(b.path);
        options.cache?.delete(b.path);
      } catch (err) {
        if ((err as { code?: string }).code !== 'ENOENT') {
          failed.push({ name: b.name, error: errorMessage(err) });
          kept.unshift(b);
          continue;
        }
      }
      for (const extra of [b.sidecar, b.issue, b.uploadState]) {
        if (!extra) continue;
        await unlink(extra).catch((err: unknown) => {
          if ((err as { code?: string }).code !== 'ENOENT') failed.push({ name: basename(extra), error: errorMessage(err) });
        });
      }
    }
    deleted.push({ name: b.name, bytes: b.bytes, reason });
  }
  return { kept, deleted, failed, foreign, warnings };
}
