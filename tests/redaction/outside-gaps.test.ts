/**
 * Issue #12, the outside corpus' known gaps and the outside property tests' counterexamples, each as a
 * table row once fixed (tests/redaction-outside/known-gaps.ts and KNOWN_LEAKS shrink as these grow).
 * A positive row asserts that no 6-character piece of the secret is left, that the text around it
 * survives, that the stream gives the same bytes, and that redacting twice equals redacting once. A
 * survivor row asserts the line comes out with the survivor byte for byte.
 */
import { describe, expect, it } from 'vitest';
import { leakedPieces } from './pieces.js';
import { makeRedactor, redactString } from './support.js';

interface Case {
  readonly what: string;
  /** The input: one line, or several joined by \n (a value on the line after its key). */
  readonly text: string;
  readonly secret: string;
  readonly file?: string;
  /** Text that must survive around the secret. */
  readonly keeps?: readonly string[];
}

const positives: readonly Case[] = [
  // Bare values end at blanks, never at punctuation (outside property counterexamples).
  { what: 'a .env value that starts with >', text: 'PASSWORD=>W|y^!\\i', secret: '>W|y^!\\i', file: 'app/.env' },
  { what: 'a .env value that starts with ;', text: 'PASSWORD=;YyJmU|5x', secret: ';YyJmU|5x', file: 'app/.env' },
  { what: 'a .env value that starts with {', text: 'PASSWORD={structor', secret: '{structor', file: 'app/.env' },
  { what: 'an INI value that starts with > and holds blanks', text: 'PASSWORD = >      i', secret: '>      i', file: 'config/app.ini' },
  { what: 'an INI value that starts with an unclosed quote', text: 'PASSWORD = "       5', secret: '"       5', file: 'config/app.ini' },
  { what: 'an INI value that starts with { and blanks', text: 'PASSWORD = {       r', secret: '{       r', file: 'config/app.ini' },
  { what: 'an INI value that starts with {} and blanks', text: 'PASSWORD = {}       *', secret: '{}       *', file: 'config/app.ini' },
  { what: 'an INI value that starts with an empty string', text: 'PASSWORD = ""       5', secret: '""       5', file: 'config/app.ini' },
  { what: 'an INI value that starts with a quoted blank', text: 'PASSWORD = " "       5', secret: '" "       5', file: 'config/app.ini' },
  { what: 'an INI value that reads like an empty string and a comment', text: 'PASSWORD = ""    #  A', secret: '""    #  A', file: 'config/app.ini' },
  { what: 'an INI value between angle brackets (no placeholder word)', text: 'PASSWORD = <       >', secret: '<       >', file: 'config/app.ini' },
  {
    what: 'a --flag=value with | and ^ in a process list',
    text: 'root  901  0.0  0.1 12000 4000 ?  S  09:00  0:00 /usr/local/bin/tool --password=>W|y^!\\i --verbose',
    secret: '>W|y^!\\i',
    file: 'host/ps.txt',
    keeps: [' --verbose'],
  },
  {
    what: 'a --flag=value with { ) [ inside',
    text: 'root  901  0.0  0.1 12000 4000 ?  S  09:00  0:00 /usr/local/bin/tool --password=l{)BBq[L --verbose',
    secret: 'l{)BBq[L',
    file: 'host/ps.txt',
    keeps: [' --verbose'],
  },
  {
    what: 'a --flag=value with a backquote and ;',
    text: 'root  901  0.0  0.1 12000 4000 ?  S  09:00  0:00 /usr/local/bin/tool --password=`LaxYzp; --verbose',
    secret: '`LaxYzp;',
    file: 'host/ps.txt',
    keeps: [' --verbose'],
  },
  {
    what: 'a --flag=value glued to an empty string',
    text: 'tool --password=""G5Tl72c5 --verbose',
    secret: '""G5Tl72c5',
    file: 'host/ps.txt',
    keeps: [' --verbose'],
  },
  {
    what: 'a --flag=value glued to a quoted $',
    text: 'tool --password="$"G5Tl72c5 --verbose',
    secret: '"$"G5Tl72c5',
    file: 'host/ps.txt',
    keeps: [' --verbose'],
  },
  { what: 'a --flag=value glued to a quoted > and &', text: 'tool --password=">"&J_R#NOA --verbose', secret: '">"&J_R#NOA', file: 'host/ps.txt' },
  { what: 'a --flag=value between < and > with quotes inside', text: `tool --password=<#'H2";;> --verbose`, secret: `<#'H2";;>`, file: 'host/ps.txt' },
  {
    what: 'a log value that starts like a call but is not code',
    text: '2026-12-07T10:00:00Z INFO SECRET_KEY=A()(!!!!!! status=ok',
    secret: 'A()(!!!!!!',
    keeps: [' status=ok'],
  },
  { what: 'a lower-case $name is a password, not a reference', text: 'DB_PASSWORD=$ecr3tPassw0rd', secret: '$ecr3tPassw0rd', file: 'app/.env' },
  // Escapes inside single quotes.
  { what: 'a shell value in single quotes ending with a backslash', text: "export PASSWORD='       \\'", secret: '       \\', file: 'deploy/env.sh' },
  { what: "YAML's '' inside a single-quoted value", text: "  PASSWORD: ' ''      '", secret: " ''      ", file: 'config/app.yaml' },
  { what: "YAML's '' opening a single-quoted value", text: "  PASSWORD: '''        '", secret: "''        ", file: 'config/app.yaml' },
  {
    what: "shell's '\\'' inside a quoted flag value",
    text: "/usr/local/bin/tool --password ' '\\''      ' --verbose",
    secret: " '\\''      ",
    file: 'shell/.bash_history',
  },
  {
    what: "shell's '\\'' opening a quoted flag value",
    text: "/usr/local/bin/tool --password ''\\''        ' --verbose",
    secret: "'\\''        ",
    file: 'shell/.bash_history',
  },
  // The whole-values property's rare "double-quoted with backslash escapes" failure: the value was redacted
  // whole, but its `-value` is also in the token's rule id; pieces.ts now blanks our tokens first.
  { what: 'a double-quoted value that shares -value with its token', text: 'SECRET_KEY = "-value  !"', secret: '-value  !', file: 'settings.py' },
  // Corpus gaps.
  {
    what: 'a signed URL: the signature after another secret parameter (gunicorn access log)',
    text: '203.0.113.12 - - [05/Nov/2024:09:20:05 +0000] "GET /download/report.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20241105%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Signature=0d978abcc36398f0e7f94730ae77c79c7be62da81cdf225e2f5f48c45d933d66 HTTP/1.1" 200 88123',
    secret: '0d978abcc36398f0e7f94730ae77c79c7be62da81cdf225e2f5f48c45d933d66',
    file: 'gunicorn/access.log',
    keeps: ['X-Amz-Algorithm=AWS4-HMAC-SHA256&', ' HTTP/1.1" 200 88123'],
  },
  {
    what: 'an INI key with a blank inside and a value with blanks',
    text: 'secret key = pjoCOn17HLG5 GX4mHExd4K',
    secret: 'pjoCOn17HLG5 GX4mHExd4K',
    file: 'ini/app.cfg',
  },
  {
    what: "Twilio's auth: 32 hex digits",
    text: '  auth: 6596a204424175bb070426e1a3438826',
    secret: '6596a204424175bb070426e1a3438826',
    file: 'providers/integrations.yaml',
  },
  {
    what: "a Sentry DSN's key (the URL's userinfo), project id kept",
    text: 'SENTRY_DSN=https://28f1b6fcd888ab452bbf3299727ff095@o4505.ingest.sentry.io/4505123456789',
    secret: '28f1b6fcd888ab452bbf3299727ff095',
    file: 'env/printenv.txt',
    keeps: ['@o4505.ingest.sentry.io/4505123456789'],
  },
  {
    what: 'a short Vault service token on a vault command line',
    text: 'vault login hvs.Feb9EZyFv6XE3nJiJYvaaTF_',
    secret: 'hvs.Feb9EZyFv6XE3nJiJYvaaTF_',
    file: 'shell/bash_history',
    keeps: ['vault login '],
  },
  {
    what: 'a Vault service token in prose between backquotes',
    text: '- 09:45 ran `vault token lookup hvs.XC8KzwOMiiLql1jBA2Pw5UtA` to check its TTL',
    secret: 'hvs.XC8KzwOMiiLql1jBA2Pw5UtA',
    file: 'providers/notes.md',
    keeps: ['` to check its TTL'],
  },
  {
    what: 'a Compose-escaped $$apr1$$ hash in a Traefik label (docker inspect)',
    text: '                "traefik.http.middlewares.auth.basicauth.users": "admin:$$apr1$$Ycr4SNUo$$DDeWeXxm4/4K+VBheCr+E/"',
    secret: '$$apr1$$Ycr4SNUo$$DDeWeXxm4/4K+VBheCr+E/',
    file: 'docker/inspect.json',
    keeps: ['"traefik.http.middlewares.auth.basicauth.users": "admin:'],
  },
  {
    what: 'the second user of a comma list of htpasswd entries',
    text: '"users": "admin:$apr1$Ycr4SNUo$DDeWeXxm4/4K+VBheCr+E/,bob:$apr1$Qw9LmN2x$Zr8PkVt3sYb1XcW6uJ0aH."',
    secret: '$apr1$Qw9LmN2x$Zr8PkVt3sYb1XcW6uJ0aH.',
    file: 'compose/labels.json',
    keeps: [',bob:'],
  },
  { what: 'a DES crypt line of an .htpasswd file', text: 'legacy:MNfv1WONu5A8T', secret: 'MNfv1WONu5A8T', file: 'htpasswd/.htpasswd', keeps: ['legacy:'] },
  {
    what: 'rabbitmqctl add_user <user> <password> in a process list',
    text: 'root         918  0.0  0.0  11000  3000 pts/1    S+   09:03   0:00 rabbitmqctl add_user shop m1FXYknuFpfQUX7V8T',
    secret: 'm1FXYknuFpfQUX7V8T',
    file: 'ps/ps-auxww.txt',
    keeps: ['rabbitmqctl add_user shop '],
  },
  {
    what: 'a Redis ACL user line with >password',
    text: 'user default on >Bq7pJbBJAPCILV3caJ0NvVdL ~* &* +@all',
    secret: 'Bq7pJbBJAPCILV3caJ0NvVdL',
    file: 'ini/redis.conf',
    keeps: [' ~* &* +@all'],
  },
  {
    what: 'ACL SETUSER with >password',
    text: 'redis-cli ACL SETUSER alice on >s3cretAl1ceXy ~cached:* +get',
    secret: 's3cretAl1ceXy',
    file: 'shell/bash_history',
    keeps: [' ~cached:* +get'],
  },
  {
    what: "Django's create_superuser(user, email, 'password') in a shell -c",
    text: `python manage.py shell -c "from django.contrib.auth.models import User; User.objects.create_superuser('ops', 'ops@example.com', 'Sup3r-uUmlHHONBA7f')"`,
    secret: 'Sup3r-uUmlHHONBA7f',
    file: 'shell/bash_history',
    keeps: ["create_superuser('ops', 'ops@example.com', '"],
  },
  {
    what: "Django's set_password('…')",
    text: "u.set_password('Tr0ub4dor-x9Qw'); u.save()",
    secret: 'Tr0ub4dor-x9Qw',
    file: 'shell/bash_history',
    keeps: ['; u.save()'],
  },
  {
    what: 'nginx proxy_set_header X-Api-Key <value>;',
    text: '        proxy_set_header X-Api-Key 5a5972ff30888d300659053b9f55b00dc26a6cee;',
    secret: '5a5972ff30888d300659053b9f55b00dc26a6cee',
    file: 'nginx/shop.conf',
    keeps: ['proxy_set_header X-Api-Key ', ';'],
  },
  {
    what: "a Kubernetes secret's .dockerconfigjson data",
    text: '  .dockerconfigjson: eyJhdXRocyI6eyJyZWdpc3RyeS5leGFtcGxlLmNvbSI6eyJ1c2VybmFtZSI6ImNpIiwicGFzc3dvcmQiOiJUUXYxNWppS3ZUdTkwSzFKOWJreCJ9fX0=',
    secret: 'eyJhdXRocyI6eyJyZWdpc3RyeS5leGFtcGxlLmNvbSI6eyJ1c2VybmFtZSI6ImNpIiwicGFzc3dvcmQiOiJUUXYxNWppS3ZUdTkwSzFKOWJreCJ9fX0=',
    file: 'k8s/secret.yaml',
  },
  {
    what: 'a Kubernetes env entry: - name: DB_PASSWORD, then value: on the next line',
    text: '            - name: DB_PASSWORD\n              value: "NR0zy7L7PJsglQKvwM7g"\n            - name: WORKERS',
    secret: 'NR0zy7L7PJsglQKvwM7g',
    file: 'k8s/deployment.yaml',
    keeps: ['- name: DB_PASSWORD\n              value: "', '"\n            - name: WORKERS'],
  },
  {
    what: 'a Kubernetes env entry with a bare value',
    text: "    - name: 'SESSION_SECRET'\n      value: Qm9vdHN0cmFwUzNjcmV0WHk",
    secret: 'Qm9vdHN0cmFwUzNjcmV0WHk',
    file: 'k8s/deployment.yaml',
  },
  {
    what: 'aws configure get aws_secret_access_key, its output on the next line',
    text: '$ aws configure get aws_secret_access_key\nUqLoF1XuCdEsm3ySWLZREZ7UIMxJdys0YSryNlwA\n$ aws configure get region',
    secret: 'UqLoF1XuCdEsm3ySWLZREZ7UIMxJdys0YSryNlwA',
    file: 'aws/cli-session.txt',
    keeps: ['$ aws configure get region'],
  },
];

const survivors: readonly { what: string; text: string; file?: string }[] = [
  { what: 'GPG_KEY, the public fingerprint of a release signing key', text: 'GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305', file: 'env/printenv.txt' },
  { what: 'an upper-case $NAME reference', text: 'DB_PASSWORD=$DB_PASSWORD_FROM_VAULT', file: 'app/.env' },
  { what: 'an empty JSON string', text: '{"user": "app", "password": "", "host": "db"}', file: 'config.json' },
  { what: 'a list of secrets opens a structure', text: 'API_KEYS = ["a", "b"]', file: 'settings.py' },
  { what: 'code that reads a header and goes on', text: '    token = request.headers["Authorization"].split()[1]', file: 'traceback.txt' },
  {
    what: "a token endpoint's URL (endpoint names where, not what)",
    text: '  <tokenEndpoint>https://sso.example.com/oauth2/token</tokenEndpoint>',
    file: 'xml/tomcat-users.xml',
  },
  { what: 'a token URI', text: 'TOKEN_URI=https://oauth2.googleapis.com/token', file: 'app/.env' },
  {
    what: "an SSH key's SHA256 fingerprint on a line that mentions a key",
    text: '{"level":"info","msg":"private key loaded","fingerprint":"SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8"}',
    file: 'providers/app.json',
  },
  { what: 'a user:13-character line outside an .htpasswd file', text: 'legacy:MNfv1WONu5A8T', file: 'logs/app.log' },
  { what: "nginx passing the client's own Authorization header on", text: '    proxy_set_header Authorization $http_authorization;', file: 'nginx/shop.conf' },
  { what: 'nginx setting a non-secret header', text: '    proxy_set_header X-Forwarded-Proto $scheme;', file: 'nginx/shop.conf' },
  {
    what: 'a Kubernetes env entry that is not secret',
    text: '    - name: DJANGO_SETTINGS_MODULE\n      value: shop.settings.production',
    file: 'k8s/deployment.yaml',
  },
  { what: 'aws configure get region and its output', text: '$ aws configure get region\neu-west-1', file: 'aws/cli-session.txt' },
];

describe('outside gaps, fixed: each secret redacted whole', () => {
  it.each(positives)('$what', async ({ text, secret, file = 'test.log', keeps = [] }) => {
    const out = makeRedactor().text(text, file);
    expect(leakedPieces(out, secret), out).toEqual([]);
    expect(out).toMatch(/\[REDACTED:[a-z-]+:[0-9a-f]{8}\]/);
    for (const k of keeps) expect(out).toContain(k);
    expect(await redactString(makeRedactor(), `${text}\n`, [7], file)).toBe(`${out}\n`);
    expect(makeRedactor().text(out, file)).toBe(out);
  });

  it.each(survivors)('keeps $what byte for byte', ({ text, file = 'test.log' }) => {
    expect(makeRedactor().text(text, file)).toBe(text);
  });
});
