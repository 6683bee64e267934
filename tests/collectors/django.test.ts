/**
 * The django collector against real Django (Debian's python3-django, run through a virtual environment
 * made with --system-site-packages) on a copy of tests/fixtures/django-project: applied and unapplied
 * migrations, a model change without a migration, a custom system-check warning, container jobs in
 * several states, executor hosts, and secrets in settings and rows that must never reach the bundle.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectBundle, type CollectResult } from '../../src/run/collect.js';
import type { CollectorRecord } from '../../src/core/types.js';
import { fileJson, fileText, readBundle, type TarEntry } from '../helpers/bundle.js';
import { applyVariant, copyFixture, leakedSecrets, makeVenv, runEnv, setupDatabase, snapshot, systemDjango } from '../helpers/django.js';

let tmp: string;
let project: string;

const django = (r: CollectResult): CollectorRecord => r.manifest.collectors.find((c) => c.name === 'django')!;

interface Run {
  result: CollectResult;
  entries: Map<string, TarEntry>;
  record: CollectorRecord;
}

async function collect(name: string, options: Record<string, unknown>, env = runEnv()): Promise<Run> {
  const result = await collectBundle({ outputDir: join(tmp, `out-${name}`), only: ['django'], collectorOptions: { django: options }, env });
  return { result, entries: await readBundle(result.bundle), record: django(result) };
}

describe.skipIf(!systemDjango && !process.env['CI'])('django collector (real Django from python3-django)', () => {
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'cb-django-'));
    project = await copyFixture(join(tmp, 'project'));
    await makeVenv(join(project, '.venv'), { systemSitePackages: true });
    await setupDatabase(project);
  }, 120_000);
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  describe('on the fixture project, interpreter discovered (.venv)', () => {
    let run: Run;
    let before: Record<string, string>;
    beforeAll(async () => {
      before = await snapshot(project);
      run = await collect('main', { djangoDir: project });
    }, 120_000);

    it('chooses the project .venv (python3 -m venv --system-site-packages) and records which and why', () => {
      const doc = fileJson(run.entries, 'django/interpreter.json');
      expect(doc.chosen).toEqual({
        command: [join(project, '.venv/bin/python')],
        source: 'project-venv',
        reason: 'the project has a virtual environment in .venv/',
      });
      expect(doc.python).toMatchObject({ executable: join(project, '.venv/bin/python'), virtualEnv: true, prefix: join(project, '.venv') });
      expect(doc.django.version).toBe(systemDjango);
      expect(run.result.manifest.environment).toMatchObject({ django: systemDjango, 'django.settings': 'fixture_project.settings' });
      expect(run.result.manifest.environment['django.python']).toContain(join(project, '.venv/bin/python'));
    });

    it('writes every Django artifact, and the versions reach ISSUE.md', () => {
      expect(run.record.status).toBe('ok');
      expect(run.record.problems).toEqual([]);
      expect(run.record.artifacts.map((a) => a.path).sort()).toEqual(
        [
          'check-database.txt',
          'check-deploy.txt',
          'check.txt',
          'checks.json',
          'container-manager.json',
          'databases.json',
          'diffsettings.txt',
          'interpreter.json',
          'makemigrations-check.txt',
          'migrate-plan.txt',
          'migrations.json',
          'settings-tree.json',
          'showmigrations.txt',
          'versions.json',
        ].map((p) => `django/${p}`),
      );
      const versions = fileJson(run.entries, 'django/versions.json');
      expect(versions).toMatchObject({
        django: { version: systemDjango },
        python: { version: expect.stringMatching(/^3\.\d+\.\d+/) },
        settingsModule: 'fixture_project.settings',
      });
      const issue = fileText(run.entries, 'ISSUE.md');
      expect(issue).toContain(`| Django | ${systemDjango} (settings \`fixture_project.settings\`) |`);
      expect(issue).toMatch(/\| Python \(Django's interpreter\) \| 3\.\d+\.\d+ \(.*\.venv\/bin\/python\) \|/);
    });

    it('runs check and check --deploy: text, plus JSON messages with id, level, object, message, hint', () => {
      expect(fileText(run.entries, 'django/check.txt')).toContain('(container_manager.W001) CONTAINER_MANAGER has no DEFAULT_TIMEOUT');
      expect(fileText(run.entries, 'django/check-deploy.txt')).toContain('(security.W018) You should not have DEBUG set to True in deployment.');
      const checks = fileJson(run.entries, 'django/checks.json');
      expect(checks.check.messages).toEqual([
        {
          id: 'container_manager.W001',
          level: 'WARNING',
          object: 'settings.CONTAINER_MANAGER',
          message: 'CONTAINER_MANAGER has no DEFAULT_TIMEOUT: jobs may run forever.',
          hint: 'Set CONTAINER_MANAGER["DEFAULT_TIMEOUT"] to a number of seconds.',
          silenced: false,
        },
      ]);
      expect(checks.deploy.messages.map((m: { id: string }) => m.id)).toEqual(
        expect.arrayContaining(['container_manager.W001', 'security.W018', 'security.W009']),
      );
      expect(checks.deploy.counts.WARNING).toBe(checks.deploy.messages.length);
    });

    it('tests each database alias read-only: engine, host and name, never the password, and no missing SQLite file created', () => {
      const doc = fileJson(run.entries, 'django/databases.json');
      const [main, replica] = doc.databases;
      expect(main).toMatchObject({
        alias: 'default',
        engine: 'django.db.backends.sqlite3',
        name: join(project, 'db.sqlite3'),
        user: 'app',
        passwordSet: true,
        reachable: true,
      });
      expect(replica).toMatchObject({ alias: 'replica', reachable: false, error: expect.stringContaining('does not exist (not created') });
      expect(JSON.stringify(doc)).not.toMatch(/"password"\s*:/i);
      expect(existsSync(join(project, 'replica.sqlite3'))).toBe(false);
      const checkDb = run.record.commands.find((c) => c.argv.includes('--database'))!;
      expect(checkDb.argv.slice(-5)).toEqual(['manage.py', 'check', '--database', 'default', '--no-color']);
      expect(fileText(run.entries, 'django/check-database.txt')).toContain('System check identified');
    });

    it('reports migrations: showmigrations text, and per app each migration applied or not, the unapplied count, model changes and the plan', () => {
      const text = fileText(run.entries, 'django/showmigrations.txt');
      expect(text).toContain('container_manager\n [X] 0001_initial\n [ ] 0002_executorhost_weight');
      const m = fileJson(run.entries, 'django/migrations.json');
      expect(m.apps.container_manager).toEqual([
        { name: '0001_initial', applied: true, appliedAt: expect.any(String) },
        { name: '0002_executorhost_weight', applied: false },
      ]);
      expect(m.apps.notes).toEqual([{ name: '0001_initial', applied: true, appliedAt: expect.any(String) }]);
      expect(m.unapplied).toEqual({ total: 1, byApp: { container_manager: 1 } });
      expect(m.conflicts).toEqual({});
      expect(m.pendingModelChanges).toEqual({
        container_manager: [{ migration: '0003_containerjob_priority', operations: ['Add field priority to containerjob'] }],
      });
      expect(m.makemigrationsCheck).toEqual({ command: 'makemigrations --check --dry-run', exitCode: 1, changesDetected: true, conflicts: {} });
      expect(m.migratePlan).toEqual({
        command: 'migrate --plan',
        exitCode: 0,
        planned: [{ migration: 'container_manager.0002_executorhost_weight', operations: ['Add field weight to executorhost'] }],
        conflicts: {},
      });
      expect(fileText(run.entries, 'django/makemigrations-check.txt')).toContain('Add field priority to containerjob');
    });

    it('prints diffsettings with every secret replaced inside Python, the rest as it is', () => {
      const text = fileText(run.entries, 'django/diffsettings.txt');
      for (const line of [
        "SECRET_KEY = '********'",
        "EMAIL_HOST_PASSWORD = '********'",
        "EMAIL_HOST_USER = 'mailer'",
        "PAYMENT_PROVIDER_KEY = '********'  ###",
        "SENTRY_DSN = '********'  ###",
        "CELERY_BROKER_URL = 'amqp://worker:********@rabbitmq:5672//'  ###",
        "INSTALLED_APPS = ['django.contrib.contenttypes', 'container_manager', 'notes']",
        'DEBUG = True',
      ]) {
        expect(text.split('\n')).toContain(line);
      }
      expect(text).toContain("'LOCATION': 'redis://:********@redis:6379/0', 'KEY_PREFIX': 'fixture'");
      expect(text).toContain("'SERVICE_ACCOUNT_TOKEN': '********'");
      expect(text).toMatch(/^DATABASES = \{'default': \{.*'USER': 'app', 'PASSWORD': '\*{8}'.*'replica': \{.*'PASSWORD': '\*{8}'/m);
    });

    it('reads container_manager: jobs per status, oldest pending age, latest failed jobs (not their environment), executor hosts redacted', () => {
      const cm = fileJson(run.entries, 'django/container-manager.json');
      expect(cm).toMatchObject({ installed: true, jobModel: 'ContainerJob', executorHostModel: 'ExecutorHost' });
      expect(cm.models.ContainerJob.fields).toContain('priority (IntegerField)');
      const jobs = cm.jobs;
      expect(jobs.countsByStatus).toEqual({ pending: 2, running: 1, completed: 1, failed: 2, cancelled: 1 });
      expect(jobs.total).toBe(7);
      expect(jobs.missingColumns).toEqual(['priority']); // the model change without a migration
      expect(jobs.oldestPending).toMatchObject({ name: 'job-1-pending', ageFrom: 'created_at' });
      expect(Math.abs(jobs.oldestPending.ageSeconds - 3 * 3600)).toBeLessThan(600);
      expect(jobs.oldestRunning).toMatchObject({ name: 'job-3-running', ageFrom: 'started_at' });
      expect(jobs.latestFailed.map((j: { name: string; exit_code: number }) => [j.name, j.exit_code])).toEqual([
        ['job-6-failed', 1],
        ['job-5-failed', 137],
      ]);
      expect(jobs.latestFailed[1]).toMatchObject({
        status: 'failed',
        error_message: 'Container was OOM-killed (memory limit 512 MiB)',
        completed_at: expect.any(String),
        started_at: expect.any(String),
      });
      for (const job of [...jobs.latestFailed, jobs.oldestPending, jobs.oldestRunning]) {
        expect(Object.keys(job)).not.toContain('override_environment');
        expect(Object.keys(job)).not.toContain('command');
      }
      expect(jobs.latestFailed[0].error_message).toBe('ConnectionError: could not reach postgres://app:********@db/app');
      expect(jobs.countsByExecutorHost).toEqual({ '1': { pending: 1, running: 1, failed: 1, cancelled: 1 }, '2': { pending: 1, completed: 1, failed: 1 } });

      const hosts = cm.executorHosts;
      expect(hosts).toMatchObject({ typeField: 'executor_type', activeField: 'is_active', missingColumns: ['weight'] });
      expect(hosts.hosts).toEqual([
        expect.objectContaining({ name: 'docker-local', executor_type: 'docker', is_active: true, host_url: 'unix:///var/run/docker.sock', auth_token: '' }),
        expect.objectContaining({
          name: 'cloudrun-eu',
          executor_type: 'cloudrun',
          is_active: false,
          host_url: 'https://deployer:********@run.googleapis.com/v2/projects/demo',
          auth_token: '********',
        }),
      ]);
    });

    it('records every command in the manifest: argv, exit code, duration, stderr; each with its own timeout', () => {
      const commands = run.record.commands;
      const manage = commands.filter((c) => c.argv.includes('manage.py')).map((c) => c.argv.slice(c.argv.indexOf('manage.py') + 1).join(' '));
      expect(manage.sort()).toEqual(
        [
          'check --no-color',
          'check --deploy --no-color',
          'check --database default --no-color',
          'showmigrations --skip-checks --no-color',
          'makemigrations --check --dry-run --skip-checks --no-color',
          'migrate --plan --skip-checks --no-color',
        ].sort(),
      );
      for (const c of commands) {
        expect(c.exitCode, c.argv.join(' ')).toBeTypeOf('number');
        expect(c.durationMs).toBeGreaterThan(0);
        expect(c.timedOut).toBe(false);
        expect(c.cwd).toBe(project);
      }
      expect(commands.find((c) => c.argv.includes('makemigrations'))!.exitCode).toBe(1);
      // Django prints system-check warnings on stderr: the manifest keeps them.
      expect(commands.find((c) => c.argv.at(-2) === 'check')!.stderrTail).toContain('container_manager.W001');
      // The probe's code travels in the environment; the manifest shows how it was started. That one
      // process imports Django for the probe and every command: each command says it ran inside it.
      expect(commands.filter((c) => c.argv.at(-1)?.includes('collect-bundle django probe (read-only)'))).toHaveLength(1);
      for (const c of commands.filter((c) => c.argv.includes('manage.py'))) {
        expect(c.argv.slice(0, 2)).toEqual([join(project, '.venv/bin/python'), 'manage.py']);
        expect(c.ranIn).toContain("the django collector's Python process");
      }
    });

    it('changes nothing: database, project files and their mtimes are as before; no __pycache__, no new files', async () => {
      expect(await snapshot(project)).toEqual(before);
    });

    it('leaks no secret of the fixture anywhere in the bundle, entry names included', () => {
      expect(leakedSecrets(run.entries)).toEqual([]);
    });
  });

  describe('broken settings', () => {
    it.each([
      ['settings_broken_import', "ModuleNotFoundError: No module named 'fx_missing_module'"],
      ['settings_broken_syntax', 'SyntaxError: invalid syntax'],
    ])('%s: the traceback is kept (redacted) and recorded as a problem; the bundle is still written', async (module, error) => {
      const run = await collect(module, { djangoDir: project, settings: `fixture_project.${module}` });
      expect(run.result.status).toBe('complete');
      expect(run.record.status).toBe('ok');
      expect(run.record.problems).toEqual([
        { item: 'django/settings', reason: expect.stringContaining(`settings module fixture_project.${module} failed to load: ${error}`) },
      ]);
      const text = fileText(run.entries, 'django/settings-error.txt');
      expect(text).toContain('Traceback (most recent call last):');
      expect(text).toContain(`fixture_project/${module}.py`);
      expect(text).toContain(error);
      expect(leakedSecrets(run.entries)).toEqual([]);
      // Only the interpreter check and the one Django process ran (both before collection, in the secrets
      // hook), and no command inside it: nothing else can work without settings.
      expect(run.record.commands).toHaveLength(2);
      expect(run.record.commands[1]!.argv.at(-1)).toContain('collect-bundle django probe (read-only)');
      expect(run.record.commands[1]!.exitCode).toBe(1);
      expect(run.record.artifacts.map((a) => a.path).sort()).toEqual(['django/interpreter.json', 'django/settings-error.txt', 'django/versions.json']);
    });
  });

  describe('a default database whose SQLite file does not exist', () => {
    it('reports it, runs what needs no database, and creates no file', async () => {
      const before = await snapshot(project);
      const run = await collect('nodb', { djangoDir: project, settings: 'fixture_project.settings_nodb' });
      expect(run.record.status).toBe('ok');
      expect(await snapshot(project)).toEqual(before); // neither missing.sqlite3 nor replica.sqlite3 appeared
      const [main] = fileJson(run.entries, 'django/databases.json').databases;
      expect(main).toMatchObject({ alias: 'default', reachable: false, sqliteFileMissing: true });
      const notCollected = Object.fromEntries(run.record.problems.filter((p) => p.reason.startsWith('not collected')).map((p) => [p.item, p.reason]));
      expect(Object.keys(notCollected).sort()).toEqual([
        'django/check-database.txt',
        'django/makemigrations-check.txt',
        'django/migrate-plan.txt',
        'django/showmigrations.txt',
      ]);
      expect(notCollected['django/showmigrations.txt']).toContain('the default database is not reachable (database file');
      expect(notCollected['django/makemigrations-check.txt']).toContain('would create the missing SQLite file of database "default"');
      expect(run.record.artifacts.map((a) => a.path)).toEqual(
        expect.arrayContaining(['django/check.txt', 'django/check-deploy.txt', 'django/migrations.json']),
      );
      const m = fileJson(run.entries, 'django/migrations.json');
      expect(m.apps.container_manager).toEqual([
        { name: '0001_initial', applied: null },
        { name: '0002_executorhost_weight', applied: null },
      ]);
      expect(m.pendingModelChanges.container_manager[0].operations).toEqual(['Add field priority to containerjob']);
      expect(fileJson(run.entries, 'django/container-manager.json').jobs.error).toContain("database 'default' is not reachable");
      expect(leakedSecrets(run.entries)).toEqual([]);
    });
  });

  describe('no manage.py', () => {
    it('is skipped with the reason when no project is found, and fails when --django-dir has no manage.py', async () => {
      const empty = join(tmp, 'empty');
      await mkdir(empty, { recursive: true });
      const skipped = await collect('skip', { cwd: empty });
      expect(skipped.record).toMatchObject({ status: 'skipped', reason: `no manage.py in ${empty} or one level below (point --django-dir at the project)` });
      expect(skipped.result.status).toBe('complete');
      const failed = await collect('fail', { djangoDir: empty });
      expect(failed.record).toMatchObject({ status: 'failed', reason: `no manage.py in ${empty} (--django-dir)` });
      expect(failed.result.status).toBe('partial');
    });
  });

  describe('conflicting migrations, no container_manager app, interpreter from uv', () => {
    let run: Run;
    let uv: string;
    beforeAll(async () => {
      const variant = await copyFixture(join(tmp, 'conflict'));
      await setupDatabase(variant, 'fixture_project.settings_minimal');
      // Two 0002 migrations of notes that both follow 0001: two leaf nodes. Added after the database
      // was built, as migrate refuses to run with a conflict.
      await applyVariant(variant, 'conflict');
      await writeFile(join(variant, 'uv.lock'), 'version = 1\n');
      const bin = join(tmp, 'uv-bin');
      await mkdir(bin, { recursive: true });
      uv = join(bin, 'uv');
      await writeFile(
        uv,
        [
          '#!/bin/sh',
          '# Stand-in for uv, which is not installed here: "uv run [--options] python ARGS" runs /usr/bin/python3 ARGS.',
          '[ "$1" = run ] || { echo "stand-in uv: only run is supported" >&2; exit 2; }',
          'shift',
          'while [ "${1#-}" != "$1" ]; do shift; done',
          '[ "$1" = python ] || { echo "stand-in uv: expected python, got $1" >&2; exit 2; }',
          'shift',
          'exec /usr/bin/python3 "$@"',
          '',
        ].join('\n'),
      );
      await chmod(uv, 0o755);
      run = await collect(
        'conflict',
        { djangoDir: variant, settings: 'fixture_project.settings_minimal' },
        runEnv({ PATH: `${bin}:${process.env['PATH'] ?? ''}` }),
      );
    }, 120_000);

    it('chooses `uv run --no-sync python` when uv.lock exists and uv is on PATH (a stand-in uv script that execs /usr/bin/python3: uv is not installed here)', () => {
      const doc = fileJson(run.entries, 'django/interpreter.json');
      expect(doc.chosen).toMatchObject({ command: [uv, 'run', '--no-sync', 'python'], source: 'uv' });
      expect(doc.chosen.reason).toContain('uv.lock');
      expect(doc.python.executable).toBe('/usr/bin/python3');
      // Every Python command goes through uv; the only others are the read-only git calls for the project commit.
      const python = run.record.commands.filter((c) => c.argv[0] !== 'git');
      expect(python.length).toBeGreaterThan(0);
      for (const c of python) expect(c.argv.slice(0, 4)).toEqual([uv, 'run', '--no-sync', 'python']);
    });

    it('passes --settings as DJANGO_SETTINGS_MODULE to every command', () => {
      expect(fileJson(run.entries, 'django/versions.json').settingsModule).toBe('fixture_project.settings_minimal');
      expect(fileText(run.entries, 'django/diffsettings.txt')).toContain("INSTALLED_APPS = ['django.contrib.contenttypes', 'notes']");
    });

    it('reports the conflicting leaf nodes: migration graph, makemigrations --check --dry-run and migrate --plan', () => {
      const m = fileJson(run.entries, 'django/migrations.json');
      const leaves = { notes: ['0002_note_a', '0002_note_b'] };
      expect(m.conflicts).toEqual(leaves);
      expect(m.makemigrationsCheck).toMatchObject({ exitCode: 1, changesDetected: null, conflicts: leaves });
      expect(m.migratePlan).toMatchObject({ exitCode: 1, planned: null, conflicts: leaves });
      expect(m.pendingModelChanges).toBeNull();
      expect(m.apps.notes).toEqual([
        { name: '0001_initial', applied: true, appliedAt: expect.any(String) },
        { name: '0002_note_a', applied: false },
        { name: '0002_note_b', applied: false },
      ]);
      expect(fileText(run.entries, 'django/migrate-plan.txt')).toContain('Conflicting migrations detected; multiple leaf nodes in the migration graph');
    });

    it('says so when container_manager is not installed, and moves on', () => {
      expect(fileJson(run.entries, 'django/container-manager.json')).toEqual({ installed: false, note: 'the container_manager app is not in INSTALLED_APPS' });
      expect(run.record.status).toBe('ok');
      expect(run.record.problems).toEqual([]);
    });

    it('leaks no secret of the fixture', () => {
      expect(leakedSecrets(run.entries)).toEqual([]);
    });
  });
});
