// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * An `env` custom collector: the environment the run sees (`ctx.deps.env`). Every selected name is
 * listed; a value is written only when
 * - the name is on a short list of names known to hold no secret (SAFE_ENV_NAMES: PATH, HOME, LANG,
 *   DJANGO_SETTINGS_MODULE, ...) or matches one of the user's `include` globs (the user chose it), and
 * - the name does not look secret: neither to the bundle's key rules (redaction/keys.ts) nor to the
 *   wider list environments need (isSecretEnvName: AUTH, WEBHOOK, HTPASSWD, `*_KEY`, DSN, ...), and
 * - the value is not a URL with credentials in it (`https://user:pass@host`, `https://TOKEN@host`).
 * Everything else is listed with a placeholder instead of its value, so a value under a name nobody
 * thought of (`REDISCLI_AUTH`, `NPM_CONFIG__AUTH`, `SLACK_WEBHOOK_URL`) is never emitted; a value that
 * is written still passes through the redactor like all bundle content.
 */
import { defineCollector, excluded, json } from '../../src/core/artifacts.js';
import type { Collector } from '../../src/core/types.js';
import { isSecretKeyName, keyWords } from '../../redaction/keys.js';
import { segmentRegExp } from './glob.js';
import type { EnvCollectorSpec } from './schema.js';

/**
 * What a secret-looking name's value becomes. Angle brackets, not `[REDACTED]`: the redactor treats
 * `<...>` as a placeholder, while `"DB_PASSWORD": "[REDACTED]"` would read as a secret value to learn.
 */
export const REDACTED_VALUE = '<redacted>';

/** What the value of a name neither on the safe list nor included becomes. */
export const NOT_COLLECTED_VALUE = '<not collected: add the name to "include" to see it>';

/** Names whose values are shown without being included: standard variables that hold no secret. */
export const SAFE_ENV_NAMES: readonly string[] = Object.freeze([
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'PWD', 'OLDPWD', 'HOSTNAME', 'TERM', 'TZ', 'LANG', 'LANGUAGE', 'LC_*',
  'TMPDIR', 'SHLVL', 'PYTHONPATH', 'PYTHONUNBUFFERED', 'PYTHONDONTWRITEBYTECODE', 'PYTHONIOENCODING', 'VIRTUAL_ENV',
  'DJANGO_SETTINGS_MODULE', 'DEBUG', 'NODE_ENV', 'DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH',
  'COMPOSE_PROJECT_NAME', 'COMPOSE_FILE', 'COMPOSE_PROFILES', 'CLOUDSDK_CORE_PROJECT', 'CLOUDSDK_RUN_REGION',
]);

/** Words that make an environment variable's value secret, beyond the bundle's key rules. */
const SECRET_ENV_WORDS = new Set([
  'auth', 'authorization', 'webhook', 'webhooks', 'htpasswd', 'pwd', 'credential', 'credentials', 'creds', 'private',
  'signature', 'salt', 'dsn', 'connection', 'connectionstring', 'conn', 'cookie', 'session', 'sessionid', 'pass',
]);

/**
 * True when an environment variable's name says its value may be secret: the bundle's key rules, or
 * a word such as AUTH, WEBHOOK, HTPASSWD, PWD (not the shell's `PWD`/`OLDPWD`), CREDENTIALS, PRIVATE,
 * SIGNATURE, SALT, DSN, CONNECTION(_STRING), or a last word KEY (`*_KEY`).
 */
export function isSecretEnvName(name: string): boolean {
  if (name === 'PWD' || name === 'OLDPWD') return false;
  if (isSecretKeyName(name)) return true;
  const words = keyWords(name);
  if (words.at(-1) === 'key' || words.at(-1) === 'keys') return true;
  return words.some((w) => SECRET_ENV_WORDS.has(w) || w.endsWith('auth') || w.endsWith('webhook'));
}

/** A URL carrying credentials in its userinfo (`scheme://user:pass@host`, `scheme://TOKEN@host`), anywhere in the value. */
const URL_USERINFO = /\b[a-z][a-z0-9+.-]*:\/\/[^\s/@]+@/i;

export function envCollector(spec: EnvCollectorSpec): Collector {
  const include = (spec.include ?? []).map(segmentRegExp);
  const exclude = (spec.exclude ?? []).map(segmentRegExp);
  const safe = SAFE_ENV_NAMES.map(segmentRegExp);
  return defineCollector({
    name: spec.name,
    folder: `custom/${spec.name}`,
    description: 'custom: the process environment (names; values only for safe or included names that do not look secret)',
    defaultEnabled: true,
    defaults: {},
    async *collect(ctx) {
      const names = Object.keys(ctx.deps.env)
        .filter((n) => ctx.deps.env[n] !== undefined)
        .filter((n) => include.length === 0 || include.some((re) => re.test(n)))
        .filter((n) => !exclude.some((re) => re.test(n)))
        .sort();
      const values: Record<string, string> = {};
      let hidden = 0;
      let notCollected = 0;
      for (const name of names) {
        const value = ctx.deps.env[name]!;
        if (isSecretEnvName(name) || URL_USERINFO.test(value)) {
          values[name] = REDACTED_VALUE;
          hidden++;
        } else if (safe.some((re) => re.test(name)) || include.some((re) => re.test(name))) values[name] = value;
        else {
          values[name] = NOT_COLLECTED_VALUE;
          notCollected++;
        }
      }
      yield json('env.json', values);
      if (hidden) yield excluded('secret env values', `${hidden} value(s) of secret-looking names or URLs with credentials were not written (shown as ${REDACTED_VALUE})`);
      if (notCollected) yield excluded('other env values', `${notCollected} value(s) of names neither on the safe list nor in "include" were not written (list the names in "include" of custom collector "${spec.name}" to see them)`);
    },
  });
}
