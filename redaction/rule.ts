// Room: redaction (redaction/) — may import core only (the rule: tests/architecture.test.ts).
/** The `Rule` type: a redaction rule is data (an id, a description, a pre-filter and a regex). */

/** A redaction rule: data, validated when defined. */
export interface Rule {
  /** kebab-case id; appears in tokens and the report. */
  readonly id: string;
  readonly description: string;
  /** Cheap, stateless pre-filter tested on a line before `pattern` runs. */
  readonly hint?: RegExp;
  /**
   * Global regex. The secret is the named group `secret` if present, else the whole match. A named
   * group `key` makes the rule keyed: the match counts only if the key looks secret (see keys.ts).
   */
  readonly pattern: RegExp;
}
