/**
 * Issue #12 parts 2, 3 and 5: passwords on command lines, config formats, and the last line of defence.
 * Each positive must lose every 6-character piece of its secret (and keep the text around it); each
 * near-miss must come out byte for byte, with the full default rule set.
 */
import { describe, expect, it } from 'vitest';
import { makeRedactor, redactString } from './support.js';
import { leakedPieces } from './pieces.js';

interface Case {
  readonly what: string;
  readonly line: string;
  readonly secret: string;
  readonly file?: string;
  readonly keeps?: readonly string[];
}

const commandLines: readonly Case[] = [
  { what: '--password=X', line: 'mysqldump --password=My!pw#42 --user=app shop', secret: 'My!pw#42', keeps: ['--user=app shop'] },
  { what: '--password X', line: 'pg_dump --password S3cr3t!pw -h db', secret: 'S3cr3t!pw', keeps: [' -h db'] },
  { what: '--password "X" with escaped quotes', line: 'app --password "pa\\"ss wo\\"rd" --debug', secret: 'pa\\"ss wo\\"rd', keeps: ['--debug'] },
  { what: "--password 'X' with spaces", line: "app --password 'pass word 99' --debug", secret: 'pass word 99' },
  { what: 'mysql -pX', line: 'mysql -uroot -pS3cr3t!x shop', secret: 'S3cr3t!x', keeps: [' shop'] },
  { what: 'mysql -p"X"', line: 'mysql -uroot -p"S3c r3t" shop', secret: 'S3c r3t' },
  { what: 'redis-cli -a X', line: 'redis-cli -h cache -p 6379 -a R3d!sPw ping', secret: 'R3d!sPw', keeps: [' ping'] },
  { what: "redis-cli -a 'X'", line: "redis-cli -a 'r3d is pw' --no-auth-warning", secret: 'r3d is pw' },
  { what: 'docker login -p X', line: 'docker login -u bob -p Dk3r!pass registry.example.com', secret: 'Dk3r!pass', keeps: [' registry.example.com'] },
  // The pre-filter's hints take the blank before `login` and after `user`: a tab is a blank too.
  { what: 'docker<TAB>login -p X', line: 'docker\tlogin -u bob -p Dk3r!tab registry.example.com', secret: 'Dk3r!tab' },
  { what: 'podman login -p X', line: 'podman login -u bob -p Pdm!pass99 quay.io', secret: 'Pdm!pass99' },
  { what: 'redis.conf user with a tab and >password', line: 'user\tworker on >W0rker!pw ~jobs:* +@all', secret: 'W0rker!pw', file: 'redis.conf' },
  { what: 'redis.conf user line', line: 'user default on >Def4ult!pw ~* +@all', secret: 'Def4ult!pw', file: 'redis.conf' },
  { what: 'wget --user --password', line: 'wget --user=alice --password=Wg3t!pw https://x/f', secret: 'Wg3t!pw' },
  { what: 'docker login --password X', line: 'docker login --username bob --password Dk3r!pass2 ghcr.io', secret: 'Dk3r!pass2' },
  { what: 'sshpass -p "X" with an escaped quote', line: 'sshpass -p "ss h\\"pw" ssh deploy@host', secret: 'ss h\\"pw', keeps: [' ssh deploy@host'] },
  {
    what: 'curl -u user:pass',
    line: 'curl -fsS -u admin:Cu!rl-pw https://api.example.com/x',
    secret: 'Cu!rl-pw',
    keeps: ['admin:', ' https://api.example.com/x'],
  },
  { what: "curl --user 'user:pass with spaces'", line: "curl --user 'admin:Cu rl pw' https://x", secret: 'Cu rl pw' },
  { what: 'curl -uuser:pass glued', line: 'curl -uadmin:Glu3d!pw https://x', secret: 'Glu3d!pw' },
  { what: 'PGPASSWORD=X psql', line: 'PGPASSWORD=Pg!pw123 psql -h db -U app', secret: 'Pg!pw123', file: '.bash_history', keeps: [' psql -h db -U app'] },
  { what: 'MYSQL_PWD=X in ps output', line: 'root  1234  0.0  0.1 env MYSQL_PWD=My!Pwd99 mysql -u root', secret: 'My!Pwd99', file: 'host/ps.txt' },
  { what: 'htpasswd -b file user X', line: 'htpasswd -b /etc/nginx/.htpasswd alice Ht!pw123', secret: 'Ht!pw123', keeps: ['alice '] },
  { what: 'htpasswd -cb file user X', line: 'htpasswd -cb .htpasswd alice "Ht pw 4"', secret: 'Ht pw 4' },
  { what: 'htpasswd -nb user X', line: 'htpasswd -nb alice Ht!pw456', secret: 'Ht!pw456', keeps: ['alice '] },
  { what: 'openssl -passin pass:X', line: 'openssl rsa -in key.pem -passin pass:0p3nssl!x -out plain.pem', secret: '0p3nssl!x', keeps: [' -out plain.pem'] },
  { what: 'openssl -passout pass:X', line: 'openssl genrsa -aes256 -passout pass:Gen!rsa99 2048', secret: 'Gen!rsa99' },
  { what: 'openssl -passin "pass:X"', line: 'openssl pkcs12 -passin "pass:P12 pass!" -in a.p12', secret: 'P12 pass!' },
  { what: 'openssl enc -k X', line: 'openssl enc -aes-256-cbc -k Enc!pw99 -in backup.tar', secret: 'Enc!pw99', keeps: [' -in backup.tar'] },
  { what: '--token X', line: 'gh auth login --token Tk9abcdefXYZ --hostname github.com', secret: 'Tk9abcdefXYZ', keeps: ['--hostname github.com'] },
  { what: '--api-key "X"', line: 'tool --api-key "Api key !x" run', secret: 'Api key !x' },
  {
    what: 'a JSON argv (docker inspect Args)',
    line: '"Args": ["--requirepass", "R3quire!pw", "--port", "6379"],',
    secret: 'R3quire!pw',
    keeps: ['"--port", "6379"'],
  },
  { what: 'a compose command string', line: '    command: redis-server --requirepass "C0mpose!pw"', secret: 'C0mpose!pw' },
];

const configFormats: readonly Case[] = [
  { what: 'INI with : and spaces', line: 'password: correct horse battery', secret: 'correct horse battery', file: 'my.cnf' },
  { what: 'INI [client] password with #', line: 'password=ab#cd;ef gh', secret: 'ab#cd;ef gh', file: '.my.cnf' },
  { what: 'XML element text', line: '  <password>Xml!pw 12</password>', secret: 'Xml!pw 12', keeps: ['<password>', '</password>'] },
  { what: 'XML element, capitalised', line: '<Password>Xml!pw 34</Password>', secret: 'Xml!pw 34' },
  { what: 'XML element with attributes', line: '<apiKey type="string">Ak-9981-xyz</apiKey>', secret: 'Ak-9981-xyz' },
  { what: 'XML appSettings key/value', line: '<add key="ApiKey" value="Ak!xml 56"/>', secret: 'Ak!xml 56', keeps: ['<add key="ApiKey" value="', '"/>'] },
  { what: 'XML connection password by name', line: "<add name='DbPassword' value='Db!xml78' />", secret: 'Db!xml78' },
  { what: 'HTML password field', line: '<input name="password" type="password" value="Form!pw78">', secret: 'Form!pw78' },
  {
    what: 'HTML csrfmiddlewaretoken',
    line: '<input type="hidden" name="csrfmiddlewaretoken" value="Csrf9aXq2LmN0pQrStUvWxYz">',
    secret: 'Csrf9aXq2LmN0pQrStUvWxYz',
  },
  { what: '.netrc on one line', line: 'machine api.example.com login me password N3trc!pw', secret: 'N3trc!pw' },
  { what: '.netrc two entries on one line', line: 'machine a login u password Aa11!bb machine b login v password Cc22!dd', secret: 'Cc22!dd' },
  { what: '.netrc password line in a .netrc file', line: '    password N3trc!line', secret: 'N3trc!line', file: 'home/.netrc' },
  { what: '_netrc password line', line: 'password W1n!netrc', secret: 'W1n!netrc', file: 'C/Users/me/_netrc' },
  { what: '.pgpass line by file name', line: 'db.example.com:5432:app:app:Pg!pass:word', secret: 'Pg!pass:word', file: '.pgpass' },
  { what: '.pgpass with * and escapes', line: '*:*:*:replicator:R3pl\\:ica', secret: 'R3pl\\:ica', file: 'root/.pgpass' },
  { what: '.pgpass line shape with a port', line: 'localhost:5432:shop:shop:Sh0p!pgpw', secret: 'Sh0p!pgpw' },
  { what: 'Docker config.json auth', line: '    "https://index.docker.io/v1/": {"auth": "YWxpY2U6UzNjcjN0IXB3"},', secret: 'YWxpY2U6UzNjcjN0IXB3' },
  {
    what: 'Docker config.json identitytoken',
    line: '      "identitytoken": "eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA1JJJW8opsbCGfG_HACGpVUMN_a9IV7pAx_Zmeo"',
    secret: 'eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA1JJJW8opsbCGfG_HACGpVUMN_a9IV7pAx_Zmeo',
  },
  { what: 'nginx Basic auth header', line: '    proxy_set_header Authorization "Basic YWxpY2U6czNjcjN0";', secret: 'YWxpY2U6czNjcjN0' },
  { what: 'nginx Bearer header', line: "    proxy_set_header Authorization 'Bearer Ng1nxB3arer.tok';", secret: 'Ng1nxB3arer.tok' },
  { what: 'htpasswd apr1 line', line: 'alice:$apr1$x1y2z3w4$AbCdEfGhIjKlMnOpQrStU.', secret: '$apr1$x1y2z3w4$AbCdEfGhIjKlMnOpQrStU.', file: '.htpasswd' },
  {
    what: 'htpasswd bcrypt line',
    line: 'bob:$2y$05$abcdefghijklmnopqrstuuQ1Y8vYI9ZwJx1zCkqHc7w0e2rdT4Wfa',
    secret: '$2y$05$abcdefghijklmnopqrstuuQ1Y8vYI9ZwJx1zCkqHc7w0e2rdT4Wfa',
  },
  { what: 'htpasswd SHA line', line: 'carol:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=', secret: '{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=' },
  {
    what: 'a Django password hash',
    line: '{"model": "auth.user", "fields": {"password": "pbkdf2_sha256$600000$salt123$Hh4sh3dV4lue="}}',
    secret: 'pbkdf2_sha256$600000$salt123$Hh4sh3dV4lue=',
  },
  {
    what: 'a QueryDict in a Django log',
    line: "<QueryDict: {'csrfmiddlewaretoken': ['Qd9xLm2Np4Qd9xLm2Np4'], 'username': ['bob'], 'password': ['Qd!pw 11']}>",
    secret: 'Qd!pw 11',
    keeps: ["'username': ['bob']"],
  },
  { what: 'a QueryDict csrf token', line: "<QueryDict: {'csrfmiddlewaretoken': ['Qd9xLm2Np4Qd9xLm2Np4']}>", secret: 'Qd9xLm2Np4Qd9xLm2Np4' },
  { what: 'a Python dict repr', line: "POST data: {'password': 'Py!pw 22', 'user': 'x'}", secret: 'Py!pw 22', keeps: ["'user': 'x'"] },
  { what: 'frame locals in a traceback', line: "    password = 'Fr!pw33'", secret: 'Fr!pw33' },
  {
    what: 'AWS credentials file',
    line: 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    file: '.aws/credentials',
  },
  {
    what: 'aws configure list, full key',
    line: 'secret_key     wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY shared-credentials-file',
    secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    keeps: [' shared-credentials-file'],
  },
  { what: 'a | bordered table', line: '| secret_key | wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY | env |', secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
];

const lastLine: readonly Case[] = [
  {
    what: 'an unknown token after "auth header"',
    line: 'note: the auth header carried Zx9QmL2vN8kR4tY7wP3sJ6hB1cF5dG0a today',
    secret: 'Zx9QmL2vN8kR4tY7wP3sJ6hB1cF5dG0a',
    keeps: [' today'],
  },
  {
    what: 'an unknown vendor key near "credential"',
    line: 'vendor credential rotated to vnd_Q8fK2mLp9XzR4tWc7YbN3sJd ok',
    secret: 'vnd_Q8fK2mLp9XzR4tWc7YbN3sJd',
  },
  {
    what: 'a JWT next to "session"',
    line: 'session restored from eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlLWJ5dGVz9Q',
    secret: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlLWJ5dGVz9Q',
  },
];

const survivors: readonly { what: string; line: string; file?: string }[] = [
  { what: 'a container ID next to "token"', line: 'token refresh for container 4f2a9c1b7e3d5f6a8b0c2d4e6f8a0b1c3d5e7f9a1b2c3d4e5f6a7b8c9d0e1f2a' },
  { what: 'a short container ID', line: 'auth proxy restarted 4f2a9c1b7e3d' },
  { what: 'an image digest', line: 'pulled secret-manager@sha256:4f2a9c1b7e3d5f6a8b0c2d4e6f8a0b1c3d5e7f9a1b2c3d4e5f6a7b8c9d0e1f2a' },
  { what: 'a git SHA', line: 'deploy key rotated at commit 9fceb02d0ae598e95dc970b74767f19372d61af8' },
  { what: 'a UUID request id', line: 'password reset request_id=3f2b8c1e-9d4a-4b6f-8e2c-1a7d5f3b9c0e' },
  { what: 'a timestamp and IP', line: '2026-12-07T10:00:00.123456Z token check from 10.0.12.34:52144 ok' },
  { what: 'a hostname and port', line: 'auth backend auth-service-7f9c.prod.internal.example.com:8443 up' },
  { what: 'a path', line: 'reading secrets from /var/lib/docker/volumes/app_secrets/_data/Config2024Backup' },
  { what: 'a version', line: 'keycloak auth server 24.0.5-2 started' },
  { what: 'a Django migration', line: 'Applying auth.0012_alter_user_first_name_max_length... OK' },
  { what: 'an HTTP status line', line: 'HTTP/1.1 401 Unauthorized (token expired)' },
  { what: 'non-secret base64 without a secret word', line: 'payload aGVsbG8gd29ybGQgdGhpcyBpcyBub3QgYSBzZWNyZXQ= delivered' },
  { what: 'a password reset URL path', line: '10.0.0.1 - - [07/Dec/2026:10:00:00 +0000] "GET /accounts/password/reset/done/ HTTP/1.1" 200 1024' },
  { what: 'a Python path next to "password"', line: "PASSWORD_HASHERS = ['django.contrib.auth.hashers.PBKDF2PasswordHasher']" },
  { what: 'an SSH public key', line: 'authorized key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx7Kp9qVwT2mZ3rN8sB4yD6fH1jL0cX5vQ9eR2tU7wY deploy@ci' },
  { what: 'prose with password and token', line: 'If you forgot your password, request a new token from the admin page.' },
  { what: 'a masked aws configure list row', line: 'secret_key     ****************ABCD shared-credentials-file' },
  { what: 'a not-set aws configure list row', line: 'access_key                <not set>             None    None' },
  { what: 'a netrc-like line outside .netrc', line: 'password changed for user alice', file: 'app.log' },
  { what: 'curl -u without a password', line: 'curl -u admin https://x' },
  { what: 'mysql -p alone (prompts)', line: 'mysql -u root -p shop' },
  { what: 'redis-cli without -a', line: 'redis-cli -h cache -p 6379 ping' },
  { what: 'an XML element that is not secret', line: '<username>alice</username>' },
  { what: 'an attribute pair that is not secret', line: '<add key="Environment" value="production"/>' },
  { what: 'a YAML list line that is not pgpass', line: '2026-12-07 10:00:01:5432:foo bar' },
  { what: 'nginx auth_basic directives', line: '    auth_basic "Restricted"; auth_basic_user_file /etc/nginx/.htpasswd;' },
];

const check = async ({ line, secret, file = 'test.log', keeps = [] }: Case): Promise<void> => {
  const out = makeRedactor().text(line, file);
  expect(leakedPieces(out, secret), out).toEqual([]);
  for (const k of keeps) expect(out, out).toContain(k);
  expect(await redactString(makeRedactor(), `${line}\n`, [5], file)).toBe(`${out}\n`);
  expect(makeRedactor().text(out, file)).toBe(out);
};

describe('passwords on command lines', () => {
  it.each(commandLines)('$what', check);
});

describe('config formats', () => {
  it.each(configFormats)('$what', check);
});

describe('the last line of defence', () => {
  it.each(lastLine)('$what', check);
  it.each(survivors)('leaves $what byte for byte', ({ line, file = 'test.log' }) => {
    const r = makeRedactor();
    expect(r.text(line, file)).toBe(line);
    expect(r.report.total).toBe(0);
  });
});
