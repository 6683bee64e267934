// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * `system`: OS, kernel, CPU, load, memory and swap, filesystems, uptime, and the versions of the tools
 * a support engineer asks about first. Uses only fast systeminformation calls (its `versions()` takes
 * seconds, so tool versions come from one short command each, run in parallel).
 */
import { access, constants } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { delimiter, join } from 'node:path';
import si from 'systeminformation';
import { defineCollector, fact, json } from '../src/core/artifacts.js';
import type { CollectContext, CommandResult } from '../src/core/types.js';

/** Programs whose version goes into system/versions.json: [program, args]. */
const TOOLS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['docker', ['--version']],
  ['python3', ['--version']],
  ['git', ['--version']],
  ['uv', ['--version']],
];

export interface SystemOptions {
  /** Per-command timeout for the version probes, in ms. */
  readonly commandTimeoutMs: number;
}

export default defineCollector<SystemOptions>({
  name: 'system',
  description: 'OS, kernel, CPU, load, memory and swap, filesystems, uptime, and docker/python3/node/git versions',
  defaultEnabled: true,
  timeoutMs: 30_000,
  defaults: { commandTimeoutMs: 5_000 },
  async *collect(ctx) {
    const [os, cpu, load, mem, fs, time, system, versions] = await Promise.all([
      si.osInfo(),
      si.cpu(),
      si.currentLoad(),
      si.mem(),
      si.fsSize(),
      Promise.resolve(si.time()),
      si.system(),
      toolVersions(ctx),
    ]);
    yield fact('os', [os.distro, os.release, os.codename ? `(${os.codename})` : ''].filter(Boolean).join(' '));
    yield fact('kernel', os.kernel);
    yield fact('arch', os.arch);
    yield fact('node', process.version);
    for (const v of versions) if (v.version) yield fact(v.name, v.version);

    yield json('os.json', { ...os, virtual: system.virtual, model: system.model, manufacturer: system.manufacturer });
    yield json('cpu.json', {
      manufacturer: cpu.manufacturer,
      brand: cpu.brand,
      cores: cpu.cores,
      physicalCores: cpu.physicalCores,
      speedGHz: cpu.speed,
      virtualization: cpu.virtualization,
    });
    yield json('load.json', {
      loadAverage: loadAverage(),
      currentLoadPercent: load.currentLoad,
      userPercent: load.currentLoadUser,
      systemPercent: load.currentLoadSystem,
      perCpuPercent: load.cpus.map((c) => c.load),
    });
    yield json('memory.json', {
      totalBytes: mem.total,
      availableBytes: mem.available,
      usedBytes: mem.used,
      freeBytes: mem.free,
      buffersCacheBytes: mem.buffcache,
      usedPercent: mem.total ? round((1 - mem.available / mem.total) * 100) : null,
      swapTotalBytes: mem.swaptotal,
      swapUsedBytes: mem.swapused,
      swapFreeBytes: mem.swapfree,
    });
    yield json(
      'filesystems.json',
      fs.map((f) => ({ filesystem: f.fs, type: f.type, mount: f.mount, sizeBytes: f.size, usedBytes: f.used, availableBytes: f.available, usePercent: f.use, readWrite: f.rw })),
    );
    yield json('uptime.json', { uptimeSeconds: time.uptime, timezone: time.timezone, timezoneName: time.timezoneName, now: new Date(time.current).toISOString() });
    yield json('versions.json', { node: { version: process.version, path: process.execPath }, ...Object.fromEntries(versions.map((v) => [v.name, v.detail])) });
  },
});

interface ToolVersion {
  readonly name: string;
  readonly version?: string;
  readonly detail: { version?: string; path?: string; output?: string; error?: string };
}

async function toolVersions(ctx: CollectContext<SystemOptions>): Promise<ToolVersion[]> {
  const path = ctx.deps.env['PATH'] ?? '';
  return Promise.all(
    TOOLS.map(async ([name, args]) => {
      const found = await findOnPath(name, path);
      if (!found) return { name, detail: { error: 'not found on PATH' } };
      const r: CommandResult = await ctx.deps.exec.run(found, args, { timeoutMs: ctx.options.commandTimeoutMs, maxBuffer: 64 * 1024 });
      const output = `${r.stdout}${r.stderr}`.trim();
      const version = /\d+\.\d+(?:\.\d+)?(?:[-+.][0-9A-Za-z.]+)?/.exec(output)?.[0];
      if (r.exitCode !== 0 || !version) return { name, detail: { path: found, output, error: r.error ?? `exit code ${r.exitCode}` } };
      return { name, version, detail: { version, path: found, output } };
    }),
  );
}

/** The first executable `name` on PATH, as a shell would find it. */
export async function findOnPath(name: string, pathVar: string): Promise<string | undefined> {
  for (const dir of pathVar.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

function loadAverage(): { '1m': number; '5m': number; '15m': number } {
  const [a = 0, b = 0, c = 0] = loadavg().map(round);
  return { '1m': a, '5m': b, '15m': c };
}

const round = (n: number): number => Math.round(n * 100) / 100;
