/**
 * Who answers which question (issue #16): `--yes` on the command line answers both questions of a run
 * (`--review`'s "Write the bundle?" and the upload's "[y/N]"); the config's `upload.yes` answers only the
 * upload's. `--review` is no config key, so there is no config answer for it. Run through the real CLI on
 * a real pseudo-terminal (util-linux `script`) with an HTTP server on 127.0.0.1.
 */
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, BIN, cleanup, describeRun, runCli, tempDir } from '../cli/harness.js';
import { startUploadServer, type UploadServer } from '../helpers/upload-server.js';

const SCRIPT = '/usr/bin/script';
const needed = existsSync(SCRIPT) || process.env['CI'] === 'true';

let target: UploadServer;
let dir: string;
let tmp: string;
let yesConfig: string;
let file: string;

/** The CLI on a pseudo-terminal, `answer` typed in; resolves to everything the terminal showed, and `rc=N`. */
const onTty = (args: readonly string[], answer: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const quoted = [process.execPath, '--', BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const child = execFile(
      'script',
      ['-qec', `${quoted}; echo "rc=$?"`, '/dev/null'],
      { encoding: 'utf8', timeout: 60_000, env: { ...process.env, TMPDIR: tmp } },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    );
    child.stdin!.end(answer);
  });

describe.skipIf(!needed)('the --yes and upload.yes answers', () => {
  beforeAll(async () => {
    assertBuilt();
    dir = await tempDir('cb-yes-');
    tmp = await tempDir('cb-yes-tmp-');
    target = await startUploadServer();
    yesConfig = join(dir, 'yes.json');
    writeFileSync(yesConfig, JSON.stringify({ upload: { yes: true } }));
    file = join(dir, 'collect-bundle-h-20261207T120000Z-abcdef.tar.gz');
    writeFileSync(file, Buffer.alloc(50_000, 7));
  });
  afterEach(() => {
    target.received = [];
  });
  afterAll(async () => {
    await target.close();
    await cleanup();
  });

  it('the config upload.yes answers the upload question on a terminal', async () => {
    const out = await onTty(['upload', file, `${target.base}/cfg-yes`, '--config', yesConfig], '');
    expect(out).not.toMatch(/\[y\/N\]/);
    expect(out).toContain('rc=0');
    expect(target.received).toHaveLength(1);
    // Without it the same command asks (and an empty answer is no).
    const asked = await onTty(['upload', file, `${target.base}/no-cfg`, '--no-config'], '\n');
    expect(asked).toMatch(/\[y\/N\]/);
    expect(asked).toContain('rc=1');
    expect(target.received).toHaveLength(1);
  });

  it("the config upload.yes does not answer --review's question: on a terminal it is asked, off one it is a usage error", async () => {
    const out = join(dir, 'review-tty');
    const shown = await onTty(['--config', yesConfig, '--only', 'system', '-o', out, '--review', '--upload', `${target.base}/r`], 'n\n');
    expect(shown).toContain('Write the bundle? [y/N/l(ist)/e(xclude) PATH]');
    expect(shown).toContain('rc=1');
    expect(existsSync(out) ? (await readdir(out)).filter((f) => f.includes('.tar.gz')) : []).toEqual([]);
    expect(target.received).toHaveLength(0);
    const r = await runCli(['--config', yesConfig, '--only', 'system', '-o', join(dir, 'review-pipe'), '--review'], { env: { TMPDIR: tmp } });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toMatch(/--review asks on a terminal and stdin is not one: .*add --yes/);
  });

  it('--yes on the command line answers both questions: reviewed, written and uploaded without a prompt', async () => {
    const out = join(dir, 'both');
    const shown = await onTty(['--no-config', '--only', 'system', '-o', out, '--review', '--yes', '--upload', `${target.base}/both`], '');
    expect(shown).toMatch(/Review: \d+ files/);
    expect(shown).not.toContain('Write the bundle?');
    expect(shown).not.toMatch(/\[y\/N\]/);
    expect(shown).toContain('rc=0');
    const bundles = (await readdir(out)).filter((f) => f.endsWith('.tar.gz'));
    expect(bundles).toHaveLength(1);
    expect(target.received).toHaveLength(1);
  });
});
