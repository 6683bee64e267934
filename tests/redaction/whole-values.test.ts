/**
 * Issue #12 part 1: a value under a secret-like key is redacted whole, whatever its characters, up to
 * where the line's format ends it (redaction/values.ts). Positives assert that no 6-character piece of
 * the secret remains; near-misses must come out byte for byte. A fast-check property covers any
 * printable value in each supported syntax.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leakedPieces } from './pieces.js';
import { makeRedactor, redactString } from './support.js';

/** A Django-generated key: 50 characters from Django's own alphabet (get_random_secret_key). */
const DJANGO_KEY = 'dz+4(k#7&x!m@q^w%e*r-t_y=0)b$9+h(3!j&u@s^v%c*8n-2';
const SHORT_DJANGO = 'dz+4(k#7&x!m@q^w%e*r-t_y';

interface Case {
  readonly what: string;
  readonly line: string;
  readonly secret: string;
  readonly file?: string;
  /** Text that must survive around the secret. */
  readonly keeps?: readonly string[];
}

const positives: readonly Case[] = [
  { what: 'the issue example, bare in a .env line', line: `SECRET_KEY=${SHORT_DJANGO}`, secret: SHORT_DJANGO },
  { what: 'the issue example without the parenthesis (cut in two before)', line: 'SECRET_KEY=dz+4k#7&x!m@q^w', secret: 'dz+4k#7&x!m@q^w' },
  { what: 'a full 50-character Django key in .env', line: `DJANGO_SECRET_KEY=${DJANGO_KEY}`, secret: DJANGO_KEY, file: 'app/.env' },
  { what: 'a Django key in a log file at column 0', line: `SECRET_KEY=${DJANGO_KEY}`, secret: DJANGO_KEY, file: 'django/env.txt' },
  { what: 'a Django key after export in a shell script', line: `export SECRET_KEY=${DJANGO_KEY}`, secret: DJANGO_KEY, file: 'deploy.sh' },
  {
    what: 'a Django key in a docker inspect Env element',
    line: `      "SECRET_KEY=${DJANGO_KEY}",`,
    secret: DJANGO_KEY,
    file: 'docker/inspect.json',
    keeps: ['",'],
  },
  {
    what: 'a Django key in settings.py, single-quoted',
    line: `SECRET_KEY = '${DJANGO_KEY}'`,
    secret: DJANGO_KEY,
    file: 'settings.py',
    keeps: ["SECRET_KEY = '"],
  },
  { what: 'a Django key in compose YAML (indented, .yml)', line: `      SECRET_KEY: ${DJANGO_KEY}`, secret: DJANGO_KEY, file: 'docker-compose.yml' },
  { what: 'a Django key in a compose environment list', line: `      - SECRET_KEY=${DJANGO_KEY}`, secret: DJANGO_KEY, file: 'compose.yaml' },
  {
    what: 'a Django key inside a log line',
    line: `2026-12-07T10:00:00Z INFO settings SECRET_KEY=${DJANGO_KEY} loaded`,
    secret: DJANGO_KEY,
    keeps: [' loaded'],
  },
  {
    what: 'a Django key in a JSON log line (docker json-file)',
    line: `{"log":"SECRET_KEY=${DJANGO_KEY}\\n","stream":"stdout"}`,
    secret: DJANGO_KEY,
    keeps: ['"stream":"stdout"'],
  },
  { what: 'an INI value with spaces after =', line: 'password = correct horse battery staple', secret: 'correct horse battery staple', file: 'app.ini' },
  { what: 'an INI value with spaces after :', line: 'db_password: correct horse battery', secret: 'correct horse battery', file: 'setup.cfg' },
  { what: 'a properties value with # and ; inside', line: 'db.password=abc#def;ghi!jkl', secret: 'abc#def;ghi!jkl', file: 'application.properties' },
  { what: 'a .env value with spaces and =', line: 'API_TOKEN=a b=c d', secret: 'a b=c d', file: '.env.production' },
  { what: 'a double-quoted value with escaped quotes', line: 'DB_PASSWORD="pa\\"ss wo\\"rd"', secret: 'pa\\"ss wo\\"rd' },
  { what: 'a single-quoted value with special characters', line: "DB_PASSWORD='p@ss (w0rd) #1 & more'", secret: 'p@ss (w0rd) #1 & more' },
  { what: 'a JSON string with escapes', line: '{"password": "a\\"b\\\\c d(e)#f"}', secret: 'a\\"b\\\\c d(e)#f' },
  { what: 'a YAML double-quoted string', line: '  api_key: "k3y with spaces & stuff"', secret: 'k3y with spaces & stuff' },
  { what: 'a Python dict literal', line: "DATABASES = {'default': {'PASSWORD': 'pw(#&!x)y'}}", secret: 'pw(#&!x)y' },
  { what: 'a Python keyword argument in frame locals', line: "    password='Fr4me!loc@ls'", secret: 'Fr4me!loc@ls' },
  { what: 'a key name in camelCase', line: 'dbPassword=Ca$e!ns3nsitive', secret: 'Ca$e!ns3nsitive' },
  { what: 'a key name in kebab-case', line: 'db-password=Keb@b!case99', secret: 'Keb@b!case99' },
  { what: 'a key name with dots, upper case', line: 'SPRING.DATASOURCE.PASSWORD=D0ts!UPPER', secret: 'D0ts!UPPER' },
  { what: 'a value starting with ( and &', line: 'SECRET_KEY=(&x!m@q^w%e*r', secret: '(&x!m@q^w%e*r' },
  { what: 'a value with a backslash-escaped space in a shell line', line: 'export DB_PASSWORD=pa\\ ss\\ word', secret: 'pa\\ ss\\ word', file: 'history' },
  {
    what: 'PGPASSWORD before a command in shell history',
    line: 'PGPASSWORD=Pg!pass99 psql -h db -U app',
    secret: 'Pg!pass99',
    file: '.bash_history',
    keeps: [' psql -h db -U app'],
  },
  { what: 'MYSQL_PWD quoted before a command', line: "MYSQL_PWD='my pw!' mysql -u root", secret: 'my pw!', keeps: [' mysql -u root'] },
  // An unterminated quote (a broken .env line, a log line cut short): the rest of the line, blanks included.
  { what: 'an unterminated single quote in a shell line', line: "X_PASSWORD='abc def ghi", secret: 'abc def ghi', keeps: ["X_PASSWORD='"] },
  {
    what: 'an unterminated double quote in a .env file',
    line: 'SECRET_KEY="unterminated secret 9f3k2',
    secret: 'unterminated secret 9f3k2',
    file: 'app.env',
    keeps: ['SECRET_KEY="'],
  },
  {
    what: 'an unterminated JSON string in a cut log line',
    line: '{"password": "Cut sh0rt by the logger',
    secret: 'Cut sh0rt by the logger',
    keeps: ['{"password": "'],
  },
];

const nearMisses: readonly { what: string; line: string; file?: string }[] = [
  { what: 'a key=value log line: only the password goes, the next pair stays (checked below)', line: '2026-12-07 INFO login ok user=alice ms=12' },
  { what: 'a settings value read from the environment', line: "SECRET_KEY = os.environ.get('DJANGO_SECRET_KEY')", file: 'settings.py' },
  { what: 'a settings value read by subscript', line: "SECRET_KEY = os.environ['DJANGO_SECRET_KEY']", file: 'settings.py' },
  { what: 'a settings value from a helper call', line: 'SECRET_KEY = get_random_secret_key()', file: 'settings.py' },
  { what: 'an env reference in compose', line: '      DB_PASSWORD: ${DB_PASSWORD}', file: 'docker-compose.yml' },
  { what: 'a masked value', line: 'secret_key     ****************ABCD shared-credentials-file' },
  { what: 'a password reset URL', line: '10.0.0.1 - - [07/Dec/2026:10:00:00 +0000] "GET /accounts/password/reset/ HTTP/1.1" 200 512' },
  { what: 'a token expiry', line: 'TOKEN_EXPIRY=3600' },
  { what: 'prose about passwords', line: 'The password you entered was wrong; reset it with the token link.' },
];

describe('values under secret keys are redacted whole', () => {
  it.each(positives)('$what', async ({ line, secret, file = 'test.log', keeps = [] }) => {
    const out = makeRedactor().text(line, file);
    expect(leakedPieces(out, secret), out).toEqual([]);
    expect(out).toMatch(/\[REDACTED:[a-z-]+:[0-9a-f]{8}\]/);
    for (const k of keeps) expect(out).toContain(k);
    // The same through the stream, byte by byte and in one chunk.
    expect(await redactString(makeRedactor(), `${line}\n`, [1], file)).toBe(`${out}\n`);
    // Redacting twice equals redacting once.
    expect(makeRedactor().text(out, file)).toBe(out);
  });

  it.each(nearMisses)('leaves $what byte for byte', ({ line, file = 'test.log' }) => {
    expect(makeRedactor().text(line, file)).toBe(line);
  });

  it('ends a bare value at the blank in a key=value log line and keeps the next pair', () => {
    const out = makeRedactor().text('2026-12-07 INFO auth failed password=abc$%^def user=alice', 'app.log');
    expect(out).toMatch(/password=\[REDACTED:secret-key-value:[0-9a-f]{8}\] user=alice$/);
  });

  it('reads a line starting with password=… user=… as a log line, not one long value', () => {
    expect(makeRedactor().text('password=abc$%^def user=alice', 'app.log')).toMatch(/^password=\[REDACTED:secret-key-value:[0-9a-f]{8}\] user=alice$/);
  });

  it('takes the whole rest of a .env line, other pairs included (dotenv reads it so)', () => {
    const out = makeRedactor().text('SECRET_KEY=abc def=ghi', '.env');
    expect(out).toMatch(/^SECRET_KEY=\[REDACTED:secret-key-value:[0-9a-f]{8}\]$/);
  });
});

// ---------------------------------------------------------------------------------------------------
// Property: any printable value under any secret-like key, in each syntax, leaves no 6-character piece.

const KEYS = ['SECRET_KEY', 'DB_PASSWORD', 'api_key', 'apiToken', 'client-secret', 'DJANGO_SECRET_KEY', 'PASSWD', 'auth_token', 'Password'];
/** Values the redactor treats as placeholders by design (NOT_A_SECRET in values.ts). */
const PLACEHOLDER = /^(?:null|none|nil|true|false|undefined|\*+|x+|\$\{.*\}|\$[A-Za-z_]\w*|<.*>|\{\{.*\}\}|%\(.*\)s|[|>].{0,2})$/i;
const printable = fc.stringMatching(/^[\x21-\x7e][\x20-\x7e]{6,38}[\x21-\x7e]$/).filter((v) => !PLACEHOLDER.test(v) && !v.includes('[REDACTED'));
const noBlank = fc.stringMatching(/^[\x21-\x7e]{8,40}$/).filter((v) => !PLACEHOLDER.test(v) && !v.includes('[REDACTED'));

interface Syntax {
  readonly name: string;
  readonly file: string;
  readonly value: fc.Arbitrary<string>;
  readonly line: (key: string, value: string) => string;
  /** The text that must not survive (the value as written, escapes included). */
  readonly written: (value: string) => string;
}

const shellWordChars = /^[^\s"'`\\,;<>[\]{}]+$/;
/**
 * A bare value opens with anything but a quote (quoted values are their own syntax) or a structure
 * character: `[`, `{` (a YAML/Python list or mapping, whose members the other rules read), `<` (a
 * placeholder), `,;\`.
 */
const bareStart = (v: string): boolean => !/^["'`[\]{},;<>\\]/.test(v);
const SYNTAXES: readonly Syntax[] = [
  { name: '.env bare to end of line', file: 'service/.env', value: printable.filter(bareStart), line: (k, v) => `${k}=${v}`, written: (v) => v },
  { name: 'INI with spaces around =', file: 'app.ini', value: printable.filter(bareStart), line: (k, v) => `${k} = ${v}`, written: (v) => v },
  {
    name: 'JSON string',
    file: 'config.json',
    value: printable,
    line: (k, v) => `  "${k}": ${JSON.stringify(v)},`,
    written: (v) => JSON.stringify(v).slice(1, -1),
  },
  {
    name: 'double-quoted with backslash escapes',
    file: 'settings.py',
    value: printable,
    line: (k, v) => `${k} = "${v.replace(/[\\"]/g, '\\$&')}"`,
    written: (v) => v.replace(/[\\"]/g, '\\$&'),
  },
  // A trailing backslash reads as an escaped quote (`'it\'s'` in Python); not generated here.
  {
    name: 'single-quoted shell value',
    file: 'deploy.sh',
    value: printable.filter((v) => !v.includes("'") && !v.endsWith('\\')),
    line: (k, v) => `export ${k}='${v}'`,
    written: (v) => v,
  },
  {
    name: 'a --flag=value on a command line',
    file: '.bash_history',
    value: noBlank.filter((v) => shellWordChars.test(v)),
    line: (k, v) => `app --${k}=${v} --verbose`,
    written: (v) => v,
  },
  {
    name: 'a key=value pair inside a log line',
    file: 'app.log',
    value: noBlank.filter((v) => shellWordChars.test(v)),
    line: (k, v) => `2026-12-07T10:00:00Z INFO ${k}=${v} status=ok`,
    written: (v) => v,
  },
];

describe('property: any printable value under a secret-like key goes whole', () => {
  it.each(SYNTAXES)('$name', ({ file, value, line, written }) => {
    fc.assert(
      fc.property(fc.constantFrom(...KEYS), value, (key, v) => {
        const input = line(key, v);
        const out = makeRedactor().text(input, file);
        const secret = written(v);
        expect(leakedPieces(out, secret), `${input} → ${out}`).toEqual([]);
      }),
      // One fixed seed keeps CI deterministic: a rare leak (one value in thousands) must show up as a known
      // gap in the closing note and a table test, not as a random red run. Change the seed locally to explore.
      { numRuns: 300, seed: 20261207 },
    );
  });
});
