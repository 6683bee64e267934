/** openInput / readInput / checkInput on real files: a FIFO (with and without a writer), a directory, a device, a missing path. */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliError } from '../../src/core/errors.js';
import { checkInput, openInput, readInput } from '../../src/core/open-input.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cb-open-input-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fifo = (name: string): string => {
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  return path;
};

describe('openInput', () => {
  it('reads a regular file', async () => {
    const file = join(dir, 'a.txt');
    await writeFile(file, 'hello\n');
    expect(await readInput(file, { encoding: 'utf8' })).toBe('hello\n');
    expect((await readInput(file)).equals(Buffer.from('hello\n'))).toBe(true);
    await expect(checkInput(file)).resolves.toBeUndefined();
  });

  it('refuses a FIFO without a writer at once, with one line naming it (exit 2)', async () => {
    const path = fifo('p.tar.gz');
    const began = performance.now();
    const err = await openInput(path, { what: '--config' }).catch((e: unknown) => e);
    expect(performance.now() - began).toBeLessThan(2000);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(2);
    expect((err as CliError).message).toBe(`--config ${path} is a FIFO, not a regular file: give a file path`);
  });

  it('refuses a FIFO that has a writer, reading nothing of it', async () => {
    const path = fifo('w');
    // A writer holding the FIFO open (sh blocks in its open until a reader comes, then writes).
    const writer = spawn('sh', ['-c', `printf 'SECRET' > '${path}'`], { stdio: 'ignore' });
    try {
      const err = await readInput(path, { encoding: 'utf8', hint: 'pass a bundle file' }).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/is a FIFO, not a regular file: pass a bundle file$/);
    } finally {
      writer.kill('SIGKILL');
    }
  });

  it('names a directory and a character device', async () => {
    await expect(checkInput(dir)).rejects.toThrow(`${dir} is a directory, not a regular file: give a file path`);
    await expect(checkInput('/dev/null', { what: 'literals file' })).rejects.toThrow('literals file /dev/null is a character device, not a regular file');
  });

  it('passes open errors through unchanged for the caller to word', async () => {
    const err = await openInput(join(dir, 'missing')).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(CliError);
    expect((err as { code?: string }).code).toBe('ENOENT');
  });
});
