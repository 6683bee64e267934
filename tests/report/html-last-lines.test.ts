/** report.html's log excerpts: the last lines found from the end give what splitting the whole log gave. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lastLinesOf } from '../../src/report/html/model-docker.js';

/** The way excerpts were cut before: split everything, keep the last n. */
function bySplitting(text: string, n: number): { lines: string[]; more: boolean } {
  const lines = text.replace(/\n$/, '').split('\n');
  return { lines: lines.slice(-n), more: lines.length > n };
}

describe('lastLinesOf', () => {
  it('matches splitting the whole text, for any text of lines and any count (fractions, 0 and NaN too)', () => {
    const text = fc.array(fc.constantFrom('a', 'bc', '', '\n', '\r', 'é', ' '), { maxLength: 40 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, fc.oneof(fc.integer({ min: 1, max: 12 }), fc.constantFrom(0, -2, 2.5, 7.9, Number.NaN)), (t, n) => {
        expect(lastLinesOf(t, n)).toEqual(bySplitting(t, n));
      }),
      { numRuns: 2000 },
    );
  });

  it('cases at the edges: leading and doubled newlines, exactly n lines, no final newline', () => {
    expect(lastLinesOf('\nx\n', 3)).toEqual({ lines: ['', 'x'], more: false });
    expect(lastLinesOf('a\nb\nc\n', 2)).toEqual({ lines: ['b', 'c'], more: true });
    expect(lastLinesOf('a\nb\nc\n', 3)).toEqual({ lines: ['a', 'b', 'c'], more: false });
    expect(lastLinesOf('a\n\n\nb', 2)).toEqual({ lines: ['', 'b'], more: true });
    expect(lastLinesOf('\n', 1)).toEqual({ lines: [''], more: false });
  });
});
