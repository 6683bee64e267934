// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * A `command` custom collector: one program, argv array (never a shell), its combined output
 * (`output.txt`, tail kept) and how it ended (`result.json`). Read-only is the user's promise, not
 * something we can check; the result and a fact say so.
 */
import { isAbsolute, resolve } from 'node:path';
import { defineCollector, fact, json, problem } from '../../src/core/artifacts.js';
import type { Artifact, CommandRecord, Collector } from '../../src/core/types.js';
import { isSecretKeyName } from '../../redaction/keys.js';
import { redactArgv } from '../../redaction/structure.js';
import type { CommandCollectorSpec } from './schema.js';

export const COMMAND_DEFAULTS = Object.freeze({ timeoutMs: 30_000, maxBytes: 5 * 1024 * 1024, exitCodes: [0] as readonly number[] });

/** How the manifest labels a custom command's read-only status. */
export const READ_ONLY_PROMISE = "user's promise";

export function commandCollector(spec: CommandCollectorSpec, options: { readonly baseDir: string }): Collector {
  const [program, ...args] = spec.argv as [string, ...string[]];
  const timeoutMs = spec.timeout !== undefined ? Math.round(spec.timeout * 1000) : COMMAND_DEFAULTS.timeoutMs;
  const maxBytes = spec.maxBytes ?? COMMAND_DEFAULTS.maxBytes;
  const exitCodes = spec.exitCodes ?? COMMAND_DEFAULTS.exitCodes;
  const cwd = spec.cwd === undefined ? undefined : isAbsolute(spec.cwd) ? spec.cwd : resolve(options.baseDir, spec.cwd);
  const envNames = Object.keys(spec.env ?? {}).sort();
  // Values of secret flags in argv (`--password=...`, `-p...`): kept out of the description, declared as secrets.
  const argvSecrets: string[] = [];
  const shownArgv = redactArgv(spec.argv, (secret) => {
    argvSecrets.push(secret);
    return '<redacted>';
  }).map((a) => a.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]*:)[^\s@/'"]+@/gi, '$1<redacted>@'));
  return defineCollector({
    name: spec.name,
    folder: `custom/${spec.name}`,
    // Shown by --list-collectors: secret flag values and URL passwords masked (the CLI redacts it again).
    description: `custom command: ${shownArgv.join(' ').slice(0, 120)}`,
    defaultEnabled: true,
    // The command's own timeout, plus room to write its output and result.
    timeoutMs: timeoutMs + 10_000,
    defaults: {},
    // Values the user put in `env` that look secret are removed everywhere, even if the command echoes them.
    async secrets() {
      return [
        ...Object.entries(spec.env ?? {})
          .filter(([k]) => isSecretKeyName(k))
          .map(([, v]) => v),
        ...argvSecrets,
      ];
    },
    async *collect(ctx) {
      let record: CommandRecord | undefined;
      let outputBytes = 0;
      const output: Artifact = {
        kind: 'artifact',
        path: 'output.txt',
        maxBytes,
        open: async () => {
          const opened = ctx.deps.exec.stream(program, args, { ...(cwd ? { cwd } : {}), ...(spec.env ? { env: spec.env } : {}), timeoutMs });
          return {
            stream: countBytes(opened.stream, (n) => (outputBytes += n)),
            settle: async () => (record = await opened.settle?.()),
          };
        },
      };
      yield output;
      yield fact(`custom.${spec.name}.read-only`, READ_ONLY_PROMISE);
      const expected = record?.exitCode !== null && record?.exitCode !== undefined && exitCodes.includes(record.exitCode);
      yield json('result.json', {
        argv: spec.argv,
        ...(cwd ? { cwd } : {}),
        // Names only: values given in config may be secrets and the manifest is no place for them.
        envNames,
        readOnly: READ_ONLY_PROMISE,
        exitCode: record?.exitCode ?? null,
        signal: record?.signal ?? null,
        durationMs: record?.durationMs ?? null,
        timedOut: record?.timedOut ?? false,
        expectedExitCodes: exitCodes,
        expected,
        ...(record?.error ? { error: record.error } : {}),
        outputBytes,
        maxBytes,
        outputCut: outputBytes > maxBytes ? 'tail kept' : false,
      });
      const reason = failureReason(spec, record, exitCodes, timeoutMs);
      if (reason) yield problem(`command ${program}`, reason);
    },
  });
}

/** One line saying why the command's outcome is not what the user declared as success, with the fix. */
function failureReason(spec: CommandCollectorSpec, record: CommandRecord | undefined, exitCodes: readonly number[], timeoutMs: number): string | undefined {
  const program = spec.argv[0]!;
  if (!record) return `command ${program} did not run: its output could not be stored (see the problem for output.txt)`;
  if (record.timedOut) return `command ${program} timed out after ${timeoutMs / 1000}s and was killed (fix: raise "timeout" of custom collector "${spec.name}")`;
  if (record.error?.includes('not found')) return `command ${program} not found on PATH (fix: install it, or put its absolute path as argv[0] of custom collector "${spec.name}")`;
  if (record.error?.includes('permission denied')) return `command ${program} is not executable by this user (fix: chmod +x it or run collect-bundle as a user that may run it)`;
  if (record.error) return `command ${program}: ${record.error}`;
  if (record.signal) return `command ${program} was killed by ${record.signal}`;
  if (record.exitCode !== null && !exitCodes.includes(record.exitCode)) {
    return `command ${program} exited with ${record.exitCode}, expected ${exitCodes.join(' or ')} (see output.txt; add ${record.exitCode} to "exitCodes" if it means success)`;
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
