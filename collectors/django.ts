// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * `django`: the Django side of the system, with the project's own interpreter. Finds the project
 * (manage.py) and the interpreter (see django/interpreter.ts), then runs one read-only probe for the
 * structured state (versions, databases, system checks, migrations, settings, container_manager jobs and
 * executor hosts) and Django's own read-only commands for the text a support engineer knows: check,
 * check --deploy, check --database, showmigrations, makemigrations --check --dry-run, migrate --plan.
 * Nothing is migrated or written; every command runs with stdin closed and its own timeout.
 */
import { defineCollector, fact, json, problem, text } from '../src/core/artifacts.js';
import type { CommandResult, Exec, ExecOptions, Output } from '../src/core/types.js';
import {
  chooseInterpreter,
  findProject,
  interpreterCandidates,
  noDjangoMessage,
  probeInterpreter,
  probeOthers,
  type InterpreterChoice,
  type InterpreterInfo,
  type OtherInterpreter,
  type ProjectLocation,
} from './django/interpreter.js';
import { parseConflicts, parseMigratePlan, versionAtLeast } from './django/parse.js';
import { SECRETS_PROBE, STATE_PROBE, STATE_PROBE_BOOTSTRAP, STATE_PROBE_ENV, extractJson } from './django/probes.js';

/** The `-c` argument of the secrets probe (recorded in the manifest as the command; the code is in the environment). */
const SECRETS_PROBE_BOOTSTRAP = `import os; exec(os.environ['${STATE_PROBE_ENV}'])  # collect-bundle django secrets probe (read-only; values stay in memory)`;

export interface DjangoOptions {
  /** The project directory (with manage.py); unset: the current directory, or one level below it. */
  readonly djangoDir?: string;
  /** DJANGO_SETTINGS_MODULE for every command; unset: what the environment and manage.py say. */
  readonly settings?: string;
  /** The interpreter command (split on spaces, no shell); unset: discovered (see chooseInterpreter). */
  readonly python?: string;
  /** Timeout of each command, in ms. */
  readonly commandTimeoutMs: number;
  /** Django commands run at once (each is a Python process of its own). */
  readonly concurrency: number;
  /** How many of the latest failed container jobs are listed. */
  readonly failedJobs: number;
  /** Where to look for the project when djangoDir is unset (default: the process's current directory). */
  readonly cwd?: string;
}

/** A probe section that raised: its one-line error and its (masked) traceback. */
export interface SectionError {
  readonly error: string;
  readonly traceback: string;
}

export interface DatabaseEntry {
  readonly alias: string;
  readonly reachable: boolean;
  /** A SQLite alias whose file does not exist: connecting would create it. */
  readonly sqliteFileMissing?: boolean;
  readonly error?: string;
  readonly [key: string]: unknown;
}

/** What STATE_PROBE prints (only the parts the collector reads are typed). */
export interface DjangoState {
  readonly settingsModule?: string | null;
  /** How many DATABASE_ROUTERS are configured. */
  readonly databaseRouters?: number;
  readonly settingsError?: SectionError & { readonly type: string };
  readonly databases?: DatabaseEntry[] | SectionError;
  readonly checks?: Record<string, unknown> | SectionError;
  readonly migrations?: Record<string, unknown> | SectionError;
  readonly diffsettings?: string[] | SectionError;
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

const isSectionError = (v: unknown): v is SectionError => typeof v === 'object' && v !== null && 'error' in v && 'traceback' in v;

export default defineCollector<DjangoOptions>({
  name: 'django',
  description: 'Django: interpreter, versions, system checks, databases, migrations, settings (redacted), container_manager jobs and executors',
  defaultEnabled: true,
  defaults: { commandTimeoutMs: 60_000, concurrency: 2, failedJobs: 20 },
  async applies(ctx) {
    // An explicit --django-dir is checked in collect(): a wrong one must fail loudly, not skip quietly.
    if (ctx.options.djangoDir) return true;
    const project = await findProject(undefined, ctx.options.cwd || process.cwd());
    return typeof project === 'string' ? project : true;
  },
  /**
   * The settings' secrets (SECRET_KEY, database/cache/broker/email passwords, every value under a
   * secret-looking name), learned before any collector collects so they are removed from everything.
   * Quiet on failure: collect() reports the same problems with their causes.
   */
  async secrets(ctx) {
    const o = ctx.options;
    const cwd = o.cwd || process.cwd();
    const project = await findProject(o.djangoDir, cwd);
    if (typeof project === 'string') return [];
    const choice = await chooseInterpreter({ projectDir: project.dir, python: o.python, env: ctx.deps.env, cwd });
    if (typeof choice === 'string') return [];
    const [file, ...prefix] = choice.command as [string, ...string[]];
    const env = childEnv(ctx.deps.env, o);
    const r = await ctx.deps.exec.run(file, [...prefix, '-c', SECRETS_PROBE_BOOTSTRAP], {
      cwd: project.dir,
      env: { ...env, [STATE_PROBE_ENV]: SECRETS_PROBE },
      timeoutMs: Math.min(o.commandTimeoutMs, 30_000),
      maxBuffer: 4 * 1024 * 1024,
    });
    const values = extractJson<unknown>(r.stdout);
    return Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string') : [];
  },
  async *collect(ctx) {
    const o = ctx.options;
    const cwd = o.cwd || process.cwd();
    const project = await findProject(o.djangoDir, cwd);
    if (typeof project === 'string') throw new Error(project);
    const choice = await chooseInterpreter({ projectDir: project.dir, python: o.python, env: ctx.deps.env, cwd });
    if (typeof choice === 'string') throw new Error(choice);
    ctx.log.log('info', `Django project ${project.dir}; interpreter ${choice.command.join(' ')} (${choice.reason})`);

    const env = childEnv(ctx.deps.env, o);
    const base: ExecOptions = { cwd: project.dir, env, timeoutMs: o.commandTimeoutMs, recordStderr: true };
    const probed = await probeInterpreter(ctx.deps.exec, choice.command, base);
    if (!probed.ok) {
      yield json('interpreter.json', { ...interpreterDoc(project, choice), error: probed.error });
      throw new Error(probed.error);
    }
    const info = probed.info;
    yield fact('django.python', `${info.version} (${info.executable})`);
    if (!info.django) {
      const paths = await interpreterCandidates({ env: ctx.deps.env, projectDir: project.dir, exclude: [choice.command[0]!, info.executable] });
      const others = await probeOthers(ctx.deps.exec, paths, { cwd: project.dir, env });
      yield json('interpreter.json', interpreterDoc(project, choice, info, others));
      throw new Error(noDjangoMessage(choice, info, others));
    }
    const djangoVersion = info.django.version;
    yield fact('django', djangoVersion);
    yield json('interpreter.json', interpreterDoc(project, choice, info));

    // One probe process for the structured state; its code travels in the environment (see probes.ts).
    const [file, ...prefix] = choice.command as [string, ...string[]];
    const stateRun = await ctx.deps.exec.run(file, [...prefix, '-c', STATE_PROBE_BOOTSTRAP], {
      ...base,
      env: { ...env, [STATE_PROBE_ENV]: STATE_PROBE },
      maxBuffer: 16 * 1024 * 1024,
    });
    const state = extractJson<DjangoState>(stateRun.stdout);
    const settingsModule = state?.settingsModule ?? env['DJANGO_SETTINGS_MODULE'] ?? null;
    yield json('versions.json', {
      django: info.django,
      python: { version: info.version, executable: info.executable, implementation: info.implementation, virtualEnv: info.virtualEnv, prefix: info.prefix },
      settingsModule,
      project: project.dir,
      interpreter: { command: choice.command, source: choice.source, reason: choice.reason },
    });
    if (settingsModule) yield fact('django.settings', settingsModule);

    if (!state) {
      const detail = stateRun.timedOut ? `timed out after ${seconds(o.commandTimeoutMs)}` : (stateRun.error ?? lastLine(stateRun.stderr) ?? `exit code ${stateRun.exitCode}, no output`);
      yield text('probe-output.txt', outputOf(stateRun, o.commandTimeoutMs));
      yield problem('django/probe', `the read-only Django probe gave no result (${detail}); its output is in django/probe-output.txt`);
    } else if (state.settingsError) {
      const e = state.settingsError;
      yield text(
        'settings-error.txt',
        `The settings module ${settingsModule ?? '(unknown)'} failed to load, so no Django command could run.\n\n${e.traceback}\n`,
      );
      yield problem('django/settings', `settings module ${settingsModule ?? '(unknown)'} failed to load: ${e.error} (traceback in django/settings-error.txt; the other Django commands were not run)`);
      return;
    } else {
      yield* stateFacts(state);
      yield* stateArtifacts(state, djangoVersion);
    }
    const commit = await gitCommit(ctx.deps.exec, project.dir);
    if (commit) yield fact('project.git', commit);

    // Django's own commands, a few at a time; their text is yielded in a fixed order as each finishes.
    const plans = commandPlans(state, djangoVersion);
    const limit = limiter(Math.max(1, o.concurrency));
    const running = plans.map((p) => (p.skip ? undefined : limit(() => ctx.deps.exec.run(file, [...prefix, 'manage.py', ...p.args, '--no-color'], { ...base, maxBuffer: 4 * 1024 * 1024 }))));
    for (const r of running) r?.catch(() => undefined); // awaited below; never left unhandled if we stop early
    const results = new Map<string, CommandResult>();
    for (const [i, plan] of plans.entries()) {
      if (plan.skip) {
        yield problem(`django/${plan.path}`, `not collected: ${plan.skip}`);
        continue;
      }
      const r = await running[i]!;
      results.set(plan.path, r);
      yield text(plan.path, outputOf(r, o.commandTimeoutMs));
      if (r.timedOut) yield problem(`django/${plan.path}`, `manage.py ${plan.args.join(' ')} timed out after ${seconds(o.commandTimeoutMs)} and was killed; what it printed is kept`);
      else if (r.error) yield problem(`django/${plan.path}`, `manage.py ${plan.args.join(' ')}: ${r.error}`);
    }
    yield json('migrations.json', migrationsDoc(state, results, plans));
  },
});

/** The environment of every Python process: the run's, plus what keeps it read-only and parseable. */
function childEnv(runEnv: Readonly<Record<string, string | undefined>>, o: DjangoOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(runEnv)) if (v !== undefined) env[k] = v;
  env['PYTHONDONTWRITEBYTECODE'] = '1'; // no __pycache__ written into the project
  env['PYTHONIOENCODING'] = 'utf-8';
  env['COLLECT_BUNDLE_FAILED_JOBS'] = String(o.failedJobs);
  if (o.settings) env['DJANGO_SETTINGS_MODULE'] = o.settings;
  return env;
}

function interpreterDoc(project: ProjectLocation, choice: InterpreterChoice, info?: InterpreterInfo, others?: readonly OtherInterpreter[]): Record<string, unknown> {
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
function* stateFacts(state: DjangoState): Generator<Output> {
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
async function gitCommit(exec: Exec, dir: string): Promise<string | undefined> {
  const opts = { cwd: dir, timeoutMs: 10_000 };
  const head = await exec.run('git', ['rev-parse', '--short=12', 'HEAD'], opts).catch(() => undefined);
  if (!head || head.exitCode !== 0 || !/^[0-9a-f]{7,40}$/.test(head.stdout.trim())) return undefined;
  const branch = await exec.run('git', ['rev-parse', '--abbrev-ref', 'HEAD'], opts).catch(() => undefined);
  // --no-optional-locks: `git status` must not write the index (diagnostics are read-only).
  const status = await exec.run('git', ['--no-optional-locks', 'status', '--porcelain', '--untracked-files=no'], opts).catch(() => undefined);
  const b = branch?.exitCode === 0 ? branch.stdout.trim() : '';
  const dirty = status?.exitCode === 0 && status.stdout.trim() !== '' ? ', uncommitted changes' : '';
  return `${head.stdout.trim()}${b && b !== 'HEAD' ? ` (${b}${dirty})` : dirty ? ` (${dirty.slice(2)})` : ''}`;
}

/** The probe's sections as files; a section that raised is kept (error and traceback) and is a problem. */
function* stateArtifacts(state: DjangoState, djangoVersion: string): Generator<Output> {
  const sectionProblem = function* (path: string, value: unknown): Generator<Output> {
    if (isSectionError(value)) yield problem(`django/${path}`, `could not be read: ${value.error}`);
  };
  const databases = state.databases;
  yield json('databases.json', {
    method: versionAtLeast(djangoVersion, 3, 1)
      ? 'a read-only connection test per alias (SELECT 1 in a rolled-back transaction); manage.py check --database in check-database.txt'
      : 'a read-only connection test per alias (SELECT 1 in a rolled-back transaction); check --database needs Django 3.1',
    databases: databases ?? null,
  });
  yield* sectionProblem('databases.json', databases);

  yield json('checks.json', state.checks ?? null);
  yield* sectionProblem('checks.json', state.checks);
  for (const [name, part] of Object.entries(isSectionError(state.checks) ? {} : (state.checks ?? {}))) yield* sectionProblem(`checks.json (${name})`, part);

  const diff = state.diffsettings;
  if (Array.isArray(diff)) {
    yield text(
      'diffsettings.txt',
      [
        "# manage.py diffsettings: the settings that differ from Django's defaults ('###': not a Django setting).",
        "# Values under secret-looking names, and passwords in URLs, were replaced by '********' inside the",
        '# Python process, before they were printed.',
        ...diff,
        '',
      ].join('\n'),
    );
  } else yield* sectionProblem('diffsettings.txt', diff);

  const cm = state.containerManager;
  yield json('container-manager.json', cm ?? null);
  yield* sectionProblem('container-manager.json', cm);
  if (cm && !isSectionError(cm)) {
    yield* sectionProblem('container-manager.json (jobs)', cm['jobs']);
    yield* sectionProblem('container-manager.json (executorHosts)', cm['executorHosts']);
  }
}

/** Django's read-only commands for the text files, each with the reason when it cannot run (exported for tests). */
export function commandPlans(state: DjangoState | undefined, version: string): CommandPlan[] {
  const skipChecks = versionAtLeast(version, 3, 0) ? ['--skip-checks'] : []; // the checks have their own files
  const databases = Array.isArray(state?.databases) ? state.databases : undefined;
  const reachable = databases?.filter((d) => d.reachable).map((d) => d.alias) ?? [];
  const defaultDb = databases?.find((d) => d.alias === 'default');
  // Without the probe's answer the commands are still tried: their own errors then say what is wrong.
  const defaultDown = databases && !defaultDb?.reachable ? `the default database is not reachable (${defaultDb?.error ?? 'no default alias'}; see django/databases.json)` : undefined;
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
    { path: 'check.txt', args: ['check'] },
    { path: 'check-deploy.txt', args: ['check', '--deploy'] },
    { path: 'check-database.txt', args: ['check', ...reachable.flatMap((a) => ['--database', a])], ...(databaseCheck ? { skip: databaseCheck } : {}) },
    { path: 'showmigrations.txt', args: ['showmigrations', ...skipChecks], ...(defaultDown ? { skip: defaultDown } : {}) },
    { path: 'makemigrations-check.txt', args: ['makemigrations', '--check', '--dry-run', ...skipChecks], ...(makemigrations ? { skip: makemigrations } : {}) },
    {
      path: 'migrate-plan.txt',
      args: ['migrate', '--plan', ...skipChecks],
      ...(defaultDown ? { skip: defaultDown } : !versionAtLeast(version, 2, 2) ? { skip: `migrate --plan needs Django 2.2 (this is ${version})` } : {}),
    },
  ];
}

/** migrations.json: the probe's migration state plus what makemigrations --check and migrate --plan said. */
function migrationsDoc(state: DjangoState | undefined, results: ReadonlyMap<string, CommandResult>, plans: readonly CommandPlan[]): Record<string, unknown> {
  const skipped = (path: string): string | undefined => plans.find((p) => p.path === path)?.skip;
  const makemigrations = results.get('makemigrations-check.txt');
  const migrate = results.get('migrate-plan.txt');
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
      : { command: 'makemigrations --check --dry-run', notRun: skipped('makemigrations-check.txt') ?? 'not run' },
    migratePlan: migrate
      ? { command: 'migrate --plan', exitCode: migrate.exitCode, planned: parseMigratePlan(planOut) ?? null, conflicts: parseConflicts(planOut) ?? {} }
      : { command: 'migrate --plan', notRun: skipped('migrate-plan.txt') ?? 'not run' },
  };
}

/** A command's text file: stdout, then stderr, then a note when it did not end by itself. */
function outputOf(r: CommandResult, timeoutMs: number): string {
  let out = r.stdout;
  if (r.stderr) out += `${out && !out.endsWith('\n') ? '\n' : ''}${r.stderr}`;
  if (r.timedOut) out += `\n[collect-bundle: timed out after ${seconds(timeoutMs)} and was killed; above is what it printed until then]\n`;
  else if (r.error) out += `\n[collect-bundle: ${r.error}]\n`;
  return out;
}

/** Runs at most `n` of the given tasks at once. */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return (task) =>
    new Promise((resolve, reject) => {
      const go = (): void => {
        active++;
        task()
          .then(resolve, reject)
          .finally(() => {
            active--;
            waiting.shift()?.();
          });
      };
      if (active < n) go();
      else waiting.push(go);
    });
}

const seconds = (ms: number): string => `${+(ms / 1000).toFixed(1)}s`;

function lastLine(text: string): string | undefined {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1]?.trim() || undefined;
}
