// Room: report (src/report/) — may import core, bundle, analyzers (the rule: tests/architecture.test.ts).
/**
 * `collect-bundle diff OLD NEW`: what changed between two bundles of the same system. Each bundle is
 * read once (small JSON files only, into memory); fields that change on every run (timestamps,
 * durations, bundle names, random ids) are never compared, but a container recreated under the same
 * name (a new id) is reported.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SKIP_FS_TYPES } from '../../analyzers/host.js';
import type { FindingsDocument } from '../../analyzers/run.js';
import type { ContainerRow } from '../bundle/containers.js';
import { errorMessage } from '../core/artifacts.js';
import { BUNDLE_NAME_RE } from '../bundle/name.js';
import { CliError } from '../core/errors.js';
import { findingsOf, loadBundle, type LoadedBundle } from './inspect.js';
import type { Severity } from '../core/types.js';
import { formatBytes } from '../core/units.js';

/** When a resource change counts as a difference (smaller ones are listed, not counted). */
export const RESOURCE_THRESHOLDS = {
  /** Used space of a filesystem moved by at least this fraction of its size. */
  diskFraction: 0.05,
  /** Used memory (or swap) moved by at least this fraction of the total. */
  memoryFraction: 0.1,
  /** Docker disk use (images, containers, volumes, build cache) moved by at least this many bytes. */
  dockerBytes: 1024 ** 3,
} as const;

/** The parts of a container `diff` compares. */
export interface ContainerFacts {
  readonly id: string;
  readonly image: string;
  readonly imageId: string | null;
  readonly state: string;
  readonly exitCode: number | null;
  readonly oomKilled: boolean | null;
  readonly restartCount: number | null;
  readonly health: string | null;
}

/** One field of a container that changed. `state` carries state, exit code and OOM-kill together. */
export type ContainerFieldChange =
  | { readonly field: 'id' | 'image' | 'imageId' | 'health'; readonly old: string | null; readonly new: string | null }
  | { readonly field: 'restartCount'; readonly old: number | null; readonly new: number | null }
  | {
      readonly field: 'state';
      readonly old: Pick<ContainerFacts, 'state' | 'exitCode' | 'oomKilled'>;
      readonly new: Pick<ContainerFacts, 'state' | 'exitCode' | 'oomKilled'>;
    };

export type ContainerChange =
  | { readonly engine: string; readonly name: string; readonly kind: 'appeared' | 'disappeared'; readonly container: ContainerFacts }
  | { readonly engine: string; readonly name: string; readonly kind: 'changed'; readonly changes: readonly ContainerFieldChange[] };

/** A version (engine, Django, Python, a tool, an environment fact) that differs; null = absent. */
export interface VersionChange {
  readonly what: string;
  readonly old: string | null;
  readonly new: string | null;
}

export interface MigrationChange {
  readonly app: string;
  readonly name: string;
  /** `added`/`removed`: the migration file; `applied`/`unapplied`: its state in the database. */
  readonly change: 'added' | 'removed' | 'applied' | 'unapplied';
}

export interface FindingRef {
  readonly id: string;
  readonly subject: string | null;
  readonly severity: Severity;
  readonly title: string;
}

export interface JobCountChange {
  readonly status: string;
  readonly old: number;
  readonly new: number;
  readonly delta: number;
}

export interface ResourceChange {
  readonly kind: 'disk' | 'memory' | 'docker';
  /** A mount point, `memory`/`swap`, or `<engine> images|containers|volumes|build cache`. */
  readonly subject: string;
  /**
   * `used` (memory: total - available, so page cache does not count), `available`, `used+cache`
   * (memory as systeminformation's `used`, with buffers/cache), docker: `size`. `available` and
   * `used+cache` are listed for information and never counted. null = absent on that side.
   */
  readonly metric: 'used' | 'available' | 'used+cache' | 'size';
  readonly old: number | null;
  readonly new: number | null;
  readonly delta: number;
  /** Counted as a difference (see RESOURCE_THRESHOLDS). */
  readonly significant: boolean;
}

/** A part that could not be compared, and why. Not counted as a difference. */
export interface NotComparable {
  readonly section: string;
  readonly reason: string;
}

/** The result of `diff`; `--json` prints exactly this. */
export interface BundleDiff {
  readonly old: BundleRef;
  readonly new: BundleRef;
  /** How many differences were found (resource changes only when significant). 0 = the same. */
  readonly differences: number;
  readonly containers: readonly ContainerChange[];
  readonly versions: readonly VersionChange[];
  readonly migrations: readonly MigrationChange[];
  readonly findings: { readonly new: readonly FindingRef[]; readonly resolved: readonly FindingRef[] };
  readonly jobs: readonly JobCountChange[];
  readonly resources: readonly ResourceChange[];
  readonly notComparable: readonly NotComparable[];
  /** Remarks about the pair (different hosts, OLD newer than NEW, files skipped by --latest). */
  readonly notes: readonly string[];
}

export interface BundleRef {
  readonly file: string;
  readonly bundle: string;
  readonly host: string;
  readonly startedAt: string;
}

/** The files `diff` reads from each bundle. */
const DIFF_FILES = [
  /^findings\.json$/,
  /^docker\/[^/]+\/(containers|version|df)\.json$/,
  /^docker\/[^/]+\/containers\/[^/]+\/inspect\.json$/,
  /^django\/(versions|migrations|container-manager)\.json$/,
  /^system\/(versions|filesystems|memory)\.json$/,
];
const wanted = (path: string): boolean => DIFF_FILES.some((re) => re.test(path));

/** Reads a bundle with the files `diff` compares. Throws a CliError for a missing or unreadable one. */
export function loadForDiff(file: string): Promise<LoadedBundle> {
  return loadBundle(file, { want: wanted });
}

/** Compares two bundle files. Throws a CliError when either cannot be read. */
export async function diffBundles(oldFile: string, newFile: string): Promise<BundleDiff> {
  const [a, b] = await Promise.all([loadForDiff(oldFile), loadForDiff(newFile)]);
  return compareBundles(a, b);
}

/**
 * The two newest real bundles in `dir` (by the UTC time in their names; only files named like a
 * bundle that hold a valid manifest), compared oldest → newest. Other files are never opened twice
 * and never changed; the ones skipped for not being bundles are named in `notes`.
 */
export async function diffLatest(dir: string): Promise<BundleDiff> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT') throw new CliError(`${dir}: no such directory; pass the folder your bundles are written to (collect --output-dir)`, 'E_USAGE');
    if (code === 'ENOTDIR') throw new CliError(`${dir}: not a directory; --latest takes the folder that holds the bundles`, 'E_USAGE');
    throw new CliError(`${dir}: cannot be listed (${errorMessage(err)})`, 'E_USAGE');
  }
  const candidates: { name: string; stamp: string; mtimeMs: number }[] = [];
  for (const name of names) {
    const m = BUNDLE_NAME_RE.exec(name);
    if (!m || !name.endsWith('.tar.gz')) continue;
    const s = await stat(join(dir, name)).catch(() => undefined);
    if (s?.isFile()) candidates.push({ name, stamp: m.groups!['stamp']!, mtimeMs: s.mtimeMs });
  }
  candidates.sort((x, y) => y.stamp.localeCompare(x.stamp) || y.mtimeMs - x.mtimeMs || y.name.localeCompare(x.name));
  const chosen: LoadedBundle[] = [];
  const skipped: string[] = [];
  for (const c of candidates) {
    if (chosen.length === 2) break;
    try {
      chosen.push(await loadForDiff(join(dir, c.name)));
    } catch (err) {
      skipped.push(`${c.name} (${err instanceof CliError ? err.message.replace(`${join(dir, c.name)}: `, '') : errorMessage(err)})`);
    }
  }
  if (chosen.length < 2) {
    throw new CliError(
      `${dir}: ${chosen.length === 0 ? 'no' : 'only one'} readable bundle${chosen.length ? '' : 's'} (collect-bundle-*.tar.gz with a manifest inside)${skipped.length ? `; skipped ${skipped.length}: ${skipped.join('; ')}` : ''}; --latest needs two: collect another or name both files`,
      'E_USAGE',
    );
  }
  const result = compareBundles(chosen[1]!, chosen[0]!);
  return skipped.length ? { ...result, notes: [...result.notes, ...skipped.map((s) => `skipped ${s}`)] } : result;
}

/** Compares two loaded bundles. Pure. */
export function compareBundles(a: LoadedBundle, b: LoadedBundle): BundleDiff {
  const notComparable: NotComparable[] = [];
  const containers = compareContainers(a, b, notComparable);
  const versions = compareVersions(a, b, notComparable);
  const migrations = compareMigrations(a, b, notComparable);
  const findings = compareFindings(a, b, notComparable);
  const jobs = compareJobs(a, b, notComparable);
  const resources = compareResources(a, b, notComparable);
  const notes: string[] = [];
  if (a.manifest.host?.hostname !== b.manifest.host?.hostname) notes.push(`the bundles come from different hosts: ${a.manifest.host?.hostname} and ${b.manifest.host?.hostname}`);
  if (a.manifest.startedAt > b.manifest.startedAt) notes.push('OLD was collected after NEW: the changes read backwards in time (swap the arguments?)');
  if (a.manifest.bundle === b.manifest.bundle && a.file !== b.file) notes.push(`both files hold the same bundle ${a.manifest.bundle}`);
  const differences =
    containers.length + versions.length + migrations.length + findings.new.length + findings.resolved.length + jobs.length + resources.filter((r) => r.significant).length;
  return { old: ref(a), new: ref(b), differences, containers, versions, migrations, findings, jobs, resources, notComparable, notes };
}

const ref = (b: LoadedBundle): BundleRef => ({ file: b.file, bundle: b.manifest.bundle, host: b.manifest.host?.hostname ?? 'unknown', startedAt: b.manifest.startedAt });

/** A JSON file of a bundle, or undefined when absent or not JSON. */
function json<T>(b: LoadedBundle, path: string): T | undefined {
  const t = b.texts.get(path);
  if (t === undefined) return undefined;
  try {
    return JSON.parse(t) as T;
  } catch {
    return undefined;
  }
}

/** Whether a collector ran (ok or failed) in a bundle. */
const ran = (b: LoadedBundle, name: string): boolean => b.manifest.collectors.some((c) => c.name === name && c.status !== 'skipped');
const side = (b: LoadedBundle, a: LoadedBundle): string => (b === a ? 'OLD' : 'NEW');

/** When a file is in one bundle only: a not-comparable note; undefined when in both or in neither. */
function oneSided(a: LoadedBundle, b: LoadedBundle, path: string, section: string, out: NotComparable[]): 'both' | 'none' | 'one' {
  const inA = a.texts.has(path);
  const inB = b.texts.has(path);
  if (inA && inB) return 'both';
  if (!inA && !inB) return 'none';
  const missing = inA ? b : a;
  out.push({ section, reason: `${path} is only in ${side(inA ? a : b, a)}${ran(missing, path.split('/')[0]!) ? '' : ` (the ${path.split('/')[0]} collector did not run for ${side(missing, a)})`}` });
  return 'one';
}

// ---------------------------------------------------------------------------------------------
// Containers

function containerFacts(b: LoadedBundle, engine: string): Map<string, ContainerFacts> | undefined {
  const rows = json<ContainerRow[]>(b, `docker/${engine}/containers.json`);
  if (!Array.isArray(rows)) return undefined;
  // The image id is not in containers.json: take it from inspect.json, else from `system df`.
  const imageIds = new Map<string, string>();
  const df = json<{ Containers?: { Id?: string; ImageID?: string }[] }>(b, `docker/${engine}/df.json`);
  for (const c of df?.Containers ?? []) if (c.Id && c.ImageID) imageIds.set(c.Id, c.ImageID);
  const prefix = `docker/${engine}/containers/`;
  for (const path of b.texts.keys()) {
    if (!path.startsWith(prefix) || !path.endsWith('/inspect.json')) continue;
    const doc = json<{ Id?: string; Image?: string }>(b, path);
    if (doc?.Id && doc.Image) imageIds.set(doc.Id, doc.Image);
  }
  const out = new Map<string, ContainerFacts>();
  for (const r of rows) {
    out.set(r.name, {
      id: r.id,
      image: r.image,
      imageId: imageIds.get(r.id) ?? null,
      state: r.state,
      exitCode: r.exitCode ?? null,
      oomKilled: r.oomKilled ?? null,
      restartCount: r.restartCount ?? null,
      health: r.health ?? null,
    });
  }
  return out;
}

const enginesOf = (b: LoadedBundle): Set<string> =>
  new Set([...b.texts.keys()].map((p) => /^docker\/([^/]+)\/containers\.json$/.exec(p)?.[1]).filter((x): x is string => x !== undefined));

/** The state as a sentence: running, exited (exit code 137, OOM-killed), ... */
export function describeState(s: Pick<ContainerFacts, 'state' | 'exitCode' | 'oomKilled'>): string {
  const bits: string[] = [];
  if ((s.state === 'exited' || s.state === 'dead') && s.exitCode !== null) bits.push(`exit code ${s.exitCode}`);
  if (s.oomKilled) bits.push('OOM-killed');
  return bits.length ? `${s.state} (${bits.join(', ')})` : s.state;
}

function compareContainers(a: LoadedBundle, b: LoadedBundle, notComparable: NotComparable[]): ContainerChange[] {
  const out: ContainerChange[] = [];
  const ea = enginesOf(a);
  const eb = enginesOf(b);
  for (const engine of [...new Set([...ea, ...eb])].sort()) {
    if (!ea.has(engine) || !eb.has(engine)) {
      const missing = ea.has(engine) ? 'NEW' : 'OLD';
      notComparable.push({ section: `containers on ${engine}`, reason: `no docker/${engine}/containers.json in ${missing} (engine not collected or not reachable then)` });
      continue;
    }
    const ca = containerFacts(a, engine)!;
    const cb = containerFacts(b, engine)!;
    for (const name of [...new Set([...ca.keys(), ...cb.keys()])].sort()) {
      const x = ca.get(name);
      const y = cb.get(name);
      if (!x) out.push({ engine, name, kind: 'appeared', container: y! });
      else if (!y) out.push({ engine, name, kind: 'disappeared', container: x });
      else {
        const changes = containerChanges(x, y);
        if (changes.length) out.push({ engine, name, kind: 'changed', changes });
      }
    }
  }
  return out;
}

function containerChanges(x: ContainerFacts, y: ContainerFacts): ContainerFieldChange[] {
  const changes: ContainerFieldChange[] = [];
  if (x.id !== y.id) changes.push({ field: 'id', old: x.id, new: y.id });
  if (describeState(x) !== describeState(y)) {
    changes.push({ field: 'state', old: { state: x.state, exitCode: x.exitCode, oomKilled: x.oomKilled }, new: { state: y.state, exitCode: y.exitCode, oomKilled: y.oomKilled } });
  }
  if (x.restartCount !== y.restartCount && x.restartCount !== null && y.restartCount !== null) changes.push({ field: 'restartCount', old: x.restartCount, new: y.restartCount });
  if (x.health !== y.health) changes.push({ field: 'health', old: x.health, new: y.health });
  if (x.image !== y.image) changes.push({ field: 'image', old: x.image, new: y.image });
  if (x.imageId !== y.imageId && x.imageId !== null && y.imageId !== null) changes.push({ field: 'imageId', old: x.imageId, new: y.imageId });
  return changes;
}

// ---------------------------------------------------------------------------------------------
// Versions

type VersionsFile = Record<string, { version?: string; error?: string } | undefined>;

function compareVersions(a: LoadedBundle, b: LoadedBundle, notComparable: NotComparable[]): VersionChange[] {
  const out: VersionChange[] = [];
  const push = (what: string, x: string | null | undefined, y: string | null | undefined): void => {
    if ((x ?? null) !== (y ?? null)) out.push({ what, old: x ?? null, new: y ?? null });
  };
  /** Environment keys already compared from a file. */
  const covered = new Set<string>();

  // Engines: docker/<label>/version.json (engine folders present in both).
  const engines = (x: LoadedBundle): Set<string> =>
    new Set([...x.texts.keys()].map((p) => /^docker\/([^/]+)\/version\.json$/.exec(p)?.[1]).filter((l): l is string => l !== undefined));
  const va = engines(a);
  const vb = engines(b);
  const engineVersion = (x: LoadedBundle, label: string): string | null => {
    const v = json<{ Version?: string; ApiVersion?: string }>(x, `docker/${label}/version.json`);
    return v?.Version ? `${v.Version}${v.ApiVersion ? ` (API ${v.ApiVersion})` : ''}` : null;
  };
  for (const label of [...va].filter((l) => vb.has(l)).sort()) {
    push(`docker engine ${label}`, engineVersion(a, label), engineVersion(b, label));
    covered.add(`docker.engine.${label}`);
  }
  if (va.size && vb.size) for (const k of ['docker.server', 'docker.api']) covered.add(k);

  // Django and its Python: django/versions.json.
  if (oneSided(a, b, 'django/versions.json', 'Django versions', notComparable) === 'both') {
    type DjangoVersions = { django?: { version?: string }; python?: { version?: string } };
    const da = json<DjangoVersions>(a, 'django/versions.json');
    const db = json<DjangoVersions>(b, 'django/versions.json');
    push('django', da?.django?.version, db?.django?.version);
    push('python (django)', da?.python?.version, db?.python?.version);
    for (const k of ['django', 'django.python']) covered.add(k);
  }

  // Tools on the host: system/versions.json.
  if (oneSided(a, b, 'system/versions.json', 'tool versions', notComparable) === 'both') {
    const sa = json<VersionsFile>(a, 'system/versions.json') ?? {};
    const sb = json<VersionsFile>(b, 'system/versions.json') ?? {};
    for (const tool of [...new Set([...Object.keys(sa), ...Object.keys(sb)])].sort()) {
      push(tool, sa[tool]?.version, sb[tool]?.version);
      covered.add(tool);
    }
  }

  // Everything else the collectors reported as facts (OS, kernel, settings module, ...).
  const fa = a.manifest.environment ?? {};
  const fb = b.manifest.environment ?? {};
  for (const key of [...new Set([...Object.keys(fa), ...Object.keys(fb)])].sort()) {
    if (covered.has(key)) continue;
    // A fact only one side has usually means a collector ran on one side only; said once, above or below.
    if ((fa[key] === undefined) !== (fb[key] === undefined)) {
      const collector = key.split('.')[0]!;
      if (!ran(a, collector) || !ran(b, collector)) continue;
    }
    push(key, fa[key], fb[key]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Migrations

interface MigrationsFile {
  readonly apps?: Record<string, readonly { readonly name: string; readonly applied: boolean | null }[]>;
}

function compareMigrations(a: LoadedBundle, b: LoadedBundle, notComparable: NotComparable[]): MigrationChange[] {
  if (oneSided(a, b, 'django/migrations.json', 'migrations', notComparable) !== 'both') return [];
  const ma = json<MigrationsFile>(a, 'django/migrations.json')?.apps;
  const mb = json<MigrationsFile>(b, 'django/migrations.json')?.apps;
  if (!ma || !mb) {
    notComparable.push({ section: 'migrations', reason: `django/migrations.json has no app list in ${!ma ? 'OLD' : 'NEW'} (see its error there)` });
    return [];
  }
  const out: MigrationChange[] = [];
  const unknown = new Set<string>();
  for (const app of [...new Set([...Object.keys(ma), ...Object.keys(mb)])].sort()) {
    const xa = new Map((ma[app] ?? []).map((m) => [m.name, m.applied]));
    const xb = new Map((mb[app] ?? []).map((m) => [m.name, m.applied]));
    // Keep the graph's order: NEW's list, then what only OLD had.
    const names = [...(mb[app] ?? []).map((m) => m.name), ...(ma[app] ?? []).map((m) => m.name).filter((n) => !xb.has(n))];
    for (const name of names) {
      if (!xa.has(name)) out.push({ app, name, change: 'added' });
      else if (!xb.has(name)) out.push({ app, name, change: 'removed' });
    }
    for (const name of names) {
      const x = xa.get(name);
      const y = xb.get(name);
      if (x === undefined || y === undefined) {
        // Added and already applied (or removed while applied) is still worth saying.
        if (y === true && x === undefined) out.push({ app, name, change: 'applied' });
        continue;
      }
      if (x === null || y === null) {
        if (x === null) unknown.add('OLD');
        if (y === null) unknown.add('NEW');
        continue;
      }
      if (x !== y) out.push({ app, name, change: y ? 'applied' : 'unapplied' });
    }
  }
  if (unknown.size) {
    const where = unknown.size === 2 ? 'both bundles' : [...unknown].join('');
    notComparable.push({ section: 'migrations applied', reason: `which migrations are applied is unknown in ${where} (the database was not reachable; see django/databases.json)` });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Findings

function compareFindings(a: LoadedBundle, b: LoadedBundle, notComparable: NotComparable[]): BundleDiff['findings'] {
  const fa = findingsOf(a);
  const fb = findingsOf(b);
  if (!fa || !fb) {
    if (fa || fb) notComparable.push({ section: 'findings', reason: `no findings.json in ${fa ? 'NEW' : 'OLD'} (run \`collect-bundle analyze\` on it)` });
    return { new: [], resolved: [] };
  }
  const key = (f: { id: string; subject?: string | null }): string => `${f.id}\u0000${f.subject ?? ''}`;
  const order = (x: FindingRef, y: FindingRef): number => SEVERITIES.indexOf(x.severity) - SEVERITIES.indexOf(y.severity) || x.id.localeCompare(y.id) || (x.subject ?? '').localeCompare(y.subject ?? '');
  /** Findings of `from` whose id + subject `other` does not have, one per id + subject. */
  const only = (from: FindingsDocument, other: FindingsDocument): FindingRef[] => {
    const seen = new Set(other.findings.map(key));
    const out = new Map<string, FindingRef>();
    for (const f of from.findings) if (!seen.has(key(f)) && !out.has(key(f))) out.set(key(f), { id: f.id, subject: f.subject ?? null, severity: f.severity, title: f.title });
    return [...out.values()].sort(order);
  };
  return { new: only(fb, fa), resolved: only(fa, fb) };
}

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

// ---------------------------------------------------------------------------------------------
// Jobs

type ContainerManagerFile = { installed?: boolean; jobs?: { error?: string; countsByStatus?: Record<string, number>; total?: number } };

function compareJobs(a: LoadedBundle, b: LoadedBundle, notComparable: NotComparable[]): JobCountChange[] {
  if (oneSided(a, b, 'django/container-manager.json', 'job counts', notComparable) !== 'both') return [];
  const ja = json<ContainerManagerFile>(a, 'django/container-manager.json')?.jobs;
  const jb = json<ContainerManagerFile>(b, 'django/container-manager.json')?.jobs;
  if (!ja && !jb) return []; // container_manager is not installed in either
  const broken = (j: ContainerManagerFile['jobs']): string | undefined => (!j ? 'no jobs section' : j.error ? j.error : !j.countsByStatus ? 'no counts by status' : undefined);
  const [wa, wb] = [broken(ja), broken(jb)];
  if (wa || wb) {
    const why = wa && wa === wb ? `both: ${wa}` : [wa && `OLD: ${wa}`, wb && `NEW: ${wb}`].filter(Boolean).join('; ');
    notComparable.push({ section: 'job counts', reason: `not comparable (${why})` });
    return [];
  }
  const ca = ja!.countsByStatus!;
  const cb = jb!.countsByStatus!;
  const out: JobCountChange[] = [];
  for (const status of [...new Set([...Object.keys(ca), ...Object.keys(cb)])].sort()) {
    const x = ca[status] ?? 0;
    const y = cb[status] ?? 0;
    if (x !== y) out.push({ status, old: x, new: y, delta: y - x });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Resources

type Filesystem = { mount?: string; type?: string; readWrite?: boolean; sizeBytes?: number; usedBytes?: number; availableBytes?: number };

/** Metrics shown for information only, never counted as a difference. */
const INFORMATIONAL: ReadonlySet<ResourceChange['metric']> = new Set(['available', 'used+cache']);

/**
 * Mounts that say nothing about the host's disks and come and go with containers: the host analyzer's
 * skip list (overlay roots, namespaces, read-only images), memory file systems, and anything Docker
 * mounts for a container under its data root or /run/docker.
 */
export function isPseudoMount(f: Filesystem): boolean {
  const type = String(f.type ?? '');
  if (f.readWrite === false || SKIP_FS_TYPES.has(type) || type === 'tmpfs' || type === 'devtmpfs' || type === 'shm') return true;
  const mount = f.mount ?? '';
  return /^\/var\/lib\/docker\/|^\/run\/docker\/|^\/var\/run\/docker\/|\/containers\/[0-9a-f]{12,}\/mounts\/|\/overlay2?\/[^/]+\/merged$/.test(mount);
}
type Memory = { totalBytes?: number; usedBytes?: number; availableBytes?: number; swapTotalBytes?: number; swapUsedBytes?: number };
type Df = {
  LayersSize?: number;
  Containers?: { SizeRw?: number }[] | null;
  Volumes?: { UsageData?: { Size?: number } | null }[] | null;
  BuildCache?: { Size?: number }[] | null;
};

function compareResources(a: LoadedBundle, b: LoadedBundle, notComparable: NotComparable[]): ResourceChange[] {
  const out: ResourceChange[] = [];
  const add = (kind: ResourceChange['kind'], subject: string, metric: ResourceChange['metric'], x: number | null, y: number | null, scale: number | null): void => {
    if (x === y) return;
    const delta = (y ?? 0) - (x ?? 0);
    const significant =
      x === null || y === null ? true : kind === 'docker' ? Math.abs(delta) >= RESOURCE_THRESHOLDS.dockerBytes : scale ? Math.abs(delta) >= scale * (kind === 'disk' ? RESOURCE_THRESHOLDS.diskFraction : RESOURCE_THRESHOLDS.memoryFraction) : false;
    out.push({ kind, subject, metric, old: x, new: y, delta, significant: INFORMATIONAL.has(metric) ? false : significant });
  };
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

  if (oneSided(a, b, 'system/filesystems.json', 'disk', notComparable) === 'both') {
    const mounts = (x: LoadedBundle): Map<string, Filesystem> =>
      new Map((json<Filesystem[]>(x, 'system/filesystems.json') ?? []).filter((f) => f.mount && !isPseudoMount(f)).map((f) => [f.mount!, f]));
    const fa = mounts(a);
    const fb = mounts(b);
    for (const mount of [...new Set([...fa.keys(), ...fb.keys()])].sort()) {
      const x = fa.get(mount);
      const y = fb.get(mount);
      const scale = num(y?.sizeBytes) ?? num(x?.sizeBytes);
      add('disk', mount, 'used', x ? num(x.usedBytes) : null, y ? num(y.usedBytes) : null, scale);
      add('disk', mount, 'available', x ? num(x.availableBytes) : null, y ? num(y.availableBytes) : null, scale);
    }
  }
  if (oneSided(a, b, 'system/memory.json', 'memory', notComparable) === 'both') {
    const ma = json<Memory>(a, 'system/memory.json') ?? {};
    const mb = json<Memory>(b, 'system/memory.json') ?? {};
    const total = num(mb.totalBytes) ?? num(ma.totalBytes);
    // systeminformation's `used` includes buffers/cache, which the kernel hands back on demand.
    const taken = (m: Memory): number | null => {
      const t = num(m.totalBytes);
      const av = num(m.availableBytes);
      return t !== null && av !== null ? t - av : null;
    };
    add('memory', 'memory', 'used', taken(ma), taken(mb), total);
    add('memory', 'memory', 'available', num(ma.availableBytes), num(mb.availableBytes), total);
    add('memory', 'memory', 'used+cache', num(ma.usedBytes), num(mb.usedBytes), total);
    add('memory', 'swap', 'used', num(ma.swapUsedBytes), num(mb.swapUsedBytes), num(mb.swapTotalBytes) || num(ma.swapTotalBytes) || null);
  }
  const dfEngines = (x: LoadedBundle): Set<string> => new Set([...x.texts.keys()].map((p) => /^docker\/([^/]+)\/df\.json$/.exec(p)?.[1]).filter((l): l is string => l !== undefined));
  const da = dfEngines(a);
  const db = dfEngines(b);
  for (const engine of [...da].filter((l) => db.has(l)).sort()) {
    const sizes = (x: LoadedBundle): Record<string, number> => {
      const df = json<Df>(x, `docker/${engine}/df.json`) ?? {};
      const sum = (list: readonly (number | null | undefined)[]): number => list.reduce<number>((n, v) => n + (typeof v === 'number' && v > 0 ? v : 0), 0);
      return {
        images: num(df.LayersSize) ?? 0,
        containers: sum((df.Containers ?? []).map((c) => c.SizeRw)),
        volumes: sum((df.Volumes ?? []).map((v) => v.UsageData?.Size)),
        'build cache': sum((df.BuildCache ?? []).map((c) => c.Size)),
      };
    };
    const sa = sizes(a);
    const sb = sizes(b);
    for (const what of Object.keys(sa)) add('docker', `${engine} ${what}`, 'size', sa[what]!, sb[what]!, null);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Text

/** Signed human size: `+1.5 GiB`, `-512 MiB`. */
export function signedBytes(n: number): string {
  return `${n < 0 ? '-' : '+'}${formatBytes(Math.abs(n))}`;
}

const shortId = (id: string | null): string => (id ? id.replace(/^sha256:/, '').slice(0, 12) : '(none)');

/** `diff`'s text report: grouped, in a stable order. */
export function renderDiff(d: BundleDiff): string {
  const out: string[] = [];
  out.push(`--- ${d.old.bundle}  (${d.old.startedAt})`);
  out.push(`+++ ${d.new.bundle}  (${d.new.startedAt})`);
  for (const n of d.notes) out.push(`note: ${n}`);
  const section = (title: string, lines: string[]): void => {
    if (lines.length) out.push('', title, ...lines.map((l) => `  ${l}`));
  };
  section(
    'Containers',
    d.containers.map((c) => {
      const who = `${c.engine}/${c.name}`;
      if (c.kind !== 'changed') {
        return c.kind === 'appeared'
          ? `+ ${who}: appeared (${describeState(c.container)}, image ${c.container.image})`
          : `- ${who}: disappeared (was ${describeState(c.container)}, image ${c.container.image})`;
      }
      return `~ ${who}: ${c.changes.map(describeChange).join('; ')}`;
    }),
  );
  section('Versions', d.versions.map((v) => `~ ${v.what}: ${v.old ?? '(none)'} → ${v.new ?? '(none)'}`));
  section('Migrations', d.migrations.map((m) => `${m.change === 'added' || m.change === 'applied' ? '+' : '-'} ${m.app}.${m.name}: ${m.change}`));
  section('Findings', [
    ...d.findings.new.map((f) => `+ new ${f.severity} ${f.id}${f.subject ? ` [${f.subject}]` : ''}: ${f.title}`),
    ...d.findings.resolved.map((f) => `- resolved ${f.severity} ${f.id}${f.subject ? ` [${f.subject}]` : ''}: ${f.title}`),
  ]);
  section('Jobs by status', d.jobs.map((j) => `~ ${j.status}: ${j.old} → ${j.new} (${j.delta > 0 ? '+' : ''}${j.delta})`));
  section('Resources', resourceLines(d.resources));
  section('Not comparable', d.notComparable.map((n) => `${n.section}: ${n.reason}`));
  out.push('');
  const small = d.resources.some((r) => !r.significant && !INFORMATIONAL.has(r.metric));
  out.push(
    d.differences === 0
      ? `no differences${small ? ' (resource changes below the thresholds are listed but not counted)' : ''}`
      : `${d.differences} difference${d.differences === 1 ? '' : 's'}${small ? ' (resource changes without ! are below the thresholds and not counted)' : ''}`,
  );
  return `${out.join('\n')}\n`;
}

function describeChange(c: ContainerFieldChange): string {
  switch (c.field) {
    case 'id':
      return `recreated (id ${shortId(c.old)} → ${shortId(c.new)})`;
    case 'state':
      return `${describeState(c.old)} → ${describeState(c.new)}`;
    case 'restartCount': {
      const delta = (c.new ?? 0) - (c.old ?? 0);
      return `restarts ${c.old} → ${c.new} (${delta > 0 ? '+' : ''}${delta})`;
    }
    case 'health':
      return `health ${c.old ?? '(none)'} → ${c.new ?? '(none)'}`;
    case 'image':
      return `image ${c.old} → ${c.new}`;
    case 'imageId':
      return `image id ${shortId(c.old)} → ${shortId(c.new)}`;
  }
}

/** One line per subject: `! / used 22.5 GiB → 24.1 GiB (+1.6 GiB), available ...`. */
function resourceLines(list: readonly ResourceChange[]): string[] {
  const bySubject = new Map<string, ResourceChange[]>();
  for (const r of list) bySubject.set(`${r.kind}\u0000${r.subject}`, [...(bySubject.get(`${r.kind}\u0000${r.subject}`) ?? []), r]);
  const lines: string[] = [];
  for (const group of bySubject.values()) {
    const first = group[0]!;
    const label = first.kind === 'disk' ? `disk ${first.subject}` : first.subject;
    const parts = group.map((r) => {
      if (r.old === null) return `${r.metric} (new) ${formatBytes(r.new ?? 0)}`;
      if (r.new === null) return `${r.metric} (gone, was ${formatBytes(r.old)})`;
      return `${r.metric} ${formatBytes(r.old)} → ${formatBytes(r.new)} (${signedBytes(r.delta)})`;
    });
    lines.push(`${group.some((r) => r.significant) ? '!' : ' '} ${label}: ${parts.join(', ')}`);
  }
  return lines;
}
