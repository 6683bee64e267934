/**
 * The declarations built-in collectors yield (collectors/declare.ts), executed by the real runner with a
 * sink that reads each artifact as the writer does: a command's output, record and expected exit codes,
 * its timeout, and a file copied or refused (FIFO, binary, missing) with the reason.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command, file, group } from '../../collectors/declare.js';
import { defineCollector } from '../../src/core/artifacts.js';
import type { Artifact, ArtifactRecord, Collector, Output } from '../../src/core/types.js';
import { runCollectors, type ArtifactSink } from '../../src/run/runner.js';

function memorySink(): ArtifactSink & { stored: Map<string, string> } {
  const stored = new Map<string, string>();
  return {
    stored,
    async write(collector: string, artifact: Artifact, signal: AbortSignal): Promise<ArtifactRecord> {
      const opened = await artifact.open(signal);
      let body = '';
      for await (const c of opened.stream as AsyncIterable<Buffer | string>) body += c.toString();
      await opened.settle?.();
      const kept = artifact.maxBytes !== undefined && body.length > artifact.maxBytes ? body.slice(-artifact.maxBytes) : body;
      stored.set(`${collector}/${artifact.path}`, kept);
      return { path: `${collector}/${artifact.path}`, bytes: kept.length, sha256: 'x', truncated: kept !== body };
    },
  };
}

const declaring = (...outputs: Output[]): Collector =>
  defineCollector({
    name: 'd',
    description: 'declares things',
    defaultEnabled: true,
    defaults: {},
    async *collect() {
      yield* outputs;
    },
  });

async function run(c: Collector) {
  const sink = memorySink();
  const plan = {
    collectors: [c],
    optionsFor: () => ({}),
    concurrency: 1,
    timeoutMs: 20_000,
    signal: new AbortController().signal,
    deps: {
      dockerEndpoints: [],
      docker: () => {
        throw new Error('no docker');
      },
      env: process.env,
      secrets: { add() {} },
    },
  };
  const [record] = await runCollectors(plan, sink);
  return { record: record!, stored: sink.stored };
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'cb-declare-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('command(...)', () => {
  it('stores the combined output, records the command, and is quiet when the exit code is expected', async () => {
    const { record, stored } = await run(declaring(command('out.txt', ['sh', '-c', 'echo hello; echo oops >&2; exit 3'], { exitCodes: [0, 3] })));
    expect(record.status).toBe('ok');
    expect(stored.get('d/out.txt')).toBe('hello\noops\n');
    expect(record.commands).toEqual([expect.objectContaining({ argv: ['sh', '-c', 'echo hello; echo oops >&2; exit 3'], exitCode: 3, timedOut: false })]);
    expect(record.problems).toEqual([]);
  });

  it('an unexpected exit code, a timeout and a missing program are one-line problems; the tail is kept', async () => {
    const { record, stored } = await run(
      declaring(
        command('fail.txt', ['sh', '-c', 'printf 0123456789; exit 2'], { maxBytes: 4 }),
        command('slow.txt', ['sleep', '5'], { timeoutMs: 300, hints: { timeout: 'raise it' } }),
        command('none.txt', ['/nonexistent/program-x']),
      ),
    );
    expect(stored.get('d/fail.txt')).toBe('6789');
    expect(record.problems.map((p) => p.reason)).toEqual([
      'command sh exited with 2, expected 0 (see fail.txt; add 2 to "exitCodes" if it means success)',
      'command sleep timed out after 0.3s and was killed (fix: raise it)',
      'command /nonexistent/program-x not found on PATH (fix: install it)',
    ]);
    expect(record.commands.find((c) => c.argv[0] === 'sleep')).toMatchObject({ timedOut: true });
  });

  it("after() replaces the default problem with the collector's own outputs", async () => {
    const { record, stored } = await run(
      declaring(
        command('o.txt', ['sh', '-c', 'exit 1'], {
          after: (o) => [
            { kind: 'fact', key: 'k', value: String(o.expected) },
            { kind: 'problem', item: 'x', reason: o.reason ?? 'none' },
          ],
        }),
      ),
    );
    expect(stored.has('d/o.txt')).toBe(true);
    expect(record.problems).toEqual([{ item: 'x', reason: 'command sh exited with 1, expected 0 (see o.txt; add 1 to "exitCodes" if it means success)' }]);
  });
});

describe('command(...) with capture', () => {
  it('stores stdout then stderr, hands both to after() apart with the record, and keeps the stderr tail in the manifest', async () => {
    const seen: { stdout: string; stderr: string; exitCode: number | null; expected: boolean }[] = [];
    const { record, stored } = await run(
      declaring(
        command('both.txt', ['sh', '-c', 'echo first-on-stderr >&2; printf no-newline; echo last-on-stderr >&2; exit 1'], {
          capture: 'stdout-then-stderr',
          exitCodes: [0, 1],
          after: (o) => {
            seen.push({ stdout: o.stdout, stderr: o.stderr, exitCode: o.record.exitCode, expected: o.expected });
            return [{ kind: 'fact', key: 'captured.bytes', value: String(o.outputBytes) }];
          },
        }),
      ),
    );
    expect(record.status).toBe('ok');
    expect(stored.get('d/both.txt')).toBe('no-newline\nfirst-on-stderr\nlast-on-stderr\n');
    expect(seen).toEqual([{ stdout: 'no-newline', stderr: 'first-on-stderr\nlast-on-stderr\n', exitCode: 1, expected: true }]);
    expect(record.commands).toEqual([expect.objectContaining({ exitCode: 1, stderrTail: 'first-on-stderr\nlast-on-stderr' })]);
    expect(record.problems).toEqual([]);
  });

  it('path null stores nothing; stderrTail false keeps the record without it; a timeout is noted in the text and is a problem', async () => {
    let out = '';
    const { record, stored } = await run(
      declaring(
        command(null, ['sh', '-c', 'echo v1.2.3; echo warn >&2'], {
          capture: 'stdout-then-stderr',
          stderrTail: false,
          after: (o) => {
            out = o.stdout + o.stderr;
            return [];
          },
        }),
        command('slow.txt', ['sh', '-c', 'echo started; exec sleep 5'], { capture: 'stdout-then-stderr', timeoutMs: 300 }),
      ),
    );
    expect(out).toBe('v1.2.3\nwarn\n');
    expect([...stored.keys()]).toEqual(['d/slow.txt']);
    expect(stored.get('d/slow.txt')).toBe('started\n\n[collect-bundle: timed out after 0.3s and was killed; above is what it printed until then]\n');
    expect(record.commands[0]).not.toHaveProperty('stderrTail');
    expect(record.commands[1]).toMatchObject({ timedOut: true });
    expect(record.problems.map((p) => p.reason)).toEqual(['command sh timed out after 0.3s and was killed']);
  });
});

describe('group(...)', () => {
  it('runs captured commands at most `concurrency` at once and hands their outputs on in order, plain members in place', async () => {
    // Each member prints when it started and ended (ns); the first sleeps longest, so it ends last.
    const member = (i: number, sleep: string) =>
      command(`m${i}.txt`, ['sh', '-c', `echo $(date +%s%N); sleep ${sleep}; echo $(date +%s%N)`], {
        capture: 'stdout-then-stderr',
        after: () => [{ kind: 'problem', item: `m${i}`, reason: 'after ran' }],
      });
    const { record, stored } = await run(
      declaring(
        group([member(0, '0.6'), member(1, '0.2'), { kind: 'problem', item: 'plain', reason: 'in place' }, member(2, '0.2'), member(3, '0.2')], {
          concurrency: 2,
        }),
      ),
    );
    expect(record.problems.map((p) => p.item)).toEqual(['m0', 'm1', 'plain', 'm2', 'm3']);
    expect(record.artifacts.map((a) => a.path)).toEqual(['d/m0.txt', 'd/m1.txt', 'd/m2.txt', 'd/m3.txt']);
    const spans = [0, 1, 2, 3].map((i) => stored.get(`d/m${i}.txt`)!.trim().split('\n').map(Number) as [number, number]);
    const overlapping = (t: number): number => spans.filter(([s, e]) => s <= t && t < e).length;
    expect(Math.max(...spans.map(([s]) => overlapping(s)))).toBe(2); // two at once, never three
    // m2 and m3 ran while m0 was still sleeping: a free slot is used at once, not when m0's turn comes.
    expect(spans[2]![0]).toBeLessThan(spans[0]![1]);
  });

  it('when the collector times out, the running member is killed and no further member starts', async () => {
    const slow = (i: number) => command(`s${i}.txt`, ['sleep', '5'], { capture: 'stdout-then-stderr' });
    const c = defineCollector({
      name: 'd',
      description: 'declares things',
      defaultEnabled: true,
      timeoutMs: 400,
      defaults: {},
      async *collect() {
        yield group([slow(0), slow(1), slow(2)], { concurrency: 1 });
      },
    });
    const { record } = await run(c);
    expect(record.status).toBe('timed-out');
    await new Promise((r) => setTimeout(r, 500)); // time for a wrongly started member to be recorded
    expect(record.commands).toEqual([expect.objectContaining({ argv: ['sleep', '5'], exitCode: null })]);
    expect(record.commands[0]!.durationMs).toBeLessThan(3_000);
  });

  it('a streamed command in a group still runs while its file is written, and its after() sees the record', async () => {
    let exitCode: number | null | undefined;
    const { stored } = await run(
      declaring(
        group(
          [
            command('s.txt', ['sh', '-c', 'echo streamed; exit 4'], {
              exitCodes: [4],
              after: (o) => {
                exitCode = o.record?.exitCode;
                return [];
              },
            }),
          ],
          {
            concurrency: 2,
          },
        ),
      ),
    );
    expect(stored.get('d/s.txt')).toBe('streamed\n');
    expect(exitCode).toBe(4);
  });
});

describe('file(...)', () => {
  it('copies a file, also through a symlink that names it; refuses a FIFO, a binary file and a missing one', async () => {
    await writeFile(join(tmp, 'a.yaml'), 'services:\n  web: {}\n');
    await symlink(join(tmp, 'a.yaml'), join(tmp, 'link.yaml'));
    execFileSync('mkfifo', [join(tmp, 'pipe')]);
    await writeFile(join(tmp, 'bin.dat'), Buffer.from([1, 0, 2]));
    const { record, stored } = await run(
      declaring(
        file('files/a.yaml', join(tmp, 'a.yaml')),
        file('files/link.yaml', join(tmp, 'link.yaml')),
        file('files/pipe', join(tmp, 'pipe')),
        file('files/bin.dat', join(tmp, 'bin.dat')),
        file('files/missing', join(tmp, 'missing')),
      ),
    );
    expect(record.status).toBe('ok');
    expect(stored.get('d/files/a.yaml')).toBe('services:\n  web: {}\n');
    expect(stored.get('d/files/link.yaml')).toBe('services:\n  web: {}\n');
    expect([...stored.keys()].sort()).toEqual(['d/files/a.yaml', 'd/files/link.yaml']);
    expect(record.problems.map((p) => p.reason)).toEqual([
      'FIFO (named pipe): not a regular file; not read',
      expect.stringMatching(/^binary file \(NUL bytes/),
      `no such file: ${join(tmp, 'missing')}`,
    ]);
  }, 20_000);
});
