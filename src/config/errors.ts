// Room: config (src/config/) — may import core, redaction, collectors (the rule: tests/architecture.test.ts).
/** A config file's problems as one error (one line each, naming the file and the key path), and key paths. Light: no zod. */
import { CliError } from '../core/errors.js';

/** A problem with a configuration file: one line per problem, each naming the file and the key. */
export class ConfigError extends CliError {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(problems.map((p) => `${file}: ${p}`).join('\n'), 'E_CONFIG');
  }
}

/** `collectors.docker.tail`, `custom[1].maxBytes`. */
export function keyPath(p: readonly PropertyKey[]): string {
  let out = '';
  for (const k of p) out += typeof k === 'number' ? `[${k}]` : out ? `.${String(k)}` : String(k);
  return out || '(top level)';
}

/** Keys whose values may be secrets: a message never repeats what was written there, `config --print` masks them. */
export const SECRET_PATHS: readonly RegExp[] = [/^redaction\.literals/, /^custom\[\d+\]\.(?:env|headers)\b/];
