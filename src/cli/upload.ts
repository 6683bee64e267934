// Room: cli (src/cli/) — may import every room; the only place that prints errors and calls process.exit.
/**
 * `collect-bundle upload BUNDLE DEST` and the upload step of `collect --upload DEST`: the options
 * (a token only from an environment variable or a file, headers only from the config), the question
 * asked on a terminal, progress, and the one-line outcome. Exit 5 when the upload failed; an s3:// upload
 * that failed leaves `<bundle>.upload.json` so the same command resumes it.
 */
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { configOf } from '../config/layers.js';
import { errorMessage } from '../core/artifacts.js';
import { CliError, EXIT } from '../core/errors.js';
import { readInput } from '../core/open-input.js';
import { formatBytes } from '../core/units.js';
import type { UploadOptions, UploadResult } from '../run/upload.js';
import type { CliIo } from './io.js';

/** The upload options of a parsed command line (and its config); throws CliError (exit 2) for a bad one. Reads the token now. */
export async function uploadOptionsFromArgv(argv: Record<string, unknown>, io: CliIo): Promise<UploadOptions> {
  const config = configOf(argv)?.config;
  let token: string | undefined;
  const tokenEnv = argv['upload-token-env'];
  const tokenFile = argv['upload-token-file'];
  if (tokenEnv !== undefined && tokenFile !== undefined) throw new CliError('give --upload-token-env or --upload-token-file, not both', 'E_USAGE');
  if (tokenEnv !== undefined) {
    const name = String(tokenEnv);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new CliError('--upload-token-env takes the NAME of an environment variable holding the token (never the token itself)', 'E_USAGE');
    token = io.env[name];
    if (!token) throw new CliError(`--upload-token-env ${name}: that environment variable is not set or empty`, 'E_USAGE');
  }
  if (tokenFile !== undefined) {
    try {
      token = (await readInput(String(tokenFile), { what: '--upload-token-file', encoding: 'utf8' })).split('\n')[0]?.trim();
    } catch (err) {
      if (err instanceof CliError) throw err;
      const code = (err as { code?: string }).code;
      throw new CliError(
        `--upload-token-file ${String(tokenFile)}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : errorMessage(err)}`,
        'E_USAGE',
      );
    }
    if (!token) throw new CliError(`--upload-token-file ${String(tokenFile)}: the file is empty`, 'E_USAGE');
  }
  if (token && /[\r\n]/.test(token)) throw new CliError('the upload token holds a line break', 'E_USAGE');
  const field = argv['upload-field'];
  if (field !== undefined && !/^[\w.-]+$/.test(String(field))) throw new CliError('--upload-field: expected a form field name such as file', 'E_USAGE');
  const knownHosts = argv['upload-known-hosts'];
  const s3Endpoint = argv['s3-endpoint'];
  if (s3Endpoint !== undefined) (await import('../run/upload.js')).checkS3Endpoint(String(s3Endpoint), '--s3-endpoint');
  return {
    ...(field !== undefined ? { field: String(field) } : {}),
    ...(config?.upload?.headers ? { headers: config.upload.headers } : {}),
    ...(token ? { token } : {}),
    ...(knownHosts !== undefined ? { knownHosts: String(knownHosts) } : {}),
    ...(s3Endpoint !== undefined ? { s3Endpoint: String(s3Endpoint) } : {}),
    signal: io.signal,
  };
}

/**
 * Asks on a terminal (stdin and stderr both): true to go on. Never asks off a terminal, with `--yes` on
 * the command line (which answers every question of the run, `--review`'s too), or with the config's
 * `upload.yes` (which answers this question only).
 */
export async function confirmUpload(argv: Record<string, unknown>, io: CliIo, file: string, shown: string, encrypted: boolean): Promise<boolean> {
  const stdin = io.stdin as (NodeJS.ReadableStream & { isTTY?: boolean }) | undefined;
  if (argv['yes'] || configOf(argv)?.config.upload?.yes || !stdin?.isTTY || !io.stderr.isTTY) return true;
  const size = (await stat(file)).size;
  const rl = createInterface({ input: stdin, output: io.stderr });
  try {
    const answer = await rl.question(`Upload ${file} (${formatBytes(size)}, ${encrypted ? 'encrypted (age)' : 'NOT encrypted'}) to ${shown}? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** A progress line on a terminal, redrawn at most every 200 ms. */
function progress(io: CliIo, quiet: boolean): UploadOptions['progress'] {
  if (quiet || !io.stderr.isTTY) return undefined;
  let last = 0;
  return (sent, total) => {
    const now = Date.now();
    if (now - last < 200 && sent < total) return;
    last = now;
    io.stderr.write(`\ruploading ${total ? Math.floor((sent / total) * 100) : 100}% ${formatBytes(sent)} of ${formatBytes(total)}${sent >= total ? '\n' : ''}`);
  };
}

/**
 * Uploads `file` (asking first on a terminal); prints one line on stderr. Throws CliError: E_UPLOAD
 * (exit 5) when the upload failed, E_USAGE for a bad destination or option, E_FATAL (1) when declined.
 */
export async function uploadStep(file: string, dest: string, argv: Record<string, unknown>, io: CliIo): Promise<UploadResult> {
  const [{ parseDestination, preflightUpload, showDestination, uploadBundle, UploadError }, { isAgeFile }] = await Promise.all([
    import('../run/upload.js'),
    import('../bundle/age.js'),
  ]);
  parseDestination(dest);
  const shown = showDestination(dest);
  const options = await uploadOptionsFromArgv(argv, io);
  const log = (line: string): void => void io.stderr.write(`collect-bundle: warning: ${line}\n`);
  // s3://: credentials are found (or not: exit 2) before the question is asked.
  await preflightUpload(dest, { ...options, log });
  const encrypted = await isAgeFile(file);
  const recipients = configOf(argv)?.config.encryptTo?.length || argv['encrypt-to'] !== undefined || argv['encrypt-to-file'] !== undefined;
  if (recipients && !encrypted)
    throw new CliError(`${file} is not encrypted, but recipients are configured: only an encrypted bundle (.tar.gz.age) is uploaded`, 'E_USAGE');
  if (!(await confirmUpload(argv, io, file, shown, encrypted))) throw new CliError(`upload to ${shown} cancelled; the bundle stays at ${file}`, 'E_FATAL');
  const quiet = Boolean(argv['quiet']);
  try {
    const result = await uploadBundle(file, dest, {
      ...options,
      ...(progress(io, quiet) ? { progress: progress(io, quiet)! } : {}),
      log,
      info: (line) => void (quiet || io.stderr.write(`${line}\n`)),
    });
    if (!quiet)
      io.stderr.write(
        `uploaded   ${formatBytes(result.bytes)} to ${result.shown}${encrypted ? ' (encrypted)' : ''}${result.resumed ? ` (resumed: ${result.resumed} parts were already there)` : ''}; ${result.checked === 'none' ? 'the server returned no checksum to compare' : `checked: ${result.checked}`}\n`,
      );
    return result;
  } catch (err) {
    // An s3:// upload that left its state resumes with `upload` (after `collect --upload` too: not by collecting again).
    const { existsSync } = await import('node:fs');
    const resume =
      dest.trim().startsWith('s3://') && existsSync(`${file}.upload.json`)
        ? `; resume with: ${['collect-bundle', 'upload', file, dest.trim(), ...(options.s3Endpoint ? ['--s3-endpoint', options.s3Endpoint] : [])].map((await import('../schedule/system-scheduler.js')).shellQuote).join(' ')}`
        : '';
    if (io.signal.aborted) throw new CliError(`interrupted: the upload was stopped${resume}`, 'E_INTERRUPTED');
    if (err instanceof UploadError) throw new CliError(`${err.message} (the bundle stays at ${file}${resume})`, 'E_UPLOAD');
    throw err;
  }
}

/** `collect-bundle upload BUNDLE DEST`. */
export async function runUpload(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const bundle = String(argv['bundle']);
  const { requireReadable } = await import('./options.js');
  await requireReadable(bundle);
  await uploadStep(bundle, String(argv['dest']), argv, io);
  return EXIT.complete;
}
