// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * Finding the Django project and the Python interpreter that runs it. The `python3` first on PATH is
 * often not the project's (a pyenv shim, the system Python without the app's packages), so the choice is
 * made in a fixed, documented order and recorded with the reason; when the chosen interpreter cannot
 * import Django, the other interpreters on this machine are probed to say which one can.
 */
import { access, constants, readdir, realpath, stat } from 'node:fs/promises';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import type { Exec, ExecOptions } from '../../src/core/types.js';
import { findOnPath } from '../system.js';
import { INTERPRETER_PROBE, extractJson } from './probes.js';
import type { DjangoInterpreterSource } from '../../src/bundle/layout.js';

/** Where the project is. */
export interface ProjectLocation {
  /** Absolute directory holding manage.py; commands run here. */
  readonly dir: string;
  /** How it was found, for the bundle. */
  readonly how: string;
}

/** Where the interpreter choice came from, in discovery order (the bundle contract's type: interpreter.json stores it). */
export type InterpreterSource = DjangoInterpreterSource;

/** The interpreter a run uses, and why. */
export interface InterpreterChoice {
  /** The program and the arguments that come before the script, e.g. `['/usr/bin/uv', 'run', '--no-sync', 'python']`. */
  readonly command: readonly string[];
  readonly source: InterpreterSource;
  /** One sentence: why this one. */
  readonly reason: string;
  /** Candidates looked at before it and why each was not taken. */
  readonly considered: readonly { readonly candidate: string; readonly skipped: string }[];
}

/** What INTERPRETER_PROBE reports about an interpreter. */
export interface InterpreterInfo {
  readonly executable: string;
  readonly realExecutable: string;
  readonly version: string;
  readonly implementation: string;
  readonly prefix: string;
  readonly basePrefix: string;
  readonly virtualEnv: boolean;
  readonly django?: { readonly version: string; readonly path: string };
  readonly djangoError?: string;
}

/** The outcome of probing one interpreter. */
export type ProbeResult = { readonly ok: true; readonly info: InterpreterInfo } | { readonly ok: false; readonly error: string };

/** Another interpreter on this machine and whether it can import Django. */
export interface OtherInterpreter {
  readonly path: string;
  readonly python?: string;
  readonly executable?: string;
  readonly django?: string;
  readonly error?: string;
}

/** At most this many other interpreters are probed when the chosen one lacks Django. */
export const MAX_OTHER_INTERPRETERS = 12;
/** Each of those probes may take this long. */
export const OTHER_PROBE_TIMEOUT_MS = 5_000;

const isExecutable = async (path: string): Promise<boolean> => {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
};

const isFile = async (path: string): Promise<boolean> => {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
};

/**
 * The project directory: `dir` when given (relative to `cwd`), else `cwd` if it has manage.py, else the
 * single subdirectory of `cwd` that has one. A string is the reason there is none.
 */
export async function findProject(dir: string | undefined, cwd: string): Promise<ProjectLocation | string> {
  if (dir) {
    const abs = resolve(cwd, dir);
    if (await isFile(join(abs, 'manage.py'))) return { dir: abs, how: '--django-dir' };
    return `no manage.py in ${abs} (--django-dir)`;
  }
  if (await isFile(join(cwd, 'manage.py'))) return { dir: cwd, how: 'manage.py in the current directory' };
  let entries: { name: string; isDirectory(): boolean }[] = [];
  try {
    entries = await readdir(cwd, { withFileTypes: true });
  } catch {
    // An unreadable directory has no project we can use; the reason below says where we looked.
  }
  const found: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!e.isDirectory() || e.name.startsWith('.') || e.name === 'node_modules') continue;
    if (await isFile(join(cwd, e.name, 'manage.py'))) found.push(e.name);
  }
  if (found.length === 1) return { dir: join(cwd, found[0]!), how: `manage.py one level below the current directory (${found[0]}/)` };
  if (found.length > 1) return `several Django projects below ${cwd} (${found.map((f) => `${f}/`).join(', ')}): choose one with --django-dir`;
  return `no manage.py in ${cwd} or one level below (point --django-dir at the project)`;
}

/** Splits a `--python` value on whitespace (no shell: quotes are not interpreted). */
export function splitCommand(value: string): string[] {
  return value.trim().split(/\s+/).filter(Boolean);
}

export interface ChooseInput {
  readonly projectDir: string;
  /** `--python`: a path, a name on PATH, or a command with arguments (`uv run python`). */
  readonly python?: string | undefined;
  /** The run's environment (PATH, VIRTUAL_ENV). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Relative `--python` paths are taken from here (the user's current directory). */
  readonly cwd: string;
}

/**
 * Chooses the interpreter, in order: `--python`; `uv run --no-sync python` when uv.lock is present and
 * uv is on PATH (`--no-sync`: uv neither updates uv.lock nor installs packages, as a read-only tool
 * must); `$VIRTUAL_ENV/bin/python`; the project's `.venv/bin/python`, then `venv/bin/python`; `python3`
 * on PATH. A string is the reason there is none.
 */
export async function chooseInterpreter(input: ChooseInput): Promise<InterpreterChoice | string> {
  const path = input.env['PATH'] ?? '';
  const considered: { candidate: string; skipped: string }[] = [];
  if (input.python?.trim()) {
    const [program, ...args] = splitCommand(input.python);
    let file = program!;
    if (file.includes('/')) file = resolve(input.cwd, file);
    else {
      const found = await findOnPath(file, path);
      if (!found) return `--python ${input.python}: ${file} is not on PATH`;
      file = found;
    }
    return { command: [file, ...args], source: 'option', reason: 'given with --python', considered };
  }

  if (await isFile(join(input.projectDir, 'uv.lock'))) {
    const uv = await findOnPath('uv', path);
    if (uv) return { command: [uv, 'run', '--no-sync', 'python'], source: 'uv', reason: `the project has uv.lock and uv is on PATH (${uv})`, considered };
    considered.push({ candidate: 'uv run python', skipped: 'the project has uv.lock but uv is not on PATH' });
  }

  const venv = input.env['VIRTUAL_ENV'];
  if (venv) {
    const candidate = join(venv, 'bin', 'python');
    if (await isExecutable(candidate))
      return { command: [candidate], source: 'virtual-env', reason: `VIRTUAL_ENV is set (an activated virtual environment: ${venv})`, considered };
    considered.push({ candidate, skipped: 'VIRTUAL_ENV is set but it has no bin/python' });
  }

  for (const name of ['.venv', 'venv']) {
    const candidate = join(input.projectDir, name, 'bin', 'python');
    if (await isExecutable(candidate))
      return { command: [candidate], source: 'project-venv', reason: `the project has a virtual environment in ${name}/`, considered };
  }
  considered.push({ candidate: '.venv/bin/python, venv/bin/python', skipped: 'no virtual environment in the project directory' });

  const python3 = await findOnPath('python3', path);
  if (python3)
    return { command: [python3], source: 'path', reason: 'the first python3 on PATH (no --python, uv project or virtual environment found)', considered };
  return 'no Python interpreter found: no --python, no uv project, no virtual environment, and no python3 on PATH';
}

/** Runs INTERPRETER_PROBE with `command` (in `options.cwd`). */
export async function probeInterpreter(exec: Exec, command: readonly string[], options: ExecOptions): Promise<ProbeResult> {
  const [file, ...args] = command;
  const r = await exec.run(file!, [...args, '-c', INTERPRETER_PROBE], { maxBuffer: 256 * 1024, ...options });
  const info = extractJson<InterpreterInfo>(r.stdout);
  if (info) return { ok: true, info };
  const detail = r.timedOut
    ? `timed out after ${+((options.timeoutMs ?? 0) / 1000).toFixed(1)}s and was killed`
    : (r.error ?? lastLine(r.stderr) ?? `exit code ${r.exitCode}`);
  return { ok: false, error: `${command.join(' ')} could not be run as Python: ${detail}` };
}

/**
 * Interpreters on this machine worth trying, bounded: /usr/bin/python3, /usr/local/bin/python3, every
 * `python3`/`python3.N` on PATH, and the virtual environments in reach. `exclude` are paths already tried.
 * A pyenv shims directory on PATH stands for the versions it installed: those are tried directly, as
 * each shim starts a shell and pyenv (seconds apiece) only to fail for every version not selected.
 */
export async function interpreterCandidates(input: {
  env: Readonly<Record<string, string | undefined>>;
  projectDir: string;
  exclude: readonly string[];
}): Promise<string[]> {
  const list: string[] = ['/usr/bin/python3', '/usr/local/bin/python3'];
  for (const dir of (input.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    if (basename(dir) === 'shims') {
      const versions = join(dirname(dir), 'versions');
      const installed = await readdir(versions).catch(() => undefined);
      if (installed) {
        installed.sort((a, b) => b.localeCompare(a, 'en', { numeric: true }));
        for (const v of installed) list.push(join(versions, v, 'bin', 'python3'));
        continue;
      }
    }
    const names = await readdir(dir).catch(() => [] as string[]);
    const pythons = names.filter((n) => /^python3(\.\d+)?$/.test(n));
    // python3 first, then the newest minor versions.
    pythons.sort((a, b) => minor(b) - minor(a));
    for (const n of pythons) list.push(join(dir, n));
  }
  const venv = input.env['VIRTUAL_ENV'];
  if (venv) list.push(join(venv, 'bin', 'python'));
  list.push(join(input.projectDir, '.venv', 'bin', 'python'), join(input.projectDir, 'venv', 'bin', 'python'));

  const out: string[] = [];
  const seen = new Set<string>(input.exclude);
  for (const path of list) {
    if (out.length >= MAX_OTHER_INTERPRETERS) break;
    // /bin/python3 and /usr/bin/python3 are one file on merged-/usr systems; a venv's python is a
    // symlink to the base interpreter but a different environment, so only the directory is resolved.
    const key = await realpath(dirname(path)).then(
      (d) => join(d, basename(path)),
      () => path,
    );
    if (seen.has(path) || seen.has(key)) continue;
    seen.add(path);
    seen.add(key);
    if (await isExecutable(path)) out.push(path);
  }
  return out;
}

/** `python3` sorts first (Infinity), then `python3.N` by N, newest first. */
function minor(name: string): number {
  const m = /\.(\d+)$/.exec(name);
  return m ? Number(m[1]) : Number.POSITIVE_INFINITY;
}

/** Probes `paths` in parallel (a few at a time, each with a short timeout); duplicates of one environment are dropped. */
export async function probeOthers(exec: Exec, paths: readonly string[], options: ExecOptions): Promise<OtherInterpreter[]> {
  const results: { other: OtherInterpreter; environment?: string }[] = new Array(paths.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < paths.length) {
      const i = next++;
      const path = paths[i]!;
      const r = await probeInterpreter(exec, [path], { ...options, timeoutMs: OTHER_PROBE_TIMEOUT_MS, maxBuffer: 64 * 1024 });
      if (!r.ok) {
        results[i] = { other: { path, error: r.error.replace(`${path} could not be run as Python: `, '') } };
        continue;
      }
      const { info } = r;
      const django = info.django ? { django: info.django.version } : { error: info.djangoError ?? 'Django is not importable' };
      results[i] = { other: { path, python: info.version, executable: info.executable, ...django }, environment: `${info.realExecutable}\0${info.prefix}` };
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, paths.length) }, worker));
  const seen = new Set<string>();
  return results
    .filter((r) => {
      if (r.environment === undefined) return true;
      if (seen.has(r.environment)) return false;
      seen.add(r.environment);
      return true;
    })
    .map((r) => r.other);
}

/** The one-line failure for an interpreter that cannot import Django, naming the ones that can. */
export function noDjangoMessage(choice: InterpreterChoice, info: InterpreterInfo, others: readonly OtherInterpreter[]): string {
  const withDjango = others.filter((o) => o.django);
  const head = `Django cannot be imported with ${choice.command.join(' ')} (${choice.reason}; Python ${info.version} at ${info.executable}): ${info.djangoError ?? 'unknown error'}`;
  if (withDjango.length) {
    const list = withDjango.map((o) => `${o.path} (Django ${o.django}, Python ${o.python})`).join(', ');
    return `${head}. These interpreters on this machine can import Django: ${list}. Run again with --python ${withDjango[0]!.path}, or activate the project's virtual environment`;
  }
  const checked = others.length ? ` (checked: ${others.map((o) => o.path).join(', ')})` : '';
  return `${head}. No other interpreter found on this machine can import Django${checked}: install the project's requirements, or pass --python with the project's interpreter`;
}

function lastLine(text: string): string | undefined {
  const lines = text.trim().split('\n');
  const last = lines[lines.length - 1]?.trim();
  return last || undefined;
}
