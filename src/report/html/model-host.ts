// Room: report (src/report/) — may import core, bundle, analyzers (the rule: tests/architecture.test.ts).
/** report.html's host and Django parts: disk and memory gauges, Django checks and migrations, job lifetimes. */
import type { BundleView } from '../../core/types.js';
import { type DjangoCheckMessage, DJANGO, DOCKER, type FilesystemRow, JOB, type MemoryFile, type MigrationsFile, SYSTEM } from '../../bundle/layout.js';
import type { DjangoModel, Gauge, JobSpan } from './types.js';

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Host memory and swap, every real filesystem, and the filesystem of each engine's data root. */
export async function gaugesOf(view: BundleView): Promise<Gauge[]> {
  const out: Gauge[] = [];
  const mem = await view.json<MemoryFile>(SYSTEM.memory);
  if (isObj(mem)) {
    const total = num(mem.totalBytes);
    const available = num(mem.availableBytes);
    if (total && available !== undefined)
      out.push({ label: 'Host memory', used: total - available, total, note: 'used = total - available (page cache not counted)' });
    const swap = num(mem.swapTotalBytes);
    if (swap) out.push({ label: 'Swap', used: num(mem.swapUsedBytes) ?? 0, total: swap, note: '' });
  }
  const fss = await view.json<unknown>(SYSTEM.filesystems);
  const rows = (Array.isArray(fss) ? fss : []).filter(isObj) as FilesystemRow[];
  const real = rows.filter((f) => typeof f.mount === 'string' && num(f.sizeBytes) && num(f.usedBytes) !== undefined);
  for (const f of real.slice(0, 12)) out.push({ label: `Disk ${f.mount}`, used: f.usedBytes!, total: f.sizeBytes!, note: f.type ?? '' });
  for (const p of view.paths()) {
    const engine = DOCKER.engineOf(p, 'info');
    if (!engine) continue;
    const info = await view.json<{ DockerRootDir?: unknown }>(p);
    const root = typeof info?.DockerRootDir === 'string' ? info.DockerRootDir : undefined;
    if (!root) continue;
    let best: FilesystemRow | undefined;
    for (const f of real) {
      const m = f.mount!.endsWith('/') ? f.mount! : `${f.mount}/`;
      if ((root === f.mount || root.startsWith(m)) && (!best || f.mount!.length > best.mount!.length)) best = f;
    }
    if (best) out.push({ label: `Docker data root (${engine}) ${root}`, used: best.usedBytes!, total: best.sizeBytes!, note: `on ${best.mount}` });
  }
  return out;
}

/** Checks (django/checks.json), migrations per app (django/migrations.json), job counts (container-manager.json). */
export async function djangoOf(view: BundleView): Promise<DjangoModel | null> {
  const [checksDoc, migrationsDoc, cm] = await Promise.all([
    view.json<{ check?: { messages?: unknown } }>(DJANGO.checks),
    view.json<MigrationsFile>(DJANGO.migrations),
    view.json<{ jobs?: { countsByStatus?: unknown } }>(DJANGO.containerManager),
  ]);
  if (!checksDoc && !migrationsDoc && !cm) return null;
  const messages = Array.isArray(checksDoc?.check?.messages) ? (checksDoc.check.messages as DjangoCheckMessage[]).filter(isObj) : [];
  const checks = messages.map((c) => ({
    id: String(c.id ?? ''),
    level: String(c.level ?? ''),
    object: typeof c.object === 'string' ? c.object : null,
    message: String(c.message ?? ''),
  }));
  const apps = isObj(migrationsDoc?.apps) ? migrationsDoc.apps : {};
  const migrations = Object.entries(apps)
    .filter(([, list]) => Array.isArray(list))
    .map(([app, list]) => ({
      app,
      applied: list.filter((x) => isObj(x) && x.applied === true).length,
      unapplied: list.filter((x) => isObj(x) && x.applied === false).map((x) => String(x.name)),
    }));
  const counts = isObj(cm?.jobs?.countsByStatus) ? (cm.jobs.countsByStatus as Record<string, unknown>) : null;
  const jobCounts = counts ? (Object.fromEntries(Object.entries(counts).filter(([, v]) => typeof v === 'number')) as Record<string, number>) : null;
  return { checks, migrations, jobCounts };
}

/** The lists of container-manager.json that hold job rows (each row once, by id). */
const JOB_LISTS = ['oldestPending', 'oldestRunning', 'overdue', 'latestFailed', 'failures'] as const;

const stamp = (v: unknown): number | null => {
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isFinite(t) ? t : null;
};

function spanOf(row: Record<string, unknown>): Omit<JobSpan, 'stuck'> | undefined {
  const id = row['id'] ?? row['pk'];
  if (id === undefined || id === null) return undefined;
  return {
    id: String(id),
    name: typeof row['name'] === 'string' ? row['name'] : String(id),
    status: typeof row['status'] === 'string' ? row['status'] : '',
    created: stamp(row['created_at']),
    started: stamp(row['started_at']),
    finished: stamp(row['completed_at'] ?? row['finished_at']),
    exitCode: num(row['exit_code']) ?? null,
    error: typeof row['error_message'] === 'string' && row['error_message'] ? row['error_message'] : null,
  };
}

/** Jobs the bundle holds rows of: container-manager.json's lists and a `--job` bundle's record. */
export async function jobsOf(view: BundleView): Promise<Omit<JobSpan, 'stuck'>[]> {
  const byId = new Map<string, Omit<JobSpan, 'stuck'>>();
  const cm = await view.json<{ jobs?: Record<string, unknown> }>(DJANGO.containerManager);
  const jobs = isObj(cm?.jobs) ? cm.jobs : {};
  for (const list of JOB_LISTS) {
    const rows = jobs[list];
    for (const row of Array.isArray(rows) ? rows : isObj(rows) ? [rows] : []) {
      const span = isObj(row) ? spanOf(row) : undefined;
      if (span && !byId.has(span.id)) byId.set(span.id, span);
    }
  }
  const record = await view.json<{ record?: unknown; pk?: unknown; status?: unknown }>(JOB.record);
  if (isObj(record) && isObj(record.record)) {
    const span = spanOf({ ...record.record, id: record.record['id'] ?? record.pk, status: record.record['status'] ?? record.status });
    if (span) byId.set(span.id, span);
  }
  return [...byId.values()].sort((a, b) => (a.created ?? a.started ?? 0) - (b.created ?? b.started ?? 0));
}
