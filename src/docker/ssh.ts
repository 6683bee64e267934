// Room: docker (src/docker/) — may import core (the rule: tests/architecture.test.ts).
/**
 * The ssh:// transport, done the way the docker CLI does it: run the system `ssh` client with
 * `docker system dial-stdio` on the remote host and speak HTTP over its stdin/stdout.
 *
 * Why not dockerode's own ssh support (the ssh2 library)? It accepts any host key (no known_hosts
 * check), ignores ~/.ssh/config and the user's default identity files, and opens a new SSH session
 * for every request. The system client honours all of the user's ssh settings, never prompts
 * (BatchMode), and the keep-alive agent below reuses each session for many requests.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Agent } from 'node:http';
import { Duplex } from 'node:stream';
import { parseSshUrl } from './endpoints.js';

/** SSH sessions kept open per engine. */
const SSH_SESSIONS = 4;
/** Seconds ssh may take to connect before it gives up (the docker CLI uses 30). */
const SSH_CONNECT_TIMEOUT_S = 15;

/** The argv that opens one connection to the engine behind an ssh:// URL. */
export function sshArgv(url: string): string[] {
  const { user, host, port } = parseSshUrl(url);
  return [
    'ssh',
    '-o',
    'BatchMode=yes', // never prompt for a password or a host key: fail with the reason instead
    '-o',
    `ConnectTimeout=${SSH_CONNECT_TIMEOUT_S}`,
    '-T',
    ...(user ? ['-l', user] : []),
    ...(port ? ['-p', String(port)] : []),
    '--',
    host,
    'docker',
    'system',
    'dial-stdio',
  ];
}

/** An ssh failure (exit 255, or the remote `docker` missing); the message holds ssh's own words. */
export class SshError extends Error {
  override name = 'SshError';
  readonly code = 'SSH';
}

/** An http.Agent whose connections are `ssh … docker system dial-stdio` processes, kept alive for reuse. */
export function sshAgent(url: string): Agent {
  const argv = sshArgv(url);
  // A new session costs a key exchange (about a second on a small host) and the remote docker CLI
  // starting: a few sessions, reused, beat one per request. Requests wait for a free session in the
  // order they were made, so the log the collector reads next is never stuck behind later ones.
  const agent = new Agent({ keepAlive: true, maxSockets: SSH_SESSIONS });
  (agent as unknown as { createConnection: () => Duplex }).createConnection = () => new SshChannel(argv);
  return agent;
}

/** One ssh process as a socket-like duplex stream. */
class SshChannel extends Duplex {
  readonly #child: ChildProcessWithoutNullStreams;
  #stderr = '';
  #received = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(argv: readonly string[]) {
    super({ allowHalfOpen: false });
    this.#child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    const child = this.#child;
    child.stdout.on('data', (chunk: Buffer) => {
      this.#received += chunk.length;
      if (!this.push(chunk)) child.stdout.pause();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-2000);
    });
    child.stdin.on('error', () => undefined); // EPIPE when ssh died: reported through 'close' below
    child.on('error', (err) => this.destroy(new SshError(`cannot run ssh: ${err.message} (is the OpenSSH client installed?)`)));
    child.on('close', (code) => {
      if (this.destroyed) return;
      // ssh exits 255 on its own errors; 126/127 mean the remote shell could not run `docker`.
      const failed = code === 255 || code === 126 || code === 127 || (code !== 0 && code !== null && this.#received === 0);
      if (failed) this.destroy(new SshError(this.#reason(code)));
      else this.push(null);
    });
  }

  #reason(code: number | null): string {
    const said = this.#stderr.replace(/\s+/g, ' ').trim();
    if (code === 127) return `the remote host has no docker CLI on PATH (needed for "docker system dial-stdio")${said ? `: ${said}` : ''}`;
    return said || `ssh exited with code ${code}`;
  }

  override _read(): void {
    this.#child.stdout.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (!this.#child.stdin.writable) {
      cb(new SshError(this.#reason(this.#child.exitCode)));
      return;
    }
    this.#child.stdin.write(chunk, (err) => cb(err));
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.#child.stdin.end(cb);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGTERM');
    cb(err);
  }

  // The bits of net.Socket that http.Agent and ClientRequest call.
  setKeepAlive(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setTimeout(ms: number, cb?: () => void): this {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (cb) this.once('timeout', cb);
    if (ms > 0) {
      this.#timer = setTimeout(() => this.emit('timeout'), ms);
      this.#timer.unref();
    }
    return this;
  }
  ref(): this {
    for (const s of [this.#child, this.#child.stdout, this.#child.stdin, this.#child.stderr]) (s as { ref?: () => void }).ref?.();
    return this;
  }
  unref(): this {
    // An idle kept-alive session must not keep the process alive.
    for (const s of [this.#child, this.#child.stdout, this.#child.stdin, this.#child.stderr]) (s as { unref?: () => void }).unref?.();
    return this;
  }
}
