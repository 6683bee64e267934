/**
 * Collector options are declared once, in each collector (src/core/options.ts), and everything else is
 * generated from those declarations. Proved on the registry itself, with no hand-written list: every
 * declared option of every built-in collector is accepted from a flag, from the environment and from a
 * config file, and reaches that collector's `ctx.options` with the same value; and the generated flag
 * table, docs/collectors.md tables and JSON Schema are what the declarations generate now.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { builtinCollectors } from '../../collectors/index.js';
import { COLLECTOR_FLAGS } from '../../src/cli/collector-flags.js';
import { main } from '../../src/cli/main.js';
import { BUILTIN_OPTION_SPECS, collectorFlagsSource, collectorListMarkdown, configFlagValues, withOptionTables } from '../../src/config/collector-options.js';
import { declaredCollectFlags, withCollectOptionsTable } from '../../src/cli/options-doc.js';
import type { CollectOptions } from '../../src/config/options.js';
import { validateConfig } from '../../src/config/validate.js';
import { parseOptionValue, type OptionSpec } from '../../src/core/options.js';
import type { Collector } from '../../src/core/types.js';
import { runCollectors } from '../../src/run/runner.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What the CLI hands the run: captured instead of collecting (the run itself is tested elsewhere). */
let captured: CollectOptions | undefined;
vi.mock('../../src/run/collect.js', () => ({
  collectBundle: async (options: CollectOptions) => {
    captured = options;
    throw new Error('captured');
  },
}));

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/**
 * A valid value for an option that differs from its default, found by trying a few candidates against
 * the option's own schema (so a new option needs no entry here). `raw` is what a user types.
 */
function sample(spec: OptionSpec): { raw: string | string[] | boolean | number; value: unknown } {
  const tries: Array<string | string[] | boolean | number> =
    spec.type === 'boolean'
      ? [!spec.default]
      : spec.type === 'number'
        ? [7, 3]
        : spec.type === 'array'
          ? [['/srv/sample-a', '/srv/sample-b']]
          : spec.path
            ? ['/srv/sample']
            : ['7', '6h', '3d', 'sample-value', 'production'];
  for (const raw of tries) {
    let value: unknown;
    try {
      value = parseOptionValue(spec, raw);
    } catch {
      continue;
    }
    if (JSON.stringify(value) !== JSON.stringify(spec.default)) return { raw, value };
  }
  throw new Error(`no sample value for ${spec.configKey}: add a candidate to sample()`);
}

const SPECS = BUILTIN_OPTION_SPECS;
const SAMPLES = new Map(SPECS.map((s) => [s, sample(s)]));

async function cli(args: string[], env: Record<string, string>): Promise<CollectOptions> {
  captured = undefined;
  const err = new PassThrough();
  let text = '';
  err.on('data', (c) => (text += String(c)));
  await main(args, { stdout: new PassThrough(), stderr: err, env, signal: new AbortController().signal });
  if (!captured) throw new Error(`the CLI did not reach the run: ${text}`);
  return captured;
}

/** Each collector's ctx.options in a real runner, given the collect options the CLI built (the collectors' own code does not run). */
async function contexts(options: CollectOptions): Promise<Map<string, Readonly<Record<string, unknown>>>> {
  const seen = new Map<string, Readonly<Record<string, unknown>>>();
  const probes: Collector[] = builtinCollectors.map((c) => ({
    name: c.name,
    description: c.description,
    defaultEnabled: true,
    defaults: c.defaults,
    // biome-ignore lint/correctness/useYield: a probe collector that yields nothing; it only records the options it was given
    async *collect(ctx) {
      seen.set(c.name, ctx.options as Readonly<Record<string, unknown>>);
    },
  }));
  await runCollectors(
    {
      collectors: probes,
      optionsFor: (n) => options.collectorOptions?.[n] ?? {},
      concurrency: 2,
      timeoutMs: 10_000,
      signal: new AbortController().signal,
      deps: {} as never,
    },
    { write: async () => ({ kind: 'problem', item: 'x', reason: 'unused' }) },
  );
  return seen;
}

describe('every declared collector option, from each layer, reaches ctx.options', () => {
  it('declares options for the built-ins (the registry is what the test iterates)', () => {
    const names = new Set(SPECS.map((s) => s.collector));
    for (const name of ['system', 'docker', 'django', 'cloudrun', 'compose']) expect(names).toContain(name);
    expect(SPECS.length).toBeGreaterThanOrEqual(20);
  });

  it('from a flag, from COLLECT_BUNDLE_* and from a config file, with the same value', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cb-options-'));
    dirs.push(dir);
    const base = ['-o', dir, '--no-analyze'];

    const flags: string[] = [];
    const env: Record<string, string> = {};
    const collectors: Record<string, Record<string, unknown>> = {};
    for (const spec of SPECS) {
      const { raw, value } = SAMPLES.get(spec)!;
      if (typeof raw === 'boolean') flags.push(raw ? `--${spec.flag}` : `--no-${spec.flag}`);
      else for (const v of ([] as Array<string | number>).concat(raw)) flags.push(`--${spec.flag}`, String(v));
      env[spec.env] = Array.isArray(raw) ? raw.join(',') : String(raw);
      (collectors[spec.collector] ??= {})[spec.key] = value;
    }
    const file = join(dir, 'collect-bundle.config.json');
    await writeFile(file, JSON.stringify({ collectors }));

    const fromFlags = await contexts(await cli([...base, '--no-config', ...flags], {}));
    const fromEnv = await contexts(await cli([...base, '--no-config'], env));
    const fromFile = await contexts(await cli([...base, '--config', file], {}));
    for (const spec of SPECS) {
      const { value } = SAMPLES.get(spec)!;
      expect(fromFlags.get(spec.collector)?.[spec.key], `--${spec.flag}`).toEqual(value);
      expect(fromEnv.get(spec.collector)?.[spec.key], spec.env).toEqual(value);
      expect(fromFile.get(spec.collector)?.[spec.key], spec.configKey).toEqual(value);
    }
  });

  it('old spellings still work: collectors.django.dir and the flag it maps to', () => {
    const { config } = validateConfig({ collectors: { django: { dir: '/srv/app' } } }, '/etc/cb/c.json', builtinCollectors);
    expect(configFlagValues(config)).toMatchObject({ 'django-dir': '/srv/app' });
  });

  it('collectors.system.commandTimeoutMs and collectors.django.commandTimeoutMs validate (they were refused as unknown keys)', () => {
    const { config } = validateConfig(
      { collectors: { system: { commandTimeoutMs: 1000 }, django: { commandTimeoutMs: 2000 } } },
      '/etc/cb/c.json',
      builtinCollectors,
    );
    expect(config.collectors).toEqual({ system: { commandTimeoutMs: 1000 }, django: { commandTimeoutMs: 2000 } });
    expect(() => validateConfig({ collectors: { system: { commandTimeoutMs: 0 } } }, '/etc/cb/c.json', builtinCollectors)).toThrow(
      'collectors.system.commandTimeoutMs: expected a whole number ≥ 1, got 0',
    );
  });

  it('a bad value names the flag, whichever layer it came from', async () => {
    const tail = SPECS.find((s) => s.key === 'tail')!;
    expect(() => parseOptionValue(tail, 'lots')).toThrow('--tail must be a whole number of lines or "all", got "lots"');
    const err = new PassThrough();
    let text = '';
    err.on('data', (c) => (text += String(c)));
    const code = await main(['--no-config', '-o', tmpdir()], {
      stdout: new PassThrough(),
      stderr: err,
      env: { COLLECT_BUNDLE_DJANGO_COMMAND_TIMEOUT_MS: '0' },
      signal: new AbortController().signal,
    });
    expect(code).toBe(2);
    expect(text).toContain('--django-command-timeout-ms: expected a whole number ≥ 1, got 0');
  });
});

describe('generated from the declarations (run "npm run docs:options" and commit when these fail)', () => {
  it('src/cli/collector-flags.ts', async () => {
    expect(await readFile(join(ROOT, 'src', 'cli', 'collector-flags.ts'), 'utf8')).toBe(collectorFlagsSource());
    expect(COLLECTOR_FLAGS.map((f) => f.flag)).toEqual(SPECS.map((s) => s.flag));
  });

  it("docs/options.md's flag table is what the flag declarations generate, every collect flag in it", async () => {
    const doc = await readFile(join(ROOT, 'docs', 'options.md'), 'utf8');
    expect(doc).toContain('<!-- collect-options:start -->');
    expect(doc, 'docs/options.md is stale: run `npm run docs:options`').toBe(withCollectOptionsTable(doc));
    for (const f of declaredCollectFlags().filter((x) => x.name !== 'list-collectors')) expect(doc).toContain(`| \`--${f.name}\``);
    for (const spec of SPECS) expect(doc).toContain(`\`collectors.${spec.collector}.${spec.key}\``);
  });

  it("docs/collectors.md's collector list is the registry's", async () => {
    const doc = await readFile(join(ROOT, 'docs', 'collectors.md'), 'utf8');
    expect(doc).toContain(collectorListMarkdown());
    for (const c of builtinCollectors) expect(doc).toContain(`| \`${c.name}\` | ${c.defaultEnabled ? 'on' : 'off'} |`);
  });

  it("docs/collectors.md's collector option tables", async () => {
    const readme = await readFile(join(ROOT, 'docs', 'collectors.md'), 'utf8');
    expect(readme).toContain('<!-- collector-options:start -->');
    expect(readme).toBe(withOptionTables(readme));
    for (const spec of SPECS) expect(readme).toContain(`\`--${spec.flag}\``);
  });
});
