// Room: run (src/run/) — may import core, config, collectors, redaction, bundle, docker, report, analyzers (the rule: tests/architecture.test.ts).
/**
 * Plugins: modules whose default export is a Collector (or an array of them), written with
 * `defineCollector()` from the library entry. Each spec is a path (relative to `baseDir`, the config
 * file's folder) or an npm package name resolved from `baseDir`. A plugin that cannot be found, throws
 * while loading, has no default export, exports something that is not a collector, or reuses a name
 * already taken is reported as a failure (one line: the plugin and the error) and skipped: never fatal.
 * Plugin collectors write under their own name, like built-ins (`<name>/...` in the bundle). A plugin
 * whose top-level await never ends fails after `timeoutMs` (its pending work is abandoned, never waited
 * on); one that calls process.exit() while loading fails with that message (see exit-guard.ts, which the
 * caller holds).
 */
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { errorMessage } from '../core/artifacts.js';
import type { Collector } from '../core/types.js';
import { insideCollector } from './exit-guard.js';

/** A plugin that could not be used, and why (one line). */
export interface PluginFailure {
  readonly plugin: string;
  readonly error: string;
}

/** A plugin that loaded, and the collectors it added. */
export interface LoadedPlugin {
  readonly plugin: string;
  /** The resolved file it was imported from. */
  readonly file: string;
  readonly collectors: readonly string[];
}

export interface PluginLoadResult {
  readonly collectors: Collector[];
  readonly failures: PluginFailure[];
  readonly loaded: LoadedPlugin[];
}

export interface LoadPluginsOptions {
  /** Names already taken (built-ins, custom collectors): a plugin reusing one fails. */
  readonly reserved?: readonly string[];
  /** How long one plugin may take to load (top-level await); default 30 s. */
  readonly timeoutMs?: number;
  /** Ctrl-C: stop waiting for a plugin at once (it fails as interrupted; the rest are not loaded). */
  readonly signal?: AbortSignal;
}

const KEBAB = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
/** How long one plugin may take to load by default. */
export const LOAD_TIMEOUT_MS = 30_000;

/** Loads every plugin in order; never throws. */
export async function loadPlugins(specs: readonly string[], baseDir: string, options: LoadPluginsOptions = {}): Promise<PluginLoadResult> {
  const collectors: Collector[] = [];
  const failures: PluginFailure[] = [];
  const loaded: LoadedPlugin[] = [];
  const taken = new Map<string, string>((options.reserved ?? []).map((n) => [n, 'a built-in or configured collector']));
  for (const plugin of specs) {
    if (options.signal?.aborted) {
      failures.push({ plugin, error: 'not loaded: interrupted' });
      continue;
    }
    try {
      const file = await resolvePlugin(plugin, baseDir);
      const mod = unwrapCommonJs(
        await withTimeout(
          insideCollector(`plugin ${plugin}`, () => import(pathToFileURL(file).href) as Promise<{ default?: unknown }>),
          options.timeoutMs ?? LOAD_TIMEOUT_MS,
          plugin,
          options.signal,
        ),
      );
      if (mod.default === undefined) throw new Error('has no default export (fix: `export default defineCollector({ ... })`, or an array of collectors)');
      const exported = Array.isArray(mod.default) ? (mod.default as unknown[]) : [mod.default];
      if (exported.length === 0) throw new Error('its default export is an empty array: no collectors');
      const mine = exported.map((c, i) => validateCollector(c, exported.length > 1 ? i : undefined));
      const names = new Set<string>();
      for (const c of mine) {
        const owner = taken.get(c.name);
        if (owner) throw new Error(`collector name "${c.name}" is already used by ${owner} (fix: rename the plugin's collector)`);
        if (names.has(c.name)) throw new Error(`exports two collectors named "${c.name}"`);
        names.add(c.name);
      }
      for (const c of mine) taken.set(c.name, `plugin ${plugin}`);
      collectors.push(...mine);
      loaded.push({ plugin, file, collectors: mine.map((c) => c.name) });
    } catch (err) {
      failures.push({ plugin, error: errorMessage(err) });
    }
  }
  return { collectors, failures, loaded };
}

/**
 * A CommonJS build compiled from ESM (`exports.__esModule = true; exports.default = collector`) comes
 * through import() as `{ default: { __esModule, default: collector } }`: take the inner default.
 */
function unwrapCommonJs(mod: { default?: unknown }): { default?: unknown } {
  const d = mod.default as { __esModule?: unknown; default?: unknown } | undefined;
  if (d && typeof d === 'object' && d.__esModule === true && 'default' in d) return { default: d.default };
  return mod;
}

/** True when the spec names a file rather than an npm package. */
const isPathSpec = (spec: string): boolean =>
  spec.startsWith('.') || isAbsolute(spec) || spec.startsWith('file:') || (/\.(?:m|c)?js$/.test(spec) && !spec.startsWith('@'));

async function resolvePlugin(spec: string, baseDir: string): Promise<string> {
  if (isPathSpec(spec)) {
    const file = spec.startsWith('file:') ? new URL(spec).pathname : resolve(baseDir, spec);
    try {
      const st = await stat(file);
      if (!st.isFile()) throw new Error(`${file} is not a file`);
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') throw new Error(`no such file ${file} (fix: plugin paths are relative to ${baseDir})`);
      throw err;
    }
    return file;
  }
  // The "import" condition first, as import() would pick it: require.resolve takes a dual package's
  // CommonJS build (and cannot see an ESM-only one at all).
  const esm = await resolveEsmPackage(spec, baseDir);
  if (esm) return esm;
  try {
    return createRequire(join(baseDir, 'noop.js')).resolve(spec);
  } catch {
    throw new Error(`cannot find package "${spec}" from ${baseDir} (fix: npm install ${spec} in that project, or give the plugin's path)`);
  }
}

/** Finds `node_modules/<name>` above `baseDir` and its ESM entry (exports "." import/default, else main). */
async function resolveEsmPackage(spec: string, baseDir: string): Promise<string | undefined> {
  const parts = spec.split('/');
  const nameLength = spec.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, nameLength).join('/');
  const subpath = parts.length > nameLength ? `./${parts.slice(nameLength).join('/')}` : '.';
  for (let dir = resolve(baseDir); ; dir = dirname(dir)) {
    const pkgDir = join(dir, 'node_modules', name);
    let pkg: { exports?: unknown; main?: string } | undefined;
    try {
      pkg = JSON.parse(await readFile(join(pkgDir, 'package.json'), 'utf8')) as { exports?: unknown; main?: string };
    } catch {
      pkg = undefined;
    }
    if (pkg) {
      // An exports map without an import/node/default target (a "require"-only package): leave it to require.resolve.
      const fromExports = exportTarget(pkg.exports, subpath);
      if (pkg.exports !== undefined && pkg.exports !== null && fromExports === undefined) return undefined;
      const file = resolve(pkgDir, fromExports ?? (subpath === '.' ? (pkg.main ?? 'index.js') : subpath));
      return (await stat(file)
        .then((st) => st.isFile())
        .catch(() => false))
        ? file
        : undefined;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function exportTarget(exports: unknown, subpath: string): string | undefined {
  if (exports === undefined || exports === null) return undefined;
  if (typeof exports === 'string') return subpath === '.' ? exports : undefined;
  if (Array.isArray(exports)) return exports.map((e) => exportTarget(e, subpath)).find(Boolean);
  const map = exports as Record<string, unknown>;
  const keys = Object.keys(map);
  if (keys.some((k) => k.startsWith('.'))) return conditionTarget(map[subpath]);
  return subpath === '.' ? conditionTarget(map) : undefined;
}

function conditionTarget(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!value || typeof value !== 'object') return undefined;
  const map = value as Record<string, unknown>;
  for (const condition of ['import', 'node', 'default']) if (condition in map) return conditionTarget(map[condition]);
  return undefined;
}

/** Checks that an exported value is a usable Collector; throws one line naming the first flaw. */
function validateCollector(value: unknown, index: number | undefined): Collector {
  const where = index === undefined ? 'its default export' : `collector #${index + 1}`;
  if (!value || typeof value !== 'object')
    throw new Error(
      `${where} is ${value === null ? 'null' : typeof value}, not a collector (fix: export default defineCollector({ name, description, defaultEnabled, defaults, collect }))`,
    );
  const c = value as Record<string, unknown>;
  const label = typeof c['name'] === 'string' ? `${where} "${c['name']}"` : where;
  const fail = (what: string): never => {
    throw new Error(`${label}: ${what}`);
  };
  if (typeof c['name'] !== 'string' || !KEBAB.test(c['name']))
    fail(`"name" must be a kebab-case string (e.g. "queue-length"), got ${JSON.stringify(c['name'])}`);
  if (typeof c['description'] !== 'string' || !c['description'].trim()) fail('"description" must be a non-empty string');
  if (typeof c['defaultEnabled'] !== 'boolean') fail('"defaultEnabled" must be true or false');
  if (!c['defaults'] || typeof c['defaults'] !== 'object' || Array.isArray(c['defaults'])) fail('"defaults" must be an object (use {} for none)');
  if (typeof c['collect'] !== 'function') fail('"collect" must be a function (an async generator yielding outputs)');
  for (const hook of ['applies', 'secrets'] as const)
    if (c[hook] !== undefined && typeof c[hook] !== 'function') fail(`"${hook}" must be a function when given`);
  if (c['timeoutMs'] !== undefined && !(typeof c['timeoutMs'] === 'number' && c['timeoutMs'] > 0))
    fail('"timeoutMs" must be a positive number of milliseconds when given');
  if (c['folder'] !== undefined && (typeof c['folder'] !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*(?:\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/.test(c['folder']))) {
    fail('"folder" must be a relative path without ".." when given');
  }
  return value as Collector;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, plugin: string, signal?: AbortSignal): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        onAbort = () => reject(new Error('loading was interrupted'));
        signal?.addEventListener('abort', onAbort, { once: true });
        // Not unref'd: this timer is what ends the wait. A top-level await on a promise that never settles
        // leaves nothing else in the event loop, and Node would exit at once with code 13 and no bundle.
        timer = setTimeout(() => reject(new Error(`did not finish loading within ${ms / 1000}s (a top-level await in ${plugin} that never ends?)`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}
