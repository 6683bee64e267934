/**
 * Issue #16 part 4: `collect-bundle upload` and `collect --upload` through the real CLI against an HTTP
 * server started here on 127.0.0.1 that checks what it receives and fails on purpose (503, a reset
 * mid-body, another checksum, 403), an unreachable port, and (upload-sftp.test.ts) a real sshd. In every
 * failure the exit code is 5 and the bundle stays where it was; no plaintext is left behind.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanup, describeRun, freePort, runCli, tempDir } from '../cli/harness.js';
import { filePart, startUploadServer, type UploadServer } from '../helpers/upload-server.js';

let target: UploadServer;
let base: string;
let dir: string;
let bundle: string;
let tmp: string;

const cli = (args: readonly string[], env: Record<string, string> = {}) => runCli(['--no-config', ...args], { env: { TMPDIR: tmp, ...env } });

describe('upload over HTTP', () => {
  beforeAll(async () => {
    assertBuilt();
    dir = await tempDir('cb-up-');
    tmp = await tempDir('cb-up-tmp-');
    target = await startUploadServer();
    base = target.base;
    // A real bundle, encrypted for a recipient made by the real age-keygen.
    execFileSync('age-keygen', ['-o', join(dir, 'key.txt')], { stdio: 'ignore' });
    const recipient = execFileSync('age-keygen', ['-y', join(dir, 'key.txt')], { encoding: 'utf8' }).trim();
    writeFileSync(join(dir, 'recipients.txt'), `${recipient}\n`);
    const r = await cli(['--only', 'system', '-o', join(dir, 'out'), '--encrypt-to', recipient]);
    expect(r.code, describeRun(r)).toBe(0);
    bundle = join(dir, 'out', (await readdir(join(dir, 'out'))).find((f) => f.endsWith('.tar.gz.age'))!);
  }, 60_000);
  afterEach(() => target.reset());
  afterAll(async () => {
    await target.close();
    await cleanup();
  });

  it('PUTs the bytes to a presigned-style URL and checks the ETag (MD5); the query string is never printed', async () => {
    target.plan = ['etag'];
    const r = await cli(['upload', bundle, `${base}/bucket/b.age?X-Amz-Signature=SIGSECRET123&X-Amz-Credential=AKIA`]);
    expect(r.code, describeRun(r)).toBe(0);
    expect(target.received).toHaveLength(1);
    expect(target.received[0]!.method).toBe('PUT');
    expect(target.received[0]!.url).toContain('X-Amz-Signature=SIGSECRET123');
    expect(target.received[0]!.body.equals(readFileSync(bundle))).toBe(true);
    expect(r.stderr).toMatch(/uploaded .* \(encrypted\); checked: etag-md5/);
    expect(r.stderr + r.stdout).not.toContain('SIGSECRET123');
  });

  it('POSTs multipart/form-data in --upload-field with a token from an environment variable; the token is never printed', async () => {
    target.plan = ['sha256'];
    const r = await cli(['upload', bundle, `${base}/api/upload`, '--upload-field', 'attachment', '--upload-token-env', 'SUPPORT_TOKEN'], {
      SUPPORT_TOKEN: 'tok-9f8e7d6c5b4a',
    });
    expect(r.code, describeRun(r)).toBe(0);
    const got = target.received[0]!;
    expect(got.method).toBe('POST');
    expect(got.headers['authorization']).toBe('Bearer tok-9f8e7d6c5b4a');
    expect(got.body.toString('latin1')).toContain('Content-Disposition: form-data; name="attachment"; filename="');
    expect(filePart(got.body, String(got.headers['content-type']))!.equals(readFileSync(bundle))).toBe(true);
    expect(r.stderr).toContain('checked: sha256');
    expect(r.stderr + r.stdout).not.toContain('tok-9f8e7d6c5b4a');
  });

  it('a token file: its first line is the bearer token', async () => {
    writeFileSync(join(dir, 'token'), 'file-token-123456\n', { mode: 0o600 });
    const r = await cli(['upload', bundle, `${base}/t`, '--upload-token-file', join(dir, 'token')]);
    expect(r.code, describeRun(r)).toBe(0);
    expect(target.received[0]!.headers['authorization']).toBe('Bearer file-token-123456');
  });

  it('retries a 503 with backoff, then succeeds', async () => {
    target.plan = ['503', 'etag'];
    const r = await cli(['upload', bundle, `${base}/retry`]);
    expect(r.code, describeRun(r)).toBe(0);
    expect(target.received).toHaveLength(2);
    expect(target.received[1]!.body.equals(readFileSync(bundle))).toBe(true);
    expect(r.stderr).toMatch(/the server answered 503; retrying in 0\.5 s \(try 2 of 4\)/);
  });

  it('a connection reset mid-body is retried; the second try arrives whole', async () => {
    target.plan = ['reset', 'sha256'];
    const r = await cli(['upload', bundle, `${base}/reset`]);
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stderr).toMatch(/the connection was reset .*retrying/);
    expect(target.received.at(-1)!.body.equals(readFileSync(bundle))).toBe(true);
  });

  it('a server that keeps answering 503: exit 5 after 4 tries, the bundle stays', async () => {
    target.plan = ['503'];
    const r = await cli(['upload', bundle, `${base}/down`]);
    expect(r.code, describeRun(r)).toBe(5);
    expect(target.received).toHaveLength(4);
    expect(r.stderr).toMatch(/upload to http:\/\/127\.0\.0\.1:\d+\/down failed after 4 tries: the server answered 503 \(the bundle stays at /);
    expect(existsSync(bundle)).toBe(true);
  }, 20_000);

  it('a server that answers with a different checksum: exit 5 naming both', async () => {
    target.plan = ['bad-sha256'];
    const r = await cli(['upload', bundle, `${base}/corrupt`]);
    expect(r.code, describeRun(r)).toBe(5);
    expect(r.stderr).toMatch(/received different bytes: its sha256 is [0-9a-f]{64}, the bundle's is [0-9a-f]{64}/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a refusal (403) is not retried: exit 5 with the status', async () => {
    target.plan = ['403'];
    const r = await cli(['upload', bundle, `${base}/forbidden`]);
    expect(r.code, describeRun(r)).toBe(5);
    expect(target.received).toHaveLength(1);
    expect(r.stderr).toMatch(/refused the upload: HTTP 403 \(<Error>AccessDenied<\/Error>\)/);
  });

  it('an unreachable port: exit 5 at once, saying so', async () => {
    const port = await freePort();
    const r = await cli(['upload', bundle, `http://127.0.0.1:${port}/x`]);
    expect(r.code, describeRun(r)).toBe(5);
    expect(r.stderr).toMatch(/is unreachable \(ECONNREFUSED\)/);
    expect(r.ms).toBeLessThan(10_000);
  });

  it('bad destinations and token options are usage errors (exit 2); a token is never taken from argv', async () => {
    for (const [args, message] of [
      [
        ['upload', bundle, 'ftp://host/x'],
        /unsupported scheme ftp; expected https:\/\/… \(or http:\/\/…\), sftp:\/\/user@host\[:port\]\/path or s3:\/\/BUCKET\/KEY/,
      ],
      [['upload', bundle, 'not a url'], /is not a URL/],
      [['upload', bundle, 'sftp://host/x'], /names no user/],
      [['upload', bundle, 'sftp://ops@host/in%E0/x'], /holds a broken %-escape \(write %25 for a literal %\)/],
      [['upload', bundle, `${base}/x`, '--upload-token-env', 'tok-abc123'], /takes the NAME of an environment variable/],
      [['upload', bundle, `${base}/x`, '--upload-token-env', 'UNSET_VAR_XYZ'], /UNSET_VAR_XYZ: that environment variable is not set/],
      [['upload', bundle, `${base}/x`, '--upload-token-file', join(dir, 'missing')], /--upload-token-file .*missing: no such file/],
    ] as [string[], RegExp][]) {
      const r = await cli(args);
      expect(r.code, describeRun(r)).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(target.received).toHaveLength(0);
  });

  it('collect --encrypt-to --upload: only the encrypted bundle is sent, and it is the file on disk', async () => {
    target.plan = ['etag'];
    const out = join(dir, 'collect-up');
    const r = await cli(['--only', 'system', '-o', out, '--encrypt-to-file', join(dir, 'recipients.txt'), '--upload', `${base}/c?opaque=QSECRET99`, '--json']);
    expect(r.code, describeRun(r)).toBe(0);
    const files = (await readdir(out)).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/\.tar\.gz\.age$/);
    expect(target.received).toHaveLength(1);
    expect(target.received[0]!.body.subarray(0, 22).toString('latin1')).toBe('age-encryption.org/v1\n');
    expect(target.received[0]!.body.equals(readFileSync(join(out, files[0]!)))).toBe(true);
    expect(JSON.parse(r.stdout).upload).toMatchObject({ checked: 'etag-md5' });
    // The query of the destination (a presigned URL's signature) is sent, and recorded nowhere.
    expect(target.received[0]!.url).toBe('/c?opaque=QSECRET99');
    expect(r.stdout + r.stderr).not.toContain('QSECRET99');
    const plain = execFileSync('age', ['-d', '-i', join(dir, 'key.txt'), join(out, files[0]!)]);
    const manifest = execFileSync('tar', ['xzOf', '-', '--wildcards', '*/manifest.json'], { input: plain, encoding: 'utf8' });
    expect(JSON.parse(manifest).commandLine).toContain(`${base}/c?…`);
    expect(execFileSync('tar', ['xzOf', '-'], { input: plain }).includes('QSECRET99')).toBe(false);
  });

  it('collect --upload that fails: exit 5, the encrypted bundle is kept, no plaintext bundle or spool anywhere', async () => {
    target.plan = ['503'];
    const out = join(dir, 'collect-fail');
    const r = await cli(['--only', 'system', '-o', out, '--encrypt-to-file', join(dir, 'recipients.txt'), '--upload', `${base}/c`]);
    expect(r.code, describeRun(r)).toBe(5);
    const files = (await readdir(out)).sort();
    expect(files.map((f) => f.replace(/^.*(\.tar\.gz\.age(\.sha256)?)$/, '$1'))).toEqual(['.tar.gz.age', '.tar.gz.age.sha256']);
    expect(await readdir(tmp)).toEqual([]);
  }, 30_000);

  it('collect --upload with a bad destination is refused before anything is collected', async () => {
    const out = join(dir, 'never');
    const r = await cli(['--only', 'system', '-o', out, '--upload', 'gopher://x/y']);
    expect(r.code, describeRun(r)).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  it('the config sets the form field, extra headers and the token variable (upload.*)', async () => {
    target.plan = ['sha256'];
    writeFileSync(join(dir, 'up.json'), JSON.stringify({ upload: { field: 'file', tokenEnv: 'CFG_TOKEN', headers: { 'X-Ticket': '4711' } } }));
    const r = await runCli(['upload', bundle, `${base}/cfg`, '--config', join(dir, 'up.json')], { env: { TMPDIR: tmp, CFG_TOKEN: 'cfg-token-abcdef' } });
    expect(r.code, describeRun(r)).toBe(0);
    expect(target.received[0]!.method).toBe('POST');
    expect(target.received[0]!.headers['x-ticket']).toBe('4711');
    expect(target.received[0]!.headers['authorization']).toBe('Bearer cfg-token-abcdef');
    expect(filePart(target.received[0]!.body, String(target.received[0]!.headers['content-type']))!.equals(readFileSync(bundle))).toBe(true);
  });

  it('a plain bundle is refused when recipients are configured', async () => {
    const plainOut = join(dir, 'plain');
    const c = await cli(['--only', 'system', '-o', plainOut]);
    expect(c.code).toBe(0);
    const plainBundle = join(plainOut, (await readdir(plainOut)).find((f) => f.endsWith('.tar.gz'))!);
    writeFileSync(join(dir, 'cfg.json'), JSON.stringify({ encryptTo: [readFileSync(join(dir, 'recipients.txt'), 'utf8').trim()] }));
    const r = await runCli(['upload', plainBundle, `${base}/p`, '--config', join(dir, 'cfg.json')], { env: { TMPDIR: tmp } });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toMatch(/is not encrypted, but recipients are configured: only an encrypted bundle \(\.tar\.gz\.age\) is uploaded/);
    expect(target.received).toHaveLength(0);
  });
});

describe.skipIf(!existsSync('/usr/bin/script'))('upload on a terminal (util-linux script)', () => {
  let srv: http.Server;
  let url: string;
  let puts = 0;
  let folder: string;
  let file: string;
  beforeAll(async () => {
    folder = await tempDir('cb-up-tty-');
    file = join(folder, 'collect-bundle-h-20261207T120000Z-abcdef.tar.gz');
    writeFileSync(file, Buffer.alloc(300_000, 7));
    srv = http.createServer((req, res) => {
      puts++;
      req.resume().on('end', () => res.writeHead(200).end());
    });
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/tty`;
  });
  afterAll(async () => {
    await new Promise((resolve) => srv.close(resolve));
    await cleanup();
  });
  /** The CLI on a pseudo-terminal, `answer` typed in (asynchronously: this process's server must answer meanwhile). */
  const onTty = (answer: string, extra = ''): Promise<string> =>
    new Promise((resolve, reject) => {
      const child = execFile(
        'script',
        [
          '-qec',
          `'${process.execPath}' -- '${join(import.meta.dirname, '../../bin/collect-bundle.js')}' upload '${file}' '${url}' --no-config ${extra}; echo "rc=$?"`,
          '/dev/null',
        ],
        { encoding: 'utf8', timeout: 30_000 },
        (err, stdout) => (err ? reject(err) : resolve(stdout)),
      );
      child.stdin!.end(answer);
    });

  it('asks first, showing size, destination and that the bundle is NOT encrypted; "n" uploads nothing (exit 1)', async () => {
    const out = await onTty('n\n');
    expect(out).toMatch(/Upload .*\.tar\.gz \(293 KiB, NOT encrypted\) to http:\/\/127\.0\.0\.1:\d+\/tty\? \[y\/N\]/);
    expect(out).toMatch(/cancelled; the bundle stays at/);
    expect(out).toContain('rc=1');
    expect(puts).toBe(0);
  });

  it('"y" uploads, with a progress line; --yes never asks', async () => {
    const out = await onTty('y\n');
    expect(out).toMatch(/uploading 100% 293 KiB of 293 KiB/);
    expect(out).toContain('rc=0');
    expect(puts).toBe(1);
    const quiet = await onTty('', '--yes');
    expect(quiet).not.toMatch(/\[y\/N\]/);
    expect(quiet).toContain('rc=0');
    expect(puts).toBe(2);
  });
});
