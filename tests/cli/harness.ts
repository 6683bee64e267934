/**
 * Shared harness for the end-to-end CLI tests: spawns the REAL built CLI (`node bin/collect-bundle.js`)
 * as a child process, and provides temp dirs, fake Docker endpoints (hung TCP server, unix sockets) and
 * small waiting helpers. Everything created here is registered and removed by `cleanup()`.
 *
 * Not a test file itself (vitest only picks up *.test.ts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, createReadStream, existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'collect-bundle.js');
export const DIST_CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
/** What bin/collect-bundle.js runs: the command line bundled from DIST_CLI (scripts/bundle-cli.mjs). */
export const DIST_BUNDLE = join(ROOT, 'dist', 'cli', 'main.js');
export const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

/** For a `beforeAll`: the CLI under test is the built one; `npm test` builds first. */
export function assertBuilt(): void {
  for (const file of [DIST_CLI, DIST_BUNDLE]) {
    if (!existsSync(file)) throw new Error(`${file} does not exist: build first with "npm run build" (the "npm test" script does this before vitest)`);
  }
  // A bare `tsc` refreshes dist/src but not the bundle the CLI runs: the tests would run old code.
  if (statSync(DIST_BUNDLE).mtimeMs < statSync(DIST_CLI).mtimeMs) {
    throw new Error(`${DIST_BUNDLE} is older than ${DIST_CLI}: run "npm run build" (tsc, then scripts/bundle-cli.mjs)`);
  }
}

/** The host part of a bundle name, as the tool slugs os.hostname() (letters, digits, dot, dash). */
export const HOST_SLUG =
  hostname()
    .replace(/[^A-Za-z0-9.-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40) || 'unknown';

export const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `^collect-bundle-<host>[-<label>]-<stamp>-<rand>.tar.gz$` */
export function bundleNameRe(label?: string): RegExp {
  return new RegExp(`^collect-bundle-${escapeRe(HOST_SLUG)}${label ? `-${escapeRe(label)}` : ''}-(\\d{8}T\\d{6}Z)-[a-z0-9]{6}\\.tar\\.gz$`);
}

// ---------------------------------------------------------------------------------------------
// Cleanup registry

const cleanups: Array<() => Promise<void> | void> = [];

/** Registers something to undo in `cleanup()` (run last-in first-out). */
export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

/** Kills leftover children, closes servers and removes temp dirs. Use in afterEach/afterAll. */
export async function cleanup(): Promise<void> {
  const errors: unknown[] = [];
  while (cleanups.length) {
    const fn = cleanups.pop()!;
    try {
      await fn();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length) throw new AggregateError(errors, 'cleanup failed');
}

/** A fresh temp dir (mkdtemp, mode 0700), removed by `cleanup()`. */
export async function tempDir(prefix = 'cb-cli-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export async function listDir(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

// ---------------------------------------------------------------------------------------------
// Running the CLI

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time from spawn to exit. */
  readonly ms: number;
  /** True when the harness had to SIGKILL it (it overran `killAfterMs`). */
  readonly killed: boolean;
}

export interface CliOptions {
  /** Environment additions/overrides; `undefined` removes a variable. Docker variables are removed by default. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Program + args put in front of `node bin/collect-bundle.js` (e.g. setpriv ...). */
  readonly wrapper?: readonly string[];
  /** Safety net: SIGKILL the child after this long (the test then fails on `killed`). */
  readonly killAfterMs?: number;
  /** Default: a fresh empty dir, so no collector finds a project (manage.py, ...) around the repo. */
  readonly cwd?: string;
}

export interface CliProcess {
  readonly child: ChildProcess;
  readonly result: Promise<CliResult>;
  stdout(): string;
  stderr(): string;
}

/** The environment a CLI child sees: ours without anything that would steer Docker or Node. */
export function cliEnv(extra: Readonly<Record<string, string | undefined>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_API_VERSION', 'NODE_OPTIONS']) delete env[k];
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Starts the built CLI; the promise resolves when it has exited and its output is drained. */
export function startCli(args: readonly string[], options: CliOptions = {}): CliProcess {
  const wrapper = options.wrapper ?? [];
  // `--` as in bin's shebang: Node must not take the CLI's `--env-file` for its own option.
  const argv = [...wrapper, process.execPath, '--', BIN, ...args];
  const began = performance.now();
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: options.cwd ?? emptyCwd(),
    env: cliEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  let killed = false;
  const killTimer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, options.killAfterMs ?? 90_000);
  const result = new Promise<CliResult>((resolve, reject) => {
    child.once('error', (e) => {
      clearTimeout(killTimer);
      reject(e);
    });
    // 'close' (not 'exit'): stdout and stderr are fully read by then.
    child.once('close', (code, signal) => {
      clearTimeout(killTimer);
      resolve({ code, signal, stdout: out, stderr: err, ms: performance.now() - began, killed });
    });
  });
  onCleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await result.catch(() => undefined);
    }
  });
  return { child, result, stdout: () => out, stderr: () => err };
}

/** A fresh empty directory (mode 0755, so a dropped-privilege child can use it too) as a cwd. */
function emptyCwd(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cb-cwd-'));
  chmodSync(dir, 0o755);
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs the CLI to the end. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).result;
}

/** The collectors as `--list-collectors` prints them: name and whether it runs by default. */
export function listCollectors(): { name: string; defaultEnabled: boolean }[] {
  const r = spawnSync(process.execPath, [BIN, '--list-collectors'], { cwd: ROOT, env: cliEnv(), encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`--list-collectors failed (${r.status}): ${r.stderr}`);
  return r.stdout
    .trim()
    .split('\n')
    .map((line) => /^(\S+)\s+(on|off)\b/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ name: m[1]!, defaultEnabled: m[2] === 'on' }));
}

/** A readable dump of a run for assertion messages. */
export function describeRun(r: CliResult): string {
  return `exit ${r.code} (signal ${r.signal}, ${Math.round(r.ms)} ms${r.killed ? ', KILLED by the harness' : ''})\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

/** Polls `pred` every 25 ms until it is true; throws naming `what` after `timeoutMs`. */
export async function waitUntil(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

// ---------------------------------------------------------------------------------------------
// Fake Docker endpoints

export interface HungServer {
  readonly port: number;
  readonly url: string;
  /** Connections accepted so far. */
  accepted(): number;
}

/** A TCP server on 127.0.0.1 that accepts connections and never answers a byte. */
export async function hungServer(): Promise<HungServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    s.resume(); // read and drop the request; never reply
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  const port = (server.address() as net.AddressInfo).port;
  return { port, url: `tcp://127.0.0.1:${port}`, accepted: () => accepted };
}

/** A TCP port on 127.0.0.1 that nothing listens on (bound once by us, then released). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A real unix socket server at `path` (accepts and never answers); closed by `cleanup()`. */
export async function unixSocketServer(path: string): Promise<net.Server> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    s.resume();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return server;
}

// ---------------------------------------------------------------------------------------------
// Users (for the permission test when running as root)

export const NOBODY = { uid: 65534, gid: 65534 };

/** A command prefix that runs a program as `nobody`, or undefined when this system has none. */
export function asNobodyWrapper(): string[] | undefined {
  if (spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status === 0) {
    return ['setpriv', `--reuid=${NOBODY.uid}`, `--regid=${NOBODY.gid}`, '--clear-groups'];
  }
  if (spawnSync('runuser', ['--version'], { stdio: 'ignore' }).status === 0) return ['runuser', '-u', 'nobody', '--'];
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Hashes and tar listing

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** Every entry name in the archive in order, duplicates included (readBundle's Map would hide them). */
export async function tarEntryNames(path: string): Promise<string[]> {
  const names: string[] = [];
  const ex = extract();
  ex.on('entry', (header, stream, next) => {
    names.push(header.name);
    stream.on('end', next);
    stream.resume();
  });
  await pipeline(createReadStream(path), createGunzip(), ex);
  return names;
}
