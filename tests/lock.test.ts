/** The output-directory lock of `schedule`: O_EXCL creation, refusal, stale takeover, release. */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, LOCK_FILE, LockHeldError, pidAlive } from '../src/lock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cb-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The pid of a real process that has already exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const pid = Number(r.stdout);
  expect(pidAlive(pid)).toBe(false);
  return pid;
}

describe('acquireLock', () => {
  it('writes pid, host and start time into <dir>/.collect-bundle.lock and removes it on release', async () => {
    const lock = await acquireLock(dir);
    const held = JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8'));
    expect(held).toMatchObject({ pid: process.pid, host: hostname() });
    expect(Number.isNaN(Date.parse(held.startedAt))).toBe(false);
    expect(lock.warning).toBeUndefined();
    await lock.release();
    await expect(readFile(join(dir, LOCK_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
    await lock.release(); // twice is fine
  });

  it('refuses while a live process holds it, naming the pid and the fix', async () => {
    const first = await acquireLock(dir);
    const err = await acquireLock(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockHeldError);
    const message = (err as Error).message;
    expect(message).toContain(`pid ${process.pid}`);
    expect(message).toMatch(/stop it first .*or use another --output-dir/);
    expect(message).not.toContain('\n');
    await first.release();
    const again = await acquireLock(dir);
    await again.release();
  });

  it('takes over a stale lock (same host, dead pid) with a warning', async () => {
    const pid = deadPid();
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z', token: 'old' }));
    const lock = await acquireLock(dir);
    expect(lock.warning).toContain(`stale lock of pid ${pid}`);
    expect(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  it('does not take over a lock from another host, whatever its pid', async () => {
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: deadPid(), host: 'elsewhere.example', startedAt: '2026-01-01T00:00:00.000Z', token: 'x' }));
    await expect(acquireLock(dir)).rejects.toThrow(/on host elsewhere\.example.*delete .*\.collect-bundle\.lock/);
  });

  it('treats a fresh unreadable lock as being created, an old one as stale', async () => {
    const path = join(dir, LOCK_FILE);
    await writeFile(path, '');
    await expect(acquireLock(dir)).rejects.toThrow(/being created by another collect-bundle process/);
    const old = new Date(Date.now() - 60_000);
    await utimes(path, old, old);
    const lock = await acquireLock(dir);
    expect(lock.warning).toContain('unreadable lock file');
    await lock.release();
  });

  it('release leaves a lock that is no longer its own', async () => {
    const lock = await acquireLock(dir);
    const other = JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), token: 'someone-else' });
    await writeFile(join(dir, LOCK_FILE), other);
    await lock.release();
    expect(await readFile(join(dir, LOCK_FILE), 'utf8')).toBe(other);
  });
});
