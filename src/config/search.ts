// Room: config (src/config/) — may import core, redaction, collectors (the rule: tests/architecture.test.ts).
/**
 * Finding and reading a configuration file: discovery (lilconfig's places, nearest folder first,
 * skipping files others could have written), the JSON/YAML/module loaders. Light on purpose: every
 * command that reads a config runs this, and zod, the schema and the collector registry load only when
 * a file was found (src/config/validate.ts).
 */
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Loader } from 'lilconfig';
import { errorMessage } from '../core/artifacts.js';
import { CliError } from '../core/errors.js';
import { type OpenInputOptions, openInput } from '../core/open-input.js';
import { ConfigError } from './errors.js';
import type { KnownCollector, LoadedConfig } from './schema.js';

export type { KnownCollector, LoadedConfig } from './schema.js';

/** The name lilconfig searches for, and the `package.json` key. */
export const CONFIG_NAME = 'collect-bundle';

/** Where a config is looked for in each directory, first match wins (then the parent directory). */
export const SEARCH_PLACES: readonly string[] = Object.freeze([
  'package.json',
  '.collect-bundlerc',
  '.collect-bundlerc.json',
  '.collect-bundlerc.yaml',
  '.collect-bundlerc.yml',
  'collect-bundle.config.json',
  'collect-bundle.config.yaml',
  'collect-bundle.config.yml',
  'collect-bundle.config.mjs',
  'collect-bundle.config.js',
  'collect-bundle.config.cjs',
  '.collect-bundlerc.mjs',
  '.collect-bundlerc.js',
  '.collect-bundlerc.cjs',
]);

export interface LoadConfigOptions {
  /** Use exactly this file (`--config`); a missing file is an error. */
  readonly file?: string;
  /** Where the search starts (default: the current directory). Also the base of a relative `file`. */
  readonly cwd?: string;
  /** The search stops after this folder (default: the home directory, as lilconfig does; else the root). */
  readonly stopDir?: string;
  /**
   * The built-in collectors (default: none checked): custom names must differ from theirs, and
   * `collectors.<name>` must name one of them (or a custom collector), with options from its defaults.
   */
  readonly builtins?: readonly KnownCollector[] | (() => Promise<readonly KnownCollector[]>);
  /** Told (one line) about a discovered file skipped as unsafe (default: process.emitWarning). */
  readonly warn?: (message: string) => void | Promise<void>;
}

/**
 * Why a file the search found must not be used, or undefined when it may. A config can run code
 * (a .mjs/.js file, plugins, custom commands), so one that someone else could have planted or changed
 * is skipped: not owned by the current user or root, writable by group or others, or in a
 * world-writable directory such as /tmp (root running from /tmp/x would otherwise run /tmp's file).
 * A file named with --config is always used: the user chose it.
 */
export async function unsafeConfigReason(file: string): Promise<string | undefined> {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined; // no POSIX owners (Windows)
  const st = await stat(file);
  const dir = await stat(dirname(file));
  if (st.uid !== uid && st.uid !== 0) return `it is owned by uid ${st.uid}, not by you (uid ${uid}) or root`;
  if (st.mode & 0o022) return `it is writable by ${st.mode & 0o002 ? 'every user' : 'its group'} (mode ${(st.mode & 0o777).toString(8)})`;
  if (dir.mode & 0o002) return `its folder ${dirname(file)} is writable by every user`;
  return undefined;
}

type Found = { filepath: string; config: unknown; isEmpty?: boolean } | null;

/** lilconfig's search (nearest folder first, SEARCH_PLACES in order), skipping files unsafeConfigReason refuses. */
async function searchConfig(cwd: string, stopDir: string, warn: (message: string) => void | Promise<void>): Promise<Found> {
  for (let dir = cwd; ; dir = dirname(dir)) {
    for (const place of SEARCH_PLACES) {
      const file = join(dir, place);
      try {
        if (!(await stat(file)).isFile()) continue;
      } catch {
        continue;
      }
      const isPackage = place === 'package.json';
      // A package.json is plain data: read it first, so one without our key is passed over quietly.
      const loaded = isPackage ? await readConfigFile(file) : undefined;
      if (isPackage && (loaded?.config === undefined || loaded.config === null)) continue;
      const unsafe = await unsafeConfigReason(file);
      if (unsafe) {
        await warn(
          `skipped the config file ${file}: ${unsafe}; a config can run commands, so only a safe one is used (fix: move it to a folder only you can write, chmod go-w it, or pass --config ${file})`,
        );
        continue;
      }
      const found = loaded ?? (await readConfigFile(file));
      if (!found || (found.isEmpty && !isPackage)) continue; // an empty file is passed over, as lilconfig's search does
      return found;
    }
    if (dir === stopDir || dirname(dir) === dir) return null;
  }
}

/**
 * Reads one configuration file as lilconfig's `load` would (the loader by extension, a package.json's
 * key, an empty file marked), from one descriptor opened without blocking and checked with fstat: a
 * file swapped for a FIFO after a check can never block the read (issue #18). A module is then
 * imported by its path, which Node reopens itself: only its fstat check is on the descriptor.
 */
async function readConfigFile(file: string, options: OpenInputOptions = {}): Promise<Found> {
  const handle = await openInput(file, options);
  let content: string;
  try {
    content = await handle.readFile({ encoding: 'utf8' });
  } finally {
    await handle.close();
  }
  const loader = LOADERS[(extname(file) || 'noExt') as keyof typeof LOADERS];
  if (!loader) throw new CliError(`config file ${file}: unknown extension ${extname(file)}: use .json, .yaml, .yml, .mjs, .js or .cjs`, 'E_CONFIG');
  if (basename(file) === 'package.json') {
    const pkg = (await loader(file, content)) as Record<string, unknown> | null;
    return { filepath: file, config: pkg && typeof pkg === 'object' ? pkg[CONFIG_NAME] : undefined };
  }
  if (content.trim() === '') return { filepath: file, config: undefined, isEmpty: true };
  return { filepath: file, config: await loader(file, content) };
}

/** Where the file's text is broken, as `file:line:column: message`. */
function syntaxError(file: string, format: string, line: number | undefined, col: number | undefined, message: string): ConfigError {
  return new ConfigError(`${file}${line ? `:${line}${col ? `:${col}` : ''}` : ''}`, [`${format} syntax error: ${message}`]);
}

const jsonLoader: Loader = (file, content) => {
  const text = content.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const msg = errorMessage(err);
    const pos = /at position (\d+)/.exec(msg);
    const lineCol = /\(line (\d+) column (\d+)\)/.exec(msg);
    if (lineCol) throw syntaxError(file, 'JSON', Number(lineCol[1]), Number(lineCol[2]), msg.replace(/\s*\(line \d+ column \d+\)/, ''));
    if (pos) {
      const before = text.slice(0, Number(pos[1]));
      const line = before.split('\n').length;
      throw syntaxError(file, 'JSON', line, Number(pos[1]) - before.lastIndexOf('\n'), msg.replace(/\s*in JSON at position \d+.*$/, ''));
    }
    throw syntaxError(file, 'JSON', undefined, undefined, msg);
  }
};

const yamlLoader: Loader = async (file, content) => {
  const { parseDocument, YAMLParseError } = await import('yaml');
  try {
    const doc = parseDocument(content);
    if (doc.errors[0]) throw doc.errors[0];
    // `!!js/function`, `!!python/object`: yaml only warns (a raw Node warning) and keeps the scalar, so
    // the config would validate with a value its author meant as something else. A config is plain data.
    const tag = doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
    if (tag) {
      const at = tag.linePos?.[0];
      const name = /Unresolved tag: (\S+)/.exec(tag.message)?.[1]?.replace(/^tag:yaml\.org,2002:/, '!!') ?? 'a tag';
      throw syntaxError(file, 'YAML', at?.line, at?.col, `unknown tag ${name}: a config is plain data (strings, numbers, lists, maps); remove the tag`);
    }
    return doc.toJS() as unknown;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    if (err instanceof YAMLParseError) {
      const at = err.linePos?.[0];
      throw syntaxError(file, 'YAML', at?.line, at?.col, errorMessage(err).replace(/ at line \d+, column \d+.*$/, ''));
    }
    throw syntaxError(file, 'YAML', undefined, undefined, errorMessage(err));
  }
};

const moduleLoader: Loader = async (file) => {
  try {
    const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
    return typeof mod.default === 'function' ? await (mod.default as () => unknown)() : mod.default;
  } catch (err) {
    throw new ConfigError(file, [`cannot load the module: ${errorMessage(err)}`]);
  }
};

const LOADERS = {
  '.json': jsonLoader,
  '.yaml': yamlLoader,
  '.yml': yamlLoader,
  '.mjs': moduleLoader,
  '.js': moduleLoader,
  '.cjs': moduleLoader,
  noExt: yamlLoader,
} as const;

/**
 * Finds (or reads the named) configuration file, validates it and returns it frozen, with relative
 * paths resolved against its folder. Undefined when a search found nothing. Throws ConfigError
 * (exit 2) naming the file, the key path and what was expected, one line per problem.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig | undefined> {
  const cwd = resolve(options.cwd ?? process.cwd());
  let found: { filepath: string; config: unknown; isEmpty?: boolean } | null;
  try {
    if (options.file !== undefined) {
      const file = resolve(cwd, options.file);
      found = await readConfigFile(file, { what: 'config file', hint: 'name a configuration file (JSON, YAML or a module), or use --no-config' }).catch(
        (err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT')
            throw new CliError(`config file ${file} does not exist: fix the --config path, or use --no-config to run without one`, 'E_CONFIG');
          if (err.code === 'EISDIR')
            throw new CliError(`config file ${file} is a directory: name a file such as ${file}/collect-bundle.config.json`, 'E_CONFIG');
          throw err;
        },
      );
      if (found && /(^|[\\/])package\.json$/.test(file) && (found.config === undefined || found.config === null)) {
        throw new CliError(`${file} has no "${CONFIG_NAME}" key: add one, or name a collect-bundle.config.json with --config`, 'E_CONFIG');
      }
    } else {
      const warn = options.warn ?? ((message: string) => process.emitWarning(message, { code: 'COLLECT_BUNDLE_CONFIG_SKIPPED' }));
      found = await searchConfig(cwd, resolve(options.stopDir ?? homedir()), warn);
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`cannot read the configuration: ${errorMessage(err)}`, 'E_CONFIG', { cause: err });
  }
  if (!found) return undefined;
  // Loaded only now, when there is a file to check against them (the CLI passes a lazy import).
  const builtins = typeof options.builtins === 'function' ? await options.builtins() : options.builtins;
  const { validateConfig } = await import('./validate.js');
  return validateConfig(found.isEmpty ? {} : (found.config ?? {}), found.filepath, builtins);
}
