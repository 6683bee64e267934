/**
 * openJsonFileLines (a json-file log straight to formatted lines) against the way it replaced:
 * formatDockerLogs over openJsonFileLog's frames. Same bytes, same counts, for generated files (any
 * text, escapes, partial entries, both streams, other time forms, damaged lines, a tail, a since).
 * Files a real engine wrote (rotated, compressed, with attrs, a TTY) are compared in json-file.test.ts,
 * beside the engine's own stream.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openJsonFileLines, openJsonFileLog, type JsonFileRequest, type JsonFileStats } from '../../src/docker/json-file.js';
import { formatDockerLogs } from '../../src/docker/logs.js';

async function collect(source: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of source) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

const stats = (): JsonFileStats => ({ files: 0, entries: 0, damaged: 0 });

/** Both ways over the same file: the bytes and the reader's counts of each. */
async function both(path: string, request: JsonFileRequest) {
  const a = stats();
  const b = stats();
  const viaFrames = await collect(formatDockerLogs(await openJsonFileLog(path, request, a), { tty: request.tty }));
  const direct = await collect(await openJsonFileLines(path, request, b));
  return { viaFrames, direct, a, b };
}

describe('openJsonFileLines: generated json-file logs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cb-jfl-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // Text the driver may hold: line ends anywhere (partial entries have none), CR, quotes, backslashes,
  // control characters, non-ASCII, an astral character (a surrogate pair when escaped).
  const piece = fc.constantFrom('tick', ' ', '\n', '\r', '\r\n', '"', '\\', '/', '\t', '\u0000', '\u001b[1m', 'é', '日本', '😀', 'x'.repeat(70), '');
  const text = fc.array(piece, { maxLength: 8 }).map((p) => p.join(''));
  // The driver's fixed nine digits, fewer (trailing zeros dropped), none, another zone, and a time that is none.
  const time = fc.constantFrom(
    '2026-12-07T10:00:00.123456789Z',
    '2026-12-07T10:00:01.5Z',
    '2026-12-07T10:00:02Z',
    '2026-12-07T11:00:03.25+01:00',
    '2026-12-07T10:00:04.000000001Z',
    'yesterday',
  );
  const entry = fc.record({
    log: text,
    stream: fc.constantFrom('stdout', 'stderr', 'stdout', 'stderr', 'stdin'),
    time,
    shape: fc.constantFrom('driver', 'driver', 'attrs', 'reordered', 'damaged'),
  });
  const line = (e: { log: string; stream: string; time: string; shape: string }): string => {
    if (e.shape === 'attrs') return JSON.stringify({ log: e.log, stream: e.stream, attrs: { team: 'a' }, time: e.time });
    if (e.shape === 'reordered') return JSON.stringify({ time: e.time, stream: e.stream, log: e.log });
    if (e.shape === 'damaged') return `{"log":${JSON.stringify(e.log).slice(0, 5)}`;
    // The driver's own escaping of `<`, `>`, `&` (Go's encoding/json) as well as JSON's.
    return JSON.stringify({ log: e.log, stream: e.stream, time: e.time }).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
  };
  const since = fc.constantFrom(undefined, new Date('2026-12-07T10:00:01.5Z'), new Date('2026-12-07T10:00:00Z'), new Date('2030-01-01T00:00:00Z'));

  it('gives the bytes and counts of formatDockerLogs over the frames, for any log, tail and since', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(entry, { maxLength: 30 }),
        fc.option(fc.integer({ min: 0, max: 35 }), { nil: undefined }),
        since,
        fc.boolean(),
        async (entries, tail, after, unfinished) => {
          const path = join(dir, `gen-${n++}-json.log`);
          await writeFile(path, entries.map((e) => `${line(e)}\n`).join('') + (unfinished ? '{"log":"being wri' : ''));
          const request: JsonFileRequest = { tty: false, maxFiles: 1, ...(tail === undefined ? {} : { tail }), ...(after ? { since: after } : {}) };
          const r = await both(path, request);
          expect(r.direct.toString('latin1')).toBe(r.viaFrames.toString('latin1'));
          expect(r.b).toEqual(r.a);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a long log: output passed on in pieces, an entry split over 16 KiB partial entries, CRLF across them', async () => {
    const path = join(dir, 'long-json.log');
    const parts: string[] = [];
    for (let i = 0; i < 5000; i++)
      parts.push(JSON.stringify({ log: `line ${i} ${'y'.repeat(i % 97)}\n`, stream: i % 3 ? 'stdout' : 'stderr', time: '2026-12-07T10:00:00.123456789Z' }));
    // The driver cuts a line over 16 KiB into partial entries (no newline but the last).
    const big = `${'z'.repeat(40_000)}\n`;
    for (let at = 0; at < big.length; at += 16_384)
      parts.push(JSON.stringify({ log: big.slice(at, at + 16_384), stream: 'stdout', time: '2026-12-07T10:00:01Z' }));
    // An entry whose escaped form is far longer than its text (each control character takes 6 bytes).
    parts.push(JSON.stringify({ log: `${'\u0001'.repeat(16_000)}\n`, stream: 'stderr', time: '2026-12-07T10:00:01.5Z' }));
    parts.push(JSON.stringify({ log: 'end of it\r', stream: 'stdout', time: '2026-12-07T10:00:02Z' }));
    parts.push(JSON.stringify({ log: '\n', stream: 'stdout', time: '2026-12-07T10:00:02Z' }));
    await writeFile(path, `${parts.join('\n')}\n`);
    for (const tail of [undefined, 1, 3, 4000]) {
      const r = await both(path, { tty: false, maxFiles: 1, ...(tail === undefined ? {} : { tail }) });
      expect(r.direct.equals(r.viaFrames), `tail ${tail}`).toBe(true);
      expect(r.b).toEqual(r.a);
    }
    const whole = (await both(path, { tty: false, maxFiles: 1 })).direct.toString('utf8');
    expect(whole).toContain(`2026-12-07T10:00:01.000000000Z stdout ${big}`);
    expect(whole).toContain(`2026-12-07T10:00:01.500000000Z stderr ${'\u0001'.repeat(16_000)}\n`);
    expect(whole.endsWith('2026-12-07T10:00:02.000000000Z stdout end of it\n')).toBe(true);
  });
});
