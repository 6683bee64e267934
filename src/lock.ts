/**
 * The output-directory lock of `collect-bundle schedule`: `<output-dir>/.collect-bundle.lock`, created
 * with O_EXCL and holding the owner's pid, host and start time. It keeps two schedulers (or a scheduler
 * and a `--prune-only`) from writing and pruning the same directory at once. A lock whose process is
 * gone (same host, pid not alive) is stale and is taken over with a warning.
 */
import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { errorMessage } from './artifacts.js';

/** The lock file's name inside the output directory. */
export const LOCK_FILE = '.collect-bundle.lock';

/** What the lock file holds (JSON). */
export interface LockInfo {
  readonly pid: number;
  readonly host: string;
  /** ISO time the holder took the lock. */
  readonly startedAt: string;
  /** Random id of this holding, so a holder removes only its own lock. */
  readonly token: string;
}

/** The directory is locked by a live process (or by one on another host). */
export class LockHeldError extends Error {
  override name = 'LockHeldError';
  constructor(
    message: string,
    readonly holder: LockInfo | undefined,
  ) {
    super(message);
  }
}

/** A held lock. */
export interface Lock {
  readonly path: string;
  readonly info: LockInfo;
  /** Set when a stale lock was taken over: one line for the log. */
  readonly warning?: string;
  /** Removes the lock file if it is still ours. Safe to call more than once. */
  release(): Promise<void>;
}

export interface LockOptions {
  /** Default: this process. */
  readonly pid?: number;
  /** Default: os.hostname(). */
  readonly host?: string;
  /** Whether a pid is alive on this host; default: `process.kill(pid, 0)`. */
  readonly isAlive?: (pid: number) => boolean;
  /** A lock file still empty or unreadable after this long is stale (its writer died while creating it). */
  readonly emptyGraceMs?: number;
}

/** `process.kill(pid, 0)`: EPERM means it exists but belongs to someone else, so it is alive. */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

/**
 * Takes the lock of `dir` (which must exist). Throws LockHeldError, naming the holder and the fix,
 * when another live process holds it; other errors (permissions) are thrown as they are.
 */
export async function acquireLock(dir: string, options: LockOptions = {}): Promise<Lock> {
  const path = join(dir, LOCK_FILE);
  const info: LockInfo = {
    pid: options.pid ?? process.pid,
    host: options.host ?? hostname(),
    startedAt: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  const isAlive = options.isAlive ?? pidAlive;
  let warning: string | undefined;
  // Two rounds: the second follows the removal of a stale lock (another scheduler may win it meanwhile).
  for (let round = 0; round < 3; round++) {
    if (await tryCreate(path, info)) return makeLock(path, info, warning);
    const held = await readLock(path);
    if (held === 'gone') continue; // removed between our attempt and the read: try again
    if (held === 'unreadable') {
      const age = await stat(path).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age < (options.emptyGraceMs ?? 10_000)) {
        throw new LockHeldError(`${path} is being created by another collect-bundle process; wait a moment and try again, or use another --output-dir`, undefined);
      }
      warning = `took over the unreadable lock file ${path} (left by a process that died while creating it)`;
      await takeOver(path, undefined);
      continue;
    }
    if (held.host !== info.host) {
      throw new LockHeldError(
        `${dir} is locked by collect-bundle pid ${held.pid} on host ${held.host} (since ${held.startedAt}); two schedulers must not share an output directory: stop that one or use another --output-dir (if it no longer runs, delete ${path})`,
        held,
      );
    }
    if (isAlive(held.pid)) {
      throw new LockHeldError(
        `${dir} is in use by collect-bundle pid ${held.pid} (since ${held.startedAt}); stop it first (kill ${held.pid}) or use another --output-dir`,
        held,
      );
    }
    warning = `took over the stale lock of pid ${held.pid} (no longer running, started ${held.startedAt}) in ${dir}`;
    await takeOver(path, held);
  }
  throw new LockHeldError(`could not take the lock ${path}: other collect-bundle processes keep taking it; use another --output-dir`, undefined);
}

async function tryCreate(path: string, info: LockInfo): Promise<boolean> {
  let fh;
  try {
    fh = await open(path, 'wx', 0o644);
  } catch (err) {
    if ((err as { code?: string }).code === 'EEXIST') return false;
    throw new Error(`cannot create the lock file ${path}: ${errorMessage(err)}`, { cause: err });
  }
  try {
    await fh.writeFile(`${JSON.stringify(info)}\n`);
  } finally {
    await fh.close();
  }
  return true;
}

async function readLock(path: string): Promise<LockInfo | 'gone' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return 'gone';
    throw new Error(`cannot read the lock file ${path}: ${errorMessage(err)}`, { cause: err });
  }
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (typeof v.pid === 'number' && typeof v.host === 'string') {
      return { pid: v.pid, host: v.host, startedAt: String(v.startedAt ?? 'an unknown time'), token: String(v.token ?? '') };
    }
  } catch {
    // fall through
  }
  return 'unreadable';
}

/**
 * Removes a stale lock without removing a fresh one that another process created in the meantime:
 * the file is first renamed aside, and put back if it turns out not to be the stale one we judged.
 */
async function takeOver(path: string, stale: LockInfo | undefined): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return;
    throw new Error(`cannot remove the stale lock file ${path}: ${errorMessage(err)}`, { cause: err });
  }
  const moved = await readLock(aside);
  const same = stale === undefined ? moved === 'unreadable' : typeof moved === 'object' && moved.pid === stale.pid && moved.token === stale.token;
  if (!same) await link(aside, path).catch(() => undefined); // someone else's fresh lock: restore it
  await unlink(aside).catch(() => undefined);
}

function makeLock(path: string, info: LockInfo, warning: string | undefined): Lock {
  let released = false;
  return {
    path,
    info,
    ...(warning ? { warning } : {}),
    async release() {
      if (released) return;
      released = true;
      const held = await readLock(path).catch(() => 'gone' as const);
      if (typeof held === 'object' && held.token === info.token) await unlink(path).catch(() => undefined);
    },
  };
}
