// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * What the django collector writes from the probe's answer and Django's commands: interpreter.json,
 * the probe's sections as files, the commands' plans and text, migrations.json, and short facts.
 */
import {
  DJANGO_FILES,
  FOLDER,
  type DjangoChecksFile,
  type DjangoDatabaseRow,
  type DjangoDatabasesFile,
  type DjangoInterpreterFile,
  type DjangoSectionError,
  type DjangoSettingsTreeFile,
  type DjangoSettingsTreeRow,
} from '../../src/bundle/layout.js';
import { fact, json, problem, text } from '../../src/core/artifacts.js';
import type { CommandResult, Exec, Output } from '../../src/core/types.js';
import type { InterpreterChoice, InterpreterInfo, OtherInterpreter, ProjectLocation } from './interpreter.js';
import { parseConflicts, parseMigratePlan, versionAtLeast } from './parse.js';

/** A probe section that raised: its one-line error and its (masked) traceback (the bundle contract's type). */
export type SectionError = DjangoSectionError;

/** One database alias as the probe reports it and django/databases.json stores it. */
export type DatabaseEntry = DjangoDatabaseRow;

/** What STATE_PROBE prints (only the parts the collector reads are typed). */
export interface DjangoState {
  readonly settingsModule?: string | null;
  /** How many DATABASE_ROUTERS are configured. */
  readonly databaseRouters?: number;
  readonly settingsError?: SectionError & { readonly type: string };
  readonly databases?: DatabaseEntry[] | SectionError;
  readonly checks?: DjangoChecksFile | SectionError;
  readonly migrations?: Record<string, unknown> | SectionError;
  readonly diffsettings?: string[] | SectionError;
  readonly settingsTree?: DjangoSettingsTreeRow[] | SectionError;
  readonly containerManager?: Record<string, unknown> | SectionError;
  /** len(INSTALLED_APPS) and settings.DEBUG, for ISSUE.md's configuration summary. */
  readonly installedApps?: number;
  readonly debug?: boolean;
}

/** A Django command to run for a text artifact, or the reason it is not run. */
export interface CommandPlan {
  readonly path: string;
  readonly args: readonly string[];
  readonly skip?: string;
}

export const isSectionError = (v: unknown): v is SectionError => typeof v === 'object' && v !== null && 'error' in v && 'traceback' in v;

export function interpreterDoc(
  project: ProjectLocation,
  choice: InterpreterChoice,
  info?: InterpreterInfo,
  others?: readonly OtherInterpreter[],
): DjangoInterpreterFile {
  return {
    project: project.dir,
    projectFoundBy: project.how,
    chosen: { command: choice.command, source: choice.source, reason: choice.reason },
    considered: choice.considered,
    ...(info
      ? {
          python: {
            executable: info.executable,
            realExecutable: info.realExecutable,
            version: info.version,
            implementation: info.implementation,
            prefix: info.prefix,
            basePrefix: info.basePrefix,
            virtualEnv: info.virtualEnv,
          },
          django: info.django ?? null,
          djangoImportError: info.djangoError ?? null,
        }
      : {}),
    ...(others ? { otherInterpreters: others } : {}),
  };
}

/** Short facts for ISSUE.md's configuration summary: databases by engine and host (never credentials). */
export function* stateFacts(state: DjangoState): Generator<Output> {
  if (typeof state.installedApps === 'number') yield fact('django.installedApps', String(state.installedApps));
  if (typeof state.debug === 'boolean') yield fact('django.debug', String(state.debug));
  if (Array.isArray(state.databases)) {
    const dbs = state.databases.map((d) => {
      const where = d.host ? `${String(d.host)}${d.port ? `:${String(d.port)}` : ''}` : d.vendor === 'sqlite' ? 'file' : 'local socket';
      return `${d.alias}: ${String(d.vendor ?? d.engine ?? '?')} @ ${where}${d.reachable === false ? ' (unreachable)' : ''}`;
    });
    if (dbs.length) yield fact('django.databases', dbs.join('; '));
  }
}

/** `<sha> (<branch>)`, with `, dirty` for uncommitted changes, when the project is a git checkout. Read-only. */
export async function gitCommit(exec: Exec, dir: string): Promise<string | undefined> {
  const opts = { cwd: dir, timeoutMs: 10_000 };
  const head = await exec.run('git', ['rev-parse', '--short=12', 'HEAD'], opts).catch(() => undefined);
  if (head?.exitCode !== 0 || !/^[0-9a-f]{7,40}$/.test(head.stdout.trim())) return undefined;
  const branch = await exec.run('git', ['rev-parse', '--abbrev-ref', 'HEAD'], opts).catch(() => undefined);
  // --no-optional-locks: `git status` must not write the index (diagnostics are read-only).
  const status = await exec.run('git', ['--no-optional-locks', 'status', '--porcelain', '--untracked-files=no'], opts).catch(() => undefined);
  const b = branch?.exitCode === 0 ? branch.stdout.trim() : '';
  const dirty = status?.exitCode === 0 && status.stdout.trim() !== '' ? ', uncommitted changes' : '';
  return `${head.stdout.trim()}${b && b !== 'HEAD' ? ` (${b}${dirty})` : dirty ? ` (${dirty.slice(2)})` : ''}`;
}

/** The probe's sections as files; a section that raised is kept (error and traceback) and is a problem. */
export function* stateArtifacts(state: DjangoState, djangoVersion: string): Generator<Output> {
  const sectionProblem = function* (path: string, value: unknown): Generator<Output> {
    if (isSectionError(value)) yield problem(`${FOLDER.django}/${path}`, `could not be read: ${value.error}`);
  };
  const databases = state.databases;
  yield json(DJANGO_FILES.databases, {
    method: versionAtLeast(djangoVersion, 3, 1)
      ? 'a read-only connection test per alias (SELECT 1 in a rolled-back transaction); manage.py check --database in check-database.txt'
      : 'a read-only connection test per alias (SELECT 1 in a rolled-back transaction); check --database needs Django 3.1',
    databases: databases ?? null,
  } satisfies DjangoDatabasesFile);
  yield* sectionProblem(DJANGO_FILES.databases, databases);

  yield json(DJANGO_FILES.checks, state.checks ?? null);
  yield* sectionProblem(DJANGO_FILES.checks, state.checks);
  for (const [name, part] of Object.entries(isSectionError(state.checks) ? {} : (state.checks ?? {})))
    yield* sectionProblem(`${DJANGO_FILES.checks} (${name})`, part);

  const diff = state.diffsettings;
  if (Array.isArray(diff)) {
    yield text(
      DJANGO_FILES.diffsettings,
      [
        "# manage.py diffsettings: the settings that differ from Django's defaults ('###': not a Django setting).",
        "# Values under secret-looking names, and passwords in URLs, were replaced by '********' inside the",
        '# Python process, before they were printed.',
        ...diff,
        '',
      ].join('\n'),
    );
  } else yield* sectionProblem(DJANGO_FILES.diffsettings, diff);

  const tree = state.settingsTree;
  if (Array.isArray(tree))
    yield json(DJANGO_FILES.settingsTree, {
      note: 'Top-level DEBUG assignments in the settings module and the modules beside it, read as text (never imported).',
      modules: tree,
    } satisfies DjangoSettingsTreeFile);
  else yield* sectionProblem(DJANGO_FILES.settingsTree, tree);

  const cm = state.containerManager;
  yield json(DJANGO_FILES.containerManager, cm ?? null);
  yield* sectionProblem(DJANGO_FILES.containerManager, cm);
  if (cm && !isSectionError(cm)) {
    yield* sectionProblem(`${DJANGO_FILES.containerManager} (jobs)`, cm['jobs']);
    yield* sectionProblem(`${DJANGO_FILES.containerManager} (executorHosts)`, cm['executorHosts']);
  }
}

/** Django's read-only commands for the text files, each with the reason when it cannot run (exported for tests). */
export function commandPlans(state: DjangoState | undefined, version: string): CommandPlan[] {
  const skipChecks = versionAtLeast(version, 3, 0) ? ['--skip-checks'] : []; // the checks have their own files
  const databases = Array.isArray(state?.databases) ? state.databases : undefined;
  const reachable = databases?.filter((d) => d.reachable).map((d) => d.alias) ?? [];
  const defaultDb = databases?.find((d) => d.alias === 'default');
  // Without the probe's answer the commands are still tried: their own errors then say what is wrong.
  const defaultDown =
    databases && !defaultDb?.reachable
      ? `the default database is not reachable (${defaultDb?.error ?? 'no default alias'}; see django/databases.json)`
      : undefined;
  let databaseCheck: string | undefined;
  if (!versionAtLeast(version, 3, 1)) databaseCheck = `check --database needs Django 3.1 (this is ${version}); django/databases.json has the connection test`;
  else if (!databases) databaseCheck = 'the database aliases are unknown (the probe gave no result)';
  else if (!reachable.length) databaseCheck = 'no database is reachable (see django/databases.json)';
  // makemigrations checks the migration history in the default database (in every database when routers
  // are configured): connecting to a SQLite file that does not exist would create it.
  const missing = databases?.filter((d) => d.sqliteFileMissing && (d.alias === 'default' || state?.databaseRouters)) ?? [];
  const makemigrations = missing.length
    ? `makemigrations would create the missing SQLite file of database ${missing.map((d) => `"${d.alias}"`).join(', ')}; the model changes without a migration are in django/migrations.json (pendingModelChanges)`
    : undefined;
  return [
    { path: DJANGO_FILES.check, args: ['check'] },
    { path: DJANGO_FILES.checkDeploy, args: ['check', '--deploy'] },
    { path: DJANGO_FILES.checkDatabase, args: ['check', ...reachable.flatMap((a) => ['--database', a])], ...(databaseCheck ? { skip: databaseCheck } : {}) },
    { path: DJANGO_FILES.showmigrations, args: ['showmigrations', ...skipChecks], ...(defaultDown ? { skip: defaultDown } : {}) },
    {
      path: DJANGO_FILES.makemigrationsCheck,
      args: ['makemigrations', '--check', '--dry-run', ...skipChecks],
      ...(makemigrations ? { skip: makemigrations } : {}),
    },
    {
      path: DJANGO_FILES.migratePlan,
      args: ['migrate', '--plan', ...skipChecks],
      ...(defaultDown ? { skip: defaultDown } : !versionAtLeast(version, 2, 2) ? { skip: `migrate --plan needs Django 2.2 (this is ${version})` } : {}),
    },
  ];
}

/**
 * The commands the collector's one Python process runs after its probe (py/session.py), with the
 * preconditions it checks on its own answer: `needs` mirrors the skips of commandPlans (the database
 * the command reads must be reachable; makemigrations must not create a missing SQLite file), and
 * `databases` appends `--database ALIAS` for each reachable alias. Version limits are decided here.
 */
export interface CommandSpec {
  readonly path: string;
  readonly args: readonly string[];
  readonly needs?: 'default-database' | 'reachable-database' | 'no-missing-sqlite';
  readonly databases?: boolean;
  /** Arguments after the database ones. */
  readonly tail: readonly string[];
}

export function commandSpecs(version: string): CommandSpec[] {
  const skipChecks = versionAtLeast(version, 3, 0) ? ['--skip-checks'] : [];
  const tail = ['--no-color'];
  return [
    { path: DJANGO_FILES.check, args: ['check'], tail },
    { path: DJANGO_FILES.checkDeploy, args: ['check', '--deploy'], tail },
    ...(versionAtLeast(version, 3, 1)
      ? [{ path: DJANGO_FILES.checkDatabase, args: ['check'], needs: 'reachable-database' as const, databases: true, tail }]
      : []),
    { path: DJANGO_FILES.showmigrations, args: ['showmigrations', ...skipChecks], needs: 'default-database', tail },
    { path: DJANGO_FILES.makemigrationsCheck, args: ['makemigrations', '--check', '--dry-run', ...skipChecks], needs: 'no-missing-sqlite', tail },
    ...(versionAtLeast(version, 2, 2)
      ? [{ path: DJANGO_FILES.migratePlan, args: ['migrate', '--plan', ...skipChecks], needs: 'default-database' as const, tail }]
      : []),
  ];
}

/** migrations.json: the probe's migration state plus what makemigrations --check and migrate --plan said. */
export function migrationsDoc(
  state: DjangoState | undefined,
  results: ReadonlyMap<string, CommandResult>,
  plans: readonly CommandPlan[],
): Record<string, unknown> {
  const skipped = (path: string): string | undefined => plans.find((p) => p.path === path)?.skip;
  const makemigrations = results.get(DJANGO_FILES.makemigrationsCheck);
  const migrate = results.get(DJANGO_FILES.migratePlan);
  const mkOut = makemigrations ? `${makemigrations.stdout}\n${makemigrations.stderr}` : '';
  const mkConflicts = parseConflicts(mkOut);
  const planOut = migrate ? `${migrate.stdout}\n${migrate.stderr}` : '';
  let changesDetected: boolean | null = null;
  if (makemigrations?.exitCode === 0) changesDetected = false;
  else if (makemigrations?.exitCode === 1 && !mkConflicts && /Migrations for '/.test(mkOut)) changesDetected = true;
  return {
    ...(state?.migrations && !isSectionError(state.migrations) ? state.migrations : { probe: state?.migrations ?? 'the probe gave no result' }),
    makemigrationsCheck: makemigrations
      ? { command: 'makemigrations --check --dry-run', exitCode: makemigrations.exitCode, changesDetected, conflicts: mkConflicts ?? {} }
      : { command: 'makemigrations --check --dry-run', notRun: skipped(DJANGO_FILES.makemigrationsCheck) ?? 'not run' },
    migratePlan: migrate
      ? { command: 'migrate --plan', exitCode: migrate.exitCode, planned: parseMigratePlan(planOut) ?? null, conflicts: parseConflicts(planOut) ?? {} }
      : { command: 'migrate --plan', notRun: skipped(DJANGO_FILES.migratePlan) ?? 'not run' },
  };
}

export const seconds = (ms: number): string => `${+(ms / 1000).toFixed(1)}s`;

export function lastLine(text: string): string | undefined {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1]?.trim() || undefined;
}
