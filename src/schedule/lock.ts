// Room: schedule (src/schedule/) — may import core, config, run, bundle, collectors (the rule: tests/architecture.test.ts).
/**
 * The output-directory lock of `collect-bundle schedule`: `<output-dir>/.collect-bundle.lock`, holding
 * the owner's pid, host, boot id and start time. It keeps two schedulers (or a scheduler and a
 * `--prune-only`) from writing and pruning the same directory at once. The JSON is written to a temp
 * file first and hard-linked into place, so the lock file is never seen empty or half written.
 *
 * A lock is stale, and taken over with a warning, when
 * - its holder has not refreshed its mtime for STALE_AFTER_MS (the holder touches it every
 *   REFRESH_MS), on any host: the holder died, or hangs, or its machine is gone;
 * - on this host: its pid is not alive; its pid is OUR pid but this process does not hold it (a
 *   restarted container's scheduler is pid 1 every time); or it was taken before this boot (another
 *   boot id, or a start time before the boot), when the pid may belong to anything now.
 */
import { randomBytes } from 'node:crypto';
import { type FileHandle, link, open, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname, uptime } from 'node:os';
import { join } from 'node:path';
import { errorMessage } from '../core/artifacts.js';
import { CliError } from '../core/errors.js';
import { readInput } from '../core/open-input.js';

/** The lock file's name inside the output directory. */
export const LOCK_FILE = '.collect-bundle.lock';

/** How often the holder touches the lock file. */
export const REFRESH_MS = 30_000;
/** A lock file not touched for this long is stale on any host. */
export const STALE_AFTER_MS = 5 * 60_000;

/**
 * Tokens of the locks this process holds right now. Process state by nature: it is what tells "our pid,
 * our lock" from "our pid, a lock left by an earlier process that had the same pid".
 */
const heldHere = new Set<string>();

/** What the lock file holds (JSON). */
export interface LockInfo {
  readonly pid: number;
  readonly host: string;
  /** ISO time the holder took the lock. */
  readonly startedAt: string;
  /** Random id of this holding, so a holder removes only its own lock. */
  readonly token: string;
  /** The kernel's boot id when the lock was taken (Linux); absent where there is none. */
  readonly bootId?: string;
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
  /** How often the holder touches the lock file; default REFRESH_MS. */
  readonly refreshMs?: number;
  /** A lock not touched for this long is stale on any host; default STALE_AFTER_MS. */
  readonly staleAfterMs?: number;
}

/** This boot's id (`/proc/sys/kernel/random/boot_id`), undefined where the system has none. */
export async function currentBootId(): Promise<string | undefined> {
  return readFile('/proc/sys/kernel/random/boot_id', 'utf8').then(
    (s) => s.trim() || undefined,
    () => undefined,
  );
}

/** `6m`, `2h 5m`: an age for the warning. */
function age(ms: number): string {
  const m = Math.floor(ms / 60_000);
  return m < 60 ? `${m}m` : `${Math.floor(m / 60)}h ${m % 60}m`;
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
  const bootId = await currentBootId();
  const info: LockInfo = {
    pid: options.pid ?? process.pid,
    host: options.host ?? hostname(),
    startedAt: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
    ...(bootId ? { bootId } : {}),
  };
  const staleAfterMs = options.staleAfterMs ?? STALE_AFTER_MS;
  const isAlive = options.isAlive ?? pidAlive;
  let warning: string | undefined;
  // Two rounds: the second follows the removal of a stale lock (another scheduler may win it meanwhile).
  for (let round = 0; round < 3; round++) {
    if (await tryCreate(path, info)) return makeLock(path, info, warning, options.refreshMs ?? REFRESH_MS);
    const held = await readLock(path);
    if (held === 'gone') continue; // removed between our attempt and the read: try again
    if (held === 'unreadable') {
      const age = await stat(path).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age < (options.emptyGraceMs ?? 10_000)) {
        throw new LockHeldError(
          `${path} is being created by another collect-bundle process; wait a moment and try again, or use another --output-dir`,
          undefined,
        );
      }
      warning = `took over the unreadable lock file ${path} (left by a process that died while creating it)`;
      await takeOver(path, undefined);
      continue;
    }
    const untouched = await stat(path).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    const stale = staleReason(held, info, untouched, staleAfterMs);
    if (stale) {
      warning = `took over the stale lock of pid ${held.pid} on ${held.host} (${stale}, started ${held.startedAt}) in ${dir}`;
      await takeOver(path, held);
      continue;
    }
    if (held.host !== info.host) {
      throw new LockHeldError(
        `${dir} is locked by collect-bundle pid ${held.pid} on host ${held.host} (since ${held.startedAt}); two schedulers must not share an output directory: stop that one or use another --output-dir (if it no longer runs, delete ${path}, or wait: a lock not refreshed for ${age(staleAfterMs)} is taken over)`,
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

/** Why a lock judged by its content and age is stale; undefined when it may still be held. The dead-pid case is the caller's. */
function staleReason(held: LockInfo, ours: LockInfo, untouchedMs: number, staleAfterMs: number): string | undefined {
  if (untouchedMs > staleAfterMs) return `not refreshed for ${age(untouchedMs)}`;
  if (held.host !== ours.host) return undefined;
  if (held.pid === ours.pid && !heldHere.has(held.token))
    return `pid ${held.pid} is this process, which does not hold it: left by an earlier process with the same pid`;
  if (held.bootId && ours.bootId && held.bootId !== ours.bootId) return 'taken before this boot';
  const started = Date.parse(held.startedAt);
  // No boot id (an older lock): a start time clearly before the boot says the same.
  if (!held.bootId && Number.isFinite(started) && started < Date.now() - uptime() * 1000 - 60_000) return 'taken before this boot';
  return undefined;
}

/**
 * Creates the lock file complete or not at all: the JSON goes to a private temp file, which is then
 * hard-linked to the lock path (EEXIST: held). A reader never sees an empty lock.
 */
async function tryCreate(path: string, info: LockInfo): Promise<boolean> {
  const text = `${JSON.stringify(info)}\n`;
  const temp = `${path}.new-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(temp, text, { flag: 'wx', mode: 0o644 });
  } catch (err) {
    throw new Error(`cannot create the lock file ${path}: ${errorMessage(err)}`, { cause: err });
  }
  try {
    await link(temp, path);
    return true;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EEXIST') return false;
    // A file system without hard links: O_EXCL, with the short window of an empty file.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EOPNOTSUPP') return tryCreateExcl(path, text);
    throw new Error(`cannot create the lock file ${path}: ${errorMessage(err)}`, { cause: err });
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

async function tryCreateExcl(path: string, text: string): Promise<boolean> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'wx', 0o644);
  } catch (err) {
    if ((err as { code?: string }).code === 'EEXIST') return false;
    throw new Error(`cannot create the lock file ${path}: ${errorMessage(err)}`, { cause: err });
  }
  try {
    await fh.writeFile(text);
  } finally {
    await fh.close();
  }
  return true;
}

async function readLock(path: string): Promise<LockInfo | 'gone' | 'unreadable'> {
  let text: string;
  try {
    // Never blocking: a FIFO planted at the lock's path is refused (exit 2), not waited on.
    text = await readInput(path, { what: 'the lock file', hint: 'remove it; a lock is always a regular file', encoding: 'utf8' });
  } catch (err) {
    if (err instanceof CliError) throw err;
    if ((err as { code?: string }).code === 'ENOENT') return 'gone';
    throw new Error(`cannot read the lock file ${path}: ${errorMessage(err)}`, { cause: err });
  }
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (typeof v.pid === 'number' && typeof v.host === 'string') {
      return {
        pid: v.pid,
        host: v.host,
        startedAt: String(v.startedAt ?? 'an unknown time'),
        token: String(v.token ?? ''),
        ...(typeof v.bootId === 'string' ? { bootId: v.bootId } : {}),
      };
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

function makeLock(path: string, info: LockInfo, warning: string | undefined, refreshMs: number): Lock {
  let released = false;
  heldHere.add(info.token);
  // Touch the lock while it is still ours, so others can tell a live holder from a dead or hung one.
  const refresh = async (): Promise<void> => {
    const held = await readLock(path).catch(() => 'gone' as const);
    if (released || typeof held !== 'object' || held.token !== info.token) return;
    const now = new Date();
    await utimes(path, now, now).catch(() => undefined);
  };
  const timer = setInterval(() => void refresh(), refreshMs);
  timer.unref();
  return {
    path,
    info,
    ...(warning ? { warning } : {}),
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      heldHere.delete(info.token);
      const held = await readLock(path).catch(() => 'gone' as const);
      if (typeof held === 'object' && held.token === info.token) await unlink(path).catch(() => undefined);
    },
  };
}
