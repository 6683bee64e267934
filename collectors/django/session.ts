// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * The django collector's one Python process per run (py/session.py): the settings' secrets, the state
 * probe, then Django's commands, each step under its own limit inside the process. It runs in the
 * collector's `secrets` hook, which comes before any collector collects (the secrets must be known
 * before the first byte is written), and collect() then takes its answer instead of starting Django a
 * second time. The hand-over is keyed by the run's own secrets set (ctx.deps.secrets, one object per
 * run, shared by both hooks' contexts) in a WeakMap, so nothing outlives the run, and is taken once.
 */
import type { CommandResult, Exec, ExecOptions } from '../../src/core/types.js';
import type { CommandSpec } from './documents.js';
import { COMMAND_TIMEOUT_ENV, COMMANDS_ENV, END_MARKER, STATE_PROBE, STATE_PROBE_BOOTSTRAP, STATE_PROBE_ENV } from './probes.js';
import type { ProbeResult } from './interpreter.js';

/** Marks the secrets document the session prints first (py/session.py spells it out). */
export const SECRETS_MARKER = '<<<collect-bundle:secrets>>>';

/** Beyond every step's own limit: the backstop kill for a process whose command ignores its alarm. */
export const BACKSTOP_MS = 10_000;

/** What one run of the interpreter check and the session left for collect(). */
export interface SessionRun {
  /** Which project, interpreter and options it ran for: collect() takes it only when they agree. */
  readonly key: string;
  readonly probed: ProbeResult;
  /** Absent when the interpreter cannot import Django (the session was not started). */
  readonly run?: CommandResult;
}

const handOver = new WeakMap<object, SessionRun>();

/** Leaves `run` for this run's collect() (`owner`: the run's ctx.deps.secrets). */
export function leaveSession(owner: object, run: SessionRun): void {
  handOver.set(owner, run);
}

/** The session this run's `secrets` hook left for `key`, once; undefined when there is none. */
export function takeSession(owner: object, key: string): SessionRun | undefined {
  const run = handOver.get(owner);
  handOver.delete(owner);
  return run?.key === key ? run : undefined;
}

/**
 * Starts the session with `command` and waits for its end (the process is killed by the signal of
 * `exec`, or the backstop). The secrets come back apart; the output kept (`run.stdout`) no longer holds
 * them, so no file made from it (probe-output.txt) can show them, even before redaction.
 */
export async function runSession(
  exec: Exec,
  command: readonly string[],
  base: ExecOptions & { readonly env: Readonly<Record<string, string>> },
  specs: readonly CommandSpec[],
  commandTimeoutMs: number,
): Promise<{ readonly secrets: string[]; readonly run: CommandResult }> {
  const [file, ...prefix] = command as [string, ...string[]];
  const run = await exec.run(file, [...prefix, '-c', STATE_PROBE_BOOTSTRAP], {
    ...base,
    env: { ...base.env, [STATE_PROBE_ENV]: STATE_PROBE, [COMMANDS_ENV]: JSON.stringify(specs), [COMMAND_TIMEOUT_ENV]: String(commandTimeoutMs / 1000) },
    timeoutMs: sessionLimitMs(specs, commandTimeoutMs),
    maxBuffer: 64 * 1024 * 1024,
  });
  return { secrets: sessionSecrets(run.stdout), run: { ...run, stdout: withoutSecrets(run.stdout) } };
}

/** `stdout` without the secrets document (and without a cut one at its end). */
function withoutSecrets(stdout: string): string {
  const at = stdout.indexOf(SECRETS_MARKER);
  if (at === -1) return stdout;
  const end = stdout.indexOf(END_MARKER, at);
  return end === -1 ? stdout.slice(0, at) : stdout.slice(0, at) + stdout.slice(end + END_MARKER.length);
}

/** The backstop: every step's limit (the probe and each command), plus BACKSTOP_MS. */
export const sessionLimitMs = (specs: readonly CommandSpec[], commandTimeoutMs: number): number => commandTimeoutMs * (specs.length + 1) + BACKSTOP_MS;

/** The secrets the session printed first, or [] when it printed none. */
function sessionSecrets(stdout: string): string[] {
  const at = stdout.indexOf(SECRETS_MARKER);
  if (at === -1) return [];
  const end = stdout.indexOf(END_MARKER, at);
  if (end === -1) return [];
  try {
    const values: unknown = JSON.parse(stdout.slice(at + SECRETS_MARKER.length, end));
    return Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}
