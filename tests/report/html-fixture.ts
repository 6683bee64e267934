/** A synthetic bundle view for report.html tests: N containers with rows, events, stats and logs, as the docker collector writes them. */
import { DJANGO, DOCKER, folderName, SYSTEM } from '../../src/bundle/layout.js';
import { MemoryView } from '../../src/bundle/memory-view.js';
import type { Finding, Manifest } from '../../src/core/types.js';

export const manifestOf = (over: Partial<Manifest> = {}): Manifest => ({
  tool: { name: 'collect-bundle', version: '0.0.0' },
  bundle: 'collect-bundle-synthetic-20260101T000000Z-abcdef',
  commandLine: [],
  host: { hostname: 'web1', platform: 'linux', arch: 'x64' },
  startedAt: '2026-01-01T00:10:00.000Z',
  finishedAt: '2026-01-01T00:10:05.000Z',
  durationMs: 5000,
  status: 'complete',
  options: {},
  docker: { endpoints: [] },
  environment: { 'docker.engine.local': '27.3.1' },
  collectors: [{ name: 'docker', status: 'ok', durationMs: 1000, artifacts: [], problems: [], commands: [] } as unknown as Manifest['collectors'][number]],
  files: [],
  redaction: { total: 3, byRule: [{ rule: 'secret-key-value', count: 3 }] },
  ...over,
});

export interface SyntheticOptions {
  /** Container names (default `app-0`…). */
  readonly names?: readonly string[];
  readonly count?: number;
  readonly logLines?: number;
}

/** A view of a bundle with `count` containers on engine `local`: every third exited 1, every tenth OOM-killed. */
export function syntheticView(o: SyntheticOptions = {}): MemoryView {
  const names = o.names ?? Array.from({ length: o.count ?? 5 }, (_, i) => `app-${i}`);
  const base = Date.parse('2026-01-01T00:00:00Z');
  const files = new Map<string, string>();
  const rows = names.map((name, i) => {
    const oom = i % 10 === 9;
    const exited = oom || i % 3 === 2;
    return {
      name,
      id: `${i.toString(16).padStart(4, '0')}${'a'.repeat(60)}`,
      image: `registry.example/app:${i % 4}`,
      state: exited ? 'exited' : 'running',
      status: exited ? `Exited (${oom ? 137 : 1}) 5 minutes ago` : 'Up 9 minutes',
      exitCode: exited ? (oom ? 137 : 1) : 0,
      oomKilled: oom,
      restartCount: i % 5,
      health: i % 7 === 0 ? 'unhealthy' : null,
      error: null,
      created: new Date(base + i * 1000).toISOString(),
      startedAt: new Date(base + i * 1000 + 500).toISOString(),
      finishedAt: exited ? new Date(base + 300_000 + i * 1000).toISOString() : '0001-01-01T00:00:00Z',
      memoryLimitBytes: 256 * 1024 * 1024,
      logDriver: 'json-file',
      tty: false,
      labels: i % 4 === 0 ? { 'django.container_manager.job_id': String(100 + i), 'django.container_manager.job_name': `nightly-${i}` } : {},
      collected: true,
      notCollected: null,
    };
  });
  files.set(DOCKER.engine('local').containers, JSON.stringify(rows, null, 2));
  const events: string[] = [];
  rows.forEach((r, i) => {
    const ev = (Action: string, t: number, attrs: Record<string, string> = {}): string =>
      JSON.stringify({
        Type: 'container',
        Action,
        Actor: { ID: r.id, Attributes: { name: r.name, image: r.image, ...attrs } },
        time: Math.floor(t / 1000),
        timeNano: t * 1e6,
      });
    events.push(ev('start', base + i * 1000 + 500));
    if (r.oomKilled) events.push(ev('oom', base + 299_000 + i * 1000));
    if (r.state === 'exited') events.push(ev('die', base + 300_000 + i * 1000, { exitCode: String(r.exitCode) }));
    if (r.health === 'unhealthy') events.push(ev('health_status: unhealthy', base + 120_000 + i * 1000));
  });
  files.set(DOCKER.engine('local').events, `${events.join('\n')}\n`);
  files.set(DOCKER.engine('local').info, JSON.stringify({ DockerRootDir: '/var/lib/docker' }));
  for (const [i, r] of rows.entries()) {
    const c = DOCKER.container('local', folderName(r.name));
    files.set(c.inspect, '{}');
    files.set(c.stats, JSON.stringify({ summary: { memory: { usageBytes: (i + 1) * 1024 * 1024, limitBytes: 256 * 1024 * 1024 } } }));
    const lines = Array.from({ length: o.logLines ?? 50 }, (_, n) => `${new Date(base + n * 1000).toISOString()} worker ${r.name} handled request ${n}`);
    if (r.state === 'exited')
      lines.push('Traceback (most recent call last):', '  File "/app/worker.py", line 3, in <module>', '    run()', 'RuntimeError: worker crashed');
    files.set(c.logs, `${lines.join('\n')}\n`);
  }
  files.set(SYSTEM.memory, JSON.stringify({ totalBytes: 8 * 1024 ** 3, availableBytes: 2 * 1024 ** 3, swapTotalBytes: 0 }));
  files.set(
    SYSTEM.filesystems,
    JSON.stringify([{ mount: '/', type: 'ext4', sizeBytes: 100 * 1024 ** 3, usedBytes: 95 * 1024 ** 3, availableBytes: 5 * 1024 ** 3 }]),
  );
  files.set(
    DJANGO.migrations,
    JSON.stringify({
      apps: {
        shop: [
          { name: '0001_initial', applied: true },
          { name: '0002_price', applied: false },
        ],
        auth: [{ name: '0001_initial', applied: true }],
      },
    }),
  );
  files.set(
    DJANGO.checks,
    JSON.stringify({ check: { messages: [{ id: 'models.E004', level: 'ERROR', object: 'shop.Item', message: 'bad field', hint: null, silenced: false }] } }),
  );
  files.set(
    DJANGO.containerManager,
    JSON.stringify({
      jobs: {
        countsByStatus: { pending: 3, failed: 1 },
        oldestPending: [{ id: 7, name: 'stuck-export', status: 'pending', created_at: '2025-12-31T20:00:00Z' }],
      },
    }),
  );
  return new MemoryView(manifestOf(), files);
}

export const finding = (over: Partial<Finding> = {}): Finding => ({
  id: 'container-oom-killed',
  severity: 'error',
  title: 'Container app-9 on local was OOM-killed (limit 256 MiB)',
  summary: 'It ran out of memory.',
  evidence: [{ file: 'docker/local/containers/app-9/inspect.json', line: 3, excerpt: '"OOMKilled": true' }],
  remedy: 'Raise its memory limit.',
  docs: 'TROUBLESHOOTING.md#container-oom-killed',
  subject: 'local/app-9',
  ...over,
});
