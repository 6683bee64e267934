/**
 * Known-secret literals (redaction/literals.ts): values a collector declares, or the redactor learns from a
 * keyed match, are removed wherever else they show up — raw and in the forms they take inside other text
 * (URL-encoded, base64, base64url, JSON-escaped the way JavaScript, Python and Go write JSON).
 * Expected tokens come from tags.ts (support.ts `tok`): a known secret's token hashes the form found.
 */
import { describe, expect, it } from 'vitest';
import { LiteralSet, MIN_LITERAL_LENGTH, literalForms, looksRandom } from '../../redaction/literals.js';
import { KEY_VALUE, URL_PASSWORD, makeRedactor, redactString, smallWindows, tok } from './support.js';

const KNOWN = 'known-secret';

/** A value whose forms all differ: URL-unsafe, JSON-escaped, non-ASCII, and base64 with + and /. */
const VALUE = 't0k3n>>??ü"&+ /';

/** Each form written out by hand, not computed with the code under test. */
const FORMS: readonly (readonly [string, string])[] = [
  ['raw', VALUE],
  ['URL-encoded', 't0k3n%3E%3E%3F%3F%C3%BC%22%26%2B%20%2F'],
  ['JSON-escaped', 't0k3n>>??ü\\"&+ /'],
  ['JSON-escaped by Python (ensure_ascii)', 't0k3n>>??\\u00fc\\"&+ /'],
  ['JSON-escaped by Go (HTML-safe)', 't0k3n\\u003e\\u003e??ü\\"\\u0026+ /'],
  ['base64', 'dDBrM24+Pj8/w7wiJisgLw=='],
  ['base64 without padding', 'dDBrM24+Pj8/w7wiJisgLw'],
  ['base64url', 'dDBrM24-Pj8_w7wiJisgLw'],
];

const withValue = (...values: string[]): LiteralSet => {
  const set = new LiteralSet();
  for (const v of values) expect(set.add(v)).toBe(true);
  return set;
};

describe('LiteralSet forms', () => {
  it('lists every form of a value once', () => {
    expect(new Set(literalForms(VALUE))).toEqual(new Set(FORMS.map(([, f]) => f)));
    expect(literalForms('abcdef123')).toEqual(['abcdef123', 'YWJjZGVmMTIz']);
  });

  it.each(FORMS)('removes the %s form when given as literals to a Redactor', async (_what, form) => {
    const line = `2024-05-01 12:00:00 DEBUG upstream replied with ${form} (cached)`;
    const expected = `2024-05-01 12:00:00 DEBUG upstream replied with ${tok(KNOWN, form)} (cached)`;
    expect(makeRedactor({ literals: withValue(VALUE) }).text(line, 'f')).toBe(expected);
    // Byte by byte, so the two bytes of ü arrive in separate chunks.
    expect(await redactString(makeRedactor({ literals: withValue(VALUE) }), `${line}\n`, [1])).toBe(`${expected}\n`);
  });

  it('removes the forms where real diagnostics put them', () => {
    const r = makeRedactor({ literals: withValue(VALUE) });
    const cases: readonly (readonly [string, string])[] = [
      // docker inspect (Go) escapes < > & in JSON strings.
      [
        `            "Cmd": ["sh", "-c", "run --seed t0k3n\\u003e\\u003e??ü\\"\\u0026+ / --workers 2"],`,
        `            "Cmd": ["sh", "-c", "run --seed ${tok(KNOWN, 't0k3n\\u003e\\u003e??ü\\"\\u0026+ /')} --workers 2"],`,
      ],
      // Python's json.dumps escapes everything outside ASCII.
      [`{"event": "retry", "seed": "t0k3n>>??\\u00fc\\"&+ /"}`, `{"event": "retry", "seed": "${tok(KNOWN, 't0k3n>>??\\u00fc\\"&+ /')}"}`],
      // A query string, and a Basic-auth-like base64 blob.
      [
        'GET /callback?state=t0k3n%3E%3E%3F%3F%C3%BC%22%26%2B%20%2F HTTP/1.1',
        `GET /callback?state=${tok(KNOWN, 't0k3n%3E%3E%3F%3F%C3%BC%22%26%2B%20%2F')} HTTP/1.1`,
      ],
      ['X-Seed: dDBrM24+Pj8/w7wiJisgLw==', `X-Seed: ${tok(KNOWN, 'dDBrM24+Pj8/w7wiJisgLw==')}`],
    ];
    for (const [input, expected] of cases) expect(r.text(input, 'f')).toBe(expected);
  });

  it('removes every occurrence, with the same tag for the same form', () => {
    const out = makeRedactor({ literals: withValue('Zq9-seed-value') }).text('a Zq9-seed-value b Zq9-seed-value', 'f');
    expect(out).toBe(`a ${tok(KNOWN, 'Zq9-seed-value')} b ${tok(KNOWN, 'Zq9-seed-value')}`);
  });

  it('removes a declared literal even when learning is off', () => {
    expect(makeRedactor({ literals: withValue('Zq9-seed-value'), learn: false }).text('seed Zq9-seed-value', 'f')).toBe(`seed ${tok(KNOWN, 'Zq9-seed-value')}`);
  });

  it('removes a literal wherever a window cut falls in a long line', async () => {
    const secret = 'Zq9-seed-value';
    for (let at = 180; at <= 330; at += 7) {
      const line = `${'a'.repeat(at)} ${secret} ${'b'.repeat(700)}`;
      const expected = `${'a'.repeat(at)} ${tok(KNOWN, secret)} ${'b'.repeat(700)}\n`;
      expect(await redactString(smallWindows({ literals: withValue(secret) }), `${line}\n`, [97]), `at ${at}`).toBe(expected);
    }
  });
});

describe('LiteralSet length limit', () => {
  it(`refuses values shorter than ${MIN_LITERAL_LENGTH} characters`, () => {
    const set = new LiteralSet();
    expect(MIN_LITERAL_LENGTH).toBe(6);
    for (const short of ['', 'a', 'abc12', 'pw!12']) expect(set.add(short), short).toBe(false);
    expect(set.size).toBe(0);
    expect(set.version).toBe(0);
    expect(set.byteMatcher()).toBeUndefined();
    expect(makeRedactor({ literals: set }).text('login abc12 pw!12', 'f')).toBe('login abc12 pw!12');
  });

  it('accepts a value of exactly six characters', () => {
    const set = new LiteralSet();
    expect(set.add('ab12cd')).toBe(true);
    expect(set.version).toBe(1);
    expect(makeRedactor({ literals: set }).text('x ab12cd y', 'f')).toBe(`x ${tok(KNOWN, 'ab12cd')} y`);
  });

  it('changes its version only when something new is added', () => {
    const set = new LiteralSet();
    set.add('Zq9-seed-value');
    const v = set.version;
    expect(set.add('Zq9-seed-value')).toBe(true);
    expect(set.version).toBe(v);
    set.add('Other-value-42');
    expect(set.version).toBe(v + 1);
  });
});

describe('learned literals', () => {
  const secret = 'Xy9-LongEnough';

  it.each([[[1 << 20]], [[1]], [[5, 11]]])('removes a value learned from DB_PASSWORD= from later lines of the same stream (chunks %j)', async (sizes) => {
    const literals = new LiteralSet();
    const input = `DB_PASSWORD=${secret}\nINFO connecting to db:5432 as app\nDEBUG psql -h db -U app (auth ${secret})\n`;
    const expected = `DB_PASSWORD=${tok(KEY_VALUE, secret)}\nINFO connecting to db:5432 as app\nDEBUG psql -h db -U app (auth ${tok(KNOWN, secret)})\n`;
    expect(await redactString(makeRedactor({ literals }), input, sizes)).toBe(expected);
    expect(literals.size).toBeGreaterThan(0);
  });

  it('removes it from later streams that use the same LiteralSet, in its other forms too', async () => {
    const literals = new LiteralSet();
    const learnedFrom = 'Pw/Long+Enough9';
    expect(await redactString(makeRedactor({ literals }), `DB_PASSWORD=${learnedFrom}\n`, [4], 'env.txt')).toBe(`DB_PASSWORD=${tok(KEY_VALUE, learnedFrom)}\n`);
    // Another redactor of the same run (another collector), another file.
    const later = makeRedactor({ literals });
    expect(await redactString(later, `ps: app --seed ${learnedFrom}\nGET /x?s=Pw%2FLong%2BEnough9 200\n`, [3], 'ps.txt')).toBe(
      `ps: app --seed ${tok(KNOWN, learnedFrom)}\nGET /x?s=${tok(KNOWN, 'Pw%2FLong%2BEnough9')} 200\n`,
    );
  });

  it('learns from a URL password and an Authorization header as well', () => {
    const literals = new LiteralSet();
    const r = makeRedactor({ literals });
    expect(r.text('DATABASE_URL=postgres://app:Pg-7hJ2kLm9@db:5432/app', 'f')).toBe(
      `DATABASE_URL=postgres://app:${tok(URL_PASSWORD, 'Pg-7hJ2kLm9')}@db:5432/app`,
    );
    expect(r.text('Authorization: Bearer Tk4-abcdEFGH5678', 'f')).toBe(`Authorization: Bearer ${tok('authorization-header', 'Tk4-abcdEFGH5678')}`);
    expect(r.text('psql password Pg-7hJ2kLm9 token Tk4-abcdEFGH5678', 'g')).toBe(
      `psql password ${tok(KNOWN, 'Pg-7hJ2kLm9')} token ${tok(KNOWN, 'Tk4-abcdEFGH5678')}`,
    );
  });

  it('catches an earlier occurrence on the same line as the keyed match', () => {
    const r = makeRedactor({ literals: new LiteralSet() });
    expect(r.text(`auth ${secret} failed; DB_PASSWORD=${secret}`, 'f')).toBe(`auth ${tok(KNOWN, secret)} failed; DB_PASSWORD=${tok(KEY_VALUE, secret)}`);
  });

  it('does not learn with learn: false', async () => {
    const literals = new LiteralSet();
    const input = `DB_PASSWORD=${secret}\nauth ${secret}\n`;
    expect(await redactString(makeRedactor({ literals, learn: false }), input, [4])).toBe(`DB_PASSWORD=${tok(KEY_VALUE, secret)}\nauth ${secret}\n`);
    expect(literals.size).toBe(0);
    expect(makeRedactor({ literals }).text(`auth ${secret}`, 'f')).toBe(`auth ${secret}`);
  });

  it('does not learn a value that does not look random, so the word stays elsewhere', () => {
    const literals = new LiteralSet();
    const r = makeRedactor({ literals });
    expect(r.text('DB_PASSWORD=postgres\nPOSTGRES_PASSWORD=changeme\nconnecting to postgres:5432 (changeme later)', 'f')).toBe(
      `DB_PASSWORD=${tok(KEY_VALUE, 'postgres')}\nPOSTGRES_PASSWORD=${tok(KEY_VALUE, 'changeme')}\nconnecting to postgres:5432 (changeme later)`,
    );
    expect(literals.size).toBe(0);
  });

  it('does not learn provider formats (they are found by their rule anyway)', () => {
    const literals = new LiteralSet();
    const ghp = 'ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5';
    makeRedactor({ literals }).text(`GH_AUTH=${ghp}`, 'f');
    expect(literals.size).toBe(0);
  });

  describe('never eats part of a token', () => {
    it.each([
      ['a rule id', 'known-secret'],
      ['a tag', '0123abcd'],
    ])('leaves a redaction token alone when the learned value is %s inside it', (_what, learned) => {
      const literals = new LiteralSet();
      const r = makeRedactor({ literals });
      expect(r.text(`DB_PASSWORD=${learned}`, 'f')).toBe(`DB_PASSWORD=${tok(KEY_VALUE, learned)}`);
      expect(literals.size).toBeGreaterThan(0);
      const already = `earlier: [REDACTED:known-secret:0123abcd] and [REDACTED:secret-key-value:0123abcd]`;
      expect(r.text(already, 'f')).toBe(already);
      // Outside a token the value is still removed.
      expect(r.text(`then ${learned} again`, 'f')).toBe(`then ${tok(KNOWN, learned)} again`);
    });

    it('redacts a provider token that contains a learned value whole, under its own rule', () => {
      const literals = new LiteralSet();
      const r = makeRedactor({ literals });
      r.text('DB_PASSWORD=dE5fG7hI9jK1', 'f');
      const ghp = 'ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5';
      expect(r.text(`remote ${ghp} ok`, 'f')).toBe(`remote ${tok('github-token', ghp)} ok`);
    });

    it('redacts a longer secret that contains a learned value whole', () => {
      const literals = new LiteralSet();
      const r = makeRedactor({ literals });
      r.text(`DB_PASSWORD=${secret}`, 'f');
      expect(r.text(`OLD_DB_PASSWORD=${secret}-2023`, 'f')).toBe(`OLD_DB_PASSWORD=${tok(KEY_VALUE, `${secret}-2023`)}`);
    });
  });
});

describe('looksRandom', () => {
  it.each(['postgres', 'password', 'changeme', 'localhost', 'administrator', 'POSTGRES', 'short1', 'Ab1-x'])('rejects %s', (word) => {
    expect(looksRandom(word)).toBe(false);
  });

  it.each(['Xy9-LongEnough', 'hunter22', 'S3cr3tP4ss', 'django-insecure-q8v2n5k7w1', 'Pw/Long+Enough9'])('accepts %s', (value) => {
    expect(looksRandom(value)).toBe(true);
  });
});
