/** The analyzer registry, in the order their findings are listed. */
import type { Analyzer } from '../src/types.js';
import { collectionAnalyzer } from './collection.js';

export const builtinAnalyzers: readonly Analyzer[] = [collectionAnalyzer];
