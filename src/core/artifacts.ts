// Room: core (src/core/) — imports nothing of ours (the rule: tests/architecture.test.ts).
/**
 * Helpers that build collector outputs, so a collector reads like a list of declarations. Nothing here
 * runs until the bundle writer opens the artifact.
 */
import { Readable } from 'node:stream';
import type { Artifact, Collector, Exec, ExecOptions, Excluded, Fact, Problem } from './types.js';

/** Identity helper that gives a collector object its types (option types come from `defaults`). */
export const defineCollector = <O extends object>(collector: Collector<O>): Collector<O> => collector;

type Lazy<T> = T | ((signal: AbortSignal) => Promise<T>);

const resolve = async <T>(value: Lazy<T>, signal: AbortSignal): Promise<T> =>
  typeof value === 'function' ? (value as (s: AbortSignal) => Promise<T>)(signal) : value;

/**
 * A JSON file, pretty-printed so that a line-based rule sees each key next to its value.
 * `value` may be a function, called only when the writer opens the artifact.
 */
export function json(path: string, value: Lazy<unknown>, options: { maxBytes?: number } = {}): Artifact {
  return {
    kind: 'artifact',
    path,
    ...options,
    open: async (signal) => ({ stream: Readable.from([`${JSON.stringify(await resolve(value, signal), null, 2)}\n`]) }),
  };
}

/** A text file. */
export function text(path: string, value: Lazy<string>, options: { maxBytes?: number } = {}): Artifact {
  return { kind: 'artifact', path, ...options, open: async (signal) => ({ stream: Readable.from([await resolve(value, signal)]) }) };
}

/** The combined stdout and stderr of a command; its exit code and duration go to the manifest. */
export function commandOutput(exec: Exec, path: string, file: string, args: readonly string[], options: ExecOptions & { maxBytes?: number } = {}): Artifact {
  const { maxBytes, ...execOptions } = options;
  return { kind: 'artifact', path, ...(maxBytes ? { maxBytes } : {}), open: async () => exec.stream(file, args, execOptions) };
}

/** A problem with one item; the collector goes on. */
export const problem = (item: string, reason: string): Problem => ({ kind: 'problem', item, reason });

/** An item deliberately left out (not a failure); listed in the manifest with the reason. */
export const excluded = (item: string, reason: string): Excluded => ({ kind: 'excluded', item, reason });

/** An environment fact for the manifest and ISSUE.md. */
export const fact = (key: string, value: string): Fact => ({ kind: 'fact', key, value });

/** The message of any thrown value, on one line. */
export function errorMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s+/g, ' ').trim();
}
