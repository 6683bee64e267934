/**
 * ssh:// engines through a real OpenSSH server on 127.0.0.1 (Debian's openssh-server), which runs
 * `docker system dial-stdio` against the shared test engine. The client is the system `ssh`, given
 * its keys and known_hosts through a wrapper first on PATH, as a user's ~/.ssh/config would.
 * Skipped with the reason when sshd or the ssh client is not installed.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { SSHD, startSshd } from '../helpers/sshd.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectBundle } from '../../src/run/collect.js';
import { fileJson, fileText, readBundle } from '../helpers/bundle.js';
import { DOCKER_HOST, TEST_IMAGE, docker, dockerUnavailable, removeContainers, uniq } from '../helpers/docker.js';

const missing = [SSHD, '/usr/bin/ssh', '/usr/bin/ssh-keygen'].filter((p) => !existsSync(p));
const skipReason =
  dockerUnavailable && !process.env['CI']
    ? `no test Docker engine: ${dockerUnavailable}`
    : missing.length
      ? `not installed: ${missing.join(', ')} (apt-get install openssh-server openssh-client)`
      : undefined;
if (skipReason) process.stderr.write(`tests/collectors/docker-ssh.test.ts skipped: ${skipReason}\n`);

const prefix = uniq('cbs');
let dir: string;
let sshd: ChildProcess | undefined;
let port: number;
const savedPath = process.env['PATH'];

/** An ssh wrapper first on PATH: the collector's `ssh` then uses this config (keys, known_hosts). */
function useSshConfig(knownHosts: string): void {
  const config = join(dir, `ssh_config-${knownHosts.split('/').pop()}`);
  writeFileSync(
    config,
    [
      'Host *',
      `  IdentityFile ${join(dir, 'id')}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${knownHosts}`,
      '  StrictHostKeyChecking yes',
      '  LogLevel ERROR',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'bin', 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F '${config}' "$@"\n`, { mode: 0o755 });
  process.env['PATH'] = `${join(dir, 'bin')}:${savedPath}`;
}

const sessions = (): number => (readFileSync(join(dir, 'sshd.log'), 'utf8').match(/Accepted publickey/g) ?? []).length;

describe.skipIf(skipReason)('ssh:// engines (real sshd)', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cb-ssh-'));
    await chmod(dir, 0o700);
    mkdirSync(join(dir, 'bin'));
    ({ port, process: sshd } = await startSshd(dir, [
      // The remote `docker system dial-stdio` talks to the shared test engine.
      `SetEnv DOCKER_HOST=${DOCKER_HOST}`,
    ]));
    await docker('run', '--network', 'none', '--name', `${prefix}-a`, TEST_IMAGE, 'sh', '-c', 'echo over ssh; echo on stderr >&2');
    await docker('run', '-d', '--network', 'none', '--name', `${prefix}-b`, TEST_IMAGE, 'sh', '-c', 'echo running; sleep 600');
    // More containers than ssh sessions: their logs, opened ahead, must queue for a session, not deadlock.
    await Promise.all(
      ['c', 'd', 'e', 'f', 'g', 'h'].map((x) => docker('run', '--network', 'none', '--name', `${prefix}-${x}`, TEST_IMAGE, 'echo', `log of ${x}`)),
    );
  }, 60_000);

  afterAll(async () => {
    process.env['PATH'] = savedPath;
    sshd?.kill('SIGTERM');
    await removeContainers(prefix);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const url = () => `ssh://${userInfo().username}@127.0.0.1:${port}`;
  const collect = async () => {
    const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
    const r = await collectBundle({
      outputDir: out,
      only: ['docker'],
      env: { ...process.env, DOCKER_HOST: '' },
      dockerHosts: [url()],
      collectorOptions: { docker: { containers: [`${prefix}-*`] } },
    });
    return { r, entries: await readBundle(r.bundle) };
  };

  it('collects the engine behind ssh://, reusing a few ssh sessions for all requests', async () => {
    useSshConfig(join(dir, 'known_hosts'));
    const before = sessions();
    const { r, entries } = await collect();
    const label = `127.0.0.1-${port}`;
    expect(r.manifest.collectors[0]).toMatchObject({ status: 'ok' });
    expect(fileJson(entries, 'docker/engines.json').engines).toEqual([expect.objectContaining({ label, status: 'ok' })]);
    expect(fileJson(entries, `docker/${label}/endpoint.json`)).toMatchObject({
      transport: 'ssh',
      command: [
        'ssh',
        '-o',
        'BatchMode=yes',
        '-o',
        'ConnectTimeout=15',
        '-T',
        '-l',
        userInfo().username,
        '-p',
        String(port),
        '--',
        '127.0.0.1',
        'docker',
        'system',
        'dial-stdio',
      ],
    });
    expect(fileJson(entries, `docker/${label}/info.json`).ID).toBe(await docker('info', '--format', '{{.ID}}'));
    const log = fileText(entries, `docker/${label}/containers/${prefix}-a/logs.txt`);
    expect(log).toMatch(/Z stdout over ssh\n/);
    expect(log).toMatch(/Z stderr on stderr\n/);
    expect(fileJson(entries, `docker/${label}/containers/${prefix}-b/stats.json`).summary.pids.current).toBeGreaterThanOrEqual(1);
    for (const x of ['c', 'd', 'e', 'f', 'g', 'h'])
      expect(fileText(entries, `docker/${label}/containers/${prefix}-${x}/logs.txt`)).toMatch(new RegExp(`Z stdout log of ${x}\\n$`));
    // About forty requests went over a few SSH sessions (at most 4 at once, kept alive), not one each.
    const used = sessions() - before;
    expect(used).toBeGreaterThanOrEqual(1);
    expect(used).toBeLessThanOrEqual(6);
  }, 60_000);

  it("fails that engine with ssh's own reason when the host key is not known (never prompts)", async () => {
    useSshConfig(join(dir, 'known_hosts_other'));
    const { r } = await collect();
    const docker = r.manifest.collectors[0]!;
    expect(docker.status).toBe('failed');
    expect(docker.reason).toMatch(/ssh failed: .*Host key verification failed.*BatchMode=yes/);
  }, 60_000);
});
