/**
 * The Django fixture project (tests/fixtures/django-project) and helpers to use it with the real Django
 * of Debian's python3-django (importable by /usr/bin/python3; scripts/test-env.sh installs it). Tests
 * never touch the fixture in place: they copy it to a temporary directory and build its database there.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, readdir, readFile, readlink, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { TarEntry } from './bundle.js';

export const SYSTEM_PYTHON = '/usr/bin/python3';
export const FIXTURE = fileURLToPath(new URL('../fixtures/django-project', import.meta.url));
const VARIANTS = fileURLToPath(new URL('../fixtures/django-variants', import.meta.url));
const SETUP_SCRIPT = fileURLToPath(new URL('../fixtures/django-setup.py', import.meta.url));

/** Every secret planted in the fixture (settings, broken settings, database rows). None may reach a bundle. */
export const FIXTURE_SECRETS = [
  'django-insecure-fx7q2cb-fixture-secret-key-9d4e1a7b3c',
  'fx-db-password-4a8c2e',
  'fx-replica-password-7b1d',
  'fx-cache-password-2b7e',
  'fx-email-password-3e9f',
  'fx-payment-key-5c2a',
  'fxsentrypublickey8e2b',
  'fx-broker-password-6d3f',
  'fx-cloudrun-token-1f6a',
  'fx-fallback-secret-2d9c',
  'fx-syntax-password-8f1e',
  'fx-host-url-password-4e8d',
  'fx-host-token-9a3c',
  'fx-job-error-password-7c1e',
  'fx-job-command-password-2a9d',
  'fx-job-env-token-0c5b',
];

/** Django's version as /usr/bin/python3 imports it, or undefined when it cannot. */
export const systemDjango: string | undefined = (() => {
  try {
    return execFileSync(SYSTEM_PYTHON, ['-c', 'import django; print(django.get_version())'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
})();

/** The test process's environment without an activated virtual environment, plus `extra`. */
export function runEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, ...extra };
  delete env['VIRTUAL_ENV'];
  delete env['DJANGO_SETTINGS_MODULE'];
  return env;
}

/** Copies the fixture project to `dir`. */
export async function copyFixture(dir: string): Promise<string> {
  await cp(FIXTURE, dir, { recursive: true });
  return dir;
}

/** Copies a variant's files (tests/fixtures/django-variants/NAME) over a project copy. */
export async function applyVariant(project: string, name: string): Promise<void> {
  await cp(join(VARIANTS, name), project, { recursive: true });
}

/** Builds the copy's SQLite database (container_manager at 0001) and seeds jobs and executor hosts. */
export async function setupDatabase(project: string, settings = 'fixture_project.settings'): Promise<void> {
  await execa(SYSTEM_PYTHON, [SETUP_SCRIPT], {
    cwd: project,
    env: { DJANGO_SETTINGS_MODULE: settings, PYTHONDONTWRITEBYTECODE: '1' },
    stdin: 'ignore',
  });
}

/** Makes a virtual environment with /usr/bin/python3 (no pip: fast, and needs no python3-venv). */
export async function makeVenv(dir: string, options: { systemSitePackages: boolean }): Promise<void> {
  await execa(SYSTEM_PYTHON, ['-m', 'venv', '--without-pip', ...(options.systemSitePackages ? ['--system-site-packages'] : []), dir], { stdin: 'ignore' });
}

/** Every file below `dir` with its size, mtime and hash, to prove a run changed nothing. */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isSymbolicLink()) out[relative(dir, p)] = `-> ${await readlink(p)}`;
      else if (e.isDirectory()) {
        out[`${relative(dir, p)}/`] = 'dir';
        await walk(p);
      } else {
        const s = await stat(p);
        out[relative(dir, p)] = `${s.size} ${s.mtimeMs} ${createHash('sha256')
          .update(await readFile(p))
          .digest('hex')}`;
      }
    }
  };
  await walk(dir);
  return out;
}

/** Secrets found in any entry of a bundle (name or content), as `secret in entry`. */
export function leakedSecrets(entries: Map<string, TarEntry>, secrets: readonly string[] = FIXTURE_SECRETS): string[] {
  const found: string[] = [];
  for (const [name, e] of entries) {
    const body = e.data.toString('utf8');
    for (const s of secrets) if (name.includes(s) || body.includes(s)) found.push(`${s} in ${name}`);
  }
  return found;
}
