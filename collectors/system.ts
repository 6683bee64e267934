// Room: collectors (collectors/) — may import core, docker, redaction, bundle (the rule: tests/architecture.test.ts).
/**
 * `system`: OS, kernel, CPU, load, memory and swap, filesystems, uptime, and the versions of the tools
 * a support engineer asks about first. Uses only fast systeminformation calls (its `versions()` takes
 * seconds, so tool versions come from one short `command(...)` each, captured, its `after` turning the
 * output into a fact and an entry of versions.json; they run side by side with the systeminformation calls).
 */
import { access, constants } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { delimiter, join } from 'node:path';
import { defineCollector, fact, json } from '../src/core/artifacts.js';
import { defineOptions, option, type OptionValues } from '../src/core/options.js';
import { timerMs } from '../src/core/validators.js';
import { SYSTEM_FILES } from '../src/bundle/layout.js';
import type { Output } from '../src/core/types.js';
import { command, declared, group, type CapturedOutcome } from './declare.js';

/** Programs whose version goes into system/versions.json: [program, args]. */
const TOOLS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['docker', ['--version']],
  ['python3', ['--version']],
  ['git', ['--version']],
  ['uv', ['--version']],
];

/** The system collector's options. */
export const systemOptions = defineOptions({
  commandTimeoutMs: option(timerMs(), {
    default: 5_000,
    type: 'number',
    describe: 'Milliseconds each version probe (docker, python3, git, uv --version) may run',
  }),
});
export type SystemOptions = OptionValues<typeof systemOptions>;

export default defineCollector({
  name: 'system',
  description: 'OS, kernel, CPU, load, memory and swap, filesystems, uptime, and docker/python3/node/git versions',
  defaultEnabled: true,
  timeoutMs: 30_000,
  options: systemOptions,
  async *collect(ctx) {
    const pathVar = ctx.deps.env['PATH'] ?? '';
    const found = await Promise.all(TOOLS.map(([name]) => findOnPath(name, pathVar)));
    const details = new Map<string, ToolDetail>();
    // systeminformation and the version commands side by side; facts and files come out in this order.
    yield group(
      [
        declared('systeminformation', () => machine()),
        ...TOOLS.flatMap(([name, args], i) => {
          const path = found[i];
          if (!path) return [];
          return [
            command(null, [path, ...args], {
              capture: 'stdout-then-stderr',
              timeoutMs: ctx.options.commandTimeoutMs,
              maxBytes: 64 * 1024,
              stderrTail: false, // the output is kept whole in versions.json
              after: (r) => {
                const detail = toolDetail(path, r);
                details.set(name, detail);
                return detail.version ? [fact(name, detail.version)] : [];
              },
            }),
          ];
        }),
      ],
      { concurrency: TOOLS.length + 1 },
    );
    yield json(SYSTEM_FILES.versions, async () => ({
      node: { version: process.version, path: process.execPath },
      ...Object.fromEntries(TOOLS.map(([name]) => [name, details.get(name) ?? { error: 'not found on PATH' }])),
    }));
  },
});

/** The machine as systeminformation sees it: facts, then one JSON file per subject. */
async function* machine(): AsyncGenerator<Output> {
  // Loaded when the system collector runs (its ~20 CommonJS files cost 20-30 ms of start-up), not by
  // every run that imports the collector registry (`--only docker`, `--list-collectors`).
  const { default: si } = await import('systeminformation');
  const [os, cpu, load, mem, fs, time, system] = await Promise.all([
    si.osInfo(),
    si.cpu(),
    si.currentLoad(),
    si.mem(),
    si.fsSize(),
    Promise.resolve(si.time()),
    si.system(),
  ]);
  yield fact('os', [os.distro, os.release, os.codename ? `(${os.codename})` : ''].filter(Boolean).join(' '));
  yield fact('kernel', os.kernel);
  yield fact('arch', os.arch);
  yield fact('node', process.version);

  yield json(SYSTEM_FILES.os, { ...os, virtual: system.virtual, model: system.model, manufacturer: system.manufacturer });
  yield json(SYSTEM_FILES.cpu, {
    manufacturer: cpu.manufacturer,
    brand: cpu.brand,
    cores: cpu.cores,
    physicalCores: cpu.physicalCores,
    speedGHz: cpu.speed,
    virtualization: cpu.virtualization,
  });
  yield json(SYSTEM_FILES.load, {
    loadAverage: loadAverage(),
    currentLoadPercent: load.currentLoad,
    userPercent: load.currentLoadUser,
    systemPercent: load.currentLoadSystem,
    perCpuPercent: load.cpus.map((c) => c.load),
  });
  yield json(SYSTEM_FILES.memory, {
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
    SYSTEM_FILES.filesystems,
    fs.map((f) => ({
      filesystem: f.fs,
      type: f.type,
      mount: f.mount,
      sizeBytes: f.size,
      usedBytes: f.used,
      availableBytes: f.available,
      usePercent: f.use,
      readWrite: f.rw,
    })),
  );
  yield json(SYSTEM_FILES.uptime, {
    uptimeSeconds: time.uptime,
    timezone: time.timezone,
    timezoneName: time.timezoneName,
    now: new Date(time.current).toISOString(),
  });
}

/** A tool's entry in versions.json, from what `<tool> --version` printed. */
interface ToolDetail {
  readonly version?: string;
  readonly path?: string;
  readonly output?: string;
  readonly error?: string;
}

function toolDetail(path: string, r: CapturedOutcome): ToolDetail {
  const output = `${r.stdout}${r.stderr}`.trim();
  const version = /\d+\.\d+(?:\.\d+)?(?:[-+.][0-9A-Za-z.]+)?/.exec(output)?.[0];
  if (r.record.exitCode !== 0 || !version) return { path, output, error: r.record.error ?? `exit code ${r.record.exitCode}` };
  return { version, path, output };
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
