// Room: run (src/run/) — may import core, config, collectors, redaction, bundle, docker, report, analyzers (the rule: tests/architecture.test.ts).
/**
 * What makes an S3 multipart upload resumable (upload-s3.ts): the bundle's part checksums (one read of
 * the file) and the small state file kept next to it, `<bundle>.upload.json` (mode 0600, written to a
 * temporary name and renamed, so a Ctrl-C never leaves half of one). It names the upload (bucket, key,
 * endpoint host, upload id, part size) and the bundle (size, mtime, sha256); it holds no credential.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';

/** The state of an unfinished multipart upload, as kept in `<bundle>.upload.json`. */
export interface S3UploadState {
  readonly version: 1;
  readonly bucket: string;
  readonly key: string;
  /** The endpoint's host (`s3.amazonaws.com` for AWS itself), never a URL with a credential. */
  readonly endpoint: string;
  readonly uploadId: string;
  readonly partSize: number;
  /** The bundle the parts came from: a different one is never resumed. */
  readonly size: number;
  readonly mtimeMs: number;
  readonly sha256: string;
}

/** One part's checksums: md5 (hex, what S3 returns as its ETag) and sha256 (base64, `x-amz-checksum-sha256`). */
export interface PartSums {
  readonly md5: string;
  readonly sha256: string;
}

export const statePath = (file: string): string => `${file}.upload.json`;

/** The state file of `file`, or undefined when there is none or it is not one of ours (a damaged one is started over). */
export async function readState(file: string): Promise<S3UploadState | undefined> {
  let raw: string;
  try {
    raw = await readFile(statePath(file), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const s = JSON.parse(raw) as Partial<S3UploadState>;
    const ok =
      s.version === 1 &&
      [s.bucket, s.key, s.endpoint, s.uploadId, s.sha256].every((v) => typeof v === 'string' && v.length > 0) &&
      [s.partSize, s.size, s.mtimeMs].every((v) => typeof v === 'number' && Number.isFinite(v));
    return ok ? (s as S3UploadState) : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the state atomically (temporary file, 0600, rename): an interrupted write leaves the old file or none. */
export async function writeState(file: string, state: S3UploadState): Promise<void> {
  const tmp = `${statePath(file)}.${process.pid}.tmp`;
  try {
    // O_EXCL: a file or symlink already at the temporary name is removed, never written through.
    await rm(tmp, { force: true });
    await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await rename(tmp, statePath(file));
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export async function removeState(file: string): Promise<void> {
  await rm(statePath(file), { force: true });
}

/** The multipart ETag S3 gives a completed object: md5 of the parts' binary md5s, `-` and the part count. */
export function multipartEtag(parts: readonly PartSums[]): string {
  const h = createHash('md5');
  for (const p of parts) h.update(Buffer.from(p.md5, 'hex'));
  return `${h.digest('hex')}-${parts.length}`;
}

/** S3's composite checksum of a multipart object: sha256 of the parts' binary sha256s (base64), `-` and the part count. */
export function compositeSha256(parts: readonly PartSums[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(Buffer.from(p.sha256, 'base64'));
  return `${h.digest('base64')}-${parts.length}`;
}

/** Reads `file` once: the whole file's sha256 (hex) and each part's md5 and sha256. Never holds more than a read buffer. */
export async function hashParts(file: string, partSize: number, signal?: AbortSignal): Promise<{ sha256: string; parts: PartSums[] }> {
  const whole = createHash('sha256');
  const parts: PartSums[] = [];
  let md5 = createHash('md5');
  let sha = createHash('sha256');
  let inPart = 0;
  const close = (): void => {
    parts.push({ md5: md5.digest('hex'), sha256: sha.digest('base64') });
    md5 = createHash('md5');
    sha = createHash('sha256');
    inPart = 0;
  };
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024, ...(signal ? { signal } : {}) })) {
    let buf = chunk as Buffer;
    whole.update(buf);
    while (buf.length) {
      const take = Math.min(buf.length, partSize - inPart);
      md5.update(buf.subarray(0, take));
      sha.update(buf.subarray(0, take));
      inPart += take;
      buf = buf.subarray(take);
      if (inPart === partSize) close();
    }
  }
  if (inPart > 0 || parts.length === 0) close();
  return { sha256: whole.digest('hex'), parts };
}
