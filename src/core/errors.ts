// Room: core (src/core/) — imports nothing of ours (the rule: tests/architecture.test.ts).
/** Errors that end a whole run, with the exit code the CLI uses for each. */

export type ErrorCode = 'E_USAGE' | 'E_CONFIG' | 'E_OUTPUT' | 'E_INTERRUPTED' | 'E_FATAL' | 'E_UPLOAD';

/** Exit codes, as documented in --help and docs/options.md. */
export const EXIT = {
  complete: 0,
  fatal: 1,
  usage: 2,
  partial: 3,
  /** `--fail-on`: the bundle was written and has findings of that severity. */
  findings: 4,
  /** `upload` / `collect --upload`: the upload was refused, unreachable or arrived different (the bundle stays on disk). */
  upload: 5,
  interrupted: 130,
} as const;

const EXIT_FOR: Record<ErrorCode, number> = {
  E_USAGE: EXIT.usage,
  E_CONFIG: EXIT.usage,
  E_OUTPUT: EXIT.fatal,
  E_INTERRUPTED: EXIT.interrupted,
  E_FATAL: EXIT.fatal,
  E_UPLOAD: EXIT.upload,
};

/** An error that stops the run. Only src/cli/main.ts prints it and exits. */
export class CliError extends Error {
  override name = 'CliError';
  readonly exitCode: number;
  constructor(
    message: string,
    readonly code: ErrorCode,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.exitCode = EXIT_FOR[code];
  }
}
