import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TailSpool } from '../../src/bundle/spool.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cb-spool-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

async function spoolAll(chunks: Buffer[], max: number, base = join(dir, 's')) {
  const s = await TailSpool.create(base, max);
  for (const c of chunks) await s.write(c);
  const r = await s.finish();
  return { ...r, content: await readFile(r.file) };
}

const lines = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `line ${String(i + from).padStart(6, '0')} ${'x'.repeat(i % 37)}\n`).join('');

describe('TailSpool', () => {
  it('stores everything, with the right size and hash, when under the cap', async () => {
    const text = lines(100);
    const r = await spoolAll([Buffer.from(text)], 1 << 20);
    expect(r.truncated).toBe(false);
    expect(r.content.toString()).toBe(text);
    expect(r.bytes).toBe(Buffer.byteLength(text));
    expect(r.sha256).toBe(sha(text));
  });

  it('stores everything without a cap', async () => {
    const text = lines(5000);
    const r = await spoolAll([Buffer.from(text)], 0);
    expect(r.truncated).toBe(false);
    expect(r.content.toString()).toBe(text);
  });

  it('keeps only the tail, from a line start, and says what was cut', async () => {
    const text = lines(20_000);
    const chunks = [];
    for (let i = 0; i < text.length; i += 4096) chunks.push(Buffer.from(text.slice(i, i + 4096)));
    const max = 10_000;
    const r = await spoolAll(chunks, max);
    expect(r.truncated).toBe(true);
    expect(r.originalBytes).toBe(Buffer.byteLength(text));
    const body = r.content.toString();
    const [header, ...rest] = body.split('\n');
    const kept = rest.join('\n');
    expect(header).toMatch(/^\[collect-bundle: output truncated to its last \d+ bytes; the first \d+ of \d+ bytes were cut\]$/);
    expect(text.endsWith(kept)).toBe(true);
    expect(kept.startsWith('line ')).toBe(true);
    expect(Buffer.byteLength(kept)).toBeLessThanOrEqual(max);
    expect(Buffer.byteLength(kept)).toBeGreaterThan(max - 100); // only the partial first line is dropped
    expect(r.bytes).toBe(r.content.length);
    expect(r.sha256).toBe(sha(r.content));
  });

  it('leaves only the file it returns in the spool directory', async () => {
    const r = await spoolAll([Buffer.from(lines(3000))], 2000);
    expect(await readdir(dir)).toEqual([r.file.split('/').pop()]);
  });

  it('discard removes every file it wrote', async () => {
    const s = await TailSpool.create(join(dir, 'd'), 100);
    await s.write(Buffer.from(lines(100)));
    await s.discard();
    expect(await readdir(dir)).toEqual([]);
  });

  it('keeps exactly the tail for any chunking and cap (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 3000 }), async (n, chunk, cap) => {
        const text = lines(n);
        const chunks = [];
        for (let i = 0; i < text.length; i += chunk) chunks.push(Buffer.from(text.slice(i, i + chunk)));
        const r = await spoolAll(chunks, cap, join(dir, `p${Math.random().toString(36).slice(2)}`));
        const total = Buffer.byteLength(text);
        if (cap === 0 || total <= cap) {
          expect(r.truncated).toBe(false);
          expect(r.content.toString()).toBe(text);
        } else {
          expect(r.truncated).toBe(true);
          const kept = r.content.toString().split('\n').slice(1).join('\n');
          // Oracle: the last `cap` bytes, moved forward to the next line start unless already at one;
          // a window without any newline is kept as it is. (ASCII text: bytes = characters.)
          const windowStart = total - cap;
          const window = text.slice(windowStart);
          const nl = window.indexOf('\n');
          const expected = text[windowStart - 1] === '\n' || nl === -1 ? window : window.slice(nl + 1);
          expect(kept).toBe(expected);
        }
        await rm(r.file, { force: true });
      }),
      { numRuns: 60 },
    );
  });
});
