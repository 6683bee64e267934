// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * `django`: the Django side of the system, with the project's own interpreter. Finds the project
 * (manage.py) and the interpreter (see django/interpreter.ts), then runs ONE Python process that
 * imports Django once: a read-only probe for the structured state (versions, databases, system checks,
 * migrations, settings, container_manager jobs and executor hosts), then Django's own read-only
 * commands for the text a support engineer knows (check, check --deploy, check --database,
 * showmigrations, makemigrations --check --dry-run, migrate --plan), each through manage.py's own entry
 * with its output captured and its own time limit (py/session.py). Each is recorded in the manifest as
 * if manage.py had run it (`ranIn` names the process). Nothing is migrated or written.
 */
import { z } from 'zod';
import { defineCollector, fact, json, problem, text } from '../src/core/artifacts.js';
import { defineOptions, option, type OptionValues } from '../src/core/options.js';
import { nonEmpty, path, timerMs, wholeAtLeast } from '../src/core/validators.js';
import { capturedText } from './declare.js';
import type { CommandRecord, CommandResult, ExecOptions } from '../src/core/types.js';
import {
  commandPlans,
  commandSpecs,
  gitCommit,
  interpreterDoc,
  lastLine,
  migrationsDoc,
  seconds,
  stateArtifacts,
  stateFacts,
  type DjangoState,
} from './django/documents.js';
import { chooseInterpreter, findProject, interpreterCandidates, noDjangoMessage, probeInterpreter, probeOthers } from './django/interpreter.js';
import { extractCommands, extractJson } from './django/probes.js';
import { leaveSession, runSession, sessionLimitMs, takeSession } from './django/session.js';
import { DJANGO, DJANGO_FILES, FOLDER } from '../src/bundle/layout.js';

export { commandPlans, type CommandPlan, type DatabaseEntry, type DjangoState, type SectionError } from './django/documents.js';

/** The django collector's options. */
export const djangoOptions = defineOptions({
  djangoDir: option(path('the Django project folder'), {
    flag: 'django-dir',
    configAliases: ['dir'],
    path: true,
    defaultText: 'the current directory, else one level below',
    describe: 'Django project directory (with manage.py)',
  }),
  settings: option(nonEmpty('a settings module such as "app.settings.prod"'), {
    flag: 'settings',
    defaultText: 'what the environment and manage.py say',
    describe: 'DJANGO_SETTINGS_MODULE for the Django commands',
  }),
  python: option(nonEmpty('an interpreter path, name or command'), {
    flag: 'python',
    defaultText: 'uv, $VIRTUAL_ENV, .venv, venv, python3',
    describe: 'The project\'s Python: a path, a name on PATH or a command ("poetry run python"), split on spaces without a shell',
  }),
  commandTimeoutMs: option(timerMs(), { default: 60_000, type: 'number', describe: 'Milliseconds each Django command may run' }),
  concurrency: option(wholeAtLeast(1), {
    default: 2,
    type: 'number',
    describe: "Unused: the Django commands run one after another in the collector's one Python process (kept so configurations stay valid)",
  }),
  environment: option(
    z.enum(['production', 'staging', 'development', 'test'], {
      error: (iss) => `expected production, staging, development or test${typeof iss.input === 'string' ? `, got "${iss.input}"` : ''}`,
    }),
    {
      flag: 'environment',
      defaultText: 'decided on evidence in the settings',
      describe:
        'Where these Django settings run: with production or staging, DEBUG = True and check --deploy issues are errors; with development or test, they are not reported',
    },
  ),
  failedJobs: option(wholeAtLeast(0), { default: 20, type: 'number', describe: 'How many of the latest failed container jobs are listed' }),
  cwd: option(z.string(), { internal: true, describe: "Where to look for the project when djangoDir is unset (default: the process's current directory)" }),
});
export type DjangoOptions = OptionValues<typeof djangoOptions>;

export default defineCollector({
  name: 'django',
  description: 'Django: interpreter, versions, system checks, databases, migrations, settings (redacted), container_manager jobs and executors',
  defaultEnabled: true,
  options: djangoOptions,
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
    // The one Django process runs here, in full: it names the secrets first, and collect() takes the rest.
    const base = execBase(project.dir, childEnv(ctx.deps.env, o), o);
    const key = sessionKey(project.dir, choice.command, o);
    const probed = await probeInterpreter(ctx.deps.exec, choice.command, base);
    if (!probed.ok || !probed.info.django) {
      leaveSession(ctx.deps.secrets, { key, probed });
      return [];
    }
    const { secrets, run } = await runSession(ctx.deps.exec, choice.command, base, commandSpecs(probed.info.django.version), o.commandTimeoutMs);
    leaveSession(ctx.deps.secrets, { key, probed, run });
    return secrets;
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
    const base = execBase(project.dir, env, o);
    // What the secrets hook ran before collection (the same project, interpreter and options), else run now.
    const early = takeSession(ctx.deps.secrets, sessionKey(project.dir, choice.command, o));
    const probed = early?.probed ?? (await probeInterpreter(ctx.deps.exec, choice.command, base));
    if (!probed.ok) {
      yield json(DJANGO_FILES.interpreter, { ...interpreterDoc(project, choice), error: probed.error });
      throw new Error(probed.error);
    }
    const info = probed.info;
    yield fact('django.python', `${info.version} (${info.executable})`);
    if (!info.django) {
      const paths = await interpreterCandidates({ env: ctx.deps.env, projectDir: project.dir, exclude: [choice.command[0]!, info.executable] });
      const others = await probeOthers(ctx.deps.exec, paths, { cwd: project.dir, env });
      yield json(DJANGO_FILES.interpreter, interpreterDoc(project, choice, info, others));
      throw new Error(noDjangoMessage(choice, info, others));
    }
    const djangoVersion = info.django.version;
    yield fact('django', djangoVersion);
    yield json(DJANGO_FILES.interpreter, interpreterDoc(project, choice, info));

    // One Python process for everything that needs Django: the settings' secrets, the probe's structured
    // state, then Django's own commands (py/session.py, see django/session.ts), each under its own limit.
    const [file, ...prefix] = choice.command as [string, ...string[]];
    const specs = commandSpecs(djangoVersion);
    let stateRun = early?.run;
    if (!stateRun) {
      // No secrets hook ran (a caller that only collects): the secrets are learned now, late but not lost.
      const session = await runSession(ctx.deps.exec, choice.command, base, specs, o.commandTimeoutMs);
      for (const value of session.secrets) ctx.deps.secrets.add(value);
      stateRun = session.run;
    }
    const state = extractJson<DjangoState>(stateRun.stdout);
    const ran = new Map(extractCommands(stateRun.stdout).map((c) => [c.path, c]));
    const settingsModule = state?.settingsModule ?? env['DJANGO_SETTINGS_MODULE'] ?? null;
    yield json(DJANGO_FILES.versions, {
      django: info.django,
      python: { version: info.version, executable: info.executable, implementation: info.implementation, virtualEnv: info.virtualEnv, prefix: info.prefix },
      settingsModule,
      project: project.dir,
      interpreter: { command: choice.command, source: choice.source, reason: choice.reason },
    });
    if (settingsModule) yield fact('django.settings', settingsModule);

    if (!state) {
      const detail = stateRun.timedOut
        ? `timed out after ${seconds(o.commandTimeoutMs)}`
        : (stateRun.error ?? lastLine(stateRun.stderr) ?? `exit code ${stateRun.exitCode}, no output`);
      yield text(DJANGO_FILES.probeOutput, capturedText(stateRun, o.commandTimeoutMs));
      yield problem(`${FOLDER.django}/probe`, `the read-only Django probe gave no result (${detail}); its output is in ${DJANGO.probeOutput}`);
    } else if (state.settingsError) {
      const e = state.settingsError;
      yield text(
        DJANGO_FILES.settingsError,
        `The settings module ${settingsModule ?? '(unknown)'} failed to load, so no Django command could run.\n\n${e.traceback}\n`,
      );
      yield problem(
        `${FOLDER.django}/settings`,
        `settings module ${settingsModule ?? '(unknown)'} failed to load: ${e.error} (traceback in ${DJANGO.settingsError}; the other Django commands were not run)`,
      );
      return;
    } else {
      yield* stateFacts(state);
      yield* stateArtifacts(state, djangoVersion);
    }
    const commit = await gitCommit(ctx.deps.exec, project.dir);
    if (commit) yield fact('project.git', commit);

    // Django's own commands, as they ran in that process; their text is stored in a fixed order.
    const plans = commandPlans(state, djangoVersion);
    const results = new Map<string, CommandResult>();
    const processEnd = stateRun.timedOut
      ? `the Django process was killed after ${seconds(sessionLimitMs(specs, o.commandTimeoutMs))}`
      : `the Django process ended first (${stateRun.error ?? lastLine(stateRun.stderr) ?? `exit code ${stateRun.exitCode}`})`;
    for (const plan of plans) {
      const item = `${FOLDER.django}/${plan.path}`;
      const what = `manage.py ${plan.args.join(' ')}`;
      const done = ran.get(plan.path);
      if (plan.skip) yield problem(item, `not collected: ${plan.skip}`);
      else if (!done) yield { ...problem(item, `${what} did not run: ${processEnd}`), lost: true };
      else if (done.skipped) yield problem(item, `not collected: the Django process found its precondition unmet (${what})`);
      else {
        const record: CommandRecord = {
          argv: [file, ...prefix, ...(done.argv ?? ['manage.py', ...plan.args])],
          cwd: project.dir,
          exitCode: done.exitCode ?? null,
          durationMs: Math.max(1, done.durationMs ?? 0),
          timedOut: done.timedOut === true,
          ...(done.stderr?.trim() ? { stderrTail: done.stderr.slice(-4096).trim() } : {}),
          ranIn: `the django collector's Python process (${file}${prefix.length ? ` ${prefix.join(' ')}` : ''} -c …django probe), through ManagementUtility as manage.py runs it`,
        };
        ctx.deps.exec.record(record);
        const result: CommandResult = { ...record, stdout: done.stdout ?? '', stderr: done.stderr ?? '' };
        results.set(plan.path, result);
        yield text(plan.path, capturedText(result, o.commandTimeoutMs));
        if (record.timedOut) yield problem(item, `${what} timed out after ${seconds(o.commandTimeoutMs)} and was stopped; what it printed is kept`);
      }
    }
    // Built once the group has run (the runner executes it before the collector goes on).
    yield json(DJANGO_FILES.migrations, async () => migrationsDoc(state, results, plans));
  },
});

/** How every Python process of the collector runs: in the project, its stderr tail kept, each step's limit. */
const execBase = (dir: string, env: Record<string, string>, o: DjangoOptions): ExecOptions & { env: Record<string, string> } => ({
  cwd: dir,
  env,
  timeoutMs: o.commandTimeoutMs,
  recordStderr: true,
});

/** Which project, interpreter and options a session ran for (the hand-over from the secrets hook must match). */
const sessionKey = (dir: string, command: readonly string[], o: DjangoOptions): string => JSON.stringify([dir, command, o]);

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
