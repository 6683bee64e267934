/** The library entry: run a collection from code, or build collectors and rules of your own. */
export { collectBundle, selectCollectors, type CollectOptions, type CollectResult } from './collect.js';
export { defineCollector, json, text, commandOutput, problem, fact } from './artifacts.js';
export { defineRule } from '../redaction/rules.js';
export { Redactor } from '../redaction/redactor.js';
export { RedactionReport } from '../redaction/report.js';
export { builtinCollectors } from '../collectors/index.js';
export { CliError, EXIT } from './errors.js';
export { schedule, type ScheduleOptions, type ScheduleResult, type ScheduleRun, type Trigger } from './schedule.js';
export { applyRetention, type RetentionPolicy, type RetentionResult } from './retention.js';
export type * from './types.js';
