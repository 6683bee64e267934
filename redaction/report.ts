/** Counts of what the redactor removed, per file and rule, with line numbers; never the values. */

/** At most this many line numbers are kept per file and rule; the count stays exact. */
const MAX_LINES_KEPT = 200;

/**
 * How often one rule fired. Lists of `{ rule, count }` rather than `{ "<rule id>": count }` maps: rule
 * ids such as `url-password` look like secret keys, and our own reports must not trip our own rules.
 */
export interface RuleCount {
  readonly rule: string;
  readonly count: number;
}

/** One file's entry in redactions.json. */
export interface FileRedactions {
  readonly file: string;
  readonly rules: readonly (RuleCount & { readonly lines: readonly number[] })[];
}

/** The serialisable report (redactions.json). */
export interface RedactionSummary {
  readonly total: number;
  readonly byRule: readonly RuleCount[];
  readonly files: readonly FileRedactions[];
}

/** Accumulates redactions for one run. Created per run and passed along; never global. */
export class RedactionReport {
  readonly #files = new Map<string, Map<string, { count: number; lines: number[] }>>();

  /** Records one redaction by `ruleId` at `line` (1-based) of `file`. */
  add(file: string, ruleId: string, line: number): void {
    let rules = this.#files.get(file);
    if (!rules) this.#files.set(file, (rules = new Map()));
    let entry = rules.get(ruleId);
    if (!entry) rules.set(ruleId, (entry = { count: 0, lines: [] }));
    entry.count++;
    if (entry.lines.length < MAX_LINES_KEPT && entry.lines.at(-1) !== line) entry.lines.push(line);
  }

  /** Forgets what was recorded for `file` (its content was dropped, e.g. binary). */
  discard(file: string): void {
    this.#files.delete(file);
  }

  /** Total redactions so far. */
  get total(): number {
    let n = 0;
    for (const rules of this.#files.values()) for (const e of rules.values()) n += e.count;
    return n;
  }

  /** Totals per rule id, most frequent first. */
  byRule(): RuleCount[] {
    const out = new Map<string, number>();
    for (const rules of this.#files.values()) for (const [id, e] of rules) out.set(id, (out.get(id) ?? 0) + e.count);
    return [...out].map(([rule, count]) => ({ rule, count })).sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule));
  }

  toJSON(): RedactionSummary {
    const files: FileRedactions[] = [...this.#files]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([file, rules]) => ({ file, rules: [...rules].map(([rule, e]) => ({ rule, count: e.count, lines: [...e.lines] })) }));
    return { total: this.total, byRule: this.byRule(), files };
  }
}
