/**
 * An HTTP upload target on 127.0.0.1 for tests: it records every request (method, URL, headers, body)
 * and answers as told by a queue of behaviours (the last one repeats): a plain 200, an ETag or sha256
 * header of what it received, a wrong sha256, 503, 403, or a connection reset mid-body. Used by the
 * upload tests (tests/share/upload.test.ts) and the scheduled uploads (tests/share/schedule-share.test.ts).
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the server does with the next request. */
export type Behaviour = 'ok' | 'etag' | 'sha256' | 'bad-sha256' | '503' | 'reset' | '403';

export interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface UploadServer {
  /** `http://127.0.0.1:PORT`. */
  readonly base: string;
  /** The behaviours of the next requests, in order; the last one repeats. */
  plan: Behaviour[];
  /** Every request so far. */
  received: Received[];
  /** Back to a plain 200 for every request, nothing received (between tests). */
  reset(): void;
  close(): Promise<void>;
}

export const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');
export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** The file of a multipart/form-data body (its only part); undefined for any other body. */
export function filePart(body: Buffer, contentType: string): Buffer | undefined {
  const boundary = /^multipart\/form-data; boundary=(\S+)$/.exec(contentType)?.[1];
  if (!boundary) return undefined;
  const start = body.indexOf('\r\n\r\n') + 4;
  const end = body.lastIndexOf(Buffer.from(`\r\n--${boundary}--`));
  return start > 3 && end > start ? body.subarray(start, end) : undefined;
}

/** Starts the server on a free port of 127.0.0.1. */
export async function startUploadServer(): Promise<UploadServer> {
  const state = { plan: ['ok'] as Behaviour[], received: [] as Received[] };
  const server = http.createServer((req, res) => {
    const behaviour = state.plan.length > 1 ? state.plan.shift()! : state.plan[0]!;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      chunks.push(c);
      size += c.length;
      // A reset mid-body: the connection dies after the first bytes arrived.
      if (behaviour === 'reset' && size > 1000) req.socket.destroy();
    });
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      state.received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: raw });
      // A form's checksum is of the file it carries, as a real endpoint would compute it.
      const body = filePart(raw, String(req.headers['content-type'])) ?? raw;
      if (behaviour === '503') return void res.writeHead(503).end('try later');
      if (behaviour === '403') return void res.writeHead(403).end('<Error>AccessDenied</Error>');
      const headers: Record<string, string> = {};
      if (behaviour === 'etag') headers['ETag'] = `"${md5(body)}"`;
      if (behaviour === 'sha256') headers['x-checksum-sha256'] = sha256(body);
      if (behaviour === 'bad-sha256') headers['x-checksum-sha256'] = sha256(Buffer.concat([body, Buffer.from('x')]));
      res.writeHead(200, headers).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get plan() {
      return state.plan;
    },
    set plan(p: Behaviour[]) {
      state.plan = p;
    },
    get received() {
      return state.received;
    },
    set received(r: Received[]) {
      state.received = r;
    },
    reset: () => {
      state.plan = ['ok'];
      state.received = [];
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
