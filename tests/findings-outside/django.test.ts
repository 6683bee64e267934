/**
 * Django findings from the spec (issue #13), without reading the analyzers: a project made by
 * `django-admin startproject mysite` (one settings.py, DEBUG = True, nothing else changed) must not open
 * its issue with errors, while a project with production signals (DEBUG = False in its production
 * settings, real ALLOWED_HOSTS, SECURE_* set) that runs with DEBUG = True keeps its errors.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { runEnv, SYSTEM_PYTHON, systemDjango } from '../helpers/django.js';
import { alarms, type Collected, collect, show } from './collect.js';
import { scenario } from './scenario.js';

/** Project folders to remove after the group. */
const made: string[] = [];

/** `startproject NAME` in a temporary folder, as a new user's first step. */
async function startproject(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `cb-findings-${name}-`));
  made.push(dir);
  await execa(SYSTEM_PYTHON, ['-m', 'django', 'startproject', name, dir], { stdin: 'ignore', env: runEnv() });
  return dir;
}

const migrate = (dir: string): Promise<unknown> =>
  execa(SYSTEM_PYTHON, ['manage.py', 'migrate', '-v', '0'], { cwd: dir, stdin: 'ignore', env: runEnv({ PYTHONDONTWRITEBYTECODE: '1' }) });

const collectDjango = (dir: string): Promise<Collected> =>
  collect(['--only', 'django', '--django-dir', dir, '--python', SYSTEM_PYTHON, '--title', 'findings scenarios'], runEnv());

/** Deploy-check ids that startproject's settings with TLS but no HSTS or secure cookies get (W018, DEBUG, is its own finding). */
const DEPLOY_IDS = ['security.W004', 'security.W009', 'security.W012', 'security.W016'];

let fresh: Collected;
let freshDir: string;
let prod: Collected;
/** The same `mysite.settings` as `fresh`, with one production signal: ALLOWED_HOSTS names a real host. */
let hosted: Collected;

describe.skipIf(!systemDjango)('findings of Django settings (outside scenarios)', () => {
  beforeAll(async () => {
    const [mysite, shop, mysite2] = await Promise.all([startproject('mysite'), startproject('shop'), startproject('mysite')]);
    const settings2 = join(mysite2, 'mysite', 'settings.py');
    await writeFile(settings2, (await readFile(settings2, 'utf8')).replace(/^ALLOWED_HOSTS = \[\]$/m, "ALLOWED_HOSTS = ['app.example.com']"));
    // shop: DEBUG = True left on in the settings it runs with, on production hosts behind TLS.
    const settings = join(shop, 'shop', 'settings.py');
    const text = await readFile(settings, 'utf8');
    if (!/^DEBUG = True$/m.test(text) || !/^ALLOWED_HOSTS = \[\]$/m.test(text)) throw new Error('startproject wrote unexpected settings');
    await writeFile(
      settings,
      `${text.replace(/^ALLOWED_HOSTS = \[\]$/m, "ALLOWED_HOSTS = ['shop.example.com', 'www.shop.example.com']")}
SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https')
`,
    );
    await writeFile(join(shop, 'shop', 'settings_production.py'), 'from .settings import *  # noqa: F401,F403\n\nDEBUG = False\n');
    freshDir = mysite;
    await Promise.all([migrate(mysite), migrate(shop), migrate(mysite2)]);
    [fresh, prod, hosted] = await Promise.all([collectDjango(mysite), collectDjango(shop), collectDjango(mysite2)]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(made.map((d) => rm(d, { recursive: true, force: true })));
  });

  // ---- a default project: information, not alarms ----
  scenario('startproject-no-errors', 'a fresh `startproject mysite` (DEBUG = True, one settings.py) has no error findings', () => {
    expect(
      fresh.findings.filter((f) => f.severity === 'error'),
      show(fresh.findings),
    ).toEqual([]);
  });

  scenario('startproject-debug-info', 'its DEBUG = True is reported as info (django-debug-enabled)', () => {
    const f = fresh.findings.find((x) => x.id === 'django-debug-enabled');
    expect(f?.severity, show(fresh.findings)).toBe('info');
  });

  scenario('startproject-deploy-not-alarm', 'its `check --deploy` results are no error or warning', () => {
    expect(alarms(fresh.findings.filter((f) => f.id === 'django-deploy')), show(fresh.findings)).toEqual([]);
  });

  // ---- production signals: errors stay ----
  scenario('production-debug-error', 'DEBUG = True with production signals is an error (django-debug-enabled)', () => {
    const f = prod.findings.find((x) => x.id === 'django-debug-enabled');
    expect(f?.severity, show(prod.findings)).toBe('error');
  });

  scenario('production-deploy-error', 'its `check --deploy` problems are an error (django-deploy)', () => {
    const f = prod.findings.find((x) => x.id === 'django-deploy');
    expect(f?.severity, show(prod.findings)).toBe('error');
  });

  scenario('production-deploy-ids-listed', 'ISSUE.md lists the `check --deploy` ids one per line, never a run-on', () => {
    for (const id of DEPLOY_IDS) {
      const lines = prod.issue.split('\n').filter((l) => l.includes(id));
      expect(lines.length, `${id} in ISSUE.md:\n${prod.issue}`).toBeGreaterThan(0);
      // Some line names this id and no other check id.
      expect(
        lines.some((l) => (l.match(/\b[a-z_]+\.[EW]\d{3}\b/g) ?? []).length === 1),
        `${id} only inside run-on lines:\n${lines.join('\n')}`,
      ).toBe(true);
    }
  });

  scenario(
    'one-signal-debug-error',
    'the same `mysite.settings` with one production signal (ALLOWED_HOSTS = app.example.com) keeps DEBUG and deploy as errors',
    () => {
      expect(
        hosted.findings
          .filter((f) => f.id === 'django-debug-enabled' || f.id === 'django-deploy')
          .map((f) => `${f.id} ${f.severity}`)
          .sort(),
        show(hosted.findings),
      ).toEqual(['django-debug-enabled error', 'django-deploy error']);
    },
  );

  scenario(
    'environment-flag-production',
    "`--environment production` makes the fresh project's DEBUG = True an error again",
    async () => {
      // The fresh project of beforeAll, collected again (the collect only reads it).
      const r = await collect(['--only', 'django', '--django-dir', freshDir, '--python', SYSTEM_PYTHON, '--environment', 'production'], runEnv());
      expect(r.findings.find((f) => f.id === 'django-debug-enabled')?.severity, show(r.findings)).toBe('error');
    },
    120_000,
  );
});
