/**
 * Where the HMAC key for redaction tags comes from. By default a per-installation key, created once
 * with mode 0600 in the user's config directory, so that the same secret gets the same tag across
 * files and across scheduled snapshots (diffs stay meaningful). The key never enters a bundle.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError } from '../src/core/errors.js';
import { readInput } from '../src/core/open-input.js';

/** A loaded key and where it came from (recorded in the manifest; never the key itself). */
export interface LoadedKey {
  readonly key: Buffer;
  /** `installation`, `file`, or `ephemeral`. */
  readonly kind: 'installation' | 'file' | 'ephemeral';
  /** The key file, when there is one. */
  readonly path?: string;
  /** Set when a stable key was wanted but could not be used (the run goes on with a random key). */
  readonly warning?: string;
}

/** The default key file: $XDG_CONFIG_HOME/collect-bundle/redaction.key (or ~/.config/…). */
export function defaultKeyPath(env: Readonly<Record<string, string | undefined>>): string {
  const base = env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config');
  return join(base, 'collect-bundle', 'redaction.key');
}

export interface KeyOptions {
  /** A fresh random key for this run only: tags differ between runs. */
  readonly ephemeral?: boolean;
  /** Use this key file (created if missing). */
  readonly file?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const KEY_BYTES = 32;

/**
 * Loads (or creates) the redaction key. A failure falls back to a random key with a warning; only a named
 * key file that is not a regular file (a FIFO, a directory) throws, a CliError (exit 2).
 */
export async function loadRedactionKey(options: KeyOptions): Promise<LoadedKey> {
  if (options.ephemeral) return { key: randomBytes(KEY_BYTES), kind: 'ephemeral' };
  const path = options.file ?? defaultKeyPath(options.env);
  const kind = options.file ? 'file' : 'installation';
  try {
    return { key: await readKey(path), kind, path };
  } catch (err) {
    // A key file the user named that is a FIFO, a directory or a device is a usage error, not a warning.
    if (err instanceof CliError && options.file) throw err;
    if ((err as { code?: string }).code !== 'ENOENT') return fallback(path, err);
  }
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const key = randomBytes(KEY_BYTES);
    // 'wx': if another run created it meanwhile, read theirs instead of overwriting it.
    await writeFile(path, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    return { key, kind, path };
  } catch (err) {
    if ((err as { code?: string }).code === 'EEXIST') {
      try {
        return { key: await readKey(path), kind, path };
      } catch (again) {
        return fallback(path, again);
      }
    }
    return fallback(path, err);
  }
}

async function readKey(path: string): Promise<Buffer> {
  const text = (await readInput(path, { what: 'redaction key file', encoding: 'utf8' })).trim();
  if (!/^[0-9a-f]{64}$/i.test(text)) throw Object.assign(new Error('not 64 hex characters'), { code: 'EBADKEY' });
  const mode = (await stat(path)).mode & 0o777;
  // Tags are only as private as the key: tighten a key file others can read.
  if (mode & 0o077) await chmod(path, 0o600);
  return Buffer.from(text, 'hex');
}

function fallback(path: string, err: unknown): LoadedKey {
  const e = err as { code?: string; message?: string };
  const why =
    e.code === 'EACCES' ? 'permission denied' : e.code === 'EBADKEY' ? 'the file is not a redaction key (64 hex characters)' : (e.message ?? String(err));
  return {
    key: randomBytes(KEY_BYTES),
    kind: 'ephemeral',
    warning: `redaction key ${path} could not be used (${why}); tags in this bundle are not comparable with other bundles. Fix the file or pass --redaction-key-file`,
  };
}
