// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * An `http` custom collector: one GET of the URL the user named (a health, readiness or metrics
 * endpoint), run by the `http(...)` declaration built-ins use too (collectors/declare-http.ts): the body
 * in `body.txt`, the request and response record in `response.json`, redirects only within the same
 * origin, sensitive headers `<redacted>`. Its messages name the fix as `"url"`/`"timeout"` of this
 * collector.
 */
import { defineCollector } from '../../src/core/artifacts.js';
import type { Collector } from '../../src/core/types.js';
import { HTTP_DEFAULTS, http, httpDescription, httpSecrets } from '../declare-http.js';
import type { HttpCollectorSpec } from './schema.js';
import { CUSTOM } from '../../src/bundle/layout.js';

export { HTTP_DEFAULTS, isSensitiveHeader } from '../declare-http.js';

export function httpCollector(spec: HttpCollectorSpec): Collector {
  const timeoutMs = spec.timeout !== undefined ? Math.round(spec.timeout * 1000) : HTTP_DEFAULTS.timeoutMs;
  const maxBytes = spec.maxBytes ?? HTTP_DEFAULTS.maxBytes;
  const folder = CUSTOM.folder(spec.name);
  return defineCollector({
    name: spec.name,
    folder,
    description: `custom: ${httpDescription(spec.url)}`,
    defaultEnabled: true,
    timeoutMs: timeoutMs + 10_000,
    defaults: {},
    // Credentials the user configured are removed everywhere, also if the server echoes them back.
    secrets: async () => httpSecrets(spec.url, spec.headers),
    async *collect() {
      yield http({ body: CUSTOM.httpBody, response: CUSTOM.httpResponse }, spec.url, {
        ...(spec.headers ? { headers: spec.headers } : {}),
        timeoutMs,
        maxBytes,
        hints: {
          url: `"url" of custom collector "${spec.name}"`,
          timeout: `raise "timeout" of custom collector "${spec.name}"`,
          body: `${folder}/${CUSTOM.httpBody}`,
        },
      });
    },
  });
}
