/**
 * Every analyzer on a real bundle whose JSON has the wrong value types (review of #6): numbers where
 * strings are expected, nulls in arrays, objects where arrays are, and the reverse, in every JSON file,
 * every events.jsonl line and the manifest. An analyzer that throws loses all of its findings (every
 * OOM, every unreachable engine), so none may: `runAnalyzers` must report no `analyzer-failed`.
 * The base bundle is collected by the real collectors from the real test engine (a crashed, an
 * unhealthy, an OOM-killed container) and the Django fixture project (container_manager rows).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectionAnalyzer } from '../../analyzers/collection.js';
import { dockerContainerAnalyzer, dockerEngineAnalyzer } from '../../analyzers/docker.js';
import { runAnalyzers } from '../../analyzers/run.js';
import { MemoryView } from '../../src/bundle/memory-view.js';
import { openBundleView } from '../../src/bundle/view.js';
import { collectBundle } from '../../src/run/collect.js';
import type { Finding, Manifest } from '../../src/core/types.js';
import { DOCKER_HOST, TEST_IMAGE, docker, dockerUnavailable, removeContainers, runOomKilled, uniq, waitFor } from '../helpers/docker.js';
import { SYSTEM_PYTHON, copyFixture, runEnv, setupDatabase, systemDjango } from '../helpers/django.js';

const skip = (Boolean(dockerUnavailable) || !systemDjango) && !process.env['CI'];
const prefix = uniq('cbwt');
const n = (suffix: string): string => `${prefix}-${suffix}`;

/** A value transformed node by node, bottom-up: `f` sees each node with its children already changed. */
function mapJson(v: unknown, f: (v: unknown, depth: number) => unknown, depth = 0): unknown {
  if (Array.isArray(v))
    return f(
      v.map((x) => mapJson(x, f, depth + 1)),
      depth,
    );
  if (v !== null && typeof v === 'object') return f(Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapJson(x, f, depth + 1)])), depth);
  return f(v, depth);
}

/** Ways to give a value the wrong type. */
const MUTATIONS: Record<string, (v: unknown, depth: number) => unknown> = {
  'numbers where strings are expected': (v) => (typeof v === 'string' ? 404 : v),
  'strings where numbers and booleans are expected': (v) => (typeof v === 'number' ? `${v}x` : typeof v === 'boolean' ? String(v) : v),
  'nulls in every array': (v) => (Array.isArray(v) ? [null, ...v, null] : v),
  'numbers and strings in every array': (v) => (Array.isArray(v) ? [7, 'x', ...v, true] : v),
  'objects where arrays are expected': (v) => (Array.isArray(v) ? Object.fromEntries(v.map((x, i) => [String(i), x])) : v),
  'arrays where objects are expected': (v, d) => (d > 0 && v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.values(v) : v),
  'every object member null': (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).map((k) => [k, null])) : v),
  'every leaf an empty object': (v) => (v === null || typeof v !== 'object' ? {} : v),
};

/** A mutation that changes a random share of the nodes, each in a random way (reproducible from `seed`). */
function randomMutation(seed: number, share: number): (v: unknown, depth: number) => unknown {
  let s = seed >>> 0;
  const rand = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const kinds = Object.values(MUTATIONS);
  const wrong: ((v: unknown) => unknown)[] = [() => null, () => 0, () => -1, () => 'x', () => true, () => [], () => ({}), (v) => [v], (v) => ({ value: v })];
  return (v, d) => {
    if (rand() >= share) return v;
    return rand() < 0.5 ? kinds[Math.floor(rand() * kinds.length)]!(v, d) : wrong[Math.floor(rand() * wrong.length)]!(v);
  };
}

/** The bundle's files with every JSON document (and events.jsonl line, and the manifest) mutated. */
function mutate(manifest: Manifest, files: ReadonlyMap<string, string>, f: (v: unknown, depth: number) => unknown): MemoryView {
  const out = new Map<string, string>();
  for (const [p, text] of files) {
    if (p.endsWith('.json')) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        out.set(p, text);
        continue;
      }
      out.set(p, JSON.stringify(mapJson(value, f), null, 2));
    } else if (p.endsWith('.jsonl')) {
      out.set(
        p,
        text
          .split('\n')
          .map((l) => {
            try {
              return JSON.stringify(mapJson(JSON.parse(l), f));
            } catch {
              return l;
            }
          })
          .join('\n'),
      );
    } else out.set(p, text);
  }
  return new MemoryView(mapJson(manifest, f) as Manifest, out);
}

async function failures(view: MemoryView): Promise<string[]> {
  const doc = await runAnalyzers(view, { envFiles: [{ path: '.env', text: 'A = 1\nB="open\n' }] });
  return [
    ...doc.analyzers.filter((a) => a.error).map((a) => `${a.name}: ${a.error}`),
    ...doc.findings.filter((f) => f.id === 'analyzer-failed').map((f) => f.title),
  ];
}

describe.skipIf(skip)('analyzers on a real bundle with wrong value types everywhere', () => {
  let tmp: string;
  let manifest: Manifest;
  const files = new Map<string, string>();
  let baseline: Finding[];

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'cb-an-types-'));
    const project = await copyFixture(join(tmp, 'project'));
    await setupDatabase(project);
    const run = (name: string, ...args: string[]) => docker('run', '-d', '--network', 'none', '--name', n(name), ...args);
    await Promise.all([
      run('crash', TEST_IMAGE, 'sh', '-c', 'echo "Traceback (most recent call last):" >&2; echo "ValueError: bad" >&2; exit 1'),
      run('unhealthy', '--health-cmd', 'echo checking; false', '--health-interval', '1s', '--health-retries', '1', TEST_IMAGE, 'sleep', '600'),
      // Waits a second first, so the engine's OOM watch is set up (tests/collectors/docker.test.ts says why).
      runOomKilled(n('oom'), ['--memory', '8m', '--memory-swap', '8m', TEST_IMAGE, 'sh', '-c', 'sleep 1; tail /dev/zero']),
    ]);
    await Promise.all([
      waitFor(n('crash'), (s) => s.Status === 'exited'),
      waitFor(n('oom'), (s) => s.Status === 'exited'),
      waitFor(n('unhealthy'), (s) => s.Health?.Status === 'unhealthy'),
    ]);
    const r = await collectBundle({
      outputDir: join(tmp, 'out'),
      only: ['system', 'docker', 'django'],
      env: runEnv({ DOCKER_HOST }),
      collectorOptions: { docker: { containers: [`${prefix}-*`] }, django: { djangoDir: project, python: SYSTEM_PYTHON } },
    });
    const { view } = await openBundleView(r.bundle);
    manifest = view.manifest;
    for (const p of view.paths()) files.set(p, (await view.text(p, 64 * 1024 * 1024))!);
    baseline = [...(await runAnalyzers(new MemoryView(manifest, files), {})).findings];
  }, 180_000);

  afterAll(async () => {
    await removeContainers(prefix);
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('the unmutated bundle gives the findings the mutations then put at risk', () => {
    const ids = baseline.map((f) => `${f.id} ${f.subject ?? ''}`);
    expect(ids).toEqual(
      expect.arrayContaining([
        `container-exit-nonzero local/${n('crash')}`,
        `container-unhealthy local/${n('unhealthy')}`,
        `container-oom-killed local/${n('oom')}`,
      ]),
    );
    expect(ids.some((i) => i.startsWith('jobs-stuck-pending') || i.startsWith('executor-host-unreachable'))).toBe(true);
    expect(baseline.filter((f) => f.id === 'analyzer-failed')).toEqual([]);
  });

  it.each(Object.keys(MUTATIONS))('%s: no analyzer throws', async (name) => {
    expect(await failures(mutate(manifest, files, MUTATIONS[name]!))).toEqual([]);
  });

  it('a random share of the values given a random wrong type: no analyzer throws', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.constantFrom(0.02, 0.1, 0.3), async (seed, share) => {
        expect(await failures(mutate(manifest, files, randomMutation(seed, share)))).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });
});

describe('the shapes the review named (review of #6)', () => {
  const base = { finishedAt: '2026-01-01T00:00:00.000Z', environment: {}, collectors: [] } as unknown as Manifest;
  const json = (v: unknown): string => JSON.stringify(v, null, 2);
  const row = {
    name: 'web',
    id: 'abc',
    image: 'app',
    state: 'exited',
    status: 'Exited (1)',
    exitCode: 1,
    oomKilled: false,
    restartCount: 0,
    health: null,
    error: 500,
    created: '',
    labels: {},
    collected: true,
    notCollected: null,
  };

  it('a container row with a number as its error: the exit finding, with the number as text', async () => {
    const v = new MemoryView(base, [['docker/local/containers.json', json([row])]]);
    const got = await dockerContainerAnalyzer.analyze(v, {});
    expect(got.map((f) => [f.id, f.subject])).toEqual([['container-exit-nonzero', 'local/web']]);
    expect(got[0]!.summary).toContain('The engine reported: 500.');
  });

  it('an unhealthy container whose State.Health.Log holds null: the unhealthy finding from the other entries', async () => {
    const inspect = {
      State: { Health: { Status: 'unhealthy', FailingStreak: 3, Log: [null, { ExitCode: 1, Output: 'db down' }, 7] } },
      Config: { Healthcheck: { Test: ['CMD-SHELL', 7] } },
    };
    const v = new MemoryView(base, [
      ['docker/local/containers.json', json([{ ...row, state: 'running', exitCode: 0, error: null, health: 'unhealthy' }])],
      ['docker/local/containers/web/inspect.json', json(inspect)],
    ]);
    const got = await dockerContainerAnalyzer.analyze(v, {});
    expect(got.map((f) => f.id)).toEqual(['container-unhealthy']);
    expect(got[0]!.summary).toContain('exit 1: "db down"');
  });

  it('collectors that are null, have a number as their reason, or no artifacts: one finding each for the failed ones', async () => {
    const m = {
      ...base,
      collectors: [
        null,
        { name: 'docker', status: 'failed', reason: 42, problems: 'x', commands: null },
        { name: 'django', status: 'timed-out', reason: 'cut off', artifacts: null },
        5,
      ],
    } as unknown as Manifest;
    const v = new MemoryView(m, []);
    const got = await collectionAnalyzer.analyze(v, {});
    expect(got.map((f) => [f.id, f.subject])).toEqual([
      ['collector-failed', 'docker'],
      ['collector-failed', 'django'],
    ]);
    expect(got[0]!.title).toBe('Collector docker failed: 42');
    expect(got[1]!.summary).toContain('0 file(s) from it were kept');
    const engines = await dockerEngineAnalyzer.analyze(v, {});
    expect(engines.map((f) => [f.id, f.subject])).toEqual([['docker-unreachable', 'docker']]);
    expect(engines[0]!.summary).toContain('42');
  });
});
