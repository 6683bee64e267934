// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * A `command` custom collector: one program, argv array (never a shell), its combined output
 * (`output.txt`, tail kept) and how it ended (`result.json`). Read-only is the user's promise, not
 * something we can check; the result and a fact say so.
 */
import { isAbsolute, resolve } from 'node:path';
import { defineCollector, fact, json, problem } from '../../src/core/artifacts.js';
import type { Collector } from '../../src/core/types.js';
import { COMMAND_DEFAULTS, command } from '../declare.js';
import { isSecretKeyName } from '../../redaction/keys.js';
import { redactArgv } from '../../redaction/structure.js';
import type { CommandCollectorSpec } from './schema.js';
import { CUSTOM } from '../../src/bundle/layout.js';

export { COMMAND_DEFAULTS } from '../declare.js';

/** How the manifest labels a custom command's read-only status. */
export const READ_ONLY_PROMISE = "user's promise";

export function commandCollector(spec: CommandCollectorSpec, options: { readonly baseDir: string }): Collector {
  const program = spec.argv[0]!;
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
    folder: CUSTOM.folder(spec.name),
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
    async *collect() {
      yield command(CUSTOM.commandOutput, spec.argv as [string, ...string[]], {
        ...(cwd ? { cwd } : {}),
        ...(spec.env ? { env: spec.env } : {}),
        timeoutMs,
        maxBytes,
        exitCodes,
        hints: { timeout: `raise "timeout" of custom collector "${spec.name}"`, program: `argv[0] of custom collector "${spec.name}"` },
        after: ({ record, outputBytes, expected, reason, outputCut }) => [
          fact(`custom.${spec.name}.read-only`, READ_ONLY_PROMISE),
          json(CUSTOM.commandResult, {
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
            // Cut at its timeout: output.txt holds what was read until then, ending with a note.
            partial: outputCut ?? false,
          }),
          ...(reason ? [problem(`command ${program}`, reason)] : []),
        ],
      });
    },
  });
}
