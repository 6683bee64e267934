/**
 * Issue #16 part 3, ssh recipients: `--encrypt-to "ssh-ed25519 AAAA…"` / `"ssh-rsa AAAA…"` (the lines of
 * `~/.ssh/id_*.pub` and of GitHub's `USER.keys`) through the real CLI, with keys made by the real
 * `ssh-keygen` and bundles opened by Debian's `age -d -i ~/.ssh/id_…`. The manifest names each recipient
 * as `ssh-keygen -lf` does (SHA256:…), never the key or its comment; a malformed or unsupported key is
 * exit 2 with one line, before anything is collected.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRecipients, encryptStream } from '../../src/bundle/age.js';
import { readBundle as untar, type TarEntry } from '../helpers/bundle.js';
import { assertBuilt, cleanup, describeRun, runCli, tempDir } from '../cli/harness.js';

const tools = ['/usr/bin/age', '/usr/bin/ssh-keygen'];
const missing = tools.filter((p) => !existsSync(p));
// In CI a missing tool fails the tests rather than skipping them.
const skip = missing.length > 0 && process.env['CI'] !== 'true';

let dir: string;
let tmp: string;
let plain: string;

const cli = (args: readonly string[]) => runCli(['--no-config', ...args], { env: { TMPDIR: tmp } });
/** A key pair from the real ssh-keygen (no passphrase): [private key file, .pub line]. */
function keygen(name: string, ...args: string[]): [string, string] {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-N', '', '-C', `${name}@build-host`, '-f', file, ...args]);
  return [file, readFileSync(`${file}.pub`, 'utf8').trim()];
}
/** `ssh-keygen -lf`'s fingerprint of a key file. */
const sshFingerprint = (pub: string): string => execFileSync('ssh-keygen', ['-lf', pub], { encoding: 'utf8' }).split(' ')[1]!;
const byPath = (m: Map<string, TarEntry>): Map<string, TarEntry> => new Map([...m].map(([name, e]) => [name.split('/').slice(1).join('/'), e]));
/** stderr's lines without the usual pointer to --help. */
const errorLines = (stderr: string): string[] =>
  stderr
    .trim()
    .split('\n')
    .filter((l) => !l.startsWith('Run collect-bundle --help'));
const ageDecrypt = (identity: string, file: string): Buffer => execFileSync('age', ['-d', '-i', identity, file], { maxBuffer: 256 * 1024 * 1024 });

describe.skipIf(skip)('ssh recipients', () => {
  let ed: [string, string];
  let rsa: [string, string];
  beforeAll(async () => {
    assertBuilt();
    dir = await tempDir('cb-age-ssh-');
    tmp = await tempDir('cb-age-ssh-tmp-');
    ed = keygen('id_ed25519', '-t', 'ed25519');
    rsa = keygen('id_rsa', '-t', 'rsa', '-b', '3072');
    const r = await cli(['--only', 'system', '-o', join(dir, 'plain')]);
    expect(r.code, describeRun(r)).toBe(0);
    plain = join(dir, 'plain', (await readdir(join(dir, 'plain'))).find((f) => f.endsWith('.tar.gz'))!);
  }, 60_000);
  afterAll(cleanup);

  it('encryptStream to an ssh-ed25519 and an ssh-rsa key: age -d with either private key gives the plain bundle back byte for byte', async () => {
    const recipients = checkRecipients([ed[1], rsa[1]]);
    const chunks: Buffer[] = [];
    for await (const c of await encryptStream(createReadStream(plain) as AsyncIterable<Buffer>, recipients)) chunks.push(c as Buffer);
    const file = join(dir, 'api.tar.gz.age');
    writeFileSync(file, Buffer.concat(chunks));
    const original = readFileSync(plain);
    expect(ageDecrypt(ed[0], file).equals(original)).toBe(true);
    expect(ageDecrypt(rsa[0], file).equals(original)).toBe(true);
    // A key it was not encrypted to opens nothing.
    const [stranger] = keygen('id_stranger', '-t', 'ed25519');
    const wrong = spawnSync('age', ['-d', '-i', stranger, file], { encoding: 'utf8' });
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toMatch(/no identity matched/i);
  });

  it('collect --encrypt-to with .pub lines and --encrypt-to-file with GitHub .keys lines: age -d opens it, the manifest names SHA256 fingerprints only', async () => {
    const keysFile = join(dir, 'github.keys');
    // GitHub's USER.keys: "type base64" lines without a comment.
    writeFileSync(keysFile, `${rsa[1].split(' ').slice(0, 2).join(' ')}\n`);
    const out = join(dir, 'enc');
    const r = await cli(['--only', 'system', '-o', out, '--encrypt-to', ed[1], '--encrypt-to-file', keysFile]);
    expect(r.code, describeRun(r)).toBe(0);
    const files = (await readdir(out)).sort();
    expect(files.map((f) => f.replace(/^.*?(\.tar\.gz\.age(\.sha256)?)$/, '$1'))).toEqual(['.tar.gz.age', '.tar.gz.age.sha256']);
    expect(await readdir(tmp)).toEqual([]);
    const bundle = join(out, files[0]!);
    for (const identity of [ed[0], rsa[0]]) {
      const dec = join(dir, `dec-${identity.split('/').pop()}.tar.gz`);
      writeFileSync(dec, ageDecrypt(identity, bundle));
      const entries = byPath(await untar(dec));
      const pl = byPath(await untar(plain));
      expect([...entries.keys()].sort()).toEqual([...pl.keys()].sort());
      expect(entries.get('system/os.json')!.data.toString()).toBe(pl.get('system/os.json')!.data.toString());
      const manifest = JSON.parse(entries.get('manifest.json')!.data.toString());
      expect(manifest.encryption).toEqual({ format: 'age', recipients: [sshFingerprint(`${ed[0]}.pub`), sshFingerprint(`${rsa[0]}.pub`)] });
      // Neither key nor its comment is anywhere in the bundle; the command line carries the fingerprint.
      for (const [path, e] of entries) {
        const text = e.data.toString('latin1');
        expect(text, path).not.toContain(ed[1].split(' ')[1]!.slice(0, 40));
        expect(text, path).not.toContain('id_ed25519@build-host');
      }
      expect(manifest.commandLine.join(' ')).toContain(sshFingerprint(`${ed[0]}.pub`));
    }
  }, 60_000);

  it('a malformed, unsupported or private ssh key is exit 2 with one line, before anything is collected', async () => {
    const [ecdsa] = keygen('id_ecdsa', '-t', 'ecdsa');
    const [small] = keygen('id_small', '-t', 'rsa', '-b', '1024');
    const blob = ed[1].split(' ')[1]!;
    const rsaBlob = rsa[1].split(' ')[1]!;
    const out = join(dir, 'never');
    const cases: [string, RegExp][] = [
      [
        `ssh-ed25519 ${blob.slice(0, 30)}`,
        /--encrypt-to: "ssh-ed25519 AAAA.*" is not a usable ssh-ed25519 public key \(the key data is cut short\); pass the whole line of the \.pub file/,
      ],
      [`ssh-ed25519 ${rsaBlob}`, /is not a usable ssh-ed25519 public key \(the key data is of type "ssh-rsa", not ssh-ed25519\)/],
      ['ssh-rsa not!base64', /is not a usable ssh-rsa public key \(the key data after the type is missing or not base64\)/],
      [
        readFileSync(`${ecdsa}.pub`, 'utf8').trim(),
        /--encrypt-to: ecdsa-sha2-nistp256 keys cannot be age recipients; expected an age X25519 public key .* or an ssh public key \(ssh-ed25519 AAAA… or ssh-rsa AAAA…/,
      ],
      [readFileSync(`${small}.pub`, 'utf8').trim(), /is not a usable ssh-rsa public key \(an RSA key of 1024 bits is too small \(at least 2048\)\)/],
      [readFileSync(ed[0], 'utf8'), /--encrypt-to: that is a private key, never give it out: pass the public key \(the \.pub file beside it\)/],
      // Hostile keys (review): a low-order Ed25519 point (y = p - 1) made the X25519 step fail only at
      // write time (exit 13, no message); an RSA exponent of 1 made the "encrypted" file key readable by anyone.
      ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOz///////////////////////////////////////9/', /\(it is a low-order point of Ed25519, not a usable key\)/],
      [`ssh-rsa ${rsaWithExponent(rsaBlob, 1)}`, /\(its RSA public exponent is not an odd number from 3 to 2\^24/],
      [`ssh-rsa ${rsaWithExponent(rsaBlob, 65_538)}`, /\(its RSA public exponent is not an odd number from 3 to 2\^24/],
    ];
    for (const [value, message] of cases) {
      const r = await cli(['--only', 'system', '-o', out, `--encrypt-to=${value}`]);
      expect(r.code, describeRun(r)).toBe(2);
      expect(r.stderr).toMatch(message);
      // One line, and the usual pointer to --help.
      expect(errorLines(r.stderr)).toHaveLength(1);
      expect(r.stderr).not.toContain('PRIVATE KEY');
    }
    expect(existsSync(out)).toBe(false);
    expect(await readdir(tmp)).toEqual([]);
  }, 60_000);

  it('verify, inspect and diff read a bundle with --identity ~/.ssh/id_…: OpenSSH ed25519 and rsa keys, and a PEM rsa key', async () => {
    const out = join(dir, 'ident');
    const r = await cli(['--only', 'system', '-o', out, '--encrypt-to', ed[1], '--encrypt-to', rsa[1]]);
    expect(r.code, describeRun(r)).toBe(0);
    const bundle = join(out, (await readdir(out)).find((f) => f.endsWith('.tar.gz.age'))!);
    const pem = join(dir, 'id_rsa_pem');
    writeFileSync(pem, readFileSync(rsa[0]), { mode: 0o600 });
    execFileSync('ssh-keygen', ['-q', '-p', '-N', '', '-m', 'PEM', '-f', pem]);
    expect(readFileSync(pem, 'utf8')).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    for (const identity of [ed[0], rsa[0], pem]) {
      const v = await cli(['verify', bundle, '--identity', identity]);
      expect(v.code, describeRun(v)).toBe(0);
      expect(v.stdout).toMatch(/^ok: \d+ entries verified/m);
    }
    const i = await cli(['inspect', bundle, '--identity', ed[0], '--file', 'system/os.json']);
    expect(i.code, describeRun(i)).toBe(0);
    expect(i.stdout).toBe(
      byPath(await untar(plain))
        .get('system/os.json')!
        .data.toString(),
    );
    const d = await cli(['diff', plain, bundle, '--identity', rsa[0], '--json']);
    expect([0, 1], describeRun(d)).toContain(d.code);
    expect(await readdir(tmp)).toEqual([]);
  }, 60_000);

  it('a passphrase-protected, foreign, unsupported or damaged ssh private key is exit 2 with one line', async () => {
    const out = join(dir, 'ident2');
    const r = await cli(['--only', 'system', '-o', out, '--encrypt-to', ed[1]]);
    expect(r.code, describeRun(r)).toBe(0);
    const bundle = join(out, (await readdir(out)).find((f) => f.endsWith('.tar.gz.age'))!);
    const [locked] = keygen('id_locked', '-t', 'ed25519');
    execFileSync('ssh-keygen', ['-q', '-p', '-N', 'correct horse', '-f', locked]);
    const [stranger] = keygen('id_other', '-t', 'ed25519');
    const [ecdsa] = keygen('id_ecdsa_ident', '-t', 'ecdsa');
    const damaged = join(dir, 'id_damaged');
    const lines = readFileSync(ed[0], 'utf8').split('\n');
    writeFileSync(damaged, [...lines.slice(0, 2), ...lines.slice(3)].join('\n'), { mode: 0o600 });
    const cases: [string, RegExp][] = [
      [locked, /--identity .*id_locked: the ssh key is protected by a passphrase, and collect-bundle never asks for one: decrypt with age, which asks/],
      [stranger, /--identity .*id_other cannot decrypt it \(it was encrypted to another recipient\)/],
      [
        ecdsa,
        /--identity .*id_ecdsa_ident: not a usable ssh private key: its type is ecdsa-sha2-nistp256; only ssh-ed25519 and ssh-rsa keys can be age identities/,
      ],
      [damaged, /--identity .*id_damaged: not a usable ssh private key: /],
    ];
    for (const [identity, message] of cases) {
      const v = await cli(['inspect', bundle, '--identity', identity]);
      expect(v.code, describeRun(v)).toBe(2);
      expect(v.stderr).toMatch(message);
      expect(errorLines(v.stderr)).toHaveLength(1);
      expect(v.stderr).not.toMatch(/PRIVATE KEY|internal error/);
    }
  }, 60_000);
});

/** The ssh-rsa wire key `blob` (base64) with its public exponent replaced by `e`, modulus kept. */
function rsaWithExponent(blob: string, e: number): string {
  const wire = Buffer.from(blob, 'base64');
  const fields: Buffer[] = [];
  for (let at = 0; at < wire.length; ) {
    const len = wire.readUInt32BE(at);
    fields.push(wire.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  const exponent = Buffer.from(e.toString(16).padStart(e.toString(16).length + (e.toString(16).length % 2), '0'), 'hex');
  const field = (b: Buffer): Buffer => Buffer.concat([Buffer.from([b.length >>> 24, (b.length >>> 16) & 255, (b.length >>> 8) & 255, b.length & 255]), b]);
  return Buffer.concat([field(fields[0]!), field(exponent), field(fields[2]!)]).toString('base64');
}
