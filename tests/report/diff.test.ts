/**
 * `diff` on two real bundles of the real engine and the real Django fixture: between the two
 * collections the test stops a container, lets one be OOM-killed, one exit non-zero, one restart by
 * its policy, removes one, starts one, recreates one from a retagged image, applies a migration and
 * moves a job from pending to running. The diff must report exactly those changes.
 */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectBundle, type CollectResult } from '../../src/run/collect.js';
import { compareBundles, diffBundles, diffLatest, loadForDiff, renderDiff, type BundleDiff } from '../../src/report/diff.js';
import { CliError } from '../../src/core/errors.js';
import { fileJson, readBundle } from '../helpers/bundle.js';
import { SYSTEM_PYTHON, copyFixture, runEnv, setupDatabase, systemDjango } from '../helpers/django.js';
import { DOCKER_HOST, TEST_IMAGE, docker, dockerUnavailable, removeContainers, uniq, waitFor } from '../helpers/docker.js';

const skip = (Boolean(dockerUnavailable) || !systemDjango) && !process.env['CI'];
const prefix = uniq('cbdiff');
const n = (s: string): string => `${prefix}-${s}`;
const TAG = `cb-busybox:${prefix}`;
/** Waits for /tmp/go (created with docker exec), then runs `then`. */
const afterGo = (then: string): string => `while [ ! -f /tmp/go ]; do sleep 0.1; done; ${then}`;
const FOREVER = 'while :; do sleep 0.2; done';

let tmp: string;
let project: string;
let A: CollectResult;
let B: CollectResult;
let diff: BundleDiff;
let ids: { recreatedOld: string; recreatedNew: string };

function collect(out: string): Promise<CollectResult> {
  return collectBundle({
    outputDir: join(tmp, out),
    only: ['docker', 'django', 'system'],
    env: runEnv({ DOCKER_HOST }),
    collectorOptions: { docker: { containers: [`${prefix}-*`] }, django: { djangoDir: project, python: SYSTEM_PYTHON } },
  });
}

async function poll(what: string, fn: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(skip)('diff between two real bundles', () => {
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'cb-diff-'));
    project = await copyFixture(join(tmp, 'project'));
    await setupDatabase(project);
    await docker('tag', TEST_IMAGE, TAG);
    const run = (name: string, ...args: string[]): Promise<string> => docker('run', '-d', '--network', 'none', '--name', n(name), ...args);
    await Promise.all([
      run('stop', TEST_IMAGE, 'sh', '-c', `trap 'exit 0' TERM; ${FOREVER}`),
      run('oom', '--memory', '16m', '--memory-swap', '16m', TEST_IMAGE, 'sh', '-c', afterGo('x=a; while true; do x=$x$x; done')),
      run('fail', TEST_IMAGE, 'sh', '-c', afterGo('exit 3')),
      run('restart', '--restart', 'on-failure:1', TEST_IMAGE, 'sh', '-c', afterGo(`if [ ! -f /tmp/once ]; then touch /tmp/once; exit 1; fi; ${FOREVER}`)),
      run('gone', TEST_IMAGE, 'sh', '-c', FOREVER),
      run('recreated', TEST_IMAGE, 'sh', '-c', FOREVER),
      run('steady', TEST_IMAGE, 'sh', '-c', FOREVER),
    ]);
    for (const c of ['stop', 'oom', 'fail', 'restart', 'gone', 'recreated', 'steady']) await waitFor(n(c), (s) => s.Running === true);
    A = await collect('a');

    // The changes, made by the test to its own containers and its own copy of the fixture.
    await docker('stop', '-t', '10', n('stop'));
    await Promise.all(['oom', 'fail', 'restart'].map((c) => docker('exec', n(c), 'touch', '/tmp/go')));
    await waitFor(n('oom'), (s) => s.Status === 'exited' && s.OOMKilled === true);
    await waitFor(n('fail'), (s) => s.Status === 'exited');
    await poll('the restart policy to restart the container once', async () => (await docker('inspect', '--format', '{{.RestartCount}} {{.State.Running}}', n('restart'))) === '1 true');
    await docker('rm', '-f', n('gone'));
    const recreatedOld = await docker('inspect', '--format', '{{.Id}}', n('recreated'));
    await docker('rm', '-f', n('recreated'));
    const recreatedNew = await run('recreated', TAG, 'sh', '-c', FOREVER);
    await run('new', TEST_IMAGE, 'sh', '-c', FOREVER);
    await waitFor(n('new'), (s) => s.Running === true);
    await waitFor(n('recreated'), (s) => s.Running === true);
    ids = { recreatedOld, recreatedNew };
    execFileSync(SYSTEM_PYTHON, ['manage.py', 'migrate', 'container_manager', '0002', '--verbosity', '0'], { cwd: project, env: { ...runEnv(), DJANGO_SETTINGS_MODULE: 'fixture_project.settings' }, stdio: 'pipe' });
    execFileSync(SYSTEM_PYTHON, [
      '-c',
      "import sqlite3; c = sqlite3.connect('db.sqlite3'); c.execute(\"UPDATE container_manager_containerjob SET status = 'running' WHERE id = (SELECT id FROM container_manager_containerjob WHERE status = 'pending' ORDER BY created_at LIMIT 1)\"); c.commit()",
    ], { cwd: project });
    B = await collect('b');
    diff = await diffBundles(A.bundle, B.bundle);
  }, 240_000);

  afterAll(async () => {
    if (!skip) {
      await removeContainers(prefix);
      await docker('rmi', TAG).catch(() => undefined);
    }
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('reports exactly the container changes made between the two collections', () => {
    expect(diff.containers).toEqual([
      { engine: 'local', name: n('fail'), kind: 'changed', changes: [{ field: 'state', old: { state: 'running', exitCode: 0, oomKilled: false }, new: { state: 'exited', exitCode: 3, oomKilled: false } }] },
      { engine: 'local', name: n('gone'), kind: 'disappeared', container: expect.objectContaining({ state: 'running', image: TEST_IMAGE }) },
      { engine: 'local', name: n('new'), kind: 'appeared', container: expect.objectContaining({ state: 'running', image: TEST_IMAGE }) },
      { engine: 'local', name: n('oom'), kind: 'changed', changes: [{ field: 'state', old: { state: 'running', exitCode: 0, oomKilled: false }, new: { state: 'exited', exitCode: 137, oomKilled: true } }] },
      {
        engine: 'local',
        name: n('recreated'),
        kind: 'changed',
        changes: [
          { field: 'id', old: ids.recreatedOld, new: ids.recreatedNew },
          { field: 'image', old: TEST_IMAGE, new: TAG },
        ],
      },
      { engine: 'local', name: n('restart'), kind: 'changed', changes: [{ field: 'restartCount', old: 0, new: 1 }] },
      { engine: 'local', name: n('stop'), kind: 'changed', changes: [{ field: 'state', old: { state: 'running', exitCode: 0, oomKilled: false }, new: { state: 'exited', exitCode: 0, oomKilled: false } }] },
    ]);
  });

  it('reports the migration applied and the job that moved from pending to running', () => {
    expect(diff.migrations).toEqual([{ app: 'container_manager', name: '0002_executorhost_weight', change: 'applied' }]);
    expect(diff.jobs).toEqual([
      { status: 'pending', old: 2, new: 1, delta: -1 },
      { status: 'running', old: 1, new: 2, delta: 1 },
    ]);
  });

  it('reports no version change and ignores what changes on every run', () => {
    expect(diff.versions).toEqual([]);
    expect(diff.notComparable).toEqual([]);
    expect(diff.notes).toEqual([]);
    expect(diff.old).toEqual({ file: A.bundle, bundle: A.manifest.bundle, host: A.manifest.host.hostname, startedAt: A.manifest.startedAt });
  });

  it('reports findings new and resolved by id and subject, as the two findings.json files have them', async () => {
    const keys = async (file: string): Promise<Set<string>> =>
      new Set(fileJson<{ findings: { id: string; subject?: string }[] }>(await readBundle(file), 'findings.json').findings.map((f) => `${f.id} ${f.subject ?? ''}`));
    const [ka, kb] = [await keys(A.bundle), await keys(B.bundle)];
    const got = (list: readonly { id: string; subject: string | null }[]): string[] => list.map((f) => `${f.id} ${f.subject ?? ''}`).sort();
    expect(got(diff.findings.new)).toEqual([...kb].filter((k) => !ka.has(k)).sort());
    expect(got(diff.findings.resolved)).toEqual([...ka].filter((k) => !kb.has(k)).sort());
    expect(got(diff.findings.new)).toContain(`container-oom-killed local/${n('oom')}`);
  });

  it('counts every difference, and resource changes only above their thresholds', async () => {
    const significant = diff.resources.filter((r) => r.significant).length;
    expect(diff.differences).toBe(diff.containers.length + diff.migrations.length + diff.jobs.length + diff.findings.new.length + diff.findings.resolved.length + significant);
    // Nothing the test did moves the host's disks or memory by a threshold: the differences are only its own changes.
    expect(diff.resources.filter((r) => r.significant && r.kind !== 'docker'), renderDiff(diff)).toEqual([]);
    for (const r of diff.resources) expect(r.delta).toBe((r.new ?? 0) - (r.old ?? 0));
    // Used memory is total - available: page cache that comes and goes is not "used".
    const mem = diff.resources.find((r) => r.kind === 'memory' && r.subject === 'memory' && r.metric === 'used');
    const before = fileJson<{ totalBytes: number; availableBytes: number }>(await readBundle(A.bundle), 'system/memory.json');
    if (mem) expect(mem.old).toBe(before.totalBytes - before.availableBytes);
  });

  it('the same host with more page cache and a container\'s pseudo mounts: no difference', async () => {
    // NEW is bundle A as the same machine reports it after reading big files (buffers/cache grew by
    // 40% of the memory, available unchanged) and with a container running: systeminformation lists
    // its overlay root (and a namespace and shm mount on some hosts) among the filesystems.
    const a = await loadForDiff(A.bundle);
    const texts = new Map(a.texts);
    const mem = JSON.parse(texts.get('system/memory.json')!) as Record<string, number>;
    const cacheGrowth = Math.round(mem['totalBytes']! * 0.4);
    texts.set('system/memory.json', JSON.stringify({ ...mem, usedBytes: mem['usedBytes']! + cacheGrowth, freeBytes: mem['freeBytes']! - cacheGrowth, buffersCacheBytes: (mem['buffersCacheBytes'] ?? 0) + cacheGrowth }));
    const fss = JSON.parse(texts.get('system/filesystems.json')!) as Record<string, unknown>[];
    const root = fss.find((f) => f['mount'] === '/') ?? fss[0]!;
    const id = 'a'.repeat(64);
    texts.set('system/filesystems.json', JSON.stringify([
      ...fss,
      { ...root, filesystem: 'overlay', type: 'overlay', mount: `/var/lib/docker/overlay2/${id}/merged` },
      { ...root, filesystem: 'nsfs', type: 'nsfs', mount: `/run/docker/netns/${id.slice(0, 12)}`, sizeBytes: 0, usedBytes: 0, availableBytes: 0 },
      { ...root, filesystem: 'shm', type: 'tmpfs', mount: `/var/lib/docker/containers/${id}/mounts/shm`, sizeBytes: 67_108_864, usedBytes: 0, availableBytes: 67_108_864 },
    ]));
    const d = compareBundles(a, { ...a, texts });
    expect(d.differences, renderDiff(d)).toBe(0);
    expect(d.resources.filter((r) => r.kind === 'disk')).toEqual([]);
    // The raw figure is still shown, for information.
    expect(d.resources.find((r) => r.subject === 'memory' && r.metric === 'used+cache')).toMatchObject({ delta: cacheGrowth, significant: false });
    // ...while memory really taken (available shrinking) is a difference.
    texts.set('system/memory.json', JSON.stringify({ ...mem, availableBytes: mem['availableBytes']! - cacheGrowth }));
    const used = compareBundles(a, { ...a, texts });
    expect(used.resources.find((r) => r.subject === 'memory' && r.metric === 'used')).toMatchObject({ delta: cacheGrowth, significant: true });
  });

  it('renders a grouped text report with signs and human units', () => {
    const text = renderDiff(diff);
    expect(text).toContain(`~ local/${n('oom')}: running → exited (exit code 137, OOM-killed)`);
    expect(text).toContain(`~ local/${n('fail')}: running → exited (exit code 3)`);
    expect(text).toContain(`~ local/${n('stop')}: running → exited (exit code 0)`);
    expect(text).toContain(`~ local/${n('restart')}: restarts 0 → 1 (+1)`);
    expect(text).toContain(`~ local/${n('recreated')}: recreated (id ${ids.recreatedOld.slice(0, 12)} → ${ids.recreatedNew.slice(0, 12)}); image ${TEST_IMAGE} → ${TAG}`);
    expect(text).toContain(`- local/${n('gone')}: disappeared (was running, image ${TEST_IMAGE})`);
    expect(text).toContain(`+ local/${n('new')}: appeared (running, image ${TEST_IMAGE})`);
    expect(text).toContain('+ container_manager.0002_executorhost_weight: applied');
    expect(text).toContain('~ pending: 2 → 1 (-1)');
    expect(text).not.toContain(n('steady'));
    expect(text.trimEnd().split('\n').at(-1)).toMatch(new RegExp(`^${diff.differences} differences`));
    const order = ['Containers', 'Migrations', 'Findings', 'Jobs by status'].map((h) => text.indexOf(`\n${h}\n`));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((x, y) => x - y)).toEqual(order);
    for (const line of text.split('\n').filter((l) => /^[ !] (disk|memory|swap|local )/.test(l.slice(2)))) expect(line).toMatch(/\([+-]\d+(\.\d)? (B|KiB|MiB|GiB|TiB)\)/);
  });

  it('finds no differences between a bundle and itself', async () => {
    const same = await diffBundles(A.bundle, A.bundle);
    expect(same).toMatchObject({ differences: 0, containers: [], versions: [], migrations: [], jobs: [], resources: [], findings: { new: [], resolved: [] }, notComparable: [] });
    expect(renderDiff(same).trimEnd().split('\n').at(-1)).toBe('no differences');
  });

  it('--latest compares the two newest real bundles in a directory and leaves other files alone', async () => {
    const dir = join(tmp, 'latest');
    await mkdir(dir);
    for (const f of [A.bundle, B.bundle, `${A.bundle}.sha256`, `${B.bundle}.sha256`]) await copyFile(f, join(dir, basename(f)));
    // Newer by name but not bundles: junk under a bundle name, a .partial, a foreign file.
    const fake = 'collect-bundle-elsewhere-20991231T235959Z-zzzzzz.tar.gz';
    await writeFile(join(dir, fake), 'not a tar.gz');
    await writeFile(join(dir, 'collect-bundle-elsewhere-20991231T235958Z-yyyyyy.tar.gz.partial'), 'half');
    await writeFile(join(dir, 'notes.txt'), 'keep me');
    const latest = await diffLatest(dir);
    expect(latest.old.bundle).toBe(A.manifest.bundle);
    expect(latest.new.bundle).toBe(B.manifest.bundle);
    expect(latest.differences).toBe(diff.differences);
    expect(latest.containers).toEqual(diff.containers);
    expect(latest.notes).toEqual([expect.stringMatching(new RegExp(`^skipped ${fake} \\(not a readable \\.tar\\.gz bundle`))]);
    // An older third bundle does not change which two are newest.
    const older = 'collect-bundle-elsewhere-20000101T000000Z-aaaaaa.tar.gz';
    await copyFile(A.bundle, join(dir, older));
    expect((await diffLatest(dir)).new.bundle).toBe(B.manifest.bundle);
  });

  it('--latest with fewer than two bundles, and missing bundles, are errors naming the cause', async () => {
    const dir = join(tmp, 'one');
    await mkdir(dir);
    await copyFile(A.bundle, join(dir, basename(A.bundle)));
    await expect(diffLatest(dir)).rejects.toThrow(/only one readable bundle .*--latest needs two/);
    await expect(diffLatest(join(tmp, 'nope'))).rejects.toThrow(/no such directory/);
    const err = await diffBundles(A.bundle, join(tmp, 'missing.tar.gz')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).message).toMatch(/missing\.tar\.gz: no such file/);
  });
});

