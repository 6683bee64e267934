/**
 * `env-files`: the `.env`-style files named with `--env-file`, stored redacted under `env-files/` so the
 * env-file analyzer (and a reader of the bundle) can point at a line. Runs only when files are named.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { defineCollector, errorMessage } from '../src/artifacts.js';
import type { Output } from '../src/types.js';

export interface EnvFilesOptions {
  /** Files as the user named them. */
  readonly files: readonly string[];
}

/** Largest env file stored; a bigger one is almost certainly not an env file. */
export const ENV_FILE_MAX_BYTES = 1024 * 1024;

/** Bundle paths of the env files, in the order given (names made unique). */
export function envFileBundlePaths(files: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return files.map((f) => {
    const base = basename(f).replace(/[^A-Za-z0-9._-]+/g, '_') || 'env';
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return `env-files/${n === 1 ? base : `${base}.${n}`}`;
  });
}

export const envFilesCollector = defineCollector<EnvFilesOptions>({
  name: 'env-files',
  description: 'The .env-style files named with --env-file, redacted, for the env-file lint',
  defaultEnabled: false,
  defaults: { files: [] },
  async applies({ options }) {
    return options.files.length ? true : 'no --env-file given';
  },
  async *collect({ options }): AsyncGenerator<Output> {
    const paths = envFileBundlePaths(options.files);
    for (const [i, file] of options.files.entries()) {
      const path = paths[i]!.slice('env-files/'.length);
      try {
        const s = await stat(file);
        if (!s.isFile()) {
          yield { kind: 'problem', item: file, reason: `${file} is not a regular file: pass the path of a .env file to --env-file` };
          continue;
        }
        if (s.size > ENV_FILE_MAX_BYTES) {
          yield { kind: 'problem', item: file, reason: `${file} is ${s.size} bytes, larger than an env file should be (1 MiB): check the --env-file path` };
          continue;
        }
      } catch (err) {
        const code = (err as { code?: string }).code;
        yield { kind: 'problem', item: file, reason: code === 'ENOENT' ? `${file} does not exist: check the --env-file path` : code === 'EACCES' ? `permission denied reading ${file}: run as a user who can read it` : errorMessage(err) };
        continue;
      }
      yield { kind: 'artifact', path, open: async () => ({ stream: createReadStream(file) }) };
    }
  },
});
