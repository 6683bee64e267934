/**
 * The engine's confirm step (engine.ts #select): a line its keyword selected for a rule runs that rule
 * only when the rule's confirm test (Rule.confirm, or a hint that is more than its keywords) also passes,
 * and a line whose every keyword failed that test is left as it is, like a line with no keyword. These
 * check both sides: what the step lets through is still redacted whole, in a stream and in text, and what
 * it skips really holds nothing, including a known secret on a skipped line.
 */
import { describe, expect, it } from 'vitest';
import { LiteralSet } from '../../redaction/literals.js';
import { ANY_TOKEN, makeRedactor, redactString, tok } from './support.js';

const AIRTABLE = `pat${'Ab3dE5gH7jK9mN'}.${'0123456789abcdef'.repeat(4)}`;
const TWILIO = `SK${'0123456789abcdef'.repeat(2)}`;

/** [what, input line, expected output line] */
const CASES: readonly (readonly [string, string, string])[] = [
  ['a URL without userinfo', 'GET https://example.com/accounts/login/?next=/ HTTP/1.1', 'GET https://example.com/accounts/login/?next=/ HTTP/1.1'],
  [
    'a URL with a password',
    'DATABASE_URL=postgres://app:Hunter2xyz@db:5432/app',
    `DATABASE_URL=postgres://app:${tok('url-password', 'Hunter2xyz')}@db:5432/app`,
  ],
  ['a URL with a password and an @ in it', 'redis://:p@ssw0rd-9@cache:6379/0', `redis://:${tok('url-password', 'p@ssw0rd-9')}@cache:6379/0`],
  ['a URL followed by an e-mail address', 'see https://example.com/help or mail ops@example.com', 'see https://example.com/help or mail ops@example.com'],
  ['"path" and "compatible" (airtable keyword)', 'path=/srv/app compatible=yes patch=3', 'path=/srv/app compatible=yes patch=3'],
  ['an Airtable token', `token ${AIRTABLE} used`, `token ${tok('airtable-pat', AIRTABLE)} used`],
  ['"tasks" (twilio keyword SK)', 'celery: 12 TASKS queued, SKIPPED 3', 'celery: 12 TASKS queued, SKIPPED 3'],
  ['a Twilio key', `twilio sid ${TWILIO}`, `twilio sid ${tok('twilio-api-key', TWILIO)}`],
  ['a table row with a secret', '| secret_key | Zx8Qm2Lp9Rt4Vw6Y |', `| secret_key | ${tok('secret-key-table', 'Zx8Qm2Lp9Rt4Vw6Y')} |`],
];

describe('confirm step of the pre-filter', () => {
  it.each(CASES)('%s', async (_what, input, expected) => {
    expect(makeRedactor().text(input, 'app.log')).toBe(expected);
    // The stream path frames lines itself and skips lines: the same result, also one byte at a time.
    expect(await redactString(makeRedactor(), `${input}\n`, undefined, 'app.log')).toBe(`${expected}\n`);
    expect(await redactString(makeRedactor(), `${input}\n`, [1], 'app.log')).toBe(`${expected}\n`);
  });

  it('counts a skipped line once: the lines reported for later redactions are right, in text and streams', async () => {
    const skipped = CASES.filter(([, input, expected]) => input === expected).map(([, input]) => input);
    const lines = ['plain', ...skipped, 'x', 'password=Hunter2Hunter2', ...skipped, 'token: Zx8Qm2Lp9Rt4Vw6YZx8Qm2Lp9Rt4Vw6Y'];
    const want = [lines.indexOf('password=Hunter2Hunter2') + 1, lines.length];
    const seen = async (run: (r: ReturnType<typeof makeRedactor>) => Promise<unknown>): Promise<number[]> => {
      const found: number[] = [];
      await run(makeRedactor({ onRedaction: (e) => found.push(e.line) }));
      return found;
    };
    const input = `${lines.join('\n')}\n`;
    expect(await seen(async (r) => r.text(input, 'app.log'))).toEqual(want);
    expect(await seen((r) => redactString(r, input, undefined, 'app.log'))).toEqual(want);
    for (const sizes of [[1], [7, 64], [200]]) expect(await seen((r) => redactString(r, input, sizes, 'app.log'))).toEqual(want);
  });

  it('still removes a known secret on a line whose only keyword failed its confirm test', async () => {
    const literals = new LiteralSet();
    literals.add('Qw7-long-known-value');
    const line = 'GET https://example.com/cb?state=Qw7-long-known-value HTTP/1.1';
    const expected = `GET https://example.com/cb?state=${tok('known-secret', 'Qw7-long-known-value')} HTTP/1.1`;
    expect(makeRedactor({ literals }).text(line, 'access.log')).toBe(expected);
    const many = `${'GET https://example.com/ HTTP/1.1\n'.repeat(50)}${line}\n${'GET https://example.com/x HTTP/1.1\n'.repeat(50)}`;
    const out = await redactString(makeRedactor({ literals }), many, undefined, 'access.log');
    expect(out.split('\n')[50]).toBe(expected);
    expect(out.match(ANY_TOKEN)).toHaveLength(1);
  });

  it('still removes a password learned on one line where it shows up again on a skipped line', async () => {
    const input = 'DATABASE_URL=postgres://app:Lz9-Learned-Pw7@db/app\nGET https://example.com/x?state=Lz9-Learned-Pw7 HTTP/1.1\n';
    // A run always has a literal set (the bundle writer's); learning adds to it.
    const out = await redactString(makeRedactor({ literals: new LiteralSet() }), input, undefined, 'app.log');
    expect(out).not.toContain('Lz9-Learned-Pw7');
    expect(out.split('\n')[1]).toBe(`GET https://example.com/x?state=${tok('known-secret', 'Lz9-Learned-Pw7')} HTTP/1.1`);
  });

  it('keeps a private key body hidden when its BEGIN line also holds a skipped keyword', async () => {
    const input = [
      'see https://example.com/docs -----BEGIN RSA PRIVATE KEY-----',
      'MIIEowIBAAKCAQEAz9x3Lq7vQ2mP4tR8wYbN6cE1hJ5kD0fG',
      '-----END RSA PRIVATE KEY-----',
      '',
    ].join('\n');
    const out = await redactString(makeRedactor(), input, undefined, 'app.log');
    expect(out).not.toContain('MIIEowIBAAKCAQEAz9x3Lq7vQ2mP4tR8wYbN6cE1hJ5kD0fG');
    expect(out).toMatch(ANY_TOKEN);
  });
});
