/**
 * issue #18: the check-then-open race. A bundle or `--config` checked as a regular file and then
 * swapped for a FIFO must never block its reader: every read opens once (O_NONBLOCK) and checks
 * that descriptor with fstat. A reader handed a FIFO directly (the check already passed) refuses it
 * at once; a path swapped back and forth thousands of times a second while it is read is either read
 * or refused, never waited on.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { openSync, closeSync, constants } from 'node:fs';
import { lstat, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forEachEntry, readBundle, readEntryText } from '../../src/bundle/reader.js';
import { verifyBundle } from '../../src/bundle/verify.js';
import { loadConfig } from '../../src/config/config.js';

let dir: string;
let swapper: ChildProcess | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cb-fifo-swap-'));
});
afterEach(async () => {
  swapper?.kill('SIGKILL');
  swapper = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** Settles like `p`, or rejects after `ms` (a reader blocked on a FIFO never settles). */
const within = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`still waiting after ${ms} ms: blocked on a FIFO`)), ms))]);

/** Renames a regular file and a fresh FIFO over `target` in turn, as fast as it can, until killed. */
function startSwapping(target: string, content: string): ChildProcess {
  const py = `
import os, sys
t, body = sys.argv[1], sys.argv[2].encode()
i = 0
while True:
    i += 1
    reg, fifo = f"{t}.r{i}", f"{t}.f{i}"
    with open(reg, "wb") as f: f.write(body)
    os.replace(reg, t)
    os.mkfifo(fifo)
    os.replace(fifo, t)
`;
  return spawn('python3', ['-c', py, target, content], { stdio: 'ignore' });
}

/** Waits until the swapper has put a FIFO at `path` once (python starts slowly on a busy machine). */
async function swapping(path: string): Promise<void> {
  for (const began = performance.now(); performance.now() - began < 20_000; await new Promise((r) => setTimeout(r, 5))) {
    if ((await lstat(path).catch(() => undefined))?.isFIFO()) return;
  }
  throw new Error('the swapper never put a FIFO in place');
}

/** Opens every FIFO left at `path` for writing without blocking, so a reader stuck on it (old code) is released. */
function release(path: string): void {
  try {
    closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // not a FIFO, or no reader waiting: nothing to release
  }
}

describe('bundle readers given a FIFO after the check passed', () => {
  it('forEachEntry, readEntryText, readBundle and verifyBundle refuse it at once, naming it', async () => {
    const path = join(dir, 'b.tar.gz');
    execFileSync('mkfifo', [path]);
    const calls: [string, () => Promise<unknown>][] = [
      ['forEachEntry', () => forEachEntry(path, async () => undefined)],
      ['readEntryText', () => readEntryText(path, 'manifest.json')],
      ['readBundle', () => readBundle(path)],
      ['verifyBundle', () => verifyBundle(path)],
    ];
    try {
      for (const [name, call] of calls) {
        const outcome = await within(
          call().then(
            (v) => ({ v }),
            (e: unknown) => ({ e }),
          ),
          3000,
        );
        const text = 'e' in outcome ? String((outcome.e as Error).message) : JSON.stringify(outcome.v);
        expect(text, name).toMatch(/is a FIFO, not a regular file/);
      }
    } finally {
      release(path);
    }
  });
});

describe('a path swapped between a regular file and a FIFO while it is read', () => {
  it('--config: every load reads the file or refuses the FIFO, none blocks', async () => {
    const file = join(dir, 'collect-bundle.config.json');
    await writeFile(file, '{}');
    swapper = startSwapping(file, JSON.stringify({ concurrency: 3 }));
    await swapping(file);
    let read = 0;
    let refused = 0;
    try {
      for (let i = 0; i < 300 || ((read === 0 || refused === 0) && i < 5000); i++) {
        const outcome = await within(
          loadConfig({ file, cwd: dir }).then(
            (c) => ({ c }),
            (e: unknown) => ({ e }),
          ),
          3000,
        );
        if ('c' in outcome) read++;
        else {
          expect(String((outcome.e as Error).message)).toMatch(/is a FIFO, not a regular file|does not exist/);
          refused++;
        }
      }
    } finally {
      swapper.kill('SIGKILL');
      release(file);
    }
    expect(read).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  }, 60_000);

  it('a bundle: readEntryText reads or refuses, never blocks', async () => {
    const file = join(dir, 'b.tar.gz');
    await writeFile(file, 'not a gzip');
    swapper = startSwapping(file, 'not a gzip');
    await swapping(file);
    let refused = 0;
    try {
      for (let i = 0; i < 300 || (refused === 0 && i < 5000); i++) {
        const e = await within(
          readEntryText(file, 'manifest.json').then(
            () => undefined,
            (err: unknown) => err as Error,
          ),
          3000,
        );
        if (e && /is a FIFO/.test(e.message)) refused++;
      }
    } finally {
      swapper.kill('SIGKILL');
      release(file);
    }
    expect(refused).toBeGreaterThan(0);
  }, 60_000);
});
