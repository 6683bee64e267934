/**
 * Commands the collectors start must never outlive their budget or the CLI. A real program that hangs
 * (a `git` on PATH that sleeps) stands in for a tool stuck on a dead NFS mount or a hung daemon.
 */
import { existsSync, readFileSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fileJson, readBundle } from '../helpers/bundle.js';
import { assertBuilt, cleanup, describeRun, listDir, onCleanup, runCli, startCli, tempDir, waitUntil } from './harness.js';
import type { CommandRecord } from '../../src/core/types.js';

beforeAll(assertBuilt);
afterEach(cleanup);

/** True while `pid` is a live process (a zombie counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    if (existsSync('/proc/self/stat')) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

/** A bin dir whose `git` records its pid and then sleeps for a minute; PATH with it first. */
async function hangingGit(): Promise<{ path: string; pid: () => number | undefined; pidFile: string }> {
  const bin = await tempDir('cb-bin-');
  const state = await tempDir('cb-state-');
  const pidFile = join(state, 'git.pid');
  await writeFile(join(bin, 'git'), `#!/bin/sh\necho $$ > '${pidFile}.tmp' && mv '${pidFile}.tmp' '${pidFile}'\nexec sleep 60\n`);
  await chmod(join(bin, 'git'), 0o755);
  const pid = (): number | undefined => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) || undefined : undefined);
  onCleanup(() => {
    const p = pid();
    if (p && alive(p)) process.kill(p, 'SIGKILL');
  });
  return { path: `${bin}${delimiter}${process.env['PATH'] ?? '/usr/bin:/bin'}`, pid, pidFile };
}

describe('a tool that hangs', () => {
  it('is killed after the per-command timeout; the run still completes', async () => {
    const git = await hangingGit();
    const out = await tempDir('cb-out-');
    const r = await runCli(['--only', 'system', '-o', out, '--json'], { env: { PATH: git.path }, killAfterMs: 60_000 });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.ms, describeRun(r)).toBeLessThan(30_000);

    const pid = git.pid();
    expect(pid, 'the fake git never ran').toBeDefined();
    await waitUntil(() => !alive(pid!), 5_000, `the hung git (pid ${pid}) to be gone`);

    const [tar] = (await listDir(out)).filter((f) => f.endsWith('.tar.gz'));
    const entries = await readBundle(join(out, tar!));
    const manifest = fileJson(entries, 'manifest.json');
    const system = manifest.collectors[0];
    expect(system.status).toBe('ok');
    const cmd = system.commands.find((c: CommandRecord) => c.argv[0]!.endsWith('/git'));
    expect(cmd, JSON.stringify(system.commands)).toMatchObject({ timedOut: true, exitCode: null, error: 'timed out and was killed' });
    expect(cmd.durationMs).toBeGreaterThanOrEqual(4_500);
    expect(fileJson(entries, 'system/versions.json').git).toMatchObject({ error: 'timed out and was killed' });
  }, 60_000);

  it('is killed at once on Ctrl-C; exit 130, nothing left behind', async () => {
    const git = await hangingGit();
    const out = await tempDir('cb-out-');
    const cli = startCli(['--only', 'system', '--timeout', '60', '-o', out], { env: { PATH: git.path }, killAfterMs: 60_000 });
    await waitUntil(() => git.pid() !== undefined || cli.child.exitCode !== null, 30_000, 'the fake git to start');
    const pid = git.pid();
    expect(pid, `the fake git never started; the CLI exited ${cli.child.exitCode}; stderr: ${cli.stderr()}`).toBeDefined();
    cli.child.kill('SIGINT');
    const r = await cli.result;
    expect(r.code, describeRun(r)).toBe(130);
    await waitUntil(() => !alive(pid!), 5_000, `the hung git (pid ${pid}) to be killed`);
    expect(await listDir(out)).toEqual([]);
  }, 60_000);
});
