// Room: run (src/run/) — may import core, config, collectors, redaction, bundle, docker, report, analyzers (the rule: tests/architecture.test.ts).
/**
 * `sftp://user@host[:port]/path` uploads through the system `sftp` in batch mode: never a prompt
 * (BatchMode), the server's key checked against known_hosts (StrictHostKeyChecking=yes; the file is
 * configurable), the transport the `ssh` first on PATH (`-S ssh`, as ssh:// Docker engines use it, so
 * the user's ssh config, keys and agent apply). The file goes to `<path>.partial` and is renamed when
 * complete; its size on the server is then checked with `ls -l`.
 */
import { spawn } from 'node:child_process';
import { basename, posix } from 'node:path';
import { oneLine } from '../core/text.js';
import { type Destination, UploadError } from './upload-error.js';

/** How long one sftp session may take before it is stopped. */
const SFTP_TIMEOUT_MS = 30 * 60 * 1000;

/** Quotes a path for an sftp batch line (double quotes; a quote or backslash escaped). */
const quote = (p: string): string => `"${p.replace(/(["\\])/g, '\\$1')}"`;

export async function uploadSftp(
  file: string,
  where: Extract<Destination, { kind: 'sftp' }>,
  size: number,
  options: { readonly knownHosts?: string; readonly signal?: AbortSignal },
): Promise<void> {
  const shown = `sftp://${where.user}@${where.host}${where.port ? `:${where.port}` : ''}${where.path}`;
  const remote = where.path.endsWith('/') ? posix.join(where.path, basename(file)) : where.path;
  const partial = `${remote}.partial`;
  if (/[\r\n]/.test(remote)) throw new UploadError(`${shown}: a remote path cannot hold a line break`, 'failed');
  const args = [
    '-S',
    'ssh',
    '-b',
    '-',
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'ConnectTimeout=15',
    ...(options.knownHosts ? ['-o', `UserKnownHostsFile=${options.knownHosts}`] : []),
    ...(where.port ? ['-P', String(where.port)] : []),
    '--',
    `${where.user}@${where.host}`,
  ];
  // `-rm` ignores a missing old partial; a failed put or rename ends the batch with an error.
  const batch = [
    `-rm ${quote(partial)}`,
    `put ${quote(file)} ${quote(partial)}`,
    `-rm ${quote(remote)}`,
    `rename ${quote(partial)} ${quote(remote)}`,
    `ls -ln ${quote(remote)}`,
    '',
  ].join('\n');
  const { code, stdout, stderr } = await run('sftp', args, batch, options.signal);
  if (code !== 0) {
    const reason = lastLines(stderr);
    const kind = /Host key verification failed|REMOTE HOST IDENTIFICATION|No .* host key is known/i.test(stderr)
      ? 'refused'
      : /Connection refused|Could not resolve|No route|timed out|Connection closed/i.test(stderr)
        ? 'unreachable'
        : 'refused';
    throw new UploadError(`sftp to ${shown} failed${reason ? `: ${reason}` : ` (exit ${code})`}`, kind);
  }
  // `ls -ln` prints: -rw------- 1 0 0 12345 Dec 7 12:00 /path
  const line = stdout.split('\n').find((l) => l.trim().startsWith('-'));
  const remoteSize = line ? Number(line.trim().split(/\s+/)[4]) : Number.NaN;
  if (!Number.isFinite(remoteSize)) throw new UploadError(`sftp to ${shown}: could not read the uploaded file's size back`, 'failed');
  if (remoteSize !== size) throw new UploadError(`sftp to ${shown}: the server holds ${remoteSize} bytes, the bundle has ${size}; send it again`, 'checksum');
}

function lastLines(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^sftp>/.test(l) && !/^Warning: Permanently added/.test(l));
  return oneLine(lines.slice(-2).join('; '), 300).replace(/[^\x20-\x7e]/g, '?');
}

function run(cmd: string, args: readonly string[], input: string, signal?: AbortSignal): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], ...(signal ? { signal } : {}), timeout: SFTP_TIMEOUT_MS });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (stdout.length < 1 << 20) stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 1 << 20) stderr += d;
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') reject(new UploadError('sftp:// needs the sftp command (Debian: apt-get install openssh-client)', 'failed'));
      else reject(err);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}
