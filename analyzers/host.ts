// Room: analyzers (analyzers/) — may import core, bundle (the rule: tests/architecture.test.ts).
/**
 * Host analyzers: low disk on the host's filesystems and on the one holding Docker's data root, and
 * memory pressure on the host (available memory, swap) and in running containers near their limit.
 * Reads system/filesystems.json, system/memory.json, docker/<engine>/info.json, df.json and each
 * container's stats.json through the bundle view.
 */
import type { AnalyzeOptions, Analyzer, BundleView, Evidence, Finding } from '../src/core/types.js';
import { formatBytes } from '../src/core/units.js';
import { MAX_CONTAINERS, engineLabels, engineUrl, get, readJson, type JsonDoc } from './docker-data.js';
import { finding, num } from './finding.js';

const GiB = 1024 ** 3;
export const DEFAULT_DISK_USED_WARN = 0.9;
/** At or above this use, low disk is an error (unless the warning threshold is set higher). */
export const DISK_USED_ERROR = 0.97;
/** Less free than this on a filesystem of at least MIN_SIZE_FOR_FREE_CHECK is an error. */
export const DISK_FREE_ERROR_BYTES = GiB;
const MIN_SIZE_FOR_FREE_CHECK = 2 * GiB;
export const DEFAULT_MEMORY_AVAILABLE_WARN = 0.1;
export const SWAP_USED_WARN = 0.5;
export const DEFAULT_CONTAINER_MEMORY_WARN = 0.9;

/** Filesystem types that are always full or mirror another filesystem (also skipped by `diff`). */
export const SKIP_FS_TYPES = new Set(['squashfs', 'iso9660', 'udf', 'overlay', 'aufs', 'nsfs', 'fuse.snapfuse']);

interface Fs {
  readonly index: number;
  readonly filesystem: string;
  readonly mount: string;
  readonly size: number;
  readonly used: number;
  readonly available: number;
  /** Fraction used, as `df` counts it (used / (used + available)). */
  readonly usedFraction: number;
}

function filesystems(doc: JsonDoc | undefined): Fs[] {
  if (!doc || !Array.isArray(doc.value)) return [];
  const out: Fs[] = [];
  for (const [index, f] of (doc.value as Record<string, unknown>[]).entries()) {
    if (typeof f !== 'object' || f === null) continue;
    const mount = typeof f['mount'] === 'string' ? f['mount'] : undefined;
    const size = num(f['sizeBytes']);
    const used = num(f['usedBytes']);
    const available = num(f['availableBytes']);
    if (!mount || !size || size <= 0 || used === undefined || available === undefined) continue;
    if (f['readWrite'] === false || SKIP_FS_TYPES.has(String(f['type'] ?? ''))) continue;
    const pct = num(f['usePercent']);
    const usedFraction = pct !== undefined ? pct / 100 : used + available > 0 ? used / (used + available) : 0;
    out.push({ index, filesystem: typeof f['filesystem'] === 'string' ? f['filesystem'] : mount, mount, size, used, available, usedFraction });
  }
  return out;
}

/** The filesystem a path lives on: the longest mount point that contains it. */
export function mountOf(path: string, fss: readonly Fs[]): Fs | undefined {
  let best: Fs | undefined;
  for (const f of fss) {
    const m = f.mount.endsWith('/') ? f.mount : `${f.mount}/`;
    if ((path === f.mount || path.startsWith(m) || f.mount === '/') && (!best || f.mount.length > best.mount.length)) best = f;
  }
  return best;
}

/** What `docker system df` would call reclaimable, from df.json. */
export function reclaimable(df: unknown): { total: number; parts: string[] } {
  const sum = (list: unknown, pick: (x: Record<string, unknown>) => number | undefined): number =>
    Array.isArray(list) ? list.reduce<number>((a, x) => a + (typeof x === 'object' && x !== null ? Math.max(0, pick(x as Record<string, unknown>) ?? 0) : 0), 0) : 0;
  const images = sum(get(df, ['Images']), (i) => (num(i['Containers']) === 0 ? num(i['Size']) : 0));
  const containers = sum(get(df, ['Containers']), (c) => (c['State'] !== 'running' ? num(c['SizeRw']) : 0));
  const volumes = sum(get(df, ['Volumes']), (v) => (num(get(v, ['UsageData', 'RefCount'])) === 0 ? num(get(v, ['UsageData', 'Size'])) : 0));
  const cache = sum(get(df, ['BuildCache']), (b) => (!b['InUse'] && !b['Shared'] ? num(b['Size']) : 0));
  const parts = [
    images ? `unused images ${formatBytes(images)}` : '',
    containers ? `stopped containers ${formatBytes(containers)}` : '',
    volumes ? `unused volumes ${formatBytes(volumes)}` : '',
    cache ? `build cache ${formatBytes(cache)}` : '',
  ].filter(Boolean);
  return { total: images + containers + volumes + cache, parts };
}

/** One disk, however often it is mounted (a device path), else the one mount. */
const diskKey = (f: Fs): string => (f.filesystem.startsWith('/') ? f.filesystem : `#${f.index}`);

const pct = (f: number): string => `${Math.round(f * 10000) / 100} %`;

/** Engines reached over a local socket: their data root is on this host's filesystems. */
function isLocal(url: string | undefined): boolean {
  return url === undefined || url.startsWith('unix://') || url.startsWith('npipe://');
}

async function diskFindings(view: BundleView, options: AnalyzeOptions): Promise<Finding[]> {
  const warn = typeof options.diskUsedWarn === 'number' && options.diskUsedWarn > 0 ? options.diskUsedWarn : DEFAULT_DISK_USED_WARN;
  const errorAt = Math.max(DISK_USED_ERROR, warn);
  const doc = await readJson(view, 'system/filesystems.json');
  const fss = filesystems(doc);
  if (!doc || fss.length === 0) return [];

  // Docker's data root per local engine, and what it could give back.
  const roots = new Map<string, { label: string; root: string; evidence: Evidence; reclaim: { total: number; parts: string[] } }[]>();
  for (const label of await engineLabels(view)) {
    if (!isLocal(engineUrl(view, label))) continue;
    const info = await readJson(view, `docker/${label}/info.json`);
    const root = get(info?.value, ['DockerRootDir']);
    if (!info || typeof root !== 'string' || !root.startsWith('/')) continue;
    const fs = mountOf(root, fss);
    if (!fs) continue;
    const df = await readJson(view, `docker/${label}/df.json`);
    const list = roots.get(diskKey(fs)) ?? [];
    list.push({ label, root, evidence: info.evidence(['DockerRootDir']), reclaim: reclaimable(df?.value) });
    roots.set(diskKey(fs), list);
  }

  const findings: Finding[] = [];
  const seenDevices = new Set<string>();
  for (const f of [...fss].sort((a, b) => a.mount.length - b.mount.length)) {
    const lowFree = f.available < DISK_FREE_ERROR_BYTES && f.size >= MIN_SIZE_FOR_FREE_CHECK;
    if (f.usedFraction < warn && !lowFree) continue;
    // A device mounted twice (bind mounts) is one disk: report it once, at its shortest mount.
    if (f.filesystem.startsWith('/') && seenDevices.has(f.filesystem)) continue;
    seenDevices.add(f.filesystem);
    const severity = f.usedFraction >= errorAt || lowFree ? 'error' : 'warning';
    const dockerRoots = roots.get(diskKey(f)) ?? [];
    const reclaim = dockerRoots.flatMap((r) => (r.reclaim.total > 0 ? [`engine ${r.label}: about ${formatBytes(r.reclaim.total)} reclaimable (${r.reclaim.parts.join(', ')})`] : []));
    const holds = dockerRoots.length ? ` It holds Docker's data root (${dockerRoots.map((r) => `${r.root} of engine ${r.label}`).join(', ')}): when it fills, image pulls, container starts and logging fail.` : '';
    findings.push(
      finding({
        id: 'disk-low',
        severity,
        title: `Low disk space on ${f.mount}: ${pct(f.usedFraction)} used, ${formatBytes(f.available)} free${dockerRoots.length ? " (Docker's data root)" : ''}`,
        summary: `${f.filesystem} mounted at ${f.mount} is ${pct(f.usedFraction)} full (${formatBytes(f.used)} used of ${formatBytes(f.size)}, ${formatBytes(f.available)} available); the threshold is ${pct(warn)}.${holds}${reclaim.length ? ` ${reclaim.join('; ')}.` : ''}`,
        remedy: [
          `See what uses the space: \`df -h ${f.mount}\`, \`sudo du -xh --max-depth=2 ${f.mount} | sort -h | tail -20\`.`,
          dockerRoots.length
            ? "For Docker: `docker system df` (read-only) shows what is reclaimable. Then, knowing what they delete: `docker image prune` (DESTRUCTIVE: removes dangling images), `docker builder prune` (DESTRUCTIVE: removes the build cache), `docker container prune` (DESTRUCTIVE: removes stopped containers and their logs; collect a bundle first). Never prune volumes without checking them: `docker volume prune` deletes data. Cap container logs with `log-opts` `max-size`/`max-file` in /etc/docker/daemon.json."
            : 'Rotate or compress old logs (`sudo journalctl --vacuum-size=500M` is DESTRUCTIVE for old journal entries), move data to a larger disk, or grow the filesystem.',
        ].join(' '),
        evidence: [doc.evidence([f.index, 'usePercent'], `${f.mount}: ${pct(f.usedFraction)} used`), doc.evidence([f.index, 'mount']), ...dockerRoots.map((r) => r.evidence)],
        subject: `host:${f.mount}`,
      }),
    );
  }
  return findings;
}

async function hostMemoryFinding(view: BundleView, options: AnalyzeOptions): Promise<Finding[]> {
  const doc = await readJson<Record<string, unknown>>(view, 'system/memory.json');
  if (!doc || typeof doc.value !== 'object' || doc.value === null) return [];
  const m = doc.value;
  const total = num(m['totalBytes']);
  const available = num(m['availableBytes']);
  const swapTotal = num(m['swapTotalBytes']);
  const swapUsed = num(m['swapUsedBytes']);
  const warn = typeof options.memoryAvailableWarn === 'number' && options.memoryAvailableWarn > 0 ? options.memoryAvailableWarn : DEFAULT_MEMORY_AVAILABLE_WARN;
  const lowMem = total !== undefined && total > 0 && available !== undefined && available / total < warn;
  const swapping = swapTotal !== undefined && swapTotal > 0 && swapUsed !== undefined && swapUsed / swapTotal > SWAP_USED_WARN;
  if (!lowMem && !swapping) return [];
  const what = [
    lowMem ? `only ${formatBytes(available!)} of ${formatBytes(total!)} memory available (${pct(available! / total!)})` : '',
    swapping ? `${pct(swapUsed! / swapTotal!)} of swap in use (${formatBytes(swapUsed!)} of ${formatBytes(swapTotal!)})` : '',
  ].filter(Boolean);
  return [
    finding({
      id: 'memory-pressure',
      severity: 'warning',
      title: `Host memory pressure: ${what.join(', ')}`,
      summary: `The host is short of memory${lowMem ? ` (below the ${pct(warn)} available threshold)` : ''}${swapping ? '; heavy swap use makes everything slow' : ''}. Processes and containers without a memory limit are the OOM killer's candidates when it runs out.`,
      remedy:
        'Find what uses memory: `free -m`, `ps aux --sort=-rss | head`, `docker stats --no-stream`. Set a memory limit on each container (`docker update --memory 1g --memory-swap 1g NAME`, compose `mem_limit`), lower worker counts, or add memory.',
      evidence: [...(lowMem ? [doc.evidence(['availableBytes']), doc.evidence(['totalBytes'])] : []), ...(swapping ? [doc.evidence(['swapUsedBytes']), doc.evidence(['swapTotalBytes'])] : [])],
      subject: 'host',
    }),
  ];
}

async function containerMemoryFindings(view: BundleView, options: AnalyzeOptions): Promise<Finding[]> {
  const warn = typeof options.containerMemoryWarn === 'number' && options.containerMemoryWarn > 0 ? options.containerMemoryWarn : DEFAULT_CONTAINER_MEMORY_WARN;
  const findings: Finding[] = [];
  let examined = 0;
  for (const p of view.paths()) {
    const m = /^docker\/([^/]+)\/containers\/([^/]+)\/stats\.json$/.exec(p);
    if (!m) continue;
    if (++examined > MAX_CONTAINERS) break;
    const doc = await readJson(view, p);
    const usage = num(get(doc?.value, ['summary', 'memory', 'usageBytes']));
    const limit = num(get(doc?.value, ['summary', 'memory', 'limitBytes']));
    if (!doc || usage === undefined || !limit || usage / limit <= warn) continue;
    const [, label, name] = m as unknown as [string, string, string];
    findings.push(
      finding({
        id: 'memory-pressure',
        severity: 'warning',
        title: `Container ${name} on ${label} uses ${pct(usage / limit)} of its memory limit (${formatBytes(usage)} of ${formatBytes(limit)})`,
        summary: `A running container this close to its limit is about to be OOM-killed or is already reclaiming memory hard (slow). The threshold is ${pct(warn)}.`,
        remedy: `Watch it with \`docker stats ${name}\`; raise the limit if the workload needs it (\`docker update --memory 1g --memory-swap 1g ${name}\`, compose \`mem_limit\`), or make it use less (fewer workers, smaller caches). Look for a leak if usage only grows.`,
        evidence: [doc.evidence(['summary', 'memory', 'usageBytes']), doc.evidence(['summary', 'memory', 'limitBytes']), doc.evidence(['summary', 'memory', 'percent'])],
        subject: `${label}/${name}`,
      }),
    );
  }
  return findings;
}

export const hostAnalyzer: Analyzer = {
  name: 'host-resources',
  description: "Low disk on the host or Docker's data root, and memory pressure on the host or in containers",
  findingIds: ['disk-low', 'memory-pressure'],
  async analyze(view, options): Promise<Finding[]> {
    return [...(await diskFindings(view, options)), ...(await hostMemoryFinding(view, options)), ...(await containerMemoryFindings(view, options))];
  },
};

