/**
 * issue #17 part 3, package hygiene: the tarball `npm pack` makes ships the built code, the Django
 * helpers, the schema and the docs, and no benchmark code or source maps (their sources are not
 * shipped); installed into a temporary prefix (dependencies from npm's cache, else the npm registry),
 * its `collect-bundle` prints the version and writes a real bundle that its own `verify` passes.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanup, PKG, ROOT, tempDir } from './cli/harness.js';
import { fileJson, readBundle } from './helpers/bundle.js';

const run = promisify(execFile);
const env = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

let dir: string;
let tarball: string;
let files: string[];
let bin: string;

describe('the packed package', () => {
  beforeAll(async () => {
    assertBuilt();
    dir = await tempDir('cb-pack-');
    const packed = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT, env });
    const info = (JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[])[0]!;
    tarball = join(dir, info.filename);
    files = info.files.map((f) => f.path);
    const prefix = join(dir, 'prefix');
    await mkdir(prefix);
    await run('npm', ['install', '--prefix', prefix, '--prefer-offline', '--no-save', tarball], { cwd: dir, env, timeout: 240_000 });
    bin = join(prefix, 'node_modules', '.bin', 'collect-bundle');
  }, 300_000);
  afterAll(cleanup);

  it('ships the code, the Django helpers, the schema and the docs; no benchmarks, no source maps', () => {
    expect(files).toContain('bin/collect-bundle.js');
    expect(files).toContain('dist/src/cli/main.js');
    // The command line's bundle (scripts/bundle-cli.mjs): what bin/collect-bundle.js runs.
    expect(files).toContain('dist/cli/main.js');
    expect(files.some((f) => f.startsWith('dist/cli/chunks/'))).toBe(true);
    expect(files).toContain('dist/src/index.d.ts');
    expect(files.some((f) => /^collectors\/django\/py\/.+\.py$/.test(f))).toBe(true);
    expect(files).toContain('schema/collect-bundle.schema.json');
    for (const f of ['README.md', 'TROUBLESHOOTING.md', 'docs/options.md', 'docs/collectors.md']) expect(files).toContain(f);
    expect(files.filter((f) => f.includes('bench/'))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    // No TypeScript sources or tests either: what ships is what runs.
    expect(files.filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('tests/') || f.startsWith('dist/tests/'))).toEqual([]);
  });

  it('installed from the tarball, prints its version', async () => {
    const { stdout } = await run(bin, ['--version'], { env });
    expect(stdout.trim()).toBe(PKG.version);
  });

  it('installed from the tarball, collects a real bundle (--only system) that its own verify passes', async () => {
    const out = join(dir, 'out');
    await run(bin, ['--only', 'system', '-o', out, '-q'], { cwd: dir, env, timeout: 120_000 });
    const bundles = (await readdir(out)).filter((f) => f.endsWith('.tar.gz'));
    expect(bundles).toHaveLength(1);
    const entries = await readBundle(join(out, bundles[0]!));
    const manifest = fileJson<{ tool: { version: string }; collectors: { name: string; status: string }[] }>(entries, 'manifest.json');
    expect(manifest.tool.version).toBe(PKG.version);
    expect(manifest.collectors.map((c) => [c.name, c.status])).toEqual([['system', 'ok']]);
    const verified = await run(bin, ['verify', join(out, bundles[0]!)], { env });
    expect(verified.stdout).toMatch(/^ok: \d+ entries verified/);
  }, 180_000);
});
