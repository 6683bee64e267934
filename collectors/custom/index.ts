// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * Declarative collectors from configuration: `command`, `file`, `http` and `env`. Each becomes an
 * ordinary Collector named as the user named it (so `--only`/`--skip` take the name) whose output
 * goes under `custom/<name>/` in the bundle.
 */
import { builtIn } from '../../src/core/built-in.js';
import { CliError } from '../../src/core/errors.js';
import type { Collector } from '../../src/core/types.js';
import { commandCollector } from './command.js';
import { envCollector } from './env.js';
import { fileCollector } from './file.js';
import { httpCollector } from './http.js';
import { customCollectorSchema, describeSpecError, type CustomCollectorInput, type CustomCollectorSpec } from './schema.js';

export { customCollectorSchema, describeSpecError } from './schema.js';
export type { CustomCollectorInput, CustomCollectorSpec, CommandCollectorSpec, EnvCollectorSpec, FileCollectorSpec, HttpCollectorSpec } from './schema.js';

export interface CustomCollectorOptions {
  /** Relative paths (`cwd`, file `paths`) are resolved against this folder: the config file's. */
  readonly baseDir: string;
}

/**
 * Validates a custom collector's spec and builds the collector. An invalid spec throws a CliError
 * (`E_CONFIG`, exit 2) with one line naming the collector, the key and what was expected.
 */
export function createCustomCollector(spec: CustomCollectorInput | CustomCollectorSpec, options: CustomCollectorOptions): Collector {
  const parsed = customCollectorSchema.safeParse(spec);
  if (!parsed.success) throw new CliError(describeSpecError(spec, parsed.error), 'E_CONFIG');
  const valid: CustomCollectorSpec = parsed.data;
  switch (valid.type) {
    case 'command':
      return builtIn(commandCollector(valid, options));
    case 'file':
      return builtIn(fileCollector(valid, options));
    case 'http':
      return builtIn(httpCollector(valid));
    case 'env':
      return builtIn(envCollector(valid));
  }
}
