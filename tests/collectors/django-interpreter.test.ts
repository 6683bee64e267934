/**
 * Finding the Django project and its interpreter: the discovery order (on stand-in executables, no
 * Python started), the parsers of Django's command output, and one real run with an interpreter that
 * cannot import Django.
 */
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { commandPlans } from '../../collectors/django.js';
import { chooseInterpreter, findProject, interpreterCandidates, splitCommand } from '../../collectors/django/interpreter.js';
import { parseConflicts, parseMigratePlan, versionAtLeast } from '../../collectors/django/parse.js';
import { BEGIN_MARKER, END_MARKER, INTERPRETER_PROBE, STATE_PROBE, extractJson } from '../../collectors/django/probes.js';
import { main } from '../../src/cli/main.js';
import { collectBundle } from '../../src/run/collect.js';
import { fileJson, readBundle } from '../helpers/bundle.js';
import { SYSTEM_PYTHON, copyFixture, makeVenv, runEnv, systemDjango } from '../helpers/django.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'cb-django-interp-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** A stand-in executable (never run by these tests; discovery only looks at files). */
async function program(path: string): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, '#!/bin/sh\nexit 0\n');
  await chmod(path, 0o755);
  return path;
}

describe('finding the project', () => {
  it('takes the current directory when it has manage.py, else the one subdirectory that has one', async () => {
    const root = join(tmp, 'find');
    await mkdir(join(root, 'here'), { recursive: true });
    await writeFile(join(root, 'here', 'manage.py'), '');
    expect(await findProject(undefined, join(root, 'here'))).toEqual({ dir: join(root, 'here'), how: 'manage.py in the current directory' });
    expect(await findProject(undefined, root)).toEqual({ dir: join(root, 'here'), how: 'manage.py one level below the current directory (here/)' });
    await mkdir(join(root, 'other'));
    await writeFile(join(root, 'other', 'manage.py'), '');
    expect(await findProject(undefined, root)).toBe(`several Django projects below ${root} (here/, other/): choose one with --django-dir`);
    expect(await findProject(undefined, join(root, 'here', 'nothing-below'))).toMatch(/^no manage\.py in .* or one level below/);
    expect(await findProject('here', root)).toEqual({ dir: join(root, 'here'), how: '--django-dir' });
    expect(await findProject('missing', root)).toBe(`no manage.py in ${join(root, 'missing')} (--django-dir)`);
  });
});

describe('choosing the interpreter', () => {
  let project: string;
  let bin: string;
  let venv: string;
  beforeAll(async () => {
    project = join(tmp, 'order', 'project');
    bin = join(tmp, 'order', 'bin');
    venv = join(tmp, 'order', 'activated');
    await mkdir(project, { recursive: true });
    await writeFile(join(project, 'manage.py'), '');
    await writeFile(join(project, 'uv.lock'), '');
    await program(join(bin, 'uv'));
    await program(join(bin, 'python3'));
    await program(join(venv, 'bin', 'python'));
    await program(join(project, '.venv', 'bin', 'python'));
    await program(join(project, 'venv', 'bin', 'python'));
  });

  it('follows the order --python, uv, $VIRTUAL_ENV, .venv, venv, python3 on PATH, and says why', async () => {
    const env = { PATH: bin, VIRTUAL_ENV: venv };
    const choose = (e: Record<string, string | undefined>, python?: string) => chooseInterpreter({ projectDir: project, python, env: e, cwd: project });

    expect(await choose(env, 'python3')).toMatchObject({ command: [join(bin, 'python3')], source: 'option', reason: 'given with --python' });
    expect(await choose(env)).toMatchObject({ command: [join(bin, 'uv'), 'run', '--no-sync', 'python'], source: 'uv' });

    const noUv = { ...env, PATH: join(tmp, 'order', 'empty') };
    expect(await choose(noUv)).toEqual({
      command: [join(venv, 'bin', 'python')],
      source: 'virtual-env',
      reason: `VIRTUAL_ENV is set (an activated virtual environment: ${venv})`,
      considered: [{ candidate: 'uv run python', skipped: 'the project has uv.lock but uv is not on PATH' }],
    });
    expect(await choose({ PATH: noUv.PATH })).toMatchObject({
      command: [join(project, '.venv', 'bin', 'python')],
      source: 'project-venv',
      reason: 'the project has a virtual environment in .venv/',
    });
    await rm(join(project, '.venv'), { recursive: true });
    expect(await choose({ PATH: noUv.PATH })).toMatchObject({
      command: [join(project, 'venv', 'bin', 'python')],
      source: 'project-venv',
      reason: 'the project has a virtual environment in venv/',
    });
    await rm(join(project, 'venv'), { recursive: true });
    expect(await choose({ PATH: bin, VIRTUAL_ENV: join(tmp, 'order', 'gone') })).toMatchObject({
      command: [join(bin, 'uv'), 'run', '--no-sync', 'python'],
    });
    await rm(join(project, 'uv.lock'));
    const last = await choose({ PATH: bin, VIRTUAL_ENV: join(tmp, 'order', 'gone') });
    expect(last).toMatchObject({ command: [join(bin, 'python3')], source: 'path', reason: expect.stringContaining('the first python3 on PATH') });
    expect(typeof last !== 'string' && last.considered.map((c) => c.skipped)).toEqual([
      'VIRTUAL_ENV is set but it has no bin/python',
      'no virtual environment in the project directory',
    ]);
    expect(await choose({ PATH: noUv.PATH })).toBe('no Python interpreter found: no --python, no uv project, no virtual environment, and no python3 on PATH');
  });

  it('--python: a name is looked up on PATH, a relative path is taken from the current directory, arguments are split without a shell', async () => {
    const choose = (python: string) => chooseInterpreter({ projectDir: project, python, env: { PATH: bin }, cwd: join(tmp, 'order') });
    expect(await choose('uv run python')).toMatchObject({ command: [join(bin, 'uv'), 'run', 'python'] });
    expect(await choose('project/.venv/bin/python')).toMatchObject({ command: [join(tmp, 'order', 'project/.venv/bin/python')] });
    expect(await choose('python3.99')).toBe('--python python3.99: python3.99 is not on PATH');
    expect(splitCommand('  poetry  run python ')).toEqual(['poetry', 'run', 'python']);
  });

  it('lists other interpreters to try, bounded: system ones, python3.N on PATH, pyenv versions instead of their shims, venvs', async () => {
    const root = join(tmp, 'others');
    const shims = join(root, 'pyenv', 'shims');
    await program(join(shims, 'python3'));
    await program(join(shims, 'python3.12'));
    await program(join(root, 'pyenv', 'versions', '3.12.1', 'bin', 'python3'));
    await program(join(root, 'pyenv', 'versions', '3.9.18', 'bin', 'python3'));
    await mkdir(join(root, 'pyenv', 'versions', '2.7.18', 'bin'), { recursive: true }); // no python3 there
    await program(join(root, 'local', 'python3'));
    await program(join(root, 'local', 'python3.10'));
    await symlink(join(root, 'local'), join(root, 'local-link'));
    const proj = join(root, 'proj');
    await program(join(proj, '.venv', 'bin', 'python'));
    const found = await interpreterCandidates({
      env: { PATH: [shims, join(root, 'local'), join(root, 'local-link')].join(':') },
      projectDir: proj,
      exclude: [join(root, 'local', 'python3.10')],
    });
    const expected = [
      join(root, 'pyenv', 'versions', '3.12.1', 'bin', 'python3'),
      join(root, 'pyenv', 'versions', '3.9.18', 'bin', 'python3'),
      join(root, 'local', 'python3'),
      // local-link/python3 is the same file as local/python3; local/python3.10 was already tried.
      join(proj, '.venv', 'bin', 'python'),
    ];
    const system = ['/usr/bin/python3', '/usr/local/bin/python3'].filter((p) => found.includes(p));
    expect(found).toEqual([...system, ...expected]);
  });
});

describe('reading what Python and Django print', () => {
  it('finds the JSON between the markers, whatever settings printed around it', () => {
    expect(extractJson(`warning from settings\n${BEGIN_MARKER}{"a": 1}${END_MARKER}\nbye\n`)).toEqual({ a: 1 });
    expect(extractJson('Traceback ...')).toBeUndefined();
    expect(extractJson(`${BEGIN_MARKER}{"cut`)).toBeUndefined();
    expect(STATE_PROBE).toContain(`BEGIN = '${BEGIN_MARKER}'`);
    expect(STATE_PROBE).toContain(`END = '${END_MARKER}'`);
    expect(INTERPRETER_PROBE).toContain(BEGIN_MARKER);
  });

  it('parses conflicting leaf nodes, the migrate plan and Django versions', () => {
    expect(
      parseConflicts(
        "CommandError: Conflicting migrations detected; multiple leaf nodes in the migration graph: (0002_a, 0002_b in notes; 0003_x, 0003_y in shop).\nTo fix them run 'python manage.py makemigrations --merge'",
      ),
    ).toEqual({
      notes: ['0002_a', '0002_b'],
      shop: ['0003_x', '0003_y'],
    });
    expect(parseConflicts('No changes detected')).toBeUndefined();
    expect(
      parseMigratePlan(
        'Planned operations:\nshop.0002_price\n    Add field price to item\n    Raw SQL operation\nnotes.0003_x\n    Remove field y from note\n',
      ),
    ).toEqual([
      { migration: 'shop.0002_price', operations: ['Add field price to item', 'Raw SQL operation'] },
      { migration: 'notes.0003_x', operations: ['Remove field y from note'] },
    ]);
    expect(parseMigratePlan('Planned operations:\n  No planned migration operations.\n')).toEqual([]);
    expect(parseMigratePlan('CommandError: Conflicting migrations detected')).toBeUndefined();
    expect([versionAtLeast('3.2.25', 3, 1), versionAtLeast('3.0', 3, 1), versionAtLeast('5.1a1', 3, 1), versionAtLeast('x', 1, 0)]).toEqual([
      true,
      false,
      true,
      false,
    ]);
  });
});

describe('which Django commands run', () => {
  const db = (alias: string, reachable: boolean) => ({ alias, reachable, ...(reachable ? {} : { error: 'connection refused' }) });
  const paths = (plans: ReturnType<typeof commandPlans>) => Object.fromEntries(plans.map((p) => [p.path, p.skip ?? p.args.join(' ')]));

  it('checks only reachable databases, and leaves out what needs an unreachable default database, saying why', () => {
    expect(paths(commandPlans({ databases: [db('default', false), db('reports', true)] }, '4.2.1'))).toEqual({
      'check.txt': 'check',
      'check-deploy.txt': 'check --deploy',
      'check-database.txt': 'check --database reports',
      'showmigrations.txt': 'the default database is not reachable (connection refused; see django/databases.json)',
      'makemigrations-check.txt': 'makemigrations --check --dry-run --skip-checks',
      'migrate-plan.txt': 'the default database is not reachable (connection refused; see django/databases.json)',
    });
  });

  it('does not run makemigrations when it would create a missing SQLite file (default, or any alias with routers)', () => {
    const missing = { alias: 'default', reachable: false, sqliteFileMissing: true, error: 'database file /x.sqlite3 does not exist' };
    expect(paths(commandPlans({ databases: [missing] }, '3.2.25'))['makemigrations-check.txt']).toBe(
      'makemigrations would create the missing SQLite file of database "default"; the model changes without a migration are in django/migrations.json (pendingModelChanges)',
    );
    const replica = { ...missing, alias: 'replica' };
    expect(paths(commandPlans({ databases: [db('default', true), replica] }, '3.2.25'))['makemigrations-check.txt']).toBe(
      'makemigrations --check --dry-run --skip-checks',
    );
    expect(paths(commandPlans({ databases: [db('default', true), replica], databaseRouters: 1 }, '3.2.25'))['makemigrations-check.txt']).toContain('"replica"');
  });

  it('adapts to old Django versions and to a probe that gave no answer', () => {
    const old = paths(commandPlans({ databases: [db('default', true)] }, '2.1.15'));
    expect(old['check-database.txt']).toBe('check --database needs Django 3.1 (this is 2.1.15); django/databases.json has the connection test');
    expect(old['showmigrations.txt']).toBe('showmigrations'); // no --skip-checks before Django 3.0
    expect(old['migrate-plan.txt']).toBe('migrate --plan needs Django 2.2 (this is 2.1.15)');
    const unknown = paths(commandPlans(undefined, '3.2.25'));
    expect(unknown['check-database.txt']).toBe('the database aliases are unknown (the probe gave no result)');
    expect(unknown['showmigrations.txt']).toBe('showmigrations --skip-checks'); // tried: its own error then says what is wrong
  });
});

describe('per-command timeout', () => {
  it('kills an interpreter that hangs after its timeout and says so', async () => {
    const project = join(tmp, 'hang-project');
    await mkdir(project, { recursive: true });
    await writeFile(join(project, 'manage.py'), '');
    const hang = join(tmp, 'hang', 'python');
    await mkdir(dirname(hang), { recursive: true });
    await writeFile(hang, '#!/bin/sh\nexec sleep 30\n');
    await chmod(hang, 0o755);
    const began = performance.now();
    const result = await collectBundle({
      outputDir: join(tmp, 'out-hang'),
      only: ['django'],
      collectorOptions: { django: { djangoDir: project, python: hang, commandTimeoutMs: 500 } },
      env: runEnv(),
    });
    expect(performance.now() - began).toBeLessThan(10_000);
    const record = result.manifest.collectors[0]!;
    expect(record).toMatchObject({ status: 'failed', reason: `${hang} could not be run as Python: timed out after 0.5s and was killed` });
    // The interpreter check (before collection, in the secrets hook) hit the timeout; collect() took its
    // answer instead of asking again, and nothing else ran.
    expect(record.commands).toEqual([expect.objectContaining({ argv: [hang, '-c', INTERPRETER_PROBE], timedOut: true, exitCode: null, cwd: project })]);
  });
});

describe.skipIf(!systemDjango && !process.env['CI'])('command line: --django-dir, --settings, --python', () => {
  const cli = async (args: string[]) => {
    let stdout = '';
    let stderr = '';
    const sink = (append: (s: string) => void) =>
      new Writable({
        write: (c, _e, cb) => {
          append(String(c));
          cb();
        },
      });
    const code = await main(args, {
      stdout: sink((s) => (stdout += s)),
      stderr: sink((s) => (stderr += s)),
      env: runEnv(),
      signal: new AbortController().signal,
    });
    return { code, stdout, stderr };
  };

  it('reach the collector, are recorded in the manifest, and are in --help', async () => {
    const project = await copyFixture(join(tmp, 'cli-project'));
    const out = join(tmp, 'out-cli');
    const r = await cli([
      '--only',
      'django',
      '-o',
      out,
      '-q',
      '--json',
      '--django-dir',
      project,
      '--settings',
      'fx_no_such_settings',
      '--python',
      SYSTEM_PYTHON,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const bundle = JSON.parse(r.stdout).bundle as string;
    const entries = await readBundle(bundle);
    const manifest = fileJson(entries, 'manifest.json');
    // --django-dir is also where the compose collector looks for compose files.
    expect(manifest.options.collectorOptions).toEqual({
      django: { djangoDir: project, settings: 'fx_no_such_settings', python: SYSTEM_PYTHON },
      compose: { projectDir: project },
    });
    expect(fileJson(entries, 'django/interpreter.json').chosen).toMatchObject({ command: [SYSTEM_PYTHON], source: 'option' });
    expect(manifest.collectors[0].problems[0].reason).toContain(
      "settings module fx_no_such_settings failed to load: ModuleNotFoundError: No module named 'fx_no_such_settings'",
    );

    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined); // yargs prints --help there
    try {
      await cli(['--help']);
      const help = log.mock.calls.flat().join('\n');
      for (const flag of ['--django-dir', '--settings', '--python']) expect(help).toContain(flag);
    } finally {
      log.mockRestore();
    }
    const empty = await cli(['--only', 'django', '-o', out, '--django-dir', '']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--django-dir must not be empty');
  });
});

describe.skipIf(!systemDjango && !process.env['CI'])('an interpreter that cannot import Django', () => {
  it('fails with its path, version and import error, and names the interpreters on this machine that can', async () => {
    const project = await copyFixture(join(tmp, 'nodjango-project'));
    // A venv without system site packages: its python3 cannot import Django. First on PATH, it plays the
    // common real case of a python3 on PATH that is not the project's.
    const venv = join(tmp, 'nodjango-venv');
    await makeVenv(venv, { systemSitePackages: false });
    const result = await collectBundle({
      outputDir: join(tmp, 'out-nodjango'),
      only: ['django'],
      collectorOptions: { django: { djangoDir: project } },
      env: runEnv({ PATH: `${join(venv, 'bin')}:/usr/bin:/bin` }),
    });
    const record = result.manifest.collectors[0]!;
    expect(result.status).toBe('partial');
    expect(record.status).toBe('failed');
    expect(record.reason).toContain(`Django cannot be imported with ${join(venv, 'bin', 'python3')} (the first python3 on PATH`);
    expect(record.reason).toMatch(/Python 3\.\d+\.\d+ at .*nodjango-venv\/bin\/python3\): ModuleNotFoundError: No module named 'django'/);
    expect(record.reason).toContain(`These interpreters on this machine can import Django: ${SYSTEM_PYTHON} (Django ${systemDjango}`);
    expect(record.reason).toContain(`Run again with --python ${SYSTEM_PYTHON}`);

    const doc = fileJson(await readBundle(result.bundle), 'django/interpreter.json');
    expect(doc).toMatchObject({ chosen: { source: 'path' }, django: null, djangoImportError: "ModuleNotFoundError: No module named 'django'" });
    expect(doc.otherInterpreters).toContainEqual(expect.objectContaining({ path: SYSTEM_PYTHON, django: systemDjango }));
    // The other interpreters were probed with a short timeout each.
    for (const c of record.commands.slice(1)) expect(c.timedOut).toBe(false);
    expect(result.manifest.environment['django.python']).toContain(join(venv, 'bin', 'python3'));
  });
});
