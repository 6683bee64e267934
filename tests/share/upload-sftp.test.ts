/**
 * Issue #16 part 4: `upload BUNDLE sftp://user@127.0.0.1:PORT/dir/` through the system sftp against a
 * real OpenSSH server started here (as tests/collectors/docker-ssh.test.ts does); the client's key comes
 * from an `ssh` wrapper first on PATH, the way a user's ~/.ssh/config would supply it, and the server's
 * key is checked against the known_hosts file given with --upload-known-hosts. Skipped with the reason
 * when sshd or sftp is not installed.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { chmod, readdir } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { SSHD, startSshd } from '../helpers/sshd.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanup, describeRun, freePort, runCli, tempDir } from '../cli/harness.js';

const missing = [SSHD, '/usr/bin/ssh', '/usr/bin/sftp', '/usr/bin/ssh-keygen', '/usr/lib/openssh/sftp-server'].filter((p) => !existsSync(p));
const skipReason = missing.length ? `not installed: ${missing.join(', ')} (apt-get install openssh-server openssh-sftp-server)` : undefined;
if (skipReason) process.stderr.write(`tests/share/upload-sftp.test.ts skipped: ${skipReason}\n`);

let dir: string;
let sshd: ChildProcess | undefined;
let port: number;
let bundle: string;
let env: Record<string, string>;

describe.skipIf(skipReason)('upload over sftp (real sshd)', () => {
  beforeAll(async () => {
    assertBuilt();
    dir = await tempDir('cb-sftp-');
    await chmod(dir, 0o700);
    mkdirSync(join(dir, 'bin'));
    mkdirSync(join(dir, 'incoming'));
    ({ port, process: sshd } = await startSshd(dir, ['Subsystem sftp /usr/lib/openssh/sftp-server']));
    // The client key, as a user's ssh config would give it: an `ssh` wrapper first on PATH.
    writeFileSync(join(dir, 'bin', 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -i '${join(dir, 'id')}' -o IdentitiesOnly=yes -o LogLevel=ERROR "$@"\n`, {
      mode: 0o755,
    });
    env = { PATH: `${join(dir, 'bin')}:${process.env['PATH']}`, TMPDIR: dir };
    const r = await runCli(['--no-config', '--only', 'system', '-o', join(dir, 'out')], { env });
    expect(r.code, describeRun(r)).toBe(0);
    bundle = join(dir, 'out', (await readdir(join(dir, 'out'))).find((f) => f.endsWith('.tar.gz'))!);
  }, 60_000);
  afterAll(async () => {
    sshd?.kill('SIGTERM');
    await cleanup();
  });

  it('puts the bundle into the folder (via a .partial name, renamed) and checks its size on the server', async () => {
    const user = userInfo().username;
    const r = await runCli(['upload', bundle, `sftp://${user}@127.0.0.1:${port}${join(dir, 'incoming')}/`, '--upload-known-hosts', join(dir, 'known_hosts')], {
      env,
    });
    expect(r.code, describeRun(r)).toBe(0);
    const name = bundle.split('/').pop()!;
    expect(await readdir(join(dir, 'incoming'))).toEqual([name]);
    expect(readFileSync(join(dir, 'incoming', name)).equals(readFileSync(bundle))).toBe(true);
    expect(r.stderr).toMatch(/uploaded .* to sftp:\/\/.*@127\.0\.0\.1:\d+\/.*incoming\/; checked: size/);
  });

  it("an unknown host key fails (exit 5) with ssh's reason; nothing is uploaded, nothing prompts", async () => {
    const user = userInfo().username;
    const target = join(dir, 'incoming2');
    mkdirSync(target);
    const r = await runCli(['upload', bundle, `sftp://${user}@127.0.0.1:${port}${target}/`, '--upload-known-hosts', join(dir, 'known_hosts_other')], {
      env,
      killAfterMs: 30_000,
    });
    expect(r.code, describeRun(r)).toBe(5);
    expect(r.stderr).toMatch(/sftp to sftp:\/\/.* failed: .*(Host key verification failed|No .* host key is known)/);
    expect(await readdir(target)).toEqual([]);
  });

  it('a port where no sshd listens: exit 5', async () => {
    const r = await runCli(['upload', bundle, `sftp://nobody@127.0.0.1:${await freePort()}/tmp/`, '--upload-known-hosts', join(dir, 'known_hosts')], { env });
    expect(r.code, describeRun(r)).toBe(5);
    expect(r.stderr).toMatch(/Connection refused/);
  });
});
