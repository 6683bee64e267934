// Room: core (src/core/) — imports nothing of ours (the rule: tests/architecture.test.ts).
/**
 * The only place that starts processes. Commands run with an argument array (never a shell), stdin
 * closed, in their own process group so that aborting kills the command *and* its children, and every
 * one of them is recorded for the manifest.
 */
import { execa, type ResultPromise } from 'execa';
import type { Readable } from 'node:stream';
import { timeLimit, type TimeLimit } from './timers.js';
import type { CommandRecord, CommandResult, Exec, ExecOptions, Opened } from './types.js';

/** Output kept by `run` when the caller does not say (the tail is kept). */
const DEFAULT_MAX_BUFFER = 1024 * 1024;
/** Characters of stderr kept in a command's manifest record when asked (`recordStderr`). */
const STDERR_TAIL_CHARS = 4096;
/** Grace between SIGTERM and SIGKILL for an aborted command's process group. */
const KILL_GRACE_MS = 2_000;

export interface ExecSettings {
  /** The collector's signal: Ctrl-C, its timeout and the run's deadline. */
  readonly signal: AbortSignal;
  /** Receives a record for every command started (also those that could not start). */
  readonly record: (record: CommandRecord) => void;
}

/** Creates the Exec a collector receives in its context. */
export function createExec(settings: ExecSettings): Exec {
  return {
    async run(file, args, options = {}) {
      const proc = start(file, args, options, settings.signal);
      const maxBuffer = options.maxBuffer ?? DEFAULT_MAX_BUFFER;
      const [stdout, stderr] = await Promise.all([readTail(proc.sub.stdout, maxBuffer), readTail(proc.sub.stderr, maxBuffer)]);
      const finished = await proc.finish(stdout.truncated || stderr.truncated);
      const tail = options.recordStderr ? stderr.text.slice(-STDERR_TAIL_CHARS).trim() : '';
      const record: CommandRecord = tail ? { ...finished, stderrTail: tail } : finished;
      settings.record(record);
      return { ...record, stdout: stdout.text, stderr: stderr.text } satisfies CommandResult;
    },
    record: (record) => settings.record(record),
    stream(file, args, options = {}): Opened {
      const proc = start(file, args, options, settings.signal);
      const all = proc.sub.all;
      return {
        stream: all ?? emptyStream(),
        ...(proc.limit ? { timeLimit: proc.limit } : {}),
        settle: async () => {
          const record = await proc.finish(false);
          settings.record(record);
          return record;
        },
      };
    },
  };
}

/** Options every command runs with (see `start`). */
type FixedOptions = { stdin: 'ignore'; all: true; buffer: false; reject: false; detached: true; stripFinalNewline: false };

interface Started {
  readonly sub: ResultPromise<FixedOptions>;
  /** The command's time limit, when it has one. */
  readonly limit?: AbortSignal;
  finish(truncated: boolean): Promise<CommandRecord>;
}

function start(file: string, args: readonly string[], options: ExecOptions, collectorSignal: AbortSignal): Started {
  const argv = [file, ...args];
  const began = performance.now();
  // Not AbortSignal.timeout(): handed to AbortSignal.any alone, Node 20 may collect it unfired (timers.ts).
  const limit: TimeLimit | undefined = options.timeoutMs !== undefined ? timeLimit(options.timeoutMs) : undefined;
  const signal = limit ? AbortSignal.any([collectorSignal, limit.signal]) : collectorSignal;
  const sub: ResultPromise<FixedOptions> = execa(file, args, {
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.env ? { env: options.env } : {}),
    stdin: 'ignore',
    all: true,
    buffer: false,
    reject: false,
    detached: true, // own process group: a kill reaches the command's children too
    stripFinalNewline: false,
  });
  let killTimer: NodeJS.Timeout | undefined;
  const killGroup = (): void => {
    const pid = sub.pid;
    if (pid === undefined) return;
    sendToGroup(pid, 'SIGTERM');
    killTimer = setTimeout(() => sendToGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
    killTimer.unref();
  };
  if (signal.aborted) killGroup();
  else signal.addEventListener('abort', killGroup, { once: true });

  return {
    sub,
    ...(limit ? { limit: limit.signal } : {}),
    async finish(truncated) {
      const result = await sub;
      signal.removeEventListener('abort', killGroup);
      // The leader has exited; make sure nothing it started lingers after an abort.
      if (signal.aborted && sub.pid !== undefined) sendToGroup(sub.pid, 'SIGKILL');
      if (killTimer) clearTimeout(killTimer);
      limit?.clear();
      const durationMs = Math.round(performance.now() - began);
      const reason = signal.reason as { name?: string } | undefined;
      const timedOut = signal.aborted && reason?.name === 'TimeoutError';
      const startError = result.exitCode === undefined && !result.signal ? spawnError(result, file) : undefined;
      let error = startError;
      if (!error && signal.aborted) error = timedOut ? 'timed out and was killed' : 'interrupted and was killed';
      return {
        argv,
        ...(options.cwd ? { cwd: options.cwd } : {}),
        exitCode: result.exitCode ?? null,
        ...(result.signal ? { signal: result.signal } : {}),
        durationMs,
        timedOut,
        ...(error ? { error } : {}),
        ...(truncated ? { truncated } : {}),
      };
    },
  };
}

function sendToGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // ESRCH: the group is already gone, which is what we wanted.
  }
}

/** One line naming why a program could not start, with the fix. */
function spawnError(result: { code?: string; originalMessage?: string; shortMessage?: string }, file: string): string {
  if (result.code === 'ENOENT') return `${file}: not found (is it installed and on PATH?)`;
  if (result.code === 'EACCES') return `${file}: permission denied (is it executable by this user?)`;
  return `${file}: could not start: ${result.originalMessage ?? result.shortMessage ?? 'unknown error'}`;
}

/** Reads a stream keeping at most `max` bytes of its tail. */
async function readTail(stream: Readable | null, max: number): Promise<{ text: string; truncated: boolean }> {
  if (!stream) return { text: '', truncated: false };
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    chunks.push(buf);
    size += buf.length;
    while (size > max && chunks.length > 1) {
      size -= chunks.shift()!.length;
      truncated = true;
    }
  }
  let all = Buffer.concat(chunks);
  if (all.length > max) {
    all = all.subarray(all.length - max);
    truncated = true;
  }
  return { text: all.toString('utf8'), truncated };
}

async function* emptyStream(): AsyncGenerator<Buffer> {
  // A command whose output could not be opened (it failed to start) yields nothing.
}
