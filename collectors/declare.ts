// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * Declarations a collector yields and the runner executes: `command(...)` (one program, argv array,
 * its combined output with the tail kept, its record in the manifest, expected exit codes), `file(...)`
 * (one file copied through the redactor, never a FIFO, socket or device, a symlink only to the file
 * it names), `files(...)` (files, folders and globs with an index; collectors/custom/file.ts) and
 * `http(...)` (one GET; collectors/custom/http.ts), plus `json(...)`/`text(...)` documents. The
 * config-defined collectors (collectors/custom/) are built from the same declarations, so built-ins
 * and custom collectors share one code path. A collector that only lists things is then mostly data:
 *
 *   yield command('check.txt', [python, 'manage.py', 'check'], { cwd: dir });
 *   yield file('files/compose.yaml', '/srv/app/compose.yaml');
 */
import { realpath } from 'node:fs/promises';
import type { CommandRecord, Declared, Output } from '../src/core/types.js';
import { problem } from '../src/core/artifacts.js';
import { fileArtifact, readFailure, sniff, SNIFF_BYTES, kindOf } from './custom/file.js';
import { formatBytes } from '../src/core/units.js';

export { json, text, fact, problem, excluded } from '../src/core/artifacts.js';

/** A declaration: `run` is executed by the runner with the collector's context. */
export const declared = (what: string, run: Declared['run']): Declared => ({ kind: 'declared', what, run });

/** Defaults of `command(...)`: the same as a config-defined command collector's. */
export const COMMAND_DEFAULTS = Object.freeze({ timeoutMs: 30_000, maxBytes: 5 * 1024 * 1024, exitCodes: [0] as readonly number[] });

/** How a declared command ended, for `after`. */
export interface CommandOutcome {
  /** The manifest's record of the command; undefined when its output could not be stored (it never ran). */
  readonly record?: CommandRecord;
  /** Bytes the command printed (before redaction and before the tail was kept). */
  readonly outputBytes: number;
  /** The exit code is one of `exitCodes`. */
  readonly expected: boolean;
  /** One line saying why the outcome is not the expected one, with the fix; undefined when it is. */
  readonly reason?: string;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly exitCodes: readonly number[];
}

/** The fixes a failure message names, in the words of the collector's own settings. */
export interface CommandHints {
  /** How to give the command more time, e.g. `raise "timeout" of custom collector "x"`. */
  readonly timeout?: string;
  /** Where to fix a program that is not found, e.g. `argv[0] of custom collector "x"`. */
  readonly program?: string;
}

export interface CommandOptions {
  readonly cwd?: string;
  /** Added to the inherited environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Per-command timeout (the collector's signal still applies); default 30 s. */
  readonly timeoutMs?: number;
  /** Output kept (the tail); default 5 MiB. */
  readonly maxBytes?: number;
  /** Exit codes that mean success; default [0]. */
  readonly exitCodes?: readonly number[];
  readonly hints?: CommandHints;
  /** Outputs once the command has ended (a result document, facts); default: a problem when the outcome is not the expected one. */
  readonly after?: (outcome: CommandOutcome) => Iterable<Output>;
}

/**
 * Runs one program (argv array, never a shell; stdin closed; its own process group) and stores its
 * combined stdout and stderr at `path`, the tail kept; the manifest records how it ended.
 */
export function command(path: string, argv: readonly [string, ...string[]], options: CommandOptions = {}): Declared {
  const [program, ...args] = argv;
  const timeoutMs = options.timeoutMs ?? COMMAND_DEFAULTS.timeoutMs;
  const maxBytes = options.maxBytes ?? COMMAND_DEFAULTS.maxBytes;
  const exitCodes = options.exitCodes ?? COMMAND_DEFAULTS.exitCodes;
  return declared(`command ${argv.join(' ')}`, async function* (ctx) {
    let record: CommandRecord | undefined;
    let outputBytes = 0;
    yield {
      kind: 'artifact',
      path,
      maxBytes,
      open: async () => {
        const opened = ctx.deps.exec.stream(program, args, { ...(options.cwd ? { cwd: options.cwd } : {}), ...(options.env ? { env: options.env } : {}), timeoutMs });
        return {
          stream: countBytes(opened.stream, (n) => (outputBytes += n)),
          settle: async () => (record = await opened.settle?.()),
        };
      },
    };
    const expected = record?.exitCode !== null && record?.exitCode !== undefined && exitCodes.includes(record.exitCode);
    const reason = commandFailure(program, record, exitCodes, timeoutMs, path, options.hints ?? {});
    const outcome: CommandOutcome = { ...(record ? { record } : {}), outputBytes, expected, ...(reason ? { reason } : {}), timeoutMs, maxBytes, exitCodes };
    if (options.after) yield* options.after(outcome);
    else if (reason) yield problem(`command ${program}`, reason);
  });
}

/** One line saying why a command's outcome is not the one declared as success, with the fix. */
function commandFailure(program: string, record: CommandRecord | undefined, exitCodes: readonly number[], timeoutMs: number, path: string, hints: CommandHints): string | undefined {
  if (!record) return `command ${program} did not run: its output could not be stored (see the problem for ${path})`;
  if (record.timedOut) return `command ${program} timed out after ${timeoutMs / 1000}s and was killed${hints.timeout ? ` (fix: ${hints.timeout})` : ''}`;
  if (record.error?.includes('not found')) return `command ${program} not found on PATH (fix: install it${hints.program ? `, or put its absolute path as ${hints.program}` : ''})`;
  if (record.error?.includes('permission denied')) return `command ${program} is not executable by this user (fix: chmod +x it or run collect-bundle as a user that may run it)`;
  if (record.error) return `command ${program}: ${record.error}`;
  if (record.signal) return `command ${program} was killed by ${record.signal}`;
  if (record.exitCode !== null && !exitCodes.includes(record.exitCode)) {
    return `command ${program} exited with ${record.exitCode}, expected ${exitCodes.join(' or ')} (see ${path}; add ${record.exitCode} to "exitCodes" if it means success)`;
  }
  return undefined;
}

/** Passes a stream through, counting its bytes (before redaction: what the command printed). */
async function* countBytes(source: AsyncIterable<Buffer | string>, add: (n: number) => void): AsyncGenerator<Buffer | string> {
  for await (const chunk of source) {
    add(typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length);
    yield chunk;
  }
}

export interface FileOptions {
  /** Keep at most this many bytes (the tail). */
  readonly maxBytes?: number;
}

/**
 * Copies one named file through the redactor to `path`. The name may be a symlink (the user or the
 * collector named it, so its target is the file); what is opened must be a regular file, opened with
 * O_NOFOLLOW|O_NONBLOCK and checked again, so a FIFO, socket or device is refused, never read or
 * waited on. A binary file (NUL bytes) is a problem, not content. The same checks as `files(...)`.
 */
export function file(path: string, source: string, options: FileOptions = {}): Declared {
  return declared(`file ${source}`, async function* () {
    let real: string;
    try {
      real = await realpath(source);
      const { st, binary } = await sniff(real);
      if (!st.isFile()) {
        yield problem(source, `${kindOf(st)}: not a regular file; not read`);
        return;
      }
      if (binary) {
        yield problem(source, `binary file (NUL bytes in its first ${SNIFF_BYTES / 1024} KiB, ${formatBytes(st.size)}): not included, binary content cannot be redacted safely`);
        return;
      }
    } catch (err) {
      yield problem(source, (err as { code?: string }).code === 'ENOENT' ? `no such file: ${source}` : readFailure(err, source));
      return;
    }
    yield fileArtifact(path, real, source, options.maxBytes);
  });
}
