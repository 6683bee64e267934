/**
 * Every 6-character piece of `secret` that is still in `out`; empty when the secret went whole. Our own
 * tokens are blanked first: a token names its rule (`[REDACTED:secret-key-value:…]`), so a value such as
 * `-value  !` shared 6 characters with the token that replaced it, and the whole-values property test
 * once failed on that (seed 50 of a local loop), a leak that was not one.
 */
export function leakedPieces(out: string, secret: string): string[] {
  const text = out.replace(/\[REDACTED:[a-z][a-z0-9-]*:[0-9a-f]{8}\]/g, '[REDACTED]');
  const pieces: string[] = [];
  for (let i = 0; i + 6 <= secret.length; i++) if (text.includes(secret.slice(i, i + 6))) pieces.push(secret.slice(i, i + 6));
  return pieces;
}
