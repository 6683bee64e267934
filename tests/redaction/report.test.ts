/** The redaction report: counts per file and rule with line numbers, and never a value. */
import { describe, expect, it } from 'vitest';
import { RedactionReport } from '../../redaction/report.js';
import { AUTHORIZATION, KEY_VALUE, URL_PASSWORD, makeRedactor, redactString, smallWindows } from './support.js';

const SECRETS = ['hunter2', 's3cr3tPw', 'eyJhbGciOiJIUzI1NiJ9.payload.sig', 'Zx81kLq2'];

describe('RedactionReport', () => {
  it('starts empty', () => {
    const r = new RedactionReport();
    expect(r.total).toBe(0);
    expect(r.byRule()).toEqual([]);
    expect(r.toJSON()).toEqual({ total: 0, byRule: [], files: [] });
  });

  it('counts every redaction but lists a line once per run of equal line numbers', () => {
    const r = new RedactionReport();
    r.add('a.log', 'x', 3);
    r.add('a.log', 'x', 3);
    r.add('a.log', 'x', 7);
    expect(r.toJSON().files).toEqual([{ file: 'a.log', rules: [{ rule: 'x', count: 3, lines: [3, 7] }] }]);
  });

  it('keeps the count exact after it stops keeping line numbers', () => {
    const r = new RedactionReport();
    for (let line = 1; line <= 1000; line++) r.add('big.log', 'x', line);
    const entry = r.toJSON().files[0]?.rules.find((e) => e.rule === 'x');
    expect(entry?.count).toBe(1000);
    expect(entry?.lines.length).toBeLessThan(1000);
    expect(entry?.lines.slice(0, 3)).toEqual([1, 2, 3]);
  });

  it('sorts files by name and totals per rule across files, most frequent rule first', () => {
    const r = new RedactionReport();
    r.add('z.log', 'b', 1);
    r.add('z.log', 'c', 1);
    r.add('b.log', 'a', 2);
    r.add('b.log', 'b', 2);
    const json = r.toJSON();
    expect(json.files.map((f) => f.file)).toEqual(['b.log', 'z.log']);
    expect(json.byRule).toEqual([
      { rule: 'b', count: 2 },
      { rule: 'a', count: 1 },
      { rule: 'c', count: 1 },
    ]);
    expect(json.total).toBe(4);
  });

  it('forgets a discarded file', () => {
    const r = new RedactionReport();
    r.add('bin.dat', 'a', 1);
    r.add('ok.log', 'a', 1);
    r.discard('bin.dat');
    expect(r.total).toBe(1);
    expect(r.toJSON().files.map((f) => f.file)).toEqual(['ok.log']);
  });
});

describe('the report a redactor fills', () => {
  const input = [
    'starting web',
    'DATABASE_URL=postgres://app:s3cr3tPw@db:5432/app',
    'ok',
    'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig',
    'DB_PASSWORD=hunter2 API_KEY=Zx81kLq2',
    '',
  ].join('\n');

  const expectedRules = [
    { rule: AUTHORIZATION, count: 1, lines: [4] },
    { rule: KEY_VALUE, count: 2, lines: [5] },
    { rule: URL_PASSWORD, count: 1, lines: [2] },
  ];

  /** The report's files with each file's rules sorted by id (their order within a file is not a promise). */
  const filesOf = (r: RedactionReport): unknown =>
    r.toJSON().files.map((f) => ({ file: f.file, rules: [...f.rules].sort((a, b) => a.rule.localeCompare(b.rule)) }));

  it('records file, rule, count and 1-based line numbers for text()', () => {
    const r = makeRedactor();
    r.text(input, 'web/env.txt');
    expect(r.report.total).toBe(4);
    expect(r.report.toJSON().byRule).toEqual([
      { rule: KEY_VALUE, count: 2 },
      { rule: AUTHORIZATION, count: 1 },
      { rule: URL_PASSWORD, count: 1 },
    ]);
    expect(filesOf(r.report)).toEqual([{ file: 'web/env.txt', rules: expectedRules }]);
  });

  it('records the same for a stream, whatever the chunking and line endings', async () => {
    for (const [sizes, text] of [
      [[1], input],
      [[13], input.replaceAll('\n', '\r\n')],
      [[1 << 20], input],
    ] as const) {
      const r = makeRedactor();
      await redactString(r, text, sizes, 'web/env.txt');
      expect(filesOf(r.report)).toEqual([{ file: 'web/env.txt', rules: expectedRules }]);
    }
  });

  it('counts secrets of a long line scanned in windows once each, on that line', async () => {
    const r = smallWindows();
    const parts = Array.from({ length: 40 }, (_, i) => `item${i} DB_PASSWORD=pw${i}xyz filler text here`);
    await redactString(r, `first\n${parts.join(' ')}\nlast\n`, [50], 'long.log');
    expect(filesOf(r.report)).toEqual([{ file: 'long.log', rules: [{ rule: KEY_VALUE, count: 40, lines: [2] }] }]);
  });

  it('never contains a secret value in its JSON', async () => {
    const r = makeRedactor();
    r.text(input, 'web/env.txt');
    await redactString(r, input, [5], 'web/env-stream.txt');
    const json = JSON.stringify(r.report.toJSON());
    expect(r.report.total).toBe(8);
    for (const s of SECRETS) expect(json).not.toContain(s);
    expect(json).not.toContain('REDACTED');
  });
});
