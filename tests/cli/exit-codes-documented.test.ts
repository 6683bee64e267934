/**
 * issue #18 part 6: every exit code the CLI can return is documented, in `--help` and in docs/options.md's
 * table, and nothing else is: the codes come from the source (src/core/errors.ts EXIT, the literal
 * codes of src/cli/ and bin/), the documented ones from the real `--help` output and docs/options.md.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/core/errors.js';
import { ROOT, assertBuilt, cleanup, describeRun, runCli } from './harness.js';

beforeAll(assertBuilt);
afterEach(cleanup);

/** Codes the CLI's code can end with: the EXIT table, and any literal code in src/cli/*.ts and bin/. */
function codesInSource(): Set<number> {
  const codes = new Set<number>(Object.values(EXIT));
  const files = [
    ...readdirSync(join(ROOT, 'src', 'cli'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(ROOT, 'src', 'cli', f)),
    join(ROOT, 'bin', 'collect-bundle.js'),
  ];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/process\.exit(?:Code\s*=\s*|\()\s*(\d+)/g)) codes.add(Number(m[1]));
    for (const m of text.matchAll(/^\s*return (\d+);/gm)) codes.add(Number(m[1]));
    for (const m of text.matchAll(/^export const [A-Z_]+ = (\d+);/gm)) codes.add(Number(m[1])); // DIFF_TROUBLE
  }
  return codes;
}

const sorted = (s: Iterable<number>): number[] => [...s].sort((a, b) => a - b);

describe('exit codes', () => {
  it('the codes in the source are exactly the ones --help and docs/options.md document', async () => {
    const used = sorted(codesInSource());
    expect(used).toEqual([0, 1, 2, 3, 4, 5, 130]);

    const help = await runCli(['--help']);
    expect(help.code, describeRun(help)).toBe(0);
    const epilog = help.stdout.slice(help.stdout.indexOf('Exit codes:'));
    const inHelp = sorted(new Set([...epilog.matchAll(/^ {2}(\d+)\s{2,}\S/gm)].map((m) => Number(m[1]))));
    expect(inHelp).toEqual(used);

    const doc = readFileSync(join(ROOT, 'docs', 'options.md'), 'utf8');
    const start = doc.indexOf('## Exit codes');
    expect(start).toBeGreaterThan(-1);
    const end = doc.indexOf('\n## ', start + 1);
    const section = doc.slice(start, end === -1 ? doc.length : end);
    const inDocs = sorted(new Set([...section.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]))));
    expect(inDocs).toEqual(used);
  });
});
