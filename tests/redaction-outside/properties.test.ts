/**
 * Property tests from outside the engine: any value of printable ASCII (8-60 characters, specials and
 * spaces included) written under a secret-looking key in each common syntax, escaped the way that syntax
 * escapes it, leaves no 6-character piece of itself in the redacted output.
 *
 * No value is excluded as a placeholder: a password that happens to read "changeme" or "${DB_PASS}" is
 * still the password a file holds, and random values almost never look like placeholders anyway. The
 * only filters are what a syntax cannot hold at all (a bare env value with a space or a quote, a single
 * quote inside a single-quoted shell word, leading/trailing spaces of an INI value, which parsers trim).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redact } from '../../src/index.js';

const RUNS = 200;
const WINDOW = 6;
const KEYS = [
  'PASSWORD',
  'DB_PASSWORD',
  'secret_key',
  'apiKey',
  'AUTH-TOKEN',
  'client_secret',
  'api_key',
  'ACCESS_TOKEN',
  'private_key',
  'auth_token',
  'passwd',
  'SECRET',
];
const FLAGS = ['--password', '--db-password', '--api-key', '--token', '--client-secret', '--secret'];
const PRINTABLE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));

const value = fc.string({ unit: fc.constantFrom(...PRINTABLE), minLength: 8, maxLength: 60 });
const noSpaceOrQuote = (v: string): boolean => !/[\s'"]/.test(v);

const pyRepr = (v: string): string =>
  v.includes("'") && !v.includes('"') ? `"${v.replace(/\\/g, '\\\\')}"` : `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const dq = (v: string): string => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const shq = (v: string): string => `'${v.replace(/'/g, `'\\''`)}'`;
const xml = (v: string): string => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface Syntax {
  name: string;
  file: string;
  names: readonly string[];
  ok?: (v: string) => boolean;
  line: (key: string, v: string) => string;
  before: string;
  after: string;
}

const SYNTAXES: Syntax[] = [
  {
    name: 'env KEY=v',
    file: 'app/.env',
    names: KEYS,
    ok: noSpaceOrQuote,
    line: (k, v) => `${k}=${v}`,
    before: '# app\nDEBUG=False\n',
    after: 'ALLOWED_HOSTS=example.com\n',
  },
  { name: 'env KEY="v"', file: 'app/.env', names: KEYS, line: (k, v) => `${k}=${dq(v)}`, before: 'DEBUG=False\n', after: 'TZ=UTC\n' },
  {
    name: "env export KEY='v'",
    file: 'deploy/env.sh',
    names: KEYS,
    ok: (v) => !v.includes("'"),
    line: (k, v) => `export ${k}='${v}'`,
    before: '#!/bin/sh\nexport TZ=UTC\n',
    after: 'exec "$@"\n',
  },
  {
    name: 'JSON "key": "v"',
    file: 'config/config.json',
    names: KEYS,
    line: (k, v) => `  "${k}": ${JSON.stringify(v)},`,
    before: '{\n  "debug": false,\n',
    after: '  "region": "eu-west-1"\n}\n',
  },
  {
    name: 'YAML key: "v"',
    file: 'config/app.yaml',
    names: KEYS,
    line: (k, v) => `  ${k}: ${dq(v)}`,
    before: 'app:\n  debug: false\n',
    after: '  region: eu-west-1\n',
  },
  {
    name: "YAML key: 'v'",
    file: 'config/app.yaml',
    names: KEYS,
    line: (k, v) => `  ${k}: '${v.replace(/'/g, "''")}'`,
    before: 'app:\n  debug: false\n',
    after: '  region: eu-west-1\n',
  },
  {
    name: 'INI key = v',
    file: 'config/app.ini',
    names: KEYS,
    ok: (v) => v === v.trim(),
    line: (k, v) => `${k} = ${v}`,
    before: '[app]\ndebug = false\n',
    after: 'region = eu-west-1\n',
  },
  {
    name: "Python KEY = 'v'",
    file: 'shop/settings.py',
    names: KEYS,
    line: (k, v) => `${k} = ${pyRepr(v)}`,
    before: 'DEBUG = False\n',
    after: "TIME_ZONE = 'UTC'\n",
  },
  {
    name: "Python dict {'key': 'v'}",
    file: 'logs/django.log',
    names: KEYS,
    line: (k, v) => `ERROR payload={'user': 'jdoe', ${pyRepr(k)}: ${pyRepr(v)}, 'retry': 3}`,
    before: 'INFO starting\n',
    after: 'INFO done\n',
  },
  {
    name: 'CLI --password=v (as ps shows argv)',
    file: 'host/ps.txt',
    names: FLAGS,
    ok: (v) => !/\s/.test(v),
    line: (k, v) => `root  901  0.0  0.1 12000 4000 ?  S  09:00  0:00 /usr/local/bin/tool ${k}=${v} --verbose`,
    before: 'USER  PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND\n',
    after: 'root  902  0.0  0.0  8000 1000 ?  R  09:00  0:00 ps auxww\n',
  },
  {
    name: "CLI --password 'v'",
    file: 'shell/.bash_history',
    names: FLAGS,
    line: (k, v) => `/usr/local/bin/tool ${k} ${shq(v)} --verbose`,
    before: 'cd /srv/app\n',
    after: 'git status\n',
  },
  {
    name: 'XML <password>v</password>',
    file: 'maven/settings.xml',
    names: ['password', 'passphrase', 'secret', 'apiKey', 'client_secret', 'token'],
    line: (k, v) => `      <${k}>${xml(v)}</${k}>`,
    before: '<settings>\n  <servers>\n    <server>\n      <id>releases</id>\n      <username>ci</username>\n',
    after: '    </server>\n  </servers>\n</settings>\n',
  },
];

/** The 6-character windows of `v` left in `output` that did not already occur in the text around it. */
function leftovers(v: string, output: string, around: string): string[] {
  const left: string[] = [];
  for (let i = 0; i + WINDOW <= v.length; i++) {
    const w = v.slice(i, i + WINDOW);
    if (output.includes(w) && !around.includes(w)) left.push(w);
  }
  return left;
}

/**
 * Syntaxes in which the engine still leaks part of some values (issue #12 stays open until this is empty).
 * Every syntax runs with one fixed seed, so CI is deterministic (some leaks show in under 1% of random
 * values). A known leak runs under `it.fails`: it must keep finding its counterexample, and the day the
 * engine is fixed the test fails until its name leaves this set. Change SEED locally to explore further.
 */
const KNOWN_LEAKS = new Set<string>([]);
const SEED = 20261207;

describe('properties: any value under a secret key, in any syntax, is redacted whole', () => {
  it('names only syntaxes that exist in KNOWN_LEAKS', () => {
    expect([...KNOWN_LEAKS].filter((n) => !SYNTAXES.some((s) => s.name === n))).toEqual([]);
  });

  for (const s of SYNTAXES) {
    const known = KNOWN_LEAKS.has(s.name);
    (known ? it.fails : it)(known ? `${s.name} (known leak, #12)` : s.name, async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...s.names), s.ok ? value.filter(s.ok) : value, async (key, v) => {
          const line = s.line(key, v);
          const input = `${s.before}${line}\n${s.after}`;
          const { text } = await redact(input, { file: s.file, ephemeralKey: true });
          const around = `${s.before}${s.line(key, '\u0000')}\n${s.after}`;
          // Our own tokens' 8 hex characters come from a fresh key: by chance they could share 6 with a value.
          expect(leftovers(v, text.replace(/\[REDACTED:[a-z][a-z0-9-]*:[0-9a-f]{8}\]/g, '[REDACTED]'), around), `${s.file}: ${line}\n→ ${text}`).toEqual([]);
        }),
        { numRuns: RUNS, seed: SEED },
      );
    });
  }
});
