/**
 * The last line of defence: a long, high-entropy token standing just after a secret-ish word (within
 * 64 characters before it, or inside it) is
 * redacted even when no rule knows its format (a new provider's key under `auth_header`, a password
 * after `credential` in prose).
 *
 * Candidates are runs of base64/base64url/token characters of at least MIN_LENGTH (24: shorter runs of
 * mixed-case text are too often ordinary identifiers). The shapes that
 * must survive are recognised first and never taken: hex-only strings (container IDs, 12/64 hex; git
 * SHAs; digests, whose `sha256:` prefix is not a token character; hex request IDs), UUIDs, paths and
 * URLs, versions, file names by their extension, dotted names (hosts, Python paths such as `django.contrib.auth.hashers.PBKDF2Hasher`),
 * and anything with fewer than two each of lower-case letters, upper-case letters and digits
 * (timestamps, IPs, ports, migration names, words, status lines).
 *
 * Threshold: Shannon entropy of the token's own characters of at least 0.85·log2(n) bits per character
 * (n = length, capped at 4.5 bits). A uniformly random base62/base64 token of n <= 64 characters has n
 * draws with about n·(1 - e^(-n/62)) distinct values and measures about 0.92-0.96·log2(n) (20 chars: ~4.0
 * bits); CamelCase identifiers and English compounds that pass the class test stay near 0.75-0.8·log2(n).
 */
import type { Span } from './span.js';

export const ENTROPY_RULE = 'high-entropy-secret';
const MIN_LENGTH = 24;
/** The secret word must stand this close before the token (same key, same phrase), or inside it. */
const NEAR = 64;

/**
 * Words that put a line under suspicion (matched case-insensitively anywhere in the line). This is the
 * hint of the `high-entropy-secret` rule in rules.ts, so the pre-filter selects it on such lines.
 */
export const SECRET_WORD = /pass|pwd|secret|token|key|auth|cred|bearer|signature|session|cookie/i;
/** Token characters: base64, base64url, and `.~` (JWT segments, some vendor tokens); padding after. */
// The lookbehind makes each run tried once, at its start (not again at each of its first characters).
export const CANDIDATE = /(?<![A-Za-z0-9+/_~.-])[A-Za-z0-9+/_~.-]{24,}={0,2}/g;

/** Mentions of public material that make "key" no reason for suspicion. */
const PUBLIC_MATERIAL = /public[ _-]?key|BEGIN CERTIFICATE|ssh-(?:rsa|ed25519|dss)|ecdsa-sha2/i;
const PUBLIC_MATERIAL_ALL = new RegExp(PUBLIC_MATERIAL.source, 'gi');
/** An OpenSSH public key blob (wire format starts with a 4-byte length: AAAA…). */
const SSH_PUBLIC_BLOB = /^AAAA[BCE][0-9A-Za-z+/]+={0,2}$/;

const SECRET_WORDS = new RegExp(SECRET_WORD.source, 'gi');
const OWN_TOKENS = /\[REDACTED:[a-z][a-z0-9-]*:[0-9a-f]{8}\]/g;
const HEX_OR_UUID = /^[0-9a-fA-F-]+$/;
const VERSION = /^v?\d+(?:\.\d+)+/;
const PATH_LIKE = /^(?:\/|\.{1,2}\/|~\/)|\/\//;
const IDENT_SEGMENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/**
 * A file name by its extension (`collect-bundle-vm-20261207T121637Z-owfx0r.tar.gz.sha256`, a rotated
 * `app-2026-12-07T10Z.log.gz`): a name is shown to be typed, not a credential.
 */
const FILE_NAME = /\.(?:tar\.gz|tgz|gz|zip|sha256|json|jsonl|log|txt|md|html|ya?ml|age|py|conf|cfg|ini|pem|crt|csv)$/i;
/**
 * An OpenSSH key fingerprint (`SHA256:` + 43 unpadded base64 characters, as `ssh-keygen -l` prints it)
 * is a hash of a public key, shown to be compared: not a secret.
 */
const SSH_FINGERPRINT = /^[A-Za-z0-9+/]{43}$/;
const isSshFingerprint = (text: string, start: number, token: string): boolean =>
  start >= 7 && text.slice(start - 7, start) === 'SHA256:' && SSH_FINGERPRINT.test(token);

/** Shannon entropy in bits per character. */
export function shannon(s: string): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < s.length; i++) counts.set(s.charCodeAt(i), (counts.get(s.charCodeAt(i)) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** True when `token` has the shape and the randomness of a secret (see the module comment). */
export function looksLikeSecretToken(token: string): boolean {
  if (token.length < MIN_LENGTH) return false;
  if (HEX_OR_UUID.test(token) || VERSION.test(token) || PATH_LIKE.test(token) || SSH_PUBLIC_BLOB.test(token) || FILE_NAME.test(token)) return false;
  let lower = 0;
  let upper = 0;
  let digit = 0;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c >= 97 && c <= 122) lower++;
    else if (c >= 65 && c <= 90) upper++;
    else if (c >= 48 && c <= 57) digit++;
  }
  if (lower < 2 || upper < 2 || digit < 2) return false;
  // A path of short segments (a/b/c) or a dotted name whose parts read as identifiers.
  if (token.includes('/') && token.split('/').every((p) => p.length < 16)) return false;
  if (token.includes('.') && token.split('.').every((p) => IDENT_SEGMENT.test(p) && (p.match(/\d/g)?.length ?? 0) <= 3)) return false;
  const threshold = Math.min(4.5, 0.85 * Math.log2(token.length));
  return shannon(token) >= threshold;
}

/**
 * Spans of high-entropy tokens starting in [from, to) of a line that mentions a secret word, outside
 * the spans already `taken`.
 */
export function highEntropySpans(text: string, from: number, to: number, taken: readonly Span[]): Span[] {
  // The shape tests first: most lines that mention a secret word hold no long random token at all, and
  // then none of the context below (own tokens, public material, word positions) is worth building.
  // The tests are pure, so running them before the distance test gives the same spans.
  const shaped: Span[] = [];
  CANDIDATE.lastIndex = from;
  for (let m = CANDIDATE.exec(text); m !== null && m.index < to; m = CANDIDATE.exec(text)) {
    const start = m.index;
    const end = start + m[0].length;
    if (taken.some((s) => start < s.end && end > s.start)) continue;
    if (looksLikeSecretToken(m[0]) && !isSshFingerprint(text, start, m[0])) shaped.push({ start, end, rule: ENTROPY_RULE });
  }
  if (shaped.length === 0) return [];
  // Our own tokens name rules (`url-password`): they are no reason for suspicion, or redacting twice
  // would differ from redacting once. A public key or certificate is the one key meant to be shown.
  // Blanked to the same length, so positions in `gate` are positions in `text`.
  const blank = (t: string): string => ' '.repeat(t.length);
  const tokens = text.includes('[REDACTED:') ? [...text.matchAll(OWN_TOKENS)].map((m) => ({ start: m.index, end: m.index + m[0].length })) : [];
  let gate = tokens.length ? text.replace(OWN_TOKENS, blank) : text;
  if (PUBLIC_MATERIAL.test(gate)) gate = gate.replace(PUBLIC_MATERIAL_ALL, blank);
  if (!SECRET_WORD.test(gate)) return [];
  const words = [...gate.matchAll(SECRET_WORDS)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
  // What a redaction replaces does not count towards the distance, so redacting twice equals redacting
  // once (a value and the token that replaced it have different lengths).
  const out: Span[] = [];
  const skipped: Span[] = [...taken, ...tokens.map((t) => ({ ...t, rule: '' }))];
  const near = (start: number, end: number): boolean =>
    words.some((w) => {
      if (w.start >= end) return false;
      if (w.end >= start) return true;
      let gap = start - w.end;
      for (const s of skipped) gap -= Math.max(0, Math.min(s.end, start) - Math.max(s.start, w.end));
      return gap <= NEAR;
    });
  for (const span of shaped) {
    if (!near(span.start, span.end)) continue;
    out.push(span);
    skipped.push(span); // it becomes a token too: it does not count towards later distances
  }
  return out;
}
