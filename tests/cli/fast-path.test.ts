/**
 * issue #14 part 3: `--version` and `redact` are parsed without yargs (src/cli/fast-path.ts). Whatever
 * the fast path takes must mean what yargs makes of it: same arguments after the config layers, or the
 * same error. Command lines it is unsure of go to yargs, which the first tests show it does.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastCommand } from '../../src/cli/fast-path.js';
import type { CliIo } from '../../src/cli/io.js';
import { parseCommandLine } from '../../src/cli/main.js';
import { MessageRedactor } from '../../src/cli/messages.js';
import { parseWithYargs } from '../../src/cli/parser.js';

let dir: string;
let cwd: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cb-fast-'));
  await writeFile(join(dir, 'cfg.json'), JSON.stringify({ redaction: { secretKeys: ['ACME_CODE'], allow: ['^ok$'] } }));
  // No config file is found from here up: only the ones a command line names are read.
  cwd = process.cwd();
  process.chdir(dir);
});
afterAll(async () => {
  process.chdir(cwd);
  await rm(dir, { recursive: true, force: true });
});

const io = (env: Record<string, string> = {}): CliIo => {
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  return { stdout: sink, stderr: sink, env, signal: new AbortController().signal };
};

/** What a parse ends in: the enumerable arguments without the script name, or the error's message. */
async function outcome(parse: () => Promise<{ argv?: Record<string, unknown> }>): Promise<unknown> {
  try {
    const { argv } = await parse();
    const { $0: _script, ...rest } = argv ?? {};
    return { argv: rest };
  } catch (err) {
    return { error: (err as Error).message, code: (err as { code?: string }).code };
  }
}

describe('the fast path', () => {
  it('takes --version and plain redact command lines', () => {
    expect(fastCommand(['--version'])).toEqual({ kind: 'version' });
    expect(fastCommand(['redact', 'a.log'])?.kind).toBe('redact');
    expect(fastCommand(['redact', '--no-config', '--redact-literals-file', 'S', 'F'])?.argv).toMatchObject({
      files: ['F'],
      'redact-literals-file': ['S'],
      redactLiteralsFile: ['S'],
      config: false,
    });
    expect(fastCommand(['redact', '-o', 'out', '--explain', '-'])?.argv).toMatchObject({ files: [], o: 'out', output: 'out', explain: true });
  });

  it('leaves to yargs what only yargs can say: help, unknown or camelCase flags, --, missing values, repeats, options first', () => {
    for (const args of [
      [],
      ['--help'],
      ['--version', 'redact'],
      ['collect'],
      ['verify', 'b.tar.gz'],
      ['--no-config', 'redact'],
      ['redact', '--help'],
      ['redact', '--bogus'],
      ['redact', '--redactKey', 'K'],
      ['redact', '--', '-x'],
      ['redact', '--output'],
      ['redact', '--output', '--explain'],
      ['redact', '-o', 'a', '-o', 'b'],
      ['redact', '--explain', 'false'],
      ['redact', '--explain=true'],
      ['redact', '--no-output', 'x'],
      ['redact', '-x'],
      ['redact', '-oa'],
      ['redact', '--allow='],
    ])
      expect(fastCommand(args), args.join(' ')).toBeUndefined();
  });

  it('parses every command line it takes as yargs does, config layers included (same arguments or same error)', async () => {
    const token = fc.constantFrom(
      'a.log',
      '-',
      '123',
      'true',
      '--explain',
      '--no-explain',
      '--stable-tokens',
      '--no-stable-tokens',
      '--redact-key',
      '--redact-key=ACME',
      '--allow',
      '^x$',
      '--redact-pattern',
      'tok_[a-z]+',
      '--redact-literals-file',
      '-o',
      'out.txt',
      '--output=o2',
      '--redaction-key-file',
      '--config',
      'cfg.json',
      '--config=missing.json',
      '--no-config',
      '--',
      '--bogus',
    );
    const envs = fc.constantFrom<Record<string, string>>({}, { COLLECT_BUNDLE_REDACT_KEY: 'FROM_ENV' }, { COLLECT_BUNDLE_STABLE_TOKENS: 'maybe' });
    let taken = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(token, { maxLength: 7 }), envs, async (rest, env) => {
        const args = ['redact', ...rest];
        if (!fastCommand(args)) return;
        taken++;
        const fast = await outcome(() => parseCommandLine(args, io(env), new MessageRedactor()));
        const slow = await outcome(() => parseWithYargs(args, io(env), new MessageRedactor()));
        expect(fast, args.join(' ')).toEqual(slow);
      }),
      { numRuns: 300 },
    );
    // The property is about something: many generated command lines took the fast path.
    expect(taken).toBeGreaterThan(50);
  });
});
