/**
 * A private OpenSSH server on 127.0.0.1 for tests (Debian's openssh-server): its own host key, one
 * client key (`DIR/id`) allowed, its log at `DIR/sshd.log`, and `DIR/known_hosts` holding its host key
 * (`DIR/known_hosts_other` is empty: a server nobody vouched for). Used by the ssh:// engine and the
 * sftp upload tests.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { freePort } from '../cli/harness.js';

export const SSHD = '/usr/sbin/sshd';

const keygen = (file: string): void => {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen: ${r.stderr}`);
};

const accepts = (port: number): Promise<boolean> =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.end();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });

/**
 * Starts sshd in `dir` (which must exist, mode 0700) with `extra` lines appended to its config
 * (`Subsystem sftp …`, `SetEnv …`), and waits until it accepts connections.
 */
export async function startSshd(dir: string, extra: readonly string[] = []): Promise<{ port: number; process: ChildProcess }> {
  keygen(join(dir, 'hostkey'));
  keygen(join(dir, 'id'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'id.pub')));
  const port = await freePort();
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'hostkey')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'StrictModes no',
      'UsePAM no',
      ...extra,
      '',
    ].join('\n'),
  );
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege separation dir
  const sshd = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config'), '-E', join(dir, 'sshd.log')], { stdio: 'ignore' });
  for (let i = 0; !(await accepts(port)); i++) {
    if (i > 50 || sshd.exitCode !== null)
      throw new Error(`sshd did not start: ${existsSync(join(dir, 'sshd.log')) ? readFileSync(join(dir, 'sshd.log'), 'utf8') : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${readFileSync(join(dir, 'hostkey.pub'), 'utf8')}`);
  writeFileSync(join(dir, 'known_hosts_other'), '');
  return { port, process: sshd };
}
