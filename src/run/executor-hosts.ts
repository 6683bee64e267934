// Room: run (src/run/) — may import core, config, collectors, redaction, bundle, docker, report, analyzers (the rule: tests/architecture.test.ts).
/**
 * `--executor-hosts` planning: when the docker collector runs with `executorHosts`, the container_manager
 * executor hosts are read first (collectors/executor-hosts.ts) and their engines join the run's.
 */
import { executorHostEndpoints, lookUpExecutorHosts } from '../../collectors/executor-hosts.js';
import type { CollectOptions } from '../config/options.js';
import type { Collector } from '../core/types.js';
import type { ExtraEndpoint } from '../docker/endpoints.js';

export interface ExecutorHostPlan {
  readonly endpoints: readonly ExtraEndpoint[];
  /** Passwords in connection strings: the run's redactor removes them everywhere. */
  readonly secrets: readonly string[];
  /** What happened, for run.log: how many engines were added, or why none could be read. */
  readonly note?: { readonly level: 'info' | 'warn'; readonly message: string };
}

/** The executor hosts' engines, when the docker collector is selected with `executorHosts`; else nothing. */
export async function planExecutorHosts(
  options: CollectOptions,
  env: Readonly<Record<string, string | undefined>>,
  collectors: readonly Collector[],
  signal?: AbortSignal,
): Promise<ExecutorHostPlan> {
  if (options.collectorOptions?.['docker']?.['executorHosts'] !== true || !collectors.some((c) => c.name === 'docker')) return { endpoints: [], secrets: [] };
  const lookup = await lookUpExecutorHosts({ django: options.collectorOptions?.['django'], env, ...(signal ? { signal } : {}) });
  if (lookup.error)
    return { endpoints: [], secrets: [], note: { level: 'warn', message: `--executor-hosts: ${lookup.error}; only the other engines are collected` } };
  const { endpoints, secrets } = executorHostEndpoints(lookup.hosts);
  return {
    endpoints,
    secrets,
    note: {
      level: 'info',
      message: `--executor-hosts: ${endpoints.length} active docker executor host${endpoints.length === 1 ? '' : 's'} of ${lookup.hosts.length}: ${endpoints.map((e) => e.source.replace(/^executor host /, '')).join(', ') || 'none'}`,
    },
  };
}
