// Room: config (src/config/) — may import core, redaction, collectors (the rule: tests/architecture.test.ts).
/**
 * The configuration layer in one import, for the library and the tests: discovery and loading
 * (search.ts, light), the schema (schema.ts, with the collectors' part generated in
 * collector-options.ts), validation (validate.ts), the layers file < environment < flags (layers.ts)
 * and showing a config (display.ts). The CLI imports the light modules directly, so `redact` and
 * `--help` never load zod or the collectors unless a config file was found.
 */
export { MAX_TIMER_MS, show } from '../core/validators.js';
export { ConfigError, keyPath, SECRET_PATHS } from './errors.js';
export { CONFIG_NAME, SEARCH_PLACES, loadConfig, unsafeConfigReason, type KnownCollector, type LoadConfigOptions, type LoadedConfig } from './search.js';
export { configJsonSchema, configJsonSchemaText, configSchema, type Config, type ConfigInput } from './schema.js';
export { describeIssues, validateConfig } from './validate.js';
export { BUILTIN_OPTION_SPECS, collectorOptionsFromArgv, configCollectorOptions, configFlagValues } from './collector-options.js';
export {
  applyConfig,
  applyLayers,
  configOf,
  ENV_PREFIX,
  envName,
  envValue,
  flagSpecs,
  mergeRedaction,
  sourcesOf,
  typedFlags,
  type ApplyConfigOptions,
  type FlagSpec,
  type OptionSource,
  type YargsOptionsView,
} from './layers.js';
export { configSecretValues, MASKED_VALUE, maskConfigSecrets, redactForDisplay } from './display.js';
