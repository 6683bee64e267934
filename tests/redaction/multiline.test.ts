/**
 * The shapes that span lines: private key blocks (PEM, OpenSSH, PGP) whose body is replaced by one token
 * line between the kept BEGIN and END lines, and secret flags in a JSON argv array printed over lines.
 * Both must come out the same for every chunking of the input (1 byte to all of it).
 *
 * A key's tag is the HMAC of its body's content (tags.ts via support.ts `tok`); line breaks, indentation
 * and carriage returns are layout, so the same key has the same tag in a .pem file, a YAML block and a
 * CRLF file.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LiteralSet } from '../../redaction/literals.js';
import type { RedactionEvent } from '../../redaction/redactor.js';
import { makeRedactor, redactString, smallWindows, tok } from './support.js';
import { prng } from './support.js';

const PEM = 'private-key';
const CLI = 'cli-flag';
const KNOWN = 'known-secret';

/** Chunkings every fixed case is run through: single bytes, odd sizes, about a line, all at once. */
const CHUNKINGS: readonly (readonly number[])[] = [[1], [2, 3, 5, 7], [64], [1 << 20]];

// ---------------------------------------------------------------------------------------------------
// Key material from a fixed seed.

const next = prng(4242);
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const gen = (n: number): string => Array.from({ length: n }, () => BASE64[Math.floor(next() * 64)]!).join('');
/** `lines` base64 lines of `width` characters, the last one shorter and padded. */
const b64Lines = (lines: number, width = 64): string[] => [...Array.from({ length: lines - 1 }, () => gen(width)), `${gen(width - 22)}==`];

interface KeyKind {
  readonly name: string;
  /** The word(s) between BEGIN/END and the dashes. */
  readonly type: string;
  readonly body: readonly string[];
}

const KINDS: readonly KeyKind[] = [
  { name: 'PKCS#8', type: 'PRIVATE KEY', body: b64Lines(6) },
  { name: 'RSA (PKCS#1)', type: 'RSA PRIVATE KEY', body: b64Lines(8) },
  { name: 'EC', type: 'EC PRIVATE KEY', body: b64Lines(3) },
  { name: 'DSA', type: 'DSA PRIVATE KEY', body: b64Lines(4) },
  { name: 'OpenSSH', type: 'OPENSSH PRIVATE KEY', body: [`b3BlbnNzaC1rZXktdjEAAAAA${gen(46)}`, ...b64Lines(5, 70)] },
  { name: 'encrypted PKCS#8', type: 'ENCRYPTED PRIVATE KEY', body: b64Lines(5) },
  {
    name: 'legacy encrypted RSA (Proc-Type/DEK-Info headers)',
    type: 'RSA PRIVATE KEY',
    body: ['Proc-Type: 4,ENCRYPTED', 'DEK-Info: AES-128-CBC,3F17F5316E2BAC89A1B2C3D4E5F60718', '', ...b64Lines(5)],
  },
  { name: 'PGP', type: 'PGP PRIVATE KEY BLOCK', body: ['Version: GnuPG v2', '', ...b64Lines(6), '=a1B2'] },
];
const [PKCS8, RSA, EC] = KINDS as [KeyKind, KeyKind, KeyKind];

/** The tag of a key body: its content without line breaks, indentation or carriage returns. */
const pemTok = (body: readonly string[]): string => tok(PEM, body.join('').replace(/[ \t\r]/g, ''));

/** A key block as it appears in a file: every line indented by `indent` and ended by `eol`. */
const block = (k: KeyKind, indent = '', eol = '\n'): string =>
  [`-----BEGIN ${k.type}-----`, ...k.body, `-----END ${k.type}-----`].map((l) => `${l === '' ? '' : indent}${l}${eol}`).join('');

/** The redacted block: BEGIN and END kept, the body one token line at the BEGIN line's indentation. */
const redactedBlock = (k: KeyKind, indent = '', eol = '\n'): string =>
  `${indent}-----BEGIN ${k.type}-----${eol}${indent}${pemTok(k.body)}${eol}${indent}-----END ${k.type}-----${eol}`;

/** Runs `input` through text() and through stream() in every chunking; all must equal `expected`. */
async function expectEverywhere(input: string, expected: string, make = () => makeRedactor()): Promise<void> {
  expect(make().text(input, 'f')).toBe(expected);
  for (const sizes of CHUNKINGS) expect(await redactString(make(), input, sizes), `chunks of ${sizes.join(',')}`).toBe(expected);
}

/** Body lines long enough that finding one in the output cannot be chance. */
const visibleBody = (out: string, body: readonly string[]): string[] => body.filter((l) => l.length >= 16 && out.includes(l));

const CERT = ['-----BEGIN CERTIFICATE-----', ...b64Lines(7), '-----END CERTIFICATE-----'].join('\n');

// ---------------------------------------------------------------------------------------------------

describe('private key blocks', () => {
  it.each(KINDS.map((k) => [k.name, k] as const))('replaces the body of a %s key by one token line between its BEGIN and END lines', async (_name, kind) => {
    const input = `2024-05-01 12:00:00 INFO loading key\n${block(kind)}2024-05-01 12:00:01 INFO key loaded\n`;
    const expected = `2024-05-01 12:00:00 INFO loading key\n${redactedBlock(kind)}2024-05-01 12:00:01 INFO key loaded\n`;
    await expectEverywhere(input, expected);
    expect(visibleBody(makeRedactor().text(input, 'f'), kind.body)).toEqual([]);
  });

  it('keeps the indentation of a key in a YAML block, and of the certificate next to it', async () => {
    const certIndented = CERT.split('\n')
      .map((l) => `    ${l}\n`)
      .join('');
    const yaml = (key: string): string =>
      `apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\nstringData:\n  tls.key: |\n${key}  tls.crt: |\n${certIndented}`;
    await expectEverywhere(yaml(block(EC, '    ')), yaml(redactedBlock(EC, '    ')));
  });

  it('keeps the block indicator of a secret-named YAML key (ssh_private_key: |)', async () => {
    const yaml = (key: string): string =>
      `deploy:\n  ssh_private_key: |\n${key}  known_hosts: github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n`;
    await expectEverywhere(yaml(block(PKCS8, '    ')), yaml(redactedBlock(PKCS8, '    ')));
  });

  it('keeps CRLF line ends, the token line included', async () => {
    await expectEverywhere(`a\r\n${block(RSA, '', '\r\n')}b\r\n`, `a\r\n${redactedBlock(RSA, '', '\r\n')}b\r\n`);
  });

  it('gives the same key the same tag in any layout, file or chunking, and another key another tag', async () => {
    const r = makeRedactor();
    const input = `${block(RSA)}--\n${block(RSA, '  ')}--\r\n${block(RSA, '', '\r\n')}--\n${block(EC)}`;
    const out = await redactString(r, input, [5]);
    const tags = [...out.matchAll(/\[REDACTED:private-key:[0-9a-f]{8}\]/g)].map((m) => m[0]);
    expect(tags).toEqual([pemTok(RSA.body), pemTok(RSA.body), pemTok(RSA.body), pemTok(EC.body)]);
    expect(pemTok(RSA.body)).not.toBe(pemTok(EC.body));
    // Another file of the same run, another chunking.
    expect(await redactString(r, block(RSA), [1], 'other.pem')).toBe(redactedBlock(RSA));
    // Another run key gives another tag.
    const other = Buffer.from('another run key, also 32 bytes or more!', 'utf8');
    expect(makeRedactor({ key: other }).text(block(RSA), 'f')).toBe(redactedBlock(RSA).replace(pemTok(RSA.body), tok(PEM, RSA.body.join(''), other)));
    expect(tok(PEM, RSA.body.join(''), other)).not.toBe(pemTok(RSA.body));
  });

  it('hides body text glued to the BEGIN line', async () => {
    const [first, ...rest] = PKCS8.body;
    const input = `-----BEGIN PRIVATE KEY-----${first}\n${rest.join('\n')}\n-----END PRIVATE KEY-----\n`;
    await expectEverywhere(input, `-----BEGIN PRIVATE KEY-----\n${pemTok(PKCS8.body)}\n-----END PRIVATE KEY-----\n`);
  });

  it('hides a body line longer than a scan window', async () => {
    const huge = gen(3000);
    const input = `x\n-----BEGIN PRIVATE KEY-----\n${huge}\n-----END PRIVATE KEY-----\ny\n`;
    await expectEverywhere(input, `x\n-----BEGIN PRIVATE KEY-----\n${pemTok([huge])}\n-----END PRIVATE KEY-----\ny\n`, () => smallWindows());
  });

  describe('without an END line at the end of the stream', () => {
    const body = PKCS8.body;
    const cases: readonly (readonly [string, string, string])[] = [
      ['a final newline', `log\n-----BEGIN PRIVATE KEY-----\n${body.join('\n')}\n`, `log\n-----BEGIN PRIVATE KEY-----\n${pemTok(body)}\n`],
      ['no final newline', `log\n-----BEGIN PRIVATE KEY-----\n${body.join('\n')}`, `log\n-----BEGIN PRIVATE KEY-----\n${pemTok(body)}`],
      [
        'a body cut in the middle of a line',
        `log\n-----BEGIN PRIVATE KEY-----\n${body[0]}\n${body[1]!.slice(0, 30)}`,
        `log\n-----BEGIN PRIVATE KEY-----\n${pemTok([body[0]!, body[1]!.slice(0, 30)])}`,
      ],
      ['the stream ending right after BEGIN', 'log\n-----BEGIN PRIVATE KEY-----', `log\n-----BEGIN PRIVATE KEY-----\n${tok(PEM, '')}`],
      [
        'an indented block',
        `  k: |\n    -----BEGIN PRIVATE KEY-----\n${body.map((l) => `    ${l}\n`).join('')}`,
        `  k: |\n    -----BEGIN PRIVATE KEY-----\n    ${pemTok(body)}\n`,
      ],
    ];
    it.each(cases)('still never shows the body, with %s', async (_what, input, expected) => {
      await expectEverywhere(input, expected);
      const r = makeRedactor();
      expect(visibleBody(await redactString(r, input, [3]), body)).toEqual([]);
      expect(r.report.total).toBe(1);
    });
  });

  it('leaves certificates, public keys and CSRs alone', async () => {
    const pub = ['-----BEGIN PUBLIC KEY-----', ...b64Lines(3), '-----END PUBLIC KEY-----'].join('\n');
    const csr = ['-----BEGIN CERTIFICATE REQUEST-----', ...b64Lines(4), '-----END CERTIFICATE REQUEST-----'].join('\n');
    const ssh = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl deploy@ci';
    const input = `${CERT}\n${CERT}\n${pub}\n${csr}\n${ssh}\n`;
    for (const sizes of CHUNKINGS) {
      const r = makeRedactor();
      expect(await redactString(r, input, sizes)).toBe(input);
      expect(r.report.total).toBe(0);
    }
  });

  it('redacts the key of a key+chain bundle and keeps the chain', async () => {
    await expectEverywhere(`${block(PKCS8)}${CERT}\n${CERT}\n`, `${redactedBlock(PKCS8)}${CERT}\n${CERT}\n`);
  });

  it('counts one redaction per key, at its first body line', async () => {
    const events: RedactionEvent[] = [];
    const r = makeRedactor({ onRedaction: (e) => events.push(e) });
    await redactString(r, `one\ntwo\n${block(EC)}three\n${block(PKCS8, '  ')}`, [4], 'keys.txt');
    const firstBody = [4, 4 + EC.body.length + 3];
    expect(r.report.toJSON()).toEqual({
      total: 2,
      byRule: [{ rule: PEM, count: 2 }],
      files: [{ file: 'keys.txt', rules: [{ rule: PEM, count: 2, lines: firstBody }] }],
    });
    expect(events).toEqual(firstBody.map((line) => ({ file: 'keys.txt', line, column: 1, rule: PEM })));
  });

  it('leaves an already redacted key unchanged and counts nothing, so a bundle passes verify', async () => {
    const redacted = `x\n${redactedBlock(PKCS8)}y\n${redactedBlock(EC, '    ')}${redactedBlock(RSA, '', '\r\n')}-----BEGIN PRIVATE KEY-----\n${pemTok(PKCS8.body)}\n`;
    for (const sizes of CHUNKINGS) {
      const r = makeRedactor();
      expect(await redactString(r, redacted, sizes)).toBe(redacted);
      expect(r.report.total).toBe(0);
    }
    // A token followed by real body text is a body like any other.
    const mixed = `-----BEGIN PRIVATE KEY-----\n${pemTok(EC.body)}\n${EC.body.join('\n')}\n-----END PRIVATE KEY-----\n`;
    expect(makeRedactor().text(mixed, 'f')).toBe(`-----BEGIN PRIVATE KEY-----\n${tok(PEM, pemTok(EC.body) + EC.body.join(''))}\n-----END PRIVATE KEY-----\n`);
  });

  it('treats each stream on its own: a key open at the end of one file does not swallow the next', async () => {
    const r = makeRedactor();
    expect(await redactString(r, `-----BEGIN PRIVATE KEY-----\n${PKCS8.body[0]}\n`, [7], 'a')).toBe(
      `-----BEGIN PRIVATE KEY-----\n${pemTok([PKCS8.body[0]!])}\n`,
    );
    expect(await redactString(r, 'plain line\n', [7], 'b')).toBe('plain line\n');
  });
});

// ---------------------------------------------------------------------------------------------------

describe('JSON argv arrays printed over lines', () => {
  /** docker inspect prints Args one element per line. */
  const inspect = (args: readonly string[]): string => `${JSON.stringify([{ Path: 'gunicorn', Args: args }], null, 4)}\n`;

  it('redacts the element after a secret flag, and nothing after --name', async () => {
    const args = ['app.wsgi', '--name', 'web', '--password', 'hunter2', '--workers', '4'];
    const expected = inspect(args).replace('"hunter2"', `"${tok(CLI, 'hunter2')}"`);
    expect(expected).not.toBe(inspect(args));
    await expectEverywhere(inspect(args), expected);
    expect(JSON.parse(makeRedactor().text(inspect(args), 'f'))[0].Args).toEqual([
      'app.wsgi',
      '--name',
      'web',
      '--password',
      tok(CLI, 'hunter2'),
      '--workers',
      '4',
    ]);
  });

  it.each([
    ['--db-password', 'Zx81kLq2'],
    ['--api-token', 'tk_9f8e7d6c'],
    ['--secret-key', 'django-insecure-q8v2n5k7w1'],
    ['-token', 'abc def'],
  ])('redacts the value after %s', async (flag, value) => {
    const input = `[\n  "app",\n  "${flag}",\n  "${value}",\n  "--debug"\n]\n`;
    await expectEverywhere(input, input.replace(`"${value}"`, `"${tok(CLI, value)}"`));
  });

  it.each([
    ['a name', '--name', 'web'],
    ['a password file path', '--password-file', '/run/secrets/db_password'],
    ['a token lifetime', '--token-expiry', '3600'],
    ['a ${VAR} placeholder', '--password', '${DB_PASSWORD}'],
  ])('leaves %s alone', async (_what, flag, value) => {
    const input = `[\n  "${flag}",\n  "${value}"\n]\n`;
    for (const sizes of CHUNKINGS) expect(await redactString(makeRedactor(), input, sizes)).toBe(input);
  });

  it('waits only for the very next line: a flag that ends the array redacts nothing after it', async () => {
    const input = '{\n  "Args": [\n    "--password"\n  ],\n  "Name": "web"\n}\n';
    for (const sizes of CHUNKINGS) expect(await redactString(makeRedactor(), input, sizes)).toBe(input);
  });

  it('keeps CRLF line ends', async () => {
    const input = '[\r\n  "--password",\r\n  "hunter2"\r\n]\r\n';
    await expectEverywhere(input, `[\r\n  "--password",\r\n  "${tok(CLI, 'hunter2')}"\r\n]\r\n`);
  });

  it('learns a random-looking value, so it is removed from later lines too', async () => {
    const literals = new LiteralSet();
    const input = '[\n  "--password",\n  "Tk-9f8e7d6c5b"\n]\nconnecting with Tk-9f8e7d6c5b\n';
    const expected = `[\n  "--password",\n  "${tok(CLI, 'Tk-9f8e7d6c5b')}"\n]\nconnecting with ${tok(KNOWN, 'Tk-9f8e7d6c5b')}\n`;
    expect(await redactString(makeRedactor({ literals }), input, [1])).toBe(expected);
  });

  it('redacts the value of a secret flag in a one-line JSON or Python argv list', () => {
    const r = makeRedactor();
    expect(r.text('"Args": ["--name", "web", "--password", "Hunter2xyz", "--workers", "4"],', 'f')).toBe(
      `"Args": ["--name", "web", "--password", "${tok(CLI, 'Hunter2xyz')}", "--workers", "4"],`,
    );
    expect(r.text("sys.argv=['manage.py', 'runserver', '--api-token', 'Tk-9f8e7d6c5b']", 'f')).toBe(
      `sys.argv=['manage.py', 'runserver', '--api-token', '${tok(CLI, 'Tk-9f8e7d6c5b')}']`,
    );
    expect(r.text('["--name", "web", "--password-file", "/run/secrets/pw"]', 'f')).toBe('["--name", "web", "--password-file", "/run/secrets/pw"]');
  });
});

// ---------------------------------------------------------------------------------------------------

describe('private key property', () => {
  const b64Line = fc.array(fc.constantFrom(...BASE64), { minLength: 64, maxLength: 64 }).map((cs) => cs.join(''));
  const lastLine = fc.array(fc.constantFrom(...BASE64), { minLength: 16, maxLength: 60 }).map((cs) => `${cs.join('')}=`);
  const keyBody = fc.tuple(fc.array(b64Line, { minLength: 1, maxLength: 10 }), lastLine).map(([lines, last]) => [...lines, last]);
  const hex = (n: number): fc.Arbitrary<string> => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
  const logLine = fc.oneof(
    fc
      .tuple(
        fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }),
        fc.constantFrom('INFO', 'WARNING', 'ERROR'),
        fc.constantFrom('booting worker', 'key loaded', 'tls handshake ok', 'reloading certificates'),
      )
      .map(([d, level, msg]) => `${d.toISOString()} ${level} ${msg}`),
    fc.tuple(hex(12), fc.integer({ min: 1, max: 65535 })).map(([id, p]) => `${id}   nginx:1.25   Up 2 hours   0.0.0.0:${p}->${p}/tcp`),
    fc.uuid().map((u) => `request_id=${u} status=200`),
    fc.constant(''),
  );
  const logLines = fc.array(logLine, { maxLength: 4 });
  const chunkSizes = fc.oneof(
    fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 4 }),
    fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 4 }),
    fc.constant([1 << 20]),
  );

  it('never shows a planted key body, whatever the key type, layout, surrounding lines and chunking, and is stable when redacted again', async () => {
    await fc.assert(
      fc.asyncProperty(
        keyBody,
        fc.constantFrom(...KINDS.map((k) => k.type)),
        fc.constantFrom('', '  ', '    ', '\t'),
        fc.constantFrom('\n', '\r\n'),
        logLines,
        logLines,
        fc.boolean(),
        chunkSizes,
        async (body, type, indent, eol, before, after, withEnd, sizes) => {
          const kind: KeyKind = { name: type, type, body };
          const head = before.map((l) => `${l}${eol}`).join('');
          const tail = after.map((l) => `${l}${eol}`).join('');
          const input = withEnd ? head + block(kind, indent, eol) + tail : head + block(kind, indent, eol).split(`${indent}-----END`)[0]!;
          const expected = withEnd
            ? head + redactedBlock(kind, indent, eol) + tail
            : `${head}${indent}-----BEGIN ${type}-----${eol}${indent}${pemTok(body)}${eol}`;
          const r = makeRedactor();
          const out = await redactString(r, input, sizes);
          expect(visibleBody(out, body)).toEqual([]);
          expect(out).toBe(expected);
          expect(r.report.total).toBe(1);
          // Redacting the output again changes nothing and finds nothing.
          const again = makeRedactor();
          expect(await redactString(again, out, sizes)).toBe(out);
          expect(again.report.total).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });
});
