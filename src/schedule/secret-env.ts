// Room: schedule (src/schedule/) — may import core, config, run, bundle, collectors (the rule: tests/architecture.test.ts).
/**
 * Secrets of a printed unit or crontab line. A unit file and a crontab are read by many (`systemctl cat`,
 * backups, `crontab -l` in a ticket), so no secret is written in them: an environment value or an
 * argument that is secret, by its variable's name or by its content (what the redactor would redact),
 * goes to an environment file of mode 0600 written beside the bundles, and the unit names that file
 * (EnvironmentFile=) or the crontab line sources it. A secret argument becomes a reference to a
 * variable of that file (`${CB_SECRET_ARG_1}`), so the command still gets the same argv.
 */
import { constants } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';

/** One argument of a printed command: a plain string, or a reference to a variable of the environment file. */
export type PrintedArg = string | { readonly env: string };

/** Prefix of the variables that carry secret arguments; not COLLECT_BUNDLE_*, which the env layer would read as options. */
export const SECRET_ARG_PREFIX = 'CB_SECRET_ARG_';

/** Whether a value must stay out of the printed text; `name` is the variable's name, undefined for an argument. */
export type IsSecret = (value: string, name?: string) => boolean;

export interface SplitInput {
  readonly env: Readonly<Record<string, string>>;
  readonly collectArgs: readonly string[];
  readonly pruneArgs?: readonly string[];
}

export interface SplitSecrets {
  /** Variables fit to print inline (Environment=, `VAR=value cmd`). */
  readonly env: Record<string, string>;
  /** Variables for the environment file: secret ones, and the secret arguments. */
  readonly secretEnv: Record<string, string>;
  readonly collectArgs: PrintedArg[];
  readonly pruneArgs?: PrintedArg[];
}

/** Separates what may be printed from what goes to the environment file. */
export function splitSecrets(input: SplitInput, isSecret: IsSecret): SplitSecrets {
  const env: Record<string, string> = {};
  const secretEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.env)) {
    if (isSecret(v, k)) secretEnv[k] = v;
    else env[k] = v;
  }
  // The same secret argument in both commands is one variable.
  const byValue = new Map<string, string>();
  const args = (list: readonly string[]): PrintedArg[] =>
    list.map((a) => {
      if (!isSecret(a)) return a;
      let name = byValue.get(a);
      if (!name) {
        name = `${SECRET_ARG_PREFIX}${byValue.size + 1}`;
        byValue.set(a, name);
        secretEnv[name] = a;
      }
      return { env: name };
    });
  const collectArgs = args(input.collectArgs);
  return { env, secretEnv, collectArgs, ...(input.pruneArgs ? { pruneArgs: args(input.pruneArgs) } : {}) };
}

/** A value in a systemd EnvironmentFile=: single-quoted (literal) unless it holds a quote or a newline. */
function systemdEnvValue(v: string): string {
  if (!/['\n\\]/.test(v)) return `'${v}'`;
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '\\$').replace(/`/g, '\\`').replace(/\n/g, '\\n')}"`;
}

/** A value for /bin/sh: single-quoted, a quote as `'\''`. */
const shValue = (v: string): string => `'${v.replace(/'/g, `'\\''`)}'`;

/** The text of the environment file: `systemd` for EnvironmentFile=, `sh` for a crontab line's `set -a; . FILE`. */
export function envFileText(vars: Readonly<Record<string, string>>, format: 'systemd' | 'sh'): string {
  const head = `# collect-bundle: secrets of the ${format === 'systemd' ? 'service (EnvironmentFile=)' : 'crontab line (sourced by it)'}; keep mode 0600\n`;
  return (
    head +
    Object.entries(vars)
      .map(([k, v]) => `${k}=${format === 'systemd' ? systemdEnvValue(v) : shValue(v)}\n`)
      .join('')
  );
}

/**
 * Writes the environment file with mode 0600 (also when it existed with another mode), creating its
 * folder (0700) if needed. A symlink in its place is refused rather than followed.
 */
export async function writeSecretEnvFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const fh = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
  try {
    await fh.chmod(0o600);
    await fh.writeFile(text);
  } finally {
    await fh.close();
  }
}
