// Room: cli (src/cli/) — may import every room; the only place that prints errors and calls process.exit (the rule: tests/architecture.test.ts).
/** What a command sees of the process: its streams, environment and the Ctrl-C signal (tests pass their own). */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Input of `redact -` (default: process.stdin). */
  readonly stdin?: NodeJS.ReadableStream;
  /** Aborted on Ctrl-C / SIGTERM. */
  readonly signal: AbortSignal;
}

/** A parsed command line: the command's action and its arguments (after the config layers); neither after --help / --version. */
export interface ParsedCommand {
  readonly action?: () => Promise<number>;
  readonly argv?: Record<string, unknown>;
}
