/**
 * Issue #16 part 4, S3: `collect-bundle upload BUNDLE s3://BUCKET/KEY` and `collect --upload s3://…`
 * through the real CLI against the S3 server of tests/helpers/s3-server.ts on 127.0.0.1 (path-style,
 * SigV4 from the SDK's credential chain, fed by environment variables here). A ~20 MiB bundle goes as 3
 * parts of 8 MiB; a part that always fails leaves `<bundle>.upload.json` (0600, no secret) and exit 5;
 * the next run sends only the missing part; a changed bundle or an upload gone on the server starts over;
 * Ctrl-C keeps the state; a wrong ETag on complete is exit 5; missing credentials exit 2 before any request.
 */
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { compositeSha256, hashParts, multipartEtag } from '../../src/run/upload-s3-state.js';
import { base64AsHex, partSizeFor } from '../../src/run/upload-s3.js';
import { redact } from '../../src/run/library.js';
import { DOCKER_HOST, dockerUnavailable } from '../helpers/docker.js';
import { type S3Server, startS3Server } from '../helpers/s3-server.js';
import { assertBuilt, BIN, cleanup, cliEnv, describeRun, freePort, runCli, startCli, tempDir, waitUntil } from '../cli/harness.js';

let s3: S3Server;
let dir: string;
let home: string;
let big: string;
let data: Buffer;
const BUCKET = 'support-drop';
const NAME = 'collect-bundle-web1-20261207T120000Z-s3test.tar.gz';

/** The SDK's chain sees only these credentials: no ~/.aws, no instance metadata, no region. */
const awsEnv = (extra: Record<string, string | undefined> = {}): Record<string, string | undefined> => ({
  HOME: home,
  AWS_ACCESS_KEY_ID: s3.accessKeyId,
  AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_REGION: undefined,
  AWS_DEFAULT_REGION: undefined,
  AWS_ENDPOINT_URL: undefined,
  AWS_ENDPOINT_URL_S3: undefined,
  AWS_CONFIG_FILE: join(home, 'no-aws-config'),
  AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-aws-credentials'),
  AWS_EC2_METADATA_DISABLED: 'true',
  TMPDIR: dir,
  ...extra,
});
const cli = (args: readonly string[], env: Record<string, string | undefined> = {}) =>
  runCli(['--no-config', ...args], { env: awsEnv(env), killAfterMs: 60_000 });
const upload = (file: string, dest: string, env: Record<string, string | undefined> = {}) => cli(['upload', file, dest, '--s3-endpoint', s3.endpoint], env);
const parts = (): number[] => s3.requests.filter((r) => r.op === 'UploadPart' && r.status === 200).map((r) => r.part!);
const ops = (): string[] => s3.requests.map((r) => r.op);
const stateOf = (file: string) => JSON.parse(readFileSync(`${file}.upload.json`, 'utf8')) as Record<string, unknown>;

describe('upload to S3 (multipart, resumable)', () => {
  beforeAll(async () => {
    assertBuilt();
    s3 = await startS3Server();
    dir = await tempDir('cb-s3-');
    home = await tempDir('cb-s3-home-');
    big = join(dir, NAME);
    // 20 MiB of random bytes: 8 + 8 + 4 MiB parts.
    data = randomBytes(20 * 1024 * 1024);
    writeFileSync(big, data, { mode: 0o600 });
  });
  afterEach(() => s3.reset());
  afterAll(async () => {
    await s3.close();
    await cleanup();
  });

  it('a 20 MiB bundle goes as 3 parts to BUCKET/KEY/ + its name, and the object is the file (ETag checked)', async () => {
    const r = await upload(big, `s3://${BUCKET}/in/`);
    expect(r.code, describeRun(r)).toBe(0);
    expect(ops()).toEqual(['CreateMultipartUpload', 'UploadPart', 'UploadPart', 'UploadPart', 'CompleteMultipartUpload']);
    expect(parts().sort()).toEqual([1, 2, 3]);
    expect(s3.objects.get(`${BUCKET}/in/${NAME}`)!.equals(data)).toBe(true);
    // Every request is signed with the test key (the server refuses any other) and carries each part's sha256.
    expect(s3.requests.every((q) => String(q.headers.authorization).includes(`Credential=${s3.accessKeyId}/`))).toBe(true);
    expect(s3.requests.filter((q) => q.op === 'UploadPart').every((q) => typeof q.headers['x-amz-checksum-sha256'] === 'string')).toBe(true);
    expect(r.stderr).toMatch(new RegExp(`uploaded +20 MiB to s3://${BUCKET}/in/${NAME.replace(/\./g, '\\.')}; checked: etag-multipart`));
    expect(existsSync(`${big}.upload.json`)).toBe(false);
    expect(r.stderr + r.stdout).not.toContain(s3.secretAccessKey);
  });

  it('part 2 failing every time: exit 5, the state file is kept (0600, no secret); the next run sends only part 2', async () => {
    s3.faults = [{ op: 'UploadPart', part: 2, kind: '503', times: Number.POSITIVE_INFINITY }];
    const first = await upload(big, `s3://${BUCKET}/resume.tar.gz`);
    expect(first.code, describeRun(first)).toBe(5);
    expect(s3.requests.filter((q) => q.op === 'UploadPart' && q.part === 2)).toHaveLength(4);
    expect(first.stderr).toMatch(
      /failed after 4 tries \(part 2 of 3\): the server answered 503; 2 of 3 parts are uploaded \(the bundle stays at \S+s3test\.tar\.gz; resume with: collect-bundle upload \S+s3test\.tar\.gz s3:\/\/support-drop\/resume\.tar\.gz --s3-endpoint http:\/\/127\.0\.0\.1:\d+\)$/m,
    );
    expect(statSync(`${big}.upload.json`).mode & 0o777).toBe(0o600);
    const text = readFileSync(`${big}.upload.json`, 'utf8');
    const state = stateOf(big);
    expect(state).toMatchObject({ bucket: BUCKET, key: 'resume.tar.gz', endpoint: new URL(s3.endpoint).host, partSize: 8 * 1024 * 1024, size: data.length });
    expect(state['uploadId']).toBe([...s3.uploads.keys()][0]);
    expect(text).not.toContain(s3.secretAccessKey);
    expect(text).not.toContain(s3.accessKeyId);
    expect(first.stderr + first.stdout).not.toContain(s3.secretAccessKey);
    expect((await readdir(dir)).filter((f) => f.includes('.tmp'))).toEqual([]);

    // The second run: the endpoint from the SDK's own variable this time.
    s3.faults = [];
    s3.requests.length = 0;
    const second = await cli(['upload', big, `s3://${BUCKET}/resume.tar.gz`], { AWS_ENDPOINT_URL_S3: s3.endpoint });
    expect(second.code, describeRun(second)).toBe(0);
    expect(second.stderr).toContain('resuming: 2 of 3 parts already uploaded');
    expect(ops()).toEqual(['ListParts', 'UploadPart', 'CompleteMultipartUpload']);
    expect(parts()).toEqual([2]);
    expect(s3.objects.get(`${BUCKET}/resume.tar.gz`)!.equals(data)).toBe(true);
    expect(existsSync(`${big}.upload.json`)).toBe(false);
  }, 30_000);

  it('a bundle changed between runs starts a fresh upload (and aborts the old one)', async () => {
    const file = join(dir, 'changed.tar.gz');
    writeFileSync(file, data);
    s3.faults = [{ op: 'UploadPart', part: 3, kind: '403', times: 1 }];
    const first = await upload(file, `s3://${BUCKET}/changed.tar.gz`);
    expect(first.code, describeRun(first)).toBe(5);
    expect(first.stderr).toMatch(
      /refused the upload: HTTP 403 AccessDenied: Access Denied; \d of 3 parts are uploaded \(the bundle stays at \S+; resume with: collect-bundle upload \S+changed\.tar\.gz s3:\/\/support-drop\/changed\.tar\.gz --s3-endpoint http:\/\/127\.0\.0\.1:\d+\)/,
    );
    expect(first.stderr).not.toMatch(/AWS SDK|object Object/);
    const old = stateOf(file)['uploadId'] as string;
    const changed = Buffer.from(data);
    changed.write('changed!', 100);
    writeFileSync(file, changed);
    s3.requests.length = 0;
    const second = await upload(file, `s3://${BUCKET}/changed.tar.gz`);
    expect(second.code, describeRun(second)).toBe(0);
    expect(second.stderr).toContain(`the bundle changed since the last try: starting a fresh upload of s3://${BUCKET}/changed.tar.gz`);
    expect(ops().slice(0, 2)).toEqual(['AbortMultipartUpload', 'CreateMultipartUpload']);
    expect(s3.uploads.has(old)).toBe(false);
    expect(parts().sort()).toEqual([1, 2, 3]);
    expect(s3.objects.get(`${BUCKET}/changed.tar.gz`)!.equals(changed)).toBe(true);
  }, 30_000);

  it('an upload gone on the server (NoSuchUpload) starts over', async () => {
    const file = join(dir, 'gone.tar.gz');
    writeFileSync(file, data);
    s3.faults = [{ op: 'CompleteMultipartUpload', kind: '403', times: 1 }];
    const first = await upload(file, `s3://${BUCKET}/gone.tar.gz`);
    expect(first.code, describeRun(first)).toBe(5);
    expect(existsSync(`${file}.upload.json`)).toBe(true);
    s3.uploads.clear();
    s3.requests.length = 0;
    const second = await upload(file, `s3://${BUCKET}/gone.tar.gz`);
    expect(second.code, describeRun(second)).toBe(0);
    expect(second.stderr).toContain(`the earlier upload to s3://${BUCKET}/gone.tar.gz is gone on the server: starting a fresh upload`);
    expect(parts().sort()).toEqual([1, 2, 3]);
    expect(s3.objects.get(`${BUCKET}/gone.tar.gz`)!.equals(data)).toBe(true);
  });

  it('a 503 and a reset mid-part are retried; the object arrives whole', async () => {
    s3.faults = [
      { op: 'UploadPart', part: 1, kind: '503', times: 1 },
      { op: 'UploadPart', part: 3, kind: 'reset', times: 1 },
    ];
    const r = await upload(big, `s3://${BUCKET}/retry.tar.gz`);
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stderr).toMatch(/part 1 of 3: the server answered 503; retrying in 0\.5 s \(try 2 of 4\)/);
    expect(r.stderr).toMatch(/part 3 of 3: the connection was reset .*; retrying in 0\.5 s/);
    expect(s3.objects.get(`${BUCKET}/retry.tar.gz`)!.equals(data)).toBe(true);
  });

  it("CompleteMultipartUpload's reply lost: the retry finds the upload gone, and the object itself (HeadObject) shows it arrived", async () => {
    s3.faults = [{ op: 'CompleteMultipartUpload', kind: 'lost-reply', times: 1 }];
    const r = await upload(big, `s3://${BUCKET}/lost.tar.gz`);
    expect(r.code, describeRun(r)).toBe(0);
    expect(ops().filter((o) => o === 'CompleteMultipartUpload')).toHaveLength(2);
    expect(ops()).toContain('HeadObject');
    expect(s3.objects.get(`${BUCKET}/lost.tar.gz`)!.equals(data)).toBe(true);
    expect(existsSync(`${big}.upload.json`)).toBe(false);
    // The same, but the key then holds another object: not taken for ours (exit 5, as the retry's answer said).
    s3.faults = [{ op: 'CompleteMultipartUpload', kind: 'lost-reply-other', times: 1 }];
    const other = await upload(big, `s3://${BUCKET}/lost2.tar.gz`);
    expect(other.code, describeRun(other)).toBe(5);
    expect(other.stderr).toMatch(/NoSuchUpload/);
    rmSync(`${big}.upload.json`, { force: true }); // kept to resume; the next tests start clean
  });

  it('a wrong ETag for the completed object: exit 5 "different checksum"', async () => {
    s3.faults = [{ op: 'CompleteMultipartUpload', kind: 'bad-etag', times: 1 }];
    const r = await upload(big, `s3://${BUCKET}/bad.tar.gz`);
    expect(r.code, describeRun(r)).toBe(5);
    expect(r.stderr).toMatch(/received different bytes \(different checksum\): its ETag is [0-9a-f]{32}-3, the bundle's is [0-9a-f]{32}-3/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    // The ETag right but the composite sha256 of the parts wrong: also exit 5.
    s3.faults = [{ op: 'CompleteMultipartUpload', kind: 'bad-checksum', times: 1 }];
    const sha = await upload(big, `s3://${BUCKET}/bad2.tar.gz`);
    expect(sha.code, describeRun(sha)).toBe(5);
    expect(sha.stderr).toMatch(
      /received different bytes \(different checksum\): its composite sha256 \(hex\) is [0-9a-f]{64}-3, the bundle's is [0-9a-f]{64}-3/,
    );
  });

  it('a composite sha256 is shown in hex: a base64 one holding a word such as "key" was hidden as a secret', async () => {
    // Seen once in CI: the bundle's own checksum came out as [REDACTED:high-entropy-secret:…].
    const random = Buffer.from('0a1b2c3d4e5f60718293a4b5c6d7e8f900112233445566778899aabbccddeeff', 'hex').toString('base64');
    const b64 = `${random.slice(0, 8)}AuthKey9${random.slice(16)}-3`;
    const line = (v: string): string => `s3://b/x.tar.gz received different bytes (different checksum): its composite sha256 is ${v}, the bundle's is ${v}`;
    expect((await redact(line(b64), { env: {} })).text).toContain('[REDACTED:');
    const hex = base64AsHex(b64);
    expect(hex).toMatch(/^[0-9a-f]{64}-3$/);
    expect(Buffer.from(hex.slice(0, 64), 'hex').toString('base64')).toBe(b64.slice(0, -2));
    expect((await redact(line(hex), { env: {} })).text).toBe(line(hex));
    // Not a base64 sha256: shown as it came.
    expect(base64AsHex('not-a-checksum')).toBe('not-a-checksum');
  });

  it('a bucket with SSE-KMS (ETags that are not MD5s): the sha256 checksums S3 verified decide, and resuming works', async () => {
    s3.kms = true;
    const file = join(dir, 'kms.tar.gz');
    writeFileSync(file, data);
    s3.faults = [{ op: 'UploadPart', part: 2, kind: '403', times: 1 }];
    const first = await upload(file, `s3://${BUCKET}/kms.tar.gz`);
    expect(first.code, describeRun(first)).toBe(5);
    s3.requests.length = 0;
    const second = await upload(file, `s3://${BUCKET}/kms.tar.gz`);
    expect(second.code, describeRun(second)).toBe(0);
    expect(second.stderr).toContain('resuming: 2 of 3 parts already uploaded');
    expect(parts()).toEqual([2]);
    expect(second.stderr).toMatch(/uploaded +20 MiB to s3:\/\/support-drop\/kms\.tar\.gz \(resumed: 2 parts were already there\); checked: sha256/);
    expect(s3.objects.get(`${BUCKET}/kms.tar.gz`)!.equals(data)).toBe(true);
    const small = join(dir, 'kms-small.tar.gz');
    writeFileSync(small, data.subarray(0, 100_000));
    const one = await upload(small, `s3://${BUCKET}/kms-small.tar.gz`);
    expect(one.code, describeRun(one)).toBe(0);
    expect(one.stderr).toContain('checked: sha256');
    // Under SSE-KMS a wrong composite sha256 is still exit 5.
    s3.faults = [{ op: 'CompleteMultipartUpload', kind: 'bad-checksum', times: 1 }];
    const bad = await upload(file, `s3://${BUCKET}/kms2.tar.gz`);
    expect(bad.code, describeRun(bad)).toBe(5);
    expect(bad.stderr).toMatch(/different checksum\): its composite sha256 \(hex\) is/);
  }, 30_000);

  it('Ctrl-C during the upload leaves a whole state file, and the next run resumes from it', async () => {
    const file = join(dir, 'interrupted.tar.gz');
    writeFileSync(file, data);
    s3.faults = [{ op: 'UploadPart', part: 2, kind: '503', times: Number.POSITIVE_INFINITY }];
    const run = startCli(['--no-config', 'upload', file, `s3://${BUCKET}/int.tar.gz`, '--s3-endpoint', s3.endpoint], { env: awsEnv() });
    // Parts 1 and 3 are there and part 2 has failed 3 times: the run waits 2 s before its last try.
    await waitUntil(() => parts().length === 2 && s3.requests.filter((q) => q.op === 'UploadPart' && q.part === 2).length === 3, 20_000, 'part 2 failing');
    const stopped = Date.now();
    run.child.kill('SIGINT');
    const r = await run.result;
    expect(r.code, describeRun(r)).toBe(130);
    // Ctrl-C ends the wait instead of sitting it out.
    expect(Date.now() - stopped).toBeLessThan(1500);
    expect(s3.requests.filter((q) => q.op === 'UploadPart' && q.part === 2)).toHaveLength(3);
    expect(r.stderr).toContain(
      `interrupted: the upload was stopped; resume with: collect-bundle upload ${file} s3://${BUCKET}/int.tar.gz --s3-endpoint ${s3.endpoint}`,
    );
    expect(stateOf(file)).toMatchObject({ key: 'int.tar.gz', size: data.length });
    expect((await readdir(dir)).filter((f) => f.includes('.tmp'))).toEqual([]);
    // Touched, not changed: the same bytes resume (the content decides, not the mtime).
    utimesSync(file, new Date(), new Date(Date.now() + 60_000));
    s3.faults = [];
    s3.requests.length = 0;
    // One part a page: the listing is followed to its end.
    s3.listPageSize = 1;
    const again = await upload(file, `s3://${BUCKET}/int.tar.gz`);
    expect(again.code, describeRun(again)).toBe(0);
    expect(again.stderr).toContain('resuming: 2 of 3 parts already uploaded');
    expect(ops()).toEqual(['ListParts', 'ListParts', 'UploadPart', 'CompleteMultipartUpload']);
    expect(parts()).toEqual([2]);
    expect(s3.objects.get(`${BUCKET}/int.tar.gz`)!.equals(data)).toBe(true);
  }, 30_000);

  it('credentials: none found is exit 2 in one line before any request; a key the server does not know is exit 5', async () => {
    const none = await upload(big, `s3://${BUCKET}/x.tar.gz`, { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
    expect(none.code, describeRun(none)).toBe(2);
    // One line saying what and how to fix it (and the usage hint every usage error ends with).
    expect(none.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^collect-bundle: s3:\/\/support-drop\/x\.tar\.gz: no AWS credentials found/),
      'Run collect-bundle --help for usage.',
    ]);
    expect(none.stderr).toMatch(/no AWS credentials found .*set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with ~\/\.aws\/credentials/);
    const wrong = await upload(big, `s3://${BUCKET}/x.tar.gz`, { AWS_ACCESS_KEY_ID: 'AKIDWRONG', AWS_SECRET_ACCESS_KEY: 'wrong-secret-Kq1' });
    expect(wrong.code, describeRun(wrong)).toBe(5);
    expect(wrong.stderr).toMatch(/refused the upload: HTTP 403 InvalidAccessKeyId/);
    expect(wrong.stderr).not.toContain('wrong-secret-Kq1');
    // The right key id with a wrong secret: the server recomputes the signature and refuses it.
    const badSecret = await upload(big, `s3://${BUCKET}/x.tar.gz`, { AWS_SECRET_ACCESS_KEY: 'wrong-secret-Kq1' });
    expect(badSecret.code, describeRun(badSecret)).toBe(5);
    expect(badSecret.stderr).toMatch(/refused the upload: HTTP 403 SignatureDoesNotMatch/);
    expect(badSecret.stderr).not.toContain('wrong-secret-Kq1');
    expect(s3.objects.size).toBe(0);
  });

  it("credentials from a profile in the shared credentials file; the SDK's warning is one line of ours", async () => {
    const small = join(dir, 'small.tar.gz');
    writeFileSync(small, data.subarray(0, 300_000));
    const creds = join(home, 'credentials');
    writeFileSync(creds, `[support]\naws_access_key_id = ${s3.accessKeyId}\naws_secret_access_key = ${s3.secretAccessKey}\n`, { mode: 0o600 });
    const env = { AWS_SHARED_CREDENTIALS_FILE: creds, AWS_PROFILE: 'support' };
    const r = await upload(small, `s3://${BUCKET}/p.tar.gz`, { ...env, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
    expect(r.code, describeRun(r)).toBe(0);
    expect(s3.requests.map((q) => q.op)).toEqual(['PutObject']);
    expect(s3.objects.get(`${BUCKET}/p.tar.gz`)!.equals(data.subarray(0, 300_000))).toBe(true);
    expect(r.stderr).toMatch(/uploaded +293 KiB to s3:\/\/support-drop\/p\.tar\.gz; checked: etag-md5/);
    // Both a profile and a (wrong) key pair in the environment: the SDK takes the profile and says so.
    const both = await upload(small, `s3://${BUCKET}/p2.tar.gz`, { ...env, AWS_ACCESS_KEY_ID: 'AKIDWRONG', AWS_SECRET_ACCESS_KEY: 'wrong-secret-Kq1' });
    expect(both.code, describeRun(both)).toBe(0);
    expect(both.stderr).toMatch(/^collect-bundle: warning: AWS SDK: .*Multiple credential sources detected: .* AWS_PROFILE/m);
    expect(both.stderr.split('\n').filter((l) => /credential/i.test(l))).toHaveLength(1);
    expect(both.stderr + r.stderr).not.toMatch(new RegExp(`${s3.secretAccessKey}|wrong-secret-Kq1`));
  });

  it('an endpoint nobody listens on: exit 5 at once, naming the address', async () => {
    const port = await freePort();
    const r = await cli(['upload', big, `s3://${BUCKET}/x.tar.gz`, '--s3-endpoint', `http://127.0.0.1:${port}`]);
    expect(r.code, describeRun(r)).toBe(5);
    expect(r.stderr).toContain(`s3://${BUCKET}/x.tar.gz is unreachable (ECONNREFUSED at 127.0.0.1:${port})`);
    expect(existsSync(`${big}.upload.json`)).toBe(false);
    expect(r.ms).toBeLessThan(15_000);
  });

  it.skipIf(!existsSync('/usr/bin/script') && !process.env['CI'])('on a terminal: a progress line up to 100%', async () => {
    const out = await new Promise<string>((resolve, reject) => {
      const child = execFile(
        'script',
        [
          '-qec',
          `'${process.execPath}' -- '${BIN}' --no-config upload '${big}' 's3://${BUCKET}/tty.tar.gz' --s3-endpoint '${s3.endpoint}' --yes; echo "rc=$?"`,
          '/dev/null',
        ],
        { encoding: 'utf8', timeout: 30_000, env: cliEnv(awsEnv()), cwd: dir },
        (err, stdout) => (err ? reject(err) : resolve(stdout)),
      );
      child.stdin!.end();
    });
    expect(out).toMatch(/uploading 100% 20 MiB of 20 MiB/);
    expect(out).toContain('rc=0');
    expect(s3.objects.get(`${BUCKET}/tty.tar.gz`)!.equals(data)).toBe(true);
  });

  it('bad s3 destinations and endpoints are usage errors (exit 2); credentials in the URL are never echoed', async () => {
    for (const [dest, extra, message] of [
      ['s3://Bad_Bucket/x', [], /"Bad_Bucket" is not an S3 bucket name/],
      ['s3://AKIAX:urlsecret99@bucket/x', [], /must not hold credentials/],
      ['s3://bucket/x?versionId=1', [], /expected s3:\/\/BUCKET\/KEY \(no port, query or fragment\)/],
      ['s3://bucket/bad%E0', [], /the key holds a broken %-escape/],
      ['s3://bucket/x', ['--s3-endpoint', 'ftp://host'], /--s3-endpoint: expected an http\(s\):\/\/ URL/],
    ] as [string, string[], RegExp][]) {
      const r = await cli(['upload', big, dest, ...extra]);
      expect(r.code, describeRun(r)).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toContain('urlsecret99');
    }
    // An endpoint from the environment is checked like the flag (review: it was exit 5 "Invalid URL").
    const fromEnv = await cli(['upload', big, 's3://bucket/x'], { AWS_ENDPOINT_URL: 'notaurl' });
    expect(fromEnv.code, describeRun(fromEnv)).toBe(2);
    expect(fromEnv.stderr).toMatch(/AWS_ENDPOINT_URL_S3\/AWS_ENDPOINT_URL: expected an http\(s\):\/\/ URL/);
    expect(s3.requests).toHaveLength(0);
  });
});

describe('collect --upload s3://', () => {
  let srv: S3Server;
  beforeAll(async () => {
    assertBuilt();
    srv = await startS3Server();
    s3 = srv;
    dir = await tempDir('cb-s3c-');
    home = await tempDir('cb-s3c-home-');
  });
  afterEach(() => srv.reset());
  afterAll(async () => {
    await srv.close();
    await cleanup();
  });

  it('collects on the test engine, then PUTs the bundle (one request: smaller than a part); the config names the endpoint', async () => {
    const docker = DOCKER_HOST && !dockerUnavailable;
    const out = join(dir, 'out');
    writeFileSync(join(dir, 'cfg.json'), JSON.stringify({ upload: { s3Endpoint: srv.endpoint } }));
    const r = await runCli(
      [
        '--config',
        join(dir, 'cfg.json'),
        '--only',
        docker ? 'system,docker' : 'system',
        // Not the containers other test files create and remove meanwhile (a removal mid-run is exit 3).
        ...(docker ? ['--containers', 'cb-s3-no-container-*'] : []),
        '-o',
        out,
        '--upload',
        `s3://${BUCKET}/in/`,
        '--json',
      ],
      {
        env: awsEnv(docker ? { DOCKER_HOST } : {}),
        killAfterMs: 90_000,
      },
    );
    expect(r.code, describeRun(r)).toBe(0);
    const name = (await readdir(out)).find((f) => f.endsWith('.tar.gz'))!;
    expect(srv.requests.map((q) => q.op)).toEqual(['PutObject']);
    expect(srv.objects.get(`${BUCKET}/in/${name}`)!.equals(readFileSync(join(out, name)))).toBe(true);
    expect(JSON.parse(r.stdout).upload).toMatchObject({ to: `s3://${BUCKET}/in/${name}`, checked: 'etag-md5' });
  }, 90_000);

  it('refuses before collecting when no credentials are found', async () => {
    const out = join(dir, 'never');
    const r = await runCli(['--no-config', '--only', 'system', '-o', out, '--upload', `s3://${BUCKET}/in/`, '--s3-endpoint', srv.endpoint], {
      env: awsEnv({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined }),
    });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toMatch(/no AWS credentials found/);
    expect(existsSync(out)).toBe(false);
    expect(srv.requests).toHaveLength(0);
  });

  it('schedule --upload s3:// refuses before its first run when no credentials are found', async () => {
    const out = join(dir, 'never-scheduled');
    const r = await runCli(
      [
        '--no-config',
        'schedule',
        '--every',
        '1h',
        '--max-runs',
        '1',
        '--only',
        'system',
        '-o',
        out,
        '--upload',
        `s3://${BUCKET}/in/`,
        '--s3-endpoint',
        srv.endpoint,
      ],
      { env: awsEnv({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined }), killAfterMs: 60_000 },
    );
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toMatch(/no AWS credentials found/);
    expect(existsSync(out) ? await readdir(out) : []).toEqual([]);
    expect(srv.requests).toHaveLength(0);
  });
});

describe('S3 part arithmetic', () => {
  const MiB = 1024 * 1024;
  afterAll(cleanup);
  it('8 MiB parts, grown in whole MiB so no file needs more than 10,000; never under 5 MiB', () => {
    expect(partSizeFor(20 * MiB)).toBe(8 * MiB);
    expect(partSizeFor(80_000 * MiB)).toBe(8 * MiB);
    expect(partSizeFor(80_000 * MiB + 1)).toBe(9 * MiB);
    const huge = 100 * 1024 * MiB;
    expect(Math.ceil(huge / partSizeFor(huge))).toBeLessThanOrEqual(10_000);
    expect(partSizeFor(20 * MiB, 1024)).toBe(5 * MiB);
  });

  it("hashes each part and the whole file in one read; the ETags are S3's (md5 of md5s -N, composite sha256)", async () => {
    const folder = await tempDir('cb-s3-hash-');
    const file = join(folder, 'b');
    const bytes = randomBytes(5 * MiB * 2 + 123);
    writeFileSync(file, bytes);
    const got = await hashParts(file, 5 * MiB);
    const slices = [bytes.subarray(0, 5 * MiB), bytes.subarray(5 * MiB, 10 * MiB), bytes.subarray(10 * MiB)];
    const h = (alg: string, b: Buffer) => createHash(alg).update(b).digest();
    expect(got.sha256).toBe(h('sha256', bytes).toString('hex'));
    expect(got.parts).toEqual(slices.map((b) => ({ md5: h('md5', b).toString('hex'), sha256: h('sha256', b).toString('base64') })));
    expect(multipartEtag(got.parts)).toBe(`${h('md5', Buffer.concat(slices.map((b) => h('md5', b)))).toString('hex')}-3`);
    expect(compositeSha256(got.parts)).toBe(`${h('sha256', Buffer.concat(slices.map((b) => h('sha256', b)))).toString('base64')}-3`);
    // Exactly two parts: no empty third one; an empty file: one empty part.
    writeFileSync(file, bytes.subarray(0, 10 * MiB));
    expect((await hashParts(file, 5 * MiB)).parts).toHaveLength(2);
    writeFileSync(file, '');
    expect((await hashParts(file, 5 * MiB)).parts).toEqual([
      { md5: h('md5', Buffer.alloc(0)).toString('hex'), sha256: h('sha256', Buffer.alloc(0)).toString('base64') },
    ]);
  });
});
