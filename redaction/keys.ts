/**
 * Structure-aware key names: decides whether a key (env var, JSON key, setting, flag) names a secret.
 * Names are split into words on separators and camelCase, so DB_PASS, dbPass, db-pass and DbPass agree.
 */

/** Words that make a key secret wherever they appear in its name. */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'pass',
  'pwd',
  'pw',
  'passphrase',
  'secret',
  'secrets',
  'token',
  'tokens',
  'apikey',
  'credential',
  'credentials',
  'dsn',
  'privatekey',
  'cookie',
  'sessionid',
  'signature',
  'sig',
  // Redis: `--requirepass x`, `masterauth x`.
  'requirepass',
  'masterauth',
]);

/**
 * Cheap pre-filter for keyed rules, derived from the word lists so the two cannot drift apart: a line
 * without any of these substrings cannot hold a secret-looking key (`auth`: Twilio's `auth: <hex>`, values.ts).
 */
export const SECRET_KEY_HINT = new RegExp([...SECRET_WORDS, 'key', 'auth'].sort((a, b) => b.length - a.length).join('|'), 'i');

/** `key` counts only next to one of these (API_KEY, SECRET_KEY, PRIVATE_KEY, ACCESS_KEY, ...). */
const KEY_QUALIFIERS = new Set([
  'api',
  'secret',
  'private',
  'access',
  'signing',
  'encryption',
  'master',
  'auth',
  'client',
  'account',
  'storage',
  'license',
  'app',
]);

/**
 * Words that turn a secret-looking name into metadata about the secret: TOKEN_EXPIRY=3600,
 * SECRET_KEY_FALLBACKS = [], PASSWORD_RESET_TIMEOUT, password_validators, token_type.
 */
const METADATA_WORDS = new Set([
  'expiry',
  'expires',
  'expiration',
  'ttl',
  'timeout',
  'lifetime',
  'age',
  'length',
  'len',
  'min',
  'max',
  'fallbacks',
  'reset',
  'validators',
  'validator',
  'hashers',
  'hasher',
  'type',
  'name',
  'names',
  'file',
  'path',
  'dir',
  'url',
  'urls',
  'uri',
  'uris',
  // Where a token is fetched, not the token: `<tokenEndpoint>https://sso/oauth2/token</tokenEndpoint>`.
  'endpoint',
  'endpoints',
  'header',
  'prefix',
  'field',
  'env',
  'id',
  'count',
  'policy',
  'changed',
  'required',
  'rotation',
  'location',
  'backend',
  'backends',
  'class',
  'algorithm',
  'algorithms',
  'samesite',
  'secure',
  'httponly',
  'domain',
  'format',
  'enabled',
  'enable',
  'mode',
  'sha256',
  'limit',
  'version',
  // State and outcome words: `signature_valid=1`, `token_valid=yes`, `BadSignature: Signature …`
  'valid',
  'invalid',
  'verified',
  'error',
  'errors',
  'exception',
  'expired',
  'bad',
  'mismatch',
  'missing',
  'present',
]);

/** Splits a key name into lower-case words: `dbPassword_HASH-x` → ['db', 'password', 'hash', 'x']. */
export function keyWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** True when a key name says its value is a secret. */
export function isSecretKeyName(name: string): boolean {
  // The shell's working directory (`PWD=/srv/app` in every environment dump), not a password: learning
  // it as a secret would erase the project path from the whole bundle. `DB_PWD`, `pwd` stay secret.
  if (name === 'PWD') return false;
  const words = keyWords(name);
  if (words.length === 0) return false;
  if (words.some((w) => METADATA_WORDS.has(w))) return false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (SECRET_WORDS.has(w)) return true;
    if (w === 'key' || w === 'keys') {
      const prev = words[i - 1];
      if (prev !== undefined && KEY_QUALIFIERS.has(prev)) return true;
    }
    if (w.endsWith('password') || w.endsWith('secret') || w.endsWith('token') || w.endsWith('apikey')) return true;
  }
  return false;
}
