// Room: redaction (redaction/) — may import core only (the rule: tests/architecture.test.ts).
/** A secret's place in a line: [start, end) of the text and the rule that found it. */
export interface Span {
  readonly start: number;
  readonly end: number;
  readonly rule: string;
  /** Loses a tie on the same span (CompiledRule.generic). */
  readonly generic?: boolean;
}
