/** Key names: how they split into words and which of them name a secret. */
import { describe, expect, it } from 'vitest';
import { isSecretKeyName, keyWords } from '../../redaction/keys.js';

describe('keyWords', () => {
  it.each([
    ['DB_PASSWORD', ['db', 'password']],
    ['dbPassword_HASH-x', ['db', 'password', 'hash', 'x']],
    ['client-secret', ['client', 'secret']],
    ['db.pass', ['db', 'pass']],
    ['APIKey', ['api', 'key']],
    ['HTTPServerToken', ['http', 'server', 'token']],
    ['__x__', ['x']],
    ['', []],
  ])('splits %s into %j', (name, words) => {
    expect(keyWords(name)).toEqual(words);
  });
});

describe('isSecretKeyName', () => {
  it.each([
    'password',
    'Password',
    'PASSWORD',
    'passwd',
    'pwd',
    'passphrase',
    'DB_PASS',
    'db_pass',
    'dbPass',
    'DbPass',
    'db-pass',
    'db.pass',
    'PGPASSWORD',
    'MYSQL_ROOT_PASSWORD',
    'EMAIL_HOST_PASSWORD',
    'secret',
    'secretKey',
    'SECRET_KEY',
    'secret-key',
    'DJANGO_SECRET_KEY',
    'client-secret',
    'clientSecret',
    'CLIENT_SECRET',
    'API_KEY',
    'apiKey',
    'api-key',
    'x-api-key',
    'APIKEY',
    'PRIVATE_KEY',
    'AWS_SECRET_ACCESS_KEY',
    'aws_access_key',
    'STRIPE_SIGNING_KEY',
    'token',
    'GITHUB_TOKEN',
    'accessToken',
    'refresh_token',
    'csrftoken',
    'credentials',
    'SENTRY_DSN',
    'sessionid',
    'cookie',
  ])('says %s names a secret', (name) => {
    expect(isSecretKeyName(name)).toBe(true);
  });

  it.each([
    'TOKEN_EXPIRY',
    'token_expires',
    'JWT_ACCESS_TOKEN_LIFETIME',
    'SECRET_KEY_FALLBACKS',
    'PASSWORD_RESET_TIMEOUT',
    'password_reset',
    'AUTH_PASSWORD_VALIDATORS',
    'PASSWORD_HASHERS',
    'token_type',
    'DB_PASSWORD_FILE',
    'SESSION_COOKIE_AGE',
    'CSRF_COOKIE_NAME',
    'SESSION_COOKIE_SECURE',
    'password_min_length',
    'key',
    'KEY',
    'primary_key',
    'foreign_key',
    'keyboard',
    'monkey',
    'passthrough',
    'bypass',
    'compass',
    'tokenizer',
    'secretary',
    'username',
    'DB_HOST',
    'DATABASE_URL',
    '',
    '___',
  ])('says %s does not name a secret', (name) => {
    expect(isSecretKeyName(name)).toBe(false);
  });

  it('gives the same answer for every spelling of one name', () => {
    const spellings = ['db_password', 'DB_PASSWORD', 'dbPassword', 'DbPassword', 'db-password', 'db.password', 'Db_Password'];
    expect(new Set(spellings.map(isSecretKeyName))).toEqual(new Set([true]));
    const metadata = ['token_expiry', 'TOKEN_EXPIRY', 'tokenExpiry', 'TokenExpiry', 'token-expiry'];
    expect(new Set(metadata.map(isSecretKeyName))).toEqual(new Set([false]));
  });
});
