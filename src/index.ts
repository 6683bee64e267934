// Entry (src/index.ts): the library API; may import every room but cli (the rule: tests/architecture.test.ts).
/** The library entry: run a collection from code, or build collectors and rules of your own. */
export { collectBundle, selectCollectors, type CollectOptions, type CollectResult } from './run/collect.js';
export { defineCollector, json, text, commandOutput, problem, fact, excluded } from './core/artifacts.js';
export { redact, type RedactOptions, type RedactCounts, type RedactTextResult, type RedactStreamResult } from './run/library.js';
export { loadPlugins, type LoadPluginsOptions, type LoadedPlugin, type PluginFailure, type PluginLoadResult } from './run/plugins.js';
export {
  createCustomCollector,
  customCollectorSchema,
  type CustomCollectorInput,
  type CustomCollectorSpec,
  type CustomCollectorOptions,
} from '../collectors/custom/index.js';
export { BinaryContentError } from '../redaction/redactor.js';
export type { RedactionOptions, CustomRuleSpec } from './config/redaction-plan.js';
export { defineRule } from '../redaction/rules.js';
export { Redactor } from '../redaction/redactor.js';
export { RedactionReport } from '../redaction/report.js';
export { builtinCollectors } from '../collectors/index.js';
export {
  command,
  file,
  group,
  http,
  type CommandOptions,
  type CommandOutcome,
  type CommandHints,
  type CaptureMode,
  type CaptureOptions,
  type CapturedOutcome,
  type GroupOptions,
  type FileOptions,
  type HttpOptions,
  type HttpPaths,
  type HttpHints,
} from '../collectors/declare.js';
export { CliError, EXIT } from './core/errors.js';
export {
  loadConfig,
  validateConfig,
  configSchema,
  configJsonSchema,
  ConfigError,
  SEARCH_PLACES,
  type Config,
  type ConfigInput,
  type LoadedConfig,
  type LoadConfigOptions,
} from './config/config.js';
export { schedule, type ScheduleOptions, type ScheduleResult, type ScheduleRun, type Trigger } from './schedule/schedule.js';
export { applyRetention, type RetentionPolicy, type RetentionResult } from './schedule/retention.js';
export { inspectBundle, renderInspect, type InspectResult } from './report/inspect.js';
export { writeBundleFile } from './report/inspect-file.js';
export { diffBundles, diffLatest, renderDiff, RESOURCE_THRESHOLDS, type BundleDiff } from './report/diff.js';
export { renderReport, renderReportHtml, type ReportInput, type ReportModel } from './report/html/report.js';
export { reportOfBundle, type BundleReport } from './report/html/view.js';
export { renderDiffHtml } from './report/html/diff-page.js';
export type * from './core/types.js';
export type { Rule } from '../redaction/rule.js';
export {
  checkRecipients,
  encryptStream,
  openDecrypted,
  readIdentities,
  recipientFingerprint,
  type Identities,
  type Recipient,
} from './bundle/age.js';
export type { BundleInput } from './bundle/source.js';
export { uploadBundle, parseDestination, showDestination, UploadError, type UploadOptions, type UploadResult, type Destination } from './run/upload.js';
