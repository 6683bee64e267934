/**
 * Secrets outside the bundle (issue #18 part 5): a usage error, a fatal message or a warning quotes what
 * it rejects, so it is redacted before it is printed; a label that is a secret never becomes a file name.
 */
import { mkdtemp, readdir, rm, writeFile, chmod, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { bundleName } from '../../src/bundle/name.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cb-secret-messages-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cli(args: string[], options: { cwd?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (f: (s: string) => void) =>
    new Writable({
      write: (c, _e, cb) => {
        f(String(c));
        cb();
      },
    });
  const cwd = process.cwd();
  if (options.cwd) process.chdir(options.cwd);
  try {
    const code = await main(args, {
      stdout: sink((s) => (stdout += s)),
      stderr: sink((s) => (stderr += s)),
      env: { PATH: process.env['PATH'], HOME: dir },
      signal: new AbortController().signal,
    });
    return { code, stdout, stderr };
  } finally {
    process.chdir(cwd);
  }
}

const PW = 'Zq8rTw3mKp9vLx2n';

describe('usage errors are redacted before they are printed', () => {
  it.each([
    [['--docker-host', `ssh://user:${PW}@h`], /passwords in ssh:\/\/ URLs are not supported/],
    [['--docker-host', `htps://u:${PW}@h`], /unsupported Docker host/],
    [['--docker-host', `tcp://u:${PW}@h:notaport`], /invalid Docker host/],
    [['--since', `postgres://u:${PW}@h`], /--since: .* is neither a duration/],
  ])('%j: exit 2, the message names the cause, never the password', async (args, cause) => {
    const r = await cli(['--no-config', '--only', 'docker', '-o', dir, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(cause);
    expect(r.stderr).toContain('[REDACTED:url-password:');
    expect(r.stderr).not.toContain(PW);
  });

  it.each([
    [['inspect', `postgres://u:${PW}@h/b.tar.gz`]],
    [['diff', `postgres://u:${PW}@h/b.tar.gz`, 'other.tar.gz']],
    [['verify', `postgres://u:${PW}@h/b.tar.gz`]],
  ])('%j: the path it cannot read is quoted redacted', async (args) => {
    const r = await cli(['--no-config', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[REDACTED:url-password:');
    expect(r.stderr).not.toContain(PW);
  });

  it('a control character in a rejected value is printed visibly, not raw', async () => {
    const r = await cli(['--no-config', '--only', 'docker', '-o', dir, '--since', 'x\u001b]52;c;aGk=\u0007']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('\\x1b]52');
    expect(r.stderr).not.toContain('\u001b');
    expect(r.stderr).not.toContain('\u0007');
  });

  it('a warning about a skipped config file is redacted too (a folder name can hold a secret)', async () => {
    const project = join(dir, `ghp_${'a1B2c3D4e5'.repeat(3)}abcdef`);
    await mkdir(project, { recursive: true });
    const file = join(project, 'collect-bundle.config.json');
    await writeFile(file, '{}\n');
    await chmod(file, 0o666); // others could write it: skipped with a warning naming the file
    const r = await cli(['config', '--print'], { cwd: project });
    expect(r.stderr).toMatch(/warning: skipped the config file/);
    expect(r.stderr).toContain('[REDACTED:github-token:');
    expect(r.stderr).not.toContain('a1B2c3D4e5a1B2c3D4e5');
  });
});

describe('schedule run lines', () => {
  it('are redacted too: a line naming a folder whose name is a token', async () => {
    const folder = join(dir, `ghp_${'m4Nb5Vc6Xz'.repeat(3)}QwErTy`);
    await mkdir(folder, { recursive: true });
    const r = await cli(['schedule', '--no-config', '--prune-only', '--keep', '1', '-o', folder]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/0 bundles deleted, 0 kept in .*\[REDACTED:github-token:/);
    expect(r.stderr).not.toContain('m4Nb5Vc6Xz');
  });
});

describe('--label', () => {
  const TOKEN = `ghp_${'x7Kq2Lm9Pz'.repeat(3)}AbCdEf`;
  it.each([[TOKEN], ['password=X'], [`postgres://u:${PW}@h`], ['token: hunter2']])('%s is refused with exit 2 and no bundle', async (label) => {
    const out = join(dir, `label-${Math.random().toString(36).slice(2)}`);
    const r = await cli(['--no-config', '--only', 'system', '-o', out, '--no-analyze', '--label', label]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--label looks like a secret.*choose a plain label/);
    expect(r.stderr).not.toContain(label);
    expect(await readdir(out).catch(() => [])).toEqual([]);
  });

  it('a plain label is kept in the name', async () => {
    const out = join(dir, 'plain');
    const r = await cli(['--no-config', '--only', 'system', '-o', out, '--no-analyze', '-q', '--label', 'before-upgrade']);
    expect(r.code).toBe(0);
    expect((await readdir(out)).filter((n) => n.endsWith('.tar.gz'))[0]).toMatch(/-before-upgrade-\d{8}T/);
  });

  it('the library path redacts the label before it becomes a name', () => {
    const name = bundleName({ hostname: 'h', label: TOKEN, date: new Date(0), redact: (l) => l.replace(TOKEN, '[REDACTED:github-token:0a1b2c3d]') });
    expect(name).toMatch(/^collect-bundle-h-REDACTED-github-token-0a1b2c3d-19700101T000000Z-[a-z0-9]{6}$/);
    expect(name).not.toContain('x7Kq2Lm9Pz');
  });
});
