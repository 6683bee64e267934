// Room: run (src/run/) — may import core, config, collectors, redaction, bundle, docker, report, analyzers (the rule: tests/architecture.test.ts).
/**
 * `--job ID` planning: looks the job up (collectors/job.ts) and narrows a run's options to it: the
 * docker collector's window and selection, full logs, the `job` collector added, the label `job-<id>`.
 */
import { builtinCollectors } from '../../collectors/index.js';
import { JOB_MARGIN_MS, jobCollector, jobContainerPatterns, jobWindow, lookUpJob, type JobPlan } from '../../collectors/job.js';
import type { CollectOptions } from '../config/options.js';
import { CliError } from '../core/errors.js';

/** The docker options a job bundle narrows (its window, its containers, full logs). */
export const JOB_DOCKER_KEYS = ['since', 'until', 'containers', 'tail', 'maxLogBytes', 'allContainers'] as const;

/** The docker collector's option set by each command-line flag. */
const DOCKER_FLAG_KEYS: Readonly<Record<string, (typeof JOB_DOCKER_KEYS)[number]>> = {
  since: 'since',
  containers: 'containers',
  tail: 'tail',
  'max-log-bytes': 'maxLogBytes',
  'all-containers': 'allContainers',
};

/** The job-narrowed docker options the user typed as flags (`--tail 500`): only these may override the job's. */
export function typedJobDockerKeys(typed: ReadonlySet<string>): string[] {
  return Object.entries(DOCKER_FLAG_KEYS)
    .filter(([flag]) => typed.has(flag))
    .map(([, key]) => key);
}

export interface PlanJobOptions {
  /**
   * The docker options in `options` that may override the job's narrowing (since, containers, tail,
   * maxLogBytes, allContainers): the CLI passes those typed as flags, so a config file's or the
   * environment's `tail: 5` does not cut the job's log. Default: every one given in `options`.
   */
  readonly overrides?: readonly string[];
}

/**
 * Looks the job up and returns the run's options narrowed to it: the docker window and selection,
 * full logs, the `job` collector added, the label `job-<id>` unless one was given. Docker options in
 * `options` that `overrides` names (by default all) win over the job's.
 */
export async function planJob(options: CollectOptions, id: string, now = new Date(), planOptions: PlanJobOptions = {}): Promise<{ options: CollectOptions; plan: JobPlan }> {
  const trimmed = id.trim();
  if (!trimmed) throw new CliError('--job needs a job id (the ContainerJob primary key)', 'E_USAGE');
  const env = options.env ?? process.env;
  const { lookup, commands } = await lookUpJob(trimmed, { django: options.collectorOptions?.['django'], env, ...(options.signal ? { signal: options.signal } : {}) });
  const { since, until } = jobWindow(lookup.times, now);
  const containers = jobContainerPatterns(trimmed, lookup);
  const plan: JobPlan = { id: trimmed, lookup, since, until, marginMs: JOB_MARGIN_MS, containers, commands };
  const userDocker = options.collectorOptions?.['docker'] ?? {};
  const narrowed: readonly string[] = JOB_DOCKER_KEYS;
  const mayOverride = (key: string): boolean => !narrowed.includes(key) || (planOptions.overrides ?? narrowed).includes(key);
  const kept = Object.fromEntries(Object.entries(userDocker).filter(([key]) => mayOverride(key)));
  const docker = { since: since.toISOString(), until: until.toISOString(), containers, tail: 'all', maxLogBytes: 0, allContainers: true, ...kept };
  const all = options.collectors ?? builtinCollectors;
  return {
    plan,
    options: {
      ...options,
      label: options.label ?? `job-${trimmed}`,
      collectors: [...all.filter((c) => c.name !== 'job'), jobCollector(plan)],
      ...(options.only?.length ? { only: [...options.only.filter((n) => n !== 'job'), 'job'] } : {}),
      collectorOptions: { ...options.collectorOptions, docker },
    },
  };
}
