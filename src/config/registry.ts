// Room: config (src/config/) — may import core, redaction, collectors (the rule: tests/architecture.test.ts).
/**
 * The collector registry a loaded config asks for: the built-ins toggled, the config-defined (custom)
 * collectors built, and what only a config can add to a run's options. Apart from config.ts so that
 * loading and checking a config (every command) does not load the custom collectors' code.
 */
import { createCustomCollector } from '../../collectors/custom/index.js';
import { builtIn, isBuiltIn } from '../core/built-in.js';
import type { Collector } from '../core/types.js';
// Not through config.ts: that barrel loads validate.ts, whose zod schema a run without a config file never uses.
import { configCollectorOptions } from './collector-options.js';
import type { Config, LoadedConfig } from './schema.js';
import type { CollectOptions } from './options.js';

/**
 * The collector registry a config asks for: built-ins with `collectors.<name>: true|object` enabled
 * and `false` disabled (`--only`/`--skip` still decide last), then the custom collectors.
 */
export function configRegistry(config: Config | undefined, builtins: readonly Collector[], custom: readonly Collector[] = []): Collector[] {
  const toggles = config?.collectors ?? {};
  return [...builtins, ...custom].map((c) => {
    const t = (toggles as Record<string, unknown>)[c.name];
    if (t === undefined) return c;
    const enabled = t !== false;
    if (enabled === c.defaultEnabled) return c;
    // Keep the collector's own prototype and methods; only the default changes.
    const toggled = Object.assign(Object.create(Object.getPrototypeOf(c) as object) as Collector, c, { defaultEnabled: enabled });
    return isBuiltIn(c) ? builtIn(toggled) : toggled;
  });
}

/** The run's collectors under a config: built-ins (toggled) and the config's custom collectors. */
export function collectorsFor(loaded: LoadedConfig | undefined, builtins: readonly Collector[]): Collector[] {
  if (!loaded) return [...builtins];
  const custom = (loaded.config.custom ?? []).map((spec) => createCustomCollector(spec, { baseDir: loaded.dir }));
  return configRegistry(loaded.config, builtins, custom);
}

/**
 * Adds what only a config can say to collect options built from the (already merged) flags: the
 * collector registry with custom collectors, per-collector options no flag sets (flags' values win),
 * plugins, and the config file's path for the manifest.
 */
export function withConfig(loaded: LoadedConfig | undefined, options: CollectOptions, builtins: readonly Collector[]): CollectOptions {
  if (!loaded) return options;
  const extras = configCollectorOptions(loaded.config);
  const collectorOptions: Record<string, Readonly<Record<string, unknown>>> = { ...options.collectorOptions };
  for (const [name, values] of Object.entries(extras)) collectorOptions[name] = { ...values, ...options.collectorOptions?.[name] };
  return {
    ...options,
    collectors: collectorsFor(loaded, options.collectors ?? builtins),
    ...(Object.keys(collectorOptions).length ? { collectorOptions } : {}),
    // Plugin paths are relative to the config file's folder; package names resolve from there too.
    ...(loaded.config.plugins?.length ? { plugins: loaded.config.plugins, pluginBaseDir: loaded.dir } : {}),
    configFile: loaded.file,
  };
}
