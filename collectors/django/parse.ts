// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/** Small parsers for the text Django's management commands print, and version checks. */

/** True when Django `version` (e.g. `3.2.25`, `5.1a1`) is at least `major.minor`. */
export function versionAtLeast(version: string, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return a > major || (a === major && b >= minor);
}

/**
 * The conflicting leaf nodes makemigrations and migrate report: "Conflicting migrations detected;
 * multiple leaf nodes in the migration graph: (0002_a, 0002_b in notes; 0003_x, 0003_y in shop)."
 */
export function parseConflicts(text: string): Record<string, string[]> | undefined {
  const m = /multiple leaf nodes in the migration graph: \(([^)]*)\)/.exec(text);
  if (!m) return undefined;
  const out: Record<string, string[]> = {};
  for (const part of m[1]!.split(';')) {
    const at = part.lastIndexOf(' in ');
    if (at === -1) continue;
    const app = part.slice(at + 4).trim();
    out[app] = part
      .slice(0, at)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  return out;
}

/** One migration `migrate --plan` would apply (or unapply), with the operations it lists. */
export interface PlannedMigration {
  readonly migration: string;
  readonly operations: string[];
}

/**
 * The migrations `migrate --plan` lists: a line `app.0002_name` per migration, its operations indented
 * below it. Undefined when the output has no plan (e.g. the command failed).
 */
export function parseMigratePlan(text: string): PlannedMigration[] | undefined {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === 'Planned operations:');
  if (start === -1) return undefined;
  const plan: PlannedMigration[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.trim() || line.trim() === 'No planned migration operations.') continue;
    if (/^\S+\.\S+$/.test(line.trim()) && !/^\s/.test(line)) plan.push({ migration: line.trim(), operations: [] });
    else if (/^\s/.test(line) && plan.length) plan[plan.length - 1]!.operations.push(line.trim());
  }
  return plan;
}
