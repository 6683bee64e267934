// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * The Python code collect-bundle runs in the project's interpreter. It lives in `.py` files next to this
 * module (collectors/django/py/, shipped with the package: `files` in package.json), so it can be
 * compiled, linted and read as Python; it is read once, when this module loads. Every probe prints one
 * JSON document between markers, so stray prints from settings or apps cannot break the parsing. All
 * only read: no migrations, no writes, no files created (the collector also sets
 * PYTHONDONTWRITEBYTECODE, so not even __pycache__ appears in the project).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Marks the start of the JSON document in a probe's stdout. */
export const BEGIN_MARKER = '<<<collect-bundle:json>>>';
/** Marks its end. */
export const END_MARKER = '<<<collect-bundle:end>>>';

/**
 * The folder of the `.py` files: next to this module when it runs from source (tests), and the
 * package's own collectors/django/py/ when it runs from dist/ (tsc does not copy .py files, and a
 * copy could go stale): dist/collectors/django/ is three levels below the package root, and so is
 * the command line's bundle (dist/cli/chunks/, scripts/bundle-cli.mjs); two, should this code ever
 * land in the bundle's dist/cli/main.js. The first folder that holds the files wins.
 */
export const PY_DIR: string = (() => {
  const candidates = ['./py/', '../../../collectors/django/py/', '../../collectors/django/py/'].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  return candidates.find((dir) => existsSync(`${dir}_shared.py`)) ?? candidates[0]!;
})();

/** Every `.py` file shipped in PY_DIR (a test compiles each one with python3 -m py_compile). */
export const PY_FILES = ['_shared.py', 'interpreter.py', 'state.py', 'settings_tree.py', 'session.py', 'container_manager.py', 'job.py', 'hosts.py'] as const;

const readPy = (name: (typeof PY_FILES)[number]): string => {
  try {
    return readFileSync(`${PY_DIR}${name}`, 'utf8');
  } catch (err) {
    throw new Error(`collect-bundle is incomplete: cannot read its Django probe ${PY_DIR}${name} (${(err as Error).message}); reinstall the package`);
  }
};

/**
 * A probe that loads the project: _shared.py (secret names, the container_manager app, run_manage_py)
 * in front of the probe's own file, which ends by running manage.py with its `probe_main`.
 */
const withShared = (name: 'session.py' | 'job.py' | 'hosts.py', ...before: ('container_manager.py' | 'settings_tree.py' | 'state.py')[]): string =>
  [readPy('_shared.py'), ...before.map(readPy), readPy(name)].join('\n\n');

/**
 * Which Python this is and whether it can import Django (py/interpreter.py). Short enough to pass in
 * argv, so the manifest shows exactly what ran; needs no project code and no settings.
 */
export const INTERPRETER_PROBE = readPy('interpreter.py');

/**
 * The Django probe (py/state.py): run as `python -c STATE_PROBE_BOOTSTRAP` with the code in the
 * environment variable STATE_PROBE_ENV, in the project directory. It runs manage.py itself (so its
 * default settings module, sys.path changes and .env loading apply) with Django's
 * execute_from_command_line replaced by the probe. Reads versions, database reachability (never
 * creating a missing SQLite file), system checks, migration state, settings (diffsettings form, secrets
 * replaced before printing) and container_manager status. Database reads happen in rolled-back
 * transactions that are read-only where the database supports it. Its markers are spelled out in the
 * Python code: they must stay equal to BEGIN_MARKER and END_MARKER.
 */
// container_manager.py is the probe's container_manager section; session.py runs state.py's probe_main,
// then Django's commands (COMMANDS_ENV), in the same process.
export const STATE_PROBE = withShared('session.py', 'container_manager.py', 'settings_tree.py', 'state.py');

/** Marks each command's result document in the session's stdout (py/session.py spells it out). */
export const COMMAND_MARKER = '<<<collect-bundle:command>>>';
/** Where the session finds the commands to run (JSON, see CommandSpec). */
export const COMMANDS_ENV = 'COLLECT_BUNDLE_COMMANDS';
/** Where it finds each step's time limit, in seconds. */
export const COMMAND_TIMEOUT_ENV = 'COLLECT_BUNDLE_COMMAND_TIMEOUT';

/** One command's result as the session prints it: as `manage.py` would have ended, or skipped (its precondition failed). */
export interface SessionCommand {
  readonly path: string;
  readonly skipped?: boolean;
  /** argv as if manage.py ran it: `manage.py`, the command and its arguments. */
  readonly argv?: readonly string[];
  readonly exitCode?: number | null;
  readonly timedOut?: boolean;
  readonly durationMs?: number;
  readonly stdout?: string;
  readonly stderr?: string;
}

/** Every command document the session printed, in order (a document cut by a kill is left out). */
export function extractCommands(stdout: string): SessionCommand[] {
  const out: SessionCommand[] = [];
  for (let at = stdout.indexOf(COMMAND_MARKER); at !== -1; at = stdout.indexOf(COMMAND_MARKER, at + 1)) {
    const end = stdout.indexOf(END_MARKER, at);
    if (end === -1) break;
    try {
      out.push(JSON.parse(stdout.slice(at + COMMAND_MARKER.length, end)) as SessionCommand);
    } catch {
      // a document cut short by the kill: the command is reported as not finished
    }
  }
  return out;
}

/** Where STATE_PROBE travels: an environment variable, so the manifest's argv stays short and readable. */
export const STATE_PROBE_ENV = 'COLLECT_BUNDLE_CODE';

/** The `-c` argument that runs STATE_PROBE (recorded in the manifest as the command). */
export const STATE_PROBE_BOOTSTRAP = `import os; exec(os.environ['${STATE_PROBE_ENV}'])  # collect-bundle django probe (read-only)`;

/** The JSON document a probe printed between the markers, or undefined when there is none. */
export function extractJson<T = unknown>(stdout: string): T | undefined {
  const begin = stdout.lastIndexOf(BEGIN_MARKER);
  if (begin === -1) return undefined;
  const end = stdout.indexOf(END_MARKER, begin);
  if (end === -1) return undefined;
  try {
    return JSON.parse(stdout.slice(begin + BEGIN_MARKER.length, end)) as T;
  } catch {
    return undefined;
  }
}

/** Where the job probe finds the job id it looks up (never in argv: the manifest shows argv). Spelled out in py/job.py. */
export const JOB_ID_ENV = 'COLLECT_BUNDLE_JOB_ID';

/**
 * The job lookup probe (py/job.py, `--job ID`): loads the project as manage.py does and reads ONE row
 * of the container_manager job model, by primary key (or a uuid/external id field), in a rolled-back,
 * read-only transaction (SQLite connections query_only). It prints the record with environment
 * fields reduced to their variable names, secret-named fields masked and URL passwords masked; the
 * values of secret-named variables and the raw text of command fields come back separately, so the
 * caller can declare them to the redactor and shape command lines (they never reach the bundle as is).
 * Errors come back as `{error, kind}` with kind settings, no-model, database or not-found.
 */
export const JOB_PROBE = withShared('job.py');

/**
 * The executor host probe (py/hosts.py, `--executor-hosts`): loads the project as manage.py does and
 * reads the container_manager ExecutorHost rows (name, connection string, type, active, TLS flags) in a
 * rolled-back, read-only transaction. The connection strings come back as they are and stay in memory:
 * the run connects with them; the bundle shows them masked (container-manager.json).
 */
export const HOSTS_PROBE = withShared('hosts.py');
