/**
 * An `env` custom collector: the environment the run sees (`ctx.deps.env`). Every selected name is
 * listed; a value is written only when its name does not look secret (redaction/keys.ts), and even then
 * it passes through the redactor like all bundle content. A secret-looking name gets `<redacted>`: its
 * value is never emitted, so no rule has to catch it.
 */
import { defineCollector, excluded, json } from '../../src/artifacts.js';
import type { Collector } from '../../src/types.js';
import { isSecretKeyName } from '../../redaction/keys.js';
import { segmentRegExp } from './glob.js';
import type { EnvCollectorSpec } from './schema.js';

/**
 * What a secret-looking name's value becomes. Angle brackets, not `[REDACTED]`: the redactor treats
 * `<...>` as a placeholder, while `"DB_PASSWORD": "[REDACTED]"` would read as a secret value to learn.
 */
export const REDACTED_VALUE = '<redacted>';

export function envCollector(spec: EnvCollectorSpec): Collector {
  const include = (spec.include ?? []).map(segmentRegExp);
  const exclude = (spec.exclude ?? []).map(segmentRegExp);
  return defineCollector({
    name: spec.name,
    folder: `custom/${spec.name}`,
    description: 'custom: the process environment (names; values only for names that do not look secret)',
    defaultEnabled: true,
    defaults: {},
    async *collect(ctx) {
      const names = Object.keys(ctx.deps.env)
        .filter((n) => ctx.deps.env[n] !== undefined)
        .filter((n) => include.length === 0 || include.some((re) => re.test(n)))
        .filter((n) => !exclude.some((re) => re.test(n)))
        .sort();
      const values: Record<string, string> = {};
      let hidden = 0;
      for (const name of names) {
        if (isSecretKeyName(name)) {
          values[name] = REDACTED_VALUE;
          hidden++;
        } else values[name] = ctx.deps.env[name]!;
      }
      yield json('env.json', values);
      if (hidden) yield excluded('env values', `${hidden} value(s) of secret-looking names were not written (shown as ${REDACTED_VALUE})`);
    },
  });
}
