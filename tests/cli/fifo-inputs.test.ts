/**
 * issue #18 part 4: a FIFO named as any input of the real CLI (a bundle, --config, a literals or key
 * file, --env-file, an input of `redact`, the schedule lock) is refused at once with one line naming it,
 * never waited on. Each run has a short kill timer: a hang fails the test as `killed`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, assertBuilt, cleanup, cliEnv, describeRun, runCli, tempDir } from './harness.js';

beforeAll(assertBuilt);
afterEach(cleanup);

const KILL_MS = 20_000;
const FIFO_LINE = /is a FIFO, not a regular file: /;

async function fifoDir(): Promise<{ dir: string; fifo: string; text: string }> {
  const dir = await tempDir('cb-fifo-');
  const fifo = join(dir, 'p.tar.gz');
  execFileSync('mkfifo', [fifo]);
  const text = join(dir, 'plain.txt');
  await writeFile(text, 'password=hunter2hunter2\n');
  return { dir, fifo, text };
}

describe('a FIFO as an input is refused, not waited on', () => {
  const cases: [string, (f: { fifo: string; text: string }) => string[], number][] = [
    ['inspect FIFO', (f) => ['inspect', f.fifo], 2],
    ['inspect FIFO --file', (f) => ['inspect', f.fifo, '--file', 'manifest.json'], 2],
    ['verify FIFO', (f) => ['verify', f.fifo], 2],
    ['analyze FIFO', (f) => ['analyze', f.fifo], 2],
    ['diff FIFO FIFO', (f) => ['diff', f.fifo, f.fifo], 2],
    ['redact FIFO', (f) => ['redact', f.fifo], 2],
    ['--config FIFO', (f) => ['redact', '--config', f.fifo, f.text], 2],
    ['--redact-literals-file FIFO', (f) => ['redact', '--redact-literals-file', f.fifo, f.text], 2],
    ['--redaction-key-file FIFO', (f) => ['redact', '--redaction-key-file', f.fifo, f.text], 2],
    ['collect --env-file FIFO', (f) => ['--no-config', '--only', 'system', '--env-file', f.fifo, '-o', join(f.text, '..', 'out')], 2],
  ];
  it.each(cases)('%s: one line naming it, exit 2', async (_name, args, code) => {
    const f = await fifoDir();
    const r = await runCli(args(f), { killAfterMs: KILL_MS });
    expect(r.killed, describeRun(r)).toBe(false);
    expect(r.code, describeRun(r)).toBe(code);
    expect(r.stderr).toMatch(FIFO_LINE);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.stdout).toBe('');
  });

  it('analyze BUNDLE --env-file FIFO through the real bin/ launcher (Node itself must not open the FIFO)', async () => {
    const f = await fifoDir();
    // Executed directly, so its shebang decides how Node is started.
    const child = spawn(BIN, ['analyze', f.text, '--env-file', f.fifo], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), KILL_MS);
    const [code, signal] = await new Promise<[number | null, string | null]>((res) => child.once('close', (c, s) => res([c, s])));
    clearTimeout(timer);
    expect(signal, err).toBeNull();
    expect(code, err).toBe(2);
    expect(err).toMatch(FIFO_LINE);
  });

  it('a FIFO named package.json in the working directory and its parent is never read: --version, --help, collect', async () => {
    // Seen when yargs was bundled into dist/cli/: it then looked for a package.json from the working
    // directory up at every start, and a FIFO there hung the process past SIGTERM.
    const f = await fifoDir();
    const cwd = join(f.text, '..', 'project', 'app');
    await mkdir(cwd, { recursive: true });
    execFileSync('mkfifo', [join(cwd, 'package.json')]);
    execFileSync('mkfifo', [join(cwd, '..', 'package.json')]);
    for (const args of [['--version'], ['--help'], ['--only', 'cloudrun', '-o', join(f.text, '..', 'out'), '-q']]) {
      const r = await runCli(args, { cwd, killAfterMs: KILL_MS });
      expect(r.killed, describeRun(r)).toBe(false);
      expect(r.code, describeRun(r)).toBe(0);
    }
  });

  it('schedule with a FIFO at <out>/.collect-bundle.lock stops with one line naming the lock', async () => {
    const f = await fifoDir();
    const out = join(f.text, '..', 'out');
    await mkdir(out);
    execFileSync('mkfifo', [join(out, '.collect-bundle.lock')]);
    const r = await runCli(['schedule', '--no-config', '--every', '1h', '--only', 'system', '-o', out], { killAfterMs: KILL_MS });
    expect(r.killed, describeRun(r)).toBe(false);
    expect(r.code, describeRun(r)).toBe(1); // the output directory is unusable: exit 1, as for any output error
    expect(r.stderr).toMatch(/the lock file .*\.collect-bundle\.lock is a FIFO, not a regular file: remove it/);
  });
});
