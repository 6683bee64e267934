/**
 * Reading a local engine's json-file logs from their files (src/docker/json-file.ts). The real test:
 * for containers that rotate their log (plain and gzip), carry `attrs`, use a TTY, write lines over
 * 16 KiB (split into partial entries), control characters, HTML-escaped and non-ASCII text, bytes
 * that are not UTF-8 and a last line without a newline, the files give byte for byte what the engine
 * sends for the same request (tail, since, both). Then the edges an engine does not make: damaged
 * lines, a FIFO or a link where the log should be, a writer caught mid-line, other time zones.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerClient } from '../../src/docker/client.js';
import { fixedTime, JsonFileUnusable, openJsonFileLines, openJsonFileLog, type JsonFileRequest, type JsonFileStats } from '../../src/docker/json-file.js';
import { maxFilesOf } from '../../collectors/docker/outputs.js';
import { formatDockerLogs } from '../../src/docker/logs.js';
import { collectBundle } from '../../src/run/collect.js';
import { fileJson, fileText, readBundle } from '../helpers/bundle.js';
import type { ContainerInspect, DockerClient, LogsRequest } from '../../src/core/types.js';
import { DOCKER_HOST, TEST_IMAGE, docker, dockerUnavailable, logFrame as frame, removeContainers, uniq, waitFor } from '../helpers/docker.js';

const skip = Boolean(dockerUnavailable) && !process.env['CI'];
const prefix = uniq('cbjf');
const signal = new AbortController().signal;

async function collect(source: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of source) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

/** The engine's stream of a json-file log, opened when it is first read (as a test reads it). */
async function* readJsonFileLog(path: string, request: JsonFileRequest, stats?: JsonFileStats): AsyncGenerator<Buffer> {
  yield* await openJsonFileLog(path, request, stats);
}

const fromFiles = (path: string, request: JsonFileRequest, stats?: JsonFileStats): Promise<Buffer> => collect(readJsonFileLog(path, request, stats));

// 300 rounds of: a line with HTML characters, quotes, a backslash and non-ASCII text; one on stderr; one
// with control characters and a CRLF. Then bytes that are not UTF-8, a 40,000-byte line (three partial
// entries) and a last line without a newline.
const SCRIPT = [
  'i=0; while [ $i -lt 300 ]; do',
  'echo "out $i héllo ✓ <tag> & \\"q\\" \\\\ back"; echo "err $i" >&2; printf "\\001\\033[31mred\\033[0m\\t tab\\r\\n"; i=$((i+1));',
  'done; printf "\\377\\376 not utf8\\n"; head -c 40000 /dev/zero | tr "\\0" x; echo; printf "no newline at the end"',
].join(' ');

/** The frames of a multiplexed stream. */
function frames(stream: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < stream.length; ) {
    const end = at + 8 + stream.readUInt32BE(at + 4);
    out.push(stream.subarray(at, end));
    at = end;
  }
  return out;
}
const lastFrames = (stream: Buffer, tail: number | undefined): Buffer[] =>
  tail === undefined ? frames(stream) : tail === 0 ? [] : frames(stream).slice(-tail);
/** The frames whose time (nine fraction digits, UTC) is at or after `since`. */
const framesSince = (list: Buffer[], since: Date): Buffer =>
  Buffer.concat(list.filter((f) => f.toString('latin1', 8, 38) >= since.toISOString().replace(/Z$/, '000000Z')));

describe.skipIf(skip)('json-file logs read from their files (real engine)', () => {
  let client: DockerClient;
  const docs = new Map<string, ContainerInspect>();
  const CASES: Record<string, string[]> = {
    rotated: ['--log-opt', 'max-size=4k', '--log-opt', 'max-file=5'],
    gzip: ['--log-opt', 'max-size=4k', '--log-opt', 'max-file=6', '--log-opt', 'compress=true'],
    attrs: ['--label', 'team=a', '--log-opt', 'labels=team'],
    tty: ['-t'],
  };

  beforeAll(async () => {
    client = createDockerClient({ url: DOCKER_HOST, source: 'test', label: 'local' });
    await Promise.all(
      Object.entries(CASES).map(([name, opts]) =>
        docker('run', '-d', '--network', 'none', '--name', `${prefix}-${name}`, ...opts, TEST_IMAGE, 'sh', '-c', SCRIPT),
      ),
    );
    for (const name of Object.keys(CASES)) {
      await waitFor(`${prefix}-${name}`, (s) => s.Status === 'exited');
      docs.set(name, await client.inspectContainer(`${prefix}-${name}`, signal));
    }
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await removeContainers(prefix);
  });

  it("reads the rotation from the container's log options: max-file with max-size, 1 (no listing) without", async () => {
    expect(maxFilesOf(docs.get('rotated')!)).toEqual({ maxFiles: 5 });
    expect(maxFilesOf(docs.get('gzip')!)).toEqual({ maxFiles: 6 });
    // No max-size: the engine's json-file never rotates these, so their folders are not listed.
    expect(maxFilesOf(docs.get('attrs')!)).toEqual({ maxFiles: 1 });
    expect(maxFilesOf(docs.get('tty')!)).toEqual({ maxFiles: 1 });
    const stats = { files: 0, entries: 0, damaged: 0 };
    await fromFiles(docs.get('rotated')!.LogPath as string, { tty: false, ...maxFilesOf(docs.get('rotated')!) }, stats);
    expect(stats.files).toBeGreaterThanOrEqual(3);
    // Log options the inspect document does not show: looked for, as before.
    expect(maxFilesOf({ Id: 'x', HostConfig: { LogConfig: { Type: 'json-file' } } } as unknown as ContainerInspect)).toEqual({});
    expect(maxFilesOf({ Id: 'x' } as ContainerInspect)).toEqual({});
  });

  it('finds rotated and compressed files beside the log, as the engine left them', async () => {
    const stats = { files: 0, entries: 0, damaged: 0 };
    await fromFiles(docs.get('gzip')!.LogPath as string, { tty: false }, stats);
    expect(stats.files).toBeGreaterThanOrEqual(3);
    expect(stats.damaged).toBe(0);
    const rotated = { files: 0, entries: 0, damaged: 0 };
    await fromFiles(docs.get('rotated')!.LogPath as string, { tty: false }, rotated);
    expect(rotated.files).toBeGreaterThanOrEqual(3);
  });

  for (const name of Object.keys(CASES)) {
    it(`${name}: the same bytes as the engine sends, for every tail and since`, async () => {
      const doc = docs.get(name)!;
      const tty = Boolean(doc.Config?.Tty);
      const path = doc.LogPath as string;
      const whole = await collect(await client.containerLogs(doc.Id, {}, signal));
      // A `since` between entries, from the engine's own timestamps (a middle entry's, rounded up to the ms).
      const stamps = [...whole.toString('latin1').matchAll(/(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z) /g)].map((m) => m[1]!);
      expect(stamps.length).toBeGreaterThan(20);
      const middle = stamps[Math.floor(stamps.length / 2)]!;
      const since = new Date(Math.ceil(Date.parse(`${middle.slice(0, 23)}Z`) + (Number(middle.slice(23, 29)) > 0 ? 1 : 0)));
      const requests: LogsRequest[] = [
        {},
        { tail: 0 },
        { tail: 1 },
        { tail: 2 },
        { tail: 5 },
        { tail: 450 },
        { tail: 100_000 },
        { since },
        { since, tail: 3 },
        { since, tail: 700 },
      ];
      for (const request of requests) {
        // Where the oldest compressed file ended before `since`, dockerd 20.10 sends only the current file's
        // entries (src/docker/json-file.ts): there the expectation is the engine's whole log, cut to
        // the tail and then to the entries at or after `since`, which is what the engine does otherwise.
        const engine =
          request.tail === undefined && request.since === undefined
            ? whole
            : name === 'gzip' && request.since
              ? framesSince(lastFrames(whole, request.tail), request.since)
              : await collect(await client.containerLogs(doc.Id, request, signal));
        const files = await fromFiles(path, { ...request, tty });
        expect({ request, same: files.equals(engine), length: files.length }).toEqual({ request, same: true, length: engine.length });
        // Straight to lines (what the collector reads): the lines formatDockerLogs makes of those frames.
        const direct = await collect(await openJsonFileLines(path, { ...request, tty }));
        expect({ request, lines: direct.equals(await collect(formatDockerLogs([files], { tty }))) }).toEqual({ request, lines: true });
      }
      // And so the same lines in the bundle.
      const lines = await collect(formatDockerLogs(readJsonFileLog(path, { tty }), { tty }));
      expect(lines.equals(await collect(formatDockerLogs([whole], { tty })))).toBe(true);
      expect(lines.toString('utf8')).toContain('no newline at the end\n');
    });
  }

  it('gives the collector the same logs.txt as the engine does, and engines.json says how each was read', async () => {
    const out = await mkdtemp(join(tmpdir(), 'cb-jf-collect-'));
    try {
      const run = (logFiles: boolean) =>
        collectBundle({
          outputDir: out,
          only: ['docker'],
          env: { ...process.env, DOCKER_HOST },
          collectorOptions: { docker: { containers: [`${prefix}-*`], allContainers: true, logFiles } },
        });
      const [files, engine] = [await readBundle((await run(true)).bundle), await readBundle((await run(false)).bundle)];
      for (const name of Object.keys(CASES)) {
        const path = `docker/local/containers/${prefix}-${name}/logs.txt`;
        expect(fileText(files, path).length).toBeGreaterThan(1000);
        expect(fileText(files, path)).toBe(fileText(engine, path));
      }
      const n = Object.keys(CASES).length;
      expect(fileJson(files, 'docker/engines.json').engines[0].logs).toEqual({ files: n, engine: 0 });
      expect(fileJson(engine, 'docker/engines.json').engines[0].logs).toEqual({ files: 0, engine: n });
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});

describe('json-file logs: what an engine does not write', () => {
  let dir: string;
  const entry = (log: string, stream: string, time: string): string => `${JSON.stringify({ log, stream, time })}\n`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cb-jf-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('skips and counts damaged lines, keeps entries of any key order, drops an unfinished last line', async () => {
    const path = join(dir, 'damaged-json.log');
    await writeFile(
      path,
      entry('one\n', 'stdout', '2026-12-07T10:00:00.5Z') +
        'not json at all\n' +
        '{"log":"half\n' +
        '{"time":"2026-12-07T10:00:01Z","stream":"stderr","log":"two\\u0000\\ud83d\\ude00\\ud800\\n"}\n' +
        entry('no stream\n', 'stdin', '2026-12-07T10:00:02Z') +
        '{"log":"being written',
    );
    const stats = { files: 0, entries: 0, damaged: 0 };
    const out = await fromFiles(path, { tty: false }, stats);
    expect(out.equals(Buffer.concat([frame(1, '2026-12-07T10:00:00.500000000Z one\n'), frame(2, '2026-12-07T10:00:01.000000000Z two\u0000😀\ufffd\n')]))).toBe(
      true,
    );
    expect(stats).toEqual({ files: 1, entries: 2, damaged: 3 });
  });

  it('gives every entry of a file larger than one read, lines cut across reads, with tail counted across them', async () => {
    const path = join(dir, 'large-json.log');
    const entries: { log: string; stream: string; time: string }[] = [];
    let text = '';
    for (let i = 0; i < 12_000; i++) {
      const e = {
        log: `${i} ${'é✓ "q" \\ <&>'.repeat(i % 17)}${'x'.repeat((i * 7919) % 300)}\n`,
        stream: i % 3 ? 'stdout' : 'stderr',
        time: `2026-12-07T10:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(9, '1')}Z`,
      };
      entries.push(e);
      text += `${JSON.stringify(e)}\n`;
      // A damaged line longer than a read (256 KiB), in the middle.
      if (i === 6000) text += `{"log":"${'y'.repeat(600_000)}\n`;
    }
    await writeFile(path, text);
    expect(text.length).toBeGreaterThan(1_000_000);
    const expected = (list: typeof entries): Buffer => Buffer.concat(list.map((e) => frame(e.stream === 'stdout' ? 1 : 2, `${e.time} ${e.log}`)));
    const stats = { files: 0, entries: 0, damaged: 0 };
    expect((await fromFiles(path, { tty: false }, stats)).equals(expected(entries))).toBe(true);
    expect(stats).toEqual({ files: 1, entries: 12_000, damaged: 1 });
    // tail counts lines, as the engine does: the damaged line takes a place.
    const lines: ((typeof entries)[number] | undefined)[] = [...entries.slice(0, 6001), undefined, ...entries.slice(6001)];
    for (const tail of [1, 5_000, 6_500, 11_999]) {
      const kept = lines.slice(-tail).filter((e) => e !== undefined);
      expect((await fromFiles(path, { tty: false, tail })).equals(expected(kept)), `tail ${tail}`).toBe(true);
    }
  });

  it('reads rotated files oldest first and counts tail over them, compressed ones included', async () => {
    const sub = join(dir, 'rot');
    await mkdir(sub);
    const path = join(sub, 'c-json.log');
    const t = (s: number): string => `2026-12-07T10:00:0${s}.000000001Z`;
    await writeFile(`${path}.2.gz`, gzipSync(entry('a\n', 'stdout', t(0)) + entry('b\n', 'stdout', t(1))));
    // While the engine compresses `.1`, both names exist: the plain one is read.
    await writeFile(`${path}.1`, entry('c\n', 'stdout', t(2)) + entry('d\n', 'stderr', t(3)));
    await writeFile(`${path}.1.gz`, gzipSync('{"broken'));
    await writeFile(path, entry('e\n', 'stdout', t(4)));
    await writeFile(`${path}.old`, 'not a rotated file\n');
    const lines = async (request: JsonFileRequest): Promise<string> =>
      (await collect(formatDockerLogs(readJsonFileLog(path, request), { tty: false }))).toString('utf8');
    expect(await lines({ tty: false })).toBe(['a', 'b', 'c', 'd', 'e'].map((x, i) => `${t(i)} ${x === 'd' ? 'stderr' : 'stdout'} ${x}\n`).join(''));
    expect(await lines({ tty: false, tail: 2 })).toBe(`${t(3)} stderr d\n${t(4)} stdout e\n`);
    expect(await lines({ tty: false, tail: 4 })).toBe(['b', 'c', 'd', 'e'].map((x, i) => `${t(i + 1)} ${x === 'd' ? 'stderr' : 'stdout'} ${x}\n`).join(''));
    expect(await lines({ tty: false, since: new Date('2026-12-07T10:00:03Z'), tail: 3 })).toBe(`${t(3)} stderr d\n${t(4)} stdout e\n`);
  });

  it('opens the files at once: a log removed before it is read is still read whole; gone before, it is refused', async () => {
    const sub = join(dir, 'removed');
    await mkdir(sub);
    const path = join(sub, 'c-json.log');
    await writeFile(`${path}.1`, entry('old\n', 'stdout', '2026-12-07T10:00:00Z'));
    await writeFile(path, entry('new\n', 'stderr', '2026-12-07T10:00:01Z'));
    const stream = await openJsonFileLog(path, { tty: false });
    await rm(sub, { recursive: true }); // `docker rm` between listing and reading
    expect(
      (await collect(stream)).equals(Buffer.concat([frame(1, '2026-12-07T10:00:00.000000000Z old\n'), frame(2, '2026-12-07T10:00:01.000000000Z new\n')])),
    ).toBe(true);
    await expect(openJsonFileLog(path, { tty: false })).rejects.toBeInstanceOf(JsonFileUnusable);
  });

  it('refuses a FIFO or a link where the log should be, without waiting on it', async () => {
    const fifo = join(dir, 'fifo-json.log');
    execFileSync('mkfifo', [fifo]);
    await expect(fromFiles(fifo, { tty: false })).rejects.toBeInstanceOf(JsonFileUnusable);
    const real = join(dir, 'real-json.log');
    await writeFile(real, entry('x\n', 'stdout', '2026-12-07T10:00:00Z'));
    const link = join(dir, 'link-json.log');
    await symlink(real, link);
    await expect(fromFiles(link, { tty: false })).rejects.toBeInstanceOf(JsonFileUnusable);
    expect((await fromFiles(real, { tty: false })).length).toBeGreaterThan(0);
  });

  it('writes times as the engine does: nine fraction digits, the zone kept', () => {
    expect(fixedTime('2026-12-07T10:00:00Z')).toBe('2026-12-07T10:00:00.000000000Z');
    expect(fixedTime('2026-12-07T10:00:00.1Z')).toBe('2026-12-07T10:00:00.100000000Z');
    expect(fixedTime('2026-12-07T10:00:00.123456789Z')).toBe('2026-12-07T10:00:00.123456789Z');
    expect(fixedTime('2026-12-07T10:00:00.25+02:00')).toBe('2026-12-07T10:00:00.250000000+02:00');
    expect(fixedTime('yesterday')).toBeUndefined();
    expect(fixedTime('2026-12-07T10:00:00.1234567891Z')).toBeUndefined();
  });
});
