// Room: config (src/config/) — may import core, redaction, collectors (the rule: tests/architecture.test.ts).
/**
 * Validating a configuration object: the schema (src/config/schema.ts), then the names (custom
 * collectors unique, `collectors.<name>` known), relative paths resolved against the file's folder,
 * and the result deeply frozen. Problems become one line each, naming the key path and what was expected.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import type { z } from 'zod';
import { got, show } from '../core/validators.js';
import { BUILTIN_OPTION_SPECS } from './collector-options.js';
import { ConfigError, keyPath, SECRET_PATHS } from './errors.js';
import { configJsonSchema, configSchema, type Config, type KnownCollector, type LoadedConfig } from './schema.js';

/** Validates a configuration object as read from `file`; relative paths resolve against the file's folder. */
export function validateConfig(raw: unknown, file: string, builtins: readonly KnownCollector[] = []): LoadedConfig {
  const dir = dirname(file);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError(file, [`expected an object of settings at the top level, got ${show(raw)}`]);
  const parsed = configSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new ConfigError(file, describeIssues(parsed.error.issues));
  const problems = checkNames(parsed.data, builtins);
  if (problems.length) throw new ConfigError(file, problems);
  return deepFreeze({ file, dir, config: resolvePaths(parsed.data, dir) });
}

/**
 * Custom collector names are unique and differ from the built-ins; `collectors.<name>` names a known
 * collector, and options of a collector the schema does not describe match its defaults' keys and types.
 */
function checkNames(config: Config, builtins: readonly KnownCollector[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const byName = new Map(builtins.map((c) => [c.name, c]));
  for (const [i, spec] of (config.custom ?? []).entries()) {
    const name = String(spec.name);
    if (byName.has(name)) problems.push(`${keyPath(['custom', i, 'name'])}: "${name}" is the name of a built-in collector; choose another name`);
    else if (seen.has(name))
      problems.push(`${keyPath(['custom', i, 'name'])}: "${name}" is already the name of custom[${seen.get(name)}]; names must be unique`);
    else seen.set(name, i);
  }
  if (!byName.size) return problems;
  const known = [...byName.keys(), ...seen.keys()];
  for (const [name, value] of Object.entries(config.collectors ?? {})) {
    const at = keyPath(['collectors', name]);
    if (seen.has(name) && typeof value === 'object' && value !== null) {
      // A custom collector's settings live in its spec; options here would be silently dropped.
      problems.push(`${at}: custom collector "${name}" takes no options here (true or false only); set them in custom[${seen.get(name)}]`);
      continue;
    }
    if (!known.includes(name)) {
      // A plugin's collector is known only once the plugins load (collectBundle reports those).
      if (!config.plugins?.length) problems.push(`${at}: unknown collector; valid: ${known.join(', ')} (or a plugin's, with "plugins")`);
      else if (typeof value === 'boolean') {
        // Would be ignored: the toggles apply before the plugins load.
        problems.push(
          `${at}: a plugin's collector takes an object of options here, not ${value}; to ${value ? 'run only some collectors use "only"' : 'leave it out use "skip"'} (or --${value ? 'only' : 'skip'} ${name})`,
        );
      }
      continue;
    }
    const collector = byName.get(name);
    // A collector that declares its options is checked by the schema; one with only defaults (a plugin's, env-files) here.
    if (!collector || collector.options || typeof value !== 'object' || value === null) continue;
    const defaults = collector.defaults as Record<string, unknown>;
    const valid = Object.keys(defaults);
    for (const [key, v] of Object.entries(value)) {
      const at = keyPath(['collectors', name, key]);
      if (!Object.hasOwn(defaults, key))
        problems.push(`${at}: unknown option of the ${name} collector${valid.length ? `; valid: ${valid.join(', ')}` : ' (it takes none)'}`);
      else if (defaults[key] !== undefined && kind(defaults[key]) !== kind(v)) problems.push(`${at}: expected ${kind(defaults[key])}${got({ input: v })}`);
    }
  }
  return problems;
}

const kind = (v: unknown): string => (Array.isArray(v) ? 'a list' : v === null ? 'null' : typeof v === 'object' ? 'an object' : `a ${typeof v}`);

const resolveIn = (dir: string, p: string | undefined): string | undefined => (p === undefined ? undefined : resolve(dir, p));

/** An interpreter given as a relative path (`./.venv/bin/python`, `.venv/bin/python`) resolves; a name or command does not. */
function resolvePython(dir: string, python: string | undefined): string | undefined {
  if (python === undefined || isAbsolute(python) || /\s/.test(python) || !python.includes('/')) return python;
  return resolve(dir, python);
}

/** Relative paths in the config resolved against its folder: the run's own, and every collector option declared as a path. */
function resolvePaths(c: Config, dir: string): Config {
  const collectors = c.collectors as Record<string, unknown> | undefined;
  let resolvedCollectors: Record<string, unknown> | undefined;
  if (collectors) {
    resolvedCollectors = { ...collectors };
    for (const spec of BUILTIN_OPTION_SPECS) {
      if (!spec.path) continue;
      for (const key of [spec.key, ...spec.configAliases]) {
        const values = resolvedCollectors[spec.collector];
        if (typeof values !== 'object' || values === null) continue;
        const v = (values as Record<string, unknown>)[key];
        if (typeof v === 'string') resolvedCollectors[spec.collector] = { ...values, [key]: resolve(dir, v) };
      }
    }
    const django = resolvedCollectors['django'] as Record<string, unknown> | undefined;
    if (typeof django === 'object' && typeof django['python'] === 'string')
      resolvedCollectors['django'] = { ...django, python: resolvePython(dir, django['python']) };
    // Compose files are relative to the compose project folder (itself relative to the config file's).
    const compose = resolvedCollectors['compose'] as Record<string, unknown> | undefined;
    if (typeof compose === 'object' && Array.isArray(compose['files'])) {
      const base = typeof compose['projectDir'] === 'string' ? compose['projectDir'] : dir;
      resolvedCollectors['compose'] = { ...compose, files: (compose['files'] as string[]).map((f) => resolve(base, f)) };
    }
  }
  return {
    ...c,
    ...(c.outputDir !== undefined ? { outputDir: resolveIn(dir, c.outputDir)! } : {}),
    ...(c.envFiles ? { envFiles: c.envFiles.map((f) => resolve(dir, f)) } : {}),
    ...(c.docker
      ? {
          docker: {
            ...c.docker,
            ...(c.docker.tlscacert ? { tlscacert: resolveIn(dir, c.docker.tlscacert)! } : {}),
            ...(c.docker.tlscert ? { tlscert: resolveIn(dir, c.docker.tlscert)! } : {}),
            ...(c.docker.tlskey ? { tlskey: resolveIn(dir, c.docker.tlskey)! } : {}),
          },
        }
      : {}),
    ...(resolvedCollectors ? { collectors: resolvedCollectors as Config['collectors'] } : {}),
    ...(c.redaction
      ? {
          redaction: {
            ...c.redaction,
            ...(c.redaction.keyFile ? { keyFile: resolveIn(dir, c.redaction.keyFile)! } : {}),
            ...(c.redaction.literalsFiles ? { literalsFiles: c.redaction.literalsFiles.map((f) => resolve(dir, f)) } : {}),
          },
        }
      : {}),
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

type Issue = z.core.$ZodIssue;

/** One line per problem: `collectors.docker.tail: expected a whole number ≥ 0 or "all", got "lots"`. */
export function describeIssues(
  issues: readonly Issue[],
  jsonSchema: Record<string, unknown> = configJsonSchema(),
  prefix: readonly PropertyKey[] = [],
): string[] {
  const lines: string[] = [];
  for (const iss of issues) {
    const p = [...prefix, ...iss.path];
    if (iss.code === 'invalid_union' && iss.errors.length) {
      // Descend into the one alternative the value was meant as (the only one that got past its type check).
      const meant = iss.errors.filter((branch) => !branch.every((b) => b.path.length === 0 && (b.code === 'invalid_type' || b.code === 'invalid_value')));
      if (meant.length === 1) {
        lines.push(...describeIssues(meant[0]!, jsonSchema, p));
        continue;
      }
    }
    const at = keyPath(p);
    if (iss.code === 'unrecognized_keys') {
      const valid = validKeys(jsonSchema, p);
      for (const key of iss.keys) lines.push(`${keyPath([...p, key])}: unknown key${valid.length ? `; valid keys here: ${valid.join(', ')}` : ''}`);
      continue;
    }
    let message = iss.message;
    const secret = SECRET_PATHS.some((re) => re.test(at));
    // A discriminated union reports the whole object as its input: show the discriminator's value.
    const discriminator = (iss as { discriminator?: unknown }).discriminator;
    if (typeof discriminator === 'string' && iss.input && typeof iss.input === 'object') {
      lines.push(`${at}: ${message}${got({ input: (iss.input as Record<string, unknown>)[discriminator] })}`);
      continue;
    }
    if (iss.code === 'invalid_type' && message.startsWith('Invalid input')) {
      message = `expected ${iss.expected === 'int' ? 'a whole number' : iss.expected}${secret ? '' : got(iss)}`;
    } else if (!secret && iss.code !== 'custom' && 'input' in iss && (iss.input === null || typeof iss.input !== 'object') && !/\bgot\b/.test(message)) {
      message += got(iss);
    }
    lines.push(`${at}: ${message}`);
  }
  return lines;
}

/** The property names the JSON Schema allows at a key path (best effort, for "unknown key" messages). */
function validKeys(schema: Record<string, unknown>, p: readonly PropertyKey[]): string[] {
  let node: unknown = schema;
  const objectOf = (n: unknown): Record<string, unknown> | undefined => {
    if (!n || typeof n !== 'object') return undefined;
    const o = n as Record<string, unknown>;
    if (o['properties']) return o;
    for (const alt of (o['anyOf'] ?? o['oneOf'] ?? []) as unknown[]) {
      const found = objectOf(alt);
      if (found) return found;
    }
    return undefined;
  };
  for (const k of p) {
    const n = node as Record<string, unknown> | undefined;
    if (typeof k === 'number') node = n?.['items'];
    else node = (objectOf(n)?.['properties'] as Record<string, unknown> | undefined)?.[String(k)] ?? objectOf(n)?.['additionalProperties'];
  }
  return Object.keys((objectOf(node)?.['properties'] as Record<string, unknown> | undefined) ?? {});
}
