/**
 * Issue #16 with `schedule`: every scheduled bundle is written encrypted (`.tar.gz.age`, no plaintext
 * anywhere) and uploaded after it is written, through the REAL built CLI with a real collection
 * (`--only system`, plus `docker` from the test engine in the first test), the real `age` to decrypt, and an HTTP server on 127.0.0.1. A failed upload is said
 * in that run's line, keeps the bundle and does not stop the schedule; retention counts and prunes
 * encrypted bundles like plain ones, and leaves an `.age` file it cannot prove is ours alone.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanup, describeRun, freePort, runCli, tempDir } from '../cli/harness.js';
import { DOCKER_HOST, dockerUnavailable } from '../helpers/docker.js';
import { startUploadServer, type UploadServer } from '../helpers/upload-server.js';

let target: UploadServer;
let dir: string;
let tmp: string;
let recipient: string;

/** The test Docker engine, when there is one: the first schedule collects from it too. */
const engine = DOCKER_HOST && !dockerUnavailable ? { DOCKER_HOST } : undefined;

/** The run lines of a schedule's stderr. */
const runLines = (stderr: string): string[] => stderr.split('\n').filter((l) => / run \d+\/\d+ /.test(l));

describe('schedule encrypts and uploads', () => {
  beforeAll(async () => {
    assertBuilt();
    dir = await tempDir('cb-sched-share-');
    tmp = await tempDir('cb-sched-share-tmp-');
    target = await startUploadServer();
    execFileSync('age-keygen', ['-o', join(dir, 'key.txt')], { stdio: 'ignore' });
    recipient = execFileSync('age-keygen', ['-y', join(dir, 'key.txt')], { encoding: 'utf8' }).trim();
    writeFileSync(join(dir, 'recipients.txt'), `# support\n${recipient}\n`);
  });
  afterEach(() => target.reset());
  afterAll(async () => {
    await target.close();
    await cleanup();
  });

  it('two runs: both bundles encrypted (age -d opens them), both uploaded byte for byte, no plaintext left', async () => {
    target.plan = ['etag'];
    const out = join(dir, 'both');
    const r = await runCli(
      [
        'schedule',
        '--no-config',
        '--every',
        '1s',
        '--max-runs',
        '2',
        '--only',
        engine ? 'system,docker' : 'system',
        // The engine's own files, not the containers other test files create and remove meanwhile (one
        // removed mid-collection makes the run partial).
        ...(engine ? ['--containers', 'cb-sched-no-container-*'] : []),
        '-o',
        out,
        '--encrypt-to',
        recipient,
        '--upload',
        `${target.base}/drop/?sig=SCHEDSIG42`,
      ],
      { env: { TMPDIR: tmp, ...engine } },
    );
    expect(r.code, describeRun(r)).toBe(0);
    const lines = runLines(r.stderr);
    expect(lines, r.stderr).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/ complete \/.*\.tar\.gz\.age \(.*\) in \d+\.\ds; uploaded to http:\/\/127\.0\.0\.1:\d+\/drop\/\?…; /);
    // The destination's query (a presigned URL's signature) goes to the server only.
    expect(r.stderr).not.toContain('SCHEDSIG42');
    const files = (await readdir(out)).filter((f) => !f.startsWith('.')).sort();
    expect(files.map((f) => f.replace(/^.*?(\.tar\.gz\.age(\.sha256)?)$/, '$1')).sort()).toEqual([
      '.tar.gz.age',
      '.tar.gz.age',
      '.tar.gz.age.sha256',
      '.tar.gz.age.sha256',
    ]);
    expect(files.some((f) => f.endsWith('.tar.gz'))).toBe(false);
    expect(await readdir(tmp)).toEqual([]);
    const bundles = files.filter((f) => f.endsWith('.age'));
    expect(target.received).toHaveLength(2);
    const sent = target.received.map((x) => x.body);
    for (const b of bundles) expect(sent.some((body) => body.equals(readFileSync(join(out, b))))).toBe(true);
    expect(target.received.every((x) => x.method === 'PUT' && x.url === '/drop/?sig=SCHEDSIG42')).toBe(true);
    // Debian's age opens one; the manifest inside names the recipient by fingerprint, and the schedule's command line without the key.
    const plain = execFileSync('age', ['-d', '-i', join(dir, 'key.txt'), join(out, bundles[0]!)]);
    const manifest = JSON.parse(execFileSync('tar', ['xzOf', '-', '--wildcards', '*/manifest.json'], { input: plain, encoding: 'utf8' }));
    expect(manifest.encryption.recipients).toEqual([expect.stringMatching(/^sha256:[0-9a-f]{16}$/)]);
    expect(manifest.commandLine).toContain('schedule');
    expect(JSON.stringify(manifest)).not.toContain(recipient);
    expect(JSON.stringify(manifest)).not.toContain('SCHEDSIG42');
    if (engine) expect(manifest.collectors.find((c: { name: string }) => c.name === 'docker')?.status).toBe('ok');
  }, 60_000);

  it('from a config file (encryptToFile, upload.to): a refused upload is said in its run line, the bundle kept, the next run uploads', async () => {
    target.plan = ['403', 'sha256'];
    const out = join(dir, 'config');
    const config = join(dir, 'share.json');
    writeFileSync(config, JSON.stringify({ encryptToFile: join(dir, 'recipients.txt'), upload: { to: `${target.base}/cfg` } }));
    const r = await runCli(['schedule', '--config', config, '--every', '1s', '--max-runs', '2', '--only', 'system', '-o', out], { env: { TMPDIR: tmp } });
    expect(r.code, describeRun(r)).toBe(0);
    const [first, second] = runLines(r.stderr);
    expect(first, r.stderr).toMatch(
      /run 1\/2 complete \/.*\.tar\.gz\.age .*; upload failed: http:\/\/127\.0\.0\.1:\d+\/cfg refused the upload: HTTP 403 \(<Error>AccessDenied<\/Error>\), kept on disk; /,
    );
    expect(second, r.stderr).toMatch(/run 2\/2 complete \/.*\.tar\.gz\.age .*; uploaded to http:\/\/127\.0\.0\.1:\d+\/cfg; /);
    const bundles = (await readdir(out)).filter((f) => f.endsWith('.tar.gz.age'));
    expect(bundles).toHaveLength(2);
    expect(target.received).toHaveLength(2);
    expect(target.received[1]!.body.subarray(0, 22).toString('latin1')).toBe('age-encryption.org/v1\n');
  }, 60_000);

  it('an unreachable destination on every run: the schedule goes on, every bundle kept, exit 0', async () => {
    const out = join(dir, 'down');
    const r = await runCli(
      [
        'schedule',
        '--no-config',
        '--every',
        '1s',
        '--max-runs',
        '2',
        '--only',
        'system',
        '-o',
        out,
        '--encrypt-to-file',
        join(dir, 'recipients.txt'),
        '--upload',
        `http://127.0.0.1:${await freePort()}/x`,
      ],
      { env: { TMPDIR: tmp } },
    );
    expect(r.code, describeRun(r)).toBe(0);
    const lines = runLines(r.stderr);
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/; upload failed: http:\/\/127\.0\.0\.1:\d+\/x is unreachable \(ECONNREFUSED\).*, kept on disk; /);
    expect((await readdir(out)).filter((f) => f.endsWith('.tar.gz.age'))).toHaveLength(2);
  }, 60_000);

  it('--print-cron keeps the recipients file (absolute) and the upload, its presigned URL in the 0600 environment file, never inline', async () => {
    const out = join(dir, 'cron');
    const r = await runCli(
      [
        'schedule',
        '--no-config',
        '--every',
        '1h',
        '-o',
        out,
        '--encrypt-to-file',
        join(dir, 'recipients.txt'),
        '--upload',
        `${target.base}/p?X-Amz-Signature=CRONSIG77`,
        '--print-cron',
      ],
      { env: { TMPDIR: tmp } },
    );
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout).toContain(`--encrypt-to-file ${join(dir, 'recipients.txt')}`);
    expect(r.stdout).toMatch(/--upload "?\$\{?CB_SECRET_ARG_1/);
    expect(r.stdout + r.stderr).not.toContain('CRONSIG77');
    expect(readFileSync(join(out, 'collect-bundle.cron.env'), 'utf8')).toContain('CRONSIG77');
  });

  it('--print-systemd carries the upload token variable and the AWS settings: secrets in the 0600 file, the rest inline', async () => {
    const out = join(dir, 'unit');
    const r = await runCli(
      ['schedule', '--no-config', '--every', '1h', '-o', out, '--upload', 's3://drop/in/', '--upload-token-env', 'DROP_BEARER', '--print-systemd'],
      {
        env: {
          TMPDIR: tmp,
          DROP_BEARER: 'tokUNIT551',
          AWS_PROFILE: 'support',
          AWS_REGION: 'eu-west-1',
          AWS_ACCESS_KEY_ID: 'AKIAUNITKEY000000001',
          AWS_SECRET_ACCESS_KEY: 'unitSecretAccessKey0000000000000000000001',
        },
      },
    );
    expect(r.code, describeRun(r)).toBe(0);
    const printed = r.stdout + r.stderr;
    for (const secret of ['tokUNIT551', 'AKIAUNITKEY000000001', 'unitSecretAccessKey0000000000000000000001']) expect(printed).not.toContain(secret);
    expect(r.stdout).toMatch(/Environment=.*AWS_PROFILE=support/);
    expect(r.stdout).toMatch(/Environment=.*AWS_REGION=eu-west-1/);
    const envFile = readFileSync(join(out, 'collect-bundle.env'), 'utf8');
    expect(envFile).toMatch(/^DROP_BEARER='tokUNIT551'$/m);
    expect(envFile).toMatch(/^AWS_ACCESS_KEY_ID='AKIAUNITKEY000000001'$/m);
    expect(envFile).toMatch(/^AWS_SECRET_ACCESS_KEY='unitSecretAccessKey0000000000000000000001'$/m);
    expect(statSync(join(out, 'collect-bundle.env')).mode & 0o777).toBe(0o600);
  });

  it('retention counts and prunes encrypted bundles with their sidecars; an .age file without a matching sidecar is left alone', async () => {
    const out = join(dir, 'keep');
    await runCli(['--no-config', '--only', 'system', '-o', out], { env: { TMPDIR: tmp } }); // makes the folder
    // Bundle-named age files collect-bundle cannot vouch for: no sidecar, and a sidecar of other bytes.
    const stray = 'collect-bundle-other-20200101T000000Z-abcdef.tar.gz.age';
    const forged = 'collect-bundle-other-20200102T000000Z-abcdef.tar.gz.age';
    writeFileSync(join(out, stray), 'age-encryption.org/v1\n-> X25519 x\n');
    writeFileSync(join(out, forged), 'age-encryption.org/v1\n-> X25519 y\n');
    writeFileSync(join(out, `${forged}.sha256`), `${'0'.repeat(64)}  ${forged}\n`);
    const r = await runCli(
      ['schedule', '--no-config', '--every', '1s', '--max-runs', '3', '--keep', '2', '--only', 'system', '-o', out, '--encrypt-to', recipient],
      { env: { TMPDIR: tmp } },
    );
    expect(r.code, describeRun(r)).toBe(0);
    const lines = runLines(r.stderr);
    // Run 2: the plain bundle of before and two encrypted ones; run 3 deletes the oldest encrypted one.
    expect(lines[1]).toMatch(/deleted collect-bundle-.*\.tar\.gz \(beyond --keep 2\)/);
    expect(lines[2]).toMatch(/deleted collect-bundle-.*\.tar\.gz\.age \(beyond --keep 2\)/);
    const files = (await readdir(out)).filter((f) => !f.startsWith('.')).sort();
    const ours = files.filter((f) => f.endsWith('.tar.gz.age') && f !== stray && f !== forged);
    expect(ours).toHaveLength(2);
    for (const f of ours) expect(files).toContain(`${f}.sha256`);
    expect(files).toContain(stray);
    expect(files).toContain(forged);
    expect(files.filter((f) => f.endsWith('.sha256'))).toHaveLength(3);
  }, 60_000);
});
