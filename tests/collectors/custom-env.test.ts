/** The `env` custom collector: names always, values only for names that do not look secret, all redacted. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCustomCollector, type CustomCollectorInput } from '../../collectors/custom/index.js';
import { verifyBundle } from '../../src/bundle/verify.js';
import { collectBundle } from '../../src/collect.js';
import { fileJson, readBundle } from '../helpers/bundle.js';

const SECRETS = { DATABASE_PASSWORD: 'envPw-Secret-123456', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', STRIPE_API_KEY: 'sk_live_51HxYzAbCdEfGhIjKlMn', DJANGO_SECRET_KEY: 'dj-s3cret-k3y-!@#$-long-value' };
const URL_PASSWORD = 'UrlPassw0rd-in-dsn';
const ENV = {
  ...SECRETS,
  DATABASE_URL: `postgres://app:${URL_PASSWORD}@db:5432/app`,
  DJANGO_SETTINGS_MODULE: 'proj.settings.production',
  PATH: '/usr/local/bin:/usr/bin:/bin',
  HOME: '/home/app',
  TOKEN_EXPIRY: '3600',
  UNSET_ONE: undefined,
};

let out: string;
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'cb-custom-env-'));
});
afterEach(() => rm(out, { recursive: true, force: true }));

async function run(spec: CustomCollectorInput) {
  const collector = createCustomCollector(spec, { baseDir: out });
  const result = await collectBundle({ outputDir: out, collectors: [collector], env: ENV, redaction: { ephemeralKey: true } });
  const entries = await readBundle(result.bundle);
  const all = [...entries.values()].map((e) => `${e.name}\n${e.data.toString('utf8')}`).join('\n');
  return { result, all, env: fileJson<Record<string, string>>(entries, `custom/${spec.name}/env.json`) };
}

describe('custom env collector', () => {
  it('lists every name; secret-looking names never show a value; other values pass the redactor', async () => {
    const { result, all, env } = await run({ type: 'env', name: 'environment' });
    expect(Object.keys(env)).toEqual(Object.keys(ENV).filter((k) => k !== 'UNSET_ONE').sort());
    for (const name of Object.keys(SECRETS)) expect(env[name]).toBe('<redacted>');
    expect(env['DJANGO_SETTINGS_MODULE']).toBe('proj.settings.production');
    // Metadata about a secret is not a secret (redaction/keys.ts).
    expect(env['TOKEN_EXPIRY']).toBe('3600');
    // DATABASE_URL does not look secret by name; its password is removed by the redactor on the way out.
    expect(env['DATABASE_URL']).toMatch(/^postgres:\/\/app:\[REDACTED:url-password:[0-9a-f]{8}\]@db:5432\/app$/);
    for (const value of [...Object.values(SECRETS), URL_PASSWORD]) expect(all).not.toContain(value);
    expect(result.manifest.collectors[0]!.excluded).toEqual([{ item: 'env values', reason: '4 value(s) of secret-looking names were not written (shown as <redacted>)' }]);
    expect((await verifyBundle(result.bundle)).ok).toBe(true);
  });

  it('include and exclude select names by glob', async () => {
    const { env } = await run({ type: 'env', name: 'django-env', include: ['DJANGO_*', 'DATABASE_*'], exclude: ['*_URL'] });
    expect(Object.keys(env)).toEqual(['DATABASE_PASSWORD', 'DJANGO_SECRET_KEY', 'DJANGO_SETTINGS_MODULE']);
    expect(env['DJANGO_SECRET_KEY']).toBe('<redacted>');
  });
});
