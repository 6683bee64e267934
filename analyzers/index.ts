/** The analyzer registry, in the order their findings are listed. */
import type { Analyzer } from '../src/types.js';

export const builtinAnalyzers: readonly Analyzer[] = [];
