// Room: cli (src/cli/) — may import every room; the only place that prints errors and calls process.exit.
/**
 * The argv readers the commands share (the redaction and analysis options of a parsed command line,
 * `--env-file`, `--fail-on`, the flags a config may set). Anything heavy is imported where it is needed.
 */
import { configOf, mergeRedaction } from '../config/layers.js';
import type { BundleInput } from '../bundle/source.js';
import type { RedactionOptions } from '../config/redaction-plan.js';
import { errorMessage } from '../core/artifacts.js';
import { CliError } from '../core/errors.js';
import { checkInput, openInput } from '../core/open-input.js';
import type { AnalyzeOptions, Finding } from '../core/types.js';
import { parseDuration } from '../core/units.js';
import { list } from './builders.js';
import type { CliIo } from './io.js';
import { MessageRedactor } from './messages.js';

/** AnalyzeOptions from the command line (thresholds only; env files are read by the caller). */
export function analyzeFromArgv(argv: Record<string, unknown>): Omit<AnalyzeOptions, 'envFiles'> {
  if (argv['pending-threshold'] === undefined) return {};
  try {
    return { pendingThresholdMs: parseDuration(String(argv['pending-threshold'])) };
  } catch (err) {
    throw new CliError(`--pending-threshold: ${errorMessage(err)}`, 'E_USAGE');
  }
}

/** `--env-file` paths, each checked readable up front: a path the user typed that cannot be read is a usage error. */
export async function envFilesFromArgv(argv: Record<string, unknown>): Promise<string[]> {
  const files = ([] as unknown[]).concat(argv['env-file'] ?? []).map(String);
  if (files.length === 0) return files;
  const { ENV_FILE_MAX_BYTES } = await import('../../collectors/env-files.js');
  for (const f of files) {
    if (f.trim() === '') throw new CliError('--env-file needs a file path', 'E_USAGE');
    let size: number;
    try {
      const handle = await openInput(f, { what: '--env-file', hint: 'pass the path of a .env file' });
      size = (await handle.stat().finally(() => handle.close())).size;
    } catch (err) {
      if (err instanceof CliError) throw err;
      const code = (err as { code?: string }).code;
      throw new CliError(
        `--env-file ${f}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied (run as a user who can read it)' : errorMessage(err)}`,
        'E_USAGE',
      );
    }
    if (size > ENV_FILE_MAX_BYTES) throw new CliError(`--env-file ${f}: ${size} bytes, larger than an env file should be (1 MiB); check the path`, 'E_USAGE');
  }
  return files;
}

/** A bundle path the user named must be a readable regular file (a FIFO is refused, never waited on): otherwise a usage error naming the cause. */
export async function requireReadable(bundle: string): Promise<void> {
  try {
    await checkInput(bundle, { hint: 'pass a bundle file (collect-bundle-*.tar.gz)' });
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`${bundle}: ${(err as { code?: string }).code === 'ENOENT' ? 'no such file' : errorMessage(err)}`, 'E_USAGE');
  }
}

/** True when `--fail-on` is set and a finding at or above it exists. */
export async function failOn(argv: Record<string, unknown>, findings: readonly Finding[]): Promise<boolean> {
  const level = argv['fail-on'];
  if (level !== 'error' && level !== 'warning') return false;
  const { failsOn } = await import('../../analyzers/run.js');
  return failsOn(findings, level);
}

/** The built-in collectors, loaded only when a config file was found and must be checked against them. */
export const loadBuiltins = async (): Promise<readonly { name: string; defaults: object }[]> => (await import('../../collectors/index.js')).builtinCollectors;

/** The redaction options of a parsed command line. */
export function redactionFromArgv(argv: Record<string, unknown>): RedactionOptions {
  const patterns = ([] as unknown[]).concat(argv['redact-pattern'] ?? []).map(String);
  // The config file's rules, literals and allowlist come first; flags add to them.
  return mergeRedaction(configOf(argv)?.config, {
    ...(argv['redaction-key-file'] ? { keyFile: String(argv['redaction-key-file']) } : {}),
    ephemeralKey: argv['stable-tokens'] === false,
    rules: patterns.map((pattern) => ({ pattern })),
    literalFiles: ([] as unknown[]).concat(argv['redact-literals-file'] ?? []).map(String),
    secretKeys: list(argv['redact-key']),
    allow: ([] as unknown[]).concat(argv['allow'] ?? []).map(String),
    ...(argv['pseudonymize'] ? { pseudonymize: true } : {}),
  });
}

/** How a discovered config file skipped as unsafe is reported: one line on stderr. */
export const configWarning =
  (io: CliIo, messages = new MessageRedactor()) =>
  async (message: string): Promise<void> =>
    void io.stderr.write(`collect-bundle: warning: ${await messages.redact(message)}\n`);

/** `--docs-url`: an absolute http(s) address, or one line saying what is wrong. */
export function docsUrlFromArgv(v: unknown): string {
  const text = String(v).trim();
  let ok = false;
  try {
    ok = /^https?:$/.test(new URL(text).protocol);
  } catch {
    ok = false;
  }
  if (!ok)
    throw new CliError(
      `--docs-url: expected an http(s) address such as https://git.example.org/ops/collect-bundle, got ${JSON.stringify(text.slice(0, 80))}`,
      'E_USAGE',
    );
  return text;
}

/**
 * The bundle a reading command (verify, inspect, analyze, diff) reads: the path itself, or for an
 * age-encrypted bundle the path with a decrypting reader (`--identity FILE`), checked here so a wrong
 * or unreadable identity is one line before anything is read. Nothing decrypted is written anywhere.
 */
export async function bundleInput(bundle: string, argv: Record<string, unknown>): Promise<BundleInput> {
  const { isAgeFile, openDecrypted, readIdentities } = await import('../bundle/age.js');
  const given = argv['identity'];
  if (given !== undefined && String(given).trim() === '') throw new CliError('--identity needs the path of an age identity file', 'E_USAGE');
  const identities = given === undefined ? undefined : await readIdentities(String(given));
  // A file that cannot be opened is left to the command, which says so in its own words.
  const encrypted = await isAgeFile(bundle).catch(() => false);
  if (!encrypted) return bundle;
  if (!identities)
    throw new CliError(
      `${bundle} is encrypted (age): pass --identity FILE, the age identity file (AGE-SECRET-KEY-1…) or ssh private key of one of its recipients`,
      'E_USAGE',
    );
  (await openDecrypted(bundle, identities)).destroy(); // the header: does one of the identities open it?
  return { file: bundle, open: () => openDecrypted(bundle, identities) };
}
