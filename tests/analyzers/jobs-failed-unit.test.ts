/**
 * The failed-job analyzer on hand-made bundles: the cases a real fixture cannot show cheaply (an exit
 * 137 without memory evidence, retries off, a --since from the manifest, a broken probe section, a
 * --job record without container-manager.json, many failures) and the helpers' own rules.
 */
import { describe, expect, it } from 'vitest';
import { explainingBlock, exitMeaning } from '../../analyzers/job-failures.js';
import { jobsFailedAnalyzer, signatureKey } from '../../analyzers/jobs-failed.js';
import { MemoryView } from '../../src/bundle/memory-view.js';
import type { Manifest } from '../../src/core/types.js';

const FINISHED = '2026-03-01T12:00:00.000Z';
const manifestWith = (since?: string): Manifest =>
  ({
    finishedAt: FINISHED,
    environment: {},
    options: { collectorOptions: since ? { docker: { since } } : {} },
    docker: { endpoints: [] },
  }) as unknown as Manifest;
const job = (over: Record<string, unknown>): Record<string, unknown> => ({
  id: 'a1',
  name: 'nightly',
  status: 'failed',
  docker_image: 'acme/x:1',
  exit_code: 1,
  completed_at: '2026-03-01T11:00:00+00:00',
  ...over,
});
const bundle = (failures: unknown, since?: string): MemoryView =>
  new MemoryView(manifestWith(since), [
    ['django/container-manager.json', JSON.stringify({ installed: true, jobModel: 'ContainerJob', jobs: { countsByStatus: {}, failures } }, null, 2)],
  ]);

describe('the failed-job analyzer on hand-made bundles', () => {
  it('calls an exit 137 without memory evidence a failure killed by SIGKILL, not an OOM kill', async () => {
    const [f] = await jobsFailedAnalyzer.analyze(bundle([job({ exit_code: 137, memory_limit: 512, max_memory_usage: 10 * 1024 * 1024 })]), {});
    expect(f).toMatchObject({ id: 'job-failed', severity: 'error', subject: 'job:a1' });
    expect(f!.summary).toContain('killed by SIGKILL');
    expect(f!.summary).toContain('Nothing on the row says it ran out of memory');
  });

  it('says nothing of retries when max_retries is 0, and says "exhausted" only when all are used', async () => {
    const [off] = await jobsFailedAnalyzer.analyze(bundle([job({ retry_count: 0, max_retries: 0 })]), {});
    expect(off!.title).not.toContain('retries');
    const [left] = await jobsFailedAnalyzer.analyze(bundle([job({ retry_count: 1, max_retries: 3 })]), {});
    expect(left!.title).not.toContain('exhausted');
    expect(left!.summary).toContain('retried 1 of 3 times so far');
  });

  it('keeps to the --since window the bundle was collected with', async () => {
    const rows = [job({ id: 'new', completed_at: '2026-03-01T11:30:00Z' }), job({ id: 'old', completed_at: '2026-03-01T09:00:00Z' })];
    expect((await jobsFailedAnalyzer.analyze(bundle(rows, '1h'), {})).map((f) => f.subject)).toEqual(['job:new']);
    expect((await jobsFailedAnalyzer.analyze(bundle(rows), {})).map((f) => f.subject)).toEqual(['job:new', 'job:old']);
  });

  it('gives nothing for a probe section that raised, a completed job, or a job still running with an exit code', async () => {
    const broken = new MemoryView(manifestWith(), [
      ['django/container-manager.json', JSON.stringify({ installed: true, jobs: { error: 'LookupError: x', traceback: '...' } }, null, 2)],
    ]);
    expect(await jobsFailedAnalyzer.analyze(broken, {})).toEqual([]);
    expect(await jobsFailedAnalyzer.analyze(bundle([job({ status: 'completed', exit_code: 0 })]), {})).toEqual([]);
    expect(await jobsFailedAnalyzer.analyze(bundle([job({ status: 'running', exit_code: 1 })]), {})).toEqual([]);
    expect(await jobsFailedAnalyzer.analyze(bundle('not a list'), {})).toEqual([]);
  });

  it('reports a --job record whenever it ran, and only once when container-manager.json has it too', async () => {
    const record = job({
      id: 'a1',
      completed_at: '2025-01-01T00:00:00Z',
      stderr_log: 'x\nTraceback (most recent call last):\n  File "a.py", line 1\nOSError: disk full\n',
    });
    const v = new MemoryView(manifestWith('1h'), [
      ['job/record.json', JSON.stringify({ model: 'container_manager.ContainerJob', pk: 'a1', status: 'failed', record }, null, 2)],
      ['django/container-manager.json', JSON.stringify({ installed: true, jobs: { failures: [record] } }, null, 2)],
    ]);
    const fs = await jobsFailedAnalyzer.analyze(v, {});
    expect(fs).toHaveLength(1);
    expect(fs[0]!.evidence[0]).toMatchObject({
      file: 'job/record.json',
      excerpt: 'Traceback (most recent call last):\n  File "a.py", line 1\nOSError: disk full',
    });
  });

  it('groups jobs failing alike per image, lists five, and keeps other failures apart', async () => {
    const rows = Array.from({ length: 12 }, (_, i) =>
      job({
        id: `g${i}`,
        name: `load-${i}`,
        docker_image: 'acme/load:3',
        last_error: `ConnectionError: HTTPSConnectionPool(host='api', port=443): Read timed out after ${30 + i} s`,
      }),
    );
    rows.push(job({ id: 'solo', docker_image: 'acme/other:1', last_error: 'ValueError: bad row 7' }));
    const fs = await jobsFailedAnalyzer.analyze(bundle(rows), {});
    expect(fs.map((f) => f.id)).toEqual(['jobs-failing-alike', 'job-failed']);
    expect(fs[0]!.title).toMatch(/^12 jobs of image acme\/load:3 failed with `ConnectionError: /);
    expect(fs[0]!.summary).toContain('; and 7 more');
    expect(fs[0]!.summary.match(/load-\d+ \(id g\d+\)/g)).toHaveLength(5);
  });
});

describe('helpers', () => {
  it('explainingBlock keeps the last traceback whole, else the last lines', () => {
    const log = [
      'Traceback (most recent call last):',
      '  File "old.py"',
      'KeyError: 1',
      'retrying',
      'Traceback (most recent call last):',
      '  File "b.py", line 2',
      '    f()',
      'RuntimeError: boom',
      'exiting',
    ].join('\n');
    expect(explainingBlock(log)).toEqual({
      text: 'Traceback (most recent call last):\n  File "b.py", line 2\n    f()\nRuntimeError: boom',
      signature: 'RuntimeError: boom',
    });
    expect(explainingBlock('a\nb\nc\nd\ne\nf\ng\nERROR: failed to connect\n\n')).toEqual({
      text: 'c\nd\ne\nf\ng\nERROR: failed to connect',
      signature: 'ERROR: failed to connect',
    });
    expect(explainingBlock('\n\n')).toBeUndefined();
  });

  it('exitMeaning names the common codes and signals', () => {
    expect(exitMeaning(127)).toContain('not found in the image');
    expect(exitMeaning(143)).toContain('SIGTERM');
    expect(exitMeaning(139)).toBe('killed by signal 11 (SIGSEGV)');
    expect(exitMeaning(3)).toBe('the program reported an error (its own exit status)');
  });

  it('signatureKey sets numbers and hex ids aside, nothing else', () => {
    expect(signatureKey('Timeout after 31 s on 9f86d081884c')).toBe(signatureKey('Timeout after 30 s on e3b0c44298fc'));
    expect(signatureKey('KeyError: a')).not.toBe(signatureKey('KeyError: b'));
  });
});
