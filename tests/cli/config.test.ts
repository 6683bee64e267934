/**
 * Configuration through the real built CLI: discovery from the working directory, `--config`,
 * `--no-config`, precedence file < COLLECT_BUNDLE_* environment < flags (read back from the bundle's
 * manifest), error exits, `config --print` / `--validate`, and `collectors.docker.tail` from a file
 * reaching the docker collector against the real test engine.
 */
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fileJson, fileText, readBundle, type TarEntry } from '../helpers/bundle.js';
import { DOCKER_HOST, TEST_IMAGE, docker, dockerUnavailable, removeContainers, uniq, waitForLog } from '../helpers/docker.js';
import { assertBuilt, cleanup, describeRun, runCli, tempDir, type CliResult } from './harness.js';
import type { Manifest } from '../../src/core/types.js';

beforeAll(() => assertBuilt());
afterEach(async () => {
  await cleanup();
});

/** A config that makes a run quick: only a custom `env` collector runs. */
const QUICK = { custom: [{ type: 'env', name: 'envy', include: ['HOME'] }], only: ['envy'] };

/** Runs the CLI in `cwd` and returns the result with the one bundle it wrote into `out`. */
async function collect(
  cwd: string,
  out: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ r: CliResult; entries: Map<string, TarEntry>; manifest: Manifest }> {
  const r = await runCli(['-q', ...args], { cwd, env });
  expect(r.code, describeRun(r)).toBe(0);
  const bundles = (await readdir(out)).filter((f) => f.endsWith('.tar.gz'));
  expect(bundles, `bundles in ${out}`).toHaveLength(1);
  const entries = await readBundle(join(out, bundles[0]!));
  return { r, entries, manifest: fileJson(entries, 'manifest.json') };
}

describe('discovery and selection of the file', () => {
  it('uses a collect-bundle.config.yaml found above the working directory and records it in the manifest', async () => {
    const root = await tempDir('cb-cfg-');
    const cwd = join(root, 'app', 'sub');
    await mkdir(cwd, { recursive: true });
    // outputDir is relative to the config file's folder, not to the working directory.
    await writeFile(
      join(root, 'collect-bundle.config.yaml'),
      'outputDir: bundles\nlabel: found\ncustom:\n  - type: env\n    name: envy\n    include: [HOME]\nonly: [envy]\n',
    );
    const { entries, manifest } = await collect(cwd, join(root, 'bundles'), []);
    expect(manifest.options.config).toBe(join(root, 'collect-bundle.config.yaml'));
    expect(manifest.options.label).toBe('found');
    expect(manifest.options.outputDir).toBe(join(root, 'bundles'));
    expect(manifest.collectors.map((c) => c.name)).toEqual(['envy']);
    expect([...entries.keys()].some((k) => k.split('/').slice(1).join('/').startsWith('custom/envy/'))).toBe(true);
  });

  it('reads the "collect-bundle" key of package.json', async () => {
    const root = await tempDir('cb-cfg-');
    await writeFile(join(root, 'package.json'), JSON.stringify({ name: 'site', 'collect-bundle': { ...QUICK, label: 'pkg', outputDir: 'out' } }));
    const { manifest } = await collect(root, join(root, 'out'), []);
    expect(manifest.options.config).toBe(join(root, 'package.json'));
    expect(manifest.options.label).toBe('pkg');
  });

  it('skips a found file in a world-writable folder with a one-line warning, and uses it when named with --config', async () => {
    const root = await tempDir('cb-cfg-');
    const shared = join(root, 'shared');
    await mkdir(join(shared, 'work'), { recursive: true });
    const planted = join(shared, 'collect-bundle.config.json');
    await writeFile(planted, JSON.stringify({ label: 'planted' }));
    await chmod(shared, 0o1777);
    const r = await runCli(['config', '--print'], { cwd: join(shared, 'work') });
    expect(r.code, describeRun(r)).toBe(0);
    expect(JSON.parse(r.stdout).file).not.toBe(planted);
    expect(r.stderr.split('\n')).toContain(
      `collect-bundle: warning: skipped the config file ${planted}: its folder ${shared} is writable by every user; a config can run commands, so only a safe one is used (fix: move it to a folder only you can write, chmod go-w it, or pass --config ${planted})`,
    );
    const chosen = await runCli(['--config', planted, 'config', '--print'], { cwd: join(shared, 'work') });
    expect(chosen.code, describeRun(chosen)).toBe(0);
    expect(JSON.parse(chosen.stdout)).toMatchObject({ file: planted, options: { label: { value: 'planted', from: 'config file' } } });
  });

  it('--config picks a file elsewhere; --no-config ignores the one that would be found', async () => {
    const root = await tempDir('cb-cfg-');
    await writeFile(join(root, 'collect-bundle.config.json'), JSON.stringify({ ...QUICK, label: 'discovered' }));
    const other = join(root, 'ops', 'site.yml');
    await mkdir(join(root, 'ops'));
    await writeFile(other, `label: chosen\ncustom: [{ type: env, name: envy2, include: [HOME] }]\nonly: [envy2]\n`);
    const out1 = join(root, 'o1');
    const chosen = await collect(root, out1, ['--config', 'ops/site.yml', '-o', out1]);
    expect(chosen.manifest.options.config).toBe(other);
    expect(chosen.manifest.options.label).toBe('chosen');
    expect(chosen.manifest.collectors.map((c) => c.name)).toEqual(['envy2']);

    const out2 = join(root, 'o2');
    const r = await runCli(['--no-config', '-q', '-o', out2, '--only', 'envy'], { cwd: root });
    // Without the file there is no collector named envy: proof that nothing of the file was used.
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toMatch(/unknown collector "envy"/);
  });

  it('a --config file that does not exist is exit 2 with one line naming it', async () => {
    const root = await tempDir('cb-cfg-');
    const r = await runCli(['--config', 'missing.yaml'], { cwd: root });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toBe(
      `collect-bundle: config file ${join(root, 'missing.yaml')} does not exist: fix the --config path, or use --no-config to run without one\n`,
    );
  });
});

describe('precedence: config file < environment < flags, read back from the manifest', () => {
  it('takes label, timeout and the output folder from the highest layer that sets them', async () => {
    const root = await tempDir('cb-cfg-');
    await writeFile(join(root, 'collect-bundle.config.json'), JSON.stringify({ ...QUICK, label: 'file', timeout: '45s', outputDir: 'out-file' }));

    const fileOnly = await collect(root, join(root, 'out-file'), []);
    expect(fileOnly.manifest.options).toMatchObject({ label: 'file', timeoutSec: 45, outputDir: join(root, 'out-file') });

    const env = { COLLECT_BUNDLE_LABEL: 'env', COLLECT_BUNDLE_TIMEOUT: '30', COLLECT_BUNDLE_OUTPUT_DIR: join(root, 'out-env') };
    const withEnv = await collect(root, join(root, 'out-env'), [], env);
    expect(withEnv.manifest.options).toMatchObject({ label: 'env', timeoutSec: 30, outputDir: join(root, 'out-env') });

    const withFlags = await collect(root, join(root, 'out-flag'), ['--label', 'flag', '--timeout', '20', '-o', join(root, 'out-flag')], env);
    expect(withFlags.manifest.options).toMatchObject({ label: 'flag', timeoutSec: 20, outputDir: join(root, 'out-flag') });
    // Each layer is recorded as what it was: the config file is still the one in use.
    expect(withFlags.manifest.options.config).toBe(join(root, 'collect-bundle.config.json'));
  });

  it("a config rule with an id redacts, and a flag's pattern adds to it", async () => {
    const root = await tempDir('cb-cfg-');
    const acme = `acme_${'Q7'.repeat(16)}`;
    await writeFile(
      join(root, 'collect-bundle.config.json'),
      JSON.stringify({
        custom: [{ type: 'env', name: 'envy', include: ['ACME_*', 'FLAGGED'] }],
        only: ['envy'],
        outputDir: 'out',
        redaction: { rules: [{ id: 'acme-token', pattern: 'acme_[A-Za-z0-9]{32}' }] },
      }),
    );
    const { entries, manifest } = await collect(root, join(root, 'out'), ['--redact-pattern', 'flagged-[0-9]{6}'], {
      ACME_VALUE: acme,
      FLAGGED: 'flagged-123456',
    });
    expect(manifest.redaction.customRules).toEqual(['acme-token', 'custom-2']);
    for (const [, e] of entries) {
      expect(e.data.includes(acme)).toBe(false);
      expect(e.data.includes('flagged-123456')).toBe(false);
    }
  });
});

describe('other commands', () => {
  it("redact uses the file's rules; inspect, which takes no config option, never reads the file", async () => {
    const root = await tempDir('cb-cfg-');
    await writeFile(
      join(root, 'collect-bundle.config.json'),
      JSON.stringify({ json: true, redaction: { rules: [{ id: 'zz-token', pattern: 'zz_[0-9]{6}' }] } }),
    );
    await writeFile(join(root, 'app.log'), 'before zz_123456 after\n');
    const redacted = await runCli(['redact', 'app.log'], { cwd: root });
    expect(redacted.code, describeRun(redacted)).toBe(0);
    expect(redacted.stdout).toMatch(/^before \[REDACTED:zz-token:[0-9a-f]+\] after\n$/);

    await writeFile(join(root, 'collect-bundle.config.json'), '{ broken');
    const inspect = await runCli(['inspect', join(root, 'none.tar.gz')], { cwd: root });
    expect(inspect.stderr).not.toContain('collect-bundle.config.json');
    const redactBroken = await runCli(['redact', 'app.log'], { cwd: root });
    expect(redactBroken.code, describeRun(redactBroken)).toBe(2);
    expect(redactBroken.stderr).toBe(`collect-bundle: ${join(root, 'collect-bundle.config.json')}:1:3: JSON syntax error: Expected property name or '}'\n`);
  });
});

describe('plugins from a config file', () => {
  it('loads a plugin relative to the config file and passes it its collectors.<name> options', async () => {
    const root = await tempDir('cb-cfg-');
    await mkdir(join(root, 'ops'));
    await writeFile(
      join(root, 'ops', 'tiny.mjs'),
      "export default { name: 'tiny', description: 'a test plugin', defaultEnabled: true, defaults: { greeting: 'hello' }, async *collect(ctx) { yield { kind: 'fact', key: 'tiny.greeting', value: ctx.options.greeting }; } };\n",
    );
    await writeFile(
      join(root, 'ops', 'collect-bundle.config.json'),
      JSON.stringify({ outputDir: 'out', only: ['tiny'], plugins: ['./tiny.mjs'], collectors: { tiny: { greeting: 'from-config' } } }),
    );
    const { manifest } = await collect(root, join(root, 'ops', 'out'), ['--config', 'ops/collect-bundle.config.json']);
    expect(manifest.collectors.map((c) => [c.name, c.status])).toEqual([['tiny', 'ok']]);
    expect(manifest.environment['tiny.greeting']).toBe('from-config');
  });
});

describe('errors in a config file', () => {
  it('exit 2, one line per problem, each naming the file and the key path', async () => {
    const root = await tempDir('cb-cfg-');
    const file = join(root, 'collect-bundle.config.json');
    await writeFile(file, JSON.stringify({ collectors: { docker: { tail: 'lots' } }, timeout: 'soon', bogus: 1 }));
    const r = await runCli([], { cwd: root });
    expect(r.code, describeRun(r)).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines).toContain(`collect-bundle: ${file}: collectors.docker.tail: expected a whole number ≥ 0 or "all", got "lots"`);
    expect(lines).toContain(`collect-bundle: ${file}: timeout: expected a positive number of seconds or a duration such as "30s", "5m" or "1h30m", got "soon"`);
    expect(lines.some((l) => l.startsWith(`collect-bundle: ${file}: bogus: unknown key; valid keys here: `))).toBe(true);
    expect(await readdir(root)).toEqual(['collect-bundle.config.json']); // no bundle, no partial file
  });

  it('a zero or too long timeout is exit 2 naming the file and key (config) or the flag, never an internal error', async () => {
    const root = await tempDir('cb-cfg-');
    await writeFile(join(root, 'collect-bundle.config.json'), JSON.stringify({ ...QUICK, timeout: '0s', deadline: '30d' }));
    const r = await runCli(['-o', root], { cwd: root });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toBe(
      `collect-bundle: ${join(root, 'collect-bundle.config.json')}: timeout: expected a duration above zero, such as "30s", "5m" or "1h30m", got "0s"\n` +
        `collect-bundle: ${join(root, 'collect-bundle.config.json')}: deadline: expected at most 24 days ("24d"): longer timers overflow and would fire at once, got "30d"\n`,
    );
    const flag = await runCli(['--no-config', '--timeout', '2592000', '-o', root], { cwd: root });
    expect(flag.code, describeRun(flag)).toBe(2);
    expect(flag.stderr.split('\n')[0]).toBe('collect-bundle: --timeout must be at most 2147483 seconds (about 24 days), got "2592000"');
    expect((await readdir(root)).filter((f) => f.endsWith('.tar.gz'))).toEqual([]);
  });

  it('a YAML syntax error names the file, line and column', async () => {
    const root = await tempDir('cb-cfg-');
    await writeFile(join(root, '.collect-bundlerc.yml'), 'label: x\ncollectors:\n  docker:\n    tail: 5\n   since: 1h\n');
    const r = await runCli([], { cwd: root });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toBe(`collect-bundle: ${join(root, '.collect-bundlerc.yml')}:5:1: YAML syntax error: All mapping items must start at the same column\n`);
  });

  it('a bad COLLECT_BUNDLE_* value names the variable', async () => {
    const root = await tempDir('cb-cfg-');
    const r = await runCli(['--no-config'], { cwd: root, env: { COLLECT_BUNDLE_ALL_CONTAINERS: 'sometimes' } });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toBe('collect-bundle: COLLECT_BUNDLE_ALL_CONTAINERS: expected true or false, got "sometimes"\n');
  });
});

describe('collect-bundle config', () => {
  it('--print shows the file and where each option came from', async () => {
    const root = await tempDir('cb-cfg-');
    const file = join(root, 'collect-bundle.config.yaml');
    await writeFile(file, 'label: file\ntimeout: 45\ncollectors:\n  docker:\n    tail: 7\n');
    const r = await runCli(['config', '--print'], { cwd: root, env: { COLLECT_BUNDLE_TIMEOUT: '30' } });
    expect(r.code, describeRun(r)).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.file).toBe(file);
    expect(doc.options.label).toEqual({ value: 'file', from: 'config file' });
    expect(doc.options.timeout).toEqual({ value: 30, from: 'COLLECT_BUNDLE_TIMEOUT' });
    expect(doc.options.tail).toEqual({ value: '7', from: 'config file' });
    expect(doc.options.concurrency).toEqual({ value: 4, from: 'default' });
    expect(doc.config).toEqual({ label: 'file', timeout: 45, collectors: { docker: { tail: 7 } } });

    const none = await runCli(['--no-config', 'config', '--print'], { cwd: root });
    expect(none.code, describeRun(none)).toBe(0);
    expect(JSON.parse(none.stdout).file).toBe('ignored (--no-config)');
  });

  it('--print and --list-collectors never show a secret the config holds', async () => {
    const root = await tempDir('cb-cfg-');
    const secrets = ['lit-secret-7a7a7a', 'argv-secret-5b5b5b', 'env-secret-6c6c6c', 'url-secret-8d8d8d', 'hdr-secret-9e9e9e9e'];
    await writeFile(
      join(root, 'collect-bundle.config.json'),
      JSON.stringify({
        title: 'lit-secret-7a7a7a leaked into a title',
        redaction: { literals: ['lit-secret-7a7a7a'] },
        custom: [
          {
            type: 'command',
            name: 'dbq',
            argv: ['mysql', '--password=argv-secret-5b5b5b', '-e', 'select 1'],
            env: { DB_PASSWORD: 'env-secret-6c6c6c', MODE: 'fast' },
          },
          {
            type: 'http',
            name: 'hc',
            url: 'http://u:url-secret-8d8d8d@127.0.0.1:9/x',
            headers: { Authorization: 'Bearer hdr-secret-9e9e9e9e', 'X-Plain': 'plain' },
          },
        ],
      }),
    );
    const printed = await runCli(['config', '--print'], { cwd: root });
    expect(printed.code, describeRun(printed)).toBe(0);
    for (const secret of secrets) expect(printed.stdout).not.toContain(secret);
    const doc = JSON.parse(printed.stdout);
    expect(doc.config.custom[0].env).toEqual({ DB_PASSWORD: '<redacted>', MODE: '<redacted>' });
    expect(doc.config.custom[0].argv).toEqual(['mysql', '--password=<redacted>', '-e', 'select 1']);
    expect(doc.config.custom[1].headers).toEqual({ Authorization: '<redacted>', 'X-Plain': '<redacted>' });
    expect(doc.config.redaction.literals).toEqual(['<redacted>']);
    expect(doc.config.title).toMatch(/^\[REDACTED:[^\]]+\] leaked into a title$/);

    const listed = await runCli(['--list-collectors'], { cwd: root });
    expect(listed.code, describeRun(listed)).toBe(0);
    expect(listed.stdout).toMatch(/^dbq +on +custom command: mysql --password=<redacted> -e select 1$/m);
    for (const secret of secrets) expect(listed.stdout).not.toContain(secret);
  });

  it('--validate FILE: exit 0 when valid, 2 with the problems when not', async () => {
    const root = await tempDir('cb-cfg-');
    await writeFile(join(root, 'good.json'), JSON.stringify({ ...QUICK, collectors: { docker: { tail: 5 } } }));
    await writeFile(join(root, 'bad.json'), JSON.stringify({ custom: [{ type: 'env', name: 'docker' }] }));
    // A broken file that a search would find must not stop --validate of another one.
    await writeFile(join(root, 'collect-bundle.config.json'), '{ broken');
    const ok = await runCli(['config', '--validate', 'good.json'], { cwd: root });
    expect(ok.code, describeRun(ok)).toBe(0);
    expect(ok.stdout).toBe(`ok: ${join(root, 'good.json')} is a valid collect-bundle configuration\n`);
    const bad = await runCli(['config', '--validate', 'bad.json'], { cwd: root });
    expect(bad.code, describeRun(bad)).toBe(2);
    expect(bad.stderr).toBe(`collect-bundle: ${join(root, 'bad.json')}: custom[0].name: "docker" is the name of a built-in collector; choose another name\n`);
  });
});

const skipReason = dockerUnavailable && !process.env['CI'] ? `no test Docker engine: ${dockerUnavailable}` : undefined;

describe.skipIf(skipReason)('collectors.docker.tail from a config file, against the real engine', () => {
  const prefix = uniq('cb-cfg');
  const name = `${prefix}-fifty`;

  beforeAll(async () => {
    await docker(
      'run',
      '-d',
      '--name',
      name,
      '--network',
      'none',
      TEST_IMAGE,
      'sh',
      '-c',
      'i=1; while [ $i -le 50 ]; do echo "log line $i"; i=$((i+1)); done; sleep 3600',
    );
    await waitForLog(name, 'log line 50');
  }, 120_000);
  afterAll(async () => {
    await removeContainers(prefix);
  }, 120_000);

  it('keeps the last 5 of 50 lines', async () => {
    const root = await tempDir('cb-cfg-');
    await writeFile(
      join(root, 'collect-bundle.config.json'),
      JSON.stringify({ outputDir: 'out', only: ['docker'], collectors: { docker: { tail: 5, containers: [name] } } }),
    );
    const { manifest, entries } = await collect(root, join(root, 'out'), [], { DOCKER_HOST });
    expect(manifest.collectors.map((c) => [c.name, c.status])).toEqual([['docker', 'ok']]);
    const rel = [...entries.keys()].map((k) => k.split('/').slice(1).join('/')).find((k) => new RegExp(`^docker/[^/]+/containers/${name}/logs\\.txt$`).test(k));
    expect(rel, `logs.txt of ${name}; entries: ${[...entries.keys()].join(', ')}`).toBeDefined();
    const lines = fileText(entries, rel!).split('\n').filter(Boolean);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toContain('log line 46');
    expect(lines[4]).toContain('log line 50');
  }, 150_000);
});
