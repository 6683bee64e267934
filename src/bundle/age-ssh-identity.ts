// Room: bundle (src/bundle/) — may import core, redaction (the rule: tests/architecture.test.ts).
/**
 * ssh private keys as age identities (`--identity ~/.ssh/id_ed25519`), the other half of age-ssh.ts:
 * unencrypted OpenSSH keys (`-----BEGIN OPENSSH PRIVATE KEY-----`, what ssh-keygen writes) and PEM
 * keys (`-----BEGIN RSA PRIVATE KEY-----`, `-----BEGIN PRIVATE KEY-----`) of type ed25519 or rsa. A
 * passphrase-protected key is refused with one line: collect-bundle never asks for a passphrase.
 */
import { constants, createDecipheriv, createHash, createPrivateKey, type KeyObject, privateDecrypt } from 'node:crypto';
import type { Identity as AgeIdentity, Stanza } from 'age-encryption';
import { ED25519_LABEL, hkdf, RSA_LABEL, tag, X25519_BASEPOINT, x25519 } from './age-ssh.js';

/** An ssh private key that cannot be used; the message says why (one line, no key material). */
export class SshIdentityError extends Error {
  override name = 'SshIdentityError';
}

/** The passphrase-protected case, told apart so the caller can name the way out. */
export class SshPassphraseError extends SshIdentityError {
  override name = 'SshPassphraseError';
}

/** A cursor over ssh wire data (RFC 4251 strings and uint32s); throws SshIdentityError when cut. */
class Wire {
  #at = 0;
  constructor(readonly data: Buffer) {}
  uint32(): number {
    if (this.#at + 4 > this.data.length) throw new SshIdentityError('the key data is cut short');
    const n = this.data.readUInt32BE(this.#at);
    this.#at += 4;
    return n;
  }
  string(): Buffer {
    const n = this.uint32();
    if (this.#at + n > this.data.length) throw new SshIdentityError('the key data is cut short');
    const out = this.data.subarray(this.#at, this.#at + n);
    this.#at += n;
    return out;
  }
}

const sshString = (b: Uint8Array): Buffer => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
};
/** An ssh mpint from unsigned big-endian bytes: no extra leading zeros, a zero byte before a set high bit. */
const mpint = (b: Uint8Array): Buffer => {
  let x = Buffer.from(b);
  while (x.length > 0 && x[0] === 0) x = x.subarray(1);
  return sshString(x.length > 0 && x[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), x]) : x);
};
const toBig = (b: Uint8Array): bigint => (b.length ? BigInt(`0x${Buffer.from(b).toString('hex')}`) : 0n);
const fromBig = (n: bigint): Buffer => {
  const hex = n.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
};
const b64url = (b: Uint8Array): string => Buffer.from(b).toString('base64url');

/** The ssh-ed25519 identity of a 32-byte seed and its public key. */
function ed25519Identity(seed: Uint8Array, pub: Uint8Array): AgeIdentity {
  const wire = Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(pub)]);
  const mine = tag(wire);
  const secret = createHash('sha512').update(seed).digest().subarray(0, 32);
  const ours = x25519(secret, X25519_BASEPOINT);
  const tweak = hkdf(Buffer.alloc(0), wire, ED25519_LABEL);
  return {
    unwrapFileKey(stanzas: Stanza[]) {
      for (const s of stanzas) {
        if (s.args[0] !== 'ssh-ed25519' || s.args[1] !== mine) continue;
        const theirs = Buffer.from(s.args[2] ?? '', 'base64');
        if (s.args.length !== 3 || theirs.length !== 32 || s.body.length !== 32) throw new Error('invalid ssh-ed25519 stanza');
        // A matching tag that does not open is another key's stanza (a 1 in 2^32 tag collision), as
        // agessh.go reads it: try the next stanza, not a failure of the whole file.
        try {
          const shared = x25519(tweak, x25519(secret, theirs));
          const wrapping = hkdf(shared, Buffer.concat([theirs, ours]), ED25519_LABEL);
          const d = createDecipheriv('chacha20-poly1305', wrapping, Buffer.alloc(12), { authTagLength: 16 });
          d.setAuthTag(s.body.subarray(16));
          return Buffer.concat([d.update(s.body.subarray(0, 16)), d.final()]);
        } catch {}
      }
      return null;
    },
  };
}

/** The ssh-rsa identity of an RSA private key. */
function rsaIdentity(key: KeyObject, n: Uint8Array, e: Uint8Array): AgeIdentity {
  const mine = tag(Buffer.concat([sshString(Buffer.from('ssh-rsa')), mpint(e), mpint(n)]));
  return {
    unwrapFileKey(stanzas: Stanza[]) {
      for (const s of stanzas) {
        if (s.args[0] !== 'ssh-rsa' || s.args[1] !== mine) continue;
        if (s.args.length !== 2) throw new Error('invalid ssh-rsa stanza');
        try {
          return privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: Buffer.from(RSA_LABEL) }, s.body);
        } catch {} // another key's stanza with the same tag: the next one
      }
      return null;
    },
  };
}

/** An OpenSSH private key (`openssh-key-v1`), unencrypted, as an age identity. */
function fromOpenSsh(text: string): AgeIdentity {
  const body = text.replace(/-----(BEGIN|END) OPENSSH PRIVATE KEY-----/g, '').replace(/\s+/g, '');
  const data = Buffer.from(body, 'base64');
  const magic = Buffer.from('openssh-key-v1\0', 'latin1');
  if (!data.subarray(0, magic.length).equals(magic)) throw new SshIdentityError('not an OpenSSH private key (its data does not start as one)');
  const outer = new Wire(data.subarray(magic.length));
  const cipher = outer.string().toString('latin1');
  outer.string(); // kdf name
  outer.string(); // kdf options
  if (cipher !== 'none') throw new SshPassphraseError('the ssh key is protected by a passphrase');
  if (outer.uint32() !== 1) throw new SshIdentityError('it holds more than one key');
  outer.string(); // the public key, repeated below
  const inner = new Wire(outer.string());
  const check = inner.uint32();
  if (check !== inner.uint32()) throw new SshIdentityError('the key data is damaged (its check numbers differ)');
  const type = inner.string().toString('latin1');
  if (type === 'ssh-ed25519') {
    const pub = inner.string();
    const priv = inner.string();
    if (pub.length !== 32 || priv.length !== 64) throw new SshIdentityError('the Ed25519 key has the wrong length');
    return ed25519Identity(priv.subarray(0, 32), pub);
  }
  if (type === 'ssh-rsa') {
    const [n, e, d, iqmp, p, q] = [inner.string(), inner.string(), inner.string(), inner.string(), inner.string(), inner.string()];
    const [D, P, Q] = [toBig(d), toBig(p), toBig(q)];
    const key = createPrivateKey({
      key: {
        kty: 'RSA',
        n: b64url(fromBig(toBig(n))),
        e: b64url(fromBig(toBig(e))),
        d: b64url(fromBig(D)),
        p: b64url(fromBig(P)),
        q: b64url(fromBig(Q)),
        dp: b64url(fromBig(D % (P - 1n))),
        dq: b64url(fromBig(D % (Q - 1n))),
        qi: b64url(fromBig(toBig(iqmp))),
      },
      format: 'jwk',
    });
    return rsaIdentity(key, n, e);
  }
  throw new SshIdentityError(`its type is ${type.replace(/[^\w@.-]/g, '?').slice(0, 40)}; only ssh-ed25519 and ssh-rsa keys can be age identities`);
}

/** A PEM private key (PKCS#1 RSA, PKCS#8 RSA or Ed25519), unencrypted, as an age identity. */
function fromPem(text: string): AgeIdentity {
  if (/ENCRYPTED/.test(text)) throw new SshPassphraseError('the key is protected by a passphrase');
  let key: KeyObject;
  try {
    key = createPrivateKey(text);
  } catch {
    throw new SshIdentityError('not a readable PEM private key');
  }
  const jwk = key.export({ format: 'jwk' });
  if (key.asymmetricKeyType === 'ed25519') return ed25519Identity(Buffer.from(jwk.d!, 'base64url'), Buffer.from(jwk.x!, 'base64url'));
  if (key.asymmetricKeyType === 'rsa') return rsaIdentity(key, Buffer.from(jwk.n!, 'base64url'), Buffer.from(jwk.e!, 'base64url'));
  throw new SshIdentityError(`its type is ${key.asymmetricKeyType}; only ed25519 and rsa keys can be age identities`);
}

/** Whether a file's text is a private key in PEM armor (OpenSSH's or PKCS's). */
export const isPemPrivateKey = (text: string): boolean => /^-----BEGIN [A-Z ]*PRIVATE KEY-----/m.test(text);

/**
 * The age identity of an ssh private key file's text. Throws SshPassphraseError for a protected key
 * and SshIdentityError for anything else unusable; never quotes the key.
 */
export function parseSshIdentity(text: string): AgeIdentity {
  try {
    return text.includes('-----BEGIN OPENSSH PRIVATE KEY-----') ? fromOpenSsh(text) : fromPem(text);
  } catch (err) {
    if (err instanceof SshIdentityError) throw err;
    throw new SshIdentityError('the key data is damaged');
  }
}
