/** The `env` custom collector: names always; values only for safe or included names that do not look secret, all redacted. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCustomCollector, type CustomCollectorInput } from '../../collectors/custom/index.js';
import { verifyBundle } from '../../src/bundle/verify.js';
import { collectBundle } from '../../src/run/collect.js';
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

async function run(spec: CustomCollectorInput, extra: Record<string, string> = {}) {
  const collector = createCustomCollector(spec, { baseDir: out });
  const result = await collectBundle({ outputDir: out, collectors: [collector], env: { ...ENV, PWD: '/srv/app', ...extra }, redaction: { ephemeralKey: true } });
  const entries = await readBundle(result.bundle);
  const all = [...entries.values()].map((e) => `${e.name}\n${e.data.toString('utf8')}`).join('\n');
  return { result, all, env: fileJson<Record<string, string>>(entries, `custom/${spec.name}/env.json`) };
}

/** Secrets under names the bundle's key rules miss; values made unlike any rule's pattern. */
const ODD_SECRETS = {
  REDISCLI_AUTH: 'redis-auth-value-a1b2c3',
  DOCKER_AUTH_CONFIG: '{"auths":{"registry.example":{"auth":"ZG9ja2VyOmF1dGgtdmFsdWU="}}}',
  NPM_CONFIG__AUTH: 'npm-auth-value-d4e5f6',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/webhook-value-g7h8i9',
  HTPASSWD: 'admin:$apr1$htpasswd-value-j1k2',
  AUTH: 'bare-auth-value-l3m4n5',
  DB_PWD: 'db-pwd-value-o6p7q8',
  SENTRY_DSN: 'https://sentry-dsn-value-r9s0@o1.ingest.sentry.io/1',
  APP_SIGNING_KEY: 'signing-key-value-t1u2v3',
  PASSWORD_SALT: 'salt-value-w4x5y6',
  GOOGLE_APPLICATION_CREDENTIALS_JSON: 'gcp-credentials-value-z7a8',
  DB_CONNECTION_STRING: 'Server=db;User Id=app;Password=conn-string-value-b9c0',
  JWT_PRIVATE: 'private-value-c1d2e3',
  REQUEST_SIGNATURE: 'signature-value-f4g5h6',
  UPSTREAM: 'https://svc-user:userinfo-value-i7j8@api.example/v1',
};

describe('custom env collector', () => {
  it('lists every name; values only for safe names that do not look secret; the rest never written', async () => {
    const { result, all, env } = await run({ type: 'env', name: 'environment' });
    expect(Object.keys(env)).toEqual([...Object.keys(ENV).filter((k) => k !== 'UNSET_ONE'), 'PWD'].sort());
    for (const name of Object.keys(SECRETS)) expect(env[name]).toBe('<redacted>');
    // A URL with credentials is treated as a secret whatever its name.
    expect(env['DATABASE_URL']).toBe('<redacted>');
    // Names on the safe list show their values (still through the redactor).
    expect(env['DJANGO_SETTINGS_MODULE']).toBe('proj.settings.production');
    expect(env['PATH']).toBe('/usr/local/bin:/usr/bin:/bin');
    // Neither safe nor included: the name only.
    expect(env['TOKEN_EXPIRY']).toBe('<not collected: add the name to "include" to see it>');
    for (const value of [...Object.values(SECRETS), URL_PASSWORD, '3600']) expect(all).not.toContain(value);
    expect(result.manifest.collectors[0]!.excluded).toEqual([
      { item: 'secret env values', reason: '5 value(s) of secret-looking names or URLs with credentials were not written (shown as <redacted>)' },
      { item: 'other env values', reason: '1 value(s) of names neither on the safe list nor in "include" were not written (list the names in "include" of custom collector "environment" to see them)' },
    ]);
    expect((await verifyBundle(result.bundle)).ok).toBe(true);
  });

  it('never writes a value under a name the key rules miss (AUTH, WEBHOOK, HTPASSWD, PWD, *_KEY, DSN, ...), even when included', async () => {
    const { all, env } = await run({ type: 'env', name: 'everything', include: ['*'] }, ODD_SECRETS);
    for (const name of Object.keys(ODD_SECRETS)) expect(env[name], name).toBe('<redacted>');
    for (const [name, value] of Object.entries(ODD_SECRETS)) expect(all, name).not.toContain(value);
    // The shell's working directory is no password; an included innocent name shows its value.
    expect(env['PWD']).toBe('/srv/app');
    expect(env['TOKEN_EXPIRY']).toBe('3600');
  });

  it('include and exclude select names by glob; an included name shows its value unless it looks secret', async () => {
    const { env } = await run({ type: 'env', name: 'django-env', include: ['DJANGO_*', 'DATABASE_*', 'TOKEN_EXPIRY'], exclude: ['*_URL'] });
    expect(Object.keys(env)).toEqual(['DATABASE_PASSWORD', 'DJANGO_SECRET_KEY', 'DJANGO_SETTINGS_MODULE', 'TOKEN_EXPIRY']);
    expect(env['DJANGO_SECRET_KEY']).toBe('<redacted>');
    expect(env['TOKEN_EXPIRY']).toBe('3600');
  });
});
