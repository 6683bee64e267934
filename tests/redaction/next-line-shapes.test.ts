/**
 * Values on the line after their key (redaction/next-line.ts, engine.ts): the shapes the outside framing
 * tests found missing (YAML's indented value, `password =`, `'PASSWORD': (`, argv lists printed one
 * element per line, shell lines continued with a backslash), and the lines that must stay as they are
 * after such a key: the next key, a section, a list, a reference, an unindented word below `key:`.
 */
import { describe, expect, it } from 'vitest';
import { makeRedactor, redactString, tok } from './support.js';

const KV = 'secret-key-value';
const CLI = 'cli-flag';
const V = 'K9abcDEF234x';

/** [what, input, expected] */
const REDACTED: readonly (readonly [string, string, string])[] = [
  ['INI: `password =` then the value', `password =\n${V}\n`, `password =\n${tok(KV, V)}\n`],
  ['YAML: `password:` then the value indented below', `db:\n  password:\n    ${V}\n`, `db:\n  password:\n    ${tok(KV, V)}\n`],
  ['YAML, CRLF', `db:\r\n  password:\r\n    ${V}\r\n`, `db:\r\n  password:\r\n    ${tok(KV, V)}\r\n`],
  ["Python: `'PASSWORD': (` then the quoted value", `{'PASSWORD': (\n    '${V}'\n)}\n`, `{'PASSWORD': (\n    '${tok(KV, V)}'\n)}\n`],
  ['JSON argv, compact: `"Args": ["--password",`', `"Args": ["--password",\n  "${V}"]\n`, `"Args": ["--password",\n  "${tok(CLI, V)}"]\n`],
  ['Python list over lines', `['gunicorn',\n '--password',\n '${V}']\n`, `['gunicorn',\n '--password',\n '${tok(CLI, V)}']\n`],
  ['shell: `--password \\` continued', `mysqldump --password \\\n  ${V} app\n`, `mysqldump --password \\\n  ${tok(CLI, V)} app\n`],
  ['shell: `export DB_PASSWORD=\\` continued', `export DB_PASSWORD=\\\n  ${V}\n`, `export DB_PASSWORD=\\\n  ${tok(KV, V)}\n`],
  ['shell: a quoted value after the continuation', `psql --password \\\n  "${V}" -h db\n`, `psql --password \\\n  "${tok(CLI, V)}" -h db\n`],
];

/** Inputs that must come out unchanged. */
const KEPT: readonly (readonly [string, string])[] = [
  ['an INI section after `password =`', 'password =\n[section]\nkey = 1\n'],
  ['a YAML list below `password:`', 'password:\n  - a\n  - b\n'],
  ['the next YAML key below a secret-named mapping', 'credentials:\n  aws:\n    region: eu-west-1\n'],
  ['an unindented word below `tokens:` (not its value in YAML)', 'tokens:\nsomething\n'],
  ['an environment reference', 'password:\n    ${DB_PASSWORD}\n'],
  ['a comment below the key', 'password =\n# set in the vault\n'],
  ['a shell continuation after a harmless flag', 'docker run --name \\\n  web app\n'],
  ['a Python list whose flag is not secret', "['gunicorn',\n '--workers',\n '4']\n"],
];

describe('values on the line after their key', () => {
  it.each(REDACTED)('%s', async (_what, input, expected) => {
    expect(makeRedactor().text(input, 'app.cfg')).toBe(expected);
    for (const sizes of [undefined, [1], [5, 3]]) expect(await redactString(makeRedactor(), input, sizes, 'app.cfg')).toBe(expected);
  });

  it.each(KEPT)('keeps %s', async (_what, input) => {
    expect(makeRedactor().text(input, 'app.cfg')).toBe(input);
    expect(await redactString(makeRedactor(), input, [1], 'app.cfg')).toBe(input);
  });

  it('a lone backslash ending a line is a continuation, not the value', () => {
    const events: number[] = [];
    const r = makeRedactor({ onRedaction: (e) => events.push(e.line) });
    expect(r.text(`export DB_PASSWORD=\\\n  ${V}\n`, 'run.sh')).toBe(`export DB_PASSWORD=\\\n  ${tok(KV, V)}\n`);
    expect(events).toEqual([2]);
  });
});
