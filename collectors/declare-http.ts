// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * The `http(...)` declaration (re-exported by collectors/declare.ts): one GET of a URL (a health,
 * readiness or metrics endpoint), its body streamed through the redactor into one file and a record of
 * the request and response (status, timing, headers, redirects, body size) into another. Built-ins
 * yield it; the config-defined `http` collector (collectors/custom/http.ts) is one `http(...)` too, so
 * both run this one implementation. Messages name the fix in the words of the collector's own settings
 * (`hints`): a built-in's flag, or `"url" of custom collector "x"`.
 *
 * Redirects are followed only within the same origin (scheme, host and port); a redirect elsewhere is
 * recorded and not followed, so a collector never reaches a host nobody named. Sensitive headers
 * (request and response) are replaced by `<redacted>` before anything is written; the credentials sent
 * are added to the run's known secrets, so a server that echoes them gives them back redacted; every
 * other byte still passes through the redactor.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { errorMessage, json, problem } from '../src/core/artifacts.js';
import { timeLimit } from '../src/core/timers.js';
import type { Artifact, Declared } from '../src/core/types.js';
import { isSecretKeyName } from '../redaction/keys.js';

/** Defaults of `http(...)`: the same as a config-defined http collector's. */
export const HTTP_DEFAULTS = Object.freeze({ timeoutMs: 10_000, maxBytes: 1024 * 1024, maxRedirects: 5 });

/**
 * What a sensitive header's value becomes. Angle brackets, not `[REDACTED]`: the redactor treats `<...>`
 * as a placeholder, while `"set-cookie": "[REDACTED]"` would read as a secret value to learn.
 */
const REDACTED = '<redacted>';

/** Header names whose values are credentials, whatever their value looks like. */
const SENSITIVE_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'set-cookie2',
  'x-api-key',
  'api-key',
  'x-auth-token',
  'x-access-token',
  'x-csrftoken',
  'x-csrf-token',
  'x-xsrf-token',
  'x-amz-security-token',
  'x-goog-iap-jwt-assertion',
]);

/** True when a header's value must never be written. */
export const isSensitiveHeader = (name: string): boolean => SENSITIVE_HEADERS.has(name.toLowerCase()) || isSecretKeyName(name);

const maskHeaders = (entries: Iterable<[string, string]>): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of entries) out[k.toLowerCase()] = isSensitiveHeader(k) ? REDACTED : v;
  return out;
};

/** The fixes a failure message names, in the words of the collector's own settings. */
export interface HttpHints {
  /** The setting that holds the URL, e.g. `"url" of custom collector "x"` or `--health-url`; default `the URL`. */
  readonly url?: string;
  /** How to give the request more time, e.g. `raise "timeout" of custom collector "x"`. */
  readonly timeout?: string;
  /** The body's file as the user finds it in the bundle (e.g. `custom/x/body.txt`); default its path. */
  readonly body?: string;
}

/** Where `http(...)` stores what it fetched, relative to the collector's folder. */
export interface HttpPaths {
  /** The response body, redacted, its tail kept. */
  readonly body: string;
  /** The request and response record (JSON): status, timing, masked headers, redirects, body size, or the error. */
  readonly response: string;
}

export interface HttpOptions {
  /** Request headers; sensitive ones (Authorization, Cookie, X-Api-Key, ...) never appear in the bundle. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The whole request, redirects and body included (the collector's signal still applies); default 10 s. */
  readonly timeoutMs?: number;
  /** Body kept (the tail); default 1 MiB. */
  readonly maxBytes?: number;
  readonly hints?: HttpHints;
}

/** A URL as it is fetched and shown: user:pass@ taken out (sent as Basic auth instead), the password masked for display. */
interface Target {
  /** What fetch gets: no userinfo (fetch throws on it). */
  readonly url: URL;
  /** The URL as written, for messages and the record: its password masked. */
  readonly shown: string;
  /** The request headers: the caller's, plus `Authorization: Basic` from the URL's userinfo unless the caller set one. */
  readonly headers: Record<string, string>;
  /** The values to remove wherever they appear: sensitive header values, the URL's password, the Basic credentials. */
  readonly secrets: readonly string[];
}

function targetOf(raw: string, given: Readonly<Record<string, string>> = {}): Target {
  const named = new URL(raw);
  const url = new URL(raw);
  url.username = '';
  url.password = '';
  const userinfo = named.username || named.password ? `${decodeURIComponent(named.username)}:${decodeURIComponent(named.password)}` : undefined;
  const basic = userinfo === undefined ? undefined : Buffer.from(userinfo, 'utf8').toString('base64');
  const hasAuthorization = Object.keys(given).some((k) => k.toLowerCase() === 'authorization');
  const headers: Record<string, string> = { ...(basic !== undefined && !hasAuthorization ? { Authorization: `Basic ${basic}` } : {}), ...given };
  const shown = named.password ? raw.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*:)[^@/]*@/i, '$1<redacted>@') : raw;
  const secrets = Object.entries(given)
    .filter(([k]) => isSensitiveHeader(k))
    .flatMap(([, v]) => [v, v.replace(/^(?:Bearer|Basic|Token|Digest)\s+/i, '')]);
  if (named.password) secrets.push(decodeURIComponent(named.password));
  if (basic !== undefined) secrets.push(basic);
  return { url, shown, headers, secrets };
}

/**
 * The credentials a GET of `url` with `headers` sends (sensitive header values, the URL's password and
 * the Basic credentials made of it): for a collector's `secrets()` hook, so they are removed from every
 * collector's output, not only from this one's.
 */
export const httpSecrets = (url: string, headers?: Readonly<Record<string, string>>): readonly string[] => targetOf(url, headers).secrets;

/** `GET <origin><path>` of a URL, without its userinfo or query: for a collector's description. */
export function httpDescription(url: string): string {
  const { url: target } = targetOf(url);
  return `GET ${target.origin}${target.pathname}`;
}

/**
 * One GET of `url` (http or https). The body streams through the redactor into `paths.body` (the tail
 * kept); `paths.response` records the request (headers masked), the final URL, status, redirects,
 * timing, the response headers (masked) and the body's size, or the error. A 4xx/5xx answer, a timeout,
 * a refused connection, an unknown host and a redirect to another origin are each one problem line
 * naming the cause and the fix; none throws, so the collector's other declarations still run.
 */
export function http(paths: HttpPaths, url: string, options: HttpOptions = {}): Declared {
  const timeoutMs = options.timeoutMs ?? HTTP_DEFAULTS.timeoutMs;
  const maxBytes = options.maxBytes ?? HTTP_DEFAULTS.maxBytes;
  const hints = options.hints ?? {};
  const target = targetOf(url, options.headers);
  const shownUrl = target.shown;
  return {
    kind: 'declared',
    what: `GET ${shownUrl}`,
    run: async function* (ctx) {
      // Known before the request: a server that echoes a credential gives it back redacted.
      for (const value of target.secrets) ctx.deps.secrets.add(value);
      // Not AbortSignal.timeout(): Node 20 may collect it unfired inside AbortSignal.any (src/core/timers.ts).
      const limit = timeLimit(timeoutMs);
      const signal = AbortSignal.any([ctx.signal, limit.signal]);
      const began = performance.now();
      const redirects: { status: number; location: string; followed: boolean }[] = [];
      const request = { method: 'GET', url: shownUrl, headers: maskHeaders(Object.entries(target.headers)) };
      const fail = (err: unknown) => fetchFailure(err, { url: shownUrl, timeoutMs, hints, interrupted: ctx.signal.aborted });
      let at = target.url;
      let response: Response | undefined;
      try {
        for (let hop = 0; ; hop++) {
          response = await fetch(at, { method: 'GET', headers: target.headers, redirect: 'manual', signal });
          const location = response.headers.get('location');
          if (response.status < 300 || response.status >= 400 || location === null) break;
          const next = new URL(location, at);
          const sameOrigin = next.origin === target.url.origin;
          const followed = sameOrigin && hop < HTTP_DEFAULTS.maxRedirects;
          redirects.push({ status: response.status, location: next.href, followed });
          if (!followed) {
            yield problem(
              `GET ${shownUrl}`,
              sameOrigin
                ? `more than ${HTTP_DEFAULTS.maxRedirects} redirects; the last one (to ${next.href}) was not followed`
                : `redirect to another origin (${next.origin}) was not followed: collectors only reach the URL you named (fix: put the final URL in ${hints.url ?? 'the URL'})`,
            );
            break;
          }
          await response.body?.cancel();
          at = next;
        }
      } catch (err) {
        const reason = fail(err);
        yield json(paths.response, { request, error: reason, redirects, timing: { totalMs: Math.round(performance.now() - began) } });
        yield problem(`GET ${shownUrl}`, reason);
        return;
      }
      const res = response!;
      const headersMs = Math.round(performance.now() - began);
      let bodyBytes = 0;
      let bodyMs: number | undefined;
      let bodyError: string | undefined;
      const body: Artifact = {
        kind: 'artifact',
        path: paths.body,
        maxBytes,
        open: async () => ({
          stream: (async function* () {
            if (!res.body) return;
            try {
              for await (const chunk of Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>)) {
                bodyBytes += (chunk as Buffer).length;
                yield chunk as Buffer;
              }
              bodyMs = Math.round(performance.now() - began);
            } catch (err) {
              bodyError = fail(err);
              throw new Error(bodyError);
            }
          })(),
        }),
      };
      yield body;
      yield json(paths.response, {
        request,
        url: at.href,
        status: res.status,
        statusText: res.statusText,
        redirects,
        timing: { headersMs, ...(bodyMs !== undefined ? { totalMs: bodyMs } : {}) },
        headers: maskHeaders(res.headers.entries()),
        body: {
          bytes: bodyBytes,
          maxBytes,
          cut: bodyBytes > maxBytes ? 'tail kept (the last maxBytes bytes)' : false,
          ...(bodyError ? { error: bodyError } : {}),
        },
      });
      if (res.status >= 400) yield problem(`GET ${shownUrl}`, `answered ${res.status} ${res.statusText} (see ${hints.body ?? paths.body})`);
    },
  };
}

/** One line naming why a request failed (refused, DNS, timeout, TLS) and the fix. */
function fetchFailure(err: unknown, at: { url: string; timeoutMs: number; hints: HttpHints; interrupted: boolean }): string {
  const { url, hints } = at;
  const setting = hints.url ?? 'the URL';
  const e = err as { name?: string; cause?: { code?: string; message?: string } };
  const code = e.cause?.code;
  if (e.name === 'TimeoutError' || (e.name === 'AbortError' && !at.interrupted)) {
    return `GET ${url} timed out after ${at.timeoutMs / 1000}s (fix: check the service responds${hints.timeout ? `, or ${hints.timeout}` : ''})`;
  }
  if (at.interrupted) return `GET ${url} was interrupted`;
  if (code === 'ECONNREFUSED')
    return `GET ${url}: connection refused: nothing listens on ${new URL(url).host} (fix: start the service or correct the port in ${setting})`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return `GET ${url}: host ${new URL(url).hostname} not found (DNS ${code}) (fix: correct the host name in ${setting})`;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET')
    return `GET ${url}: the connection was closed by the server (${code}) (fix: check the service's logs)`;
  if (code && /CERT|SSL|TLS/i.test(code))
    return `GET ${url}: TLS error ${code} (fix: use a certificate the system trusts, or NODE_EXTRA_CA_CERTS=/path/ca.pem)`;
  const detail = e.cause?.message ? `${errorMessage(err)}: ${e.cause.message}` : errorMessage(err);
  return `GET ${url} failed: ${detail}${code ? ` (${code})` : ''}`;
}
