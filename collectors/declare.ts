// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * Declarations a collector yields and the runner executes: `command(...)` (one program, argv array,
 * its combined output with the tail kept, its record in the manifest, expected exit codes; or, with
 * `capture`, its stdout and stderr read in full and handed to `after` as text), `file(...)` (one file
 * copied through the redactor, never a FIFO, socket or device, a symlink only to the file it names) and
 * `group(...)` (declarations run a few at a time, their outputs handed on in order), `http(...)` (one GET,
 * its body redacted and its record; collectors/declare-http.ts), plus the `json(...)`
 * and `text(...)` documents. The config-defined collectors (collectors/custom/) are built from the same
 * declarations, so built-ins and custom collectors share one code path. A collector that only lists
 * things is then mostly data:
 *
 *   yield command('check.txt', [python, 'manage.py', 'check'], { cwd: dir });
 *   yield file('files/compose.yaml', '/srv/app/compose.yaml');
 */
import { realpath } from 'node:fs/promises';
import type { CommandRecord, CommandResult, Declared, DeclaredPlan, Output } from '../src/core/types.js';
import { problem, text } from '../src/core/artifacts.js';
import { limiter } from '../src/core/concurrency.js';
import { timeLimit } from '../src/core/timers.js';
import { fileArtifact, readFailure, sniff, SNIFF_BYTES, kindOf } from './custom/file.js';
import { formatBytes } from '../src/core/units.js';

export { json, text, fact, problem, excluded } from '../src/core/artifacts.js';
export { http, httpSecrets, HTTP_DEFAULTS, type HttpHints, type HttpOptions, type HttpPaths } from './declare-http.js';

/** A declaration: `run` is executed by the runner with the collector's context. */
export const declared = (what: string, run: Declared['run'], plan?: DeclaredPlan): Declared => ({ kind: 'declared', what, run, ...(plan ? { plan } : {}) });

/** Defaults of `command(...)`: the same as a config-defined command collector's. */
export const COMMAND_DEFAULTS = Object.freeze({ timeoutMs: 30_000, maxBytes: 5 * 1024 * 1024, exitCodes: [0] as readonly number[] });

/** How a declared command ended, for `after`. */
export interface CommandOutcome {
  /** The manifest's record of the command; undefined when its output could not be stored (it never ran). */
  readonly record?: CommandRecord;
  /**
   * Bytes the command printed (before redaction and before the tail was kept). With `capture`: the bytes
   * captured, stdout and stderr together (`record.truncated` says whether a tail was cut).
   */
  readonly outputBytes: number;
  /** The exit code is one of `exitCodes`. */
  readonly expected: boolean;
  /** One line saying why the outcome is not the expected one, with the fix; undefined when it is. */
  readonly reason?: string;
  /** The stored output stops at the timeout: the rest was not read (streamed commands only). */
  readonly outputCut?: boolean;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly exitCodes: readonly number[];
}

/** How a command run with `capture` ended: its record and its output as text, stdout and stderr apart. */
export interface CapturedOutcome extends CommandOutcome {
  /** A captured command always has a record: one that could not start says so in `record.error`. */
  readonly record: CommandRecord;
  /** What it printed on stdout (the last `maxBytes` bytes), decoded as UTF-8. */
  readonly stdout: string;
  /** What it printed on stderr (the last `maxBytes` bytes), decoded as UTF-8. */
  readonly stderr: string;
}

/** The fixes a failure message names, in the words of the collector's own settings. */
export interface CommandHints {
  /** How to give the command more time, e.g. `raise "timeout" of custom collector "x"`. */
  readonly timeout?: string;
  /** Where to fix a program that is not found, e.g. `argv[0] of custom collector "x"`. */
  readonly program?: string;
}

/** What every `command(...)` takes, streamed or captured. */
interface CommandBase {
  readonly cwd?: string;
  /** Added to the inherited environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Per-command timeout (the collector's signal still applies); default 30 s. */
  readonly timeoutMs?: number;
  /** Output kept (the tail); default 5 MiB. With `capture`: kept of stdout and of stderr each. */
  readonly maxBytes?: number;
  /** Exit codes that mean success; default [0]. */
  readonly exitCodes?: readonly number[];
  readonly hints?: CommandHints;
}

export interface CommandOptions extends CommandBase {
  /** Streamed (the default): stdout and stderr interleaved into the file as the command prints them. */
  readonly capture?: undefined;
  /** Outputs once the command has ended (a result document, facts); default: a problem when the outcome is not the expected one. */
  readonly after?: (outcome: CommandOutcome) => Iterable<Output>;
}

/**
 * How a captured command's output is kept: `stdout-then-stderr` reads both in full (each up to
 * `maxBytes`, the tail kept) and stores stdout followed by stderr, the text Django's commands are
 * known by, then a note when the command did not end by itself.
 */
export type CaptureMode = 'stdout-then-stderr';

export interface CaptureOptions extends CommandBase {
  readonly capture: CaptureMode;
  /** Keep the last 4 KiB of stderr in the manifest's record of the command (`stderrTail`); default true. */
  readonly stderrTail?: boolean;
  /**
   * Outputs once the command has ended, from its captured text (facts, a parsed json document, a
   * problem); default: a problem when the outcome is not the expected one.
   */
  readonly after?: (outcome: CapturedOutcome) => Iterable<Output>;
}

/**
 * Runs one program (argv array, never a shell; stdin closed; its own process group; its timeout and the
 * collector's signal) and records how it ended in the manifest. By default its combined stdout and
 * stderr stream into `path`, the tail kept. With `capture`, the runner reads stdout and stderr apart,
 * stores them at `path` (null: nothing stored, the text only goes to `after`) and hands them to `after`.
 */
export function command(path: string, argv: readonly [string, ...string[]], options?: CommandOptions): Declared;
export function command(path: string | null, argv: readonly [string, ...string[]], options: CaptureOptions): Declared;
export function command(path: string | null, argv: readonly [string, ...string[]], options: CommandOptions | CaptureOptions = {}): Declared {
  if (options.capture) return captured(path, argv, options);
  const opts = options as CommandOptions;
  const [program, ...args] = argv;
  const timeoutMs = opts.timeoutMs ?? COMMAND_DEFAULTS.timeoutMs;
  const maxBytes = opts.maxBytes ?? COMMAND_DEFAULTS.maxBytes;
  const exitCodes = opts.exitCodes ?? COMMAND_DEFAULTS.exitCodes;
  if (path === null) throw new Error(`command ${program}: a streamed command needs a path (or capture its output)`);
  const stored = path;
  return declared(
    `command ${argv.join(' ')}`,
    async function* (ctx) {
      let record: CommandRecord | undefined;
      let outputBytes = 0;
      let cut = false;
      yield {
        kind: 'artifact',
        path: stored,
        maxBytes,
        open: async () => {
          const opened = ctx.deps.exec.stream(program, args, { ...(opts.cwd ? { cwd: opts.cwd } : {}), ...(opts.env ? { env: opts.env } : {}), timeoutMs });
          // At its timeout the output ends where it is (the command is killed at the same moment): what was
          // read is redacted and kept, instead of a backlog draining past the collector's own limit. The
          // cut comes a moment after the kill, so the command's record already says it timed out.
          const note = `\n[collect-bundle: output cut at the command's timeout (${+(timeoutMs / 1000).toFixed(1)}s); above is what was read until then]\n`;
          const cutAt = timeLimit(timeoutMs + CUT_GRACE_MS);
          return {
            stream: untilTimeout(
              countBytes(opened.stream, (n) => (outputBytes += n)),
              cutAt.signal,
              note,
              () => (cut = true),
              opened.timeLimit,
            ),
            settle: async () => {
              cutAt.clear();
              record = await opened.settle?.();
              return record;
            },
          };
        },
      };
      const expected = record?.exitCode !== null && record?.exitCode !== undefined && exitCodes.includes(record.exitCode);
      const reason = commandFailure(program, record, exitCodes, timeoutMs, stored, opts.hints ?? {});
      const outcome: CommandOutcome = {
        ...(record ? { record } : {}),
        outputBytes,
        expected,
        ...(reason ? { reason } : {}),
        ...(cut ? { outputCut: true } : {}),
        timeoutMs,
        maxBytes,
        exitCodes,
      };
      if (opts.after) yield* opts.after(outcome);
      else if (reason) yield problem(`command ${program}`, reason);
    },
    { argv, ...(opts.cwd ? { cwd: opts.cwd } : {}), path: stored, maxBytes },
  );
}

/** `command(...)` with `capture`: run to the end, stdout and stderr read apart, then stored and handed to `after`. */
function captured(path: string | null, argv: readonly [string, ...string[]], options: CaptureOptions): Declared {
  const [program, ...args] = argv;
  const timeoutMs = options.timeoutMs ?? COMMAND_DEFAULTS.timeoutMs;
  const maxBytes = options.maxBytes ?? COMMAND_DEFAULTS.maxBytes;
  const exitCodes = options.exitCodes ?? COMMAND_DEFAULTS.exitCodes;
  return declared(
    `command ${argv.join(' ')}`,
    async function* (ctx) {
      const result = await ctx.deps.exec.run(program, args, {
        ...(options.cwd ? { cwd: options.cwd } : {}),
        ...(options.env ? { env: options.env } : {}),
        timeoutMs,
        maxBuffer: maxBytes,
        recordStderr: options.stderrTail ?? true,
      });
      const { stdout, stderr, ...record } = result;
      if (path !== null) yield text(path, capturedText(result, timeoutMs));
      const expected = record.exitCode !== null && exitCodes.includes(record.exitCode);
      const reason = commandFailure(program, record, exitCodes, timeoutMs, path, options.hints ?? {});
      const outputBytes = Buffer.byteLength(stdout) + Buffer.byteLength(stderr);
      const outcome: CapturedOutcome = { record, stdout, stderr, outputBytes, expected, ...(reason ? { reason } : {}), timeoutMs, maxBytes, exitCodes };
      if (options.after) yield* options.after(outcome);
      else if (reason) yield problem(`command ${program}`, reason);
    },
    { argv, ...(options.cwd ? { cwd: options.cwd } : {}), ...(path !== null ? { path } : {}), maxBytes },
  );
}

/**
 * A captured command's text (`stdout-then-stderr`): stdout, then stderr on a line of its own, then a
 * note when the command did not end by itself (timed out, interrupted, could not start).
 */
export function capturedText(r: Pick<CommandResult, 'stdout' | 'stderr' | 'timedOut' | 'error'>, timeoutMs: number): string {
  let out = r.stdout;
  if (r.stderr) out += `${out && !out.endsWith('\n') ? '\n' : ''}${r.stderr}`;
  if (r.timedOut) out += `\n[collect-bundle: timed out after ${+(timeoutMs / 1000).toFixed(1)}s and was killed; above is what it printed until then]\n`;
  else if (r.error) out += `\n[collect-bundle: ${r.error}]\n`;
  return out;
}

/** One line saying why a command's outcome is not the one declared as success, with the fix. */
function commandFailure(
  program: string,
  record: CommandRecord | undefined,
  exitCodes: readonly number[],
  timeoutMs: number,
  path: string | null,
  hints: CommandHints,
): string | undefined {
  if (!record) return `command ${program} did not run: its output could not be stored (see the problem for ${path})`;
  if (record.timedOut) return `command ${program} timed out after ${timeoutMs / 1000}s and was killed${hints.timeout ? ` (fix: ${hints.timeout})` : ''}`;
  if (record.error?.includes('not found'))
    return `command ${program} not found on PATH (fix: install it${hints.program ? `, or put its absolute path as ${hints.program}` : ''})`;
  if (record.error?.includes('permission denied'))
    return `command ${program} is not executable by this user (fix: chmod +x it or run collect-bundle as a user that may run it)`;
  if (record.error) return `command ${program}: ${record.error}`;
  if (record.signal) return `command ${program} was killed by ${record.signal}`;
  if (record.exitCode !== null && !exitCodes.includes(record.exitCode)) {
    return `command ${program} exited with ${record.exitCode}, expected ${exitCodes.join(' or ')} (${path ? `see ${path}; ` : ''}add ${record.exitCode} to "exitCodes" if it means success)`;
  }
  return undefined;
}

/** Passes a stream through, counting its bytes (before redaction: what the command printed). */
/** How long after a command's timeout its output is cut, so that the kill comes first. */
const CUT_GRACE_MS = 250;

/**
 * `source` until `stop` aborts; then `note`, `onCut()` and the end (the source is let go, not drained).
 * Waiting for the next chunk races the signal, so a command that prints nothing more cannot hold it.
 * A source that ends by itself after `killedAt` aborted (the command was killed at its timeout and its
 * backlog drained before the cut) ends with the same note.
 */
export async function* untilTimeout(
  source: AsyncIterable<Buffer | string>,
  stop: AbortSignal,
  note: string,
  onCut: () => void,
  killedAt?: AbortSignal,
): AsyncGenerator<Buffer | string> {
  const stopped = new Promise<'stop'>((resolve) => {
    if (stop.aborted) resolve('stop');
    else stop.addEventListener('abort', () => resolve('stop'), { once: true });
  });
  const it = source[Symbol.asyncIterator]();
  let done = false;
  try {
    while (true) {
      const next = await Promise.race([it.next(), stopped]);
      if (next === 'stop') {
        onCut();
        yield note;
        return;
      }
      if (next.done) {
        done = true;
        if (killedAt?.aborted) {
          onCut();
          yield note;
        }
        return;
      }
      yield next.value;
    }
  } finally {
    // Not awaited: a generator paused in a pending next() settles its return() only after that next.
    if (!done) void it.return?.()?.catch(() => undefined);
  }
}

async function* countBytes(source: AsyncIterable<Buffer | string>, add: (n: number) => void): AsyncGenerator<Buffer | string> {
  for await (const chunk of source) {
    add(typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length);
    yield chunk;
  }
}

export interface GroupOptions {
  /** Members running at once (e.g. Django's commands, each a Python process of its own). */
  readonly concurrency: number;
}

/**
 * Declarations run a few at a time, their outputs handed on in the members' order (so the bundle, the
 * manifest and the facts come out the same whatever finishes first). A member runs ahead only up to
 * its first artifact or nested declaration: what it yields after that waits until the writer has
 * stored that artifact. A captured `command(...)` does its work before its first artifact, so captured
 * commands run side by side; a streamed one runs while the writer reads it, in turn. Plain outputs
 * (a problem, a fact, an artifact) may be members too and keep their place.
 */
export function group(members: readonly Output[], options: GroupOptions): Declared {
  return declared(
    `group of ${members.length}`,
    async function* (ctx) {
      const limit = limiter(options.concurrency);
      const started: AsyncIterator<Output>[] = [];
      let stopped = false;
      const heads = members.map((m) => {
        if (m.kind !== 'declared') return Promise.resolve({ outputs: [m], rest: undefined });
        const head = limit(async () => {
          // Abandoned (or the collector's signal fired) before this member's turn: start nothing more.
          if (stopped || ctx.signal.aborted) return { outputs: [], rest: undefined };
          const it = m.run(ctx)[Symbol.asyncIterator]();
          started.push(it);
          return runAhead(it);
        });
        head.catch(() => undefined); // raised in order below; never unhandled if the collector stops early
        return head;
      });
      try {
        for (const head of heads) {
          const { outputs, rest } = await head;
          yield* outputs;
          if (rest) for (let step = await rest.next(); !step.done; step = await rest.next()) yield step.value;
        }
      } finally {
        stopped = true;
        // Stopped early (a member failed, the collector's signal fired): members still running are left to that signal.
        for (const it of started) void it.return?.(undefined).catch(() => undefined);
      }
    },
    { members },
  );
}

/** Pulls a member's outputs up to its first artifact or nested declaration (or its end). */
async function runAhead(it: AsyncIterator<Output>): Promise<{ outputs: Output[]; rest: AsyncIterator<Output> | undefined }> {
  const outputs: Output[] = [];
  for (;;) {
    const step = await it.next();
    if (step.done) return { outputs, rest: undefined };
    outputs.push(step.value);
    if (step.value.kind === 'artifact' || step.value.kind === 'declared') return { outputs, rest: it };
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
  return declared(
    `file ${source}`,
    async function* () {
      let real: string;
      try {
        real = await realpath(source);
        const { st, binary } = await sniff(real);
        if (!st.isFile()) {
          yield problem(source, `${kindOf(st)}: not a regular file; not read`);
          return;
        }
        if (binary) {
          yield problem(
            source,
            `binary file (NUL bytes in its first ${SNIFF_BYTES / 1024} KiB, ${formatBytes(st.size)}): not included, binary content cannot be redacted safely`,
          );
          return;
        }
      } catch (err) {
        yield problem(source, (err as { code?: string }).code === 'ENOENT' ? `no such file: ${source}` : readFailure(err, source));
        return;
      }
      yield fileArtifact(path, real, source, options.maxBytes);
    },
    { file: source, path, ...(options.maxBytes ? { maxBytes: options.maxBytes } : {}) },
  );
}
