/**
 * Plugins: the example plugin in examples/ loads through the package's public API (self-reference to
 * `collect-bundle`, so dist/ must be built) and its output lands in the bundle; plugins that throw,
 * export nothing usable or clash with a name are recorded and skipped while the bundle is still written.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { builtinCollectors } from '../../collectors/index.js';
import { verifyBundle } from '../../src/bundle/verify.js';
import { collectBundle } from '../../src/run/collect.js';
import { loadConfig } from '../../src/config/config.js';
import { collectorsFor } from '../../src/config/registry.js';
import { CliError } from '../../src/core/errors.js';
import { loadPlugins } from '../../src/run/plugins.js';
import { BIN, describeRun, runCli } from '../cli/harness.js';
import { fileJson, fileText, readBundle } from '../helpers/bundle.js';

const EXAMPLES = resolve('examples');
const BROKER_PASSWORD = 'brokerPw-7f3a9c1e';

let dir: string;
beforeAll(() => {
  expect(existsSync(resolve('dist/src/index.js')), 'the example plugin imports collect-bundle (dist/): run npm run build first').toBe(true);
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cb-plugins-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const env = { PATH: process.env['PATH'], CELERY_BROKER_URL: `redis://:${BROKER_PASSWORD}@127.0.0.1:6390/0` };

describe('loadPlugins', () => {
  it('loads the example plugin written against the public API', async () => {
    const result = await loadPlugins(['./queue-collector.mjs'], EXAMPLES);
    expect(result.failures).toEqual([]);
    expect(result.collectors.map((c) => c.name)).toEqual(['celery-queue']);
    expect(result.loaded).toEqual([{ plugin: './queue-collector.mjs', file: join(EXAMPLES, 'queue-collector.mjs'), collectors: ['celery-queue'] }]);
  });

  it('reports each broken plugin in one line with its path, and skips it', async () => {
    await writeFile(join(dir, 'throws.mjs'), "throw new Error('cannot reach the ops database');\n");
    await writeFile(join(dir, 'no-default.mjs'), 'export const collector = {};\n');
    await writeFile(join(dir, 'bad-name.mjs'), "export default { name: 'Queue Length', description: 'x', defaultEnabled: true, defaults: {}, async *collect() {} };\n");
    await writeFile(join(dir, 'no-collect.mjs'), "export default [{ name: 'fine-one', description: 'ok', defaultEnabled: true, defaults: {}, async *collect() {} }, { name: 'broken-two', description: 'x', defaultEnabled: true, defaults: {} }];\n");
    await writeFile(join(dir, 'syntax.mjs'), 'export default {\n');
    await writeFile(join(dir, 'clash.mjs'), "export default { name: 'system', description: 'x', defaultEnabled: true, defaults: {}, async *collect() {} };\n");
    const specs = ['./throws.mjs', './no-default.mjs', './bad-name.mjs', './no-collect.mjs', './syntax.mjs', './clash.mjs', './missing.mjs', 'cb-no-such-package-x'];
    const { collectors, failures } = await loadPlugins(specs, dir, { reserved: builtinCollectors.map((c) => c.name) });
    expect(collectors).toEqual([]);
    expect(failures.map((f) => f.plugin)).toEqual(specs);
    const error = (plugin: string): string => failures.find((f) => f.plugin === plugin)!.error;
    expect(error('./throws.mjs')).toBe('cannot reach the ops database');
    expect(error('./no-default.mjs')).toMatch(/^has no default export \(fix: `export default defineCollector/);
    expect(error('./bad-name.mjs')).toBe('its default export "Queue Length": "name" must be a kebab-case string (e.g. "queue-length"), got "Queue Length"');
    expect(error('./no-collect.mjs')).toBe('collector #2 "broken-two": "collect" must be a function (an async generator yielding outputs)');
    // Node says `Unexpected end of input`; under vitest its module loader words it differently.
    expect(error('./syntax.mjs')).toMatch(/Unexpected end of input|Failed to parse/);
    expect(error('./clash.mjs')).toBe('collector name "system" is already used by a built-in or configured collector (fix: rename the plugin\'s collector)');
    expect(error('./missing.mjs')).toBe(`no such file ${join(dir, 'missing.mjs')} (fix: plugin paths are relative to ${dir})`);
    expect(error('cb-no-such-package-x')).toBe(`cannot find package "cb-no-such-package-x" from ${dir} (fix: npm install cb-no-such-package-x in that project, or give the plugin's path)`);
    for (const f of failures) expect(f.error).not.toContain('\n');
  });

  it('two plugins may not claim the same collector name', async () => {
    const source = "export default { name: 'same-name', description: 'x', defaultEnabled: true, defaults: {}, async *collect() {} };\n";
    await writeFile(join(dir, 'a.mjs'), source);
    await writeFile(join(dir, 'b.mjs'), source);
    const { collectors, failures } = await loadPlugins(['./a.mjs', './b.mjs'], dir);
    expect(collectors.map((c) => c.name)).toEqual(['same-name']);
    expect(failures).toEqual([{ plugin: './b.mjs', error: 'collector name "same-name" is already used by plugin ./a.mjs (fix: rename the plugin\'s collector)' }]);
  });

  it('resolves an ESM-only npm package from the base directory', async () => {
    const pkg = join(dir, 'node_modules', 'cb-plugin-demo');
    await writeFile(join(dir, 'package.json'), '{"type":"module"}\n');
    await import('node:fs/promises').then((fs) => fs.mkdir(join(pkg, 'lib'), { recursive: true }));
    await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: 'cb-plugin-demo', type: 'module', exports: { '.': { import: './lib/main.js' } } }));
    await writeFile(join(pkg, 'lib', 'main.js'), "export default { name: 'demo-pkg', description: 'from a package', defaultEnabled: true, defaults: {}, async *collect() {} };\n");
    const { collectors, failures } = await loadPlugins(['cb-plugin-demo'], dir);
    expect(failures).toEqual([]);
    expect(collectors.map((c) => c.name)).toEqual(['demo-pkg']);
  });
});

describe('plugins from packages with both builds', () => {
  const collector = (name: string): string => `{ name: '${name}', description: 'from a dual package', defaultEnabled: true, defaults: {}, async *collect() {} }`;
  async function dualPackage(name: string, exports: unknown): Promise<string> {
    const pkg = join(dir, 'node_modules', name);
    await import('node:fs/promises').then(async (fs) => {
      await fs.mkdir(join(pkg, 'esm'), { recursive: true });
      await fs.mkdir(join(pkg, 'cjs'), { recursive: true });
    });
    await writeFile(join(pkg, 'package.json'), JSON.stringify({ name, main: './cjs/index.js', exports }));
    await writeFile(join(pkg, 'esm', 'index.mjs'), `export default ${collector(`${name}-esm`)};\n`);
    // What tsc emits for \`export default\` in a CommonJS build.
    await writeFile(join(pkg, 'cjs', 'index.js'), `"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nexports.default = ${collector(`${name}-cjs`)};\n`);
    return pkg;
  }

  it('takes the "import" build of a package that has both, as import() would', async () => {
    await dualPackage('cb-dual', { '.': { import: './esm/index.mjs', require: './cjs/index.js' } });
    const { collectors, failures, loaded } = await loadPlugins(['cb-dual'], dir);
    expect(failures).toEqual([]);
    expect(collectors.map((c) => c.name)).toEqual(['cb-dual-esm']);
    expect(loaded[0]!.file).toBe(join(dir, 'node_modules', 'cb-dual', 'esm', 'index.mjs'));
  });

  it('unwraps the default export of a CommonJS build compiled from ESM (__esModule), in plain Node', async () => {
    await dualPackage('cb-cjs-only', { '.': { require: './cjs/index.js' } });
    // In a separate Node process on the built code: vitest's own import() interop would unwrap it for us.
    const script = `
      const { loadPlugins } = await import(${JSON.stringify(pathToFileURL(resolve('dist/src/run/plugins.js')).href)});
      const r = await loadPlugins(['cb-cjs-only'], process.argv[1]);
      console.log(JSON.stringify({ names: r.collectors.map((c) => c.name), failures: r.failures }));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, dir], { encoding: 'utf8' });
    expect(child.status, child.stderr).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual({ names: ['cb-cjs-only-cjs'], failures: [] });
  });
});

describe('plugins in a run', () => {
  it("the example plugin's output is in the bundle; without redis-cli it degrades to a problem", async () => {
    const result = await collectBundle({
      outputDir: dir,
      collectors: [],
      plugins: ['./queue-collector.mjs'],
      pluginBaseDir: EXAMPLES,
      collectorOptions: { 'celery-queue': { redisCli: 'cb-no-redis-cli-here' } },
      env,
      redaction: { ephemeralKey: true },
    });
    expect(result.status).toBe('complete');
    expect(result.manifest.plugins).toEqual([{ plugin: './queue-collector.mjs', status: 'loaded', collectors: ['celery-queue'] }]);
    const entries = await readBundle(result.bundle);
    const queues = fileJson(entries, 'celery-queue/queues.json');
    expect(queues).toEqual({ broker: 'redis://127.0.0.1:6390/0', queues: [{ queue: 'celery', length: null, error: expect.stringMatching(/^cb-no-redis-cli-here not found \(fix: install redis-tools/) }] });
    const record = result.manifest.collectors.find((c) => c.name === 'celery-queue')!;
    expect(record.problems).toEqual([{ item: 'queue celery', reason: expect.stringMatching(/not found \(fix: install redis-tools/) }]);
    expect(record.commands[0]!.argv).toEqual(['cb-no-redis-cli-here', '-u', 'redis://127.0.0.1:6390/0', '--no-raw', 'LLEN', 'celery']);
  });

  it('with a stand-in redis-cli (a script answering like redis-cli does) it reports the length; the password never shows', async () => {
    const standIn = join(dir, 'redis-cli');
    await writeFile(
      standIn,
      `#!/bin/sh\nif [ "$REDISCLI_AUTH" = "${BROKER_PASSWORD}" ]; then echo "(integer) 42"; else echo "NOAUTH Authentication required." >&2; exit 1; fi\n`,
    );
    await chmod(standIn, 0o755);
    const out = join(dir, 'out');
    const result = await collectBundle({
      outputDir: out,
      collectors: [],
      plugins: [join(EXAMPLES, 'queue-collector.mjs')],
      collectorOptions: { 'celery-queue': { redisCli: standIn, queues: ['celery', 'priority'] } },
      env,
      redaction: { ephemeralKey: true },
    });
    const entries = await readBundle(result.bundle);
    expect(fileJson(entries, 'celery-queue/queues.json').queues).toEqual([
      { queue: 'celery', length: 42 },
      { queue: 'priority', length: 42 },
    ]);
    expect(result.manifest.environment['celery.queued']).toBe('84');
    for (const e of entries.values()) expect(e.data.toString('utf8')).not.toContain(BROKER_PASSWORD);
    expect((await verifyBundle(result.bundle)).ok).toBe(true);
  });

  it('a plugin that throws on load is recorded, warned about in run.log, and the bundle is still written (partial)', async () => {
    await writeFile(join(dir, 'throws.mjs'), "throw new Error('plugin exploded on import');\n");
    const out = join(dir, 'out');
    const result = await collectBundle({
      outputDir: out,
      collectors: builtinCollectors,
      only: ['system'],
      plugins: ['./throws.mjs', join(EXAMPLES, 'queue-collector.mjs')],
      pluginBaseDir: dir,
      env,
      redaction: { ephemeralKey: true },
    });
    expect(result.status).toBe('partial');
    expect(result.manifest.plugins).toEqual([
      { plugin: './throws.mjs', status: 'failed', error: 'plugin exploded on import' },
      { plugin: join(EXAMPLES, 'queue-collector.mjs'), status: 'loaded', collectors: ['celery-queue'] },
    ]);
    expect(result.manifest.collectors.map((c) => c.name)).toEqual(['system']);
    const entries = await readBundle(result.bundle);
    expect(fileText(entries, 'run.log')).toMatch(/warn.*plugin \.\/throws\.mjs was skipped: plugin exploded on import/);
    expect(fileJson(entries, 'system/os.json')).toHaveProperty('platform');
  });

  it('--only naming a collector of a plugin that failed says why it is unknown', async () => {
    await writeFile(join(dir, 'throws.mjs'), "throw new Error('no such module ./helpers');\n");
    const run = collectBundle({ outputDir: dir, collectors: [], only: ['celery-queue'], plugins: ['./throws.mjs'], pluginBaseDir: dir, env, redaction: { ephemeralKey: true } });
    await expect(run).rejects.toBeInstanceOf(CliError);
    await expect(run).rejects.toThrow(/unknown collector "celery-queue".*\(1 plugin\(s\) failed to load: \.\/throws\.mjs: no such module \.\/helpers\)/);
  });
});

describe('examples/collect-bundle.config.json', () => {
  it('is a valid configuration whose custom collectors build', async () => {
    const loaded = await loadConfig({ file: join(EXAMPLES, 'collect-bundle.config.json'), builtins: builtinCollectors });
    expect(loaded?.config.plugins).toHaveLength(1);
    const names = collectorsFor(loaded, builtinCollectors).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['celery-active', 'gunicorn-procs', 'nginx', 'docker-daemon', 'health', 'django-env']));
    expect(JSON.parse(await readFile(join(EXAMPLES, 'collect-bundle.config.json'), 'utf8')).plugins).toEqual(['./queue-collector.mjs']);
  });
});

describe('plugins through the CLI and a config file', () => {
  it('a plugin that throws is recorded and the run exits 3 with the bundle written; without it, exit 0; verify passes', async () => {
    await writeFile(join(dir, 'throws.mjs'), "throw new Error('plugin exploded on import');\n");
    const config = (plugins: string[]) => JSON.stringify({ custom: [{ type: 'command', name: 'hello', argv: ['/bin/echo', 'hello'] }], plugins });
    await writeFile(join(dir, 'collect-bundle.config.json'), config(['./throws.mjs', join(EXAMPLES, 'queue-collector.mjs')]));
    const out = join(dir, 'out-partial');
    const env = { CELERY_BROKER_URL: `redis://:${BROKER_PASSWORD}@127.0.0.1:6390/0` };
    const partial = await runCli(['--config', join(dir, 'collect-bundle.config.json'), '--only', 'hello,celery-queue', '-o', out, '--no-stable-tokens'], { env });
    expect(partial.code, describeRun(partial)).toBe(3);
    expect(partial.stderr).toContain('plugin ./throws.mjs was skipped: plugin exploded on import');
    const [bundle] = (await readdir(out)).filter((f) => f.endsWith('.tar.gz'));
    const entries = await readBundle(join(out, bundle!));
    const manifest = fileJson(entries, 'manifest.json');
    expect(manifest.plugins).toEqual([
      { plugin: './throws.mjs', status: 'failed', error: 'plugin exploded on import' },
      { plugin: join(EXAMPLES, 'queue-collector.mjs'), status: 'loaded', collectors: ['celery-queue'] },
    ]);
    expect(fileText(entries, 'custom/hello/output.txt')).toBe('hello\n');
    expect(fileJson(entries, 'celery-queue/queues.json').broker).toBe('redis://127.0.0.1:6390/0');
    const verify = spawnSync(process.execPath, [BIN, 'verify', join(out, bundle!)], { encoding: 'utf8' });
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);

    await writeFile(join(dir, 'collect-bundle.config.json'), config([join(EXAMPLES, 'queue-collector.mjs')]));
    const clean = await runCli(['--config', join(dir, 'collect-bundle.config.json'), '--only', 'hello,celery-queue', '-o', join(dir, 'out-clean'), '--no-stable-tokens'], { env });
    expect(clean.code, describeRun(clean)).toBe(0);
    for (const r of [partial, clean]) expect(r.stdout + r.stderr).not.toContain(BROKER_PASSWORD);
  });
});

