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
import { command, file } from '../../collectors/declare.js';
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
  defineCollector({ name: 'd', description: 'declares things', defaultEnabled: true, defaults: {}, async *collect() {
    yield* outputs;
  } });

async function run(c: Collector) {
  const sink = memorySink();
  const plan = { collectors: [c], optionsFor: () => ({}), concurrency: 1, timeoutMs: 20_000, signal: new AbortController().signal, deps: { dockerEndpoints: [], docker: () => { throw new Error('no docker'); }, env: process.env, secrets: { add() {} } } };
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

  it('after() replaces the default problem with the collector\'s own outputs', async () => {
    const { record, stored } = await run(declaring(command('o.txt', ['sh', '-c', 'exit 1'], { after: (o) => [{ kind: 'fact', key: 'k', value: String(o.expected) }, { kind: 'problem', item: 'x', reason: o.reason ?? 'none' }] })));
    expect(stored.has('d/o.txt')).toBe(true);
    expect(record.problems).toEqual([{ item: 'x', reason: 'command sh exited with 1, expected 0 (see o.txt; add 1 to "exitCodes" if it means success)' }]);
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
