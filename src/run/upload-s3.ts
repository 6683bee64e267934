// Room: run (src/run/) — may import core, config, collectors, redaction, bundle, docker, report, analyzers (the rule: tests/architecture.test.ts).
/**
 * `s3://BUCKET/KEY` uploads through `@aws-sdk/client-s3` (loaded only for them): credentials and region
 * from the SDK's default chain (region `us-east-1` when none is set), an S3-compatible endpoint from
 * `--s3-endpoint`/`upload.s3Endpoint` or `AWS_ENDPOINT_URL_S3`/`AWS_ENDPOINT_URL` (then path-style).
 * A bundle smaller than one part is one PutObject; a larger one is a multipart upload of 8 MiB parts
 * (more when 10,000 would not do), three at a time, each read from the file when it is sent and retried
 * like an HTTP upload (upload.ts's policy; the client and the retries: upload-s3-client.ts). The upload survives a failure: its id is kept in
 * `<bundle>.upload.json` (upload-s3-state.ts) and the next run lists the parts already there, sends only
 * the others and completes. The server's ETag (and composite sha256) for the object is compared with the
 * one computed from the file. No credential ever reaches a message, a log line or the state file.
 */
import { createHash } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { errorMessage } from '../core/artifacts.js';
import { oneLine } from '../core/text.js';
import { type Destination, type TransferOptions, UploadError } from './upload-error.js';
import { connect, type S3, S3Refused, withRetries } from './upload-s3-client.js';
import { compositeSha256, hashParts, multipartEtag, readState, removeState, writeState } from './upload-s3-state.js';

const MiB = 1024 * 1024;
/** S3's floor for every part but the last. */
export const MIN_PART_SIZE = 5 * MiB;
export const DEFAULT_PART_SIZE = 8 * MiB;
const MAX_PARTS = 10_000;
/** Parts in flight at once (each one part's bytes in memory). */
const CONCURRENCY = 3;

export interface S3UploadOptions extends TransferOptions {
  /** An S3-compatible endpoint (`https://minio.example:9000`); addressed path-style. */
  readonly endpoint?: string;
  /** Tests only: a smaller part size (never below S3's 5 MiB floor). */
  readonly partSize?: number;
}

export interface S3UploadResult {
  /** The object written, `s3://BUCKET/KEY` (the bundle's name appended to a key ending in `/`). */
  readonly target: string;
  readonly attempts: number;
  readonly checked: 'etag-md5' | 'etag-multipart' | 'sha256';
  /** Parts found already uploaded by an earlier run (0 for a fresh upload). */
  readonly resumed: number;
  readonly parts: number;
}

/** The part size for a file: 8 MiB, grown in whole MiB so there are at most 10,000 parts. */
export function partSizeFor(size: number, base = DEFAULT_PART_SIZE): number {
  const p = Math.max(base, MIN_PART_SIZE);
  return Math.ceil(size / p) <= MAX_PARTS ? p : Math.ceil(size / MAX_PARTS / MiB) * MiB;
}

/**
 * SSE-KMS and SSE-C objects have ETags that are not MD5s; for them the sha256 checksums S3 verified and
 * returned (per part, and the composite) are what says the bytes arrived.
 */
const encrypted = (out: { ServerSideEncryption?: string; SSECustomerAlgorithm?: string }): boolean =>
  /^aws:kms/.test(out.ServerSideEncryption ?? '') || Boolean(out.SSECustomerAlgorithm);

const unquote = (etag: string | undefined): string => (etag ?? '').replace(/^W\//, '').replace(/"/g, '').trim().toLowerCase();

/** Uploads `file` to `where`; resumes an earlier multipart upload of the same file. Throws UploadError or CliError. */
export async function uploadS3(
  file: string,
  where: Extract<Destination, { kind: 's3' }>,
  shown: string,
  options: S3UploadOptions = {},
): Promise<S3UploadResult> {
  const key = where.key === '' || where.key.endsWith('/') ? `${where.key}${basename(file)}` : where.key;
  const target = `s3://${where.bucket}/${key}`;
  const info = await stat(file);
  const size = info.size;
  const partSize = partSizeFor(size, options.partSize);
  const { sdk, client } = await connect(options.endpoint, shown, options.signal, options.log);
  const send = { ...(options.signal ? { abortSignal: options.signal } : {}) };
  const Bucket = where.bucket;
  const Key = key;
  try {
    if (size < partSize) {
      // Smaller than one part: in memory, like a part.
      const body = await readFile(file, options.signal ? { signal: options.signal } : {});
      const sums = { md5: createHash('md5').update(body).digest('hex'), sha256: createHash('sha256').update(body).digest('base64') };
      let attempts = 0;
      const out = await withRetries(
        'PutObject',
        () => {
          attempts++;
          return client.send(new sdk.PutObjectCommand({ Bucket, Key, Body: body, ContentLength: size, ChecksumSHA256: sums.sha256 }), send);
        },
        options,
        target,
      );
      options.progress?.(size, size);
      if (unquote(out.ETag) === sums.md5) return { target, attempts, checked: 'etag-md5', resumed: 0, parts: 1 };
      if (encrypted(out) && out.ChecksumSHA256 === sums.sha256) return { target, attempts, checked: 'sha256', resumed: 0, parts: 1 };
      throw mismatch(target, unquote(out.ETag), sums.md5);
    }
    return await multipart(
      sdk,
      client,
      file,
      { Bucket, Key, target, size, mtimeMs: info.mtimeMs, partSize, endpoint: endpointHost(options.endpoint) },
      options,
      send,
    );
  } finally {
    client.destroy();
  }
}

const mismatch = (target: string, got: string, want: string, what = 'ETag'): UploadError =>
  new UploadError(
    `${target} received different bytes (different checksum): its ${what} is ${oneLine(got, 70)}, the bundle's is ${want}; the upload is not trustworthy, send it again`,
    'checksum',
  );

/**
 * S3 gives a composite sha256 in base64 (`<base64>-<parts>`); the message shows it in hex. A random
 * base64 string now and then holds a word such as `key` or `auth`, and the message redactor's entropy
 * rule would then hide it as a secret; hex is never taken. Anything else is shown as it came.
 */
export function base64AsHex(value: string): string {
  const m = /^([A-Za-z0-9+/]{43}=)(-\d+)?$/.exec(value);
  return m ? `${Buffer.from(m[1]!, 'base64').toString('hex')}${m[2] ?? ''}` : value;
}

const endpointHost = (endpoint: string | undefined): string => {
  if (!endpoint) return 's3.amazonaws.com';
  try {
    return new URL(endpoint).host;
  } catch {
    return oneLine(endpoint, 80);
  }
};

interface Job {
  readonly Bucket: string;
  readonly Key: string;
  readonly target: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly partSize: number;
  readonly endpoint: string;
}

async function multipart(sdk: S3, client: S3Client, file: string, job: Job, o: S3UploadOptions, send: { abortSignal?: AbortSignal }): Promise<S3UploadResult> {
  const { Bucket, Key, target, size, partSize } = job;
  const hashed = await hashParts(file, partSize, o.signal);
  const sums = hashed.parts;
  /** Parts on the server, by number: the ETag it gave each (an MD5, or under SSE-KMS something else). */
  const done = new Map<number, string>();
  let state = await readState(file);
  const same =
    state &&
    state.bucket === Bucket &&
    state.key === Key &&
    state.endpoint === job.endpoint &&
    state.partSize === partSize &&
    state.size === size &&
    // The content decides, not the mtime: a copied or touched bundle with the same bytes resumes.
    state.sha256 === hashed.sha256;
  if (state && same) {
    try {
      for (const p of await listParts(sdk, client, state.uploadId, job, o, send)) {
        const want = sums[(p.PartNumber ?? 0) - 1];
        if (want && (unquote(p.ETag) === want.md5 || p.ChecksumSHA256 === want.sha256)) done.set(p.PartNumber!, unquote(p.ETag));
      }
      o.info?.(`resuming: ${done.size} of ${sums.length} parts already uploaded`);
    } catch (err) {
      if (!(err instanceof S3Refused && err.s3Code === 'NoSuchUpload')) throw err;
      o.info?.(`the earlier upload to ${target} is gone on the server: starting a fresh upload`);
      state = undefined;
    }
  } else if (state) {
    o.info?.(
      state.bucket === Bucket && state.key === Key
        ? `the bundle changed since the last try: starting a fresh upload of ${target}`
        : `starting a fresh upload of ${target}`,
    );
    // The old upload's parts cost storage until aborted; try, but it is not this run's failure if that does not work.
    if (state.endpoint === job.endpoint)
      await client.send(new sdk.AbortMultipartUploadCommand({ Bucket: state.bucket, Key: state.key, UploadId: state.uploadId }), send).catch(() => undefined);
    state = undefined;
  }
  const resumed = done.size;
  /** UploadPart requests made, retries included. */
  let attempts = 0;
  if (!state || !same) {
    const created = await withRetries(
      'CreateMultipartUpload',
      () => client.send(new sdk.CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: 'SHA256', ContentType: 'application/octet-stream' }), send),
      o,
      target,
    );
    if (!created.UploadId) throw new UploadError(`${target}: the server started no multipart upload (no UploadId)`, 'failed');
    state = {
      version: 1,
      bucket: Bucket,
      key: Key,
      endpoint: job.endpoint,
      uploadId: created.UploadId,
      partSize,
      size,
      mtimeMs: job.mtimeMs,
      sha256: hashed.sha256,
    };
    try {
      await writeState(file, state);
    } catch (err) {
      o.log?.(`cannot keep the upload's state next to the bundle (${oneLine(errorMessage(err), 80)}): a failed upload will start over`);
    }
  }
  const UploadId = state.uploadId;
  let sent = [...done.keys()].reduce((n, p) => n + partLength(p, partSize, size), 0);
  o.progress?.(sent, size);
  const todo = sums.map((_, i) => i + 1).filter((p) => !done.has(p));
  const handle = await open(file, 'r');
  let failure: unknown;
  try {
    const worker = async (): Promise<void> => {
      for (let p = todo.shift(); p !== undefined && failure === undefined; p = todo.shift()) {
        const length = partLength(p, partSize, size);
        const body = Buffer.allocUnsafe(length);
        const { bytesRead } = await handle.read(body, 0, length, (p - 1) * partSize);
        const want = sums[p - 1]!;
        if (bytesRead !== length || createHash('md5').update(body).digest('hex') !== want.md5)
          throw new UploadError(`${file} changed while it was being uploaded; upload it again`, 'failed');
        const partNumber = p;
        const out = await withRetries(
          `part ${p} of ${sums.length}`,
          () => {
            attempts++;
            return client.send(
              new sdk.UploadPartCommand({ Bucket, Key, UploadId, PartNumber: partNumber, Body: body, ContentLength: length, ChecksumSHA256: want.sha256 }),
              send,
            );
          },
          o,
          target,
        );
        if (unquote(out.ETag) !== want.md5 && !(encrypted(out) && out.ChecksumSHA256 === want.sha256))
          throw mismatch(`${target} part ${p}`, unquote(out.ETag), want.md5);
        done.set(p, unquote(out.ETag));
        sent += length;
        o.progress?.(sent, size);
      }
    };
    // A failed part stops new ones from starting; the parts in flight finish, so a later run need not resend them.
    await Promise.all(
      Array.from({ length: Math.min(CONCURRENCY, todo.length) }, () =>
        worker().catch((err: unknown) => {
          failure ??= err;
        }),
      ),
    );
  } finally {
    await handle.close();
  }
  if (failure !== undefined) {
    if (failure instanceof UploadError && !o.signal?.aborted)
      throw new UploadError(`${failure.message}; ${done.size} of ${sums.length} parts are uploaded`, failure.kind);
    throw failure;
  }
  let completed: { ETag?: string; ChecksumSHA256?: string; ServerSideEncryption?: string };
  try {
    completed = await withRetries(
      'CompleteMultipartUpload',
      () =>
        client.send(
          new sdk.CompleteMultipartUploadCommand({
            Bucket,
            Key,
            UploadId,
            MultipartUpload: { Parts: sums.map((s, i) => ({ PartNumber: i + 1, ETag: `"${done.get(i + 1) ?? s.md5}"`, ChecksumSHA256: s.sha256 })) },
          }),
          send,
        ),
      o,
      target,
    );
  } catch (err) {
    // A retry after a lost reply finds the upload gone: the first try may have completed it. The object
    // itself says so (its ETag and checksum are checked below like a reply's); anything else fails as it was.
    if (!(err instanceof S3Refused && err.s3Code === 'NoSuchUpload')) throw err;
    const head = await client.send(new sdk.HeadObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }), send).catch(() => undefined);
    const same = head && (unquote(head.ETag) === multipartEtag(sums) || (encrypted(head) && head.ChecksumSHA256 === compositeSha256(sums)));
    if (!same) throw err;
    completed = { ...head, ...(head.ChecksumSHA256 ? { ChecksumSHA256: head.ChecksumSHA256 } : {}) };
  }
  // Completed: the upload id is spent, so the state can only mislead a later run.
  await removeState(file);
  // S3 also returns the composite sha256 of a multipart object uploaded with SHA256 part checksums.
  const composite = compositeSha256(sums);
  if (completed.ChecksumSHA256 && completed.ChecksumSHA256 !== composite) {
    const got = base64AsHex(completed.ChecksumSHA256);
    const hex = got !== completed.ChecksumSHA256;
    throw mismatch(target, got, hex ? base64AsHex(composite) : composite, hex ? 'composite sha256 (hex)' : 'composite sha256');
  }
  const want = multipartEtag(sums);
  if (unquote(completed.ETag) === want) return { target, attempts, checked: 'etag-multipart', resumed, parts: sums.length };
  if (encrypted(completed) && completed.ChecksumSHA256 === composite) return { target, attempts, checked: 'sha256', resumed, parts: sums.length };
  throw mismatch(target, unquote(completed.ETag), want);
}

/** Bytes of part `p` (1-based). */
const partLength = (p: number, partSize: number, size: number): number => Math.min(partSize, size - (p - 1) * partSize);

/** Every part the server has for the upload (ListParts pages through 1,000 at a time). */
async function listParts(sdk: S3, client: S3Client, UploadId: string, job: Job, o: S3UploadOptions, send: { abortSignal?: AbortSignal }) {
  const parts: { PartNumber?: number; ETag?: string; ChecksumSHA256?: string }[] = [];
  let marker: string | undefined;
  for (let page = 0; page < 20; page++) {
    const out = await withRetries(
      'ListParts',
      () => client.send(new sdk.ListPartsCommand({ Bucket: job.Bucket, Key: job.Key, UploadId, ...(marker ? { PartNumberMarker: marker } : {}) }), send),
      o,
      job.target,
    );
    parts.push(...(out.Parts ?? []));
    if (!out.IsTruncated || !out.NextPartNumberMarker) break;
    marker = String(out.NextPartNumberMarker);
  }
  return parts;
}
