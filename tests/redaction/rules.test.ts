/**
 * The starter rule set, line by line: what each rule must replace (exact output, with the token computed
 * from the secret by tags.ts), what it must leave alone, and the checks defineRule makes up front.
 */
import { describe, expect, it } from 'vitest';
import { builtinRules, defineRule } from '../../redaction/rules.js';
import type { Rule } from '../../redaction/rule.js';
import { AUTHORIZATION, KEY_VALUE, URL_PASSWORD, makeRedactor, redactString, tok } from './support.js';

interface Positive {
  /** Finishes the sentence "it redacts ...". */
  readonly what: string;
  readonly input: string;
  readonly expected: string;
  /** Secrets that must be gone from the output. */
  readonly secrets: readonly string[];
}

const positives: readonly Positive[] = [
  // URL userinfo
  {
    what: 'the password of a postgres URL and keeps the user, host, port and database',
    input: 'postgres://app:s3cr3t@db:5432/app',
    expected: `postgres://app:${tok(URL_PASSWORD, 's3cr3t')}@db:5432/app`,
    secrets: ['s3cr3t'],
  },
  {
    what: 'a URL password inside a DATABASE_URL assignment',
    input: 'DATABASE_URL=postgres://app:s3cr3t@db:5432/app',
    expected: `DATABASE_URL=postgres://app:${tok(URL_PASSWORD, 's3cr3t')}@db:5432/app`,
    secrets: ['s3cr3t'],
  },
  {
    what: 'a URL password with an empty user name (redis://:pw@host)',
    input: 'CELERY_BROKER_URL=redis://:Zx81kLq2@redis:6379/0',
    expected: `CELERY_BROKER_URL=redis://:${tok(URL_PASSWORD, 'Zx81kLq2')}@redis:6379/0`,
    secrets: ['Zx81kLq2'],
  },
  {
    what: 'a percent-encoded URL password',
    input: 'amqp://guest:gu%40st@rabbitmq:5672//',
    expected: `amqp://guest:${tok(URL_PASSWORD, 'gu%40st')}@rabbitmq:5672//`,
    secrets: ['gu%40st'],
  },
  {
    what: 'a URL password that itself contains a colon',
    input: 'mysql://root:pa:ss@mysql:3306/shop',
    expected: `mysql://root:${tok(URL_PASSWORD, 'pa:ss')}@mysql:3306/shop`,
    secrets: ['pa:ss'],
  },
  {
    what: 'a URL password inside a JSON string',
    input: '  "url": "postgres://app:s3cr3t@db/app",',
    expected: `  "url": "postgres://app:${tok(URL_PASSWORD, 's3cr3t')}@db/app",`,
    secrets: ['s3cr3t'],
  },
  // key = value in its many syntaxes
  {
    what: 'the value of DB_PASSWORD=',
    input: 'DB_PASSWORD=hunter2',
    expected: `DB_PASSWORD=${tok(KEY_VALUE, 'hunter2')}`,
    secrets: ['hunter2'],
  },
  {
    what: 'a Django SECRET_KEY given bare',
    input: 'SECRET_KEY=django-insecure-q8v2n5k7w1',
    expected: `SECRET_KEY=${tok(KEY_VALUE, 'django-insecure-q8v2n5k7w1')}`,
    secrets: ['django-insecure-q8v2n5k7w1'],
  },
  {
    what: 'all of a double-quoted SECRET_KEY, punctuation included, and keeps the quotes',
    input: 'SECRET_KEY = "django-insecure-4f#k!x)q$"',
    expected: `SECRET_KEY = "${tok(KEY_VALUE, 'django-insecure-4f#k!x)q$')}"`,
    secrets: ['django-insecure-4f#k!x)q$', '4f#k!x)q$'],
  },
  {
    what: 'a single-quoted value with spaces after export',
    input: "export DJANGO_SECRET_KEY='abc def ghi'",
    expected: `export DJANGO_SECRET_KEY='${tok(KEY_VALUE, 'abc def ghi')}'`,
    secrets: ['abc def ghi'],
  },
  {
    what: 'an API_KEY: value pair',
    input: 'API_KEY: abc123xyz',
    expected: `API_KEY: ${tok(KEY_VALUE, 'abc123xyz')}`,
    secrets: ['abc123xyz'],
  },
  {
    what: 'an indented YAML DB_PASSWORD entry',
    input: '      DB_PASSWORD: hunter2',
    expected: `      DB_PASSWORD: ${tok(KEY_VALUE, 'hunter2')}`,
    secrets: ['hunter2'],
  },
  {
    what: 'a JSON "password" value and leaves the other fields alone',
    input: '{"user": "app", "password": "hunter2", "port": 5432}',
    expected: `{"user": "app", "password": "${tok(KEY_VALUE, 'hunter2')}", "port": 5432}`,
    secrets: ['hunter2'],
  },
  {
    what: 'a JSON password with an escaped quote in it',
    input: String.raw`{"password": "hun\"ter2"}`,
    expected: `{"password": "${tok(KEY_VALUE, String.raw`hun\"ter2`)}"}`,
    secrets: ['hun', 'ter2'],
  },
  {
    what: "a Python settings 'PASSWORD': 'value' entry",
    input: "        'PASSWORD': 'hunter2',",
    expected: `        'PASSWORD': '${tok(KEY_VALUE, 'hunter2')}',`,
    secrets: ['hunter2'],
  },
  {
    what: 'a docker inspect Env entry inside a JSON array',
    input: '                "DB_PASSWORD=hunter2",',
    expected: `                "DB_PASSWORD=${tok(KEY_VALUE, 'hunter2')}",`,
    secrets: ['hunter2'],
  },
  {
    what: 'the secret entries of a one-line docker inspect Env array only',
    input: '"Env": ["PATH=/usr/local/bin:/usr/bin", "DB_PASSWORD=hunter2", "LANG=C.UTF-8", "API_TOKEN=tk_9f8e7d6c"]',
    expected: `"Env": ["PATH=/usr/local/bin:/usr/bin", "DB_PASSWORD=${tok(KEY_VALUE, 'hunter2')}", "LANG=C.UTF-8", "API_TOKEN=${tok(KEY_VALUE, 'tk_9f8e7d6c')}"]`,
    secrets: ['hunter2', 'tk_9f8e7d6c'],
  },
  {
    what: 'a numeric password in compact JSON and keeps the JSON valid',
    input: '{"password":12345,"user":"app"}',
    expected: `{"password":"${tok(KEY_VALUE, '12345')}","user":"app"}`,
    secrets: ['12345'],
  },
  {
    what: 'a numeric value after "key: " even when it looks like a port',
    input: 'DB_PASSWORD: 5432',
    expected: `DB_PASSWORD: ${tok(KEY_VALUE, '5432')}`,
    secrets: ['5432'],
  },
  {
    what: 'a value glued to its key by a colon',
    input: 'login failed password:hunter2 user:app',
    expected: `login failed password:${tok(KEY_VALUE, 'hunter2')} user:app`,
    secrets: ['hunter2'],
  },
  {
    what: 'a value in escaped quotes inside a JSON string (a docker inspect Cmd) and keeps the escapes',
    input: String.raw`"Cmd": ["sh", "-c", "export DB_PASSWORD=\"hunter2\" && gunicorn app"],`,
    expected: String.raw`"Cmd": ["sh", "-c", "export DB_PASSWORD=\"` + tok(KEY_VALUE, 'hunter2') + String.raw`\" && gunicorn app"],`,
    secrets: ['hunter2'],
  },
  {
    what: 'a JSON member escaped inside a JSON log message',
    input: String.raw`{"log": "settings: {\"password\": \"hunter2\", \"user\": \"app\"}\n", "stream": "stdout"}`,
    expected: String.raw`{"log": "settings: {\"password\": \"` + tok(KEY_VALUE, 'hunter2') + String.raw`\", \"user\": \"app\"}\n", "stream": "stdout"}`,
    secrets: ['hunter2'],
  },
  {
    what: 'only the secret parameter of a query string',
    input: 'password=hunter2&user=app',
    expected: `password=${tok(KEY_VALUE, 'hunter2')}&user=app`,
    secrets: ['hunter2'],
  },
  {
    what: 'only the secret one of several assignments on a line',
    input: 'DB_USER=app DB_PASSWORD=hunter2 DB_HOST=db',
    expected: `DB_USER=app DB_PASSWORD=${tok(KEY_VALUE, 'hunter2')} DB_HOST=db`,
    secrets: ['hunter2'],
  },
  {
    what: 'a value whose ${VAR:-default} fallback is a literal secret',
    input: 'DB_PASSWORD=${DB_PASSWORD:-hunter2}',
    expected: `DB_PASSWORD=${tok(KEY_VALUE, '${DB_PASSWORD:-hunter2}')}`,
    secrets: ['hunter2'],
  },
  {
    what: 'a secret DSN given as a URL without a password: its key (the userinfo) goes, host and project id stay',
    input: 'SENTRY_DSN=https://abc123def456@o0.ingest.sentry.io/42',
    expected: `SENTRY_DSN=https://${tok(KEY_VALUE, 'abc123def456')}@o0.ingest.sentry.io/42`,
    secrets: ['abc123def456'],
  },
  {
    what: 'a URL password and a password query parameter on the same line, each with its own rule',
    input: 'postgres://app:s3cr3t@db:5432/app?sslpassword=hunter2',
    expected: `postgres://app:${tok(URL_PASSWORD, 's3cr3t')}@db:5432/app?sslpassword=${tok(KEY_VALUE, 'hunter2')}`,
    secrets: ['s3cr3t', 'hunter2'],
  },
  {
    what: 'a value two rules could claim only once, under the rule that starts first',
    input: '"password": "postgres://app:s3cr3t@db/app"',
    expected: `"password": "${tok(KEY_VALUE, 'postgres://app:s3cr3t@db/app')}"`,
    secrets: ['s3cr3t'],
  },
  {
    what: 'a value on a CRLF line without taking the carriage return',
    input: 'DB_PASSWORD=hunter2\r',
    expected: `DB_PASSWORD=${tok(KEY_VALUE, 'hunter2')}\r`,
    secrets: ['hunter2'],
  },
  // Authorization headers
  {
    what: 'a Bearer token after Authorization:',
    input: 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
    expected: `Authorization: Bearer ${tok(AUTHORIZATION, 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl')}`,
    secrets: ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl'],
  },
  {
    what: 'Basic credentials after a lower-case authorization header',
    input: 'authorization: basic dXNlcjpwYXNzd29yZA==',
    expected: `authorization: basic ${tok(AUTHORIZATION, 'dXNlcjpwYXNzd29yZA==')}`,
    secrets: ['dXNlcjpwYXNzd29yZA=='],
  },
  {
    what: 'a DRF Token in a JSON headers object',
    input: '"Authorization": "Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b",',
    expected: `"Authorization": "Token ${tok(AUTHORIZATION, '9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b')}",`,
    secrets: ['9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b'],
  },
  {
    what: 'a Bearer token in a quoted curl header and keeps the rest of the command',
    input: "curl -sS -H 'Authorization: Bearer abcDEF123456' http://web:8000/api/health/",
    expected: `curl -sS -H 'Authorization: Bearer ${tok(AUTHORIZATION, 'abcDEF123456')}' http://web:8000/api/health/`,
    secrets: ['abcDEF123456'],
  },
];

/** Key spellings that must all be treated as secret, whatever their case or separators. */
const secretKeys = [
  'Password',
  'password',
  'PASSWORD',
  'DB_PASS',
  'db_pass',
  'dbPass',
  'DbPassword',
  'db-password',
  'db.password',
  'secretKey',
  'SECRET_KEY',
  'secret-key',
  'client-secret',
  'clientSecret',
  'CLIENT_SECRET',
  'PGPASSWORD',
  'MYSQL_ROOT_PASSWORD',
  'DB_PASSWD',
  'AWS_SECRET_ACCESS_KEY',
  'aws_access_key',
  'GITHUB_TOKEN',
  'accessToken',
  'refresh_token',
  'x-api-key',
  'apiKey',
  'APIKEY',
  'PRIVATE_KEY',
  'EMAIL_HOST_PASSWORD',
  'passphrase',
  'credentials',
];

/** Lines that look secret-ish but are not secrets; they must come out byte-for-byte. */
const exclusions: readonly { readonly what: string; readonly line: string }[] = [
  { what: 'a token lifetime (TOKEN_EXPIRY=3600)', line: 'TOKEN_EXPIRY=3600' },
  { what: 'an access token lifetime setting', line: 'JWT_ACCESS_TOKEN_LIFETIME=300' },
  { what: 'an empty SECRET_KEY_FALLBACKS list', line: 'SECRET_KEY_FALLBACKS = []' },
  { what: 'the password reset timeout setting', line: 'PASSWORD_RESET_TIMEOUT=3' },
  { what: 'a password_reset URL in an access log', line: '172.18.0.1 - - [01/May/2024:12:34:56 +0000] "GET /accounts/password_reset/ HTTP/1.1" 200 2154' },
  { what: 'a password_reset URL with a host', line: 'https://example.com/accounts/password_reset/done/' },
  { what: 'a Django URL pattern named password_reset', line: 'path("password_reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),' },
  { what: 'a ${DB_PASSWORD} placeholder', line: 'DB_PASSWORD=${DB_PASSWORD}' },
  { what: 'a ${DB_PASSWORD} placeholder in compose YAML', line: '      DB_PASSWORD: ${DB_PASSWORD}' },
  { what: 'a quoted ${SECRET_KEY} placeholder', line: '"SECRET_KEY": "${SECRET_KEY}",' },
  { what: 'a $DB_PASSWORD shell reference', line: 'PGPASSWORD=$DB_PASSWORD psql -h db -U app' },
  { what: 'a ${DB_PASSWORD} placeholder in a URL', line: 'DATABASE_URL: postgres://app:${DB_PASSWORD}@db:5432/app' },
  { what: 'a password file path (Docker secrets)', line: 'DB_PASSWORD_FILE=/run/secrets/db_password' },
  { what: 'the password validators setting', line: 'AUTH_PASSWORD_VALIDATORS = [' },
  { what: 'the password hashers setting', line: "PASSWORD_HASHERS = ['django.contrib.auth.hashers.PBKDF2PasswordHasher']" },
  { what: 'a token type', line: 'token_type: bearer' },
  { what: 'a cookie age', line: 'SESSION_COOKIE_AGE = 1209600' },
  { what: 'an empty password', line: 'DB_PASSWORD=' },
  { what: 'an empty quoted password', line: 'DB_PASSWORD=""' },
  { what: 'a key that is only "key"', line: 'key=value' },
  { what: 'words that merely contain "key" or "pass"', line: 'monkey=3 keyboard=us passthrough=true bypass=1' },
  { what: 'a masked password', line: "'PASSWORD': '********'," },
  { what: 'a value that is already a redaction token', line: `DB_PASSWORD=${tok(KEY_VALUE, 'hunter2')}` },
  { what: 'a quoted value that is already a redaction token', line: `"password": "${tok(KEY_VALUE, 'hunter2')}"` },
  { what: 'a URL password that is already a redaction token', line: `postgres://app:${tok(URL_PASSWORD, 's3cr3t')}@db/app` },
  { what: 'a header whose token is already redacted', line: `Authorization: Bearer ${tok(AUTHORIZATION, 'abcDEF123456')}` },
];

/** Ordinary diagnostics that must survive byte-for-byte. */
const diagnostics: readonly { readonly what: string; readonly line: string }[] = [
  { what: 'a 64-hex container ID', line: '"Id": "4f6d2c1a9b3e8d7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f",' },
  { what: 'a sha256 image digest', line: '"Image": "sha256:9f2b1c0d8e7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c",' },
  { what: 'a repo digest with @sha256', line: '"RepoDigests": ["postgres@sha256:9f2b1c0d8e7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c"],' },
  { what: 'a compose config hash label', line: '"com.docker.compose.config-hash": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",' },
  {
    what: "ISSUE.md's verify line naming the bundle's sidecar after 'secrets'",
    line: '- Verify it: `collect-bundle verify collect-bundle-vm-20261207T121637Z-owfx0r.tar.gz` (checksums, structure and a rescan for secrets), or `sha256sum -c collect-bundle-vm-20261207T121637Z-owfx0r.tar.gz.sha256`',
  },
  { what: 'a rotated log file name after token', line: 'token refresh log rotated to app-20261207T101500Z-Kx9mQ2.log.gz' },
  { what: 'a git commit SHA', line: 'commit 3f2a9c1e7b6d5a4c3b2a1f0e9d8c7b6a5f4e3d2c (HEAD -> main, origin/main)' },
  { what: 'a UUID request id', line: 'request_id=8c1b2f3e-4d5a-4b6c-9d8e-7f6a5b4c3d2e status=200 duration_ms=12' },
  { what: 'an ISO timestamp with nanoseconds', line: '"Created": "2024-05-01T12:34:56.789012345Z",' },
  { what: 'IPv4 and IPv6 addresses', line: '"IPAddress": "172.18.0.2", "GlobalIPv6Address": "fe80::42:acff:fe12:2", "MacAddress": "02:42:ac:12:00:02"' },
  {
    what: 'a docker ps row with port mappings',
    line: '4f6d2c1a9b3e   postgres:16    "docker-entrypoint.s…"   2 hours ago    Up 2 hours (healthy)    0.0.0.0:5432->5432/tcp   app-db-1',
  },
  { what: 'a registry image reference with a port and tag', line: '    image: registry.example.com:5000/app/web:1.4.2' },
  { what: 'a host:port pair', line: 'host: "example.com:443", upstream: "http://web:8000/"' },
  { what: 'a filesystem path', line: '/var/lib/docker/volumes/app_pgdata/_data' },
  { what: 'version strings', line: 'Docker version 25.0.3, build 4debf41; Python 3.12.2; node=v20.11.1 npm=10.2.4' },
  { what: 'an HTTP status line', line: 'HTTP/1.1 502 Bad Gateway' },
  { what: 'response headers', line: 'Content-Type: text/html; charset=utf-8' },
  { what: 'a Django runserver log line', line: '2024-05-01 12:34:56,789 INFO django.server "GET /api/health/ HTTP/1.1" 200 17' },
  { what: 'a URL whose port and path come before an @', line: 'https://example.com:8080/path@x' },
  { what: 'the port and path of a service whose name has a secret word in it', line: 'proxy_pass http://token-service:8000/api/;' },
  {
    what: 'host:port pairs whose host names have secret words in them',
    line: 'upstream=auth-token-svc:9000 vault: "vault-secret:8200" tls secrets.example.com:443 cache redis://session-cookie-store:6379/0',
  },
  { what: 'a host:port in a .pw domain', line: 'connected to mirror.example.pw:443' },
  { what: 'an email address', line: 'Author: Jane Dev <jane@example.com>' },
  {
    what: 'a database connection error',
    line: 'psycopg.OperationalError: connection to server at "db" (172.18.0.2), port 5432 failed: FATAL:  password authentication failed for user "app"',
  },
  { what: 'a migration list entry', line: 'Applying auth.0012_alter_user_first_name_max_length... OK' },
  { what: 'a socket table row', line: 'tcp   LISTEN 0      4096   0.0.0.0:5432      0.0.0.0:*    users:(("docker-proxy",pid=1234,fd=4))' },
  { what: 'a /proc/meminfo line', line: 'MemTotal:        8048576 kB' },
  { what: 'a plain log line', line: 'sigterm received; shutting down gracefully after 3 days, 4:05 of uptime' },
  { what: 'an empty line', line: '' },
  { what: 'non-ASCII text', line: 'Grüße aus Köln — 日本語のログ 😀' },
];

/** [what, case] pairs, so test names show the whole sentence (vitest shortens interpolated `$what`). */
const named = <T extends { readonly what: string }>(cases: readonly T[]): [string, T][] => cases.map((c) => [c.what, c]);

describe('builtin rules', () => {
  it.each(named(positives))('redacts %s', async (_what, { input, expected, secrets }) => {
    const r = makeRedactor();
    const out = r.text(input, 'settings.txt');
    expect(out).toBe(expected);
    for (const s of secrets) expect(out).not.toContain(s);
    // The streaming stage applies the same rules to the same line.
    expect(await redactString(makeRedactor(), `${input}\n`, [3])).toBe(`${expected}\n`);
  });

  it.each(named(positives))('leaves its own output unchanged when run again on %s', (_what, { input }) => {
    const r = makeRedactor();
    const once = r.text(input, 'f');
    expect(r.text(once, 'f')).toBe(once);
  });

  it.each(secretKeys)('treats the key %s as secret in KEY=value, "key": "value" and key: value', (key) => {
    const r = makeRedactor();
    const t = tok(KEY_VALUE, 'Hunter2Secret');
    expect(r.text(`${key}=Hunter2Secret`, 'f')).toBe(`${key}=${t}`);
    expect(r.text(`{"${key}": "Hunter2Secret"}`, 'f')).toBe(`{"${key}": "${t}"}`);
    expect(r.text(`  ${key}: Hunter2Secret`, 'f')).toBe(`  ${key}: ${t}`);
  });

  it.each(named(exclusions))('leaves %s unchanged', (_what, { line }) => {
    expect(makeRedactor().text(line, 'f')).toBe(line);
  });

  it.each(named(diagnostics))('keeps %s byte-for-byte', async (_what, { line }) => {
    const r = makeRedactor();
    expect(r.text(line, 'f')).toBe(line);
    expect((await redactString(r, `${line}\r\n`, [5])).toString()).toBe(`${line}\r\n`);
    expect(r.report.total).toBe(0);
  });

  it('keeps a redacted JSON document valid JSON with only the secret values changed', async () => {
    const doc = {
      Id: '4f6d2c1a9b3e8d7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f',
      Config: {
        Env: ['PATH=/usr/bin', 'DB_PASSWORD=hunter2', 'DATABASE_URL=postgres://app:s3cr3t@db:5432/app'],
        Labels: { 'com.docker.compose.project': 'app' },
      },
      settings: { password: 'pa"ss\\word', 'api-key': 'k-123456', timeout: 30 },
    };
    const input = `${JSON.stringify(doc, null, 2)}\n`;
    const out = await redactString(makeRedactor(), input, [7]);
    const parsed = JSON.parse(out) as typeof doc;
    expect(parsed.Id).toBe(doc.Id);
    expect(parsed.Config.Env).toEqual([
      'PATH=/usr/bin',
      `DB_PASSWORD=${tok(KEY_VALUE, 'hunter2')}`,
      `DATABASE_URL=postgres://app:${tok(URL_PASSWORD, 's3cr3t')}@db:5432/app`,
    ]);
    expect(parsed.Config.Labels).toEqual(doc.Config.Labels);
    // The secret is the JSON-escaped text as it appeared in the file.
    expect(parsed.settings).toEqual({ password: tok(KEY_VALUE, String.raw`pa\"ss\\word`), 'api-key': tok(KEY_VALUE, 'k-123456'), timeout: 30 });
  });

  it('keeps JSON valid when a secret sits in escaped quotes inside a JSON string', () => {
    const doc = { Cmd: ['sh', '-c', 'export DB_PASSWORD="hunter2" && run'], log: JSON.stringify({ password: 's3cr3tPw', user: 'app' }) };
    const out = makeRedactor().text(JSON.stringify(doc), 'f');
    const parsed = JSON.parse(out) as typeof doc;
    expect(parsed.Cmd).toEqual(['sh', '-c', `export DB_PASSWORD="${tok(KEY_VALUE, 'hunter2')}" && run`]);
    expect(JSON.parse(parsed.log)).toEqual({ password: tok(KEY_VALUE, 's3cr3tPw'), user: 'app' });
  });

  it('has the structure-aware rules in priority order, each valid and frozen', () => {
    expect(builtinRules.map((r) => r.id)).toEqual([
      URL_PASSWORD,
      AUTHORIZATION,
      KEY_VALUE,
      'settings-default',
      'cli-flag',
      'mysql-password',
      'django-secret-key-fallbacks',
    ]);
    for (const r of builtinRules) {
      expect(r.id).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(r.pattern.global).toBe(true);
      expect(r.hint?.global ?? false).toBe(false);
      expect(Object.isFrozen(r)).toBe(true);
    }
    expect(Object.isFrozen(builtinRules)).toBe(true);
  });

  it('uses hints that accept every positive example of their rule', () => {
    for (const p of positives) {
      const rule = builtinRules.find((r) => p.expected.includes(`[REDACTED:${r.id}:`));
      expect(rule, p.what).toBeDefined();
      if (rule?.hint) expect(rule.hint.test(p.input), `${rule.id} hint on ${p.input}`).toBe(true);
    }
  });
});

describe('known gaps of the starter rules', () => {
  // A short all-digit value glued to an unquoted key by a bare colon reads exactly like host:port
  // (`token-service:8000`), and ports must survive; so `DB_PASSWORD:12345` is not redacted today.
  it.todo('redacts a short numeric value glued to an unquoted key by a bare colon (DB_PASSWORD:12345)');
  // Django keeps retired secret keys in SECRET_KEY_FALLBACKS; the key is excluded as metadata, and the
  // starter rules do not look into Python lists.
  it("redacts the old secrets inside SECRET_KEY_FALLBACKS = ['old-secret', ...]", () => {
    const r = makeRedactor();
    const rule = 'django-secret-key-fallbacks';
    expect(r.text('SECRET_KEY_FALLBACKS = [\'old-secret-1x\', "older-secret-2y"]', 'settings.py')).toBe(
      `SECRET_KEY_FALLBACKS = ['${tok(rule, 'old-secret-1x')}', "${tok(rule, 'older-secret-2y')}"]`,
    );
    expect(r.text('SECRET_KEY_FALLBACKS = []', 'settings.py')).toBe('SECRET_KEY_FALLBACKS = []');
  });
  // An unencoded @ in a URL password: the rule stops at the first @, so the rest of the password leaks.
  it('redacts all of a URL password that contains an unencoded @ (postgres://app:p@ss@db/app)', () => {
    const r = makeRedactor();
    expect(r.text('postgres://app:p@ssw0rd@db/app', 'x')).toBe(`postgres://app:${tok(URL_PASSWORD, 'p@ssw0rd')}@db/app`);
    expect(r.text('mongodb+srv://u:a@b@c@cluster0.example.net/db?w=majority', 'x')).toBe(
      `mongodb+srv://u:${tok(URL_PASSWORD, 'a@b@c')}@cluster0.example.net/db?w=majority`,
    );
    expect(r.text('https://user:pw123456@host/a?email=me@example.com', 'x')).toBe(`https://user:${tok(URL_PASSWORD, 'pw123456')}@host/a?email=me@example.com`);
  });
  // Command-line flags: `--password hunter2` / `-p hunter2` have no = or :, so no starter rule sees them.
  it('redacts the value of a --password command-line flag', () => {
    const r = makeRedactor();
    expect(r.text('gunicorn app --password hunter2x --workers 4', 'x')).toBe(`gunicorn app --password ${tok('cli-flag', 'hunter2x')} --workers 4`);
    expect(r.text("app --api-token 'a b c' --name web", 'x')).toBe(`app --api-token '${tok('cli-flag', 'a b c')}' --name web`);
    expect(r.text('docker run --name web --password-file /run/secrets/pw', 'x')).toBe('docker run --name web --password-file /run/secrets/pw');
    expect(r.text('mysql -u root -phunter2x -h db', 'x')).toBe(`mysql -u root -p${tok('mysql-password', 'hunter2x')} -h db`);
  });
});

describe('defineRule', () => {
  const base: Rule = { id: 'ticket', description: 'a support ticket number', pattern: /TCK-\d+/g };

  it('returns a frozen copy of a valid rule', () => {
    const r = defineRule(base);
    expect(r).toEqual(base);
    expect(r).not.toBe(base);
    expect(Object.isFrozen(r)).toBe(true);
  });

  it.each([
    ['an id that is not kebab-case', { ...base, id: 'Ticket_No' }, /"Ticket_No".*kebab-case/],
    ['a pattern without the g flag', { ...base, pattern: /TCK-\d+/ }, /"ticket".*g flag/],
    ['a global hint', { ...base, hint: /TCK/g }, /"ticket".*hint/],
    ['a sticky hint', { ...base, hint: /TCK/y }, /"ticket".*hint/],
    ['an empty description', { ...base, description: '   ' }, /"ticket".*description/],
  ])('rejects %s with a message naming the rule', (_what, rule, message) => {
    expect(() => defineRule(rule)).toThrow(message);
  });

  it('lets a custom rule redact its whole match when it has no secret group', () => {
    const r = makeRedactor({ rules: [defineRule(base)] });
    expect(r.text('see TCK-12345 for details', 'f')).toBe(`see ${tok('ticket', 'TCK-12345')} for details`);
  });

  it('lets a custom rule redact only its secret group', () => {
    const rule = defineRule({ id: 'pin', description: 'a PIN after pin#', pattern: /pin#(?<secret>\d{4,})/g });
    expect(makeRedactor({ rules: [rule] }).text('door pin#48213 ok', 'f')).toBe(`door pin#${tok('pin', '48213')} ok`);
  });

  it('judges a custom rule with a key group by the key name', () => {
    const rule = defineRule({ id: 'ini', description: 'ini-style key -> value', pattern: /(?<key>\w+) -> (?<secret>\S+)/g });
    const r = makeRedactor({ rules: [rule] });
    expect(r.text('db_password -> hunter2', 'f')).toBe(`db_password -> ${tok('ini', 'hunter2')}`);
    expect(r.text('db_host -> postgres', 'f')).toBe('db_host -> postgres');
  });
});
