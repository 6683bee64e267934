/**
 * A small S3 server on 127.0.0.1 for the upload tests: the REST subset the AWS SDK uses for an upload
 * (PutObject, CreateMultipartUpload, UploadPart, ListParts, CompleteMultipartUpload,
 * AbortMultipartUpload), path-style (`/BUCKET/KEY`). It checks each request's SigV4 signature with the
 * test key (the key id named, the signature recomputed, a signed payload hash compared with the body),
 * checks `x-amz-checksum-sha256` when one is sent, returns real ETags (the
 * md5 in quotes; `md5(md5s)-N` for a completed multipart object), keeps what it received in memory, logs
 * every request, and fails on purpose when told to (503, a reset mid-body, 403, a wrong ETag on complete).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type S3Op =
  | 'PutObject'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'ListParts'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'HeadObject'
  | 'Unknown';

/** A planned failure: `op` (and `part` for UploadPart) fails as `kind`, `times` times (Infinity: always). */
export interface S3Fault {
  readonly op: S3Op;
  readonly part?: number;
  /**
   * `lost-reply`: the request is carried out, then the connection is closed before the answer;
   * `lost-reply-other`: the same, and the key then holds another object (HeadObject says so).
   */
  readonly kind: '503' | 'reset' | '403' | 'bad-etag' | 'bad-checksum' | 'lost-reply' | 'lost-reply-other';
  times: number;
}

export interface S3Request {
  readonly op: S3Op;
  readonly method: string;
  readonly url: string;
  readonly part?: number;
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
}

interface Part {
  readonly data: Buffer;
  readonly md5: string;
  /** What the server calls it: the md5, or (SSE-KMS) something else. */
  readonly etag: string;
  /** base64, as sent in x-amz-checksum-sha256 (absent when none was sent). */
  readonly sha256?: string;
}

export interface S3Server {
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Completed objects by `bucket/key`. */
  readonly objects: Map<string, Buffer>;
  /** Open multipart uploads by id. */
  readonly uploads: Map<string, { bucket: string; key: string; parts: Map<number, Part> }>;
  readonly requests: S3Request[];
  faults: S3Fault[];
  /** ListParts answers at most this many parts a page (S3: 1,000), so a client must follow NextPartNumberMarker. */
  listPageSize: number;
  /** Act as a bucket with SSE-KMS default encryption: ETags are not MD5s, `x-amz-server-side-encryption: aws:kms`. */
  kms: boolean;
  reset(): void;
  close(): Promise<void>;
}

const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');
const xml = (body: string): string => `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function opOf(method: string, q: URLSearchParams): S3Op {
  if (method === 'PUT' && q.has('partNumber') && q.has('uploadId')) return 'UploadPart';
  if (method === 'PUT') return 'PutObject';
  if (method === 'POST' && q.has('uploads')) return 'CreateMultipartUpload';
  if (method === 'POST' && q.has('uploadId')) return 'CompleteMultipartUpload';
  if (method === 'GET' && q.has('uploadId')) return 'ListParts';
  if (method === 'DELETE' && q.has('uploadId')) return 'AbortMultipartUpload';
  if (method === 'HEAD') return 'HeadObject';
  return 'Unknown';
}

/** RFC 3986 encoding as SigV4 wants it. */
const uriEncode = (v: string): string => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Checks an AWS SigV4 `Authorization` header: undefined when it is right, else the S3 error code.
 * The canonical request is rebuilt from what arrived (method, path as sent, sorted query, signed headers,
 * `x-amz-content-sha256`), and the signature recomputed with the secret.
 */
function checkSigV4(
  req: http.IncomingMessage,
  body: Buffer,
  keyId: string,
  secret: string,
): 'InvalidAccessKeyId' | 'SignatureDoesNotMatch' | 'XAmzContentSHA256Mismatch' | undefined {
  const m = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,\s]+), ?Signature=([0-9a-f]{64})$/.exec(
    String(req.headers.authorization ?? ''),
  );
  if (!m || m[1] !== keyId) return 'InvalidAccessKeyId';
  const [, , date, region, signed, signature] = m as unknown as [string, string, string, string, string, string];
  const payload = String(req.headers['x-amz-content-sha256'] ?? '');
  if (/^[0-9a-f]{64}$/.test(payload) && createHash('sha256').update(body).digest('hex') !== payload) return 'XAmzContentSHA256Mismatch';
  const [path = '/', query = ''] = (req.url ?? '/').split('?');
  const canonicalQuery = query
    .split('&')
    .filter(Boolean)
    .map((kv) => {
      const [k = '', v = ''] = kv.split('=');
      return [uriEncode(decodeURIComponent(k)), uriEncode(decodeURIComponent(v))] as const;
    })
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const names = signed.split(';');
  const headers = names
    .map(
      (n) =>
        `${n}:${String(req.headers[n] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const canonical = [req.method, path, canonicalQuery, headers, signed, payload].join('\n');
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const scope = `${date}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
  const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), 's3'), 'aws4_request');
  return createHmac('sha256', signingKey).update(toSign).digest('hex') === signature ? undefined : 'SignatureDoesNotMatch';
}

/** Decodes an `aws-chunked` body (`<hex size>;chunk-signature=…\r\n<data>\r\n` … `0…\r\n` trailers). */
function unchunk(raw: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    if (eol < 0) break;
    const n = Number.parseInt(raw.subarray(at, eol).toString('latin1').split(';')[0]!, 16);
    if (!n) break;
    out.push(raw.subarray(eol + 2, eol + 2 + n));
    at = eol + 2 + n + 2;
  }
  return Buffer.concat(out);
}

export async function startS3Server(accessKeyId = 'AKIDCOLLECTBUNDLETEST', secretAccessKey = 'test-secret-Zq8xW3v1'): Promise<S3Server> {
  const objects = new Map<string, Buffer>();
  /** What HeadObject answers for an object: its ETag and (multipart with part checksums) composite sha256. */
  const heads = new Map<string, { etag: string; sha256?: string }>();
  const uploads: S3Server['uploads'] = new Map();
  const requests: S3Request[] = [];
  const state = { faults: [] as S3Fault[], listPageSize: 1000, kms: false };
  const salt = randomBytes(8);
  /** An object's or part's ETag: its md5, or under SSE-KMS an opaque value that is not. */
  const etagOf = (b: Buffer): string => (state.kms ? md5(Buffer.concat([b, salt])) : md5(b));
  const sse = (): Record<string, string> => (state.kms ? { 'x-amz-server-side-encryption': 'aws:kms' } : {});
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const q = url.searchParams;
    const op = opOf(req.method ?? '', q);
    const part = op === 'UploadPart' ? Number(q.get('partNumber')) : undefined;
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const fault = state.faults.find((f) => f.op === op && (f.part === undefined || f.part === part) && f.times > 0);
    if (fault) fault.times--;
    const log = (status: number): void =>
      void requests.push({ op, method: req.method ?? '', url: req.url ?? '', ...(part ? { part } : {}), status, headers: req.headers });
    const error = (status: number, code: string, message: string): void => {
      log(status);
      res.writeHead(status, { 'Content-Type': 'application/xml' }).end(xml(`<Error><Code>${code}</Code><Message>${esc(message)}</Message></Error>`));
    };
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      chunks.push(c);
      size += c.length;
      if (fault?.kind === 'reset' && size > 64 * 1024) {
        log(0);
        req.socket.destroy();
      }
    });
    req.on('end', () => {
      if (req.socket.destroyed) return;
      const denied = checkSigV4(req, Buffer.concat(chunks), accessKeyId, secretAccessKey);
      if (denied === 'InvalidAccessKeyId') return error(403, denied, 'The AWS Access Key Id you provided does not exist in our records.');
      if (denied === 'SignatureDoesNotMatch') return error(403, denied, 'The request signature we calculated does not match the signature you provided.');
      if (denied) return error(400, denied, 'The provided x-amz-content-sha256 header does not match what was computed.');
      if (fault?.kind === '503') return error(503, 'SlowDown', 'Please reduce your request rate.');
      if (fault?.kind === '403') return error(403, 'AccessDenied', 'Access Denied');
      let body = Buffer.concat(chunks);
      if (String(req.headers['content-encoding'] ?? '').includes('aws-chunked') || /^STREAMING-/.test(String(req.headers['x-amz-content-sha256'] ?? '')))
        body = unchunk(body);
      const sum = req.headers['x-amz-checksum-sha256'];
      if (typeof sum === 'string' && createHash('sha256').update(body).digest('base64') !== sum)
        return error(400, 'BadDigest', 'The SHA256 you specified did not match the calculated checksum.');
      switch (op) {
        case 'PutObject': {
          objects.set(`${bucket}/${key}`, body);
          heads.set(`${bucket}/${key}`, { etag: etagOf(body) });
          log(200);
          return void res
            .writeHead(200, {
              ETag: `"${fault?.kind === 'bad-etag' ? md5(Buffer.from('other')) : etagOf(body)}"`,
              ...sse(),
              ...(typeof sum === 'string' ? { 'x-amz-checksum-sha256': sum } : {}),
            })
            .end();
        }
        case 'CreateMultipartUpload': {
          const id = randomBytes(12).toString('hex');
          uploads.set(id, { bucket, key, parts: new Map() });
          log(200);
          return void res
            .writeHead(200, { 'Content-Type': 'application/xml' })
            .end(
              xml(
                `<InitiateMultipartUploadResult><Bucket>${esc(bucket)}</Bucket><Key>${esc(key)}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`,
              ),
            );
        }
        case 'UploadPart': {
          const up = uploads.get(q.get('uploadId') ?? '');
          if (!up) return error(404, 'NoSuchUpload', 'The specified upload does not exist.');
          up.parts.set(part!, { data: body, md5: md5(body), etag: etagOf(body), ...(typeof sum === 'string' ? { sha256: sum } : {}) });
          log(200);
          return void res.writeHead(200, { ETag: `"${etagOf(body)}"`, ...sse(), ...(typeof sum === 'string' ? { 'x-amz-checksum-sha256': sum } : {}) }).end();
        }
        case 'ListParts': {
          const up = uploads.get(q.get('uploadId') ?? '');
          if (!up) return error(404, 'NoSuchUpload', 'The specified upload does not exist.');
          const after = Number(q.get('part-number-marker') ?? 0);
          const all = [...up.parts.entries()].sort(([a], [b]) => a - b).filter(([n]) => n > after);
          const page = all.slice(0, Math.min(state.listPageSize, Number(q.get('max-parts') ?? 1000)));
          const truncated = page.length < all.length;
          const rows = page
            .map(
              ([n, p]) =>
                `<Part><PartNumber>${n}</PartNumber><ETag>"${p.etag}"</ETag>${p.sha256 ? `<ChecksumSHA256>${p.sha256}</ChecksumSHA256>` : ''}<Size>${p.data.length}</Size></Part>`,
            )
            .join('');
          log(200);
          return void res
            .writeHead(200, { 'Content-Type': 'application/xml' })
            .end(
              xml(
                `<ListPartsResult><Bucket>${esc(bucket)}</Bucket><Key>${esc(key)}</Key><UploadId>${q.get('uploadId')}</UploadId><PartNumberMarker>${after}</PartNumberMarker>${truncated ? `<NextPartNumberMarker>${page.at(-1)![0]}</NextPartNumberMarker>` : ''}<MaxParts>${state.listPageSize}</MaxParts><IsTruncated>${truncated}</IsTruncated>${rows}</ListPartsResult>`,
              ),
            );
        }
        case 'CompleteMultipartUpload': {
          const id = q.get('uploadId') ?? '';
          const up = uploads.get(id);
          if (!up) return error(404, 'NoSuchUpload', 'The specified upload does not exist.');
          const listed = [...body.toString('utf8').matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((m) => ({
            n: Number(/<PartNumber>(\d+)<\/PartNumber>/.exec(m[1]!)?.[1]),
            etag: /<ETag>(.*?)<\/ETag>/.exec(m[1]!)?.[1]?.replace(/&quot;|"/g, ''),
          }));
          const parts = listed.map((l) => up.parts.get(l.n));
          if (!listed.length || parts.some((p, i) => !p || p.etag !== listed[i]!.etag))
            return error(400, 'InvalidPart', 'One or more of the specified parts could not be found.');
          const data = Buffer.concat(parts.map((p) => p!.data));
          const etag = `${md5(Buffer.concat(parts.map((p) => Buffer.from(p!.etag, 'hex'))))}-${parts.length}`;
          // Like S3: a composite sha256 when every part came with one (the fault gives another).
          const sums = parts.every((p) => p!.sha256) ? Buffer.concat(parts.map((p) => Buffer.from(p!.sha256!, 'base64'))) : undefined;
          const composite =
            sums &&
            `${createHash('sha256')
              .update(fault?.kind === 'bad-checksum' ? Buffer.concat([sums, Buffer.from('x')]) : sums)
              .digest('base64')}-${parts.length}`;
          objects.set(`${bucket}/${key}`, data);
          const other = fault?.kind === 'bad-etag' || fault?.kind === 'lost-reply-other';
          heads.set(`${bucket}/${key}`, { etag: other ? `${md5(Buffer.from('other'))}-${parts.length}` : etag, ...(composite ? { sha256: composite } : {}) });
          uploads.delete(id);
          if (fault?.kind === 'lost-reply' || fault?.kind === 'lost-reply-other') {
            log(0);
            return void req.socket.destroy();
          }
          log(200);
          return void res
            .writeHead(200, { 'Content-Type': 'application/xml', ...sse() })
            .end(
              xml(
                `<CompleteMultipartUploadResult><Bucket>${esc(bucket)}</Bucket><Key>${esc(key)}</Key><ETag>"${fault?.kind === 'bad-etag' ? `${md5(Buffer.from('other'))}-${parts.length}` : etag}"</ETag>${composite ? `<ChecksumSHA256>${composite}</ChecksumSHA256>` : ''}</CompleteMultipartUploadResult>`,
              ),
            );
        }
        case 'HeadObject': {
          const head = heads.get(`${bucket}/${key}`);
          if (!head) {
            log(404);
            return void res.writeHead(404).end();
          }
          log(200);
          const checksum = head.sha256 && req.headers['x-amz-checksum-mode'] === 'ENABLED' ? { 'x-amz-checksum-sha256': head.sha256 } : {};
          return void res
            .writeHead(200, { ETag: `"${head.etag}"`, 'Content-Length': String(objects.get(`${bucket}/${key}`)!.length), ...sse(), ...checksum })
            .end();
        }
        case 'AbortMultipartUpload': {
          uploads.delete(q.get('uploadId') ?? '');
          log(204);
          return void res.writeHead(204).end();
        }
        default:
          return error(400, 'NotImplemented', `${req.method} ${url.pathname} is not implemented by the test server`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    accessKeyId,
    secretAccessKey,
    objects,
    uploads,
    requests,
    get faults() {
      return state.faults;
    },
    set faults(f: S3Fault[]) {
      state.faults = f;
    },
    get listPageSize() {
      return state.listPageSize;
    },
    set listPageSize(n: number) {
      state.listPageSize = n;
    },
    get kms() {
      return state.kms;
    },
    set kms(on: boolean) {
      state.kms = on;
    },
    reset() {
      objects.clear();
      heads.clear();
      uploads.clear();
      requests.length = 0;
      state.faults = [];
      state.listPageSize = 1000;
      state.kms = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
