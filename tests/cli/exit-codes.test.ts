/**
 * Exit codes of the real CLI for the informational commands and for usage and output errors.
 * No Docker engine is needed: every run here ends before (or without) contacting one.
 */
import { writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PKG, assertBuilt, cleanup, describeRun, listDir, runCli, tempDir } from './harness.js';

beforeAll(assertBuilt);
afterEach(cleanup);

describe('informational commands exit 0', () => {
  it('--help documents the exit codes and shows examples on stdout', async () => {
    const r = await runCli(['--help']);
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout).toMatch(/Exit codes:/);
    for (const code of ['0', '1', '2', '3', '130']) expect(r.stdout).toMatch(new RegExp(`^\\s+${code}\\s+\\S`, 'm'));
    expect(r.stdout).toMatch(/interrupted/i);
    expect(r.stdout).toMatch(/partial/i);
    expect(r.stdout).toMatch(/Examples:/);
    expect(r.stdout).toMatch(/collect-bundle .*--only docker/);
    expect(r.stdout).toMatch(/--output-dir/);
    expect(r.stderr).toBe('');
  });

  it('--help and a usage error are in English whatever the locale (yargs would translate its own words)', async () => {
    for (const env of [{ LANG: 'de_DE.UTF-8', LC_ALL: undefined, LANGUAGE: undefined }, { LC_ALL: 'fr_FR.UTF-8' }, { LANGUAGE: 'ja' }]) {
      const help = await runCli(['--help'], { env });
      expect(help.stdout, JSON.stringify(env)).toMatch(/^Options:$/m);
      expect(help.stdout).toMatch(/^Commands:$/m);
      expect(help.stdout).toContain('[boolean]');
      const bad = await runCli(['--no-such-option'], { env });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/^collect-bundle: Unknown arguments?: .*such-option/m);
    }
  });

  it('-h is --help', async () => {
    const r = await runCli(['-h']);
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout).toMatch(/Exit codes:/);
  });

  it('--version prints the package.json version', async () => {
    const r = await runCli(['--version']);
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout.trim()).toBe(PKG.version);
  });

  it('--list-collectors lists system and docker', async () => {
    const out = await tempDir();
    const r = await runCli(['--list-collectors', '-o', join(out, 'o')]);
    expect(r.code, describeRun(r)).toBe(0);
    const names = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/)[0]);
    expect(names).toEqual(expect.arrayContaining(['system', 'docker']));
    expect(await listDir(out), 'listing collectors must not create the output dir').toEqual([]);
  });
});

describe('usage errors exit 2 and write nothing', () => {
  /** Runs in an empty temp dir (also the cwd); `-o <tmp>/out` is added unless `ownOutput`. */
  const usage = async (args: string[], ownOutput = false): Promise<{ stderr: string }> => {
    const tmp = await tempDir();
    // The output dir does not exist yet: a usage error must not even create it.
    const r = await runCli(ownOutput ? args : [...args, '-o', join(tmp, 'out')], { cwd: tmp });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^collect-bundle: /);
    expect(await listDir(tmp), 'nothing may be written on a usage error').toEqual([]);
    return r;
  };

  it('unknown collector in --only names the valid collectors', async () => {
    const r = await usage(['--only', 'nope']);
    expect(r.stderr).toMatch(/unknown collector.*"nope"/);
    expect(r.stderr).toMatch(/valid:.*system/);
    expect(r.stderr).toMatch(/valid:.*docker/);
  });

  it('unknown collector in --skip names the valid collectors', async () => {
    const r = await usage(['--skip', 'nope']);
    expect(r.stderr).toMatch(/unknown collector.*"nope"/);
    expect(r.stderr).toMatch(/valid:.*system.*docker|valid:.*docker.*system/);
  });

  it('unknown collector among valid ones (--only system,nope)', async () => {
    const r = await usage(['--only', 'system,nope']);
    expect(r.stderr).toMatch(/"nope"/);
    expect(r.stderr).not.toMatch(/"system"/);
  });

  it('unknown option', async () => {
    const r = await usage(['--no-such-option']);
    expect(r.stderr).toMatch(/unknown argument/i);
    expect(r.stderr).toMatch(/--help/);
  });

  it('unexpected positional argument', async () => {
    const r = await usage(['surprise']);
    expect(r.stderr).toMatch(/unknown argument.*surprise/i);
  });

  it('--timeout 0', async () => {
    const r = await usage(['--timeout', '0']);
    expect(r.stderr).toMatch(/--timeout must be a positive number/);
  });

  it('--timeout -5', async () => {
    const r = await usage(['--timeout=-5']);
    expect(r.stderr).toMatch(/--timeout must be a positive number/);
  });

  it('--timeout abc names the value that was given', async () => {
    const r = await usage(['--timeout', 'abc']);
    expect(r.stderr).toMatch(/--timeout must be a positive number/);
    expect(r.stderr).toMatch(/"abc"/);
  });

  it('--timeout without a value', async () => {
    const r = await usage(['--timeout']);
    expect(r.stderr).toMatch(/timeout/);
  });

  it('--deadline abc', async () => {
    const r = await usage(['--deadline', 'abc']);
    expect(r.stderr).toMatch(/--deadline must be a positive number.*"abc"/);
  });

  it('--concurrency 0', async () => {
    const r = await usage(['--concurrency', '0']);
    expect(r.stderr).toMatch(/--concurrency/);
  });

  it('--concurrency x names the value that was given', async () => {
    const r = await usage(['--concurrency', 'x']);
    expect(r.stderr).toMatch(/--concurrency must be a whole number.*"x"/);
  });

  // `--only` with nothing after it used to run the default collectors.
  it('--only without a collector name', async () => {
    const r = await usage(['--only']);
    expect(r.stderr).toMatch(/arguments following: only/);
  });

  it('--only= (empty list)', async () => {
    const r = await usage(['--only=']);
    expect(r.stderr).toMatch(/--only needs at least one collector name; valid: .*system/);
  });

  it('--skip , (empty list)', async () => {
    const r = await usage(['--skip', ',']);
    expect(r.stderr).toMatch(/--skip needs at least one collector name/);
  });

  // `-o` with nothing after it used to write the bundle into the current directory.
  it('-o without a directory', async () => {
    const r = await usage(['--only', 'system', '-o'], true);
    expect(r.stderr).toMatch(/arguments following: o/);
  });

  it('--output-dir= (empty)', async () => {
    const r = await usage(['--only', 'system', '--output-dir='], true);
    expect(r.stderr).toMatch(/--output-dir must not be empty/);
  });
});

describe('an unusable output dir exits 1 with one line naming the path', () => {
  it('output dir is a regular file', async () => {
    const tmp = await tempDir();
    const file = join(tmp, 'not-a-dir');
    await writeFile(file, 'keep me\n');
    const r = await runCli(['--only', 'system', '-o', file]);
    expect(r.code, describeRun(r)).toBe(1);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines, describeRun(r)).toHaveLength(1);
    expect(lines[0]).toContain(file);
    expect(lines[0]).toMatch(/not a directory/);
    expect(lines[0]).toMatch(/--output-dir/);
    expect(r.stdout).toBe('');
    expect(await listDir(tmp), 'nothing may be left behind').toEqual(['not-a-dir']);
    expect(await readFile(file, 'utf8')).toBe('keep me\n');
  });

  it('output dir below a regular file', async () => {
    const tmp = await tempDir();
    const file = join(tmp, 'plain');
    await writeFile(file, '');
    const target = join(file, 'sub');
    const r = await runCli(['--only', 'system', '-o', target, '--json']);
    expect(r.code, describeRun(r)).toBe(1);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines, describeRun(r)).toHaveLength(1);
    expect(lines[0]).toContain(target);
    expect(r.stdout).toBe('');
    expect(await listDir(tmp)).toEqual(['plain']);
  });
});
