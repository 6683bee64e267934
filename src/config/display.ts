// Room: config (src/config/) — may import core, redaction, collectors (the rule: tests/architecture.test.ts).
/** A config fit to show (`config --print`, `--list-collectors`): secret values masked, text redacted. */
import { redactArgv } from '../../redaction/structure.js';
import { keyPath, SECRET_PATHS } from './errors.js';
import { setUpRedaction, type RedactionOptions } from './redaction-plan.js';
import type { Config } from './schema.js';

export { SECRET_PATHS } from './errors.js';

/** What a value under a secret key path becomes when a config is shown. */
export const MASKED_VALUE = '<redacted>';

const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]*:)([^\s@/'"]+)@/gi;

/**
 * A copy of a config (or any part of one, at `prefix`) fit to print: every value under a secret key
 * path (`redaction.literals`, `custom[].env`, `custom[].headers`) replaced by MASKED_VALUE (names
 * kept), and URL passwords (`https://user:pass@host`) masked. Still pass the text through the redactor.
 */
export function maskConfigSecrets(value: unknown, prefix: readonly PropertyKey[] = []): unknown {
  const at = keyPath(prefix);
  if (value !== null && typeof value === 'object') {
    // A custom command's argv: secret flag values (`--password=...`) masked as the bundle masks them.
    if (Array.isArray(value) && /^custom\[\d+\]\.argv$/.test(at))
      return redactArgv(value.map(String), () => MASKED_VALUE).map((v) => maskConfigSecrets(v, [...prefix, 0]));
    if (Array.isArray(value)) return value.map((v, i) => maskConfigSecrets(v, [...prefix, i]));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskConfigSecrets(v, [...prefix, k])]));
  }
  if (prefix.length && value !== undefined && value !== null && SECRET_PATHS.some((re) => re.test(at))) return MASKED_VALUE;
  return typeof value === 'string' ? value.replace(URL_PASSWORD, `$1${MASKED_VALUE}@`) : value;
}

/** The known secrets a config holds (literals, custom collectors' env and header values, URL passwords). */
export function configSecretValues(config: Config | undefined): string[] {
  const out: string[] = [...(config?.redaction?.literals ?? [])];
  for (const spec of config?.custom ?? []) {
    const s = spec as { env?: Record<string, string>; headers?: Record<string, string>; url?: string; argv?: string[] };
    if (s.argv) {
      redactArgv(s.argv, (secret) => {
        out.push(secret);
        return MASKED_VALUE;
      });
    }
    out.push(...Object.values(s.env ?? {}), ...Object.values(s.headers ?? {}));
    for (const v of Object.values(s.headers ?? {})) out.push(v.replace(/^(?:Bearer|Basic|Token|Digest)\s+/i, ''));
    if (s.url) {
      try {
        const u = new URL(s.url);
        if (u.password) out.push(decodeURIComponent(u.password));
      } catch {
        // validated already
      }
    }
  }
  return [...new Set(out.filter((v) => v.trim() !== ''))];
}

/**
 * Text about a config (`config --print`, `--list-collectors`) redacted for printing: the run's
 * redaction options (the config's rules and literals included) plus every known secret the config
 * holds. A fresh random tag key: printing never creates or reads a key file.
 */
export async function redactForDisplay(
  text: string,
  redaction: RedactionOptions,
  config: Config | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string> {
  const { keyFile: _keyFile, ...rest } = redaction;
  // Shown to the user on this machine: secrets redacted, names kept (no pseudonyms of a throwaway key).
  const setup = await setUpRedaction({ ...rest, ephemeralKey: true, pseudonymize: false }, env);
  for (const v of configSecretValues(config)) setup.literals.add(v); // a short one is masked by MASKED_VALUE already
  return setup.redactor.text(text, 'config');
}
