/**
 * `collect --review` end to end on a real pseudo-terminal (util-linux `script` gives the built CLI a
 * tty): the review (files, sizes, redaction counts per rule and per file, never a value), the prompt
 * answered l, e PATH, y or n; an excluded file is left out and recorded in the manifest; "n" writes
 * nothing. Without a terminal --review is a usage error unless --yes.
 */
import { spawn } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileText, readBundle } from '../helpers/bundle.js';
import { BIN, cleanup, cliEnv, describeRun, runCli, tempDir } from '../cli/harness.js';

const SECRET = 'reviewPassw0rd-9f3e1c';
const PROMPT = 'Write the bundle? [y/N/l(ist)/e(xclude) PATH] ';
let dir: string;
let config: string;

/** Runs the CLI under `script` (a pty) and answers each prompt with the next line of `answers`. */
function onTerminal(args: readonly string[], answers: readonly string[]): Promise<{ code: number | null; out: string }> {
  const cmd = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qec', cmd, '/dev/null'], { env: cliEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let asked = 0;
  const onData = (c: Buffer): void => {
    out += c.toString('utf8');
    const prompts = out.split(PROMPT).length - 1;
    while (asked < prompts && asked < answers.length) child.stdin.write(`${answers[asked++]}\n`);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, out: out.replace(/\r\n/g, '\n') }); // a terminal ends lines with CR LF
    }),
  );
}

const bundlesIn = async (d: string): Promise<string[]> => (await readdir(d)).filter((f) => f.endsWith('.tar.gz'));

describe('collect --review', () => {
  beforeAll(async () => {
    dir = await tempDir('cb-review-');
    await mkdir(join(dir, 'app'));
    await writeFile(join(dir, 'app', 'settings.env'), `DEBUG=false\nDB_PASSWORD=${SECRET}\n`);
    await writeFile(join(dir, 'app', 'notes.txt'), 'private notes the user does not want to share\n');
    config = join(dir, 'cfg.json');
    await writeFile(config, JSON.stringify({ custom: [{ type: 'file', name: 'app', paths: ['app/*'] }] }));
  });
  afterAll(cleanup);

  const args = (out: string): string[] => ['collect', '--review', '--config', config, '--only', 'system,app', '-o', out, '-q'];

  it('on a terminal: shows sizes and counts (never a value), lists, leaves out what it is told, records it, writes on y', async () => {
    const out = await tempDir('cb-review-out-');
    const notes = `custom/app/files/${dir.replace(/^\//, '')}/app/notes.txt`;
    const r = await onTerminal(args(out), ['l', `e ${notes}`, 'e no/such/file', 'y']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/Review: \d+ files, [\d.]+ (B|KiB) before compression/);
    expect(r.out).toMatch(/Redactions: 1 \(secret-key-value 1\)/);
    expect(r.out).toMatch(/\n +1 {2}custom\/app\/files\/.*settings\.env/);
    expect(r.out).not.toContain(SECRET);
    expect(r.out).toContain(`left out: ${notes}`);
    expect(r.out).toContain('no file no/such/file in the bundle: "l" lists them');
    const [bundle] = await bundlesIn(out);
    const entries = await readBundle(join(out, bundle!));
    const names = [...entries.keys()];
    expect(names.some((n) => n.endsWith('notes.txt'))).toBe(false);
    expect(names.some((n) => n.endsWith('settings.env'))).toBe(true);
    const manifest = JSON.parse(fileText(entries, 'manifest.json')) as { collectors: { name: string; excluded?: { item: string; reason: string }[] }[] };
    expect(manifest.collectors.find((c) => c.name === 'app')?.excluded).toContainEqual({ item: notes, reason: 'excluded by the user (--review)' });
    expect(fileText(entries, 'redactions.json')).not.toContain('notes.txt');
    const verify = await runCli(['verify', join(out, bundle!)]);
    expect(verify.code, describeRun(verify)).toBe(0);
  }, 180_000);

  it('on a terminal: n (or just Enter) writes nothing and leaves no spool behind; exit 1', async () => {
    const out = await tempDir('cb-review-no-');
    const r = await onTerminal(args(out), ['']);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain('collect-bundle: nothing was written: the bundle was declined at --review');
    expect(await readdir(out)).toEqual([]);
  }, 180_000);

  it('without a terminal: a usage error naming --yes, before anything is collected', async () => {
    const out = join(await tempDir('cb-review-notty-'), 'out');
    const r = await runCli(args(out));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^collect-bundle: --review asks on a terminal and stdin is not one: .*--yes/);
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });

  it('without a terminal, --yes prints the review and writes the bundle', async () => {
    const out = await tempDir('cb-review-yes-');
    const r = await runCli([...args(out), '--yes']);
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stderr).toMatch(/Review: \d+ files/);
    expect(r.stderr).not.toContain(PROMPT);
    expect(r.stderr).not.toContain(SECRET);
    expect(await bundlesIn(out)).toHaveLength(1);
  });
});
