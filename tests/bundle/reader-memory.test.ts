/**
 * Bounded memory on a hostile bundle: a manifest.json padded to hundreds of MiB is hashed as a stream
 * and refused in one line, never read into one string (a 300 MiB one made `verify` use 1.1 GiB and
 * say "ok"; 1 GiB crashed with "Cannot create a string longer than 0x1fffffe8"). Each command runs
 * in a child process of the built CLI, which reports its peak RSS.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST_CLI, assertBuilt } from '../cli/harness.js';
import { writePaddedBundle } from './hostile.js';

let dir: string;
let probe: string;

/** Runs `main(args)` of the built CLI in a fresh node and returns its exit code, output and peak RSS. */
function measured(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string; maxRssMiB: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [probe, ...args], {
      env: { HOME: dir, PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.once('error', reject);
    child.once('close', () => {
      try {
        resolve(JSON.parse(out) as { code: number; stdout: string; stderr: string; maxRssMiB: number });
      } catch {
        reject(new Error(`probe failed: ${out}\n${err}`));
      }
    });
  });
}

beforeAll(async () => {
  assertBuilt();
  dir = await mkdtemp(join(tmpdir(), 'cb-reader-mem-'));
  probe = join(dir, 'probe.mjs');
  await writeFile(
    probe,
    `const { main } = await import(${JSON.stringify(DIST_CLI)});
const out = [], err = [];
const sink = (a) => ({ write: (c) => (a.push(String(c)), true), on() {}, once() {}, end() {} });
const code = await main(process.argv.slice(2), { stdout: sink(out), stderr: sink(err), env: { HOME: process.env.HOME, PATH: process.env.PATH }, signal: new AbortController().signal });
process.stdout.write(JSON.stringify({ code, stdout: out.join(''), stderr: err.join(''), maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }));
`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Peak RSS allowed: the CLI with its rules loaded is ~80 MiB; the old reader took 370 MiB at 80 MiB and 1.1 GiB at 300 MiB. */
const MAX_RSS_MIB = 200;

describe('a padded manifest.json', () => {
  it('of 200 MiB: inspect and analyze refuse it in one line in bounded memory', async () => {
    const big = await writePaddedBundle(join(dir, 'padded-200.tar.gz'), 200);
    for (const command of ['inspect', 'analyze']) {
      const r = await measured([command, big, '--no-config']);
      expect(r.code, command).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        /^collect-bundle: \S+padded-200\.tar\.gz: manifest\.json is 200 MiB, over the 64 MiB a collect-bundle manifest can be: not a collect-bundle bundle\n$/,
      );
      expect(r.maxRssMiB, `${command} peak RSS`).toBeLessThan(MAX_RSS_MIB);
    }
  }, 60_000);

  it('of 80 MiB: verify fails it (not "ok") in bounded memory, still rescanning every byte', async () => {
    const big = await writePaddedBundle(join(dir, 'padded-80.tar.gz'), 80);
    const r = await measured(['verify', big, '--no-config']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^manifest\.json: structure: manifest\.json is 80 MiB, over the 64 MiB a collect-bundle manifest can be/);
    expect(r.stdout).not.toMatch(/^ok/m);
    expect(r.maxRssMiB, 'verify peak RSS').toBeLessThan(MAX_RSS_MIB);
  }, 60_000);
});
