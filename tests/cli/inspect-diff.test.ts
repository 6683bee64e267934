/**
 * `collect-bundle inspect` and `collect-bundle diff` end to end: the built CLI collects two bundles of
 * the real engine and the real Django fixture (a container stopped and a migration applied in
 * between), then inspects and compares them; exit codes, --json, --file, --latest and the one-line
 * errors for missing and corrupt bundles.
 */
import { execFileSync } from 'node:child_process';
import { copyFile, readFile, readdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileText, readBundle } from '../helpers/bundle.js';
import { SYSTEM_PYTHON, copyFixture, runEnv, setupDatabase, systemDjango } from '../helpers/django.js';
import { DOCKER_HOST, TEST_IMAGE, docker, dockerUnavailable, removeContainers, uniq, waitFor } from '../helpers/docker.js';
import { assertBuilt, cleanup, describeRun, runCli, tempDir, type CliResult } from './harness.js';

const skip = (Boolean(dockerUnavailable) || !systemDjango) && !process.env['CI'];
const prefix = uniq('cbcdiff');
const n = (s: string): string => `${prefix}-${s}`;

let dir: string;
let project: string;
let A: string;
let B: string;

async function collect(): Promise<string> {
  const before = new Set(await readdir(dir));
  const r = await runCli(
    ['collect', '--only', 'docker,django,system', '-o', dir, '--containers', `${prefix}-*`, '--django-dir', project, '--python', SYSTEM_PYTHON, '-q'],
    {
      env: { ...runEnv(), DOCKER_HOST },
      killAfterMs: 170_000,
    },
  );
  expect(r.code, describeRun(r)).toBe(0);
  const made = (await readdir(dir)).filter((f) => !before.has(f) && f.endsWith('.tar.gz'));
  expect(made).toHaveLength(1);
  return join(dir, made[0]!);
}

/** One line on stderr, nothing on stdout, and the exit code. */
function expectOneLineError(r: CliResult, code: number, pattern: RegExp): void {
  expect(r.code, describeRun(r)).toBe(code);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^collect-bundle: [^\n]+\n$/);
  expect(r.stderr).toMatch(pattern);
}

describe.skipIf(skip)('inspect and diff (built CLI, real engine, real Django)', () => {
  beforeAll(async () => {
    assertBuilt();
    dir = await tempDir('cb-cli-diff-');
    project = await copyFixture(join(await tempDir('cb-cli-diff-project-'), 'project'));
    await setupDatabase(project);
    const run = (name: string, ...cmd: string[]): Promise<string> => docker('run', '-d', '--network', 'none', '--name', n(name), TEST_IMAGE, ...cmd);
    await run('web', 'sh', '-c', "trap 'exit 0' TERM; while :; do sleep 0.2; done");
    await run('steady', 'sh', '-c', 'while :; do sleep 0.2; done');
    await waitFor(n('web'), (s) => s.Running === true);
    await waitFor(n('steady'), (s) => s.Running === true);
    A = await collect();
    await docker('stop', '-t', '10', n('web'));
    execFileSync(SYSTEM_PYTHON, ['manage.py', 'migrate', 'container_manager', '0002', '--verbosity', '0'], {
      cwd: project,
      env: { ...runEnv(), DJANGO_SETTINGS_MODULE: 'fixture_project.settings' },
      stdio: 'pipe',
    });
    B = await collect();
  }, 400_000);
  afterAll(async () => {
    if (!skip) await removeContainers(prefix);
    await cleanup();
  });

  it('diff OLD NEW prints the changes and exits 1', async () => {
    const r = await runCli(['diff', A, B]);
    expect(r.code, describeRun(r)).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`\nContainers\n  ~ local/${n('web')}: running → exited (exit code 0)\n`);
    expect(r.stdout).toContain('\nMigrations\n  + container_manager.0002_executorhost_weight: applied\n');
    expect(r.stdout).not.toContain(n('steady'));
    expect(r.stdout).not.toContain('\nVersions\n');
    expect(r.stdout).toMatch(/\n\d+ differences?( \(.*\))?\n$/);
  });

  it('diff --json prints one JSON document with every section', async () => {
    const r = await runCli(['diff', A, B, '--json']);
    expect(r.code, describeRun(r)).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual([
      'old',
      'new',
      'differences',
      'containers',
      'versions',
      'migrations',
      'findings',
      'jobs',
      'resources',
      'notComparable',
      'notes',
    ]);
    expect(doc.containers).toEqual([
      {
        engine: 'local',
        name: n('web'),
        kind: 'changed',
        changes: [{ field: 'state', old: { state: 'running', exitCode: 0, oomKilled: false }, new: { state: 'exited', exitCode: 0, oomKilled: false } }],
      },
    ]);
    expect(doc.migrations).toEqual([{ app: 'container_manager', name: '0002_executorhost_weight', change: 'applied' }]);
    expect(doc.versions).toEqual([]);
    expect(doc.jobs).toEqual([]);
    expect(doc.notComparable).toEqual([]);
    expect(doc.old.file).toBe(A);
    expect(doc.new.file).toBe(B);
    expect(doc.differences).toBeGreaterThanOrEqual(2);
  });

  it('diff of a bundle with itself reports no differences and exits 0', async () => {
    const r = await runCli(['diff', A, A]);
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('no differences');
  });

  it('diff --latest DIR compares the two newest bundles and leaves other files alone', async () => {
    await writeFile(join(dir, 'README.txt'), 'not a bundle\n');
    const listing = (await readdir(dir)).sort();
    const explicit = await runCli(['diff', A, B, '--json']);
    const latest = await runCli(['diff', '--latest', dir, '--json']);
    expect(latest.code, describeRun(latest)).toBe(1);
    expect(JSON.parse(latest.stdout)).toEqual(JSON.parse(explicit.stdout));
    expect((await readdir(dir)).sort()).toEqual(listing);
    expect(await readFile(join(dir, 'README.txt'), 'utf8')).toBe('not a bundle\n');
  });

  it('diff exits 2, with one line, when a bundle is missing or corrupt or the arguments are wrong', async () => {
    expectOneLineError(await runCli(['diff', A, join(dir, 'missing.tar.gz')]), 2, /missing\.tar\.gz: no such file/);
    const cut = join(await tempDir(), 'cut.tar.gz');
    await copyFile(A, cut);
    await truncate(cut, 200);
    // Corrupt is 2 for diff (1 would read as "differences").
    expectOneLineError(await runCli(['diff', A, cut]), 2, /cut\.tar\.gz: not a readable \.tar\.gz bundle/);
    expectOneLineError(await runCli(['diff', A]), 2, /diff needs two bundles \(OLD NEW\) or --latest DIR/);
    expectOneLineError(await runCli(['diff', '--latest', dir, A]), 2, /either OLD NEW or --latest DIR, not both/);
    expectOneLineError(await runCli(['diff', '--latest', join(dir, 'nope')]), 2, /no such directory/);
  });

  it('diff --help documents the exit codes', async () => {
    const r = await runCli(['diff', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain('0 no differences; 1 differences found; 2 trouble');
  });

  it('inspect prints the summary; --json the same as JSON', async () => {
    const name = A.split('/')
      .pop()!
      .replace(/\.tar\.gz$/, '');
    const r = await runCli(['inspect', A]);
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout).toContain(`bundle     ${name}  (`);
    expect(r.stdout).toMatch(/\nCollectors\n {2}system +ok/);
    expect(r.stdout).toContain('sidecar     present, matches');
    const j = await runCli(['inspect', A, '--json']);
    expect(j.code, describeRun(j)).toBe(0);
    const doc = JSON.parse(j.stdout);
    expect(doc).toMatchObject({ name, status: 'complete', checks: { sidecar: 'match', oneRoot: true, checksumMismatches: [], missing: [], unlisted: [] } });
    expect(doc.collectors.map((c: { name: string }) => c.name).sort()).toEqual(['django', 'docker', 'system']);
    expect(doc.findings.present).toBe(true);
  });

  it('inspect --file prints one entry byte for byte; an unknown path exits 2 naming similar ones', async () => {
    const r = await runCli(['inspect', B, '--file', 'django/migrations.json']);
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout).toBe(fileText(await readBundle(B), 'django/migrations.json'));
    expectOneLineError(
      await runCli(['inspect', B, '--file', 'django/migration.json']),
      2,
      /django\/migration\.json: no such file in .*; similar: django\/migrations\.json/,
    );
  });

  it('inspect of a missing bundle exits 2 and of a corrupt one exits 1, with one line', async () => {
    expectOneLineError(await runCli(['inspect', join(dir, 'missing.tar.gz')]), 2, /no such file; check the path/);
    const cut = join(await tempDir(), 'cut.tar.gz');
    await copyFile(B, cut);
    await truncate(cut, 300);
    expectOneLineError(await runCli(['inspect', cut]), 1, /not a readable \.tar\.gz bundle .*copy it again/);
  });
});
