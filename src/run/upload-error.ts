// Room: run (src/run/) — may import core, config, collectors, redaction, bundle, docker, report, analyzers (the rule: tests/architecture.test.ts).
/** The upload's destination and error types, shared by the HTTP (upload.ts), sftp (upload-sftp.ts) and S3 (upload-s3.ts) transports. */

/** Where a bundle goes. */
export type Destination =
  | { readonly kind: 'http'; readonly url: URL }
  | { readonly kind: 'sftp'; readonly user: string; readonly host: string; readonly port?: number; readonly path: string }
  /** `s3://BUCKET/KEY`; a key that is empty or ends in `/` gets the bundle's file name appended. */
  | { readonly kind: 's3'; readonly bucket: string; readonly key: string };

/** How any transport tries, reports and stops (UploadOptions and S3UploadOptions share these). */
export interface TransferOptions {
  /** Tries after the first (default 3). */
  readonly retries?: number;
  /** First backoff in ms, doubled each try (default 500). */
  readonly backoffMs?: number;
  readonly signal?: AbortSignal;
  /** Called as bytes go out. */
  readonly progress?: (sent: number, total: number) => void;
  /** Told about each retry (one line). */
  readonly log?: (line: string) => void;
  /** Told what a resumable upload does (s3: resuming, starting over), one line each. */
  readonly info?: (line: string) => void;
}

/** Why an upload failed: `refused` (the server answered no), `unreachable`, `checksum` (it received other bytes), `failed`. */
export type UploadFailure = 'refused' | 'unreachable' | 'checksum' | 'failed';

/** An upload that did not succeed; the message is one line naming the destination as shown (no secrets). */
export class UploadError extends Error {
  override name = 'UploadError';
  constructor(
    message: string,
    readonly kind: UploadFailure,
  ) {
    super(message);
  }
}
