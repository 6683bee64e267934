/**
 * Issue #18 part 1(a): a file of N lines `password=CANARY-<i>` (N distinct secrets, each learned as a
 * literal) costs time linear in N. Two sizes are measured in one test and their ratio checked with
 * generous slack (linear: 5x for 5x the lines; the old regex-of-all-literals design was ~25x), and every
 * canary is redacted.
 */
import { describe, expect, it } from 'vitest';
import { LiteralIndex } from '../../redaction/literal-index.js';
import { LiteralSet } from '../../redaction/literals.js';
import { makeRedactor, redactString } from './support.js';

const canaries = (n: number): string => Array.from({ length: n }, (_, i) => `password=CANARY-${i}-x9Q\n`).join('');

async function timeStream(n: number): Promise<{ ms: number; out: string }> {
  const r = makeRedactor({ literals: new LiteralSet() });
  const input = canaries(n);
  const t = performance.now();
  const out = await redactString(r, input, [64 * 1024]);
  return { ms: performance.now() - t, out };
}

describe('many distinct learned secrets', () => {
  it('redacts 20,000 distinct canaries through Redactor.stream in time linear in their number', async () => {
    await timeStream(2000); // warm up the JIT
    const small = await timeStream(4000);
    const big = await timeStream(20_000);
    for (let i = 0; i < 20_000; i++) expect(big.out.includes(`CANARY-${i}-x9Q`)).toBe(false);
    expect(
      big.out
        .split('\n')
        .filter(Boolean)
        .every((l) => /^password=\[REDACTED:secret-key-value:[0-9a-f]{8}\]$/.test(l)),
    ).toBe(true);
    // 5x the lines; quadratic would be ~25x. Slack for a shared, busy machine.
    expect(big.ms / small.ms, `4k: ${small.ms.toFixed(0)} ms, 20k: ${big.ms.toFixed(0)} ms`).toBeLessThan(12);
  }, 120_000);

  it('finds a literal learned earlier anywhere later in the stream, also in other files of the run', async () => {
    const literals = new LiteralSet();
    const r = makeRedactor({ literals });
    const out = await redactString(r, 'password=Learn3d!one\nlater: Learn3d!one appears\n', [7]);
    expect(out).not.toContain('Learn3d!one');
    expect(await redactString(r, 'another file mentions Learn3d!one\n', [3], 'other.log')).not.toContain('Learn3d!one');
  });
});

describe('LiteralIndex', () => {
  it('finds each literal, leftmost then longest, and nothing else', () => {
    const ix = new LiteralIndex();
    for (const l of ['abcdef', 'abcdefgh', 'zzzz1234']) ix.add(l);
    expect(ix.findAll('xx abcdefgh yy zzzz1234 abcdeX')).toEqual([
      { start: 3, end: 11 },
      { start: 15, end: 23 },
    ]);
    expect(ix.find('nothing here')).toBeUndefined();
  });

  it('checks a number of candidates that does not grow with the number of literals', () => {
    // 50,000 literals sharing no anchor with the text: the scan's cost is the text's, not the set's.
    const ix = new LiteralIndex();
    for (let i = 0; i < 50_000; i++) ix.add(`CANARY-${i}-secret`);
    const text = 'plain log line without any of them, '.repeat(20_000);
    const t = performance.now();
    expect(ix.find(text)).toBeUndefined();
    const small = new LiteralIndex();
    small.add('CANARY-1-secret');
    const t2 = performance.now();
    expect(small.find(text)).toBeUndefined();
    const tSmall = performance.now() - t2;
    const tBig = t2 - t;
    expect(tBig / Math.max(tSmall, 1), `50k literals: ${tBig.toFixed(1)} ms, 1 literal: ${tSmall.toFixed(1)} ms`).toBeLessThan(5);
  });
});
