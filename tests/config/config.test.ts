/**
 * Configuration files: discovery (every file name and format, package.json, the upward search),
 * validation errors (one line each, naming the file, the key path and what was expected), the frozen
 * result, the layers file < environment < flags, and the shipped JSON Schema being current.
 */
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinCollectors } from '../../collectors/index.js';
import {
  applyConfig,
  applyLayers,
  configFlagValues,
  configJsonSchemaText,
  configOf,
  ConfigError,
  loadConfig,
  mergeRedaction,
  SEARCH_PLACES,
  validateConfig,
  type FlagSpec,
  type YargsOptionsView,
} from '../../src/config/config.js';
import { setUpRedaction } from '../../src/config/redaction-plan.js';
import { collectorsFor, withConfig } from '../../src/config/registry.js';
import { CliError } from '../../src/core/errors.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dirs: string[] = [];
afterEach(async () => {
  while (dirs.length) await rm(dirs.pop()!, { recursive: true, force: true });
});

async function temp(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cb-config-'));
  dirs.push(dir);
  return dir;
}

/** Writes `files` below a fresh dir and loads from `cwd` (relative to it), never searching above it. */
async function load(files: Record<string, string>, options: { cwd?: string; file?: string } = {}) {
  const root = await temp();
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(root, name, '..'), { recursive: true });
    await writeFile(join(root, name), text);
  }
  const loaded = await loadConfig({
    cwd: join(root, options.cwd ?? '.'),
    stopDir: root,
    builtins: builtinCollectors,
    ...(options.file ? { file: options.file } : {}),
  });
  return { root, loaded };
}

/** The error lines a config produces (file prefix removed), or [] when it is valid. */
function problems(raw: unknown): string[] {
  try {
    validateConfig(raw, '/etc/cb/collect-bundle.config.json', builtinCollectors);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as CliError).exitCode).toBe(2);
    const lines = (err as Error).message.split('\n');
    for (const line of lines) expect(line.startsWith('/etc/cb/collect-bundle.config.json: ')).toBe(true);
    return lines.map((l) => l.slice('/etc/cb/collect-bundle.config.json: '.length));
  }
}

describe('discovery', () => {
  const formats: [string, string][] = [
    ['collect-bundle.config.json', '{ "label": "L" }'],
    ['collect-bundle.config.yaml', 'label: L\n'],
    ['collect-bundle.config.yml', 'label: L\n'],
    ['collect-bundle.config.mjs', 'export default { label: "L" };\n'],
    ['collect-bundle.config.js', 'module.exports = { label: "L" };\n'],
    ['.collect-bundlerc', 'label: L\n'],
    ['.collect-bundlerc.json', '{ "label": "L" }'],
    ['.collect-bundlerc.yaml', 'label: L\n'],
    ['.collect-bundlerc.yml', 'label: L\n'],
    ['collect-bundle.config.cjs', 'module.exports = { label: "L" };\n'],
    ['.collect-bundlerc.mjs', 'export default { label: "L" };\n'],
    ['.collect-bundlerc.js', 'module.exports = { label: "L" };\n'],
    ['.collect-bundlerc.cjs', 'module.exports = { label: "L" };\n'],
  ];
  for (const [name, text] of formats) {
    it(`finds and reads ${name}`, async () => {
      const { root, loaded } = await load({ [name]: text });
      expect(loaded?.file).toBe(join(root, name));
      expect(loaded?.config.label).toBe('L');
    });
  }

  it('searches every documented name', () => {
    expect([...SEARCH_PLACES].sort()).toEqual([...formats.map(([n]) => n), 'package.json'].sort());
  });

  it('reads the "collect-bundle" key of package.json and skips a package.json without it', async () => {
    const withKey = await load({ 'package.json': JSON.stringify({ name: 'site', 'collect-bundle': { label: 'pkg' } }) });
    expect(withKey.loaded?.file).toBe(join(withKey.root, 'package.json'));
    expect(withKey.loaded?.config.label).toBe('pkg');
    const without = await load({ 'package.json': JSON.stringify({ name: 'site' }), 'collect-bundle.config.yaml': 'label: file\n' });
    expect(without.loaded?.config.label).toBe('file');
  });

  it('searches from the current directory upwards and takes the nearest file', async () => {
    const { root, loaded } = await load({ 'a/collect-bundle.config.json': '{ "label": "outer" }', 'a/b/c/.keep': '' }, { cwd: 'a/b/c' });
    expect(loaded?.file).toBe(join(root, 'a', 'collect-bundle.config.json'));
    const nearer = await load(
      { 'a/collect-bundle.config.json': '{ "label": "outer" }', 'a/b/.collect-bundlerc.yml': 'label: inner\n', 'a/b/c/.keep': '' },
      { cwd: 'a/b/c' },
    );
    expect(nearer.loaded?.config.label).toBe('inner');
  });

  it('skips a file found in a world-writable folder (chmod 1777, like /tmp) without running it, with a one-line warning; --config still uses it', async () => {
    const root = await temp();
    const shared = join(root, 'shared');
    await mkdir(join(shared, 'work'), { recursive: true });
    const planted = join(shared, 'collect-bundle.config.mjs');
    await writeFile(planted, 'globalThis.__cbPlanted = true;\nexport default { label: "planted" };\n');
    await chmod(shared, 0o1777);
    const warnings: string[] = [];
    const loaded = await loadConfig({ cwd: join(shared, 'work'), stopDir: root, warn: (m) => warnings.push(m) });
    expect(loaded).toBeUndefined();
    expect((globalThis as { __cbPlanted?: boolean }).__cbPlanted).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`^skipped the config file ${planted}: its folder ${shared} is writable by every user; .*--config ${planted}\\)$`));
    expect(warnings[0]).not.toContain('\n');
    const chosen = await loadConfig({ file: planted, warn: (m) => warnings.push(m) });
    expect(chosen?.config.label).toBe('planted');
    expect(warnings).toHaveLength(1);
  });

  it('skips a group- or world-writable file and takes the next safe one further up', async () => {
    const root = await temp();
    await mkdir(join(root, 'a', 'b'), { recursive: true });
    await writeFile(join(root, 'a', 'collect-bundle.config.json'), '{ "label": "outer" }');
    await writeFile(join(root, 'a', 'b', 'collect-bundle.config.json'), '{ "label": "writable" }');
    await writeFile(join(root, 'a', 'b', '.collect-bundlerc.yml'), 'label: group-writable\n');
    await chmod(join(root, 'a', 'b', 'collect-bundle.config.json'), 0o666);
    await chmod(join(root, 'a', 'b', '.collect-bundlerc.yml'), 0o664);
    const warnings: string[] = [];
    const loaded = await loadConfig({ cwd: join(root, 'a', 'b'), stopDir: root, warn: (m) => warnings.push(m) });
    expect(loaded?.config.label).toBe('outer');
    expect(warnings).toEqual([
      expect.stringMatching(/\.collect-bundlerc\.yml: it is writable by its group \(mode 664\);/),
      expect.stringMatching(/collect-bundle\.config\.json: it is writable by every user \(mode 666\);/),
    ]);
  });

  it.skipIf(process.getuid?.() !== 0)('skips a file owned by another user (running as root)', async () => {
    const root = await temp();
    await writeFile(join(root, 'collect-bundle.config.json'), '{ "label": "theirs" }');
    await chown(join(root, 'collect-bundle.config.json'), 4242, 4242);
    const warnings: string[] = [];
    expect(await loadConfig({ cwd: root, stopDir: root, warn: (m) => warnings.push(m) })).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(/: it is owned by uid 4242, not by you \(uid 0\) or root;/)]);
  });

  it('finds nothing when no file exists up to the stop directory', async () => {
    const { loaded } = await load({ 'a/b/.keep': '' }, { cwd: 'a/b' });
    expect(loaded).toBeUndefined();
  });

  it('loads exactly the file --config names, relative to the current directory, whatever its name', async () => {
    const { root, loaded } = await load(
      { 'collect-bundle.config.json': '{ "label": "found" }', 'ops/site.yaml': 'label: chosen\n' },
      { file: 'ops/site.yaml' },
    );
    expect(loaded?.file).toBe(join(root, 'ops', 'site.yaml'));
    expect(loaded?.config.label).toBe('chosen');
  });

  it('refuses a --config file that does not exist, naming it and the fix', async () => {
    const root = await temp();
    const err = await loadConfig({ cwd: root, file: 'nope.json' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(2);
    expect((err as Error).message).toBe(`config file ${join(root, 'nope.json')} does not exist: fix the --config path, or use --no-config to run without one`);
  });

  it('refuses a package.json named with --config that has no "collect-bundle" key', async () => {
    const root = await temp();
    await writeFile(join(root, 'package.json'), '{"name":"x"}');
    await expect(loadConfig({ cwd: root, file: 'package.json' })).rejects.toThrow(/package\.json has no "collect-bundle" key/);
  });

  it("resolves relative paths against the config file's folder, leaving commands and names alone", async () => {
    const text = JSON.stringify({
      outputDir: 'bundles',
      docker: { tlscacert: 'certs/ca.pem' },
      collectors: { django: { dir: '../app', python: '.venv/bin/python' } },
      redaction: { keyFile: 'key', literalsFiles: ['secrets.txt', '/abs/s.txt'] },
    });
    const { root, loaded } = await load({ 'ops/collect-bundle.config.json': text, 'ops/x/.keep': '' }, { cwd: 'ops/x' });
    const c = loaded!.config;
    expect(loaded!.dir).toBe(join(root, 'ops'));
    expect(c.outputDir).toBe(join(root, 'ops', 'bundles'));
    expect(c.docker?.tlscacert).toBe(join(root, 'ops', 'certs', 'ca.pem'));
    expect(c.collectors?.django).toEqual({ dir: join(root, 'app'), python: join(root, 'ops', '.venv', 'bin', 'python') });
    expect(c.redaction?.keyFile).toBe(join(root, 'ops', 'key'));
    expect(c.redaction?.literalsFiles).toEqual([join(root, 'ops', 'secrets.txt'), '/abs/s.txt']);
    const cmd = validateConfig({ collectors: { django: { python: 'poetry run python' } } }, join(root, 'c.json'));
    expect(cmd.config.collectors?.django).toEqual({ python: 'poetry run python' });
    expect(validateConfig({ collectors: { django: { python: 'python3.12' } } }, join(root, 'c.json')).config.collectors?.django).toEqual({
      python: 'python3.12',
    });
  });

  it('treats an empty file named with --config as an empty configuration', async () => {
    const { loaded } = await load({ 'empty.yaml': '' }, { file: 'empty.yaml' });
    expect(loaded?.config).toEqual({});
  });
});

describe('the validated configuration', () => {
  it('is deeply frozen, with sizes in bytes and durations in seconds', () => {
    const { config } = validateConfig(
      {
        timeout: '1m30s',
        deadline: 600,
        collectors: { docker: { tail: 500, maxLogBytes: '5MiB', containers: ['web-*'] }, cloudrun: false },
        custom: [{ type: 'file', name: 'nginx', paths: ['/var/log/nginx/*.log'], maxBytes: '5MiB' }],
        redaction: { rules: [{ id: 'acme-token', pattern: 'acme_[A-Za-z0-9]{32}' }], allow: ['^ok$'] },
      },
      '/x/c.json',
      builtinCollectors,
    );
    expect(config.timeout).toBe(90);
    expect(config.deadline).toBe(600);
    expect(config.collectors?.docker).toEqual({ tail: 500, maxLogBytes: 5 * 1024 * 1024, containers: ['web-*'] });
    expect(config.custom?.[0]).toMatchObject({ name: 'nginx', maxBytes: 5 * 1024 * 1024 });
    for (const o of [
      config,
      config.collectors,
      config.collectors!.docker,
      (config.collectors!.docker as { containers: string[] }).containers,
      config.custom,
      config.custom![0],
      config.redaction!.rules,
      config.redaction!.rules![0],
    ]) {
      expect(Object.isFrozen(o)).toBe(true);
    }
    expect(() => {
      (config as { label?: string }).label = 'changed';
    }).toThrow(TypeError);
  });

  it('accepts the example config shipped in examples/', async () => {
    const text = await readFile(join(ROOT, 'examples', 'collect-bundle.config.json'), 'utf8');
    expect(problems(JSON.parse(text))).toEqual([]);
  });

  it('accepts the documented example as written', () => {
    const example = {
      collectors: { docker: { tail: 500 }, cloudrun: false },
      custom: [
        { type: 'command', name: 'celery-active', argv: ['celery', '-A', 'proj', 'inspect', 'active'], timeout: 30 },
        { type: 'file', name: 'nginx', paths: ['/var/log/nginx/*.log'], maxBytes: '5MiB' },
        { type: 'http', name: 'health', url: 'http://127.0.0.1:8000/healthz' },
      ],
      redaction: { rules: [{ id: 'acme-token', pattern: 'acme_[A-Za-z0-9]{32}' }], literals: [], allow: [] },
      plugins: ['./ops/queue-collector.mjs'],
    };
    expect(problems(example)).toEqual([]);
  });
});

describe('validation errors: one line per problem, naming the key path and what was expected', () => {
  it('a wrong type', () => {
    expect(problems({ concurrency: 'four' })).toEqual(['concurrency: expected a whole number ≥ 1, got "four"']);
    expect(problems({ only: 'docker' })).toEqual(['only: expected a list of collector names, got "docker"']);
    expect(problems({ collectors: { docker: { allContainers: 'yes' } } })).toEqual(['collectors.docker.allContainers: expected true or false, got "yes"']);
    expect(problems({ collectors: { docker: 7 } })).toEqual(['collectors.docker: expected true (enable), false (disable) or an object of options, got 7']);
  });

  it('bad analysis and cloudrun settings', () => {
    expect(problems({ failOn: 'fatal' })).toEqual(['failOn: expected "error" or "warning", got "fatal"']);
    expect(problems({ pendingThreshold: 'ages' })).toEqual(['pendingThreshold: expected a duration such as "15m" or "2h", got "ages"']);
    expect(problems({ collectors: { cloudrun: { project: '', regoin: 'x' } } })).toEqual([
      'collectors.cloudrun.project: expected a Google Cloud project id, got ""',
      'collectors.cloudrun.regoin: unknown key; valid keys here: project, region, gcloud, limit, failedExecutionLogs, logLimit, logFreshness, commandTimeoutMs',
    ]);
  });

  it('a bad tail', () => {
    expect(problems({ collectors: { docker: { tail: 'lots' } } })).toEqual(['collectors.docker.tail: expected a whole number ≥ 0 or "all", got "lots"']);
    expect(problems({ collectors: { docker: { tail: -1 } } })).toEqual(['collectors.docker.tail: expected a whole number ≥ 0 or "all", got -1']);
  });

  it('unknown keys, with the keys valid there', () => {
    const lines = problems({ outputdir: 'x', collectors: { docker: { tial: 5 } }, redaction: { rule: [] } });
    expect(lines).toContain(
      'collectors.docker.tial: unknown key; valid keys here: tail, since, maxLogBytes, containers, allContainers, logFiles, concurrency, executorHosts',
    );
    expect(lines).toContain(
      'redaction.rule: unknown key; valid keys here: keyFile, stableTokens, rules, literals, literalsFiles, secretKeys, allow, pseudonymize',
    );
    expect(lines.find((l) => l.startsWith('outputdir: unknown key; valid keys here: $schema, outputDir,'))).toBeDefined();
    expect(lines).toHaveLength(3);
  });

  it('bad size and duration strings', () => {
    expect(problems({ collectors: { docker: { maxLogBytes: '10 megs' } } })).toEqual([
      'collectors.docker.maxLogBytes: expected a size such as "10MiB", "512KiB", "1GB" or a whole number of bytes, got "10 megs"',
    ]);
    expect(problems({ timeout: '5 parsecs' })).toEqual([
      'timeout: expected a positive number of seconds or a duration such as "30s", "5m" or "1h30m", got "5 parsecs"',
    ]);
    expect(problems({ deadline: 0 })).toEqual(['deadline: expected a positive number of seconds or a duration such as "30s", "5m" or "1h30m", got 0']);
    expect(problems({ collectors: { docker: { since: 'yesterday' } } })).toEqual([
      'collectors.docker.since: expected a duration back from now ("24h", "7d") or an ISO time ("2026-11-27T10:00:00Z") that is not in the future, got "yesterday"',
    ]);
    const custom = problems({ custom: [{ type: 'file', name: 'nginx', paths: ['/x'], maxBytes: '5 lots' }] });
    expect(custom).toHaveLength(1);
    expect(custom[0]).toMatch(/^custom\[0\]\.maxBytes: "5 lots" is not a size/);
  });

  it('a zero duration, and one too long for a timer (it would fire at once): a proper problem, not a crash', () => {
    expect(problems({ timeout: '0s' })).toEqual(['timeout: expected a duration above zero, such as "30s", "5m" or "1h30m", got "0s"']);
    expect(problems({ deadline: '0m' })).toEqual(['deadline: expected a duration above zero, such as "30s", "5m" or "1h30m", got "0m"']);
    expect(problems({ deadline: '30d' })).toEqual(['deadline: expected at most 24 days ("24d"): longer timers overflow and would fire at once, got "30d"']);
    expect(problems({ timeout: 2_592_000 })).toEqual([
      'timeout: expected at most 2147483.647 seconds (24 days): longer timers overflow and would fire at once, got 2592000',
    ]);
    expect(problems({ timeout: '24d' })).toEqual([]);
    const custom = problems({
      custom: [
        { type: 'command', name: 'slow', argv: ['true'], timeout: '30d' },
        { type: 'http', name: 'hc', url: 'http://127.0.0.1:1/', timeout: '0s' },
      ],
    });
    expect(custom).toHaveLength(2);
    expect(custom[0]).toMatch(/^custom\[0\]\.timeout: expected a timeout of at most 24 days/);
    expect(custom[1]).toMatch(/^custom\[1\]\.timeout: "0s" is not a positive duration/);
  });

  it("accepts the options the docs name for compose and cloudrun, resolving compose paths against the config file's folder", () => {
    const loaded = validateConfig(
      { collectors: { compose: { projectDir: 'deploy', files: ['compose.prod.yaml'], projectName: 'site' }, cloudrun: { commandTimeoutMs: 120_000 } } },
      '/etc/cb/collect-bundle.config.json',
      builtinCollectors,
    );
    expect(loaded.config.collectors?.compose).toEqual({ projectDir: '/etc/cb/deploy', files: ['/etc/cb/deploy/compose.prod.yaml'], projectName: 'site' });
    expect(loaded.config.collectors?.cloudrun).toEqual({ commandTimeoutMs: 120_000 });
    expect(problems({ collectors: { compose: { projectdir: 'x' } } })).toEqual([
      'collectors.compose.projectdir: unknown key; valid keys here: projectDir, files, projectName',
    ]);
    expect(problems({ collectors: { cloudrun: { commandTimeoutMs: 0 } } })).toEqual([
      'collectors.cloudrun.commandTimeoutMs: expected a whole number ≥ 1, got 0',
    ]);
  });

  it("refuses options for a custom collector and true/false for a plugin's collector, which would be dropped silently", () => {
    expect(problems({ custom: [{ type: 'env', name: 'envy' }], collectors: { envy: { include: ['HOME'] } } })).toEqual([
      'collectors.envy: custom collector "envy" takes no options here (true or false only); set them in custom[0]',
    ]);
    expect(problems({ custom: [{ type: 'env', name: 'envy' }], collectors: { envy: false } })).toEqual([]);
    expect(problems({ plugins: ['./queue.mjs'], collectors: { 'queue-length': false, 'queue-age': true, 'queue-depth': { max: 3 } } })).toEqual([
      'collectors.queue-length: a plugin\'s collector takes an object of options here, not false; to leave it out use "skip" (or --skip queue-length)',
      'collectors.queue-age: a plugin\'s collector takes an object of options here, not true; to run only some collectors use "only" (or --only queue-age)',
    ]);
  });

  it('duplicate custom collector names', () => {
    expect(
      problems({
        custom: [
          { type: 'env', name: 'envy' },
          { type: 'env', name: 'envy' },
        ],
      }),
    ).toEqual(['custom[1].name: "envy" is already the name of custom[0]; names must be unique']);
  });

  it('a custom collector named like a built-in', () => {
    expect(problems({ custom: [{ type: 'env', name: 'docker' }] })).toEqual([
      'custom[0].name: "docker" is the name of a built-in collector; choose another name',
    ]);
  });

  it('an unknown collector, and an unknown option of a collector the schema does not describe', () => {
    const names = builtinCollectors.map((c) => c.name);
    expect(problems({ collectors: { dokcer: false } })).toEqual([
      `collectors.dokcer: unknown collector; valid: ${names.join(', ')} (or a plugin's, with "plugins")`,
    ]);
    // With plugins, a name may be a plugin's collector: only the loaded plugins can tell.
    expect(problems({ plugins: ['./ops/queue.mjs'], collectors: { 'celery-queue': { queues: ['celery'] } } })).toEqual([]);
    const other = builtinCollectors.find((c) => !['system', 'docker', 'django', 'cloudrun', 'compose'].includes(c.name) && Object.keys(c.defaults).length);
    if (other) {
      const lines = problems({ collectors: { [other.name]: { noSuchOption: 1 } } });
      expect(lines).toEqual([
        `collectors.${other.name}.noSuchOption: unknown option of the ${other.name} collector; valid: ${Object.keys(other.defaults).join(', ')}`,
      ]);
    }
    // A custom collector's name is known too.
    expect(problems({ custom: [{ type: 'env', name: 'envy' }], collectors: { envy: false } })).toEqual([]);
  });

  it('a bad regex in a rule or the allowlist, and a rule that matches empty text', () => {
    expect(problems({ redaction: { rules: [{ id: 'acme', pattern: 'acme_[' }] } })[0]).toMatch(
      /^redaction\.rules\[0\]\.pattern: invalid regex "acme_\[": .*Unterminated character class$/,
    );
    expect(problems({ redaction: { rules: ['(x'] } })[0]).toMatch(/^redaction\.rules\[0\]: invalid regex "\(x": /);
    expect(problems({ redaction: { rules: [{ pattern: 'a*' }] } })).toEqual([
      'redaction.rules[0].pattern: the regex "a*" matches empty text; it would redact nothing useful',
    ]);
    expect(problems({ redaction: { allow: ['+'] } })[0]).toMatch(/^redaction\.allow\[0\]: invalid regex "\+": /);
    expect(problems({ redaction: { rules: [{ id: 'Bad Id', pattern: 'x' }] } })).toEqual([
      'redaction.rules[0].id: expected a kebab-case rule id such as "acme-token", got "Bad Id"',
    ]);
  });

  it('a rule that matches (almost) every character: refused in a config and as --redact-pattern (exit 2), never a row of tags', async () => {
    expect(problems({ redaction: { rules: ['.', { pattern: '\\S' }, { pattern: 'token=(\\S+)' }] } })).toEqual([
      'redaction.rules[0]: the regex "." matches (almost) every character; it would redact all text',
      'redaction.rules[1].pattern: the regex "\\\\S" matches (almost) every character; it would redact all text',
    ]);
    for (const pattern of ['.', '[^x]', '[\\s\\S]']) {
      const err = (await setUpRedaction({ rules: [{ pattern }], ephemeralKey: true }, {}).catch((e: unknown) => e)) as CliError;
      expect(err, pattern).toBeInstanceOf(CliError);
      expect(err.exitCode).toBe(2);
      expect(err.message).toMatch(/^redaction rule custom-1: the regex .* matches \(almost\) every character, so it would redact all text: /);
      expect(err.message).not.toContain('[REDACTED:');
    }
    // A rule that only matches what it should is kept.
    await expect(setUpRedaction({ rules: [{ pattern: 'acme_[a-z0-9]{8}' }], ephemeralKey: true }, {})).resolves.toBeDefined();
  });

  it('never repeats a known secret it rejects', () => {
    const lines = problems({ redaction: { literals: ['s3cr'] } });
    expect(lines).toEqual(['redaction.literals[0]: a known secret must be at least 6 characters long; use a rule for shorter ones']);
    expect(lines.join('\n')).not.toContain('s3cr');
  });

  it('a top level that is not an object', () => {
    expect(problems(['label'])).toEqual(['expected an object of settings at the top level, got a list']);
  });

  it('a YAML syntax error, with the line and column', async () => {
    const { root } = { root: await temp() };
    await writeFile(join(root, 'collect-bundle.config.yaml'), 'label: x\ncollectors:\n  docker:\n    tail: 5\n   since: 1h\n');
    const err = (await loadConfig({ cwd: root, stopDir: root }).catch((e: unknown) => e)) as CliError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(`${join(root, 'collect-bundle.config.yaml')}:5:1: YAML syntax error: All mapping items must start at the same column`);
  });

  it('an unknown YAML tag (!!js/function) is a config error with the line and column, not a warning and a valid config', async () => {
    const root = await temp();
    await writeFile(join(root, 'collect-bundle.config.yaml'), 'label: x\ntitle: !!js/function "function () { return 1 }"\n');
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.message);
    process.on('warning', onWarning);
    const err = (await loadConfig({ cwd: root, stopDir: root }).catch((e: unknown) => e)) as CliError;
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(
      `${join(root, 'collect-bundle.config.yaml')}:2:8: YAML syntax error: unknown tag !!js/function: a config is plain data (strings, numbers, lists, maps); remove the tag`,
    );
    expect(warnings).toEqual([]);
  });

  it('a JSON syntax error, with the line and column', async () => {
    const root = await temp();
    await writeFile(join(root, '.collect-bundlerc.json'), '{\n  "label": "x",\n}\n');
    const err = (await loadConfig({ cwd: root, stopDir: root }).catch((e: unknown) => e)) as CliError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(new RegExp(`^${join(root, '.collect-bundlerc.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:1: JSON syntax error: \\S`));
  });

  it('a module that throws on load', async () => {
    const root = await temp();
    await writeFile(join(root, 'collect-bundle.config.mjs'), 'throw new Error("boom in config");\n');
    const err = (await loadConfig({ cwd: root, stopDir: root }).catch((e: unknown) => e)) as CliError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe(`${join(root, 'collect-bundle.config.mjs')}: cannot load the module: boom in config`);
  });
});

describe('layers: config file < environment < flags', () => {
  const flags: FlagSpec[] = [
    { name: 'output-dir', type: 'string', aliases: ['o'] },
    { name: 'timeout', type: 'number', aliases: [] },
    { name: 'tls', type: 'boolean', aliases: [] },
    { name: 'only', type: 'array', aliases: [] },
  ];

  it('maps every file setting that has a flag to that flag', () => {
    const { config } = validateConfig(
      {
        envFiles: ['.env'],
        failOn: 'warning',
        pendingThreshold: '30m',
        issueOnly: true,
        analyze: false,
        collectors: { cloudrun: { project: 'p1', region: 'europe-west1', limit: 3 }, docker: { tail: 'all', maxLogBytes: '1KiB', since: '6h' } },
      },
      '/srv/app/c.json',
    );
    expect(configFlagValues(config)).toEqual({
      'env-file': ['/srv/app/.env'],
      'fail-on': 'warning',
      'pending-threshold': '30m',
      'issue-only': true,
      analyze: false,
      'gcloud-project': 'p1',
      'gcloud-region': 'europe-west1',
      // Every collector option has a flag now (it had none before #15): collectors.cloudrun.limit is --cloudrun-limit.
      'cloudrun-limit': 3,
      tail: 'all',
      'max-log-bytes': '1024',
      since: '6h',
    });
  });

  it('takes each option from the highest layer that has it', () => {
    const file = configFlagValues(validateConfig({ outputDir: '/from/file', timeout: 10, docker: { tls: true }, only: ['system'] }, '/c/x.json').config);
    const env = { COLLECT_BUNDLE_OUTPUT_DIR: '/from/env', COLLECT_BUNDLE_TIMEOUT: '20' };
    // Only the timeout was given as a flag; output-dir has a default (given: false).
    const argv: Record<string, unknown> = { 'output-dir': '.', outputDir: '.', o: '.', timeout: 30 };
    const sources = applyLayers(argv, flags, (f) => f === 'timeout', file, env);
    expect(argv['timeout']).toBe(30);
    expect(argv['output-dir']).toBe('/from/env');
    expect(argv['outputDir']).toBe('/from/env');
    expect(argv['o']).toBe('/from/env');
    expect(argv['tls']).toBe(true);
    expect(argv['only']).toEqual(['system']);
    expect(sources).toEqual({
      timeout: { source: 'flag' },
      'output-dir': { source: 'environment', env: 'COLLECT_BUNDLE_OUTPUT_DIR' },
      tls: { source: 'config' },
      only: { source: 'config' },
    });
  });

  it("parses environment values by the flag's type and names the variable when one is wrong", () => {
    const argv: Record<string, unknown> = {};
    applyLayers(argv, flags, () => false, {}, { COLLECT_BUNDLE_TLS: 'false', COLLECT_BUNDLE_TIMEOUT: '2.5', COLLECT_BUNDLE_ONLY: 'system,docker' });
    expect(argv).toMatchObject({ tls: false, timeout: 2.5, only: ['system,docker'] });
    expect(() => applyLayers({}, flags, () => false, {}, { COLLECT_BUNDLE_TIMEOUT: 'soon' })).toThrow('COLLECT_BUNDLE_TIMEOUT: expected a number, got "soon"');
    expect(() => applyLayers({}, flags, () => false, {}, { COLLECT_BUNDLE_TLS: 'maybe' })).toThrow('COLLECT_BUNDLE_TLS: expected true or false, got "maybe"');
  });

  it('through yargs: a flag beats the environment, which beats the file, which beats the default', async () => {
    const root = await temp();
    await writeFile(join(root, 'collect-bundle.config.yaml'), 'label: file\ntimeout: 11\nconcurrency: 3\noutputDir: out\n');
    const run = async (args: string[], env: Record<string, string>) => {
      let seen: Record<string, unknown> = {};
      await yargs(args)
        .option('config', { type: 'string' })
        .option('label', { type: 'string' })
        .option('timeout', { type: 'number' })
        .option('concurrency', { type: 'number', default: 4 })
        .option('output-dir', { alias: 'o', type: 'string', default: '.' })
        .option('quiet', { type: 'boolean', default: false })
        .middleware(((argv: Record<string, unknown>, y: YargsOptionsView) =>
          applyConfig(argv, y, {
            env,
            cwd: root,
            settable: new Set(['label', 'timeout', 'concurrency', 'output-dir', 'quiet']),
            builtins: builtinCollectors,
          }).then(() => {
            seen = argv;
          })) as never)
        .strict()
        .exitProcess(false)
        .parseAsync();
      return seen;
    };
    const fileOnly = await run([], {});
    expect(fileOnly).toMatchObject({ label: 'file', timeout: 11, concurrency: 3, 'output-dir': join(root, 'out'), o: join(root, 'out'), quiet: false });
    expect(configOf(fileOnly)?.file).toBe(join(root, 'collect-bundle.config.yaml'));
    const withEnv = await run([], { COLLECT_BUNDLE_LABEL: 'env', COLLECT_BUNDLE_CONCURRENCY: '2' });
    expect(withEnv).toMatchObject({ label: 'env', timeout: 11, concurrency: 2 });
    const withFlags = await run(['--label', 'flag', '-o', 'cli-out', '--concurrency', '4'], { COLLECT_BUNDLE_LABEL: 'env', COLLECT_BUNDLE_CONCURRENCY: '2' });
    expect(withFlags).toMatchObject({ label: 'flag', timeout: 11, concurrency: 4, 'output-dir': 'cli-out' });
    const noConfig = await run(['--no-config'], { COLLECT_BUNDLE_LABEL: 'env' });
    expect(noConfig).toMatchObject({ label: 'env', concurrency: 4, 'output-dir': '.' });
    expect(noConfig['timeout']).toBeUndefined();
    expect(configOf(noConfig)).toBeUndefined();
  });

  it("adds the config's redaction lists to the flags' instead of replacing them", () => {
    const { config } = validateConfig(
      {
        redaction: {
          rules: ['tok_[a-z]{8}', { id: 'acme-token', pattern: 'acme_[A-Za-z0-9]{32}' }],
          literals: ['longsecret-1'],
          allow: ['^ok$'],
          secretKeys: ['ACME_CODE'],
        },
      },
      '/c/x.json',
    );
    const merged = mergeRedaction(config, { rules: [{ pattern: 'flag_[0-9]+' }], allow: ['^fine$'], secretKeys: [], literalFiles: [] });
    expect(merged.rules).toEqual([{ pattern: 'tok_[a-z]{8}' }, { id: 'acme-token', pattern: 'acme_[A-Za-z0-9]{32}' }, { pattern: 'flag_[0-9]+' }]);
    expect(merged.allow).toEqual(['^ok$', '^fine$']);
    expect(merged.literals).toEqual(['longsecret-1']);
    expect(merged.secretKeys).toEqual(['ACME_CODE']);
  });
});

describe('collectors from a config', () => {
  it('enables, disables and adds collectors; --only and --skip still decide last', async () => {
    const root = await temp();
    const loaded = validateConfig(
      { collectors: { docker: false, django: { failedJobs: 5 } }, custom: [{ type: 'env', name: 'envy' }] },
      join(root, 'c.json'),
      builtinCollectors,
    );
    const registry = collectorsFor(loaded, builtinCollectors);
    const byName = new Map(registry.map((c) => [c.name, c]));
    expect(byName.get('docker')?.defaultEnabled).toBe(false);
    expect(byName.get('django')?.defaultEnabled).toBe(true);
    expect(byName.get('envy')?.folder).toBe('custom/envy');
    // The built-in itself is untouched; the copy keeps its methods.
    expect(builtinCollectors.find((c) => c.name === 'docker')?.defaultEnabled).toBe(true);
    expect(typeof byName.get('docker')?.collect).toBe('function');

    const options = withConfig(loaded, { outputDir: root, collectorOptions: { django: { settings: 'app.settings' } } }, builtinCollectors);
    expect(options.configFile).toBe(join(root, 'c.json'));
    expect(options.plugins).toBeUndefined();
    const withPlugins = withConfig(
      validateConfig({ plugins: ['./ops/q.mjs', 'some-package'] }, join(root, 'ops', 'c.json')),
      { outputDir: root },
      builtinCollectors,
    );
    expect(withPlugins).toMatchObject({ plugins: ['./ops/q.mjs', 'some-package'], pluginBaseDir: join(root, 'ops') });
    expect(options.collectorOptions?.['django']).toEqual({ failedJobs: 5, settings: 'app.settings' });
    expect(options.collectors?.map((c) => c.name)).toEqual(registry.map((c) => c.name));
  });

  it('an off-by-default collector set to true or given options is enabled', () => {
    const off = builtinCollectors.find((c) => !c.defaultEnabled);
    if (!off) return; // every built-in is on by default in this build
    const loaded = validateConfig({ collectors: { [off.name]: true } }, '/c/x.json', builtinCollectors);
    expect(collectorsFor(loaded, builtinCollectors).find((c) => c.name === off.name)?.defaultEnabled).toBe(true);
  });
});

describe('schema/collect-bundle.schema.json', () => {
  it('is what the zod schema generates (run "npm run schema" and commit the file when this fails)', async () => {
    const shipped = await readFile(join(ROOT, 'schema', 'collect-bundle.schema.json'), 'utf8');
    expect(shipped).toBe(configJsonSchemaText());
  });

  it('is shipped in the package, written by "npm run schema" only: the build (run by npm test) never rewrites it', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { files: string[]; scripts: Record<string, string> };
    expect(pkg.files).toContain('schema');
    expect(pkg.scripts['schema']).toContain('scripts/gen-schema.mjs');
    // If the build wrote the file, the freshness test above could never fail under `npm test`.
    expect(pkg.scripts['build']).not.toContain('gen-schema');
    expect(pkg.scripts['test']).not.toContain('gen-schema');
  });

  it('describes the documented keys and refuses unknown ones', () => {
    const schema = JSON.parse(configJsonSchemaText()) as { properties: Record<string, unknown>; additionalProperties: boolean };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['collectors', 'custom', 'redaction', 'plugins', 'outputDir', 'timeout', 'docker']));
    expect(schema.additionalProperties).toBe(false);
  });
});
