// Room: analyzers (analyzers/) — may import core, bundle (the rule: tests/architecture.test.ts).
/**
 * Django analyzers: system checks (by message id), `check --deploy` issues and DEBUG in settings that
 * look like production, migrations (unapplied, conflicting, missing), unreachable databases, and an
 * interpreter that cannot import Django. They read only the django collector's redacted files
 * (django/*.json and the text of Django's own commands) and never throw on a missing or odd file.
 */
import type { Analyzer, Evidence, Finding } from '../src/core/types.js';
import {
  andList,
  arr,
  evidenceList,
  isSectionError,
  jsonKey,
  jsonKeyLine,
  lineEvidence,
  lineNumber,
  loadJson,
  loadText,
  obj,
  plural,
  str,
  type LoadedText,
} from './django-evidence.js';
import { finding } from './finding.js';
import { DJANGO } from '../src/bundle/layout.js';
import { djangoDatabaseAnalyzer, djangoInterpreterAnalyzer } from './django-databases.js';
import { MAX_EVIDENCE, djangoChecksAnalyzer } from './django-checks.js';
export { djangoChecksAnalyzer, parseCheckText } from './django-checks.js';
export { NON_PRODUCTION_SETTINGS, productionVerdict } from './django-production.js';
export type { CheckMessage } from './django-checks.js';
export { djangoDatabaseAnalyzer, djangoInterpreterAnalyzer } from './django-databases.js';

// ---------------------------------------------------------------------------------------------------
// Migrations

interface MigrationEntry {
  readonly name: string;
  readonly applied: boolean | null;
}

/** The ` [ ] name` line of `app`'s block in showmigrations.txt. */
function showmigrationsLine(text: LoadedText | undefined, app: string, name: string, mark: string): Evidence | undefined {
  if (!text) return undefined;
  const start = lineNumber(text, (l) => l === app);
  if (start === undefined) return undefined;
  const end = lineNumber(text, (l) => /^\S/.test(l), { from: start + 1 });
  return lineEvidence(text, (l) => l.trim() === `[${mark}] ${name}` || l.trim().startsWith(`[${mark}] ${name} `), {
    from: start + 1,
    ...(end ? { until: end } : {}),
  });
}

export const djangoMigrationsAnalyzer: Analyzer = {
  name: 'django-migrations',
  description: 'Migrations not applied to the database, conflicting migrations (two leaf nodes in one app), and model changes without a migration',
  findingIds: ['migrations-conflict', 'migrations-unapplied', 'migrations-missing'],
  async analyze(view) {
    const [mj, show, mkcheck, plan] = await Promise.all([
      loadJson(view, DJANGO.migrations),
      loadText(view, DJANGO.showmigrations),
      loadText(view, DJANGO.makemigrationsCheck),
      loadText(view, DJANGO.migratePlan),
    ]);
    const m = obj(mj?.value);
    if (!m || !mj) return [];
    const findings: Finding[] = [];

    // Conflicts: the migration graph's own answer, and what makemigrations/migrate said.
    const conflicts = new Map<string, Set<string>>();
    for (const source of [m['conflicts'], obj(m['makemigrationsCheck'])?.['conflicts'], obj(m['migratePlan'])?.['conflicts']]) {
      for (const [app, leaves] of Object.entries(obj(source) ?? {})) {
        const names = arr(leaves).filter((x): x is string => typeof x === 'string');
        if (names.length < 2) continue;
        const set = conflicts.get(app) ?? new Set<string>();
        for (const n of names) set.add(n);
        conflicts.set(app, set);
      }
    }
    const conflictLine = (file: LoadedText | undefined): Evidence | undefined => lineEvidence(file, (l) => l.includes('Conflicting migrations detected'));
    for (const [app, set] of conflicts) {
      const leaves = [...set].sort();
      const conflictsAt = lineNumber(mj, jsonKey('conflicts'));
      findings.push(
        finding({
          id: 'migrations-conflict',
          severity: 'error',
          subject: app,
          title: `Conflicting migrations in ${app}: ${andList(leaves)} are both leaf nodes`,
          summary:
            `The migrations of ${app} branch: ${andList(leaves)} each follow the same parent and none depends on the other, so Django does not know their order. ` +
            '`migrate` and `makemigrations` refuse to run until they are merged. This usually happens when two branches of the code each added a migration.',
          evidence: evidenceList([
            conflictLine(plan),
            conflictLine(mkcheck),
            ...leaves.map((n) => showmigrationsLine(show, app, n, ' ')),
            lineEvidence(mj, jsonKey(app), conflictsAt ? { from: conflictsAt } : {}),
          ]),
          remedy: [
            'This is a change to the code, made in development and deployed like any other, not on the production server:',
            `1. In your development checkout (same code as deployed): \`python manage.py makemigrations --merge ${app}\``,
            '2. Review the merge migration it writes (it only sets the order; add RunPython/SQL if the two migrations touch the same data), run the tests, commit it.',
            '3. Deploy it, then apply with `python manage.py migrate` (review first with `python manage.py migrate --plan`).',
            'Do not delete either migration if it is already applied somewhere: that database would then disagree with the code.',
          ].join('\n'),
        }),
      );
    }

    // Unapplied: only known when the default database was reachable (applied is null otherwise).
    const apps = obj(m['apps']) ?? {};
    const unapplied: { app: string; name: string }[] = [];
    if (m['unapplied'] !== null && m['unapplied'] !== undefined) {
      for (const [app, list] of Object.entries(apps)) {
        for (const e of arr(list)) {
          const entry = obj(e) as MigrationEntry | undefined;
          if (entry && typeof entry.name === 'string' && entry.applied === false) unapplied.push({ app, name: entry.name });
        }
      }
    }
    if (unapplied.length) {
      const database = str(m['database']) ?? 'default';
      const byApp = new Map<string, string[]>();
      for (const u of unapplied) byApp.set(u.app, [...(byApp.get(u.app) ?? []), u.name]);
      const appsText = [...byApp].map(([app, names]) => `${app}: ${names.join(', ')}`).join('; ');
      const evidence = unapplied.slice(0, MAX_EVIDENCE).map((u) => {
        const shown = showmigrationsLine(show, u.app, u.name, ' ');
        if (shown) return shown;
        const appAt = lineNumber(mj, jsonKey(u.app));
        return lineEvidence(mj, jsonKeyLine('name', u.name), appAt ? { from: appAt } : {});
      });
      const conflicted = [...byApp.keys()].filter((a) => conflicts.has(a));
      findings.push(
        finding({
          id: 'migrations-unapplied',
          severity: 'warning',
          subject: database,
          title: `${plural(unapplied.length, 'migration')} not applied to database ${database} (${appsText.length > 120 ? `${appsText.slice(0, 119)}…` : appsText})`,
          summary:
            `The code has ${plural(unapplied.length, 'migration')} that database ${database} has not applied: ${appsText}. ` +
            'Until they are applied, queries that use the new tables or columns fail (e.g. "no such column", "relation does not exist"), often only on some pages or jobs.',
          evidence: evidenceList(evidence),
          remedy: [
            ...(conflicted.length ? [`First resolve the migration conflict in ${andList(conflicted)} (see migrations-conflict).`] : []),
            'Review what would run: `python manage.py migrate --plan` (reads only).',
            'Back up the database, then apply them in your deploy step or a maintenance window: `python manage.py migrate`.',
            'Applying migrations writes to the database: do it deliberately, never as part of collecting diagnostics.',
          ].join('\n'),
        }),
      );
    }

    // Model changes without a migration.
    const pending = obj(m['pendingModelChanges']);
    const missing = new Map<string, { migration: string; operations: string[] }[]>();
    if (pending && !isSectionError(pending)) {
      for (const [app, list] of Object.entries(pending)) {
        const items = arr(list)
          .map((x) => obj(x))
          .filter((x): x is Record<string, unknown> => !!x)
          .map((x) => ({ migration: str(x['migration']) ?? '?', operations: arr(x['operations']).filter((o): o is string => typeof o === 'string') }));
        if (items.length) missing.set(app, items);
      }
    } else if (obj(m['makemigrationsCheck'])?.['changesDetected'] === true && mkcheck) {
      for (const [app, ops] of parseMakemigrationsCheck(mkcheck.text)) missing.set(app, [{ migration: '?', operations: ops }]);
    }
    for (const [app, items] of missing) {
      const ops = items.flatMap((i) => i.operations);
      const appBlock = lineNumber(mkcheck, (l) => l.trim() === `Migrations for '${app}':`);
      const pendingAt = lineNumber(mj, jsonKey('pendingModelChanges'));
      const evidence = ops
        .slice(0, MAX_EVIDENCE)
        .map(
          (op) =>
            (appBlock !== undefined ? lineEvidence(mkcheck, (l) => l.trim() === `- ${op}`, { from: appBlock }) : undefined) ??
            lineEvidence(mj, (l) => l.trim().replace(/,$/, '') === JSON.stringify(op), pendingAt ? { from: pendingAt } : {}),
        );
      findings.push(
        finding({
          id: 'migrations-missing',
          severity: 'warning',
          subject: app,
          title: `Model changes in ${app} have no migration (${ops.slice(0, 3).join('; ')}${ops.length > 3 ? '; …' : ''})`,
          summary:
            `The models of ${app} differ from its migrations: \`makemigrations\` would write ${items.map((i) => i.migration).join(', ')} with ${plural(ops.length, 'operation')} (${ops.slice(0, 8).join('; ')}). ` +
            'The database is built from migrations, so the code expects columns or tables that no migration creates; queries touching them fail.',
          evidence: evidenceList(evidence),
          remedy: [
            'This is a change to the code, made in development, not on the production server (a migration made there is lost at the next deploy):',
            `1. In your development checkout: \`python manage.py makemigrations ${app}\`, review the migration, commit it.`,
            '2. Deploy it, then `python manage.py migrate --plan` (reads only) and `python manage.py migrate`.',
            'Check in CI that none is missing: `python manage.py makemigrations --check --dry-run` exits 1 when one is.',
          ].join('\n'),
        }),
      );
    }
    return findings;
  },
};

/** `Migrations for 'app':` blocks of `makemigrations --check --dry-run` and their `- operation` lines. */
export function parseMakemigrationsCheck(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let app: string | undefined;
  for (const line of text.split('\n')) {
    const head = /^Migrations for '([^']+)':/.exec(line.trim());
    if (head) {
      app = head[1]!;
      out.set(app, []);
      continue;
    }
    const op = /^\s+- (.*)$/.exec(line);
    if (op && app) out.get(app)!.push(op[1]!.trim());
  }
  return out;
}

/** Every Django analyzer, in the order their findings are listed. */
export const djangoAnalyzers: readonly Analyzer[] = [djangoInterpreterAnalyzer, djangoDatabaseAnalyzer, djangoChecksAnalyzer, djangoMigrationsAnalyzer];
