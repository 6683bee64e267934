/** Every 6-character piece of `secret` that is still in `out`; empty when the secret went whole. */
export function leakedPieces(out: string, secret: string): string[] {
  const pieces: string[] = [];
  for (let i = 0; i + 6 <= secret.length; i++) if (out.includes(secret.slice(i, i + 6))) pieces.push(secret.slice(i, i + 6));
  return pieces;
}
