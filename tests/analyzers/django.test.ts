/**
 * The Django analyzers on bundles the real django collector made from copies of the fixture project
 * (Debian's Django, `--python /usr/bin/python3`, only the django collector): a system-check warning and
 * errors, DEBUG and check --deploy in production-looking settings (and not in dev settings), unapplied,
 * conflicting and missing migrations, unreachable databases, an interpreter without Django. Each finding
 * is checked for id, severity, subject, and that its evidence line really holds its excerpt.
 * MemoryView cases below cover shapes the fixture cannot produce (a PostgreSQL host, check.txt only).
 */
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  djangoAnalyzers,
  djangoChecksAnalyzer,
  djangoDatabaseAnalyzer,
  djangoInterpreterAnalyzer,
  djangoMigrationsAnalyzer,
  parseCheckText,
} from '../../analyzers/django.js';
import { MemoryView } from '../../src/bundle/memory-view.js';
import { collectBundle } from '../../src/run/collect.js';
import { openBundleView } from '../../src/bundle/view.js';
import type { BundleView, Finding, Manifest } from '../../src/core/types.js';
import { FIXTURE_SECRETS, SYSTEM_PYTHON, applyVariant, copyFixture, makeVenv, runEnv, setupDatabase, systemDjango } from '../helpers/django.js';

let tmp: string;

interface Analyzed {
  view: BundleView;
  findings: Finding[];
  /** The bundle's own findings.json (the analyzers as `collect` ran them). */
  stored: { findings: Finding[] } | undefined;
}

async function collectAndAnalyze(name: string, options: Record<string, unknown>): Promise<Analyzed> {
  const result = await collectBundle({
    outputDir: join(tmp, `out-${name}`),
    only: ['django'],
    collectorOptions: { django: { python: SYSTEM_PYTHON, ...options } },
    env: runEnv(),
  });
  const opened = await openBundleView(result.bundle);
  const findings: Finding[] = [];
  for (const a of djangoAnalyzers) findings.push(...(await a.analyze(opened.view, {})));
  const storedText = opened.rootFiles.get('findings.json');
  return { view: opened.view, findings, stored: storedText ? JSON.parse(storedText) : undefined };
}

const ids = (fs: readonly Finding[]): string[] => fs.map((f) => f.id);
const one = (fs: readonly Finding[], id: string, subject?: string): Finding => {
  const found = fs.filter((f) => f.id === id && (subject === undefined || f.subject === subject));
  expect(found, `${id} ${subject ?? ''} in ${JSON.stringify(fs.map((f) => [f.id, f.subject]))}`).toHaveLength(1);
  return found[0]!;
};

/** Every evidence entry names a file of the bundle, and its line (when given) holds the excerpt. */
async function expectRealEvidence(view: BundleView, f: Finding): Promise<void> {
  expect(f.evidence.length, `${f.id} has evidence`).toBeGreaterThan(0);
  for (const e of f.evidence) {
    const text = await view.text(e.file);
    expect(text, `${f.id}: ${e.file} is in the bundle`).toBeDefined();
    if (e.line === undefined) continue;
    const line = text!.split('\n')[e.line - 1];
    expect(line, `${f.id}: ${e.file}:${e.line}`).toBeDefined();
    expect(line!, `${f.id}: ${e.file}:${e.line}`).toContain(e.excerpt.replace(/…$/, ''));
  }
  expect(f.docs).toBe(`TROUBLESHOOTING.md#${f.id}`);
}

const lineAt = async (view: BundleView, file: string, line: number | undefined): Promise<string> => (await view.text(file))!.split('\n')[line! - 1]!;

describe.skipIf(!systemDjango && !process.env['CI'])('Django analyzers on real bundles of the fixture project', () => {
  let project: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'cb-analyzers-django-'));
    project = await copyFixture(join(tmp, 'project'));
    await setupDatabase(project);
  }, 120_000);
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  describe('the fixture: container_manager at 0001, a model change without migration, DEBUG on, settings named like production', () => {
    let run: Analyzed;
    beforeAll(async () => {
      run = await collectAndAnalyze('main', { djangoDir: project });
    }, 120_000);

    it("reports the custom check warning by its id, with the check.txt line and Django's hint as the remedy", async () => {
      const f = one(run.findings, 'django-check-warning', 'container_manager.W001');
      expect(f.severity).toBe('warning');
      expect(f.title).toContain('CONTAINER_MANAGER has no DEFAULT_TIMEOUT');
      expect(f.evidence[0]).toMatchObject({ file: 'django/check.txt' });
      expect(await lineAt(run.view, 'django/check.txt', f.evidence[0]!.line)).toContain('(container_manager.W001)');
      expect(f.remedy).toContain('Set CONTAINER_MANAGER["DEFAULT_TIMEOUT"] to a number of seconds.');
      await expectRealEvidence(run.view, f);
      expect(ids(run.findings)).not.toContain('django-check-error');
    });

    it('reports DEBUG=True in the single settings.py of a new project as info only: nothing says production (issue #13)', async () => {
      const f = one(run.findings, 'django-debug-enabled', 'fixture_project.settings');
      expect(f.severity).toBe('info');
      expect(f.title).toBe('DEBUG = True in settings fixture_project.settings (matters when you deploy)');
      expect(f.summary).toContain('Nothing collected says these settings serve production');
      expect(f.evidence.map((e) => e.file)).toEqual(['django/diffsettings.txt', 'django/check-deploy.txt']);
      expect(await lineAt(run.view, 'django/diffsettings.txt', f.evidence[0]!.line)).toBe('DEBUG = True');
      expect(await lineAt(run.view, 'django/check-deploy.txt', f.evidence[1]!.line)).toContain('(security.W018)');
      await expectRealEvidence(run.view, f);
      expect(run.findings.filter((x) => x.severity === 'error').map((x) => x.id)).not.toContain('django-debug-enabled');
    });

    it('reports the other check --deploy issues in one info finding, one fix per id and line, without the plain check warning or W018', async () => {
      const f = one(run.findings, 'django-deploy', 'fixture_project.settings');
      expect(f.severity).toBe('info');
      expect(f.title).toBe('check --deploy: 4 issues in settings fixture_project.settings (matters when you deploy)');
      for (const e of f.evidence) expect(e.file).toBe('django/check-deploy.txt');
      expect(f.evidence.map((e) => /\((security\.W\d+)\)/.exec(e.excerpt)?.[1]).sort()).toEqual([
        'security.W001',
        'security.W002',
        'security.W003',
        'security.W009',
      ]);
      const lines = f.remedy.split('\n').filter((l) => l.startsWith('- '));
      expect(lines.map((l) => /^- (security\.W\d+): /.exec(l)?.[1]).sort()).toEqual(['security.W001', 'security.W002', 'security.W003', 'security.W009']);
      expect(f.remedy).not.toContain('security.W018');
      expect(f.remedy).not.toContain('container_manager.W001');
      await expectRealEvidence(run.view, f);
    });

    it('reports the unapplied migration with its showmigrations line', async () => {
      const f = one(run.findings, 'migrations-unapplied', 'default');
      expect(f.severity).toBe('warning');
      expect(f.title).toContain('container_manager: 0002_executorhost_weight');
      expect(f.evidence).toHaveLength(1);
      expect(f.evidence[0]).toMatchObject({ file: 'django/showmigrations.txt', excerpt: '[ ] 0002_executorhost_weight' });
      expect(f.remedy).toContain('python manage.py migrate --plan');
      await expectRealEvidence(run.view, f);
    });

    it('reports the model change without a migration with the makemigrations --check line', async () => {
      const f = one(run.findings, 'migrations-missing', 'container_manager');
      expect(f.severity).toBe('warning');
      expect(f.evidence[0]).toMatchObject({ file: 'django/makemigrations-check.txt', excerpt: '- Add field priority to containerjob' });
      expect(f.remedy).toContain('python manage.py makemigrations container_manager');
      await expectRealEvidence(run.view, f);
    });

    it('reports the replica alias, whose SQLite file does not exist, and only it', async () => {
      const f = one(run.findings, 'database-unreachable', 'replica');
      expect(f.severity).toBe('error');
      expect(f.title).toContain(`SQLite file ${join(project, 'replica.sqlite3')}`);
      expect(f.evidence[0]!.file).toBe('django/databases.json');
      expect(f.evidence[0]!.excerpt).toContain('does not exist');
      await expectRealEvidence(run.view, f);
      expect(run.findings.filter((x) => x.id === 'database-unreachable')).toHaveLength(1);
    });

    it('reports no conflict and no interpreter problem, and leaks no secret of the fixture', () => {
      expect(ids(run.findings)).not.toContain('migrations-conflict');
      expect(ids(run.findings)).not.toContain('django-not-importable');
      const text = JSON.stringify(run.findings);
      for (const s of FIXTURE_SECRETS) expect(text).not.toContain(s);
    });

    it('are what collect stored in findings.json', () => {
      expect(run.stored, 'findings.json in the bundle').toBeDefined();
      const stored = run.stored!.findings.filter((f) => djangoAnalyzers.some((a) => a.findingIds.includes(f.id)));
      expect(stored.map((f) => `${f.id} ${f.subject}`).sort()).toEqual(run.findings.map((f) => `${f.id} ${f.subject}`).sort());
    });
  });

  it('does not report DEBUG or check --deploy for settings named for development (settings_local)', async () => {
    await writeFile(join(project, 'fixture_project', 'settings_local.py'), 'from .settings import *  # noqa: F401,F403\n');
    const run = await collectAndAnalyze('local', { djangoDir: project, settings: 'fixture_project.settings_local' });
    expect(ids(run.findings)).not.toContain('django-debug-enabled');
    expect(ids(run.findings)).not.toContain('django-deploy');
    // The rest is still reported.
    one(run.findings, 'django-check-warning', 'container_manager.W001');
    one(run.findings, 'migrations-unapplied', 'default');
  }, 120_000);

  it('reports DEBUG and check --deploy as errors when the settings say production: ALLOWED_HOSTS with a real host, SECURE_* set', async () => {
    await writeFile(
      join(project, 'fixture_project', 'settings_site.py'),
      "from .settings import *  # noqa: F401,F403\nALLOWED_HOSTS = ['shop.acme-widgets.com']\nSECURE_CONTENT_TYPE_NOSNIFF = True\nSECURE_REFERRER_POLICY = 'strict-origin'\n",
    );
    const run = await collectAndAnalyze('site', { djangoDir: project, settings: 'fixture_project.settings_site' });
    const f = one(run.findings, 'django-debug-enabled', 'fixture_project.settings_site');
    expect(f.severity).toBe('error');
    expect(f.title).toBe('DEBUG = True in settings fixture_project.settings_site, which serve production');
    expect(f.summary).toContain('because ALLOWED_HOSTS names real hosts (');
    expect(f.summary).toContain('SECURE_REFERRER_POLICY is set');
    const hosts = f.evidence.find((e) => e.excerpt.startsWith('ALLOWED_HOSTS = '))!;
    expect(await lineAt(run.view, 'django/diffsettings.txt', hosts.line)).toMatch(/^ALLOWED_HOSTS = \['/);
    await expectRealEvidence(run.view, f);
    expect(one(run.findings, 'django-deploy', 'fixture_project.settings_site').severity).toBe('error');
  }, 120_000);

  it('takes DEBUG = False in a settings module beside the loaded one as production evidence (issue #13: "DEBUG=False elsewhere in the settings tree")', async () => {
    const sibling = join(project, 'fixture_project', 'settings_deploy.py');
    await writeFile(sibling, 'from .settings import *  # noqa: F401,F403\n\nDEBUG = False\n');
    try {
      const run = await collectAndAnalyze('tree', { djangoDir: project });
      const tree = JSON.parse((await run.view.text('django/settings-tree.json'))!);
      expect(tree.modules).toEqual(
        expect.arrayContaining([
          { module: 'fixture_project.settings', file: 'settings.py', line: 10, debug: true, loaded: true },
          { module: 'fixture_project.settings_deploy', file: 'settings_deploy.py', line: 3, debug: false, loaded: false },
        ]),
      );
      const f = one(run.findings, 'django-debug-enabled', 'fixture_project.settings');
      expect(f.severity).toBe('error');
      expect(f.summary).toContain('fixture_project.settings_deploy (beside the loaded settings) sets DEBUG = False');
      await expectRealEvidence(run.view, f);
    } finally {
      await rm(sibling, { force: true });
    }
  }, 120_000);

  it('reports system check errors one finding per id, with every check.txt line naming it', async () => {
    const errors = await copyFixture(join(tmp, 'errors'));
    await setupDatabase(errors);
    // Added after the database was built: migrate refuses to run with check errors.
    await appendFile(
      join(errors, 'notes', 'models.py'),
      [
        '',
        '',
        'class Clash(models.Model):',
        "    first = models.ForeignKey(Note, on_delete=models.CASCADE, related_name='clash')",
        "    second = models.ForeignKey(Note, on_delete=models.CASCADE, related_name='clash')",
        '',
      ].join('\n'),
    );
    const run = await collectAndAnalyze('errors', { djangoDir: errors });
    const e304 = one(run.findings, 'django-check-error', 'fields.E304');
    expect(e304.severity).toBe('error');
    expect(e304.title).toContain('on 2 objects');
    expect(e304.evidence.map((e) => e.file)).toEqual(['django/check.txt', 'django/check.txt']);
    for (const e of e304.evidence) expect(await lineAt(run.view, 'django/check.txt', e.line)).toMatch(/^notes\.Clash\.(first|second): \(fields\.E304\)/);
    expect(e304.remedy).toContain("Django's hint:");
    expect(e304.remedy).toContain('https://docs.djangoproject.com/en/stable/ref/checks/');
    await expectRealEvidence(run.view, e304);
    const e305 = one(run.findings, 'django-check-error', 'fields.E305');
    await expectRealEvidence(run.view, e305);
    one(run.findings, 'django-check-warning', 'container_manager.W001');
  }, 120_000);

  it('reports conflicting migrations per app, with makemigrations --merge as a change made in development', async () => {
    const variant = await copyFixture(join(tmp, 'conflict'));
    await setupDatabase(variant, 'fixture_project.settings_minimal');
    await applyVariant(variant, 'conflict'); // two 0002 leaves in notes, added after the database was built
    const run = await collectAndAnalyze('conflict', { djangoDir: variant, settings: 'fixture_project.settings_minimal' });
    const f = one(run.findings, 'migrations-conflict', 'notes');
    expect(f.severity).toBe('error');
    expect(f.title).toBe('Conflicting migrations in notes: 0002_note_a and 0002_note_b are both leaf nodes');
    expect(f.remedy).toContain('python manage.py makemigrations --merge notes');
    expect(f.remedy).toMatch(/development/);
    const files = f.evidence.map((e) => `${e.file}:${e.excerpt}`);
    expect(files).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^django\/migrate-plan\.txt:CommandError: Conflicting migrations detected/),
        'django/showmigrations.txt:[ ] 0002_note_a',
        'django/showmigrations.txt:[ ] 0002_note_b',
      ]),
    );
    await expectRealEvidence(run.view, f);
    // Both leaves are unapplied too; that finding says to resolve the conflict first.
    expect(one(run.findings, 'migrations-unapplied', 'default').remedy).toContain('First resolve the migration conflict in notes');
  }, 120_000);

  it('reports an unreachable default database by alias, engine and file, never its credentials', async () => {
    const run = await collectAndAnalyze('nodb', { djangoDir: project, settings: 'fixture_project.settings_nodb' });
    const f = one(run.findings, 'database-unreachable', 'default');
    expect(f.severity).toBe('error');
    expect(f.title).toBe(
      `Database "default" (SQLite file ${join(project, 'missing.sqlite3')}) is not reachable: database file ${join(project, 'missing.sqlite3')} does not exist (not created: collect-bundle only reads)`,
    );
    expect(f.summary).toContain('django.db.backends.sqlite3');
    await expectRealEvidence(run.view, f);
    expect(JSON.stringify(f)).not.toMatch(/fx-db-password|"user"|app@/);
    // Nothing about migrations or jobs can be known: no finding claims it.
    expect(ids(run.findings)).not.toContain('migrations-unapplied');
  }, 120_000);

  it('reports an interpreter that cannot import Django, naming the one that can', async () => {
    const venv = join(tmp, 'bare-venv');
    await makeVenv(venv, { systemSitePackages: false });
    const python = join(venv, 'bin', 'python');
    const run = await collectAndAnalyze('nodjango', { djangoDir: project, python });
    expect(ids(run.findings)).toEqual(['django-not-importable']);
    const f = one(run.findings, 'django-not-importable', python);
    expect(f.severity).toBe('error');
    expect(f.title).toBe(`The Python interpreter ${python} cannot import Django`);
    expect(f.summary).toContain(`${SYSTEM_PYTHON} (Django ${systemDjango})`);
    expect(f.remedy).toContain(`--python ${SYSTEM_PYTHON}`);
    expect(f.remedy).toContain('uv sync');
    expect(f.evidence[0]).toMatchObject({ file: 'django/interpreter.json', excerpt: `"djangoImportError": "ModuleNotFoundError: No module named 'django'"` });
    await expectRealEvidence(run.view, f);
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------------
// Shapes the fixture cannot produce, and robustness.

const manifest = { finishedAt: '2026-01-01T00:00:00.000Z', environment: {} } as unknown as Manifest;
const view = (files: Record<string, unknown>): MemoryView =>
  new MemoryView(
    manifest,
    Object.entries(files).map(([p, v]) => [p, typeof v === 'string' ? v : JSON.stringify(v, null, 2)] as const),
  );

describe('Django analyzers on hand-made bundles', () => {
  it('parse check.txt when checks.json is missing', async () => {
    const text = [
      'SystemCheckError: System check identified some issues:',
      '',
      'ERRORS:',
      "shop.Order.customer: (fields.E300) Field defines a relation with model 'Customer', which is either not installed, or is abstract.",
      '',
      'WARNINGS:',
      "?: (urls.W002) Your URL pattern has a route beginning with a '/'.",
      '\tHINT: Remove this slash as it is unnecessary.',
      '',
      'System check identified 2 issues (0 silenced).',
    ].join('\n');
    expect(parseCheckText(text)).toEqual([
      {
        id: 'fields.E300',
        level: 'ERROR',
        object: 'shop.Order.customer',
        message: "Field defines a relation with model 'Customer', which is either not installed, or is abstract.",
        hint: null,
        silenced: false,
      },
      {
        id: 'urls.W002',
        level: 'WARNING',
        object: null,
        message: "Your URL pattern has a route beginning with a '/'.",
        hint: 'Remove this slash as it is unnecessary.',
        silenced: false,
      },
    ]);
    const fs = await djangoChecksAnalyzer.analyze(view({ 'django/check.txt': text }), {});
    expect(fs.map((f) => [f.id, f.subject, f.evidence[0]?.line])).toEqual([
      ['django-check-error', 'fields.E300', 4],
      ['django-check-warning', 'urls.W002', 7],
    ]);
    expect(fs[1]!.remedy).toContain("Django's hint: Remove this slash as it is unnecessary.");
  });

  it('name a PostgreSQL alias by host and port, and say what a refused connection means, without user or password', async () => {
    const fs = await djangoDatabaseAnalyzer.analyze(
      view({
        'django/databases.json': {
          databases: [
            {
              alias: 'default',
              engine: 'django.db.backends.postgresql',
              vendor: 'postgresql',
              name: 'shop',
              host: 'db.internal',
              port: '5433',
              user: 'shop_admin',
              passwordSet: true,
              reachable: false,
              error: 'OperationalError: connection to server at "db.internal" (10.0.0.5), port 5433 failed: Connection refused',
            },
            {
              alias: 'reports',
              engine: 'django.db.backends.postgresql',
              vendor: 'postgresql',
              name: 'reports',
              host: 'db.internal',
              port: null,
              reachable: true,
            },
          ],
        },
      }),
      {},
    );
    expect(fs).toHaveLength(1);
    expect(fs[0]!.title).toMatch(/^Database "default" \(PostgreSQL at db\.internal:5433 \(database shop\)\) is not reachable: OperationalError/);
    expect(fs[0]!.remedy).toContain('pg_isready -h db.internal -p 5433');
    expect(fs[0]!.remedy).toContain('Nothing listens on db.internal:5433');
    expect(JSON.stringify(fs[0])).not.toContain('shop_admin');
  });

  it('decide production from --environment (option or the manifest), and from a non-SQLite database on a real host, not a compose service name', async () => {
    const files = { 'django/versions.json': { settingsModule: 'mysite.settings' }, 'django/diffsettings.txt': 'DEBUG = True\n' };
    const sev = async (v: MemoryView, options = {}) => (await djangoChecksAnalyzer.analyze(v, options)).map((f) => f.severity);
    expect(await sev(view(files))).toEqual(['info']);
    expect(await sev(view(files), { environment: 'production' })).toEqual(['error']);
    expect(await sev(view(files), { environment: 'development' })).toEqual([]);
    const declared = new MemoryView({ ...manifest, options: { collectorOptions: { django: { environment: 'staging' } } } } as unknown as Manifest, [
      ['django/versions.json', JSON.stringify(files['django/versions.json'])],
      ['django/diffsettings.txt', files['django/diffsettings.txt']],
    ]);
    const [f] = await djangoChecksAnalyzer.analyze(declared, {});
    expect(f!.severity).toBe('error');
    expect(f!.evidence).toContainEqual({ file: 'manifest.json', excerpt: 'options.collectorOptions.django.environment: "staging"' });
    const db = (host: string) => ({ databases: [{ alias: 'default', engine: 'django.db.backends.postgresql', vendor: 'postgresql', host }] });
    expect(await sev(view({ ...files, 'django/databases.json': db('db.prod.internal') }))).toEqual(['error']);
    expect(await sev(view({ ...files, 'django/databases.json': db('db') }))).toEqual(['info']);
    expect(await sev(view({ ...files, 'django/databases.json': db('localhost') }))).toEqual(['info']);
    expect(await sev(view({ ...files, 'django/diffsettings.txt': "ALLOWED_HOSTS = ['localhost', '127.0.0.1', '*']\nDEBUG = True\n" }))).toEqual(['info']);
    expect(await sev(view({ ...files, 'django/diffsettings.txt': 'DEBUG = True\nSECURE_SSL_REDIRECT = True\n' }))).toEqual(['error']);
    expect(await sev(view({ ...files, 'django/diffsettings.txt': 'DEBUG = True\nSECURE_SSL_REDIRECT = False\n' }))).toEqual(['info']);
  });

  it('report DEBUG as info unless evidence says production; a whole part prod/production of the module name is such evidence, dev/local/test names silence it', async () => {
    const debugFor = async (module: string): Promise<string[][]> =>
      (
        await djangoChecksAnalyzer.analyze(
          view({ 'django/versions.json': { settingsModule: module }, 'django/diffsettings.txt': `DEBUG = True\nSETTINGS_MODULE = '${module}'  ###\n` }),
          {},
        )
      ).map((f) => [f.id, f.severity]);
    const production = [
      'devices.settings.prod',
      'latest.settings',
      'contest.settings',
      'localization.settings',
      'shop.settings',
      'app.settings_production',
      'protest_site.settings',
      'devops.settings',
    ];
    const development = [
      'app.settings.dev',
      'app.settings_dev',
      'config.settings.development',
      'site.settings.local',
      'settings_local',
      'app.settings.test',
      'app.tests.settings',
      'app.settings_testing',
      'local.settings',
      'Project.Settings.DEV',
    ];
    const named = new Set(['devices.settings.prod', 'app.settings_production']);
    for (const m of production) expect(await debugFor(m), m).toEqual([['django-debug-enabled', named.has(m) ? 'error' : 'info']]);
    for (const m of development) expect(await debugFor(m), m).toEqual([]);
    const [f] = await djangoChecksAnalyzer.analyze(
      view({ 'django/versions.json': { settingsModule: 'devices.settings.prod' }, 'django/diffsettings.txt': 'DEBUG = True\n' }),
      {},
    );
    expect(f!.summary).toContain('because the settings module devices.settings.prod is named for production');
    expect(f!.evidence[0]).toMatchObject({ file: 'django/diffsettings.txt', line: 1, excerpt: 'DEBUG = True' });
  });

  it('name a line of a file over 8 MiB only when it was read whole, never a line counted in a tail (review of #6)', async () => {
    // 9 MiB of check output before the message: the default text() of a view is its last 8 MiB.
    const pad = `${'x'.repeat(1023)}\n`.repeat(9 * 1024);
    const checkLine = 'shop.Order: (shop.W042) Orders without an index.';
    const text = `System check identified some issues:\n\nWARNINGS:\n${pad}${checkLine}\n`;
    const bytes = Buffer.byteLength(text);
    const expected = text.split('\n').indexOf(checkLine) + 1;
    expect(expected).toBeGreaterThan(9 * 1024);
    const withRecord = {
      ...manifest,
      collectors: [
        {
          name: 'django',
          status: 'ok',
          durationMs: 1,
          artifacts: [{ path: 'django/check.txt', bytes, sha256: '', truncated: false }],
          problems: [],
          commands: [],
        },
      ],
    } as unknown as Manifest;
    const whole = new MemoryView(withRecord, [['django/check.txt', text]]);
    const [f] = await djangoChecksAnalyzer.analyze(whole, {});
    expect(f).toMatchObject({ id: 'django-check-warning', subject: 'shop.W042' });
    expect(f!.evidence).toEqual([{ file: 'django/check.txt', line: expected, excerpt: checkLine }]);
    // A view that only ever gives a tail (as a huge file gives): the excerpt, without a line number.
    const tailOnly: BundleView = {
      manifest: withRecord,
      paths: () => whole.paths(),
      has: (p) => whole.has(p),
      json: (p) => whole.json(p),
      text: (p, max) => whole.text(p, Math.min(max ?? Infinity, 4096)),
    };
    const [g] = await djangoChecksAnalyzer.analyze(tailOnly, {});
    expect(g!.evidence).toEqual([{ file: 'django/check.txt', excerpt: checkLine }]);
    // The same for JSON evidence: databases.json read as a tail gives its value, without a line.
    const dbs = JSON.stringify(
      {
        padding: 'y'.repeat(5000),
        databases: [
          {
            alias: 'default',
            engine: 'django.db.backends.sqlite3',
            vendor: 'sqlite',
            name: '/srv/db.sqlite3',
            reachable: false,
            error: 'OperationalError: unable to open database file',
          },
        ],
      },
      null,
      2,
    );
    const dbRecord = {
      ...manifest,
      collectors: [
        {
          name: 'django',
          status: 'ok',
          durationMs: 1,
          artifacts: [{ path: 'django/databases.json', bytes: Buffer.byteLength(dbs), sha256: '', truncated: false }],
          problems: [],
          commands: [],
        },
      ],
    } as unknown as Manifest;
    const dbWhole = new MemoryView(dbRecord, [['django/databases.json', dbs]]);
    const dbTail: BundleView = {
      manifest: dbRecord,
      paths: () => dbWhole.paths(),
      has: (p) => dbWhole.has(p),
      json: (p) => dbWhole.json(p),
      text: (p, max) => dbWhole.text(p, Math.min(max ?? Infinity, 300)),
    };
    const [h] = await djangoDatabaseAnalyzer.analyze(dbTail, {});
    expect(h).toMatchObject({ id: 'database-unreachable', subject: 'default' });
    for (const e of h!.evidence) expect(e.line, JSON.stringify(e)).toBeUndefined();
    const [k] = await djangoDatabaseAnalyzer.analyze(dbWhole, {});
    expect(k!.evidence.map((e) => e.line)).toEqual([expect.any(Number), expect.any(Number)]);
  });

  it('give no finding, and never throw, for missing, malformed or errored files', async () => {
    const broken = view({
      'django/checks.json': '{"check": ',
      'django/migrations.json': { apps: 'nope', unapplied: 3, conflicts: [1], pendingModelChanges: { error: 'x', traceback: 'y' } },
      'django/databases.json': { databases: { error: 'ImproperlyConfigured: x', traceback: '...' } },
      'django/interpreter.json': [1, 2],
      'django/versions.json': 'not json',
    });
    for (const a of djangoAnalyzers) {
      expect(await a.analyze(broken, {}), a.name).toEqual([]);
      expect(await a.analyze(view({}), {}), a.name).toEqual([]);
    }
    expect(
      await djangoMigrationsAnalyzer.analyze(
        view({ 'django/migrations.json': { apps: { a: [{ name: '0001', applied: null }] }, unapplied: null, conflicts: {} } }),
        {},
      ),
    ).toEqual([]);
    expect(
      await djangoInterpreterAnalyzer.analyze(
        view({ 'django/interpreter.json': { chosen: { command: ['python3'] }, django: { version: '5.0' }, djangoImportError: null } }),
        {},
      ),
    ).toEqual([]);
  });

  it('report an interpreter that could not run at all', async () => {
    const fs = await djangoInterpreterAnalyzer.analyze(
      view({
        'django/interpreter.json': {
          project: '/srv/app',
          chosen: { command: ['/srv/app/.venv/bin/python'], source: 'project-venv', reason: 'the project has a virtual environment in .venv/' },
          considered: [],
          error: '/srv/app/.venv/bin/python could not be run as Python: spawn ENOENT',
        },
      }),
      {},
    );
    expect(fs.map((f) => [f.id, f.subject, f.title])).toEqual([
      ['django-not-importable', '/srv/app/.venv/bin/python', 'The Python interpreter /srv/app/.venv/bin/python could not be run'],
    ]);
    expect(fs[0]!.evidence[0]).toMatchObject({
      file: 'django/interpreter.json',
      line: 11,
      excerpt: '"error": "/srv/app/.venv/bin/python could not be run as Python: spawn ENOENT"',
    });
  });
});
