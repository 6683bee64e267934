// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * `env-files`: the `.env`-style files named with `--env-file`, stored redacted under `env-files/` so the
 * env-file analyzer (and a reader of the bundle) can point at a line. Runs only when files are named.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { defineCollector, errorMessage } from '../src/core/artifacts.js';
import { openInput, readInput } from '../src/core/open-input.js';
import type { Output } from '../src/core/types.js';
import { isSecretKeyName } from '../redaction/keys.js';
import { ENV_FILES } from '../src/bundle/layout.js';

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
    return ENV_FILES.file(n === 1 ? base : `${base}.${n}`);
  });
}

/**
 * The values of secret-looking keys in an env file, as the file's readers take them: a quoted value
 * without its quotes (an unterminated one to the end of the file's quote, line by line), an unquoted one
 * up to a ` #` comment, spaces included. The line rules alone would cut `DB_PASSWORD=correct horse
 * battery` at the first space and miss `SECRET_KEY="abc` without its closing quote, so these values are
 * declared as known secrets before the file (or a finding quoting it) is written anywhere.
 */
export function envFileSecrets(text: string): string[] {
  const out: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(lines[i]!);
    if (!m || !isSecretKeyName(m[1]!)) continue;
    const rest = m[2]!.trim();
    const quote = rest[0] === '"' || rest[0] === "'" ? rest[0] : undefined;
    if (!quote) {
      out.push(rest.replace(/\s+#.*$/, ''));
      continue;
    }
    const close = rest.indexOf(quote, 1);
    if (close !== -1) {
      out.push(rest.slice(1, close));
      continue;
    }
    // A quote that does not close on its line: every line up to the closing quote is part of the value.
    out.push(rest.slice(1));
    for (i++; i < lines.length; i++) {
      const end = lines[i]!.indexOf(quote);
      out.push((end === -1 ? lines[i]! : lines[i]!.slice(0, end)).trim());
      if (end !== -1) break;
    }
  }
  // References and placeholders are not secrets; very short values would redact ordinary words.
  return out.filter((v) => v.length >= 4 && !/^\$\{?[A-Za-z_]/.test(v));
}

export const envFilesCollector = defineCollector<EnvFilesOptions>({
  name: 'env-files',
  description: 'The .env-style files named with --env-file, redacted, for the env-file lint',
  defaultEnabled: false,
  defaults: { files: [] },
  async applies({ options }) {
    return options.files.length ? true : 'no --env-file given';
  },
  async secrets({ options }) {
    const values: string[] = [];
    for (const file of options.files) {
      const s = await stat(file).catch(() => undefined);
      if (!s?.isFile() || s.size > ENV_FILE_MAX_BYTES) continue;
      const text = await readInput(file, { encoding: 'utf8' }).catch(() => undefined);
      if (text !== undefined) values.push(...envFileSecrets(text));
    }
    return values;
  },
  async *collect({ options }): AsyncGenerator<Output> {
    const paths = envFileBundlePaths(options.files);
    for (const [i, file] of options.files.entries()) {
      const path = paths[i]!.slice(ENV_FILES.dir.length);
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
        yield {
          kind: 'problem',
          item: file,
          reason:
            code === 'ENOENT'
              ? `${file} does not exist: check the --env-file path`
              : code === 'EACCES'
                ? `permission denied reading ${file}: run as a user who can read it`
                : errorMessage(err),
        };
        continue;
      }
      // Opened without blocking: a file swapped for a FIFO after the stat above is refused, not waited on.
      yield { kind: 'artifact', path, open: async () => ({ stream: (await openInput(file, { what: '--env-file' })).createReadStream() }) };
    }
  },
});
