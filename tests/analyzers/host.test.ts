/**
 * The host analyzer on a bundle of this machine (system + the real test engine): low disk and memory
 * pressure are triggered with threshold options over the real numbers (never faked ones), a real
 * container filled to ~94 % of its memory limit shows container memory pressure, and damaged files
 * give no finding.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostAnalyzer, mountOf } from '../../analyzers/host.js';
import { MemoryView } from '../../src/bundle/memory-view.js';
import { openBundleView } from '../../src/bundle/view.js';
import { collectBundle } from '../../src/run/collect.js';
import type { BundleView, Evidence, Finding } from '../../src/core/types.js';
import { DOCKER_HOST, TEST_IMAGE, docker, dockerUnavailable, removeContainers, uniq, waitForLog } from '../helpers/docker.js';

const skip = Boolean(dockerUnavailable) && !process.env['CI'];
const prefix = uniq('cbh');
const n = (suffix: string): string => `${prefix}-${suffix}`;
let out: string;
let view: BundleView;

interface FsRow {
  filesystem: string;
  mount: string;
  sizeBytes: number;
  usedBytes: number;
  availableBytes: number;
  usePercent: number;
  readWrite: boolean;
  type: string;
}

async function lineOf(v: BundleView, e: Evidence): Promise<string> {
  expect(e.line, `${e.file} evidence has a line`).toBeTypeOf('number');
  return (await v.text(e.file))!.split('\n')[e.line! - 1]!;
}

async function expectEvidenceHolds(v: BundleView, f: Finding): Promise<void> {
  for (const e of f.evidence) {
    if (e.line === undefined) continue;
    expect((await lineOf(v, e)).trim().replace(/,$/, '')).toBe(e.excerpt);
  }
}

describe.skipIf(skip)('host analyzer on this machine', () => {
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'cb-an-host-'));
    // /dev/shm is charged to the container's memory: ~29.5 MiB of a 32 MiB limit, held while it sleeps.
    await docker('run', '-d', '--network', 'none', '--name', n('full'), '--memory', '32m', '--memory-swap', '32m', TEST_IMAGE, 'sh', '-c', 'dd if=/dev/zero of=/dev/shm/fill bs=64k count=472 2>&1; echo filled; sleep 600');
    await docker('run', '-d', '--network', 'none', '--name', n('idle'), '--memory', '32m', TEST_IMAGE, 'sleep', '600');
    await waitForLog(n('full'), 'filled');
    const r = await collectBundle({ outputDir: out, only: ['system', 'docker'], env: { ...process.env, DOCKER_HOST }, collectorOptions: { docker: { containers: [`${prefix}-*`] } } });
    view = (await openBundleView(r.bundle)).view;
  }, 180_000);

  afterAll(async () => {
    await removeContainers(prefix);
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('disk-low with a tiny threshold: every real read-write filesystem, the Docker data root marked, evidence lines that hold', async () => {
    const fss = (await view.json<FsRow[]>('system/filesystems.json'))!;
    const got = (await hostAnalyzer.analyze(view, { diskUsedWarn: 0.0001 })).filter((f) => f.id === 'disk-low');
    expect(got.length).toBeGreaterThan(0);
    for (const f of got) {
      await expectEvidenceHolds(view, f);
      const mount = f.subject!.replace(/^host:/, '');
      const row = fss.find((x) => x.mount === mount)!;
      expect(row, `${mount} is in filesystems.json`).toBeDefined();
      const use = f.evidence.find((e) => e.file === 'system/filesystems.json' && /usePercent/.test(e.excerpt))!;
      expect(await lineOf(view, use)).toContain(`"usePercent": ${row.usePercent}`);
      const shouldBeError = row.usePercent >= 97 || (row.availableBytes < 1024 ** 3 && row.sizeBytes >= 2 * 1024 ** 3);
      expect(f.severity).toBe(shouldBeError ? 'error' : 'warning');
    }
    // The filesystem under Docker's data root says so, with info.json's DockerRootDir line.
    const root = ((await view.json<{ DockerRootDir: string }>('docker/local/info.json'))!).DockerRootDir;
    const holder = fss.filter((x) => root === x.mount || root.startsWith(x.mount.endsWith('/') ? x.mount : `${x.mount}/`)).sort((a, b) => b.mount.length - a.mount.length)[0];
    expect(holder, `a filesystem holds ${root}`).toBeDefined();
    // A disk mounted twice is reported once, at its shortest mount.
    const f = got.find((x) => fss.find((r) => `host:${r.mount}` === x.subject)?.filesystem === holder!.filesystem)!;
    expect(f.title).toContain("Docker's data root");
    const ev = f.evidence.find((e) => e.file === 'docker/local/info.json')!;
    expect(await lineOf(view, ev)).toContain(`"DockerRootDir": ${JSON.stringify(root)}`);
    expect(f.remedy).toContain('docker system df');
    expect(f.remedy).toMatch(/docker image prune` \(DESTRUCTIVE/);
  });

  it('disk-low at the default threshold only for filesystems that are really that full', async () => {
    const fss = (await view.json<FsRow[]>('system/filesystems.json'))!;
    const got = (await hostAnalyzer.analyze(view, {})).filter((f) => f.id === 'disk-low').map((f) => f.subject);
    for (const s of got) {
      const row = fss.find((x) => `host:${x.mount}` === s)!;
      expect(row.usePercent >= 90 || row.availableBytes < 1024 ** 3).toBe(true);
    }
    const roomy = fss.filter((x) => x.usePercent < 90 && x.availableBytes >= 1024 ** 3).map((x) => `host:${x.mount}`);
    for (const s of roomy) expect(got).not.toContain(s);
  });

  it('host memory-pressure with a threshold above the real available fraction; none at a threshold below it', async () => {
    const mem = (await view.json<{ totalBytes: number; availableBytes: number; swapTotalBytes: number; swapUsedBytes: number }>('system/memory.json'))!;
    const fraction = mem.availableBytes / mem.totalBytes;
    const above = (await hostAnalyzer.analyze(view, { memoryAvailableWarn: Math.min(1, fraction + 0.01) })).filter((f) => f.id === 'memory-pressure' && f.subject === 'host');
    expect(above).toHaveLength(1);
    expect(above[0]!.severity).toBe('warning');
    const avail = above[0]!.evidence.find((e) => /availableBytes/.test(e.excerpt))!;
    expect(await lineOf(view, avail)).toContain(`"availableBytes": ${mem.availableBytes}`);
    await expectEvidenceHolds(view, above[0]!);
    const swapping = mem.swapTotalBytes > 0 && mem.swapUsedBytes / mem.swapTotalBytes > 0.5;
    const below = (await hostAnalyzer.analyze(view, { memoryAvailableWarn: fraction / 2 })).filter((f) => f.id === 'memory-pressure' && f.subject === 'host');
    expect(below).toHaveLength(swapping ? 1 : 0);
  });

  it('a container at ~94 % of its memory limit: memory-pressure with its stats.json lines; an idle one: none', async () => {
    const stats = (await view.json<{ summary: { memory: { usageBytes: number; limitBytes: number; percent: number } } }>(`docker/local/containers/${n('full')}/stats.json`))!;
    expect(stats.summary.memory.percent, 'the container really is above 90 % of its limit').toBeGreaterThan(90);
    const got = (await hostAnalyzer.analyze(view, {})).filter((f) => f.id === 'memory-pressure');
    const f = got.find((x) => x.subject === `local/${n('full')}`);
    expect(f, JSON.stringify(got)).toBeDefined();
    expect(f!.title).toContain('of 32 MiB');
    const usage = f!.evidence.find((e) => /usageBytes/.test(e.excerpt))!;
    expect(await lineOf(view, usage)).toContain(`"usageBytes": ${stats.summary.memory.usageBytes}`);
    await expectEvidenceHolds(view, f!);
    expect(got.find((x) => x.subject === `local/${n('idle')}`)).toBeUndefined();
    // The threshold option moves the line: above its real use, no finding.
    const higher = (await hostAnalyzer.analyze(view, { containerMemoryWarn: 0.999 })).filter((x) => x.subject === `local/${n('full')}`);
    expect(higher).toEqual([]);
  });

  it('damaged or missing system files: no throw and no finding', async () => {
    const files = new Map<string, string>();
    for (const p of view.paths()) files.set(p, (await view.text(p))!);
    const variants: [string, Map<string, string>][] = [
      ['filesystems.json not JSON', new Map(files).set('system/filesystems.json', '[{"mount": "/"')],
      ['filesystems.json rows without numbers', new Map(files).set('system/filesystems.json', '[{"mount": "/", "sizeBytes": "big"}, null, 7]')],
      ['memory.json null', new Map(files).set('system/memory.json', 'null')],
      ['memory.json strings', new Map(files).set('system/memory.json', '{"totalBytes": "a", "availableBytes": "b"}')],
    ];
    const noFiles = new Map(files);
    for (const p of [...noFiles.keys()]) if (p.startsWith('system/') || p.endsWith('/stats.json')) noFiles.delete(p);
    variants.push(['no system files and no stats', noFiles]);
    for (const [what, m] of variants) {
      const got = await hostAnalyzer.analyze(new MemoryView(view.manifest, m), { diskUsedWarn: 0.0001, memoryAvailableWarn: 1 });
      if (what.startsWith('filesystems')) expect(got.filter((f) => f.id === 'disk-low'), what).toEqual([]);
      else if (what.startsWith('memory')) expect(got.filter((f) => f.subject === 'host'), what).toEqual([]);
      else expect(got, what).toEqual([]);
    }
    // info.json without a usable data root: the disk finding is still there, just not marked.
    const m = new Map(files).set('docker/local/info.json', '{"DockerRootDir": "relative/path"}');
    const got = (await hostAnalyzer.analyze(new MemoryView(view.manifest, m), { diskUsedWarn: 0.0001 })).filter((f) => f.id === 'disk-low');
    expect(got.length).toBeGreaterThan(0);
    for (const f of got) expect(f.evidence.some((e) => e.file === 'docker/local/info.json')).toBe(false);
  });
});

describe('mountOf', () => {
  const fs = (mount: string, index: number) => ({ index, filesystem: `/dev/x${index}`, mount, size: 1, used: 0, available: 1, usedFraction: 0 });
  it('picks the longest mount containing the path, not a prefix that is only a string prefix', () => {
    const list = [fs('/', 0), fs('/var', 1), fs('/var/lib/docker', 2), fs('/var/lib/dock', 3)];
    expect(mountOf('/var/lib/docker', list)?.mount).toBe('/var/lib/docker');
    expect(mountOf('/var/lib/docker-old/x', list)?.mount).toBe('/var');
    expect(mountOf('/srv', list)?.mount).toBe('/');
  });
});
