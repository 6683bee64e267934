// Room: cli (src/cli/) — may import every room; the only place that prints errors and calls process.exit.
/**
 * The command line: argument parsing, the final summary and exit codes. The one place that prints
 * errors and decides how the process ends; every command is a thin call into the library, in its own
 * file (collect.ts, redact.ts, verify.ts, analyze.ts, inspect.ts, diff.ts, schedule.ts, config.ts),
 * imported when the command runs, and each loads what it needs with import() in turn: `redact`, `--help`
 * and `--version` never load the Docker client, the collectors or the analyzers, and `--version` not
 * even the config layer (tests/architecture.test.ts checks the first). `--version` and a plain `redact`
 * do not load yargs either (fast-path.ts); every other command line goes through yargs (parser.ts).
 */
import { errorMessage } from '../core/artifacts.js';
import { CliError, EXIT } from '../core/errors.js';
import { TOOL } from '../core/version.js';
import { fastCommand } from './fast-path.js';
import type { CliIo, ParsedCommand } from './io.js';
import { MessageRedactor } from './messages.js';

export type { CliIo };

/** Runs the CLI; resolves to the process exit code. Never calls process.exit itself. */
export async function main(args: readonly string[], io: CliIo): Promise<number> {
  // Every error and warning quotes what it rejects: redacted before it is printed (messages.ts).
  const messages = new MessageRedactor();
  try {
    const { action } = await parseCommandLine(args, io, messages);
    return action ? await action() : EXIT.complete; // --help / --version printed and nothing to run
  } catch (err) {
    if (err instanceof CliError) {
      // A config error has one line per problem; each gets the prefix.
      for (const line of (await messages.redact(err.message)).split('\n')) io.stderr.write(`collect-bundle: ${line}\n`);
      if (err.code === 'E_USAGE') io.stderr.write('Run collect-bundle --help for usage.\n');
      return err.exitCode;
    }
    io.stderr.write(`collect-bundle: internal error: ${await messages.redact(errorMessage(err))}\n`);
    return EXIT.fatal;
  }
}

/** The command's action: from the fast path when it takes the command line, else from yargs. Throws CliError. */
export async function parseCommandLine(args: readonly string[], io: CliIo, messages: MessageRedactor): Promise<ParsedCommand> {
  const fast = fastCommand(args);
  if (!fast) return (await import('./parser.js')).parseWithYargs(args, io, messages);
  if (fast.kind === 'version') {
    io.stdout.write(`${TOOL.version}\n`);
    return {};
  }
  // The same config layers the yargs middleware applies (file < COLLECT_BUNDLE_* environment < flags).
  const [{ applyConfig }, { configWarning, loadBuiltins }] = await Promise.all([import('../config/layers.js'), import('./options.js')]);
  try {
    await applyConfig(fast.argv, fast.view, { env: io.env, settable: fast.settable, builtins: loadBuiltins, warn: configWarning(io, messages) });
  } catch (err) {
    // What yargs' fail handler makes of a middleware's error (parser.ts).
    throw err instanceof CliError ? err : new CliError(errorMessage(err), 'E_USAGE');
  }
  return { action: async () => (await import('./redact.js')).runRedact(fast.argv, io), argv: fast.argv };
}

/** How long the process may stay after the command is done (a plugin's timer, an idle socket) before it exits anyway. */
const EXIT_GRACE_MS = 500;

/**
 * Ends the process on a second signal whatever it waits on. process.exit() is not enough: it waits for
 * libuv's worker threads, and one blocked in a read that never returns (a hung network mount) would hold
 * it forever. Re-raising SIGINT with its default action ends the process at once; shells report it as
 * 130, like the first interrupt's exit code. process.exit(130) follows in case SIGINT is ignored.
 */
function endNow(): never {
  process.removeAllListeners('SIGINT');
  process.kill(process.pid, 'SIGINT');
  process.exit(EXIT.interrupted);
}

/** Entry point for bin/collect-bundle.js: wires signals and the process exit code. */
export async function run(): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(`\ncollect-bundle: ${sig} received: stopping and removing partial files (press Ctrl-C again to quit at once)\n`);
      controller.abort(new Error(sig));
    } else endNow();
  };
  // bin/collect-bundle.js catches a signal that arrives while the modules load; from here on it is ours.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(sig);
    process.on(sig, onSignal);
  }
  // A reader that went away (`collect-bundle --json | head -1`, a closed terminal) must not crash the
  // run with an unhandled EPIPE: the bundle is on disk and the exit code still says how it went.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
    });
  }
  const code = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    signal: controller.signal,
  });
  process.exitCode = code;
  // Done: never wait on work someone else left behind (a plugin's interval, a never-settling promise of
  // its own). Unreferenced, so a process with nothing left exits at once without it.
  setTimeout(() => {
    // process.exit() can itself hang on a worker thread that never returns (a plugin's read of a FIFO):
    // with our handlers gone, a signal then ends the process by its default action.
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.removeAllListeners(sig);
    process.exit(code);
  }, EXIT_GRACE_MS).unref();
}
