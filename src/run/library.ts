// Room: run (src/run/) — may import core, config, collectors, redaction, bundle, docker, report, analyzers (the rule: tests/architecture.test.ts).
/**
 * Small conveniences of the library entry that the CLI does not need: `redact()` on a string, a Buffer
 * or a stream, with the same rules, literals and allowlist a `collect` run would use.
 */
import { Readable } from 'node:stream';
import { Redactor } from '../../redaction/redactor.js';
import type { RuleCount } from '../../redaction/report.js';
import { customRule, setUpRedaction, type CustomRuleSpec, type RedactionOptions } from '../config/redaction-plan.js';
import type { Rule } from '../../redaction/rule.js';
import type { ByteSource } from '../core/types.js';

export interface RedactOptions extends Omit<RedactionOptions, 'rules'> {
  /** Extra rules: regex specs as in the config (`{ id, pattern: "acme_[a-z0-9]{32}" }`) or `defineRule()` rules. */
  readonly rules?: readonly (CustomRuleSpec | Rule)[];
  /** Name used in the report (and for path-specific rules); default `input`. */
  readonly file?: string;
  /** Environment for key lookup (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Counts of what was removed; never the values. */
export interface RedactCounts {
  readonly total: number;
  readonly byRule: readonly RuleCount[];
}

/** `redact()` on text: the redacted text plus counts. */
export interface RedactTextResult extends RedactCounts {
  readonly text: string;
}

/** `redact()` on a stream: a stream of redacted bytes; `counts()` is final once it has ended. */
export interface RedactStreamResult {
  readonly stream: Readable;
  counts(): RedactCounts;
}

/**
 * Redacts text or a stream with the built-in rules plus `options` (custom rules, literals, allowlist).
 * Tags use a fresh random key unless `keyFile` is given (a library call writes no key file of its own).
 * Binary content (NUL bytes) is refused with a BinaryContentError rather than passed through.
 */
export async function redact(input: string | Buffer, options?: RedactOptions): Promise<RedactTextResult>;
export async function redact(input: Readable | AsyncIterable<Buffer | string>, options?: RedactOptions): Promise<RedactStreamResult>;
export async function redact(input: string | Buffer | ByteSource, options: RedactOptions = {}): Promise<RedactTextResult | RedactStreamResult> {
  const { file = 'input', env = process.env, rules = [], ...redaction } = options;
  const specs = rules.filter((r): r is CustomRuleSpec => typeof r.pattern === 'string');
  const defined = rules.filter((r): r is Rule => typeof r.pattern !== 'string');
  const setup = await setUpRedaction({ ...redaction, rules: specs, ephemeralKey: redaction.ephemeralKey ?? redaction.keyFile === undefined }, env);
  const { report } = setup;
  // The run's own redactor learns (a password found in a URL is removed wherever it appears later);
  // rules made with defineRule() join the spec rules in a redactor built the same way.
  const redactor = defined.length
    ? new Redactor({
        key: setup.key.key,
        report,
        extraRules: [...specs.map(customRule), ...defined],
        literals: setup.literals,
        secretKeys: redaction.secretKeys ?? [],
        allow: (redaction.allow ?? []).map((a) => new RegExp(a)),
      })
    : setup.redactor;
  const counts = (): RedactCounts => ({ total: report.total, byRule: report.byRule() });
  if (typeof input === 'string' || Buffer.isBuffer(input)) {
    const chunks: Buffer[] = [];
    for await (const chunk of redactor.stream(file)(Readable.from([Buffer.isBuffer(input) ? input : Buffer.from(input, 'utf8')]))) chunks.push(chunk);
    return { text: Buffer.concat(chunks).toString('utf8'), ...counts() };
  }
  return { stream: Readable.from(redactor.stream(file)(input)), counts };
}
