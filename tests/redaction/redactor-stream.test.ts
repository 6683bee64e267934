/**
 * Redactor.stream: the async-generator stage every artifact passes through. Bytes in, redacted UTF-8 out,
 * line endings kept, long lines scanned in overlapping windows, binary content refused.
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { BinaryContentError } from '../../redaction/redactor.js';
import { AUTHORIZATION, KEY_VALUE, URL_PASSWORD, makeRedactor, redactBytes, redactString, redactStringChunks, smallWindows, tok } from './support.js';

/** Filler text with nothing secret-looking in it, cut to exactly `n` characters. */
function filler(n: number): string {
  const words = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ';
  return words.repeat(Math.ceil(n / words.length) + 1).slice(0, n);
}

/** Chunk sizes that put byte boundaries everywhere, somewhere, and nowhere. */
const CHUNKINGS: readonly (readonly number[])[] = [[1], [7], [3, 1, 64], [1 << 20]];

describe('Redactor.stream line handling', () => {
  it.each([
    ['LF line endings', 'one\ntwo\nthree\n'],
    ['CRLF line endings', 'one\r\ntwo\r\nthree\r\n'],
    ['mixed line endings', 'one\r\ntwo\nthree\r\n\n\r\n'],
    ['a missing final newline', 'one\ntwo\nno newline at the end'],
    ['a lone carriage return', 'progress 10%\rprogress 20%\rdone\n'],
    ['only newlines', '\n\n\n'],
    ['a single character', 'x'],
  ])('keeps %s exactly as they were', async (_what, input) => {
    for (const sizes of CHUNKINGS) expect(await redactString(makeRedactor(), input, sizes)).toBe(input);
  });

  it('yields nothing for empty input', async () => {
    const out = await redactBytes(makeRedactor(), Buffer.alloc(0));
    expect(out.length).toBe(0);
  });

  it('keeps the line ending after a redacted value', async () => {
    const input = 'DB_PASSWORD=hunter2\r\nAPI_KEY=abc123xyz\nSECRET_KEY=no-newline-q8v2';
    const expected = `DB_PASSWORD=${tok(KEY_VALUE, 'hunter2')}\r\nAPI_KEY=${tok(KEY_VALUE, 'abc123xyz')}\nSECRET_KEY=${tok(KEY_VALUE, 'no-newline-q8v2')}`;
    for (const sizes of CHUNKINGS) expect(await redactString(makeRedactor(), input, sizes)).toBe(expected);
  });

  it('decodes multi-byte UTF-8 split across chunks at every byte boundary', async () => {
    const input = 'Grüße € 日本語 😀 DB_PASSWORD=pässwörd€😀 ok\nnext 🚀 line\n';
    const expected = `Grüße € 日本語 😀 DB_PASSWORD=${tok(KEY_VALUE, 'pässwörd€😀')} ok\nnext 🚀 line\n`;
    const bytes = Buffer.from(input, 'utf8');
    for (let size = 1; size <= bytes.length; size++) {
      expect(await redactString(makeRedactor(), bytes, [size]), `chunk size ${size}`).toBe(expected);
    }
  });

  it('accepts string chunks as well as Buffers', async () => {
    const out = await redactStringChunks(makeRedactor(), ['DB_PASS', 'WORD=hun', 'ter2\nok', '\n']);
    expect(out).toBe(`DB_PASSWORD=${tok(KEY_VALUE, 'hunter2')}\nok\n`);
  });

  it('keeps a few invalid UTF-8 bytes exactly as they were, whatever the chunking', async () => {
    const input = Buffer.concat([Buffer.from('bad '), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(' bytes\n')]);
    for (const sizes of [[1], [2], [5], [1000]]) expect((await redactBytes(makeRedactor(), input, sizes)).equals(input)).toBe(true);
  });

  it('redacts around invalid bytes and multi-byte secrets, never splitting a character', async () => {
    const input = Buffer.concat([Buffer.from([0xff]), Buffer.from(' DB_PASSWORD=p\u00e0\u00a0ss\u20acw0rd tail\n')]);
    const out = await redactBytes(makeRedactor(), input, [1]);
    expect(out.equals(Buffer.concat([Buffer.from([0xff]), Buffer.from(` DB_PASSWORD=${tok(KEY_VALUE, 'p\u00e0\u00a0ss\u20acw0rd')} tail\n`)]))).toBe(true);
  });

  it('refuses content that is mostly invalid UTF-8 as binary', async () => {
    const input = Buffer.alloc(4096, 0xff);
    await expect(redactBytes(makeRedactor(), input)).rejects.toMatchObject({ name: 'BinaryContentError', why: 'utf8' });
  });

  it('works as a stage of stream/promises.pipeline', async () => {
    const r = makeRedactor();
    const source = Readable.from([Buffer.from('user=app\nDB_PASS'), Buffer.from('WORD=hunter2\npostgres://app:s3cr3t@db/app\n')]);
    const received: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        received.push(chunk);
        done();
      },
    });
    await pipeline(source, r.stream('web/env.txt'), sink);
    expect(Buffer.concat(received).toString('utf8')).toBe(
      `user=app\nDB_PASSWORD=${tok(KEY_VALUE, 'hunter2')}\npostgres://app:${tok(URL_PASSWORD, 's3cr3t')}@db/app\n`,
    );
    expect(r.report.total).toBe(2);
  });
});

describe('Redactor.stream binary content', () => {
  it.each([
    ['the first chunk', [Buffer.from('DB_PASSWORD=hunter2\0\n')]],
    ['a later chunk, after text was already emitted', [Buffer.from('plain text line\n'), Buffer.from('more\nDB_PASSWORD=hunter2\0tail')]],
    ['a string chunk', ['ok\n', 'DB_PASSWORD=hunter2\u0000\n']],
    ['a chunk that is a single NUL', [Buffer.from('ok\n'), Buffer.from([0])]],
  ])('throws BinaryContentError for a NUL byte in %s and never emits it', async (_what, chunks) => {
    const emitted: Buffer[] = [];
    async function* source(): AsyncGenerator<Buffer | string> {
      yield* chunks;
    }
    const run = async (): Promise<void> => {
      for await (const b of makeRedactor().stream('bin.dat')(source())) emitted.push(b);
    };
    const error = await run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BinaryContentError);
    expect((error as Error).name).toBe('BinaryContentError');
    const out = Buffer.concat(emitted);
    expect(out.includes(0)).toBe(false);
    expect(out.toString('utf8')).not.toContain('hunter2');
  });

  it('reports how many bytes were read when it found the NUL', async () => {
    async function* source(): AsyncGenerator<Buffer> {
      yield Buffer.from('12345\n');
      yield Buffer.from('ab\0cd');
    }
    const consume = async (): Promise<void> => {
      for await (const _ of makeRedactor().stream('bin.dat')(source())) void _;
    };
    await expect(consume()).rejects.toMatchObject({ name: 'BinaryContentError', bytesRead: 11 });
  });

  it('makes a pipeline reject with BinaryContentError and write nothing of the binary chunk', async () => {
    const received: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        received.push(chunk);
        done();
      },
    });
    const source = Readable.from([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00])]);
    await expect(pipeline(source, makeRedactor().stream('app.bin'), sink)).rejects.toBeInstanceOf(BinaryContentError);
    expect(received).toEqual([]);
  });
});

describe('Redactor.stream long lines (windows of 256 with 64 overlap)', () => {
  const WINDOW = 256;

  /** Planted secrets whose key (or context) comes well before the secret itself. */
  const plants = [
    { what: 'KEY=value', plant: 'DB_PASSWORD=Zq9secretZq9', expected: `DB_PASSWORD=${tok(KEY_VALUE, 'Zq9secretZq9')}`, secret: 'Zq9secretZq9' },
    {
      what: 'a JSON member',
      plant: '"client_secret": "Zq9secretZq9"',
      expected: `"client_secret": "${tok(KEY_VALUE, 'Zq9secretZq9')}"`,
      secret: 'Zq9secretZq9',
    },
    {
      what: 'URL userinfo',
      plant: 'postgres://app:Zq9secretZq9@db:5432/app',
      expected: `postgres://app:${tok(URL_PASSWORD, 'Zq9secretZq9')}@db:5432/app`,
      secret: 'Zq9secretZq9',
    },
    {
      what: 'an Authorization header',
      plant: 'Authorization: Bearer Zq9secretZq9',
      expected: `Authorization: Bearer ${tok(AUTHORIZATION, 'Zq9secretZq9')}`,
      secret: 'Zq9secretZq9',
    },
  ];

  it.each(plants.map((p) => [p.what, p] as const))('catches %s wherever the window cut falls in or around it', async (_what, { plant, expected, secret }) => {
    const valueAt = plant.indexOf(secret);
    // Slide the plant so the cut at WINDOW falls before it, in its key, between key and value, in the value, after it.
    for (let start = WINDOW - valueAt - 8; start <= WINDOW + 2; start++) {
      const pre = `${filler(start - 1)} `;
      const post = ` ${filler(700)}`;
      const input = `head\n${pre}${plant}${post}\ntail\n`;
      for (const sizes of [[1], [7], [1 << 20]]) {
        const out = await redactString(smallWindows(), input, sizes);
        expect(out, `plant at ${start}, chunks ${sizes[0]}`).toBe(`head\n${pre}${expected}${post}\ntail\n`);
      }
    }
  });

  it('catches every one of many secrets on a line many windows long, the same for every chunking', async () => {
    const parts = Array.from({ length: 60 }, (_, i) => [
      `entry ${i} ${filler(i % 53)} API_KEY=key${i}Zq9x${i} more`,
      `entry ${i} ${filler(i % 53)} API_KEY=${tok(KEY_VALUE, `key${i}Zq9x${i}`)} more`,
    ]);
    const input = `${parts.map((p) => p[0]).join(' ')}\n`;
    const expected = `${parts.map((p) => p[1]).join(' ')}\n`;
    expect(input.length).toBeGreaterThan(10 * WINDOW);
    for (const sizes of [[1], [5, 300], [255], [1 << 20]]) expect(await redactString(smallWindows(), input, sizes)).toBe(expected);
  });

  it('windows a long line the same whether it arrives in one chunk or byte by byte', async () => {
    // A key longer than the overlap is where a window cut can change what a rule sees, so it shows
    // whether the windows fell in the same places.
    const key = `max_${'a'.repeat(70)}_password=Zq9secretZq9`;
    for (let pad = 0; pad < 2 * WINDOW; pad += 3) {
      const input = `${filler(pad)} ${key} ${filler(500)}\n`;
      const whole = await redactString(smallWindows(), input, [1 << 20]);
      expect(await redactString(smallWindows(), input, [1]), `pad ${pad}`).toBe(whole);
      expect(await redactString(smallWindows(), input, [97]), `pad ${pad}`).toBe(whole);
    }
  });

  it('passes a long line without secrets through unchanged, without a final newline too', async () => {
    const input = `${filler(5000)}\n${filler(3333)}`;
    for (const sizes of CHUNKINGS) expect(await redactString(smallWindows(), input, sizes)).toBe(input);
  });

  it('never splits a character made of a surrogate pair at a window cut', async () => {
    for (const prefix of ['', 'a', 'ab', 'abc']) {
      const input = `${prefix}${'😀'.repeat(700)}\n${prefix}${'é😀'.repeat(300)}`;
      for (const sizes of CHUNKINGS) expect(await redactString(smallWindows(), input, sizes), `prefix ${prefix.length}`).toBe(input);
    }
  });

  it('rejects an overlap that is not smaller than the window', () => {
    expect(() => makeRedactor({ windowChars: 64, overlapChars: 64 })).toThrow(/overlapChars/);
  });
});

describe('Redactor.stream long lines with the default windows', () => {
  const DEFAULT_WINDOW = 64 * 1024;

  it('catches secrets whose key ends just before a window cut in a ~200 KiB line', async () => {
    for (const shift of [-24, -12, -1, 0, 1, 6]) {
      const a = 'DB_PASSWORD=FirstSecretZq9';
      const b = '"api_key": "SecondSecretZq9"';
      // Put the '=' / ':' of each plant `shift` characters away from the 1st and 2nd window cut.
      const preA = `${filler(DEFAULT_WINDOW - a.indexOf('=') + shift - 1)} `;
      const between = ` ${filler(2 * DEFAULT_WINDOW - (preA.length + a.length + 1) - b.indexOf(':') + shift - 1)} `;
      const post = ` ${filler(200 * 1024 - 2 * DEFAULT_WINDOW)}`;
      const input = `${preA}${a}${between}${b}${post}\n`;
      const expected = `${preA}DB_PASSWORD=${tok(KEY_VALUE, 'FirstSecretZq9')}${between}"api_key": "${tok(KEY_VALUE, 'SecondSecretZq9')}"${post}\n`;
      expect(input.length).toBeGreaterThan(190 * 1024);
      for (const sizes of [[65536], [4093], [1 << 20]]) {
        const out = await redactString(makeRedactor(), input, sizes);
        expect(out.includes('FirstSecretZq9') || out.includes('SecondSecretZq9'), `shift ${shift}, chunks ${sizes[0]}`).toBe(false);
        expect(out === expected, `shift ${shift}, chunks ${sizes[0]}`).toBe(true);
      }
    }
  });

  it('passes a ~200 KiB line of diagnostics through byte-for-byte', async () => {
    const entry = '{"ts": "2024-05-01T12:34:56.789Z", "container": "4f6d2c1a9b3e", "image": "sha256:9f2b1c0d8e7a", "status": 200, "path": "/api/health/"}, ';
    const input = `[${entry.repeat(Math.ceil((200 * 1024) / entry.length))}{}]\n`;
    for (const sizes of [[65536], [1000], [1 << 20]]) expect((await redactBytes(makeRedactor(), input, sizes)).equals(Buffer.from(input))).toBe(true);
  });
});
