// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/** The registry of built-in collectors, in run order. Adding a collector means adding it here. */
import type { Collector } from '../src/core/types.js';
import cloudrun from './cloudrun.js';
import compose from './compose.js';
import django from './django.js';
import docker from './docker.js';
import system from './system.js';

export const builtinCollectors: readonly Collector<any>[] = Object.freeze([system, docker, compose, django, cloudrun]);
