/**
 * Bundles a stranger could send: .tar.gz files built by hand (tar-stream, gzip) with any manifest,
 * any entry names and any content, and the four reading commands run on them in-process through the
 * real CLI entry (`main`), with their exit code, stdout and stderr. Not a test file itself.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { END_OF_TAR, tarHeader, tarPadding } from '../../src/bundle/tar-gz.js';
import { main } from '../../src/cli/main.js';

export const sha = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** One entry: its name below the top-level folder and its content. */
export interface HostileEntry {
  readonly path: string;
  readonly data: string | Buffer;
}

/** The .tar.gz of `entries` under `root/`, in the order given. */
export async function tarGz(root: string, entries: readonly HostileEntry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    p.on('end', resolve);
    p.on('error', reject);
  });
  for (const e of entries) {
    const data = typeof e.data === 'string' ? Buffer.from(e.data) : e.data;
    p.entry({ name: `${root}/${e.path}`, size: data.length, mode: 0o600, mtime: new Date(0) }, data);
  }
  p.finalize();
  await ended;
  return gzipSync(Buffer.concat(chunks), { level: 1 });
}

/** A manifest collect-bundle itself could have written, listing `files` (path → content) under one collector. */
export function validManifest(bundle: string, files: readonly HostileEntry[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const record = (f: HostileEntry) => ({ path: f.path, bytes: Buffer.byteLength(f.data), sha256: sha(f.data), truncated: false });
  return {
    tool: { name: 'collect-bundle', version: '0.1.0' },
    bundle,
    commandLine: ['collect-bundle', '--only', 'system'],
    host: { hostname: 'web1', platform: 'linux', arch: 'x64', user: 'app' },
    startedAt: '2026-12-01T10:00:00.000Z',
    finishedAt: '2026-12-01T10:00:02.000Z',
    durationMs: 2000,
    status: 'complete',
    options: {},
    docker: { endpoints: [] },
    environment: { os: 'Debian GNU/Linux 12' },
    collectors: [
      {
        name: 'system',
        status: 'ok',
        durationMs: 10,
        artifacts: files.filter((f) => !f.path.startsWith('ISSUE')).map(record),
        problems: [],
        commands: [],
      },
    ],
    files: files.filter((f) => f.path.startsWith('ISSUE')).map(record),
    redaction: { total: 0, byRule: [] },
    ...extra,
  };
}

export const BUNDLE_NAME = 'collect-bundle-web1-20261201T100000Z-abc123';

/** Files of a small well-formed bundle (besides manifest.json). */
export const SMALL_FILES: readonly HostileEntry[] = [
  { path: 'ISSUE.md', data: '# Issue\n\nNothing to see.\n' },
  { path: 'system/os-release.txt', data: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' },
  { path: 'system/uptime.txt', data: ' 10:00:00 up 3 days,  1 user,  load average: 0.00, 0.01, 0.05\n' },
];

/** Writes a bundle with this manifest (any JSON value, or raw text) and these files; returns its path. */
export async function writeBundle(
  path: string,
  manifest: unknown,
  files: readonly HostileEntry[] = SMALL_FILES,
  options: { raw?: boolean; root?: string } = {},
): Promise<string> {
  const text = options.raw ? String(manifest) : JSON.stringify(manifest, null, 2);
  await writeFile(path, await tarGz(options.root ?? BUNDLE_NAME, [{ path: 'manifest.json', data: text }, ...files]), { mode: 0o600 });
  return path;
}

/** What one command did. */
export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A Writable that keeps what it is given as text (like a pipe, not a terminal, unless `tty`). */
function sink(tty: boolean): Writable & { text: () => string; isTTY?: boolean } {
  const chunks: Buffer[] = [];
  const w = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      done();
    },
  }) as Writable & { text: () => string; isTTY?: boolean };
  w.text = () => Buffer.concat(chunks).toString('utf8');
  if (tty) w.isTTY = true;
  return w;
}

/** Runs the CLI in-process (the real `main`, no config file, a private HOME for the tag key). */
export async function run(args: readonly string[], env: Readonly<Record<string, string>>, options: { tty?: boolean } = {}): Promise<Ran> {
  const stdout = sink(options.tty ?? false);
  const stderr = sink(false);
  const code = await main([...args], { stdout, stderr, env, signal: new AbortController().signal } as never);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** The four reading commands on one bundle (diff compares it with `other`, a good bundle). */
export async function readAll(bundle: string, other: string, env: Readonly<Record<string, string>>, extra: readonly string[] = []) {
  return {
    verify: await run(['verify', bundle, '--no-config', ...extra], env),
    inspect: await run(['inspect', bundle, '--no-config', ...extra], env),
    diff: await run(['diff', other, bundle, '--no-config', ...extra], env),
    analyze: await run(['analyze', bundle, '--no-config', ...extra], env),
  };
}

/**
 * The verdict each command gave: `bad` when it refused the bundle (verify: problems found; inspect,
 * analyze: exit 1; diff: exit 2 "trouble"), `good` when it read it.
 */
export function verdicts(r: Awaited<ReturnType<typeof readAll>>): Record<'verify' | 'inspect' | 'diff' | 'analyze', 'good' | 'bad' | `exit ${number}`> {
  const v = (code: number, good: readonly number[], bad: number) => (good.includes(code) ? 'good' : code === bad ? 'bad' : (`exit ${code}` as const));
  return {
    verify: v(r.verify.code, [0], 1),
    inspect: v(r.inspect.code, [0], 1),
    diff: v(r.diff.code, [0, 1], 2),
    analyze: v(r.analyze.code, [0], 1),
  };
}

/**
 * A bundle whose manifest.json is `mib` MiB: a small manifest with a `pad` string of `fill` (tar
 * framing by src/bundle/tar-gz.ts, streamed through gzip -1, so building it costs no memory).
 */
export async function writePaddedBundle(path: string, mib: number, fill = ' '): Promise<string> {
  const size = mib * 1024 * 1024;
  const head = Buffer.from(`${JSON.stringify(validManifest(BUNDLE_NAME, [])).slice(0, -1)},"pad":"`);
  const tail = Buffer.from('"}\n');
  async function* archive(): AsyncGenerator<Buffer> {
    yield tarHeader({ name: `${BUNDLE_NAME}/manifest.json`, size, mode: 0o600, mtime: new Date(0) });
    yield head;
    const block = Buffer.alloc(1024 * 1024, fill);
    for (let left = size - head.length - tail.length; left > 0; left -= block.length) yield left >= block.length ? block : block.subarray(0, left);
    yield tail;
    yield tarPadding(size);
    yield END_OF_TAR;
  }
  await pipeline(archive, createGzip({ level: 1 }), createWriteStream(path, { mode: 0o600 }));
  return path;
}
