// Room: bundle (src/bundle/) — may import core, redaction (the rule: tests/architecture.test.ts).
/**
 * age encryption of a bundle (issue #16 part 3), through `age-encryption` (typage, by age's authors):
 * the tar.gz stream is encrypted as it is produced, so a bundle for a recipient never exists in plaintext
 * on disk; and an encrypted bundle is decrypted as it is read, into the same reader (reader.ts), so
 * `verify`, `inspect`, `analyze` and `diff` never write plaintext either. Recipients are checked before
 * anything is collected; the manifest records them only as short fingerprints.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ReadableStream as WebReadable, type ReadableStream as WebReadableStream } from 'node:stream/web';
import { Decrypter, Encrypter, type Identity as AgeIdentity, type Recipient as AgeRecipient } from 'age-encryption';
import { errorMessage } from '../core/artifacts.js';
import { CliError } from '../core/errors.js';
import { openInputStream, readInput } from '../core/open-input.js';
import { oneLine } from '../core/text.js';
import { parseSshRecipient, SshKeyError } from './age-ssh.js';
import { isPemPrivateKey, parseSshIdentity, SshIdentityError, SshPassphraseError } from './age-ssh-identity.js';

export { AGE_MAGIC, AGE_SUFFIX, isAgeFile } from './age-file.js';

/** The recipient forms we accept, for the one-line error. */
export const RECIPIENT_FORMS =
  'an age X25519 public key (age1…, from `age-keygen -y`), a post-quantum one (age1pq1…), or an ssh public key (ssh-ed25519 AAAA… or ssh-rsa AAAA…, a line of ~/.ssh/id_*.pub or of https://github.com/USER.keys)';

/** A recipient checked and ready: the string as given (an ssh key without its comment) and its fingerprint for the manifest. */
export interface Recipient {
  readonly key: string;
  /**
   * Names it, reveals nothing: for an age key `sha256:` and the first 16 hex digits of the key string's
   * sha256; for an ssh key `SHA256:…` as `ssh-keygen -lf` prints it.
   */
  readonly fingerprint: string;
  /** An ssh key's age recipient (age-ssh.ts); an age1… key is given to the library as its string. */
  readonly ssh?: AgeRecipient;
}

const SSH_LINE = /^(ssh-|ecdsa-sha2-|sk-)\S*\s/;

/** The manifest's fingerprint of a recipient string. */
export const recipientFingerprint = (key: string): string => {
  if (SSH_LINE.test(key.trim())) {
    try {
      return parseSshRecipient(key).fingerprint;
    } catch {
      // not a usable key: named like any other string
    }
  }
  return `sha256:${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
};

/** Shows a bad value in one line, cut short (a pasted private key must not be printed whole). */
const shown = (v: string): string => JSON.stringify(oneLine(v).slice(0, 40) + (v.length > 40 ? '…' : ''));

/**
 * Checks recipients (`--encrypt-to`, the lines of `--encrypt-to-file`): each must be one the library
 * can encrypt to. Throws CliError (exit 2) naming the bad value and the accepted forms.
 */
export function checkRecipients(values: readonly string[], where = '--encrypt-to'): Recipient[] {
  const out: Recipient[] = [];
  for (const raw of values) {
    const key = raw.trim();
    if (/^AGE-SECRET-KEY-/i.test(key))
      throw new CliError(
        `${where}: that is a private key (AGE-SECRET-KEY-…), never give it out: pass the public key (age-keygen -y FILE prints it)`,
        'E_USAGE',
      );
    if (/^-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key))
      throw new CliError(`${where}: that is a private key, never give it out: pass the public key (the .pub file beside it)`, 'E_USAGE');
    if (SSH_LINE.test(key)) {
      const type = key.split(/\s/)[0]!;
      if (type !== 'ssh-ed25519' && type !== 'ssh-rsa')
        throw new CliError(`${where}: ${oneLine(type).slice(0, 40)} keys cannot be age recipients; expected ${RECIPIENT_FORMS}`, 'E_USAGE');
      let parsed: ReturnType<typeof parseSshRecipient>;
      try {
        parsed = parseSshRecipient(key);
      } catch (err) {
        if (!(err instanceof SshKeyError)) throw err;
        throw new CliError(`${where}: ${shown(key)} is not a usable ${type} public key (${err.message}); pass the whole line of the .pub file`, 'E_USAGE');
      }
      // The same key under another comment is the same recipient; the comment (often user@host) goes nowhere.
      const normal = key.split(/\s+/).slice(0, 2).join(' ');
      if (!out.some((r) => r.key === normal)) out.push({ key: normal, fingerprint: parsed.fingerprint, ssh: parsed.recipient });
      continue;
    }
    try {
      if (!key.startsWith('age1')) throw new Error('not age1');
      new Encrypter().addRecipient(key);
    } catch {
      throw new CliError(`${where}: ${shown(key)} is not a recipient; expected ${RECIPIENT_FORMS}`, 'E_USAGE');
    }
    if (!out.some((r) => r.key === key)) out.push({ key, fingerprint: recipientFingerprint(key) });
  }
  return out;
}

/** The recipients of a recipients file: one a line, blank lines and `#` comments skipped. */
export async function readRecipientsFile(file: string): Promise<Recipient[]> {
  let text: string;
  try {
    text = await readInput(file, { what: '--encrypt-to-file', hint: 'pass a file of recipients (age1… or ssh public keys), one a line', encoding: 'utf8' });
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`--encrypt-to-file ${file}: ${fsReason(err)}`, 'E_USAGE');
  }
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  if (lines.length === 0) throw new CliError(`--encrypt-to-file ${file}: no recipient in it (one age1… or ssh public key a line)`, 'E_USAGE');
  return checkRecipients(lines, `--encrypt-to-file ${file}`);
}

const fsReason = (err: unknown): string => {
  const code = (err as { code?: string }).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : errorMessage(err);
};

/** The ciphertext of `plain` for `recipients`, as a stream (age's STREAM: 64 KiB chunks, never all in memory). */
export async function encryptStream(plain: AsyncIterable<Buffer>, recipients: readonly Recipient[]): Promise<Readable> {
  if (recipients.length === 0) throw new Error('no recipient to encrypt to');
  const e = new Encrypter();
  for (const r of recipients) e.addRecipient(r.ssh ?? r.key);
  // Pulled from the iterator (cancel calls its return()), not Readable.toWeb's push adapter: on Node 20
  // that adapter can still be handed a chunk after an interrupt cancelled the stream and then throws
  // ERR_INVALID_STATE ("Controller is already closed") where nothing can catch it (seen in CI).
  const web = WebReadable.from(plain) as unknown as ReadableStream<Uint8Array>;
  const out = await e.encrypt(web);
  return Readable.fromWeb(out as unknown as WebReadableStream<Uint8Array>);
}

/** Identities read from an identity file (`--identity`): the age secret keys in it, or the ssh private key it is. */
export interface Identities {
  readonly file: string;
  readonly keys: readonly string[];
  /** An ssh private key's identity (age-ssh-identity.ts). */
  readonly ssh?: readonly AgeIdentity[];
}

/**
 * Reads an age identity file (`age-keygen` output: `AGE-SECRET-KEY-1…` lines, `#` comments). Throws
 * CliError (exit 2) when it cannot be read or holds no identity; never quotes a key.
 */
export async function readIdentities(file: string): Promise<Identities> {
  let text: string;
  try {
    text = await readInput(file, {
      what: '--identity',
      hint: 'pass an age identity file (one AGE-SECRET-KEY-1… line, as age-keygen writes)',
      encoding: 'utf8',
    });
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`--identity ${file}: ${fsReason(err)}`, 'E_USAGE');
  }
  if (isPemPrivateKey(text)) {
    try {
      return { file, keys: [], ssh: [parseSshIdentity(text)] };
    } catch (err) {
      if (err instanceof SshPassphraseError)
        throw new CliError(
          `--identity ${file}: ${err.message}, and collect-bundle never asks for one: decrypt with age, which asks (age -d -i ${file} BUNDLE.tar.gz.age > BUNDLE.tar.gz), then read the .tar.gz`,
          'E_USAGE',
        );
      if (err instanceof SshIdentityError) throw new CliError(`--identity ${file}: not a usable ssh private key: ${err.message}`, 'E_USAGE');
      throw err;
    }
  }
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const keys = lines.filter((l) => /^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/.test(l));
  if (keys.length === 0 || keys.length !== lines.length)
    throw new CliError(
      `--identity ${file}: not an age identity file (expected AGE-SECRET-KEY-1… lines, as age-keygen writes, or an ssh-ed25519/ssh-rsa private key)`,
      'E_USAGE',
    );
  const d = new Decrypter();
  try {
    for (const k of keys) d.addIdentity(k);
  } catch {
    throw new CliError(`--identity ${file}: a key in it is damaged (not a valid AGE-SECRET-KEY-1…)`, 'E_USAGE');
  }
  return { file, keys };
}

/**
 * Opens an encrypted bundle as a stream of its plaintext (the tar.gz bytes), decrypting as it is read;
 * nothing is written. The header is checked at once: a file none of the identities can open is a
 * CliError (exit 2) naming the identity file. A damaged or cut ciphertext errors the stream later.
 */
export async function openDecrypted(file: string, identities: Identities): Promise<Readable> {
  const d = new Decrypter();
  for (const k of identities.keys) d.addIdentity(k);
  for (const i of identities.ssh ?? []) d.addIdentity(i);
  const source = await openInputStream(file, { what: 'bundle', hint: 'pass a bundle file (collect-bundle-*.tar.gz.age)' });
  const web = WebReadable.from(source) as unknown as ReadableStream<Uint8Array>;
  let plain: ReadableStream<Uint8Array>;
  try {
    plain = await d.decrypt(web);
  } catch (err) {
    source.destroy();
    const msg = errorMessage(err);
    if (/no identity matched/i.test(msg))
      throw new CliError(
        `${file}: --identity ${identities.file} cannot decrypt it (it was encrypted to another recipient): pass the identity file of a recipient`,
        'E_USAGE',
      );
    throw new CliError(`${file}: not a readable age file (${oneLine(msg)}): copy it again and check it with \`sha256sum -c ${file}.sha256\``, 'E_USAGE');
  }
  return Readable.fromWeb(plain as unknown as WebReadableStream<Uint8Array>);
}
