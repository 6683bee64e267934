/**
 * The .env lint: a real broken file (tests/fixtures/analyzers/broken.env, one defect per known line)
 * through `collect --env-file` (stored redacted under env-files/, linted from there) and directly;
 * each defect on its own; and properties: a generated valid env file yields nothing, and a defect
 * inserted at any line is reported at that line.
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envFileAnalyzer, envFileFinding, lintEnvText, type EnvIssueCode } from '../../analyzers/env-file.js';
import { MemoryView } from '../../src/bundle/memory-view.js';
import { openBundleView } from '../../src/bundle/view.js';
import { collectBundle } from '../../src/run/collect.js';
import type { Finding, Manifest } from '../../src/core/types.js';
import { Redactor } from '../../redaction/redactor.js';
import { RedactionReport } from '../../redaction/report.js';

const BROKEN = fileURLToPath(new URL('../fixtures/analyzers/broken.env', import.meta.url));

/** What broken.env has wrong, by line. */
const EXPECTED: Record<number, EnvIssueCode[]> = {
  3: ['space-around-equals'],
  4: ['unquoted-space'],
  6: ['invalid-key'],
  7: ['undefined-reference'],
  8: ['circular-reference'],
  9: ['circular-reference'],
  10: ['duplicate-key'],
  15: ['later-reference'],
  16: ['inline-comment'],
  17: ['unterminated-quote'],
};
const ERROR_LINES = [3, 6, 17];

const emptyView = new MemoryView({ finishedAt: '2026-01-01T00:00:00.000Z', environment: {} } as unknown as Manifest, []);
const codesByLine = (text: string): Record<number, EnvIssueCode[]> => {
  const out: Record<number, EnvIssueCode[]> = {};
  for (const i of lintEnvText(text)) (out[i.line] ??= []).push(i.code);
  return out;
};

describe('a broken .env file', () => {
  it('has each defect reported at its line, and nothing else', async () => {
    expect(codesByLine(await readFile(BROKEN, 'utf8'))).toEqual(EXPECTED);
  });

  describe('through collect --env-file (stored redacted, linted from the bundle)', () => {
    let tmp: string;
    let finding: Finding;
    let stored: string;
    beforeAll(async () => {
      tmp = await mkdtemp(join(tmpdir(), 'cb-analyzers-env-'));
      const result = await collectBundle({ outputDir: tmp, collectors: [], envFiles: [BROKEN], env: { PATH: process.env['PATH'] } });
      const { view, rootFiles } = await openBundleView(result.bundle);
      stored = (await view.text('env-files/broken.env'))!;
      const doc = JSON.parse(rootFiles.get('findings.json')!) as { findings: Finding[] };
      const found = doc.findings.filter((f) => f.id === 'env-file-invalid');
      expect(found).toHaveLength(1);
      finding = found[0]!;
    }, 60_000);
    afterAll(() => rm(tmp, { recursive: true, force: true }));

    it('is one error finding for the file, with one evidence entry per bad line holding that line', () => {
      expect(finding).toMatchObject({ id: 'env-file-invalid', severity: 'error', subject: 'env-files/broken.env', docs: 'TROUBLESHOOTING.md#env-file-invalid' });
      expect(finding.title).toBe(`env-files/broken.env: ${ERROR_LINES.length} invalid lines and 7 suspicious lines`);
      expect(finding.evidence.map((e) => e.line)).toEqual(Object.keys(EXPECTED).map(Number));
      const lines = stored.split('\n');
      for (const e of finding.evidence) {
        expect(e.file).toBe('env-files/broken.env');
        expect(e.excerpt).toBe(lines[e.line! - 1]);
      }
      expect(finding.evidence.find((e) => e.line === 3)!.excerpt).toBe('DEBUG = False');
    });

    it('says per line what is wrong, and shows ✓/✗ examples of the fixes', () => {
      expect(finding.summary).toContain('line 3 (error): spaces around "="');
      expect(finding.summary).toContain('line 7 (warning): ${DATABASE_NAME} is not defined above in this file');
      expect(finding.summary).toContain('this check sees only the file');
      expect(finding.summary).toContain('line 8 (warning): circular reference ${A} → ${B} → ${A}');
      expect(finding.summary).toContain('line 10 (warning): PORT is defined again (first on line 5)');
      expect(finding.summary).toContain('line 17 (error): the double quote opened here is never closed');
      expect(finding.remedy).toContain('✗ `DEBUG = False`  ✓ `DEBUG=False`');
      expect(finding.remedy).toContain('✗ `GREETING=hello world`  ✓ `GREETING="hello world"`');
    });
  });

  it('uses the path the caller gives, and lints nothing when no file is given', async () => {
    const text = await readFile(BROKEN, 'utf8');
    const [f] = await envFileAnalyzer.analyze(emptyView, { envFiles: [{ path: '/srv/app/.env', text }] });
    expect(f!.subject).toBe('/srv/app/.env');
    expect(new Set(f!.evidence.map((e) => e.file))).toEqual(new Set(['/srv/app/.env']));
    expect(await envFileAnalyzer.analyze(emptyView, {})).toEqual([]);
    expect(await envFileAnalyzer.analyze(emptyView, { envFiles: [{ path: 'ok.env', text: 'A=1\n' }] })).toEqual([]);
  });
});

describe('each defect on its own', () => {
  it.each<[string, string, Record<number, EnvIssueCode[]>]>([
    ['spaces around =', 'KEY = value', { 1: ['space-around-equals'] }],
    ['space before = only', 'KEY =value', { 1: ['space-around-equals'] }],
    ['space after = only', 'KEY= value', { 1: ['space-after-equals'] }],
    ['unquoted value with spaces', 'KEY=two words', { 1: ['unquoted-space'] }],
    ['unterminated single quote', "KEY='abc", { 1: ['unterminated-quote'] }],
    ['a quote closed only by the next assignment', 'A="abc\nB="x"', { 1: ['unterminated-quote'] }],
    ['text after the closing quote', 'KEY="a"b', { 1: ['text-after-quote'] }],
    ['a name starting with a digit', '9LIVES=x', { 1: ['invalid-key'] }],
    ['a name with a space', 'MY KEY=x', { 1: ['invalid-key'] }],
    ['a name with a dash', 'MY-KEY=x', { 1: ['nonportable-key'] }],
    ['no = at all', 'just some words', { 1: ['not-an-assignment'] }],
    ['no name', '=value', { 1: ['invalid-key'] }],
    ['undefined reference', 'URL=http://${HOST}/', { 1: ['undefined-reference'] }],
    ['reference defined below', 'URL=${HOST}\nHOST=db', { 1: ['later-reference'] }],
    ['circular over three keys', 'A=${B}\nB=${C}\nC=${A}', { 1: ['circular-reference'], 2: ['circular-reference'], 3: ['circular-reference'] }],
    ['malformed reference', 'URL=${HOST:localhost}', { 1: ['bad-reference'] }],
    ['unclosed reference', 'URL=${HOST', { 1: ['bad-reference'] }],
    ['duplicate key', 'A=1\nB=2\nA=3', { 3: ['duplicate-key'] }],
    ['an inline comment after an unquoted value', 'PORT=8000 # web port', { 1: ['inline-comment'] }],
    ['a tab before an inline comment', 'PORT=8000\t# web port', { 1: ['inline-comment'] }],
    ['nothing but a comment after =', 'PORT= # set later', { 1: ['inline-comment'] }],
  ])('%s', (_name, text, expected) => {
    expect(codesByLine(text)).toEqual(expected);
  });

  it.each([
    ['export prefix, comments, blank lines', '# comment\n\nexport A=1\n  # indented comment\nB=2'],
    ['quoted values with spaces, = and #', `A="two words = # not a comment"\nB='single ${'$'}{NOT_EXPANDED}'`],
    ['a # inside an unquoted value, or after a quoted one', 'C=#not-a-comment\nD=a#b\nE="x" # note'],
    ['references with defaults, or defined above', 'HOST=db\nURL=http://${HOST}/${PATH_PART:-x}\nOTHER=${UNSET-y}'],
    ['escaped quotes and a multi-line value', 'A="say \\"hi\\""\nB="line one\nline two"\nC=3'],
    ['a bare name (taken from the environment)', 'HOME\nX=${HOME}'],
    ['CRLF line endings', 'A=1\r\nB="x y"\r\n'],
    ['an empty value', 'A=\nB=""'],
  ])('accepts %s', (_name, text) => {
    expect(lintEnvText(text)).toEqual([]);
  });

  it('reads a self-reference as a reference to the process environment, and says the check cannot see it', () => {
    const [issue, ...rest] = lintEnvText('PATH=${PATH}:/opt/bin');
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({ line: 1, severity: 'warning', code: 'undefined-reference' });
    expect(issue!.message).toContain('unless the process environment that loads the file has PATH (this check sees only the file)');
  });
});

describe('review of #6', () => {
  it('warns that docker run --env-file keeps an inline comment in the value, and names the fix', () => {
    const issues = lintEnvText('# the port\nPORT=8000 # web port\n');
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 2, severity: 'warning', code: 'inline-comment' });
    expect(issues[0]!.message).toContain('docker run --env-file keeps "8000 # web port" as the value');
    const f = envFileFinding('.env', 'PORT=8000 # web port\n', lintEnvText('PORT=8000 # web port\n'))!;
    expect(f.severity).toBe('warning');
    expect(f.remedy).toContain('✗ `PORT=8000 # web port`  ✓ `# web port` on the line above, then `PORT=8000`');
  });

  it('the ✓/✗ examples of every kind of issue pass through the redactor unchanged (no example looks like a secret)', () => {
    const codes: EnvIssueCode[] = [
      'space-around-equals', 'space-after-equals', 'unquoted-space', 'unterminated-quote', 'text-after-quote', 'invalid-key', 'nonportable-key',
      'not-an-assignment', 'undefined-reference', 'later-reference', 'circular-reference', 'bad-reference', 'duplicate-key', 'inline-comment',
    ];
    const issues = codes.map((code, i) => ({ line: i + 1, severity: 'warning' as const, code, message: code }));
    const f = envFileFinding('.env', codes.join('\n'), issues)!;
    for (const code of codes) expect(f.remedy, code).toContain(`✗ `);
    expect(f.remedy.split('\n').filter((l) => l.startsWith('- ✗'))).toHaveLength(codes.length);
    const report = new RedactionReport();
    const redactor = new Redactor({ key: Buffer.alloc(32, 7), report });
    expect(redactor.text(f.remedy, 'findings.json')).toBe(f.remedy);
    expect(report.total).toBe(0);
  });

  it('lints a 20,000-line file whose first line opens a quote that never closes: that line, and the lines below on their own', () => {
    // The quote is looked for once through the file, not once per line: a re-scan per line takes minutes here.
    const lines = ['FIRST="never closed'];
    for (let i = 2; i <= 20_000; i++) lines.push(`KEY_${i}=value-number-${i}-with-some-length-to-it/and/a/path`);
    lines.push('LAST = oops');
    const issues = lintEnvText(`${lines.join('\n')}\n`);
    expect(issues.map((i) => [i.line, i.code])).toEqual([
      [1, 'unterminated-quote'],
      [20_001, 'space-around-equals'],
    ]);
    expect(issues[0]!.message).toContain('never closed');
  });

  it('an open quote anywhere in a long file is reported at its line, and a quote closed lines later spans them', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 0, max: 3 }), fc.constantFrom('"', "'"), (at, span, q) => {
        const lines = Array.from({ length: 3000 }, (_, i) => `K${i + 1}=v${i + 1}`);
        lines[at - 1] = `OPEN=${q}start \\${q} escaped`;
        const open = lintEnvText(lines.join('\n'));
        expect(open.map((i) => [i.line, i.code])).toEqual([[at, 'unterminated-quote']]);
        // Continuation lines that are not assignments, then the closing quote: one multi-line value.
        const multi = [...lines.slice(0, at - 1), `OPEN=${q}start \\${q} escaped`, ...Array.from({ length: span }, (_, k) => `more text ${k}`), `end${q}`, ...lines.slice(at)];
        expect(lintEnvText(multi.join('\n'))).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// Properties

const KEY = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,11}$/);
const SAFE_UNQUOTED = fc.stringMatching(/^[A-Za-z0-9_./:@+-]{0,20}$/);
const SAFE_SINGLE = fc.stringMatching(/^[A-Za-z0-9 _./:@+#=${}"-]{0,24}$/);
const SAFE_DOUBLE = fc.stringMatching(/^[A-Za-z0-9 _./:@+#'-]{0,24}$/);
const COMMENT = fc.stringMatching(/^[A-Za-z0-9 _.=:'"-]{0,30}$/).map((s) => `# ${s}`);

type Value = (earlier: readonly string[]) => fc.Arbitrary<string>;
const values: Value[] = [
  () => SAFE_UNQUOTED,
  () => SAFE_SINGLE.map((s) => `'${s}'`),
  () => SAFE_DOUBLE.map((s) => `"${s}"`),
  // Multi-line double-quoted value: continuation lines that do not look like assignments.
  () => fc.array(fc.stringMatching(/^[a-z0-9 ()-]{0,16}$/), { minLength: 1, maxLength: 3 }).map((ls) => `"first\n${ls.join('\n')}"`),
  (earlier) => (earlier.length ? fc.tuple(fc.constantFrom(...earlier), SAFE_UNQUOTED).map(([k, s]) => `${s}\${${k}}`) : SAFE_UNQUOTED),
  (earlier) => (earlier.length ? fc.tuple(fc.constantFrom(...earlier), SAFE_DOUBLE).map(([k, s]) => `"${s} \${${k}}"`) : SAFE_DOUBLE.map((s) => `"${s}"`)),
  () => fc.tuple(KEY, SAFE_UNQUOTED).map(([k, d]) => `\${${k}:-${d}}`),
];

/** A valid env file as statements (each maybe after a comment or blank line): unique keys, values of every kind, references only to keys defined above. */
const validEnvStatements = fc.uniqueArray(KEY, { minLength: 1, maxLength: 12 }).chain((keys) =>
  fc.tuple(
    ...keys.map((key, i) =>
      fc
        .tuple(
          fc.constantFrom(...values).chain((v) => v(keys.slice(0, i))),
          fc.boolean(),
          fc.option(fc.oneof(COMMENT, fc.constant('')), { nil: undefined }),
        )
        .map(([value, exported, before]) => [...(before !== undefined ? [before] : []), `${exported ? 'export ' : ''}${key}=${value}`].join('\n')),
    ),
  ),
);
const validEnvFile = validEnvStatements.map((statements) => `${statements.join('\n')}\n`);

describe('properties', () => {
  it('a generated valid env file yields no issue and no finding', async () => {
    await fc.assert(
      fc.asyncProperty(validEnvFile, async (text) => {
        expect(lintEnvText(text)).toEqual([]);
        expect(await envFileAnalyzer.analyze(emptyView, { envFiles: [{ path: '.env', text }] })).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('a `KEY = value` line inserted between statements is reported as an error at its line', () => {
    fc.assert(
      fc.property(validEnvStatements, fc.nat(), (statements, at) => {
        const k = at % (statements.length + 1);
        const lines = statements.join('\n').split('\n');
        const index = statements.slice(0, k).reduce((n, st) => n + st.split('\n').length, 0);
        lines.splice(index, 0, 'INSERTED_KEY = some value');
        const issues = lintEnvText(lines.join('\n'));
        expect(issues.filter((i) => i.severity === 'error').map((i) => [i.line, i.code])).toEqual([[index + 1, 'space-around-equals']]);
        const f = envFileFinding('.env', lines.join('\n'), issues)!;
        expect(f.severity).toBe('error');
        expect(f.evidence.find((e) => e.line === index + 1)!.excerpt).toBe('INSERTED_KEY = some value');
      }),
      { numRuns: 200 },
    );
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        for (const i of lintEnvText(text)) expect(i.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 500 },
    );
  });
});
