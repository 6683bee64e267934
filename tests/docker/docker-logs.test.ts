/** The log and event stream stages: frames in, `<timestamp> <stream> <text>` lines out, whatever the chunking. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { filterEvents, formatDockerLogs, type LogStats } from '../../src/docker/logs.js';
import { logFrame as frame } from '../helpers/docker.js';

const T1 = '2026-11-28T10:00:00.000000001Z';
const T2 = '2026-11-28T10:00:00.000000002Z';
const T3 = '2026-11-28T10:00:00.000000003Z';

async function format(chunks: readonly Buffer[], tty = false, stats?: LogStats): Promise<string> {
  const out: Buffer[] = [];
  for await (const b of formatDockerLogs(chunks, { tty }, stats)) out.push(b);
  return Buffer.concat(out).toString('utf8'); // bytes pass through unchanged: decode the whole
}

/** Splits a buffer at the given cut points. */
const cut = (buf: Buffer, points: readonly number[]): Buffer[] => {
  const at = [...new Set(points.map((p) => p % (buf.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let from = 0;
  for (const p of at) {
    parts.push(buf.subarray(from, p));
    from = p;
  }
  parts.push(buf.subarray(from));
  return parts.filter((p) => p.length > 0);
};

describe('formatDockerLogs (multiplexed)', () => {
  const stream = Buffer.concat([frame(1, `${T1} out one\n`), frame(2, `${T2} err one\n`), frame(1, `${T3} out two\n`)]);

  it('keeps both streams, in order, each line with its timestamp and stream', async () => {
    const stats = { lines: 0, bytes: 0 };
    expect(await format([stream], false, stats)).toBe(`${T1} stdout out one\n${T2} stderr err one\n${T3} stdout out two\n`);
    expect(stats).toEqual({ lines: 3, bytes: stream.length });
  });

  it('gives the same output however the bytes are chunked (headers and timestamps split too)', async () => {
    const whole = await format([stream]);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(stream.length), { maxLength: 12 }), async (points) => {
        expect(await format(cut(stream, points))).toBe(whole);
      }),
      { numRuns: 200 },
    );
  });

  it('joins a line the engine split into partial entries, and closes it when the other stream speaks', async () => {
    const long = Buffer.concat([frame(1, `${T1} first half `), frame(1, `${T2} second half\n`), frame(1, `${T3} cut`), frame(2, `${T3} err\n`)]);
    expect(await format([long])).toBe(`${T1} stdout first half second half\n${T3} stdout cut\n${T3} stderr err\n`);
  });

  it('keeps empty lines, strips nothing else, and ends an unterminated last line', async () => {
    expect(await format([Buffer.concat([frame(1, `${T1} \n`), frame(2, `${T2}  two  spaces`)])])).toBe(`${T1} stdout \n${T2} stderr  two  spaces\n`);
  });

  it('stamps entries without a timestamp with "-" and labels engine errors', async () => {
    expect(await format([Buffer.concat([frame(1, 'no-timestamp-here\n'), frame(3, `${T1} error from the engine\n`)])])).toBe(
      `- stdout no-timestamp-here\n${T1} error error from the engine\n`,
    );
  });

  it('keeps multi-byte characters whole across chunk boundaries', async () => {
    const f = frame(1, `${T1} grüße ✓ 日本\n`);
    expect(await format(cut(f, [40, 41, 42, 45, 46]))).toBe(`${T1} stdout grüße ✓ 日本\n`);
  });

  it('formats whole frames in one chunk exactly as it formats them byte by byte', async () => {
    // A chunk of whole frames takes the in-place path; one byte at a time takes the general one.
    const payload = fc.oneof(
      fc.constantFrom('', ' ', '\n', '\r\n', 'x'.repeat(70), `${T1}`, `${T1} `, `${T1} a\r\n`, `${T2} two\nlines\n`),
      fc
        .tuple(fc.constantFrom(T1, 'no-stamp', ''), fc.constantFrom(' ', '\n', ''), fc.string({ maxLength: 40 }), fc.constantFrom('\n', '', '\r\n'))
        .map((p) => p.join('')),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom(1, 2, 3) as fc.Arbitrary<1 | 2 | 3>, payload), { maxLength: 12 }), async (frames) => {
        const all = Buffer.concat(frames.map(([type, text]) => frame(type, text)));
        const bytes = Array.from({ length: all.length }, (_, i) => all.subarray(i, i + 1));
        const stats = { lines: 0, bytes: 0 };
        const whole = await format([all], false, stats);
        expect(whole).toBe(await format(bytes));
        expect(stats.lines).toBe(whole.split('\n').length - 1);
      }),
      { numRuns: 300 },
    );
  });

  it('falls back to raw lines when the stream is not multiplexed after all', async () => {
    expect(await format([Buffer.from(`${T1} hello\n${T2} world\n`)])).toBe(`${T1} tty hello\n${T2} tty world\n`);
  });
});

describe('formatDockerLogs (TTY)', () => {
  it('labels the one combined stream tty and drops the carriage returns of CRLF', async () => {
    const raw = Buffer.from(`${T1} first\r\n${T2} second\r\n${T3} no newline`);
    const whole = await format([raw], true);
    expect(whole).toBe(`${T1} tty first\n${T2} tty second\n${T3} tty no newline\n`);
    for (const points of [[1], [31, 32], [5, 40, 41], [raw.length - 3]]) expect(await format(cut(raw, points), true)).toBe(whole);
  });
});

describe('filterEvents', () => {
  it('keeps state changes, drops health-check execs and terminal chatter, in order', async () => {
    const ev = (action: string) => JSON.stringify({ Type: 'container', Action: action, Actor: { ID: 'x', Attributes: { name: 'web' } }, time: 1 });
    const input = [
      ev('create'),
      ev('start'),
      ev('exec_create: sh -c curl -f localhost'),
      ev('exec_start: sh -c curl'),
      ev('health_status: unhealthy'),
      ev('oom'),
      ev('die'),
      ev('resize'),
      ev('restart'),
      'not json',
    ].join('\n');
    const counts = { kept: 0, dropped: 0 };
    let out = '';
    for await (const b of filterEvents(cut(Buffer.from(`${input}\n`), [7, 100, 101, 250]), counts)) out += b.toString();
    const actions = out
      .trim()
      .split('\n')
      .map((l) => (l.startsWith('{') ? JSON.parse(l).Action : l));
    expect(actions).toEqual(['create', 'start', 'health_status: unhealthy', 'oom', 'die', 'restart', 'not json']);
    expect(counts).toEqual({ kept: 7, dropped: 3 });
  });
});
