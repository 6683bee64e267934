/**
 * Terminal escape injection (#18 part 3): a bundle whose command line, collector names and reasons,
 * host name, finding ids and titles and entry names hold ESC/OSC/CSI sequences (an OSC 52 writes the
 * reader's clipboard), C1 controls and bidi overrides. No control character reaches stdout or stderr
 * of verify, inspect, diff or analyze; they are shown as escapes; `--json` stays valid JSON with the
 * original values. The commands run in-process through the real CLI entry.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasControl, printable, printableDeep, printableJson, printableLines } from '../../src/core/printable.js';
import { BUNDLE_NAME, type HostileEntry, run, validManifest, writeBundle } from './hostile.js';

const OSC52 = '\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07';
const CSI = '\u009b31m';
const BIDI = '\u202egnp.exe';
/** Any control character a terminal acts on (newline and tab are layout). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('printable', () => {
  it('shows C0, DEL, C1, bidi and separators as escapes and leaves other text alone', () => {
    expect(printable(`a${OSC52}b`)).toBe('a\\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\\x07b');
    expect(printable(`x${CSI}y\x7f\u0085\u2028`)).toBe('x\\x9b31my\\x7f\\x85\\u2028');
    expect(printable(BIDI)).toBe('\\u202egnp.exe');
    expect(printable('line\nnext\ttab\r')).toBe('line\\nnext\\ttab\\r');
    expect(printable('Grüße, 東京, emoji 🙂, C:\\path')).toBe('Grüße, 東京, emoji 🙂, C:\\path');
  });
  it('printableLines keeps newlines and tabs, printableDeep maps every string, keys too', () => {
    expect(printableLines('a\n\tb\x1b[2J')).toBe('a\n\tb\\x1b[2J');
    expect(printableDeep({ [`k${CSI}`]: [`v${OSC52}`, 3, null, { n: 'ok' }] })).toEqual({
      'k\\x9b31m': ['v\\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\\x07', 3, null, { n: 'ok' }],
    });
    expect(hasControl('plain\n')).toBe(false);
    expect(hasControl(`x${CSI}`)).toBe(true);
  });
  it('printableJson is valid JSON with the same value and no raw control character', () => {
    const value = { a: `${OSC52}${CSI}${BIDI}\u2028\x7f`, b: ['\u0000'] };
    const text = printableJson(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(text).not.toMatch(CONTROL);
  });
});

let dir: string;
let env: Record<string, string>;
let hostile: string;
let plain: string;

const FILES: readonly HostileEntry[] = [
  { path: 'ISSUE.md', data: '# Issue\n' },
  { path: `system/${'\x1b[31m'}red${BIDI}.txt`, data: `text with ${OSC52} inside\n` },
];
const findingsDoc = (findings: unknown[]) =>
  JSON.stringify({ generatedAt: '2026-12-01T10:00:03.000Z', counts: { error: findings.length, warning: 0, info: 0 }, analyzers: [], findings });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cb-escapes-'));
  env = { HOME: dir, PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
  const findings: HostileEntry = {
    path: 'findings.json',
    data: findingsDoc([
      { id: `evil${CSI}`, severity: 'error', title: `Title ${OSC52}`, summary: 's', evidence: [], remedy: 'r', docs: 'd', subject: `sub${BIDI}` },
    ]),
  };
  const files = [...FILES, findings];
  hostile = await writeBundle(
    join(dir, 'hostile.tar.gz'),
    validManifest(BUNDLE_NAME, files, {
      commandLine: ['collect-bundle', '--label', OSC52],
      host: { hostname: `web${BIDI}`, platform: 'linux', arch: 'x64' },
      collectors: [
        { name: `sys${CSI}`, status: 'failed', reason: `boom \x1b[2J${OSC52}`, durationMs: 1, artifacts: [], problems: [], commands: [] },
        {
          name: 'system',
          status: 'ok',
          durationMs: 1,
          artifacts: files
            .filter((f) => f.path.startsWith('system/'))
            .map((f) => ({ path: f.path, bytes: Buffer.byteLength(f.data), sha256: 'f'.repeat(64), truncated: false })), // a wrong checksum: verify names the file
          problems: [],
          commands: [],
        },
      ],
    }),
    [...files, { path: `extra${OSC52}.txt`, data: 'unlisted\n' }],
  );
  const plainFiles = [
    { path: 'ISSUE.md', data: '# Issue\n' },
    { path: 'findings.json', data: findingsDoc([]) },
  ];
  plain = await writeBundle(join(dir, 'plain.tar.gz'), validManifest(BUNDLE_NAME, plainFiles), plainFiles);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('no control character from a bundle reaches the terminal', () => {
  it('inspect shows the command line, collector, host, findings and entry names escaped', async () => {
    const r = await run(['inspect', hostile], env);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(CONTROL);
    expect(r.stdout).toContain('\\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\\x07');
    expect(r.stdout).toContain('sys\\x9b31m');
    expect(r.stdout).toContain('web\\u202egnp.exe');
    expect(r.stdout).toContain('evil\\x9b31m: Title \\x1b]52');
    expect(r.stdout).toContain('system/\\x1b[31mred\\u202egnp.exe.txt');
  });

  it('inspect --json is valid JSON holding the original values', async () => {
    const r = await run(['inspect', hostile, '--json'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(CONTROL);
    const doc = JSON.parse(r.stdout) as { commandLine: string[]; collectors: { name: string }[]; host: { hostname: string } };
    expect(doc.commandLine).toEqual(['collect-bundle', '--label', OSC52]);
    expect(doc.collectors[0]!.name).toBe(`sys${CSI}`);
    expect(doc.host.hostname).toBe(`web${BIDI}`);
  });

  it('inspect --file shows a file escaped on a terminal and sends it unchanged down a pipe', async () => {
    const path = FILES[1]!.path;
    const tty = await run(['inspect', hostile, '--file', path], env, { tty: true });
    expect(tty.code).toBe(0);
    expect(tty.stdout).toBe('text with \\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\\x07 inside\n');
    const pipe = await run(['inspect', hostile, '--file', path], env);
    expect(pipe.stdout).toBe(FILES[1]!.data);
    const missing = await run(['inspect', hostile, '--file', `nope${OSC52}`], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^collect-bundle: nope\\x1b\]52[^\n]*\n$/);
    expect(missing.stderr).not.toMatch(CONTROL);
  });

  it('verify names the files with escapes', async () => {
    const r = await run(['verify', hostile, '--no-config'], env);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(CONTROL);
    expect(r.stdout).toMatch(/^system\/\\x1b\[31mred\\u202egnp\.exe\.txt: checksum: /m);
    expect(r.stdout).toMatch(/^extra\\x1b\]52;c;Y3VybCBldmlsLnNoIHwgc2g=\\x07\.txt: extra: /m);
    const json = await run(['verify', hostile, '--no-config', '--json'], env);
    expect(json.stdout).not.toMatch(CONTROL);
    expect((JSON.parse(json.stdout) as { problems: { file: string }[] }).problems.map((p) => p.file)).toContain(`extra${OSC52}.txt`);
  });

  it('diff shows new findings escaped', async () => {
    const r = await run(['diff', plain, hostile], env);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(CONTROL);
    expect(r.stdout).toContain('+ new error evil\\x9b31m [sub\\u202egnp.exe]: Title \\x1b]52');
    const json = await run(['diff', plain, hostile, '--json'], env);
    expect(json.stdout).not.toMatch(CONTROL);
    expect((JSON.parse(json.stdout) as { findings: { new: { id: string }[] } }).findings.new[0]!.id).toBe(`evil${CSI}`);
  });

  it('analyze shows findings that quote the bundle escaped', async () => {
    const r = await run(['analyze', hostile, '--no-config'], env);
    expect(r.stdout).not.toMatch(CONTROL);
    expect(r.stderr).not.toMatch(CONTROL);
    expect(r.stdout).toMatch(/collector-failed: Collector sys\\x9b31m failed: boom \\x1b\[2J/);
    const json = await run(['analyze', hostile, '--no-config', '--json'], env);
    expect(json.stdout).not.toMatch(CONTROL);
    const doc = JSON.parse(json.stdout) as { findings: { title: string }[] };
    expect(doc.findings.map((f) => f.title).join('\n')).toContain(`sys${CSI}`);
  });
});
