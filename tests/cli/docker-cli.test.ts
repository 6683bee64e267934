/** The docker options on the command line: validated (exit 2 naming the flag) and passed to the collector. */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { fileJson, readBundle } from '../helpers/bundle.js';
import { DOCKER_HOST, dockerUnavailable } from '../helpers/docker.js';
import type { EngineOutcome } from '../../src/bundle/layout.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cb-docker-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (f: (s: string) => void) =>
    new Writable({
      write: (c, _e, cb) => {
        f(String(c));
        cb();
      },
    });
  const code = await main(args, {
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
    env: { ...process.env, DOCKER_HOST },
    signal: new AbortController().signal,
  });
  return { code, stdout, stderr };
}

async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('docker options: bad values are usage errors naming the flag', () => {
  it.each([
    [['--since', '10'], /--since: "10" is neither a duration/],
    [['--since', 'next week'], /--since: .*neither a duration \(30m, 24h, 7d\) nor an ISO time/],
    [['--since', '2999-01-01'], /--since: .*lies in the future/],
    [['--max-log-bytes', 'lots'], /--max-log-bytes: "lots" is not a size/],
    [['--tail', '-3'], /--tail must be a whole number of lines or "all"/],
    [['--containers', 'label='], /--containers: .*label=KEY/],
    [['--docker-host', 'ftp://x'], /unsupported Docker host "ftp:\/\/x" \(from --docker-host\)/],
    [['--docker-host', 'no-such-context'], /--docker-host "no-such-context" is neither a URL .* nor a docker context/],
    [['--tlscacert', ''], /--tlscacert must name a file/],
  ])('%j', async (args, message) => {
    const out = join(dir, 'never');
    const r = await cli(['--only', 'docker', '-o', out, ...args]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    await expect(readdir(out)).rejects.toThrow(/ENOENT/); // nothing written
  });
});

describe.skipIf(Boolean(dockerUnavailable) && !process.env['CI'])('docker options reach the collector', () => {
  it('--docker-host (repeated), --tail, --since, --max-log-bytes, --containers, --all-containers', async () => {
    const dead = `tcp://127.0.0.1:${await deadPort()}`;
    const out = join(dir, 'ok');
    const r = await cli([
      '--only',
      'docker',
      '-o',
      out,
      '--json',
      '-q',
      '--docker-host',
      DOCKER_HOST,
      '--docker-host',
      dead,
      '--tail',
      '5',
      '--since',
      '2h',
      '--max-log-bytes',
      '1MiB',
      '--containers',
      'nomatch-*,other-*',
      '--containers',
      'label=a=b,c',
      '--all-containers',
    ]);
    expect(r.code, r.stderr).toBe(0); // one engine down is that engine's problem
    const entries = await readBundle(JSON.parse(r.stdout).bundle);
    const engines = fileJson(entries, 'docker/engines.json');
    expect(engines.options).toMatchObject({
      tail: 5,
      since: '2h',
      maxLogBytes: 1024 * 1024,
      containers: ['nomatch-*', 'other-*', 'label=a=b,c'],
      allContainers: true,
    });
    expect(engines.engines.map((e: EngineOutcome) => [e.source, e.status])).toEqual([
      ['--docker-host', 'ok'],
      ['--docker-host', 'failed'],
    ]);
    const manifest = fileJson(entries, 'manifest.json');
    expect(manifest.collectors[0].problems).toContainEqual({
      item: `engine ${dead.slice(6).replace(':', '-')}`,
      reason: expect.stringMatching(/connection refused/),
    });
  }, 60_000);

  it('--tlsverify with a CA that is not there fails that engine, naming the file', async () => {
    const out = join(dir, 'tls');
    const r = await cli([
      '--only',
      'docker',
      '-o',
      out,
      '--json',
      '-q',
      '--docker-host',
      `tcp://127.0.0.1:${await deadPort()}`,
      '--tlsverify',
      '--tlscacert',
      '/nonexistent/ca.pem',
    ]);
    expect(r.code).toBe(3);
    const summary = JSON.parse(r.stdout);
    expect(summary.collectors[0].error).toMatch(/cannot read the TLS CA certificate \/nonexistent\/ca\.pem \(ENOENT; from --tls options\)/);
  }, 60_000);
});
