/**
 * The `http(...)` declaration a built-in collector yields (collectors/declare-http.ts), run through the
 * real runner, redactor and bundle writer against a real local HTTP server (node:http on 127.0.0.1):
 * status and timing recorded, sensitive headers masked, the body redacted in the pipeline, a timeout,
 * a non-2xx answer and a refused connection each one line naming the built-in's own settings.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { http as httpGet, type HttpOptions } from '../../collectors/declare.js';
import { verifyBundle } from '../../src/bundle/verify.js';
import { defineCollector } from '../../src/core/artifacts.js';
import type { Output } from '../../src/core/types.js';
import { collectBundle } from '../../src/run/collect.js';
import { fileJson, fileText, readBundle } from '../helpers/bundle.js';

const TOKEN = 'tok-Built1n-5a4b3c2d1e0f';
const DB_PASSWORD = 'Db-Passw0rd-in-Body-77';
const SESSION = 'sess-C00kie-Value-31';
const HINTS = { url: '--health-url', timeout: 'raise --health-timeout' } as const;

let server: http.Server;
let baseUrl: string;
let tmp: string;
const hanging = new Set<http.ServerResponse>();

async function listen(s: http.Server): Promise<string> {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const route = req.url ?? '/';
    if (route === '/health') {
      res.setHeader('content-type', 'application/json');
      res.setHeader('set-cookie', `sessionid=${SESSION}; HttpOnly`);
      res.setHeader('x-served-by', 'web-1');
      // A settings dump a health page should not show: the password, and our own token echoed back.
      res.end(`${JSON.stringify({ ok: true, db: `postgres://app:${DB_PASSWORD}@db:5432/app`, seen: req.headers['x-api-key'] ?? null }, null, 2)}\n`);
    } else if (route === '/unavailable') {
      res.writeHead(503, { 'retry-after': '30' }).end('database is starting\n');
    } else if (route === '/slow') {
      hanging.add(res);
    } else {
      res.writeHead(404).end('not found\n');
    }
  });
  baseUrl = await listen(server);
  tmp = await mkdtemp(join(tmpdir(), 'cb-declare-http-'));
});
afterAll(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await rm(tmp, { recursive: true, force: true });
});
let out: string;
beforeEach(async () => {
  out = await mkdtemp(join(tmp, 'run-'));
});
afterEach(() => rm(out, { recursive: true, force: true }));

/** A built-in-like collector named `health` that only declares things. */
async function collect(...outputs: Output[]) {
  const collector = defineCollector({
    name: 'health',
    description: 'the service health endpoint',
    defaultEnabled: true,
    defaults: {},
    async *collect() {
      yield* outputs;
    },
  });
  const result = await collectBundle({ outputDir: out, collectors: [collector], redaction: { ephemeralKey: true } });
  const entries = await readBundle(result.bundle);
  const record = result.manifest.collectors.find((c) => c.name === 'health')!;
  const all = [...entries.values()].map((e) => `${e.name}\n${e.data.toString('utf8')}`).join('\n');
  return { result, entries, record, all };
}

const get = (route: string, options: HttpOptions = {}, name = 'health') =>
  httpGet({ body: `${name}.txt`, response: `${name}.json` }, `${baseUrl}${route}`, { hints: HINTS, ...options });

describe('http(...) declared by a built-in collector', () => {
  it('records status, timing and masked headers; the body goes through the redactor, echoed credentials included', async () => {
    const { result, entries, record, all } = await collect(get('/health', { headers: { 'X-Api-Key': TOKEN, Accept: 'application/json' } }));
    expect(result.status).toBe('complete');
    expect(record.status).toBe('ok');
    expect(record.problems).toEqual([]);
    const response = fileJson(entries, 'health/health.json');
    expect(response).toMatchObject({ status: 200, statusText: 'OK', url: `${baseUrl}/health`, redirects: [], body: { cut: false } });
    expect(response.request).toEqual({ method: 'GET', url: `${baseUrl}/health`, headers: { 'x-api-key': '<redacted>', accept: 'application/json' } });
    expect(response.headers['set-cookie']).toBe('<redacted>');
    expect(response.headers['x-served-by']).toBe('web-1');
    expect(response.timing.totalMs).toBeGreaterThanOrEqual(response.timing.headersMs);
    const body = fileText(entries, 'health/health.txt');
    expect(body).toContain('"ok": true');
    expect(body).toMatch(/"db": "postgres:\/\/app:\[REDACTED:[^\]]+\]@db:5432\/app"/);
    expect(body).toMatch(/"seen": "\[REDACTED:/); // learnt from the request's own header, not from the key's name
    // The body's size is what the server sent, before redaction.
    expect(response.body.bytes).toBeGreaterThan(body.length - 40);
    for (const secret of [TOKEN, DB_PASSWORD, SESSION]) expect(all).not.toContain(secret);
    expect((await verifyBundle(result.bundle)).ok).toBe(true);
  });

  it('a non-2xx answer is stored and recorded, and is one problem pointing at the body; the other declarations still run', async () => {
    const { entries, record } = await collect(get('/unavailable', {}, 'ready'), get('/health'));
    expect(fileJson(entries, 'health/ready.json')).toMatchObject({ status: 503, statusText: 'Service Unavailable', headers: { 'retry-after': '30' } });
    expect(fileText(entries, 'health/ready.txt')).toBe('database is starting\n');
    expect(record.problems).toEqual([{ item: `GET ${baseUrl}/unavailable`, reason: 'answered 503 Service Unavailable (see ready.txt)' }]);
    expect(fileJson(entries, 'health/health.json')).toMatchObject({ status: 200 });
  });

  it("a timeout is one line naming the built-in's own setting; the record says so and the collector ends ok", async () => {
    const started = Date.now();
    const { entries, record } = await collect(get('/slow', { timeoutMs: 300 }));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(record.status).toBe('ok');
    expect(record.problems).toEqual([
      { item: `GET ${baseUrl}/slow`, reason: `GET ${baseUrl}/slow timed out after 0.3s (fix: check the service responds, or raise --health-timeout)` },
    ]);
    expect(fileJson(entries, 'health/health.json')).toMatchObject({ request: { url: `${baseUrl}/slow` }, error: expect.stringMatching(/timed out/) });
    expect(entries.has('health/health.txt')).toBe(false);
  });

  it('a refused connection is one clear line; without hints it names "the URL"', async () => {
    const closed = http.createServer();
    const url = await listen(closed);
    await new Promise((r) => closed.close(r));
    const { record } = await collect(
      httpGet({ body: 'a.txt', response: 'a.json' }, `${url}/health`, { hints: HINTS }),
      httpGet({ body: 'b.txt', response: 'b.json' }, `${url}/health`),
    );
    const host = new URL(url).host;
    expect(record.problems.map((p) => p.reason)).toEqual([
      `GET ${url}/health: connection refused: nothing listens on ${host} (fix: start the service or correct the port in --health-url)`,
      `GET ${url}/health: connection refused: nothing listens on ${host} (fix: start the service or correct the port in the URL)`,
    ]);
  });
});
