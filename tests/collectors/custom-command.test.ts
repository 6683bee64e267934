/** The `command` custom collector against real programs: output, exit codes, timeouts, tail, secrets. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCustomCollector, customCollectorSchema, type CustomCollectorInput } from '../../collectors/custom/index.js';
import { verifyBundle } from '../../src/bundle/verify.js';
import { collectBundle } from '../../src/run/collect.js';
import { CliError } from '../../src/core/errors.js';
import { fileJson, fileText, readBundle } from '../helpers/bundle.js';

let out: string;
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'cb-custom-cmd-'));
});
afterEach(() => rm(out, { recursive: true, force: true }));

async function run(spec: CustomCollectorInput, env: Record<string, string | undefined> = process.env) {
  const collector = createCustomCollector(spec, { baseDir: out });
  const result = await collectBundle({ outputDir: out, collectors: [collector], env, redaction: { ephemeralKey: true } });
  const entries = await readBundle(result.bundle);
  const record = result.manifest.collectors.find((c) => c.name === spec.name)!;
  return { result, entries, record, all: [...entries.values()].map((e) => `${e.name}\n${e.data.toString('utf8')}`).join('\n') };
}

describe('custom command collector', () => {
  it('stores the output and result of a program under custom/<name>/ and records the command', async () => {
    const { result, entries, record } = await run({ type: 'command', name: 'echo-hi', argv: ['/bin/echo', 'hi', 'there'] });
    expect(result.status).toBe('complete');
    expect(fileText(entries, 'custom/echo-hi/output.txt')).toBe('hi there\n');
    const res = fileJson(entries, 'custom/echo-hi/result.json');
    expect(res).toMatchObject({ argv: ['/bin/echo', 'hi', 'there'], exitCode: 0, expected: true, timedOut: false, readOnly: "user's promise" });
    expect(record.status).toBe('ok');
    expect(record.problems).toEqual([]);
    expect(record.commands.map((c) => c.argv)).toEqual([['/bin/echo', 'hi', 'there']]);
    expect(result.manifest.environment['custom.echo-hi.read-only']).toBe("user's promise");
  });

  it('an exit code outside exitCodes is a one-line problem; a declared one is not', async () => {
    const bad = await run({ type: 'command', name: 'falsy', argv: ['/bin/false'] });
    expect(fileJson(bad.entries, 'custom/falsy/result.json')).toMatchObject({ exitCode: 1, expected: false });
    expect(bad.record.problems).toHaveLength(1);
    expect(bad.record.problems[0]!.reason).toMatch(/exited with 1, expected 0 .*"exitCodes"/);
    expect(bad.record.problems[0]!.reason).not.toContain('\n');

    const ok = await run({ type: 'command', name: 'falsy', argv: ['/bin/false'], exitCodes: [0, 1] });
    expect(fileJson(ok.entries, 'custom/falsy/result.json')).toMatchObject({ exitCode: 1, expected: true });
    expect(ok.record.problems).toEqual([]);
  });

  it('kills a command at its timeout and says how to raise it', async () => {
    const { entries, record } = await run({ type: 'command', name: 'slow', argv: ['/bin/sleep', '30'], timeout: '500ms' });
    expect(fileJson(entries, 'custom/slow/result.json')).toMatchObject({ timedOut: true, expected: false });
    expect(record.problems[0]!.reason).toMatch(/timed out after 0\.5s .*raise "timeout"/);
    expect(record.commands[0]!.timedOut).toBe(true);
  });

  it('keeps the tail of long output (maxBytes) and marks the artifact truncated', async () => {
    const { entries, record } = await run({ type: 'command', name: 'long', argv: ['/usr/bin/seq', '1', '100000'], maxBytes: '1KiB' });
    const [marker, ...kept] = fileText(entries, 'custom/long/output.txt').split('\n');
    expect(marker).toMatch(/^\[collect-bundle: output truncated to its last \d+ bytes/);
    expect(Buffer.byteLength(kept.join('\n'))).toBeLessThanOrEqual(1024);
    expect(kept.slice(-3)).toEqual(['99999', '100000', '']);
    expect(kept).not.toContain('1');
    expect(record.artifacts.find((a) => a.path === 'custom/long/output.txt')).toMatchObject({ truncated: true });
    expect(fileJson(entries, 'custom/long/result.json')).toMatchObject({ outputCut: 'tail kept', maxBytes: 1024 });
  });

  it('a flood of output cut by the timeout keeps what was read (marked partial) and ends near the timeout, not at the collector limit', async () => {
    // Every line a new secret: redaction is far slower than the command prints, so a backlog builds up.
    const flood = "head -c 300000000 /dev/urandom | base64 -w 76 | sed 's/^/password=/'";
    const { entries, record } = await run({ type: 'command', name: 'flood', argv: ['/bin/sh', '-c', flood], maxBytes: '1MiB', timeout: '4s' });
    // Finished in its own time (command timeout + 10 s), but the file lacks what came after the kill:
    // partial, the file marked lost with the cause (exit 3 for the run).
    expect(record.status).toBe('partial');
    expect(record.reason).toMatch(/custom\/flood\/output\.txt: command \/bin\/sh timed out after [\d.]+s and was killed: its output is cut/);
    expect(record.durationMs).toBeLessThan(4_000 + 3_000);
    const output = fileText(entries, 'custom/flood/output.txt');
    expect(output.length).toBeGreaterThan(1000);
    expect(output).toMatch(/password=\[REDACTED:/);
    expect(output.endsWith("[collect-bundle: output cut at the command's timeout (4s); above is what was read until then]\n")).toBe(true);
    expect(fileJson(entries, 'custom/flood/result.json')).toMatchObject({ timedOut: true, partial: true });
    expect(record.problems.map((p) => p.reason)).toEqual([expect.stringMatching(/timed out after 4s .*raise "timeout"/)]);
  }, 60_000);

  it('a program that is not installed is a problem naming PATH and the fix', async () => {
    const { record, result } = await run({ type: 'command', name: 'missing', argv: ['cb-no-such-program-x1'] });
    expect(result.status).toBe('complete');
    expect(record.problems.map((p) => p.reason)).toEqual([
      expect.stringMatching(/^command cb-no-such-program-x1 not found on PATH \(fix: install it, or put its absolute path as argv\[0\]/),
    ]);
  });

  it('redacts secret env values it was given, even printed bare; records env names only', async () => {
    const token = 'Zq8vN2kLp4Rt7Wx1Yc5Bm';
    // printenv prints bare values: only the run's known secrets (learned from the spec) can catch the token.
    const { entries, all, result } = await run({
      type: 'command',
      name: 'leaky',
      argv: ['/usr/bin/printenv', 'CB_API_TOKEN', 'CB_PLAIN'],
      env: { CB_API_TOKEN: token, CB_PLAIN: 'visible-value' },
      cwd: '.',
    });
    const output = fileText(entries, 'custom/leaky/output.txt');
    expect(output).toMatch(/^\[REDACTED:known-secret:[0-9a-f]{8}\]\nvisible-value\n$/);
    expect(all).not.toContain(token);
    expect(fileJson(entries, 'custom/leaky/result.json')).toMatchObject({ envNames: ['CB_API_TOKEN', 'CB_PLAIN'], cwd: out });
    expect(JSON.stringify(result.manifest)).not.toContain(token);
    expect((await verifyBundle(result.bundle)).ok).toBe(true);
  });

  it('redacts a secret the command prints in key=value form', async () => {
    const password = 'hunter2-Very-Secret-9';
    const { all } = await run({ type: 'command', name: 'kv', argv: ['/bin/echo', `DATABASE_URL=postgres://app:${password}@db:5432/app`] });
    expect(all).not.toContain(password);
    expect(all).toContain('postgres://app:[REDACTED:');
  });

  it('a secret printed on an unrelated line is removed because the env value is known before collection', async () => {
    const token = 'Qw3rTy-uIoP-4sDf-GhJk';
    const { all } = await run({ type: 'command', name: 'echoer', argv: ['/bin/echo', `the value is ${token} ok`], env: { SERVICE_PASSWORD: token } });
    expect(all).not.toContain(token);
    expect(all).toContain('the value is [REDACTED:known-secret:');
  });

  it('refuses an invalid spec with one line naming the collector and the key', () => {
    const bad = (spec: unknown): string => {
      try {
        createCustomCollector(spec as CustomCollectorInput, { baseDir: out });
      } catch (err) {
        expect(err).toBeInstanceOf(CliError);
        expect((err as CliError).exitCode).toBe(2);
        return (err as Error).message;
      }
      throw new Error('expected a CliError');
    };
    expect(bad({ type: 'command', name: 'x', argv: [] })).toMatch(/^custom collector "x": argv: argv needs at least the program/);
    expect(bad({ type: 'command', name: 'x', argv: ['a'], timeout: '10' })).toMatch(/^custom collector "x": timeout: .*not a duration/);
    expect(bad({ type: 'command', name: 'x', argv: ['a'], maxBytes: '5 MiBs' })).toMatch(/maxBytes: "5 MiBs" is not a size/);
    expect(bad({ type: 'command', name: 'x', argv: ['a'], maxBytes: 0 })).toMatch(/maxBytes: expected a size above 0/);
    expect(bad({ type: 'command', name: 'x', argv: ['a'], shell: true })).toMatch(/shell/);
    expect(bad({ type: 'command', name: 'Not Kebab', argv: ['a'] })).toMatch(/name: expected a kebab-case name/);
    expect(bad({ type: 'shell', name: 'x' })).toMatch(/type.*"command", "file", "http", "env"/);
    for (const m of [bad({ type: 'command', name: 'x', argv: [] }), bad({ type: 'shell', name: 'x' })]) expect(m).not.toContain('\n');
  });

  it('parses sizes and durations once: validating a validated spec again changes nothing', () => {
    const once = customCollectorSchema.parse({ type: 'command', name: 'x', argv: ['a'], timeout: '1m30s', maxBytes: '5MiB' });
    expect(once).toMatchObject({ timeout: 90, maxBytes: 5 * 1024 * 1024 });
    expect(customCollectorSchema.parse(once)).toEqual(once);
  });
});
