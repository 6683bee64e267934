// Room: run (src/run/) — may import core, config, collectors, redaction, bundle, docker, report, analyzers (the rule: tests/architecture.test.ts).
/**
 * The S3 client of upload-s3.ts: `@aws-sdk/client-s3` loaded on first use, configured from the SDK's
 * default chain (credentials, region, else `us-east-1`) and an optional endpoint (path-style), with the
 * SDK's own retries off and its warnings routed to our log; and the retry policy an HTTP upload has
 * (upload.ts): 5xx, 408, 429 and resets retried with a doubling wait, refusals and unreachable
 * endpoints not. Errors come back as one line that holds no credential.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { errorMessage } from '../core/artifacts.js';
import { CliError } from '../core/errors.js';
import { oneLine } from '../core/text.js';
import { UploadError } from './upload-error.js';

/** How a request is retried and reported. */
export interface RetryOptions {
  /** Tries after the first (default 3). */
  readonly retries?: number;
  /** First wait in ms, doubled each try (default 500). */
  readonly backoffMs?: number;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
}

/** The endpoint to use: the option, else the SDK's own variables (read here so path-style can be set). */
export function s3Endpoint(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (option) return option;
  if (/^true$/i.test(env['AWS_IGNORE_CONFIGURED_ENDPOINT_URLS'] ?? '')) return undefined;
  return env['AWS_ENDPOINT_URL_S3'] || env['AWS_ENDPOINT_URL'] || undefined;
}

export type S3 = typeof import('@aws-sdk/client-s3');

/** A client on the SDK's default credential chain; CliError (exit 2) with a one-line fix when it finds no credentials. */
export async function connect(
  endpoint: string | undefined,
  shown: string,
  signal?: AbortSignal,
  log?: (line: string) => void,
): Promise<{ sdk: S3; client: S3Client }> {
  // The SDK warns on stderr that its 2027 releases need Node 22; this release runs on 20, and a CLI's stderr is the user's.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const sdk = await import('@aws-sdk/client-s3');
  const sdkLine = (m: unknown[]): void => {
    const text = m.map((x) => (typeof x === 'string' ? x : x instanceof Error ? errorMessage(x) : JSON.stringify(x))).join(' ');
    log?.(`AWS SDK: ${oneLine(text, 200)}`);
  };
  const probe = new sdk.S3Client({});
  const region = await probe.config.region().catch(() => 'us-east-1');
  probe.destroy();
  const client = new sdk.S3Client({
    region,
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    // Retries are ours (per part, with the upload's policy and log lines); checksums only where asked.
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: 15_000, requestTimeout: 60_000 },
    // The SDK's own warnings (e.g. both AWS_PROFILE and AWS_ACCESS_KEY_ID set) as one line of ours, not a console.warn
    // block. Its `error` is every failed command with its input, which this module reports itself, in one line.
    logger: { debug: () => {}, info: () => {}, trace: () => {}, warn: (...m: unknown[]) => sdkLine(m), error: () => {} },
  });
  try {
    await client.config.credentials();
  } catch (err) {
    client.destroy();
    if (signal?.aborted) throw err;
    throw new CliError(
      `${shown}: no AWS credentials found (${oneLine(errorMessage(err), 80)}); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with ~/.aws/credentials`,
      'E_USAGE',
    );
  }
  return { sdk, client };
}

/** Checks before a run collects anything that credentials can be found (CliError, exit 2, if not). */
export async function checkS3Credentials(endpoint: string | undefined, shown: string, signal?: AbortSignal, log?: (line: string) => void): Promise<void> {
  (await connect(endpoint, shown, signal, log)).client.destroy();
}

/** Network errors that a retry can cure, and those that say the server is not there. */
const RESET = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'TimeoutError', 'RequestTimeout']);
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

interface SdkError {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** A failure worth another try. */
class Transient extends Error {}

/** The server said no; `s3Code` is its error code (`AccessDenied`, `NoSuchUpload`, …). */
export class S3Refused extends UploadError {
  constructor(
    message: string,
    readonly s3Code: string,
  ) {
    super(message, 'refused');
  }
}

/** Turns an SDK or network error into Transient (retry), UploadError (stop), or the abort itself. */
function classify(err: unknown, shown: string, signal?: AbortSignal): Error {
  if (signal?.aborted || (err as SdkError)?.name === 'AbortError') return err instanceof Error ? err : new Error(String(err));
  const e = (err ?? {}) as SdkError;
  const status = e.$metadata?.httpStatusCode;
  const code = e.code ?? '';
  if (UNREACHABLE.has(code)) {
    const n = err as { address?: unknown; port?: unknown; hostname?: unknown };
    const at =
      typeof n.address === 'string' ? `${n.address}${typeof n.port === 'number' ? `:${n.port}` : ''}` : typeof n.hostname === 'string' ? n.hostname : '';
    return new UploadError(
      `${shown} is unreachable (${code}${at ? ` at ${oneLine(at, 80)}` : ''}): check the endpoint and that the server is up`,
      'unreachable',
    );
  }
  if (status !== undefined && (status >= 500 || status === 408 || status === 429)) return new Transient(`the server answered ${status}`);
  if (RESET.has(code) || RESET.has(e.name ?? '') || /socket hang up|ECONNRESET|EPIPE|aborted/i.test(e.message ?? ''))
    return new Transient(`the connection was reset (${code || e.name || 'socket hang up'})`);
  const what = oneLine(`${e.name ?? 'Error'}${e.message && e.message !== e.name ? `: ${e.message}` : ''}`, 140).replace(/[^\x20-\x7e]/g, '?');
  return new S3Refused(`${shown} refused the upload: ${status ? `HTTP ${status} ` : ''}${what}`, e.name ?? '');
}

/** Runs `fn` with the upload's retry policy: transient failures retried `retries` times, the wait doubling. */
export async function withRetries<T>(what: string, fn: () => Promise<T>, o: RetryOptions, shown: string): Promise<T> {
  const retries = o.retries ?? 3;
  const backoff = o.backoffMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (raw) {
      const err = raw instanceof UploadError || raw instanceof CliError ? raw : classify(raw, shown, o.signal);
      if (!(err instanceof Transient)) throw err;
      if (attempt > retries || o.signal?.aborted) throw new UploadError(`upload to ${shown} failed after ${attempt} tries (${what}): ${err.message}`, 'failed');
      const wait = backoff * 2 ** (attempt - 1);
      o.log?.(`upload to ${shown}: ${what}: ${err.message}; retrying in ${(wait / 1000).toFixed(1)} s (try ${attempt + 1} of ${retries + 1})`);
      // Ctrl-C ends the wait at once (the state file is already there to resume from).
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        o.signal?.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      });
      o.signal?.throwIfAborted();
    }
  }
}
