// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * `django`: the Django side of the system, with the project's own interpreter. Finds the project
 * (manage.py) and the interpreter (see django/interpreter.ts), then runs one read-only probe for the
 * structured state (versions, databases, system checks, migrations, settings, container_manager jobs and
 * executor hosts) and Django's own read-only commands for the text a support engineer knows: check,
 * check --deploy, check --database, showmigrations, makemigrations --check --dry-run, migrate --plan
 * (captured `command(...)` declarations in a `group(...)`, `concurrency` at a time, parsed into
 * migrations.json by their `after`). The probes stay code: their JSON answers decide what runs next.
 * Nothing is migrated or written; every command runs with stdin closed and its own timeout.
 */
import { z } from 'zod';
import { defineCollector, fact, json, problem, text } from '../src/core/artifacts.js';
import { defineOptions, option, type OptionValues } from '../src/core/options.js';
import { nonEmpty, path, timerMs, wholeAtLeast } from '../src/core/validators.js';
import { capturedText, command, group } from './declare.js';
import type { CommandResult, ExecOptions } from '../src/core/types.js';
import { commandPlans, gitCommit, interpreterDoc, lastLine, migrationsDoc, seconds, stateArtifacts, stateFacts, type DjangoState } from './django/documents.js';
import { chooseInterpreter, findProject, interpreterCandidates, noDjangoMessage, probeInterpreter, probeOthers } from './django/interpreter.js';
import { SECRETS_PROBE, STATE_PROBE, STATE_PROBE_BOOTSTRAP, STATE_PROBE_ENV, extractJson } from './django/probes.js';
import { DJANGO, DJANGO_FILES, FOLDER } from '../src/bundle/layout.js';

export { commandPlans, type CommandPlan, type DatabaseEntry, type DjangoState, type SectionError } from './django/documents.js';

/** The `-c` argument of the secrets probe (recorded in the manifest as the command; the code is in the environment). */
const SECRETS_PROBE_BOOTSTRAP = `import os; exec(os.environ['${STATE_PROBE_ENV}'])  # collect-bundle django secrets probe (read-only; values stay in memory)`;

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
  concurrency: option(wholeAtLeast(1), { default: 2, type: 'number', describe: 'Django commands run at once (each is a Python process of its own)' }),
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

    // One probe process for the structured state; its code travels in the environment (see probes.ts).
    const [file, ...prefix] = choice.command as [string, ...string[]];
    const stateRun = await ctx.deps.exec.run(file, [...prefix, '-c', STATE_PROBE_BOOTSTRAP], {
      ...base,
      env: { ...env, [STATE_PROBE_ENV]: STATE_PROBE },
      maxBuffer: 16 * 1024 * 1024,
    });
    const state = extractJson<DjangoState>(stateRun.stdout);
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

    // Django's own commands, a few at a time (each a Python process); their text is stored in a fixed order.
    const plans = commandPlans(state, djangoVersion);
    const results = new Map<string, CommandResult>();
    yield group(
      plans.map((plan) =>
        plan.skip
          ? problem(`${FOLDER.django}/${plan.path}`, `not collected: ${plan.skip}`)
          : command(plan.path, [file, ...prefix, 'manage.py', ...plan.args, '--no-color'], {
              capture: 'stdout-then-stderr',
              cwd: project.dir,
              env,
              timeoutMs: o.commandTimeoutMs,
              maxBytes: 4 * 1024 * 1024,
              // Exit codes are Django's answers (makemigrations --check exits 1 on changes): parsed, not problems.
              after: ({ record, stdout, stderr }) => {
                results.set(plan.path, { ...record, stdout, stderr });
                const what = `manage.py ${plan.args.join(' ')}`;
                if (record.timedOut)
                  return [
                    problem(`${FOLDER.django}/${plan.path}`, `${what} timed out after ${seconds(o.commandTimeoutMs)} and was killed; what it printed is kept`),
                  ];
                if (record.error) return [problem(`${FOLDER.django}/${plan.path}`, `${what}: ${record.error}`)];
                return [];
              },
            }),
      ),
      { concurrency: o.concurrency },
    );
    // Built once the group has run (the runner executes it before the collector goes on).
    yield json(DJANGO_FILES.migrations, async () => migrationsDoc(state, results, plans));
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
