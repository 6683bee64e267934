// Room: bundle (src/bundle/) — may import core, redaction (the rule: tests/architecture.test.ts).
/**
 * ssh public keys as age recipients (`ssh-ed25519 AAAA…`, `ssh-rsa AAAA…`, the lines of `~/.ssh/id_*.pub`
 * and of `https://github.com/USER.keys`). `age-encryption` 0.3.1 has no ssh recipient but takes any
 * object with `wrapFileKey`; these build the two stanzas of the age spec (C2SP age.md, "ssh-rsa" and
 * "ssh-ed25519"; as FiloSottile/age's agessh) with node:crypto only, so `age -d -i ~/.ssh/id_…` opens the
 * bundle. The tag in each stanza is the first 4 bytes of the SHA-256 of the key's ssh wire encoding.
 */
import {
  createCipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  constants,
  diffieHellman,
  hkdfSync,
  publicEncrypt,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { Stanza, type Recipient as AgeRecipient } from 'age-encryption';
import { oneLine } from '../core/text.js';

/** The ssh key types age can encrypt to. */
export const SSH_RECIPIENT_TYPES = ['ssh-ed25519', 'ssh-rsa'] as const;
export type SshRecipientType = (typeof SSH_RECIPIENT_TYPES)[number];

export const ED25519_LABEL = 'age-encryption.org/v1/ssh-ed25519';
export const RSA_LABEL = 'age-encryption.org/v1/ssh-rsa';
/** RSA keys shorter than this are refused (as OpenSSH refuses them for authentication). */
export const MIN_RSA_BITS = 2048;

/** An ssh public key, parsed and checked. */
export interface SshPublicKey {
  readonly type: SshRecipientType;
  /** The ssh wire encoding (the base64 blob of the .pub line, decoded). */
  readonly wire: Buffer;
  /** `SHA256:…` as `ssh-keygen -lf` prints it: names the key, reveals nothing. */
  readonly fingerprint: string;
  /** The age recipient (for `Encrypter.addRecipient`). */
  readonly recipient: AgeRecipient;
}

/** A key that is not a usable ssh recipient; the message says why (one line, no key material). */
export class SshKeyError extends Error {
  override name = 'SshKeyError';
}

/**
 * Reads the length-prefixed strings of an ssh wire encoding: the first names the key type, which must be
 * `type`, and `count` in all; throws SshKeyError when it is of another type, cut, or has bytes left over.
 */
function wireFields(wire: Buffer, type: string, count: number): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 4 > wire.length) throw new SshKeyError('the key data is cut short');
    const n = wire.readUInt32BE(at);
    if (at + 4 + n > wire.length) throw new SshKeyError('the key data is cut short');
    out.push(wire.subarray(at + 4, at + 4 + n));
    at += 4 + n;
    const named = out[0]!.toString('latin1');
    if (i === 0 && named !== type) throw new SshKeyError(`the key data is of type ${JSON.stringify(oneLine(named).slice(0, 30))}, not ${type}`);
  }
  if (at !== wire.length) throw new SshKeyError('the key data has extra bytes at its end');
  return out;
}

/** The stanza tag: base64 (no padding) of the first 4 bytes of the SHA-256 of the wire key. */
export const tag = (wire: Buffer): string => b64(createHash('sha256').update(wire).digest().subarray(0, 4));
/** age's base64: the standard alphabet without padding. */
export const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64').replace(/=+$/, '');
const b64url = (b: Uint8Array): string => Buffer.from(b).toString('base64url');

/** Curve25519's prime, 2^255 - 19. */
const P = 2n ** 255n - 19n;

/** a^e mod P. */
function powMod(a: bigint, e: bigint): bigint {
  let result = 1n;
  let base = ((a % P) + P) % P;
  for (let x = e; x > 0n; x >>= 1n) {
    if (x & 1n) result = (result * base) % P;
    base = (base * base) % P;
  }
  return result;
}

/**
 * The X25519 (Montgomery u) public key of an Ed25519 public key: u = (1 + y) / (1 - y) mod p, where y is
 * the little-endian Edwards y-coordinate without its sign bit.
 */
export function ed25519ToX25519(pk: Uint8Array): Buffer {
  const le = Buffer.from(pk);
  le[31]! &= 0x7f;
  const y = BigInt(`0x${Buffer.from(le).reverse().toString('hex')}`);
  if (y >= P || y === 1n) throw new SshKeyError('it is not a point on Ed25519');
  const u = ((1n + y) * powMod(1n - y, P - 2n)) % P;
  return Buffer.from(u.toString(16).padStart(64, '0'), 'hex').reverse();
}

/** X25519 keys as node:crypto KeyObjects from their 32 raw bytes (PKCS#8 / SPKI with the X25519 OID). */
const x25519Private = (raw: Uint8Array): KeyObject =>
  createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), raw]), format: 'der', type: 'pkcs8' });
const x25519Public = (raw: Uint8Array): KeyObject =>
  createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b656e032100', 'hex'), raw]), format: 'der', type: 'spki' });
/** X25519(scalar, point); the scalar is clamped as RFC 7748 says. */
export const x25519 = (scalar: Uint8Array, point: Uint8Array): Buffer => diffieHellman({ privateKey: x25519Private(scalar), publicKey: x25519Public(point) });
export const X25519_BASEPOINT = Buffer.concat([Buffer.from([9]), Buffer.alloc(31)]);
export const hkdf = (ikm: Uint8Array, salt: Uint8Array, info: string): Buffer => Buffer.from(hkdfSync('sha256', ikm, salt, info, 32));

/** ChaCha20-Poly1305 with the all-zero nonce (each wrapping key is used once), tag appended. */
function seal(key: Uint8Array, plaintext: Uint8Array): Buffer {
  const c = createCipheriv('chacha20-poly1305', key, Buffer.alloc(12), { authTagLength: 16 });
  return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
}

/** The ssh-ed25519 recipient: a tweaked X25519 to the key's Montgomery form. */
function ed25519Recipient(wire: Buffer, key: Buffer): AgeRecipient {
  if (key.length !== 32) throw new SshKeyError(`an Ed25519 key is 32 bytes, this one ${key.length}`);
  const theirs = ed25519ToX25519(key);
  // A low-order point (all-zero shared secret) is refused now, with the key named, not at write time.
  try {
    x25519(randomBytes(32), theirs);
  } catch {
    throw new SshKeyError('it is a low-order point of Ed25519, not a usable key');
  }
  const tweak = hkdf(Buffer.alloc(0), wire, ED25519_LABEL);
  return {
    wrapFileKey(fileKey) {
      const ephemeral = randomBytes(32);
      const ours = x25519(ephemeral, X25519_BASEPOINT);
      const shared = x25519(tweak, x25519(ephemeral, theirs));
      const wrapping = hkdf(shared, Buffer.concat([ours, theirs]), ED25519_LABEL);
      return [new Stanza(['ssh-ed25519', tag(wire), b64(ours)], seal(wrapping, fileKey))];
    },
  };
}

/** The ssh-rsa recipient: RSA-OAEP with SHA-256 and the age label. */
function rsaRecipient(wire: Buffer, e: Buffer, n: Buffer): AgeRecipient {
  const modulus = n[0] === 0 ? n.subarray(1) : n;
  const bits = modulus.length * 8 - Math.clz32(modulus[0] ?? 0) + 24;
  if (bits < MIN_RSA_BITS) throw new SshKeyError(`an RSA key of ${bits} bits is too small (at least ${MIN_RSA_BITS})`);
  // As Go's x/crypto/ssh (which age uses) checks: an odd exponent of 3 up to 24 bits. With e = 1 the
  // "encrypted" file key would be its OAEP padding, which anyone can undo.
  const exponent = e[0] === 0 ? e.subarray(1) : e;
  const eValue = exponent.length > 3 ? -1 : exponent.reduce((v, b) => v * 256 + b, 0);
  if (eValue < 3 || eValue % 2 === 0) throw new SshKeyError('its RSA public exponent is not an odd number from 3 to 2^24 (a broken or hostile key)');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: { kty: 'RSA', n: b64url(modulus), e: b64url(exponent) }, format: 'jwk' });
  } catch {
    throw new SshKeyError('its RSA numbers are not a usable key');
  }
  return {
    wrapFileKey(fileKey) {
      const body = publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: Buffer.from(RSA_LABEL) }, fileKey);
      return [new Stanza(['ssh-rsa', tag(wire)], body)];
    },
  };
}

/**
 * Parses one authorized_keys-style line (`TYPE BASE64 [comment]`) as an age recipient. Throws
 * SshKeyError naming what is wrong, never quoting the key.
 */
export function parseSshRecipient(line: string): SshPublicKey {
  const [type, blob] = line.trim().split(/\s+/);
  if (!SSH_RECIPIENT_TYPES.includes(type as SshRecipientType)) throw new SshKeyError(`${type} keys cannot be age recipients`);
  if (!blob || !/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) throw new SshKeyError('the key data after the type is missing or not base64');
  const wire = Buffer.from(blob, 'base64');
  const fields = wireFields(wire, type!, type === 'ssh-rsa' ? 3 : 2);
  const recipient = type === 'ssh-rsa' ? rsaRecipient(wire, fields[1]!, fields[2]!) : ed25519Recipient(wire, fields[1]!);
  const fingerprint = `SHA256:${b64(createHash('sha256').update(wire).digest())}`;
  return { type: type as SshRecipientType, wire, fingerprint, recipient };
}
