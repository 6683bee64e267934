/**
 * The django collector runs Django's commands in one Python process, each under its own time limit: a
 * command that hangs (here a custom deploy check that sleeps, but only inside `manage.py check
 * --deploy`) is stopped inside the process, and the commands before and after it keep their output.
 */
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectBundle, type CollectResult } from '../../src/run/collect.js';
import type { CollectorRecord } from '../../src/core/types.js';
import { fileText, readBundle, type TarEntry } from '../helpers/bundle.js';
import { SYSTEM_PYTHON, copyFixture, runEnv, setupDatabase, snapshot, systemDjango } from '../helpers/django.js';

// Sleeps far beyond the command's limit (catching the first alarm), only when the process runs `check
// --deploy` (the state probe runs the deploy checks too, with another argv: that must not hang); and
// raises inside plain `check`, which then ends as manage.py would: a traceback and exit status 1.
const HANGING_CHECK = `

import sys as _sys
import time as _time
from django.core.checks import register as _register


@_register(deploy=True)
def fixture_hangs_in_check_deploy(app_configs, **kwargs):
    if _sys.argv[1:3] == ['check', '--deploy']:
        try:
            _time.sleep(60)
        except BaseException:
            _time.sleep(60)  # swallows the first alarm: the next one, a second later, must stop it
    return []


@_register()
def fixture_fails_in_check(app_configs, **kwargs):
    if _sys.argv[1:] == ['check', '--no-color']:
        raise RuntimeError('fixture check failure')
    return []
`;

let tmp: string;

describe.skipIf(!systemDjango && !process.env['CI'])('a Django command that hangs', () => {
  let result: CollectResult;
  let record: CollectorRecord;
  let entries: Map<string, TarEntry>;
  let elapsed: number;
  let project: string;
  let before: Record<string, string>;

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'cb-djhang-'));
    project = await copyFixture(join(tmp, 'project'));
    await setupDatabase(project);
    await appendFile(join(project, 'container_manager', 'checks.py'), HANGING_CHECK);
    before = await snapshot(project);
    const began = performance.now();
    result = await collectBundle({
      outputDir: join(tmp, 'out'),
      only: ['django'],
      collectorOptions: { django: { djangoDir: project, python: SYSTEM_PYTHON, commandTimeoutMs: 3_000 } },
      env: runEnv(),
    });
    elapsed = performance.now() - began;
    record = result.manifest.collectors.find((c) => c.name === 'django')!;
    entries = await readBundle(result.bundle);
  }, 120_000);
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  it('is stopped inside the process at its own limit, not at the sleep, and says so in its file and as a problem', () => {
    expect(elapsed).toBeLessThan(45_000);
    const deploy = fileText(entries, 'django/check-deploy.txt');
    expect(deploy).toContain('[collect-bundle: timed out after 3s and was killed; above is what it printed until then]');
    expect(record.problems).toEqual([
      { item: 'django/check-deploy.txt', reason: 'manage.py check --deploy timed out after 3s and was stopped; what it printed is kept' },
    ]);
    const hung = record.commands.find((c) => c.argv.includes('--deploy'))!;
    expect(hung).toMatchObject({ timedOut: true, exitCode: null });
    expect(hung.ranIn).toContain("the django collector's Python process");
  });

  it('keeps the output of a command that raised, ended as manage.py ends it: the traceback, exit status 1', () => {
    const check = fileText(entries, 'django/check.txt');
    expect(check).toContain('Traceback (most recent call last):');
    expect(check).toContain('RuntimeError: fixture check failure');
    expect(record.commands.find((c) => c.argv.slice(-2).join(' ') === 'check --no-color')).toMatchObject({ exitCode: 1, timedOut: false });
  });

  it('keeps every other command: their files, exit codes and the probe state', () => {
    expect(fileText(entries, 'django/check-database.txt')).toContain('container_manager.W001');
    expect(fileText(entries, 'django/showmigrations.txt')).toMatch(/^container_manager\n \[X\] 0001_initial/m);
    expect(fileText(entries, 'django/makemigrations-check.txt')).toContain("Migrations for 'container_manager'");
    expect(fileText(entries, 'django/migrate-plan.txt')).toContain('Planned operations:');
    expect(fileText(entries, 'django/check-database.txt')).toContain('System check identified');
    const manage = record.commands.filter((c) => c.argv.includes('manage.py') && !c.argv.includes('--deploy'));
    expect(manage).toHaveLength(5);
    expect(manage.map((c) => c.exitCode)).toEqual([1, 0, 0, 1, 0]);
    for (const c of manage) expect(c.timedOut, c.argv.join(' ')).toBe(false);
    expect(manage.find((c) => c.argv.includes('makemigrations'))!.exitCode).toBe(1);
    const checks = JSON.parse(fileText(entries, 'django/checks.json'));
    expect(checks.deploy.counts.WARNING).toBeGreaterThan(0);
    // The one Django process ran to its end: only the hung command was stopped.
    const session = record.commands.find((c) => c.argv.at(-1)?.includes('collect-bundle django probe (read-only)'))!;
    expect(session).toMatchObject({ timedOut: false, exitCode: 0 });
  });

  it('changes nothing in the project', async () => {
    expect(await snapshot(project)).toEqual(before);
  });
});
