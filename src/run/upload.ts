// Room: run (src/run/) — may import core, config, collectors, redaction, bundle, docker, report, analyzers (the rule: tests/architecture.test.ts).
/**
 * Uploading a finished bundle (issue #16 part 4): an HTTP(S) `PUT` of its bytes (presigned S3/GCS/Azure
 * URLs work as they are), a multipart/form-data `POST` (`field`), or `sftp://user@host[:port]/path`
 * through the system `sftp` (upload-sftp.ts). Transient failures (5xx, 408, 429, a connection reset)
 * are retried with backoff; a server that says what it received (an ETag that is an MD5, a sha256
 * checksum header) is checked against the file, and a difference is an error. A token comes only from
 * an environment variable or a file, and a destination is only ever shown without its query string
 * and user info (a presigned URL's signature is a secret).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { basename } from 'node:path';
import { errorMessage } from '../core/artifacts.js';
import { CliError } from '../core/errors.js';
import { oneLine } from '../core/text.js';
import { type Destination, type TransferOptions, UploadError, type UploadFailure } from './upload-error.js';
import { uploadSftp } from './upload-sftp.js';

export { type Destination, UploadError, type UploadFailure } from './upload-error.js';

export interface UploadOptions extends TransferOptions {
  readonly field?: string;
  /** Extra HTTP headers (from the config). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as `Authorization: Bearer <token>`; never shown. */
  readonly token?: string;
  /** sftp: the known_hosts file (`-o UserKnownHostsFile=`). */
  readonly knownHosts?: string;
  /** s3: an S3-compatible endpoint URL (path-style addressing); default the SDK's `AWS_ENDPOINT_URL_S3`/`AWS_ENDPOINT_URL`, else AWS. */
  readonly s3Endpoint?: string;
}

export interface UploadResult {
  /** The destination as shown: no query string, no password. */
  readonly shown: string;
  readonly bytes: number;
  readonly attempts: number;
  /** What confirmed the server got the same bytes: `etag-md5`, `etag-multipart` (S3), `sha256`, `size`, or `none` (it did not say). */
  readonly checked: 'etag-md5' | 'etag-multipart' | 'sha256' | 'size' | 'none';
  /** s3 multipart: parts found already uploaded by an earlier, failed run. */
  readonly resumed?: number;
}

/** Parses an upload destination; a CliError (exit 2) naming the accepted forms for anything else. */
export function parseDestination(dest: string): Destination {
  const forms = 'expected https://… (or http://…), sftp://user@host[:port]/path or s3://BUCKET/KEY';
  let url: URL;
  try {
    url = new URL(dest.trim());
  } catch {
    throw new CliError(`--upload: ${JSON.stringify(showDestination(dest))} is not a URL; ${forms}`, 'E_USAGE');
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') return { kind: 'http', url };
  if (url.protocol === 'sftp:') {
    if (!url.username) throw new CliError(`--upload: ${showDestination(dest)} names no user; ${forms}`, 'E_USAGE');
    if (url.password) throw new CliError('--upload: an sftp:// destination must not hold a password: use an ssh key (ssh-agent or ~/.ssh/config)', 'E_USAGE');
    let path: string;
    let user: string;
    try {
      path = decodeURIComponent(url.pathname);
      user = decodeURIComponent(url.username);
    } catch {
      throw new CliError(`--upload: ${showDestination(dest)} holds a broken %-escape (write %25 for a literal %); ${forms}`, 'E_USAGE');
    }
    return { kind: 'sftp', user, host: url.hostname, ...(url.port ? { port: Number(url.port) } : {}), path: path || '/' };
  }
  if (url.protocol === 's3:') {
    if (url.username || url.password)
      throw new CliError(
        '--upload: an s3:// destination must not hold credentials: they come from the AWS environment variables or ~/.aws/credentials',
        'E_USAGE',
      );
    if (url.search || url.hash || url.port)
      throw new CliError(`--upload: ${showDestination(dest)}: expected s3://BUCKET/KEY (no port, query or fragment)`, 'E_USAGE');
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(url.hostname))
      throw new CliError(`--upload: ${JSON.stringify(url.hostname)} is not an S3 bucket name (3-63 of a-z, 0-9, ., -); expected s3://BUCKET/KEY`, 'E_USAGE');
    let key: string;
    try {
      key = decodeURIComponent(url.pathname.replace(/^\//, ''));
    } catch {
      throw new CliError(`--upload: ${showDestination(dest)}: the key holds a broken %-escape; expected s3://BUCKET/KEY`, 'E_USAGE');
    }
    return { kind: 's3', bucket: url.hostname, key };
  }
  throw new CliError(`--upload: unsupported scheme ${url.protocol.replace(/:$/, '')}; ${forms}`, 'E_USAGE');
}

/** A destination for messages: scheme, host, port and path only (a presigned URL's query is a credential). */
export function showDestination(dest: string): string {
  try {
    const u = new URL(dest.trim());
    return `${u.protocol}//${u.username && u.protocol === 'sftp:' ? `${u.username}@` : ''}${u.host}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return oneLine(dest.replace(/[?#].*$/, '').replace(/\/\/[^/@]*@/, '//…@'), 80);
  }
}

/** What can be checked before anything is collected: for s3://, that the AWS SDK finds credentials (CliError, exit 2, if not). */
export async function preflightUpload(dest: string, options: Pick<UploadOptions, 's3Endpoint' | 'signal' | 'log'> = {}): Promise<void> {
  if (parseDestination(dest).kind !== 's3') return;
  const { checkS3Credentials, s3Endpoint } = await import('./upload-s3-client.js');
  const endpoint = s3Endpoint(options.s3Endpoint);
  // From AWS_ENDPOINT_URL(_S3) it was never checked: a bad one is a usage error now, not exit 5 after collecting.
  if (endpoint !== undefined) checkS3Endpoint(endpoint, options.s3Endpoint !== undefined ? '--s3-endpoint' : 'AWS_ENDPOINT_URL_S3/AWS_ENDPOINT_URL');
  await checkS3Credentials(endpoint, showDestination(dest), options.signal, options.log);
}

/** An S3-compatible endpoint must be an http(s):// URL without credentials or a query; CliError (exit 2) naming `source` otherwise. */
export function checkS3Endpoint(value: string, source: string): void {
  let u: URL | undefined;
  try {
    u = new URL(value);
  } catch {}
  if (!u || !/^https?:$/.test(u.protocol) || u.username || u.password || u.search)
    throw new CliError(
      `${source}: expected an http(s):// URL such as https://minio.example.com:9000 (no credentials in it: they come from the AWS environment)`,
      'E_USAGE',
    );
}

/** Uploads `file` to `dest`. Throws UploadError when it did not arrive intact. */
export async function uploadBundle(file: string, dest: string, options: UploadOptions = {}): Promise<UploadResult> {
  const where = parseDestination(dest);
  const shown = showDestination(dest);
  const size = (await stat(file)).size;
  if (where.kind === 'sftp') {
    await uploadSftp(file, where, size, {
      ...(options.knownHosts ? { knownHosts: options.knownHosts } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { shown, bytes: size, attempts: 1, checked: 'size' };
  }
  if (where.kind === 's3') {
    const [{ s3Endpoint }, { uploadS3 }] = await Promise.all([import('./upload-s3-client.js'), import('./upload-s3.js')]);
    const endpoint = s3Endpoint(options.s3Endpoint);
    const r = await uploadS3(file, where, shown, {
      ...(endpoint ? { endpoint } : {}),
      ...(options.retries !== undefined ? { retries: options.retries } : {}),
      ...(options.backoffMs !== undefined ? { backoffMs: options.backoffMs } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.progress ? { progress: options.progress } : {}),
      ...(options.log ? { log: options.log } : {}),
      ...(options.info ? { info: options.info } : {}),
    });
    return { shown: r.target, bytes: size, attempts: r.attempts, checked: r.checked, resumed: r.resumed };
  }
  const retries = options.retries ?? 3;
  const backoff = options.backoffMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      const checked = await httpOnce(file, where.url, size, options, shown);
      return { shown, bytes: size, attempts: attempt, checked };
    } catch (err) {
      const transient = err instanceof Transient;
      if (!transient || attempt > retries || options.signal?.aborted) {
        if (err instanceof UploadError) throw err;
        if (transient) throw new UploadError(`upload to ${shown} failed after ${attempt} tries: ${err.message}`, err.kind);
        throw new UploadError(`upload to ${shown} failed: ${oneLine(errorMessage(err))}`, 'failed');
      }
      const wait = backoff * 2 ** (attempt - 1);
      options.log?.(`upload to ${shown}: ${err.message}; retrying in ${(wait / 1000).toFixed(1)} s (try ${attempt + 1} of ${retries + 1})`);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** A failure worth another try (5xx, 408, 429, a reset connection). */
class Transient extends Error {
  constructor(
    message: string,
    readonly kind: UploadFailure,
  ) {
    super(message);
  }
}

/** Network errors that a retry can cure; a refused connection or an unknown host cannot. */
const RESET = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'UND_ERR_SOCKET']);
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** How long a connection may stay silent (nothing sent, nothing received) before it counts as reset. */
const IDLE_MS = 60_000;

/** One request; resolves to what confirmed the upload. */
function httpOnce(file: string, url: URL, size: number, options: UploadOptions, shown: string): Promise<UploadResult['checked']> {
  const md5 = createHash('md5');
  const sha256 = createHash('sha256');
  const boundary = `----collect-bundle-${createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 24)}`;
  const name = basename(file);
  const head = options.field
    ? Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${options.field.replace(/["\r\n]/g, '')}"; filename="${name.replace(/["\r\n]/g, '')}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      )
    : Buffer.alloc(0);
  const tail = options.field ? Buffer.from(`\r\n--${boundary}--\r\n`) : Buffer.alloc(0);
  const headers: Record<string, string | number> = {
    ...options.headers,
    'Content-Length': head.length + size + tail.length,
    'Content-Type': options.field ? `multipart/form-data; boundary=${boundary}` : 'application/octet-stream',
    ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
  };
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      req.destroy();
      body.destroy();
      reject(err);
    };
    const req = lib.request(url, { method: options.field ? 'POST' : 'PUT', headers, ...(options.signal ? { signal: options.signal } : {}) });
    // A server that stops reading or never answers must not hold the run forever: a silent minute is a reset.
    req.setTimeout(IDLE_MS, () => req.destroy(Object.assign(new Error(`no progress for ${IDLE_MS / 1000} s`), { code: 'ETIMEDOUT' })));
    const body = createReadStream(file, { highWaterMark: 256 * 1024 });
    let sent = 0;
    req.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? '';
      if (UNREACHABLE.has(code)) fail(new UploadError(`${shown} is unreachable (${code}): check the address and that the server is up`, 'unreachable'));
      else if (RESET.has(code) || /socket hang up/i.test(err.message)) fail(new Transient(`the connection was reset (${code || err.message})`, 'failed'));
      else fail(err);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => {
        if (chunks.length < 64) chunks.push(c);
      });
      res.on('error', (err) => fail(new Transient(`the response was cut (${errorMessage(err)})`, 'failed')));
      res.on('end', () => {
        if (settled) return;
        const status = res.statusCode ?? 0;
        const said = oneLine(Buffer.concat(chunks).toString('utf8'), 120).replace(/[^\x20-\x7e]/g, '?');
        if (status >= 500 || status === 408 || status === 429) return fail(new Transient(`the server answered ${status}`, 'refused'));
        if (status < 200 || status >= 300) return fail(new UploadError(`${shown} refused the upload: HTTP ${status}${said ? ` (${said})` : ''}`, 'refused'));
        settled = true;
        try {
          resolve(checkReceipt(res.headers, md5.digest('hex'), sha256.digest(), shown, Boolean(options.field)));
        } catch (err) {
          reject(err);
        }
      });
    });
    req.write(head);
    body.on('data', (chunk: Buffer | string) => {
      const buf = chunk as Buffer;
      md5.update(buf);
      sha256.update(buf);
      sent += buf.length;
      options.progress?.(sent, size);
      if (!req.write(buf)) {
        body.pause();
        req.once('drain', () => body.resume());
      }
    });
    body.on('error', (err) => fail(err));
    body.on('end', () => req.end(tail));
  });
}

/** What the server says it received, against what was sent; throws UploadError on a difference. */
function checkReceipt(headers: http.IncomingHttpHeaders, md5: string, sha256: Buffer, shown: string, multipart: boolean): UploadResult['checked'] {
  const one = (name: string): string | undefined => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const mismatch = (what: string, got: string, want: string): UploadError =>
    new UploadError(
      `${shown} received different bytes: its ${what} is ${oneLine(got, 70)}, the bundle's is ${want}; the upload is not trustworthy, send it again`,
      'checksum',
    );
  const sumHeader = one('x-checksum-sha256') ?? one('x-amz-checksum-sha256');
  const digest = one('digest') ?? one('repr-digest') ?? one('content-digest');
  const wantHex = sha256.toString('hex');
  const wantB64 = sha256.toString('base64');
  if (sumHeader) {
    const v = sumHeader.trim();
    if (v.toLowerCase() !== wantHex && v !== wantB64) throw mismatch('sha256', v, wantHex);
    return 'sha256';
  }
  if (digest) {
    const m = /sha-256=:?([A-Za-z0-9+/=]+):?/i.exec(digest);
    if (m) {
      if (m[1] !== wantB64) throw mismatch('sha-256 digest', m[1]!, wantB64);
      return 'sha256';
    }
  }
  // An ETag is the MD5 of the body only for a plain single-part PUT (S3, GCS); multipart forms wrap it.
  const etag = one('etag')?.replace(/^W\//, '').replace(/"/g, '').trim();
  if (!multipart && etag && /^[0-9a-f]{32}$/i.test(etag)) {
    if (etag.toLowerCase() !== md5) throw mismatch('ETag (MD5)', etag, md5);
    return 'etag-md5';
  }
  return 'none';
}
