/** The `http` custom collector against a real local HTTP server (node:http on 127.0.0.1). */
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { createCustomCollector, type CustomCollectorInput } from '../../collectors/custom/index.js';
import { verifyBundle } from '../../src/bundle/verify.js';
import { collectBundle } from '../../src/run/collect.js';
import { fileJson, fileText, readBundle } from '../helpers/bundle.js';

const TOKEN = 'Bearer hdr-Tok3n-9f8e7d6c5b4a';
const BODY_PASSWORD = 'B0dyPassw0rd-xyz';
const COOKIE = 'sessionid=ck-Sess10n-Value-42';
const URL_PASSWORD = 'Pa55-url-Secret-99';

let server: http.Server;
let elsewhere: http.Server;
let base: string;
let other: string;
let otherHits = 0;
const hanging = new Set<http.ServerResponse>();

async function listen(s: http.Server): Promise<string> {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  elsewhere = http.createServer((_req, res) => {
    otherHits++;
    res.end('you should not see this\n');
  });
  // Same machine, another origin: `localhost` rather than 127.0.0.1.
  other = (await listen(elsewhere)).replace('127.0.0.1', 'localhost');
  server = http.createServer((req, res) => {
    const route = req.url ?? '/';
    if (route === '/healthz') {
      res.setHeader('content-type', 'application/json');
      res.setHeader('set-cookie', `${COOKIE}; HttpOnly`);
      res.setHeader('x-api-key', 'resp-ApiKey-77aa88bb');
      res.setHeader('x-request-id', 'req-123');
      res.end(
        `${JSON.stringify({ status: 'ok', database: `postgres://app:${BODY_PASSWORD}@db:5432/app`, authSeen: req.headers.authorization ?? null }, null, 2)}\n`,
      );
    } else if (route === '/broken') {
      res.statusCode = 500;
      res.end('Traceback (most recent call last):\nRuntimeError: database is down\n');
    } else if (route === '/slow') {
      hanging.add(res);
    } else if (route === '/big') {
      for (let i = 0; i < 5000; i++) res.write(`metric_${i} ${i}\n`);
      res.end('last_metric 1\n');
    } else if (route === '/private') {
      const ok = req.headers.authorization === `Basic ${Buffer.from(`svc:${URL_PASSWORD}`).toString('base64')}`;
      res.statusCode = ok ? 200 : 401;
      res.end(ok ? `welcome svc, you sent ${req.headers.authorization}\n` : 'who are you?\n');
    } else if (route === '/hop') {
      res.writeHead(302, { location: '/healthz' }).end();
    } else if (route === '/away') {
      res.writeHead(301, { location: `${other}/steal?from=away` }).end();
    } else {
      res.statusCode = 404;
      res.end('not found\n');
    }
  });
  baseUrl = await listen(server);
});
let baseUrl: string;
afterAll(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  elsewhere.closeAllConnections();
  await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => elsewhere.close(r))]);
});
beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'cb-custom-http-'));
});
afterEach(() => rm(base, { recursive: true, force: true }));

async function run(spec: CustomCollectorInput) {
  const collector = createCustomCollector(spec, { baseDir: base });
  const result = await collectBundle({ outputDir: base, collectors: [collector], redaction: { ephemeralKey: true } });
  const entries = await readBundle(result.bundle);
  const record = result.manifest.collectors.find((c) => c.name === spec.name)!;
  const all = [...entries.values()].map((e) => `${e.name}\n${e.data.toString('utf8')}`).join('\n');
  return { result, entries, record, all };
}

describe('custom http collector', () => {
  it('records status, timing, headers and body; credentials in headers and body never reach the bundle', async () => {
    const { result, entries, record, all } = await run({
      type: 'http',
      name: 'health',
      url: `${baseUrl}/healthz`,
      headers: { Authorization: TOKEN, 'X-Trace': 'trace-1' },
    });
    expect(result.status).toBe('complete');
    expect(record.problems).toEqual([]);
    const response = fileJson(entries, 'custom/health/response.json');
    expect(response).toMatchObject({ status: 200, statusText: 'OK', redirects: [] });
    expect(response.timing.headersMs).toBeGreaterThanOrEqual(0);
    expect(response.timing.totalMs).toBeGreaterThanOrEqual(response.timing.headersMs);
    expect(response.request.headers).toEqual({ authorization: '<redacted>', 'x-trace': 'trace-1' });
    expect(response.headers['set-cookie']).toBe('<redacted>');
    expect(response.headers['x-api-key']).toBe('<redacted>');
    expect(response.headers['x-request-id']).toBe('req-123');
    const body = fileText(entries, 'custom/health/body.txt');
    expect(body).toContain('"status": "ok"');
    // The server echoed our Authorization header: removed as a known secret of the run.
    expect(body).toMatch(/"authSeen": "Bearer \[REDACTED:|"authSeen": "\[REDACTED:/);
    for (const secret of [TOKEN.slice('Bearer '.length), BODY_PASSWORD, 'ck-Sess10n-Value-42', 'resp-ApiKey-77aa88bb']) expect(all).not.toContain(secret);
    expect((await verifyBundle(result.bundle)).ok).toBe(true);
  });

  it('a user:pass@ URL: the credentials go as Authorization: Basic, and neither they nor the header reach the bundle', async () => {
    const url = `${baseUrl.replace('http://', `http://svc:${URL_PASSWORD}@`)}/private`;
    const { result, entries, record, all } = await run({ type: 'http', name: 'private', url });
    expect(record.problems).toEqual([]);
    const response = fileJson(entries, 'custom/private/response.json');
    expect(response).toMatchObject({ status: 200, url: `${baseUrl}/private` });
    expect(response.request).toEqual({
      method: 'GET',
      url: `${baseUrl.replace('http://', 'http://svc:<redacted>@')}/private`,
      headers: { authorization: '<redacted>' },
    });
    expect(fileText(entries, 'custom/private/body.txt')).toMatch(/^welcome svc, you sent Basic \[REDACTED:/);
    for (const secret of [URL_PASSWORD, Buffer.from(`svc:${URL_PASSWORD}`).toString('base64')]) expect(all).not.toContain(secret);
    expect((await verifyBundle(result.bundle)).ok).toBe(true);
  });

  it('a 500 is stored and flagged as a problem pointing at the body', async () => {
    const { entries, record } = await run({ type: 'http', name: 'broken', url: `${baseUrl}/broken` });
    expect(fileJson(entries, 'custom/broken/response.json')).toMatchObject({ status: 500 });
    expect(fileText(entries, 'custom/broken/body.txt')).toContain('RuntimeError: database is down');
    expect(record.problems).toEqual([{ item: `GET ${baseUrl}/broken`, reason: 'answered 500 Internal Server Error (see custom/broken/body.txt)' }]);
  });

  it('a server that does not answer in time is a timeout problem with the fix', async () => {
    const { entries, record, result } = await run({ type: 'http', name: 'slow', url: `${baseUrl}/slow`, timeout: '300ms' });
    expect(result.status).toBe('complete');
    expect(record.problems[0]!.reason).toBe(
      `GET ${baseUrl}/slow timed out after 0.3s (fix: check the service responds, or raise "timeout" of custom collector "slow")`,
    );
    expect(fileJson(entries, 'custom/slow/response.json').error).toMatch(/timed out/);
  });

  it('a refused connection names the cause and the fix', async () => {
    const closed = http.createServer();
    const url = await listen(closed);
    await new Promise((r) => closed.close(r));
    const { record } = await run({ type: 'http', name: 'down', url: `${url}/healthz` });
    expect(record.problems[0]!.reason).toBe(
      `GET ${url}/healthz: connection refused: nothing listens on ${new URL(url).host} (fix: start the service or correct the port in "url" of custom collector "down")`,
    );
  });

  it('follows a redirect on the same origin, never one to another host', async () => {
    const same = await run({ type: 'http', name: 'hop', url: `${baseUrl}/hop` });
    const hop = fileJson(same.entries, 'custom/hop/response.json');
    expect(hop).toMatchObject({ status: 200, url: `${baseUrl}/healthz`, redirects: [{ status: 302, location: `${baseUrl}/healthz`, followed: true }] });

    const away = await run({ type: 'http', name: 'away', url: `${baseUrl}/away` });
    expect(otherHits).toBe(0);
    expect(fileJson(away.entries, 'custom/away/response.json')).toMatchObject({
      status: 301,
      redirects: [{ status: 301, location: `${other}/steal?from=away`, followed: false }],
    });
    expect(away.record.problems[0]!.reason).toMatch(
      /^redirect to another origin \(http:\/\/localhost:\d+\) was not followed: collectors only reach the URL you named/,
    );
  });

  it('keeps the tail of a large body (maxBytes) and says so', async () => {
    const { entries, record } = await run({ type: 'http', name: 'metrics', url: `${baseUrl}/big`, maxBytes: '2KiB' });
    const body = fileText(entries, 'custom/metrics/body.txt');
    expect(body).toMatch(/^\[collect-bundle: output truncated/);
    expect(body.endsWith('metric_4999 4999\nlast_metric 1\n')).toBe(true);
    expect(fileJson(entries, 'custom/metrics/response.json').body).toMatchObject({ maxBytes: 2048, cut: 'tail kept (the last maxBytes bytes)' });
    expect(record.artifacts.find((a) => a.path === 'custom/metrics/body.txt')).toMatchObject({ truncated: true });
  });

  it('only GET: another method is refused when the collector is made', () => {
    expect(() =>
      createCustomCollector({ type: 'http', name: 'x', url: `${baseUrl}/`, method: 'POST' } as unknown as CustomCollectorInput, { baseDir: base }),
    ).toThrow(/method: only "GET" is supported/);
    expect(() => createCustomCollector({ type: 'http', name: 'x', url: 'file:///etc/passwd' }, { baseDir: base })).toThrow(
      /url: expected an http:\/\/ or https:\/\/ URL/,
    );
  });
});
