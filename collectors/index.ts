// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * The registry of built-in collectors, in run order. Adding a collector means adding it here. The last
 * two are off by default and run only when their flag is given: `env-files` with --env-file (src/run/
 * collect.ts turns it on), `job` with --job (src/run/job.ts puts the planned job collector in its place).
 */
import { builtIn } from '../src/core/built-in.js';
import type { Collector } from '../src/core/types.js';
import cloudrun from './cloudrun.js';
import compose from './compose.js';
import django from './django.js';
import docker from './docker.js';
import { envFilesCollector } from './env-files.js';
import { job } from './job.js';
import system from './system.js';

/** Marked as ours (src/core/built-in.ts): the runner trusts them not to call process.exit(). */
export const builtinCollectors: readonly Collector[] = Object.freeze([system, docker, compose, django, cloudrun, envFilesCollector, job].map(builtIn));
