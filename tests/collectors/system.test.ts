import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
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
    expect(paths).toEqual([
      'system/cpu.json',
      'system/filesystems.json',
      'system/load.json',
      'system/memory.json',
      'system/os.json',
      'system/uptime.json',
      'system/versions.json',
    ]);
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

  it("turns each tool's captured output into its fact and versions.json entry: stdout then stderr, a failing tool keeps its output and exit code", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cb-tools-'));
    try {
      const bin = join(dir, 'bin');
      await mkdir(bin);
      // Stand-ins: docker prints its version on stderr; git fails after printing something.
      await writeFile(join(bin, 'docker'), '#!/bin/sh\necho "Docker version 99.1.2, build stand-in" >&2\n');
      await writeFile(join(bin, 'git'), '#!/bin/sh\necho "fatal: stand-in git is broken"\nexit 3\n');
      await chmod(join(bin, 'docker'), 0o755);
      await chmod(join(bin, 'git'), 0o755);
      const r = await collectBundle({ outputDir: join(dir, 'out'), only: ['system'], env: { ...process.env, PATH: bin } });
      const v = fileJson(await readBundle(r.bundle), 'system/versions.json');
      expect(v.docker).toEqual({ version: '99.1.2', path: join(bin, 'docker'), output: 'Docker version 99.1.2, build stand-in' });
      expect(v.git).toEqual({ path: join(bin, 'git'), output: 'fatal: stand-in git is broken', error: 'exit code 3' });
      expect(v.python3).toEqual({ error: 'not found on PATH' });
      expect(r.manifest.environment['docker']).toBe('99.1.2');
      expect(r.manifest.environment).not.toHaveProperty('git');
      const commands = r.manifest.collectors[0]!.commands;
      expect(commands.map((c) => c.argv.join(' ')).sort()).toEqual([`${join(bin, 'docker')} --version`, `${join(bin, 'git')} --version`]);
      for (const c of commands) expect(c).not.toHaveProperty('stderrTail'); // the output is in versions.json, not the manifest
      expect(r.manifest.collectors[0]!.problems).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says plainly when a tool is not on PATH', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cb-nopath-'));
    try {
      const r = await collectBundle({ outputDir: dir, only: ['system'], env: { ...process.env, PATH: '/nonexistent' } });
      const v = fileJson(await readBundle(r.bundle), 'system/versions.json');
      expect(v.git).toEqual({ error: 'not found on PATH' });
      expect(r.status).toBe('complete');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
