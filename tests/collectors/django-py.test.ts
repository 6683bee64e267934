/**
 * The Django probes as Python files (collectors/django/py/): every shipped `.py` file compiles with
 * Debian's python3, the package ships them (`files` in package.json), and the built CLI, running from
 * dist/, finds and runs them (the state probe answers, the secrets probe keeps SECRET_KEY out).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BEGIN_MARKER, END_MARKER, JOB_ID_ENV, JOB_PROBE, PY_DIR, PY_FILES, STATE_PROBE } from '../../collectors/django/probes.js';
import { ROOT, assertBuilt, describeRun, runCli } from '../cli/harness.js';
import { fileJson, readBundle } from '../helpers/bundle.js';
import { SYSTEM_PYTHON, copyFixture, leakedSecrets, runEnv, setupDatabase, systemDjango } from '../helpers/django.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'cb-django-py-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('the probes are Python files', () => {
  it('lists every .py file of collectors/django/py/ and nothing else', () => {
    expect(PY_DIR).toBe(`${join(ROOT, 'collectors', 'django', 'py')}/`);
    expect(
      readdirSync(PY_DIR)
        .filter((f) => f.endsWith('.py'))
        .sort(),
    ).toEqual([...PY_FILES].sort());
  });

  it.skipIf(!existsSync(SYSTEM_PYTHON))('compiles each shipped .py file with python3 -m py_compile, writing no __pycache__ into the package', () => {
    const cache = join(tmp, 'pycache');
    for (const name of PY_FILES) {
      const r = spawnSync(SYSTEM_PYTHON, ['-m', 'py_compile', join(PY_DIR, name)], { encoding: 'utf8', env: { ...process.env, PYTHONPYCACHEPREFIX: cache } });
      expect(r.status, `${name}: ${r.stderr}`).toBe(0);
    }
    expect(existsSync(join(PY_DIR, '__pycache__'))).toBe(false);
  });

  it('fails to compile a file with a syntax error (the check can fail)', () => {
    const bad = join(tmp, 'bad.py');
    execFileSync('sh', ['-c', `printf 'def broken(:\\n    pass\\n' > ${bad}`]);
    const r = spawnSync(SYSTEM_PYTHON, ['-m', 'py_compile', bad], { encoding: 'utf8', env: { ...process.env, PYTHONPYCACHEPREFIX: join(tmp, 'pycache') } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('SyntaxError');
  });

  it('puts _shared.py in front of each probe that loads the project, which ends by running manage.py', () => {
    const shared = readFileSync(join(PY_DIR, '_shared.py'), 'utf8');
    for (const [probe, file, command] of [
      [STATE_PROBE, 'session.py', 'collect-bundle-probe'],
      [JOB_PROBE, 'job.py', 'collect-bundle-job'],
    ] as const) {
      expect(probe.startsWith(shared)).toBe(true);
      expect(probe.endsWith(readFileSync(join(PY_DIR, file), 'utf8'))).toBe(true);
      expect(probe.trimEnd().endsWith(`run_manage_py('${command}', ${file === 'session.py' ? 'session_main' : 'probe_main'})`)).toBe(true);
      expect(probe).toContain(`BEGIN = '${BEGIN_MARKER}'`);
      expect(probe).toContain(`END = '${END_MARKER}'`);
    }
    expect(JOB_PROBE).toContain(`os.environ.get('${JOB_ID_ENV}', '')`);
  });

  it('ships them: npm pack lists every .py file', () => {
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const files = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    for (const name of PY_FILES) expect(files).toContain(`collectors/django/py/${name}`);
  });
});

describe.skipIf(!systemDjango && !process.env['CI'])('the built CLI runs the probes from dist/', () => {
  it("finds the .py files from dist/collectors/django/ (the package root's collectors/django/py/)", () => {
    assertBuilt();
    const script = `const m = await import(${JSON.stringify(join(ROOT, 'dist', 'collectors', 'django', 'probes.js'))}); process.stdout.write(JSON.stringify({ dir: m.PY_DIR, state: m.STATE_PROBE }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { dir: string; state: string };
    expect(out.dir).toBe(PY_DIR);
    expect(out.state).toBe(STATE_PROBE);
  });

  it("collect --only django: the state probe answers and the secrets probe keeps the settings' secrets out", async () => {
    assertBuilt();
    const project = await copyFixture(join(tmp, 'project'));
    await setupDatabase(project);
    const out = join(tmp, 'out');
    const r = await runCli(['--only', 'django', '--django-dir', project, '--python', SYSTEM_PYTHON, '-o', out, '--quiet'], { env: runEnv() });
    expect(r.code, describeRun(r)).toBe(0);
    const [bundle] = readdirSync(out).filter((f) => f.endsWith('.tar.gz'));
    const entries = await readBundle(join(out, bundle!));
    const databases = fileJson(entries, 'django/databases.json');
    expect(databases.databases.find((d: { alias: string }) => d.alias === 'default')).toMatchObject({ reachable: true, vendor: 'sqlite' });
    expect(fileJson(entries, 'django/checks.json')).toHaveProperty('check');
    expect(leakedSecrets(entries)).toEqual([]);
  }, 120_000);
});
