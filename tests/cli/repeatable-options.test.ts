/**
 * issue #18 part 6: a repeatable option takes one value per occurrence, so a positional after it stays a
 * positional (`redact --redact-literals-file S FILE` redacts FILE, not stdin), on the real CLI.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanup, describeRun, runCli, tempDir } from './harness.js';

beforeAll(assertBuilt);
afterEach(cleanup);

describe('repeatable options take one value per occurrence', () => {
  it('redact --redact-literals-file S FILE redacts FILE with the literals of S', async () => {
    const dir = await tempDir();
    const literals = join(dir, 'secrets.txt');
    const other = join(dir, 'more.txt');
    const input = join(dir, 'app.log');
    await writeFile(literals, 'Qx7-canary-alpha\n');
    await writeFile(other, 'Qx7-canary-bravo\n');
    await writeFile(input, 'first Qx7-canary-alpha then Qx7-canary-bravo end\n');
    const r = await runCli(['redact', '--no-config', '--redact-literals-file', literals, input], { killAfterMs: 20_000 });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout).toMatch(/^first \[REDACTED:known-secret:[0-9a-f]{8}\] then Qx7-canary-bravo end\n$/);
    // Repeated, each occurrence adds its file; the positional after the last one is still the input.
    const both = await runCli(['redact', '--no-config', '--redact-literals-file', literals, '--redact-literals-file', other, input], { killAfterMs: 20_000 });
    expect(both.code, describeRun(both)).toBe(0);
    expect(both.stdout).not.toMatch(/Qx7-canary/);
    expect(both.stdout.match(/\[REDACTED:known-secret:/g)).toHaveLength(2);
  });

  it('analyze --env-file E BUNDLE takes BUNDLE as the bundle, not as a second env file', async () => {
    const dir = await tempDir();
    const env = join(dir, '.env');
    await writeFile(env, 'A=1\n');
    const r = await runCli(['analyze', '--no-config', '--env-file', env, join(dir, 'missing.tar.gz')], { killAfterMs: 20_000 });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toMatch(/missing\.tar\.gz: no such file/);
    expect(r.stderr).not.toMatch(/Not enough non-option arguments/);
  });
});
