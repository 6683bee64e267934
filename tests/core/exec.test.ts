import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createExec } from '../../src/core/exec.js';
import type { CommandRecord } from '../../src/core/types.js';

const setup = (signal = new AbortController().signal) => {
  const records: CommandRecord[] = [];
  return { exec: createExec({ signal, record: (r) => records.push(r) }), records };
};
/** Running, as opposed to gone or a zombie waiting for init to reap it (killed all the same). */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
};

/** The process group of a running process, from /proc/PID/stat (field 5). */
const processGroup = (pid: number): number =>
  Number(
    readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /s, '')
      .split(' ')[2],
  );
/** Running (not zombie) processes of a process group. */
const groupMembers = (pgid: number): number[] =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        const rest = readFileSync(`/proc/${d}/stat`, 'utf8')
          .replace(/^.*\) /s, '')
          .split(' ');
        return Number(rest[2]) === pgid && rest[0] !== 'Z' ? [Number(d)] : [];
      } catch {
        return [];
      }
    });

describe('exec', () => {
  it('runs argv without a shell: metacharacters are plain arguments', async () => {
    const { exec } = setup();
    const r = await exec.run('echo', ['$HOME', '; rm -rf /', '`id`']);
    expect(r.stdout).toBe('$HOME ; rm -rf / `id`\n');
    expect(r.exitCode).toBe(0);
  });

  it('closes stdin, so a command that reads it sees end of file at once', async () => {
    const { exec } = setup();
    const r = await exec.run('cat', [], { timeoutMs: 5_000 });
    expect(r).toMatchObject({ exitCode: 0, stdout: '', timedOut: false });
  });

  it('reports a non-zero exit and stderr without throwing, and records it', async () => {
    const { exec, records } = setup();
    const r = await exec.run('sh', ['-c', 'echo oops >&2; exit 7']);
    expect(r).toMatchObject({ exitCode: 7, stderr: 'oops\n' });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ argv: ['sh', '-c', 'echo oops >&2; exit 7'], exitCode: 7, timedOut: false });
    expect(records[0]!.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('keeps the tail of stderr in the record only when asked (recordStderr)', async () => {
    const { exec, records } = setup();
    const script = 'i=0; while [ $i -lt 1000 ]; do echo "warning $i" >&2; i=$((i+1)); done; echo out';
    const r = await exec.run('sh', ['-c', script], { recordStderr: true });
    expect(r.stdout).toBe('out\n');
    expect(records[0]!.stderrTail!.length).toBeLessThanOrEqual(4096);
    expect(records[0]!.stderrTail!.endsWith('warning 999')).toBe(true);
    await exec.run('sh', ['-c', 'echo oops >&2']);
    await exec.run('true', [], { recordStderr: true });
    expect(records[1]).not.toHaveProperty('stderrTail');
    expect(records[2]).not.toHaveProperty('stderrTail'); // nothing on stderr: nothing recorded
  });

  it('names a missing program and the fix', async () => {
    const { exec, records } = setup();
    const r = await exec.run('no-such-program-cb', ['x']);
    expect(r.exitCode).toBeNull();
    expect(r.error).toBe('no-such-program-cb: not found (is it installed and on PATH?)');
    expect(records[0]!.error).toBe(r.error);
  });

  it('keeps the tail of output beyond maxBuffer and says so', async () => {
    const { exec } = setup();
    const r = await exec.run('sh', ['-c', 'i=0; while [ $i -lt 2000 ]; do echo line$i; i=$((i+1)); done'], { maxBuffer: 100 });
    expect(r.truncated).toBe(true);
    expect(r.stdout.length).toBeLessThanOrEqual(100);
    expect(r.stdout.endsWith('line1999\n')).toBe(true);
  });

  it('kills a timed-out command together with its children', async () => {
    const { exec, records } = setup();
    const began = Date.now();
    // The child prints its background grandchild's pid, then both sleep.
    const r = await exec.run('sh', ['-c', 'sleep 300 & echo $!; sleep 300'], { timeoutMs: 500 });
    expect(Date.now() - began).toBeLessThan(5_000);
    expect(r.timedOut).toBe(true);
    expect(r.error).toMatch(/timed out/);
    const grandchild = Number(r.stdout.trim());
    expect(grandchild).toBeGreaterThan(0);
    await new Promise((res) => setTimeout(res, 200));
    expect(alive(grandchild)).toBe(false);
    expect(records[0]!.timedOut).toBe(true);
  });

  it('kills a streaming command and its children when the collector is aborted', async () => {
    const ac = new AbortController();
    const { exec, records } = setup(ac.signal);
    const opened = exec.stream('sh', ['-c', 'sleep 300 & echo $!; sleep 300']);
    let out = '';
    const reading = (async () => {
      for await (const c of opened.stream as AsyncIterable<Buffer>) out += c.toString();
    })();
    while (!out.includes('\n')) await new Promise((r) => setTimeout(r, 20));
    const group = processGroup(Number(out.trim()));
    expect(group).toBeGreaterThan(0);
    ac.abort(new Error('Ctrl-C'));
    await reading;
    const rec = await opened.settle!();
    expect(rec).toMatchObject({ timedOut: false, error: 'interrupted and was killed' });
    await new Promise((res) => setTimeout(res, 200));
    expect(alive(Number(out.trim()))).toBe(false);
    expect(records).toHaveLength(1);
    // And nothing of its process group is left running (other tests may run a `sleep 300` of their own).
    expect(groupMembers(group)).toEqual([]);
  });
});
