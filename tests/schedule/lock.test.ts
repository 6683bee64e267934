/**
 * The output-directory lock of `schedule`: atomic creation, refusal, stale takeover (dead pid, our own
 * pid from an earlier life, an earlier boot, not refreshed for too long), the holder's refresh, release.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, LOCK_FILE, LockHeldError, pidAlive } from '../../src/schedule/lock.js';

let dir: string;
const children: ChildProcess[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cb-lock-'));
});
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

/** The pid of a real, live process that is not this one (a `sleep` child, killed after the test). */
function livePid(): number {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(child);
  expect(child.pid).toBeDefined();
  expect(pidAlive(child.pid!)).toBe(true);
  return child.pid!;
}

const bootId = (): Promise<string> => readFile('/proc/sys/kernel/random/boot_id', 'utf8').then((s) => s.trim());
const writeLock = (info: Record<string, unknown>): Promise<void> => writeFile(join(dir, LOCK_FILE), JSON.stringify(info));

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

  it('refuses a lock of a live process of this boot on this host', async () => {
    const pid = livePid();
    await writeLock({ pid, host: hostname(), startedAt: new Date().toISOString(), token: 'live', bootId: await bootId() });
    const err = await acquireLock(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockHeldError);
    expect((err as Error).message).toContain(`in use by collect-bundle pid ${pid}`);
  });

  it('takes over a lock recorded with our own pid that this process does not hold (a restarted container\'s pid 1)', async () => {
    await writeLock({ pid: process.pid, host: hostname(), startedAt: new Date(Date.now() - 60_000).toISOString(), token: 'earlier-life', bootId: await bootId() });
    const lock = await acquireLock(dir);
    expect(lock.warning).toMatch(new RegExp(`took over the stale lock of pid ${process.pid} .*this process`));
    expect(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')).token).toBe(lock.info.token);
    await lock.release();
  });

  it('takes over a lock from before this boot even when its pid is alive again', async () => {
    const pid = livePid();
    await writeLock({ pid, host: hostname(), startedAt: new Date().toISOString(), token: 'old-boot', bootId: 'another-boot-0000' });
    const lock = await acquireLock(dir);
    expect(lock.warning).toMatch(/before this boot/);
    expect(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, bootId: await bootId() });
    await lock.release();
    // A lock of an older version (no boot id), started before the machine booted.
    await writeLock({ pid: livePid(), host: hostname(), startedAt: '2000-01-01T00:00:00.000Z', token: 'ancient' });
    const again = await acquireLock(dir);
    expect(again.warning).toMatch(/before this boot/);
    await again.release();
  });

  it('a lock not refreshed for over 5 minutes is stale on any host; a fresh foreign one is not', async () => {
    await writeLock({ pid: livePid(), host: 'elsewhere.example', startedAt: new Date().toISOString(), token: 'x' });
    await expect(acquireLock(dir)).rejects.toThrow(/on host elsewhere\.example/);
    const old = new Date(Date.now() - 6 * 60_000);
    await utimes(join(dir, LOCK_FILE), old, old);
    const lock = await acquireLock(dir);
    expect(lock.warning).toMatch(/not refreshed for 6m/);
    await lock.release();
  });

  it('the holder keeps refreshing the lock file\'s mtime until it releases it', async () => {
    const lock = await acquireLock(dir, { refreshMs: 50 });
    const path = join(dir, LOCK_FILE);
    const old = new Date(Date.now() - 3_600_000);
    await utimes(path, old, old);
    for (let i = 0; i < 200 && (await stat(path)).mtimeMs < Date.now() - 60_000; i++) await new Promise((r) => setTimeout(r, 25));
    expect((await stat(path)).mtimeMs).toBeGreaterThan(Date.now() - 60_000);
    await lock.release();
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('racing for a free lock: one wins, every other sees a complete lock (never an empty file)', async () => {
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_v, i) => acquireLock(dir, { pid: 1_000_000 + i, isAlive: () => true })));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(String(r.reason)).toMatch(/is in use by collect-bundle pid 1000/);
    expect(await readdir(dir)).toEqual([LOCK_FILE]); // no temp files left beside it
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
