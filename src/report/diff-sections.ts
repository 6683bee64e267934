// Room: report (src/report/) — may import core, bundle, analyzers (the rule: tests/architecture.test.ts).
/** What `diff` compares, one // --- section each: containers, versions, migrations, findings, jobs, resources (split from src/report/diff.ts). */
import { SKIP_FS_TYPES } from '../../analyzers/host.js';
import type { FindingsDocument } from '../../analyzers/run.js';
import { findingsOf, type LoadedBundle } from './inspect.js';
import type { Severity } from '../core/types.js';
import {
  CONTAINER_FILE,
  type ContainerManagerFile,
  type ContainerRow,
  DJANGO,
  DOCKER,
  type DjangoVersionsFile,
  type DockerDfFile,
  type FilesystemRow,
  type MemoryFile,
  type MigrationsFile,
  ROOT,
  SYSTEM,
  type ToolVersionsFile,
} from '../bundle/layout.js';
import {
  RESOURCE_THRESHOLDS,
  type ContainerFacts,
  type ContainerFieldChange,
  type ContainerChange,
  type VersionChange,
  type MigrationChange,
  type FindingRef,
  type JobCountChange,
  type ResourceChange,
  type NotComparable,
  type BundleDiff,
  json,
  ran,
  oneSided,
} from './diff-model.js';

// ---------------------------------------------------------------------------------------------
// Containers

function containerFacts(b: LoadedBundle, engine: string): Map<string, ContainerFacts> | undefined {
  const rows = json<ContainerRow[]>(b, DOCKER.engine(engine).containers);
  if (!Array.isArray(rows)) return undefined;
  // The image id is not in containers.json: take it from inspect.json, else from `system df`.
  const imageIds = new Map<string, string>();
  const df = json<{ Containers?: { Id?: string; ImageID?: string }[] }>(b, DOCKER.engine(engine).df);
  for (const c of df?.Containers ?? []) if (c.Id && c.ImageID) imageIds.set(c.Id, c.ImageID);
  const prefix = DOCKER.containersDir(engine);
  for (const path of b.texts.keys()) {
    if (!path.startsWith(prefix) || !path.endsWith(`/${CONTAINER_FILE.inspect}`)) continue;
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
  new Set([...b.texts.keys()].map((p) => DOCKER.engineOf(p, 'containers')).filter((x): x is string => x !== undefined));

/** The state as a sentence: running, exited (exit code 137, OOM-killed), ... */
export function describeState(s: Pick<ContainerFacts, 'state' | 'exitCode' | 'oomKilled'>): string {
  const bits: string[] = [];
  if ((s.state === 'exited' || s.state === 'dead') && s.exitCode !== null) bits.push(`exit code ${s.exitCode}`);
  if (s.oomKilled) bits.push('OOM-killed');
  return bits.length ? `${s.state} (${bits.join(', ')})` : s.state;
}

export function compareContainers(a: LoadedBundle, b: LoadedBundle, notComparable: NotComparable[]): ContainerChange[] {
  const out: ContainerChange[] = [];
  const ea = enginesOf(a);
  const eb = enginesOf(b);
  for (const engine of [...new Set([...ea, ...eb])].sort()) {
    if (!ea.has(engine) || !eb.has(engine)) {
      const missing = ea.has(engine) ? 'NEW' : 'OLD';
      notComparable.push({
        section: `containers on ${engine}`,
        reason: `no ${DOCKER.engine(engine).containers} in ${missing} (engine not collected or not reachable then)`,
      });
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
    changes.push({
      field: 'state',
      old: { state: x.state, exitCode: x.exitCode, oomKilled: x.oomKilled },
      new: { state: y.state, exitCode: y.exitCode, oomKilled: y.oomKilled },
    });
  }
  if (x.restartCount !== y.restartCount && x.restartCount !== null && y.restartCount !== null)
    changes.push({ field: 'restartCount', old: x.restartCount, new: y.restartCount });
  if (x.health !== y.health) changes.push({ field: 'health', old: x.health, new: y.health });
  if (x.image !== y.image) changes.push({ field: 'image', old: x.image, new: y.image });
  if (x.imageId !== y.imageId && x.imageId !== null && y.imageId !== null) changes.push({ field: 'imageId', old: x.imageId, new: y.imageId });
  return changes;
}

// ---------------------------------------------------------------------------------------------
// Versions

export function compareVersions(a: LoadedBundle, b: LoadedBundle, notComparable: NotComparable[]): VersionChange[] {
  const out: VersionChange[] = [];
  const push = (what: string, x: string | null | undefined, y: string | null | undefined): void => {
    if ((x ?? null) !== (y ?? null)) out.push({ what, old: x ?? null, new: y ?? null });
  };
  /** Environment keys already compared from a file. */
  const covered = new Set<string>();

  // Engines: docker/<label>/version.json (engine folders present in both).
  const engines = (x: LoadedBundle): Set<string> =>
    new Set([...x.texts.keys()].map((p) => DOCKER.engineOf(p, 'version')).filter((l): l is string => l !== undefined));
  const va = engines(a);
  const vb = engines(b);
  const engineVersion = (x: LoadedBundle, label: string): string | null => {
    const v = json<{ Version?: string; ApiVersion?: string }>(x, DOCKER.engine(label).version);
    return v?.Version ? `${v.Version}${v.ApiVersion ? ` (API ${v.ApiVersion})` : ''}` : null;
  };
  for (const label of [...va].filter((l) => vb.has(l)).sort()) {
    push(`docker engine ${label}`, engineVersion(a, label), engineVersion(b, label));
    covered.add(`docker.engine.${label}`);
  }
  if (va.size && vb.size) for (const k of ['docker.server', 'docker.api']) covered.add(k);

  // Django and its Python: django/versions.json.
  if (oneSided(a, b, DJANGO.versions, 'Django versions', notComparable) === 'both') {
    const da = json<DjangoVersionsFile>(a, DJANGO.versions);
    const db = json<DjangoVersionsFile>(b, DJANGO.versions);
    push('django', da?.django?.version, db?.django?.version);
    push('python (django)', da?.python?.version, db?.python?.version);
    for (const k of ['django', 'django.python']) covered.add(k);
  }

  // Tools on the host: system/versions.json.
  if (oneSided(a, b, SYSTEM.versions, 'tool versions', notComparable) === 'both') {
    const sa = json<ToolVersionsFile>(a, SYSTEM.versions) ?? {};
    const sb = json<ToolVersionsFile>(b, SYSTEM.versions) ?? {};
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

export function compareMigrations(a: LoadedBundle, b: LoadedBundle, notComparable: NotComparable[]): MigrationChange[] {
  if (oneSided(a, b, DJANGO.migrations, 'migrations', notComparable) !== 'both') return [];
  const ma = json<MigrationsFile>(a, DJANGO.migrations)?.apps;
  const mb = json<MigrationsFile>(b, DJANGO.migrations)?.apps;
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
    notComparable.push({
      section: 'migrations applied',
      reason: `which migrations are applied is unknown in ${where} (the database was not reachable; see django/databases.json)`,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Findings

export function compareFindings(a: LoadedBundle, b: LoadedBundle, notComparable: NotComparable[]): BundleDiff['findings'] {
  const fa = findingsOf(a);
  const fb = findingsOf(b);
  if (!fa || !fb) {
    if (fa || fb) notComparable.push({ section: 'findings', reason: `no ${ROOT.findings} in ${fa ? 'NEW' : 'OLD'} (run \`collect-bundle analyze\` on it)` });
    return { new: [], resolved: [] };
  }
  const key = (f: { id: string; subject?: string | null }): string => `${f.id}\u0000${f.subject ?? ''}`;
  const order = (x: FindingRef, y: FindingRef): number =>
    SEVERITIES.indexOf(x.severity) - SEVERITIES.indexOf(y.severity) || x.id.localeCompare(y.id) || (x.subject ?? '').localeCompare(y.subject ?? '');
  /** Findings of `from` whose id + subject `other` does not have, one per id + subject. */
  const only = (from: FindingsDocument, other: FindingsDocument): FindingRef[] => {
    const seen = new Set(other.findings.map(key));
    const out = new Map<string, FindingRef>();
    for (const f of from.findings)
      if (!seen.has(key(f)) && !out.has(key(f))) out.set(key(f), { id: f.id, subject: f.subject ?? null, severity: f.severity, title: f.title });
    return [...out.values()].sort(order);
  };
  return { new: only(fb, fa), resolved: only(fa, fb) };
}

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

// ---------------------------------------------------------------------------------------------
// Jobs

export function compareJobs(a: LoadedBundle, b: LoadedBundle, notComparable: NotComparable[]): JobCountChange[] {
  if (oneSided(a, b, DJANGO.containerManager, 'job counts', notComparable) !== 'both') return [];
  const ja = json<ContainerManagerFile>(a, DJANGO.containerManager)?.jobs;
  const jb = json<ContainerManagerFile>(b, DJANGO.containerManager)?.jobs;
  if (!ja && !jb) return []; // container_manager is not installed in either
  const broken = (j: ContainerManagerFile['jobs']): string | undefined =>
    !j ? 'no jobs section' : j.error ? j.error : !j.countsByStatus ? 'no counts by status' : undefined;
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

/** Metrics shown for information only, never counted as a difference. */
export const INFORMATIONAL: ReadonlySet<ResourceChange['metric']> = new Set(['available', 'used+cache']);

/**
 * Mounts that say nothing about the host's disks and come and go with containers: the host analyzer's
 * skip list (overlay roots, namespaces, read-only images), memory file systems, and anything Docker
 * mounts for a container under its data root or /run/docker.
 */
export function isPseudoMount(f: FilesystemRow): boolean {
  const type = String(f.type ?? '');
  if (f.readWrite === false || SKIP_FS_TYPES.has(type) || type === 'tmpfs' || type === 'devtmpfs' || type === 'shm') return true;
  const mount = f.mount ?? '';
  return /^\/var\/lib\/docker\/|^\/run\/docker\/|^\/var\/run\/docker\/|\/containers\/[0-9a-f]{12,}\/mounts\/|\/overlay2?\/[^/]+\/merged$/.test(mount);
}

export function compareResources(a: LoadedBundle, b: LoadedBundle, notComparable: NotComparable[]): ResourceChange[] {
  const out: ResourceChange[] = [];
  const add = (
    kind: ResourceChange['kind'],
    subject: string,
    metric: ResourceChange['metric'],
    x: number | null,
    y: number | null,
    scale: number | null,
  ): void => {
    if (x === y) return;
    const delta = (y ?? 0) - (x ?? 0);
    const significant =
      x === null || y === null
        ? true
        : kind === 'docker'
          ? Math.abs(delta) >= RESOURCE_THRESHOLDS.dockerBytes
          : scale
            ? Math.abs(delta) >= scale * (kind === 'disk' ? RESOURCE_THRESHOLDS.diskFraction : RESOURCE_THRESHOLDS.memoryFraction)
            : false;
    out.push({ kind, subject, metric, old: x, new: y, delta, significant: INFORMATIONAL.has(metric) ? false : significant });
  };
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

  if (oneSided(a, b, SYSTEM.filesystems, 'disk', notComparable) === 'both') {
    const mounts = (x: LoadedBundle): Map<string, FilesystemRow> =>
      new Map((json<FilesystemRow[]>(x, SYSTEM.filesystems) ?? []).filter((f) => f.mount && !isPseudoMount(f)).map((f) => [f.mount!, f]));
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
  if (oneSided(a, b, SYSTEM.memory, 'memory', notComparable) === 'both') {
    const ma = json<MemoryFile>(a, SYSTEM.memory) ?? {};
    const mb = json<MemoryFile>(b, SYSTEM.memory) ?? {};
    const total = num(mb.totalBytes) ?? num(ma.totalBytes);
    // systeminformation's `used` includes buffers/cache, which the kernel hands back on demand.
    const taken = (m: MemoryFile): number | null => {
      const t = num(m.totalBytes);
      const av = num(m.availableBytes);
      return t !== null && av !== null ? t - av : null;
    };
    add('memory', 'memory', 'used', taken(ma), taken(mb), total);
    add('memory', 'memory', 'available', num(ma.availableBytes), num(mb.availableBytes), total);
    add('memory', 'memory', 'used+cache', num(ma.usedBytes), num(mb.usedBytes), total);
    add('memory', 'swap', 'used', num(ma.swapUsedBytes), num(mb.swapUsedBytes), num(mb.swapTotalBytes) || num(ma.swapTotalBytes) || null);
  }
  const dfEngines = (x: LoadedBundle): Set<string> =>
    new Set([...x.texts.keys()].map((p) => DOCKER.engineOf(p, 'df')).filter((l): l is string => l !== undefined));
  const da = dfEngines(a);
  const db = dfEngines(b);
  for (const engine of [...da].filter((l) => db.has(l)).sort()) {
    const sizes = (x: LoadedBundle): Record<string, number> => {
      const df = json<DockerDfFile>(x, DOCKER.engine(engine).df) ?? {};
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
