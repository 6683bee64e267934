// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * `--job ID`: a bundle focused on one container_manager job. Before collection, one read-only Django
 * probe looks the job up (collectors/django/probes.ts JOB_PROBE); its lifetime, plus a margin, becomes
 * the docker collector's window (`since`/`until`), its containers (by a container id/name stored on the
 * job, else by the job-id labels) become the docker collector's selection with full logs, and a `job`
 * collector writes job/record.json (environment values never: variable names only), job/plan.json and
 * job/containers.json. The bundle label defaults to `job-<id>`.
 *
 * Read-only throughout. An unknown id, or a Django project that cannot answer, stops the run with one
 * line and exit 2: a job bundle without its job would mislead.
 */
import { chooseInterpreter, findProject } from './django/interpreter.js';
import { JOB_ID_ENV, JOB_PROBE, STATE_PROBE_ENV, extractJson } from './django/probes.js';
import { containerName, folderName, markSecret, matchesPatterns, parsePatterns } from './docker-containers.js';
import { redactCommandLine } from '../redaction/structure.js';
import { defineCollector, errorMessage, json, problem } from '../src/core/artifacts.js';
import { builtIn } from '../src/core/built-in.js';
import { CliError } from '../src/core/errors.js';
import { createExec } from '../src/core/exec.js';
import type { Collector, CommandRecord, Exec } from '../src/core/types.js';
import { DOCKER, JOB_FILES } from '../src/bundle/layout.js';

/**
 * Labels a job's container may carry, with the job id as value: django-container-manager sets the
 * first (`django.container_manager.job_id`); the others are older or hand-rolled conventions.
 */
export const JOB_LABELS = ['django.container_manager.job_id', 'container_manager.job_id', 'job_id', 'job-id'] as const;

/**
 * The job fields that name its container. django-container-manager stores the container id in
 * `execution_id` and the name in `executor_metadata.container_name`; `container_id`/`container_name`
 * are other schemas' names. Only these: a field merely containing "container" (`container_status:
 * "dead"`) is no reference, and as hex text it would match container ids as a prefix.
 */
export const JOB_CONTAINER_FIELDS = ['execution_id', 'container_id', 'container_name'] as const;

/** A container id or name as docker prints them (a leading slash dropped); anything else is not one. */
const CONTAINER_REF = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** The container ids/names a job record stores (see JOB_CONTAINER_FIELDS), in that order, without repeats. */
export function jobContainerRefs(record: Readonly<Record<string, unknown>>): string[] {
  const refs: unknown[] = JOB_CONTAINER_FIELDS.map((f) => record[f]);
  let meta = record['executor_metadata'];
  if (typeof meta === 'string') {
    try {
      meta = JSON.parse(meta) as unknown;
    } catch {
      meta = undefined;
    }
  }
  if (meta && typeof meta === 'object' && !Array.isArray(meta))
    refs.push((meta as Record<string, unknown>)['container_name'], (meta as Record<string, unknown>)['container_id']);
  const out = refs
    .filter((r): r is string => typeof r === 'string')
    .map((r) => r.trim().replace(/^\//, ''))
    .filter((r) => CONTAINER_REF.test(r));
  return [...new Set(out)];
}

/** Default margin around the job's lifetime for logs and events. */
export const JOB_MARGIN_MS = 5 * 60_000;

/** The `-c` argument of the job probe (recorded as the command; the code travels in the environment). */
const JOB_PROBE_BOOTSTRAP = `import os; exec(os.environ['${STATE_PROBE_ENV}'])  # collect-bundle django job lookup (read-only)`;

/** What the job probe found. `secrets` and `commandFields` stay in memory: never written as they are. */
export interface JobLookup {
  readonly model: string;
  readonly database: string;
  readonly matchedBy: string;
  readonly pk: string;
  readonly pkHex?: string;
  readonly status: unknown;
  readonly times: { readonly created: string | null; readonly started: string | null; readonly finished: string | null };
  /** The row: environment fields as variable names only, secret-named fields masked, command fields null. */
  readonly record: Record<string, unknown>;
  readonly envFields: Record<string, string[]>;
  /** Raw command-line fields (shaped by redactCommandLine before they are written). */
  readonly commandFields: Record<string, string>;
  /** Values of secret-named environment variables: declared to the run's redactor. */
  readonly secrets: string[];
  /** Container ids/names stored on the job (jobContainerRefs of the record). */
  readonly containerRefs: string[];
  readonly executorHost?: Record<string, unknown>;
}

/** The job bundle's plan: what the lookup found and how the run was narrowed. */
export interface JobPlan {
  readonly id: string;
  readonly lookup: JobLookup;
  readonly since: Date;
  readonly until: Date;
  readonly marginMs: number;
  /** `--containers` patterns for the job's containers. */
  readonly containers: string[];
  /** The lookup's command(s), as the manifest records commands. */
  readonly commands: readonly CommandRecord[];
}

export interface LookUpOptions {
  /** The Django collector's options (djangoDir, settings, python, cwd). */
  readonly django?: Readonly<Record<string, unknown>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal?: AbortSignal;
  /** Timeout of the lookup, in ms (default 60 s). */
  readonly timeoutMs?: number;
}

/** Looks the job up with the project's own interpreter; throws a CliError (exit 2) naming the cause and the fix. */
export async function lookUpJob(id: string, options: LookUpOptions): Promise<{ lookup: JobLookup; commands: CommandRecord[] }> {
  const django = options.django ?? {};
  const cwd = typeof django['cwd'] === 'string' && django['cwd'] ? django['cwd'] : process.cwd();
  const djangoDir = typeof django['djangoDir'] === 'string' ? django['djangoDir'] : undefined;
  const usage = (message: string): CliError => new CliError(`--job ${id}: ${message}`, 'E_USAGE');
  const project = await findProject(djangoDir, cwd);
  if (typeof project === 'string') throw usage(`needs the Django project to look the job up: ${project} (use --django-dir)`);
  const choice = await chooseInterpreter({
    projectDir: project.dir,
    python: typeof django['python'] === 'string' ? django['python'] : undefined,
    env: options.env,
    cwd,
  });
  if (typeof choice === 'string') throw usage(`needs the project's Python: ${choice} (use --python)`);
  const commands: CommandRecord[] = [];
  const exec: Exec = createExec({ signal: options.signal ?? new AbortController().signal, record: (r) => commands.push(r) });
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.env)) if (v !== undefined) env[k] = v;
  env['PYTHONDONTWRITEBYTECODE'] = '1';
  env['PYTHONIOENCODING'] = 'utf-8';
  if (typeof django['settings'] === 'string' && django['settings']) env['DJANGO_SETTINGS_MODULE'] = django['settings'];
  const [file, ...prefix] = choice.command as [string, ...string[]];
  const r = await exec.run(file, [...prefix, '-c', JOB_PROBE_BOOTSTRAP], {
    cwd: project.dir,
    env: { ...env, [STATE_PROBE_ENV]: JOB_PROBE, [JOB_ID_ENV]: id },
    timeoutMs: options.timeoutMs ?? 60_000,
    maxBuffer: 8 * 1024 * 1024,
  });
  const out = extractJson<Record<string, unknown>>(r.stdout);
  if (!out) {
    const why = r.timedOut ? 'timed out' : (r.error ?? (r.stderr.trim().split('\n').pop() || `exit code ${r.exitCode}, no output`));
    throw usage(`the Django job lookup gave no result (${why}); check the project with: collect-bundle --only django`);
  }
  if (typeof out['error'] === 'string') {
    const kind = out['kind'];
    if (kind === 'not-found')
      throw usage(`no such job: ${out['error']} in database "${String(out['database'])}" (check the id in the Django admin or with manage.py shell)`);
    if (kind === 'settings') throw usage(`Django is unavailable: ${out['error']} (fix the settings, or pass --settings / --django-dir)`);
    if (kind === 'no-model') throw usage(`${out['error']} (--job needs django-docker-container-manager's ContainerJob)`);
    throw usage(`the job could not be read: ${out['error']}`);
  }
  const lookup = out as unknown as Omit<JobLookup, 'containerRefs'>;
  return { lookup: { ...lookup, containerRefs: jobContainerRefs(lookup.record ?? {}) }, commands };
}

/** The job's window: from its start (else creation) to its end (else now), widened by `marginMs`, never past now. */
export function jobWindow(times: JobLookup['times'], now: Date, marginMs = JOB_MARGIN_MS): { since: Date; until: Date } {
  const parse = (t: string | null): number => (t ? Date.parse(t) : NaN);
  const startMs = [parse(times.started), parse(times.created)].find((t) => Number.isFinite(t)) ?? now.getTime() - 24 * 3_600_000;
  const endMs = parse(times.finished);
  const until = Math.min(now.getTime(), (Number.isFinite(endMs) ? endMs : now.getTime()) + marginMs);
  const since = Math.min(startMs - marginMs, until - 1000);
  return { since: new Date(since), until: new Date(until) };
}

/** `--containers` patterns for a job: container ids/names stored on it, else its id in the job labels. */
export function jobContainerPatterns(id: string, lookup: Pick<JobLookup, 'pk' | 'pkHex' | 'containerRefs'>): string[] {
  if (lookup.containerRefs.length) return [...new Set(lookup.containerRefs.map((r) => r.replace(/^\//, '')))];
  const ids = [...new Set([lookup.pk, lookup.pkHex, id].filter((v): v is string => Boolean(v)))];
  return JOB_LABELS.flatMap((label) => ids.map((v) => `label=${label}=${v}`));
}

/**
 * The `job` collector of a planned job bundle: the record, the plan, and where its containers are. The
 * registry (collectors/index.ts) holds the planless one; src/run/job.ts puts the planned one in its place.
 */
export function jobCollector(plan: JobPlan): Collector<Record<string, never>>;
/** Without a plan: the registry's `job` collector, off by default, skipped (no --job given) when named with --only. */
export function jobCollector(): Collector<Record<string, never>>;
export function jobCollector(plan?: JobPlan): Collector<Record<string, never>> {
  if (!plan) {
    return builtIn(
      defineCollector<Record<string, never>>({
        name: 'job',
        description: "With --job ID: the container_manager job's record (environment variable names only), the plan of the job bundle, and its containers",
        defaultEnabled: false,
        defaults: {},
        async applies() {
          return 'no --job given';
        },
        async *collect() {},
      }),
    );
  }
  const { lookup } = plan;
  // Command lines shaped so the redactor replaces each secret flag value whole; their values are the run's secrets.
  const commandSecrets: string[] = [];
  const commands: Record<string, string> = {};
  for (const [field, value] of Object.entries(lookup.commandFields)) {
    commands[field] = redactCommandLine(String(value), (secret, site) => {
      commandSecrets.push(secret);
      return markSecret(secret, site);
    });
  }
  return builtIn(
    defineCollector<Record<string, never>>({
      name: 'job',
      description: `The container_manager job ${plan.id}: its record (environment variable names only), the plan of this job bundle, and its containers`,
      defaultEnabled: true,
      defaults: {},
      async secrets() {
        return [...lookup.secrets, ...commandSecrets];
      },
      async *collect(ctx) {
        yield json(JOB_FILES.record, {
          model: lookup.model,
          database: lookup.database,
          matchedBy: lookup.matchedBy,
          pk: lookup.pk,
          status: lookup.status,
          record: { ...lookup.record, ...commands },
          environment: Object.fromEntries(Object.entries(lookup.envFields).map(([f, names]) => [f, { variables: names, values: 'not collected' }])),
          ...(lookup.executorHost ? { executorHost: lookup.executorHost } : {}),
        });
        yield json(JOB_FILES.plan, {
          id: plan.id,
          times: lookup.times,
          window: { since: plan.since.toISOString(), until: plan.until.toISOString(), marginSeconds: plan.marginMs / 1000 },
          containers: {
            patterns: plan.containers,
            by: lookup.containerRefs.length ? 'container ids/names stored on the job' : `labels ${JOB_LABELS.join(', ')}`,
          },
          lookupCommands: plan.commands,
        });
        const patterns = parsePatterns(plan.containers);
        const found: Record<string, unknown>[] = [];
        for (const endpoint of ctx.deps.dockerEndpoints) {
          const client = ctx.deps.docker(endpoint);
          try {
            for (const s of await client.listContainers(ctx.signal, { all: true })) {
              if (matchesPatterns(s, patterns))
                found.push({
                  engine: endpoint.label,
                  name: containerName(s),
                  id: s.Id,
                  state: s.State,
                  status: s.Status,
                  folder: DOCKER.container(endpoint.label, folderName(containerName(s))).dir,
                });
            }
          } catch (err) {
            if (ctx.signal.aborted) throw err;
            yield problem(`engine ${endpoint.label}`, `could not look for the job's containers: ${errorMessage(err)}`);
          } finally {
            client.close();
          }
        }
        yield json(JOB_FILES.containers, found);
        if (found.length === 0) {
          yield problem(
            'job containers',
            `no container of job ${plan.id} on ${ctx.deps.dockerEndpoints.map((e) => e.label).join(', ') || 'any engine'} (looked for ${plan.containers.join(', ')}); it may have been removed, or run on another engine (--docker-host)`,
          );
        }
      },
    }),
  );
}

/** The registry's `job` collector: off by default; `--job ID` replaces it with the planned one (src/run/job.ts). */
export const job = jobCollector();
