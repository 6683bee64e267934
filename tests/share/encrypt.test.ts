/**
 * Issue #16 part 3: `collect --encrypt-to` writes `<name>.tar.gz.age` through the real CLI against the
 * test Docker engine; Debian's `age` decrypts it (identities from the real `age-keygen`), and its entries
 * are compared with a plain bundle of the same inputs. verify/inspect/analyze/diff read it with
 * `--identity`; wrong or unreadable identities and unknown recipients are one-line usage errors, and no
 * plaintext bundle or spool is ever left in the output folder or the temp folder.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { readdir, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptStream, recipientFingerprint } from '../../src/bundle/age.js';
import { readBundle as untar, type TarEntry } from '../helpers/bundle.js';
import { DOCKER_HOST, dockerUnavailable } from '../helpers/docker.js';
import { assertBuilt, cleanup, describeRun, runCli, sha256File, tempDir } from '../cli/harness.js';

const missing = ['/usr/bin/age', '/usr/bin/age-keygen'].filter((p) => !existsSync(p));
const skipReason = missing.length ? `not installed: ${missing.join(', ')} (apt-get install age)` : undefined;
if (skipReason) process.stderr.write(`tests/share/encrypt.test.ts skipped: ${skipReason}\n`);

let dir: string;
let tmp: string;
let key: string;
let other: string;
let recipient: string;
let recipient2: string;
let encrypted: string;
let plain: string;

/** The CLI with a private TMPDIR (checked empty afterwards) and the test engine when there is one. */
const cli = (args: readonly string[]) =>
  runCli(['--no-config', ...args], { env: { TMPDIR: tmp, ...(DOCKER_HOST && !dockerUnavailable ? { DOCKER_HOST } : {}) } });
const only = DOCKER_HOST && !dockerUnavailable ? 'system,docker' : 'system';
/**
 * The engine's own files, but none of the containers other test files create and remove meanwhile on the
 * shared engine: one removed mid-collection made a run partial (exit 3), and the two runs compared
 * entry by entry could list different containers.
 */
const scope = only.includes('docker') ? ['--containers', 'cb-age-no-container-*'] : [];

/** Entries by path below the top-level folder. */
const byPath = (m: Map<string, TarEntry>): Map<string, TarEntry> => new Map([...m].map(([name, e]) => [name.split('/').slice(1).join('/'), e]));

/** Decrypts with the real age command into memory and unpacks the tar.gz (through a pipe file in `dir`). */
async function decryptWithAge(file: string, identity: string): Promise<Map<string, TarEntry>> {
  const out = join(dir, `dec-${Math.random().toString(36).slice(2)}.tar.gz`);
  execFileSync('age', ['-d', '-i', identity, '-o', out, file]);
  return byPath(await untar(out));
}

async function outputs(folder: string): Promise<string[]> {
  return (await readdir(folder)).sort();
}

describe.skipIf(skipReason)('collect --encrypt-to (age)', () => {
  beforeAll(async () => {
    assertBuilt();
    dir = await tempDir('cb-age-');
    tmp = await tempDir('cb-age-tmp-');
    key = join(dir, 'key.txt');
    other = join(dir, 'other.txt');
    execFileSync('age-keygen', ['-o', key], { stdio: 'ignore' });
    execFileSync('age-keygen', ['-o', other], { stdio: 'ignore' });
    recipient = execFileSync('age-keygen', ['-y', key], { encoding: 'utf8' }).trim();
    recipient2 = execFileSync('age-keygen', ['-y', other], { encoding: 'utf8' }).trim();
    const [enc, pl] = await Promise.all([
      cli(['--only', only, ...scope, '-o', join(dir, 'enc'), '--encrypt-to', recipient, '--label', 'sec']),
      cli(['--only', only, ...scope, '-o', join(dir, 'plain'), '--label', 'sec']),
    ]);
    expect(enc.code, describeRun(enc)).toBe(0);
    expect(pl.code, describeRun(pl)).toBe(0);
    encrypted = join(dir, 'enc', (await outputs(join(dir, 'enc'))).find((f) => f.endsWith('.tar.gz.age'))!);
    plain = join(dir, 'plain', (await outputs(join(dir, 'plain'))).find((f) => f.endsWith('.tar.gz'))!);
  }, 120_000);
  afterAll(cleanup);

  it('writes only <name>.tar.gz.age (0600, age format) and its sidecar: no plaintext bundle, spool or partial file', async () => {
    const files = await outputs(join(dir, 'enc'));
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^collect-bundle-.*-sec-\d{8}T\d{6}Z-[a-z0-9]{6}\.tar\.gz\.age$/);
    expect(files[1]).toBe(`${files[0]}.sha256`);
    expect(statSync(encrypted).mode & 0o777).toBe(0o600);
    expect(readFileSync(encrypted).subarray(0, 22).toString('latin1')).toBe('age-encryption.org/v1\n');
    // The bytes on disk are not a gzip stream at all (no 1f 8b anywhere at the start).
    expect(readFileSync(encrypted).indexOf(Buffer.from([0x1f, 0x8b, 0x08]))).not.toBe(22);
    expect(await outputs(tmp)).toEqual([]);
  });

  it('the sidecar holds the sha256 of the encrypted file, and sha256sum -c accepts it', async () => {
    const sidecar = readFileSync(`${encrypted}.sha256`, 'utf8');
    expect(sidecar.split(/\s+/)[0]).toBe(await sha256File(encrypted));
    const r = spawnSync('sha256sum', ['-c', `${encrypted.split('/').pop()}.sha256`], { cwd: join(dir, 'enc'), encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('age -d decrypts it to a bundle with the same entries as a plain bundle of the same run, and the manifest names recipients by fingerprint only', async () => {
    const dec = await decryptWithAge(encrypted, key);
    const pl = byPath(await untar(plain));
    expect([...dec.keys()].sort()).toEqual([...pl.keys()].sort());
    // Files that do not change between two runs a second apart are the same, byte for byte.
    for (const p of ['system/os.json', 'system/cpu.json']) expect(dec.get(p)!.data.toString()).toBe(pl.get(p)!.data.toString());
    const manifest = JSON.parse(dec.get('manifest.json')!.data.toString());
    expect(manifest.encryption).toEqual({ format: 'age', recipients: [recipientFingerprint(recipient)] });
    expect(JSON.parse(pl.get('manifest.json')!.data.toString()).encryption).toBeUndefined();
    // The key itself is nowhere in the bundle: not in the recorded command line, not in run.log.
    for (const [path, e] of dec) expect(e.data.toString('latin1'), path).not.toContain(recipient);
    expect(manifest.commandLine.join(' ')).toContain(recipientFingerprint(recipient));
    // Every artifact's checksum in the manifest matches the decrypted content (the fail-closed check saw the same bytes).
    expect(manifest.collectors.flatMap((c: { artifacts: unknown[] }) => c.artifacts).length).toBeGreaterThan(3);
  });

  it('encryptStream output is what age -d turns back into the plain bundle, byte for byte', async () => {
    const out = join(dir, 'api.tar.gz.age');
    const stream = await encryptStream(createReadStream(plain) as AsyncIterable<Buffer>, [{ key: recipient, fingerprint: recipientFingerprint(recipient) }]);
    await pipeline(stream, createWriteStream(out, { mode: 0o600 }));
    const back = execFileSync('age', ['-d', '-i', key, out]);
    expect(back.equals(readFileSync(plain))).toBe(true);
  });

  it('several recipients: each identity decrypts it', async () => {
    const recipients = join(dir, 'recipients.txt');
    writeFileSync(recipients, `# support team\n${recipient}\n\n${recipient2}\n`);
    const r = await cli(['--only', 'system', '-o', join(dir, 'two'), '--encrypt-to-file', recipients]);
    expect(r.code, describeRun(r)).toBe(0);
    const file = join(dir, 'two', (await outputs(join(dir, 'two'))).find((f) => f.endsWith('.age'))!);
    for (const id of [key, other]) expect((await decryptWithAge(file, id)).has('manifest.json')).toBe(true);
    const manifest = JSON.parse((await decryptWithAge(file, other)).get('manifest.json')!.data.toString());
    expect(manifest.encryption.recipients).toEqual([recipientFingerprint(recipient), recipientFingerprint(recipient2)]);
  });

  it('the config keys encryptTo and encryptToFile, and COLLECT_BUNDLE_ENCRYPT_TO, encrypt as the flags do', async () => {
    const recipients = join(dir, 'cfg-recipients.txt');
    writeFileSync(recipients, `${recipient2}\n`);
    const cfg = join(dir, 'enc.json');
    writeFileSync(cfg, JSON.stringify({ encryptTo: [recipient], encryptToFile: recipients }));
    const out = join(dir, 'cfg');
    const r = await runCli(['--only', 'system', '-o', out, '--config', cfg], { env: { TMPDIR: tmp } });
    expect(r.code, describeRun(r)).toBe(0);
    const file = join(out, (await outputs(out)).find((f) => f.endsWith('.tar.gz.age'))!);
    const manifest = JSON.parse((await decryptWithAge(file, key)).get('manifest.json')!.data.toString());
    expect(manifest.encryption.recipients).toEqual([recipientFingerprint(recipient), recipientFingerprint(recipient2)]);
    const viaEnv = join(dir, 'env');
    const e = await runCli(['--no-config', '--only', 'system', '-o', viaEnv], { env: { TMPDIR: tmp, COLLECT_BUNDLE_ENCRYPT_TO: recipient2 } });
    expect(e.code, describeRun(e)).toBe(0);
    expect((await outputs(viaEnv)).filter((f) => f.endsWith('.tar.gz.age'))).toHaveLength(1);
  });

  it('verify, inspect, analyze and diff read it with --identity', async () => {
    const v = await cli(['verify', encrypted, '--identity', key]);
    expect(v.code, describeRun(v)).toBe(0);
    expect(v.stdout).toMatch(/^ok: \d+ entries verified/m);
    const i = await cli(['inspect', encrypted, '--identity', key, '--json']);
    expect(i.code, describeRun(i)).toBe(0);
    expect(JSON.parse(i.stdout).checks.sidecar).toBe('match');
    const f = await cli(['inspect', encrypted, '--identity', key, '--file', 'system/os.json']);
    expect(f.code, describeRun(f)).toBe(0);
    expect(f.stdout).toBe((await decryptWithAge(encrypted, key)).get('system/os.json')!.data.toString());
    const a = await cli(['analyze', encrypted, '--identity', key, '--json']);
    expect(a.code, describeRun(a)).toBe(0);
    expect(JSON.parse(a.stdout).counts).toBeDefined();
    const d = await cli(['diff', plain, encrypted, '--identity', key, '--json']);
    expect([0, 1], describeRun(d)).toContain(d.code);
    expect(JSON.parse(d.stdout).old).toBeDefined();
    expect(await outputs(tmp)).toEqual([]);
  });

  it('diff --latest counts encrypted bundles with --identity, and says they need it without', async () => {
    const latest = join(dir, 'latest');
    execFileSync('mkdir', [latest]);
    execFileSync('cp', [encrypted, plain, latest]);
    const r = await cli(['diff', '--latest', latest, '--identity', key, '--json']);
    expect([0, 1], describeRun(r)).toContain(r.code);
    const names = [JSON.parse(r.stdout).old.bundle, JSON.parse(r.stdout).new.bundle];
    expect(names.sort()).toEqual(
      [encrypted, plain]
        .map((f) =>
          f
            .split('/')
            .pop()!
            .replace(/\.tar\.gz(\.age)?$/, ''),
        )
        .sort(),
    );
    const without = await cli(['diff', '--latest', latest]);
    expect(without.code, describeRun(without)).toBe(2);
    expect(without.stderr).toMatch(/only one readable bundle .*; 1 encrypted \(\.tar\.gz\.age\) need --identity FILE/);
  });

  it('without --identity, with a wrong one or an unreadable one: exit 2 and one line naming the fix', async () => {
    const none = await cli(['verify', encrypted]);
    expect(none.code, describeRun(none)).toBe(2);
    expect(none.stderr).toMatch(/is encrypted \(age\): pass --identity FILE/);
    const wrong = await cli(['inspect', encrypted, '--identity', other]);
    expect(wrong.code, describeRun(wrong)).toBe(2);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    expect(wrong.stderr).toMatch(/--identity .*other\.txt cannot decrypt it \(it was encrypted to another recipient\)/);
    for (const cmd of ['verify', 'analyze', 'diff']) {
      const r = await cli(cmd === 'diff' ? [cmd, encrypted, encrypted, '--identity', other] : [cmd, encrypted, '--identity', other]);
      expect(r.code, `${cmd}: ${describeRun(r)}`).toBe(2);
      expect(r.stderr).toContain('cannot decrypt it');
    }
    const absent = await cli(['verify', encrypted, '--identity', join(dir, 'nope.txt')]);
    expect(absent.code).toBe(2);
    expect(absent.stderr).toMatch(/--identity .*nope\.txt: no such file/);
    const garbage = join(dir, 'garbage.txt');
    writeFileSync(garbage, 'not a key\n');
    const bad = await cli(['analyze', encrypted, '--identity', garbage]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not an age identity file \(expected AGE-SECRET-KEY-1… lines/);
    // The key of the identity file is never printed.
    const secret = readFileSync(key, 'utf8').match(/AGE-SECRET-KEY-1\S+/)![0];
    for (const r of [none, wrong, absent, bad]) expect(r.stderr + r.stdout).not.toContain(secret);
  });

  it('a damaged encrypted bundle is reported as unreadable (exit 1), not a crash', async () => {
    const cut = join(dir, 'cut.tar.gz.age');
    writeFileSync(cut, readFileSync(encrypted));
    await truncate(cut, statSync(cut).size - 100);
    const v = await cli(['verify', cut, '--identity', key]);
    expect(v.code, describeRun(v)).toBe(1);
    expect(v.stdout).toMatch(/structure: not a readable \.tar\.gz bundle/);
    expect(v.stderr).not.toMatch(/internal error/);
  });

  it('schedule with a config whose recipient is unusable stops before the first run (never a plaintext snapshot)', async () => {
    const cfg = join(dir, 'sched.json');
    writeFileSync(cfg, JSON.stringify({ encryptTo: [recipient, 'bob@example.com'] }));
    const out = join(dir, 'sched');
    const r = await runCli(['schedule', '--every', '1h', '--config', cfg, '-o', out], { env: { TMPDIR: tmp }, killAfterMs: 20_000 });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toMatch(/--encrypt-to: "bob@example\.com" is not a recipient/);
    expect(existsSync(out)).toBe(false);
  });

  it('an unknown recipient format is exit 2 before anything is collected: one line naming the value and the accepted forms', async () => {
    const out = join(dir, 'bad');
    const secret = readFileSync(key, 'utf8').match(/AGE-SECRET-KEY-1\S+/)![0];
    const cases: [string[], RegExp][] = [
      [['--encrypt-to', 'ssh-dss AAAAB3NzaC1kc3MAAACBAP user@host'], /ssh-dss keys cannot be age recipients; expected an age X25519 public key \(age1…/],
      [['--encrypt-to', 'bob@example.com'], /--encrypt-to: "bob@example\.com" is not a recipient; expected an age X25519 public key/],
      // The last character changed (bech32's checksum then fails): to 'x', unless it already was one (1 key in 32).
      [['--encrypt-to', `${recipient.slice(0, -1)}${recipient.endsWith('x') ? 'y' : 'x'}`], /is not a recipient; expected an age X25519 public key/],
      [['--encrypt-to', secret], /that is a private key \(AGE-SECRET-KEY-…\)/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(['--only', 'system', '-o', out, ...args]);
      expect(r.code, describeRun(r)).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toContain(secret);
      expect(r.stderr).not.toMatch(/collecting/);
    }
    const file = join(dir, 'bad-recipients.txt');
    writeFileSync(file, `${recipient}\nssh-rsa AAAAB3NzaC1yc2E\n`);
    const f = await cli(['--only', 'system', '-o', out, '--encrypt-to-file', file]);
    expect(f.code, describeRun(f)).toBe(2);
    expect(f.stderr).toMatch(
      /--encrypt-to-file .*bad-recipients\.txt: "ssh-rsa AAAAB3NzaC1yc2E" is not a usable ssh-rsa public key \(the key data is cut short\)/,
    );
    expect(existsSync(out)).toBe(false);
    expect(await outputs(tmp)).toEqual([]);
  });
});
