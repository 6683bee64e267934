// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * `--executor-hosts`: before collection, one read-only Django probe (collectors/django/probes.ts
 * HOSTS_PROBE) reads the container_manager ExecutorHost rows, and each active host of type docker
 * becomes one more engine of the run, as if given with `--docker-host` (read-only, the same timeouts),
 * with the TLS its row names (`tls_enabled`, `tls_verify`). The docker collector then records a host
 * that does not answer in docker/engines.json, and the executor-hosts analyzer reports it by name.
 *
 * Unlike `--job`, a failed lookup does not stop the run: the bundle is still worth having; the reason
 * goes to run.log and the other engines are collected as usual.
 */
import { chooseInterpreter, findProject } from './django/interpreter.js';
import { HOSTS_PROBE, STATE_PROBE_ENV, extractJson } from './django/probes.js';
import { createExec } from '../src/core/exec.js';
import type { ExtraEndpoint } from '../src/docker/endpoints.js';

/** One ExecutorHost row as the probe read it (the connection string unmasked: memory only). */
export interface ExecutorHostRow {
  readonly id: string | null;
  readonly name: string | null;
  readonly connection: string | null;
  readonly type: string | null;
  readonly active: boolean | number | null;
  readonly tlsEnabled: boolean | number | null;
  readonly tlsVerify: boolean | number | null;
}

export interface ExecutorHostsLookup {
  readonly hosts: readonly ExecutorHostRow[];
  /** Why no host could be read (the run goes on without them). */
  readonly error?: string;
}

const HOSTS_PROBE_BOOTSTRAP = `import os; exec(os.environ['${STATE_PROBE_ENV}'])  # collect-bundle django executor hosts (read-only)`;

/** Reads the executor hosts with the project's own interpreter; never throws for a project that cannot answer. */
export async function lookUpExecutorHosts(options: {
  readonly django?: Readonly<Record<string, unknown>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}): Promise<ExecutorHostsLookup> {
  const django = options.django ?? {};
  const cwd = typeof django['cwd'] === 'string' && django['cwd'] ? django['cwd'] : process.cwd();
  const project = await findProject(typeof django['djangoDir'] === 'string' ? django['djangoDir'] : undefined, cwd);
  if (typeof project === 'string') return { hosts: [], error: `needs the Django project to read the executor hosts: ${project} (use --django-dir)` };
  const choice = await chooseInterpreter({
    projectDir: project.dir,
    python: typeof django['python'] === 'string' ? django['python'] : undefined,
    env: options.env,
    cwd,
  });
  if (typeof choice === 'string') return { hosts: [], error: `needs the project's Python: ${choice} (use --python)` };
  const exec = createExec({ signal: options.signal ?? new AbortController().signal, record: () => undefined });
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.env)) if (v !== undefined) env[k] = v;
  env['PYTHONDONTWRITEBYTECODE'] = '1';
  env['PYTHONIOENCODING'] = 'utf-8';
  if (typeof django['settings'] === 'string' && django['settings']) env['DJANGO_SETTINGS_MODULE'] = django['settings'];
  const [file, ...prefix] = choice.command as [string, ...string[]];
  const r = await exec.run(file, [...prefix, '-c', HOSTS_PROBE_BOOTSTRAP], {
    cwd: project.dir,
    env: { ...env, [STATE_PROBE_ENV]: HOSTS_PROBE },
    timeoutMs: options.timeoutMs ?? 60_000,
    maxBuffer: 4 * 1024 * 1024,
  });
  const out = extractJson<Record<string, unknown>>(r.stdout);
  if (!out) {
    const why = r.timedOut ? 'timed out' : (r.error ?? (r.stderr.trim().split('\n').pop() || `exit code ${r.exitCode}, no output`));
    return { hosts: [], error: `the Django executor host lookup gave no result (${why})` };
  }
  if (typeof out['error'] === 'string') return { hosts: [], error: `the executor hosts could not be read: ${out['error']}` };
  return { hosts: Array.isArray(out['hosts']) ? (out['hosts'] as ExecutorHostRow[]) : [] };
}

const truthy = (v: unknown): boolean => v === true || v === 1 || v === '1' || v === 'true' || v === 'True';

/**
 * The engines of the active docker executor hosts (a row without a type or an active flag counts as
 * docker and active, the model's defaults), and the passwords their connection strings hold (for the
 * run's redactor).
 */
export function executorHostEndpoints(hosts: readonly ExecutorHostRow[]): { endpoints: ExtraEndpoint[]; secrets: string[] } {
  const endpoints: ExtraEndpoint[] = [];
  const secrets: string[] = [];
  for (const h of hosts) {
    const url = typeof h.connection === 'string' ? h.connection.trim() : '';
    if (!url) continue;
    if (h.type !== null && h.type !== undefined && String(h.type).toLowerCase() !== 'docker') continue;
    if (h.active !== null && h.active !== undefined && !truthy(h.active)) continue;
    const password = /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*?:([^@/\s]+)@/i.exec(url)?.[1];
    if (password) secrets.push(password, safeDecode(password));
    const name = h.name ?? `#${h.id ?? '?'}`;
    endpoints.push({ url, source: `executor host "${name}"`, tls: { enabled: truthy(h.tlsEnabled), verify: truthy(h.tlsVerify) } });
  }
  return { endpoints, secrets: [...new Set(secrets)] };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
