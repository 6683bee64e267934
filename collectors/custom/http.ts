// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * An `http` custom collector: one GET of the URL the user named (a health, readiness or metrics
 * endpoint). Redirects are followed only within the same origin (scheme, host and port); a redirect
 * elsewhere is recorded and not followed, so the collector never reaches a host the user did not name.
 * Sensitive headers (request and response) are replaced by `<redacted>` before anything is written;
 * every other byte still passes through the redactor.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { defineCollector, errorMessage, json, problem } from '../../src/core/artifacts.js';
import type { Artifact, Collector } from '../../src/core/types.js';
import { isSecretKeyName } from '../../redaction/keys.js';
import type { HttpCollectorSpec } from './schema.js';

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

export function httpCollector(spec: HttpCollectorSpec): Collector {
  const timeoutMs = spec.timeout !== undefined ? Math.round(spec.timeout * 1000) : HTTP_DEFAULTS.timeoutMs;
  const maxBytes = spec.maxBytes ?? HTTP_DEFAULTS.maxBytes;
  const named = new URL(spec.url);
  // `https://user:pass@host/` cannot go to fetch (it throws): the credentials leave the URL and go as
  // `Authorization: Basic ...` (unless the user set that header), recorded as <redacted> like any other.
  const target = new URL(spec.url);
  target.username = '';
  target.password = '';
  const userinfo = named.username || named.password ? `${decodeURIComponent(named.username)}:${decodeURIComponent(named.password)}` : undefined;
  const basic = userinfo === undefined ? undefined : Buffer.from(userinfo, 'utf8').toString('base64');
  const hasAuthorization = Object.keys(spec.headers ?? {}).some((k) => k.toLowerCase() === 'authorization');
  const headers: Record<string, string> = { ...(basic !== undefined && !hasAuthorization ? { Authorization: `Basic ${basic}` } : {}), ...spec.headers };
  // The URL as written, for messages and response.json: its password masked.
  const shownUrl = named.password ? spec.url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*:)[^@/]*@/i, '$1<redacted>@') : spec.url;
  const shown: HttpCollectorSpec = { ...spec, url: shownUrl };
  return defineCollector({
    name: spec.name,
    folder: `custom/${spec.name}`,
    description: `custom: GET ${target.origin}${target.pathname}`,
    defaultEnabled: true,
    timeoutMs: timeoutMs + 10_000,
    defaults: {},
    // Credentials the user configured are removed everywhere, also if the server echoes them back.
    async secrets() {
      const values = Object.entries(spec.headers ?? {})
        .filter(([k]) => isSensitiveHeader(k))
        .flatMap(([, v]) => [v, v.replace(/^(?:Bearer|Basic|Token|Digest)\s+/i, '')]);
      if (named.password) values.push(decodeURIComponent(named.password));
      if (basic !== undefined) values.push(basic);
      return values;
    },
    async *collect(ctx) {
      const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]);
      const began = performance.now();
      const redirects: { status: number; location: string; followed: boolean }[] = [];
      const request = { method: 'GET', url: shownUrl, headers: maskHeaders(Object.entries(headers)) };
      let url = target;
      let response: Response | undefined;
      try {
        for (let hop = 0; ; hop++) {
          response = await fetch(url, { method: 'GET', headers, redirect: 'manual', signal });
          const location = response.headers.get('location');
          if (response.status < 300 || response.status >= 400 || location === null) break;
          const next = new URL(location, url);
          const sameOrigin = next.origin === target.origin;
          const followed = sameOrigin && hop < HTTP_DEFAULTS.maxRedirects;
          redirects.push({ status: response.status, location: next.href, followed });
          if (!followed) {
            yield problem(
              `GET ${shownUrl}`,
              sameOrigin
                ? `more than ${HTTP_DEFAULTS.maxRedirects} redirects; the last one (to ${next.href}) was not followed`
                : `redirect to another origin (${next.origin}) was not followed: collectors only reach the URL you named (fix: put the final URL in "url" of custom collector "${spec.name}")`,
            );
            break;
          }
          await response.body?.cancel();
          url = next;
        }
      } catch (err) {
        const reason = fetchFailure(err, shown, timeoutMs, ctx.signal.aborted);
        yield json('response.json', { request, error: reason, redirects, timing: { totalMs: Math.round(performance.now() - began) } });
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
        path: 'body.txt',
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
              bodyError = fetchFailure(err, shown, timeoutMs, ctx.signal.aborted);
              throw new Error(bodyError);
            }
          })(),
        }),
      };
      yield body;
      yield json('response.json', {
        request,
        url: url.href,
        status: res.status,
        statusText: res.statusText,
        redirects,
        timing: { headersMs, ...(bodyMs !== undefined ? { totalMs: bodyMs } : {}) },
        headers: maskHeaders(res.headers.entries()),
        body: { bytes: bodyBytes, maxBytes, cut: bodyBytes > maxBytes ? 'tail kept (the last maxBytes bytes)' : false, ...(bodyError ? { error: bodyError } : {}) },
      });
      if (res.status >= 400) yield problem(`GET ${shownUrl}`, `answered ${res.status} ${res.statusText} (see custom/${spec.name}/body.txt)`);
    },
  });
}

/** One line naming why a request failed (refused, DNS, timeout, TLS) and the fix. */
function fetchFailure(err: unknown, spec: HttpCollectorSpec, timeoutMs: number, interrupted: boolean): string {
  const url = spec.url;
  const e = err as { name?: string; cause?: { code?: string; message?: string } };
  const code = e.cause?.code;
  if (e.name === 'TimeoutError' || (e.name === 'AbortError' && !interrupted)) {
    return `GET ${url} timed out after ${timeoutMs / 1000}s (fix: check the service responds, or raise "timeout" of custom collector "${spec.name}")`;
  }
  if (interrupted) return `GET ${url} was interrupted`;
  if (code === 'ECONNREFUSED') return `GET ${url}: connection refused: nothing listens on ${new URL(url).host} (fix: start the service or correct the port in "url")`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `GET ${url}: host ${new URL(url).hostname} not found (DNS ${code}) (fix: correct the host name in "url")`;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return `GET ${url}: the connection was closed by the server (${code}) (fix: check the service's logs)`;
  if (code && /CERT|SSL|TLS/i.test(code)) return `GET ${url}: TLS error ${code} (fix: use a certificate the system trusts, or NODE_EXTRA_CA_CERTS=/path/ca.pem)`;
  const detail = e.cause?.message ? `${errorMessage(err)}: ${e.cause.message}` : errorMessage(err);
  return `GET ${url} failed: ${detail}${code ? ` (${code})` : ''}`;
}
