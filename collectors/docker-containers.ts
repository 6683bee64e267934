// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * The docker collector's pure parts: which containers to collect and why the others were left out,
 * the rows of containers.json, the ps.txt table, the stats summary, and the in-memory preparation of
 * `docker inspect` documents so the redactor sees every secret of a command line or environment in a
 * shape it can replace whole. No I/O here.
 */
import { z } from 'zod';
import { isSecretKeyName } from '../redaction/keys.js';
import { redactInspectStructure, siteKeyName, type SecretSite } from '../redaction/structure.js';
import type { ContainerInspect, ContainerSummary } from '../src/core/types.js';
import { defaultsOf, defineOptions, option, splitList, type OptionValues } from '../src/core/options.js';
import { formatDuration, parseSince, parseSize } from '../src/core/units.js';
import { bool, got, names, since, size, wholeAtLeast } from '../src/core/validators.js';
import { segmentRegExp } from '../src/core/glob.js';
import { folderName, type ContainerRow } from '../src/bundle/layout.js';

export { folderName, type ContainerRow };

/** Log lines: a whole number ≥ 0 or "all". */
const tailMsg = (iss: { input?: unknown }) => `expected a whole number ≥ 0 or "all"${got(iss)}`;
const tail = z.union([z.int({ error: tailMsg }).min(0, { error: tailMsg }), z.literal('all', { error: tailMsg })], { error: tailMsg });

/** `--containers` values: a pattern with a comma is several, except inside a label value (label=k=a,b). */
const containerPatterns = names('container pattern').superRefine((list, ctx) => {
  try {
    parsePatterns(list);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
  }
});

/**
 * The docker collector's options (declared here, with no I/O, so the config layer can check them
 * without loading the collector).
 */
export const dockerOptions = defineOptions({
  tail: option(tail, {
    default: 10_000,
    flag: 'tail',
    describe: 'Log lines kept per container (the last ones), or "all"',
    fromCli: (v) => {
      const t = String(v).trim().toLowerCase();
      if (t === 'all') return 'all';
      if (/^\d+$/.test(t)) return Number(t);
      throw new Error(`--tail must be a whole number of lines or "all", got "${String(v)}"`);
    },
  }),
  since: option(since(), {
    default: '24h',
    flag: 'since',
    describe: 'Logs and events from this long ago (30m, 24h, 7d) or this ISO time; also which stopped containers are collected',
    fromCli: (v) => {
      parseSince(String(v));
      return String(v).trim();
    },
  }),
  maxLogBytes: option(size(), {
    default: 10 * 1024 * 1024,
    flag: 'max-log-bytes',
    defaultText: '10MiB',
    describe: 'Log bytes kept per container, from the end (10MiB, 512KiB; 0 = no limit)',
    fromCli: (v) => parseSize(String(v)),
  }),
  containers: option(containerPatterns, {
    default: [],
    flag: 'containers',
    type: 'array',
    describe: 'Only these containers, repeatable: name glob (web-*), id prefix, label=KEY or label=KEY=VALUE',
    fromCli: (v) => {
      const patterns = ([] as unknown[]).concat(v).flatMap((x) => (String(x).trim().startsWith('label=') ? [String(x).trim()] : splitList(x)));
      parsePatterns(patterns);
      if (patterns.length === 0) throw new Error('--containers needs at least one pattern: a name glob, an id prefix or label=KEY[=VALUE]');
      return patterns;
    },
  }),
  allContainers: option(bool(), {
    default: false,
    flag: 'all-containers',
    type: 'boolean',
    describe: 'Collect every container, not only running ones and those that finished within --since',
  }),
  logFiles: option(bool(), {
    default: true,
    flag: 'log-files',
    type: 'boolean',
    describe:
      "Read a local engine's json-file logs from their files (the same lines as through the Engine API, without the engine serving them); --no-log-files: always ask the engine",
  }),
  concurrency: option(wholeAtLeast(1), { default: 8, type: 'number', describe: 'Containers worked on at once per engine' }),
  executorHosts: option(bool(), {
    default: false,
    flag: 'executor-hosts',
    type: 'boolean',
    describe: "Also collect the Docker engine of each active container_manager executor host (read from the Django project's database, read-only)",
  }),
  until: option(z.string(), {
    internal: true,
    describe: 'End of the events window and of "finished within the window" (--job sets it): an ISO time; unset: now',
  }),
});

/** The docker collector's options, typed from their declarations. */
export type DockerOptions = OptionValues<typeof dockerOptions>;

export const DOCKER_DEFAULTS: DockerOptions = defaultsOf(dockerOptions);

/** `web-1` for a summary (its first name without the slash), else the short id. */
export function containerName(s: { Names?: readonly string[]; Id: string }): string {
  return (s.Names?.[0] ?? s.Id.slice(0, 12)).replace(/^\//, '');
}

const zeroTime = (t: string | undefined): string | null => (!t || t.startsWith('0001-01-01') ? null : t);

/** A containers.json row from the list entry and, when it could be inspected, the inspect document. */
export function containerRow(s: ContainerSummary, i: ContainerInspect | undefined, collected: { collected: boolean; reason?: string }): ContainerRow {
  const st = i?.State;
  return {
    name: containerName(s),
    id: s.Id,
    image: s.Image,
    state: st?.Status ?? s.State,
    status: s.Status,
    exitCode: st?.ExitCode ?? exitCodeFromStatus(s.Status),
    oomKilled: st?.OOMKilled ?? null,
    restartCount: i?.RestartCount ?? null,
    health: st?.Health?.Status ?? null,
    error: st?.Error || null,
    created: i?.Created ?? new Date(s.Created * 1000).toISOString(),
    startedAt: zeroTime(st?.StartedAt),
    finishedAt: zeroTime(st?.FinishedAt),
    memoryLimitBytes: i?.HostConfig?.Memory || null,
    logDriver: i?.HostConfig?.LogConfig?.Type ?? null,
    tty: i?.Config?.Tty ?? null,
    labels: { ...(i?.Config?.Labels ?? s.Labels ?? {}) },
    collected: collected.collected,
    notCollected: collected.collected ? null : (collected.reason ?? null),
  };
}

/** `Exited (137) 2 hours ago` → 137. */
function exitCodeFromStatus(status: string): number | null {
  const m = /^Exited \((-?\d+)\)/.exec(status);
  return m ? Number(m[1]) : null;
}

// ---------------------------------------------------------------------------------------------
// Selection

/** A `--containers` pattern: name glob, id prefix, or `label=key[=value]`. */
export type ContainerPattern =
  | { readonly kind: 'label'; readonly key: string; readonly value?: string; readonly text: string }
  | { readonly kind: 'name-or-id'; readonly glob: RegExp; readonly idPrefix?: string; readonly text: string };

/** Parses `--containers` values; throws with the bad value named. */
export function parsePatterns(values: readonly string[]): ContainerPattern[] {
  return values.map((text) => {
    const t = text.trim();
    if (!t) throw new Error('an empty pattern matches nothing');
    if (t.startsWith('label=')) {
      const rest = t.slice('label='.length);
      const eq = rest.indexOf('=');
      const key = eq === -1 ? rest : rest.slice(0, eq);
      if (!key) throw new Error(`"${t}" has no label name: write label=KEY or label=KEY=VALUE`);
      return eq === -1 ? { kind: 'label', key, text: t } : { kind: 'label', key, value: rest.slice(eq + 1), text: t };
    }
    const name = t.replace(/^\//, '');
    return { kind: 'name-or-id', glob: globToRegExp(name), ...(/^[0-9a-f]+$/i.test(name) ? { idPrefix: name.toLowerCase() } : {}), text: t };
  });
}

/**
 * A `--containers` name pattern as a whole-name RegExp: `*` any run, `?` one character, `[abc]`/`[!abc]`
 * a class, `{a,b}` alternatives (src/core/glob.ts, the same matcher as the file collector's paths).
 */
export function globToRegExp(glob: string): RegExp {
  return segmentRegExp(glob);
}

/** True when a container matches any pattern (or there are none). */
export function matchesPatterns(s: ContainerSummary, patterns: readonly ContainerPattern[]): boolean {
  if (patterns.length === 0) return true;
  const name = containerName(s);
  return patterns.some((p) => {
    if (p.kind === 'label') {
      const labels = s.Labels ?? {};
      return Object.hasOwn(labels, p.key) && (p.value === undefined || labels[p.key] === p.value);
    }
    return p.glob.test(name) || (p.idPrefix !== undefined && s.Id.toLowerCase().startsWith(p.idPrefix));
  });
}

/** Collect it, or leave it out with the reason a reader needs. */
export type Decision = { readonly collect: true } | { readonly collect: false; readonly reason: string };

/**
 * The default selection: running (also paused and restarting) containers, plus those that finished
 * (or were created without running) at or after `since`. `all` takes every container.
 */
export function decide(i: ContainerInspect, options: { since: Date; sinceText: string; all: boolean; now: Date }): Decision {
  if (options.all) return { collect: true };
  const st = i.State ?? {};
  if (st.Running || st.Status === 'running' || st.Status === 'restarting' || st.Status === 'paused') return { collect: true };
  const finished = zeroTime(st.FinishedAt);
  const started = zeroTime(st.StartedAt);
  const when = finished ?? (started ? null : i.Created);
  const t = when ? Date.parse(when) : NaN;
  if (Number.isFinite(t) && t >= options.since.getTime()) return { collect: true };
  const what = finished
    ? `${st.Status ?? 'exited'} ${formatDuration(options.now.getTime() - t)} ago (${finished})`
    : started
      ? `${st.Status ?? 'stopped'} at an unknown time`
      : `created ${formatDuration(options.now.getTime() - t)} ago and never started`;
  return { collect: false, reason: `${what}, before --since ${options.sinceText}; use --all-containers or a longer --since to include it` };
}

// ---------------------------------------------------------------------------------------------
// Secrets in command lines and environments

/** Characters every value-taking redaction rule reads as part of a bare value. */
const BARE_SAFE = /^[^\s"',;&<>()[\]{}\\]+$/;
const RULE_KEY = /^[A-Za-z_][A-Za-z0-9_.-]{0,100}$/;

/**
 * What replaces a secret found by structure (redaction/structure.ts) before the inspect document is
 * serialised. The collector cannot make tokens (the redactor holds the run's key), so it puts the
 * secret where the redactor's key rule sees it next to a secret key, and replaces it whole:
 *
 *   `DB_PASSWORD=s3cr3t`         stays (the rule already sees KEY=value)
 *   `"--password", "s3cr3t"`     → `"--password", "<password=s3cr3t>"`
 *   `--api-key=s3cr3t`           → `--api-key=<api_key=s3cr3t>`
 *   `mysql -ps3cr3t`             → `mysql -p<password=s3cr3t>`
 *
 * A value a bare-value rule would cut short (spaces, quotes, brackets) is base64url-encoded first
 * (`b64:…`), so the whole of it is replaced. The redactor then turns each into a `[REDACTED:…]` token.
 */
export function markSecret(secret: string, site: SecretSite): string {
  const safe = BARE_SAFE.test(secret) ? secret : `b64:${Buffer.from(secret, 'utf8').toString('base64url')}`;
  if (site.form === 'assignment' && RULE_KEY.test(site.key)) return safe;
  return `<${siteKeyName(site)}=${safe}>`;
}

/**
 * The secret values a container's configuration names: env values and command-line values under
 * secret-looking keys, and labels with such keys. Declared to the run, they are removed wherever else
 * they appear (the container's own log, events, `system df`), not only where a key stands next to them.
 */
export function knownSecrets(doc: ContainerInspect): string[] {
  const found: string[] = [];
  redactInspectStructure(doc, (secret) => {
    found.push(secret);
    return secret;
  });
  for (const [key, value] of Object.entries(doc.Config?.Labels ?? {})) if (value && isSecretKeyName(key)) found.push(value);
  return found;
}

// ---------------------------------------------------------------------------------------------
// Tables and summaries

/** A `docker ps -a`-like table for humans. */
export function psTable(rows: readonly ContainerRow[]): string {
  const header = ['NAME', 'CONTAINER ID', 'IMAGE', 'STATE', 'EXIT', 'OOM', 'RESTARTS', 'STARTED', 'FINISHED', 'COLLECTED', 'STATUS'];
  const body = rows.map((r) => [
    r.name,
    r.id.slice(0, 12),
    r.image,
    r.state,
    r.exitCode === null ? '-' : String(r.exitCode),
    r.oomKilled ? 'yes' : 'no',
    r.restartCount === null ? '-' : String(r.restartCount),
    r.startedAt ?? '-',
    r.finishedAt ?? '-',
    r.collected ? 'yes' : 'no',
    r.status,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => row[c]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((v, c) => v.padEnd(widths[c]!))
      .join('  ')
      .trimEnd();
  return `${[header, ...body].map(line).join('\n')}\n`;
}

/** The figures a reader wants from one stats sample, computed as `docker stats` does. */
export interface StatsSummary {
  readonly read: string | null;
  readonly memory: { readonly usageBytes: number | null; readonly limitBytes: number | null; readonly percent: number | null };
  readonly cpu: { readonly percent: number | null; readonly totalSeconds: number | null; readonly onlineCpus: number | null };
  readonly pids: { readonly current: number | null; readonly limit: number | null };
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const round = (v: number, digits = 2): number => Math.round(v * 10 ** digits) / 10 ** digits;

export function statsSummary(raw: Record<string, unknown>): StatsSummary {
  const s = raw as {
    read?: string;
    memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
    cpu_stats?: { cpu_usage?: { total_usage?: number; percpu_usage?: number[] }; system_cpu_usage?: number; online_cpus?: number };
    precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
    pids_stats?: { current?: number; limit?: number };
  };
  const mem = s.memory_stats ?? {};
  // Like the docker CLI: page cache that can be dropped is not "used" (cgroup v1 and v2 names).
  const inactive = mem.stats?.['total_inactive_file'] ?? mem.stats?.['inactive_file'] ?? 0;
  const usage = num(mem.usage) === null ? null : Math.max(0, mem.usage! - (inactive < mem.usage! ? inactive : 0));
  const limit = num(mem.limit);
  const cpu = s.cpu_stats ?? {};
  const pre = s.precpu_stats ?? {};
  const online = num(cpu.online_cpus) ?? (cpu.cpu_usage?.percpu_usage?.length || null);
  const cpuDelta = (cpu.cpu_usage?.total_usage ?? 0) - (pre.cpu_usage?.total_usage ?? 0);
  const sysDelta = (cpu.system_cpu_usage ?? 0) - (pre.system_cpu_usage ?? 0);
  const havePrevious = (pre.system_cpu_usage ?? 0) > 0 && sysDelta > 0;
  const total = num(cpu.cpu_usage?.total_usage);
  return {
    read: typeof s.read === 'string' ? s.read : null,
    memory: { usageBytes: usage, limitBytes: limit, percent: usage !== null && limit ? round((usage / limit) * 100) : null },
    cpu: {
      percent: havePrevious && online ? round((cpuDelta / sysDelta) * online * 100) : null,
      totalSeconds: total === null ? null : round(total / 1e9, 3),
      onlineCpus: online,
    },
    pids: { current: num(s.pids_stats?.current), limit: num(s.pids_stats?.limit) },
  };
}
