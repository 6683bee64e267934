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
   * A second cheap test a line selected by the hint's keyword must also pass before `pattern` runs (the
   * table rule needs a `|` border or aws's Type column, not only a secret word). A hint that is more
   * than its literal keywords (`SK[0-9a-fA-F]`) is itself tested this way.
   */
  readonly confirm?: RegExp;
  /**
   * Global regex. The secret is the named group `secret` if present, else the whole match. A named
   * group `key` makes the rule keyed: the match counts only if the key looks secret (see keys.ts).
   */
  readonly pattern: RegExp;
}
