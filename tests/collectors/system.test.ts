import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectBundle, type CollectResult } from '../../src/run/collect.js';
import { fileJson, readBundle, type TarEntry } from '../helpers/bundle.js';

let out: string;
let result: CollectResult;
let entries: Map<string, TarEntry>;

describe('system collector', () => {
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'cb-system-'));
    result = await collectBundle({ outputDir: out, only: ['system'] });
    entries = await readBundle(result.bundle);
  }, 60_000);
  afterAll(() => rm(out, { recursive: true, force: true }));

  it('writes every system artifact', () => {
    const paths = result.manifest.collectors[0]!.artifacts.map((a) => a.path).sort();
    expect(paths).toEqual(['system/cpu.json', 'system/filesystems.json', 'system/load.json', 'system/memory.json', 'system/os.json', 'system/uptime.json', 'system/versions.json']);
  });

  it('reports this machine: kernel, memory, root filesystem, CPU count', () => {
    expect(fileJson(entries, 'system/os.json').kernel).toBe(release());
    expect(fileJson(entries, 'system/memory.json').totalBytes).toBe(totalmem());
    const fs = fileJson<{ mount: string; sizeBytes: number }[]>(entries, 'system/filesystems.json');
    expect(fs.some((f) => f.mount === '/' && f.sizeBytes > 0)).toBe(true);
    const nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
    expect(fileJson(entries, 'system/cpu.json').cores).toBe(nproc);
    const load = fileJson(entries, 'system/load.json');
    expect(load.perCpuPercent).toHaveLength(nproc);
  });

  it('records the versions and paths of the tools on PATH, and the commands it ran', () => {
    const versions = fileJson(entries, 'system/versions.json');
    expect(versions.node.version).toBe(process.version);
    const python = execFileSync('sh', ['-c', 'command -v python3'], { encoding: 'utf8' }).trim();
    const pyVersion = execFileSync(python, ['--version'], { encoding: 'utf8' }).trim().split(' ')[1];
    expect(versions.python3).toMatchObject({ path: python, version: pyVersion });
    expect(result.manifest.environment['python3']).toBe(pyVersion);
    const argv = result.manifest.collectors[0]!.commands.map((c) => c.argv.join(' '));
    expect(argv).toContain(`${python} --version`);
    for (const c of result.manifest.collectors[0]!.commands) if (!c.error) expect(c.exitCode).toBe(0);
  });

  it('says plainly when a tool is not on PATH', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cb-nopath-'));
    try {
      const r = await collectBundle({ outputDir: dir, only: ['system'], env: { ...process.env, PATH: '/nonexistent' } });
      const v = fileJson((await readBundle(r.bundle)), 'system/versions.json');
      expect(v.git).toEqual({ error: 'not found on PATH' });
      expect(r.status).toBe('complete');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
