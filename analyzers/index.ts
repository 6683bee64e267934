// Room: analyzers (analyzers/) — may import core, bundle (the rule: tests/architecture.test.ts).
/** The analyzer registry, in the order their findings are listed. */
import type { Analyzer } from '../src/core/types.js';
import { collectionAnalyzer } from './collection.js';
import { djangoAnalyzers } from './django.js';
import { dockerContainerAnalyzer, dockerEngineAnalyzer } from './docker.js';
import { envFileAnalyzer } from './env-file.js';
import { hostAnalyzer } from './host.js';
import { jobsAnalyzers } from './jobs.js';
import { jobsFailedAnalyzer } from './jobs-failed.js';

export const builtinAnalyzers: readonly Analyzer[] = [
  collectionAnalyzer,
  dockerEngineAnalyzer,
  dockerContainerAnalyzer,
  hostAnalyzer,
  ...djangoAnalyzers,
  jobsFailedAnalyzer,
  ...jobsAnalyzers,
  envFileAnalyzer,
];
