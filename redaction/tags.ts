/**
 * Redaction tokens. A tag is an HMAC-SHA256 of the secret under a key that never enters the bundle, so
 * the same secret gets the same tag everywhere in a run while nobody without the key can test guesses.
 */
import { createHmac, randomBytes } from 'node:crypto';

/** Marks text this tool produced; a value that already is a token is never redacted again. */
export const TOKEN_PREFIX = '[REDACTED:';

/** A fresh random key for one run. */
export const newRedactionKey = (): Buffer => randomBytes(32);

/** `[REDACTED:<rule>:<8 hex>]` for a secret (a string is hashed as UTF-8, a Buffer as its bytes). */
export function redactionToken(key: Buffer, ruleId: string, secret: string | Buffer): string {
  const hmac = createHmac('sha256', key);
  if (typeof secret === 'string') hmac.update(secret, 'utf8');
  else hmac.update(secret);
  const tag = hmac.digest('hex').slice(0, 8);
  return `${TOKEN_PREFIX}${ruleId}:${tag}]`;
}
