/**
 * The bundle the real CLI writes (system collector only, so no Docker engine is needed): file names,
 * modes, the .sha256 sidecar, the tar layout, manifest.json against the actual entries, ISSUE.md,
 * run.log, --json; and collector selection with --only / --skip.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { release } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fileJson, fileText, readBundle, type TarEntry } from '../helpers/bundle.js';
import {
  PKG,
  assertBuilt,
  bundleNameRe,
  cleanup,
  describeRun,
  listDir,
  runCli,
  sha256,
  listCollectors,
  sha256File,
  startCli,
  tarEntryNames,
  tempDir,
  type CliResult,
} from './harness.js';
import type { Manifest } from '../../src/core/types.js';

beforeAll(assertBuilt);

/** Parses `20261128T143924Z`. */
const parseStamp = (s: string): number => Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(9, 11), +s.slice(11, 13), +s.slice(13, 15));

interface Run {
  readonly r: CliResult;
  readonly dir: string;
  readonly startedMs: number;
  readonly endedMs: number;
}

async function collect(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const dir = await tempDir('cb-bundle-');
  const startedMs = Date.now();
  const r = await runCli([...args, '-o', dir], { env });
  return { r, dir, startedMs, endedMs: Date.now() };
}

/** The one bundle in `dir` (asserting that dir holds exactly a bundle and its sidecar). */
async function theBundle(dir: string): Promise<{ tarball: string; name: string; files: string[] }> {
  const files = await listDir(dir);
  const tars = files.filter((f) => f.endsWith('.tar.gz'));
  expect(tars, `files in ${dir}: ${files.join(', ')}`).toHaveLength(1);
  const name = tars[0]!;
  return { tarball: join(dir, name), name, files };
}

describe('bundle basics (--only system)', () => {
  let run: Run;
  let labelled: Run;
  let tarball: string;
  let base: string;
  let entries: Map<string, TarEntry>;
  let manifest: Manifest;

  beforeAll(async () => {
    // Two real runs, one after the other (2 shared cores; the system collector is CPU-bound for a moment).
    run = await collect(['--only', 'system', '--json']);
    labelled = await collect(['--only', 'system', '--label', 'my-label', '--quiet']);
    expect(run.r.code, describeRun(run.r)).toBe(0);
    ({ tarball } = await theBundle(run.dir));
    base = basename(tarball, '.tar.gz');
    entries = await readBundle(tarball);
    manifest = fileJson(entries, 'manifest.json');
  }, 150_000);
  afterAll(cleanup);

  it('exits 0 and leaves exactly <name>.tar.gz and <name>.tar.gz.sha256', async () => {
    const { name, files } = await theBundle(run.dir);
    expect(files).toEqual([name, `${name}.sha256`]);
  });

  it('names the bundle collect-bundle-<host>-<UTC stamp>-<random>.tar.gz', () => {
    const name = basename(tarball);
    const m = bundleNameRe().exec(name);
    expect(m, `${name} !~ ${bundleNameRe()}`).not.toBeNull();
    const stamp = parseStamp(m![1]!);
    // The stamp is the start of the run, in UTC, to the second.
    expect(stamp).toBeGreaterThanOrEqual(Math.floor(run.startedMs / 1000) * 1000 - 1000);
    expect(stamp).toBeLessThanOrEqual(run.endedMs);
  });

  it('writes a .sha256 sidecar with the real sha256 of the tarball', async () => {
    const sidecar = `${tarball}.sha256`;
    const text = await readFile(sidecar, 'utf8');
    const actual = await sha256File(tarball);
    expect(text).toBe(`${actual}  ${basename(tarball)}\n`);
    // ... in the format sha256sum -c accepts, when that tool is here.
    if (spawnSync('sha256sum', ['--version'], { stdio: 'ignore' }).status === 0) {
      const check = spawnSync('sha256sum', ['-c', basename(sidecar)], { cwd: run.dir, encoding: 'utf8' });
      expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
    }
  });

  it('makes the tarball and the sidecar mode 0600', async () => {
    expect((await stat(tarball)).mode & 0o777).toBe(0o600);
    expect((await stat(`${tarball}.sha256`)).mode & 0o777).toBe(0o600);
  });

  it('puts the --label into the name', async () => {
    expect(labelled.r.code, describeRun(labelled.r)).toBe(0);
    const { name, files } = await theBundle(labelled.dir);
    expect(name).toMatch(bundleNameRe('my-label'));
    expect(files).toEqual([name, `${name}.sha256`]);
    const m = fileJson(await readBundle(join(labelled.dir, name)), 'manifest.json');
    expect(m.options.label).toBe('my-label');
    expect(m.bundle).toBe(basename(name, '.tar.gz'));
  });

  it('puts every tar entry under one top-level folder named like the bundle', async () => {
    const names = await tarEntryNames(tarball);
    expect(names.length).toBeGreaterThan(4);
    expect(new Set(names).size, 'duplicate entries').toBe(names.length);
    for (const n of names) {
      expect(n.startsWith(`${base}/`), n).toBe(true);
      expect(n.split('/')).not.toContain('..');
    }
    for (const e of entries.values()) {
      expect(e.type).toBe('file');
      expect(e.mode & 0o777).toBe(0o600);
    }
  });

  it('manifest.json: tool, status, bundle name, collectors with status and duration', () => {
    expect(manifest.tool).toMatchObject({ name: 'collect-bundle', version: PKG.version });
    expect(manifest.bundle).toBe(base);
    expect(manifest.status).toBe('complete');
    expect(manifest.collectors.map((c) => c.name)).toEqual(['system']);
    const sys = manifest.collectors[0]!;
    expect(sys.status).toBe('ok');
    expect(typeof sys.durationMs).toBe('number');
    expect(sys.durationMs).toBeGreaterThanOrEqual(0);
    expect(sys.artifacts.length).toBeGreaterThan(0);
  });

  it('manifest.json: every artifact is listed with its real size and sha256', () => {
    const listed = [...manifest.collectors.flatMap((c) => c.artifacts), ...manifest.files];
    for (const a of listed) {
      const e = entries.get(`${base}/${a.path}`);
      expect(e, `manifest lists ${a.path} but the tarball has no such entry`).toBeDefined();
      expect(a.bytes, a.path).toBe(e!.data.length);
      expect(a.sha256, a.path).toBe(sha256(e!.data));
    }
  });

  it('manifest.json: the artifacts listed are exactly the entries of the tarball', () => {
    const artifactPaths = manifest.collectors.flatMap((c) => c.artifacts.map((a) => a.path));
    const rootFiles = manifest.files.map((f) => f.path);
    expect([...rootFiles].sort()).toEqual(['ISSUE.md', 'findings.json', 'redactions.json', 'report.html', 'run.log']);
    for (const p of artifactPaths) expect(p.startsWith('system/'), p).toBe(true);
    const listed = new Set<string>(['manifest.json', ...rootFiles, ...artifactPaths]);
    expect(listed.size, 'a path is listed twice').toBe(1 + rootFiles.length + artifactPaths.length);
    const actual = new Set([...entries.keys()].map((n) => n.slice(base.length + 1)));
    expect([...actual].sort()).toEqual([...listed].sort());
  });

  it('ISSUE.md names the OS, the kernel and the Node version', () => {
    const issue = fileText(entries, 'ISSUE.md');
    expect(issue).toMatch(new RegExp(`\\| Node \\| ${process.version.replace(/\./g, '\\.')} \\|`));
    expect(issue).toContain(release());
    const osRow = /^\| OS \| (.*) \|$/m.exec(issue)?.[1];
    expect(osRow, issue).toBeDefined();
    expect(osRow).not.toBe('_unknown_');
    if (existsSync('/etc/os-release')) {
      const osRelease = readFileSync('/etc/os-release', 'utf8');
      const field = (k: string): string | undefined => new RegExp(`^${k}="?([^"\\n]*)"?$`, 'm').exec(osRelease)?.[1];
      const version = field('VERSION_ID');
      if (version) expect(osRow).toContain(version);
    }
    expect(issue).toContain(`| collect-bundle | ${PKG.version} |`);
    expect(issue).toMatch(/\| system \| ok \|/);
  });

  it('run.log is present and records the run', () => {
    const log = fileText(entries, 'run.log');
    expect(log).toMatch(/collecting system/);
    expect(log).toMatch(/ok system/);
  });

  it('redactions.json is present and agrees with the manifest', () => {
    const red = fileJson(entries, 'redactions.json');
    expect(red.total).toBe(manifest.redaction.total);
  });

  it('--json prints one JSON summary on stdout', async () => {
    const summary = JSON.parse(run.r.stdout);
    expect(summary.bundle).toBe(tarball);
    expect(summary.sha256).toBe(await sha256File(tarball));
    expect(summary.bytes).toBe((await stat(tarball)).size);
    expect(summary.status).toBe('complete');
    expect(summary.collectors).toEqual([{ name: 'system', status: 'ok', durationMs: expect.any(Number) }]);
    expect(summary.collectors[0].durationMs).toBe(manifest.collectors[0]!.durationMs);
    expect(summary.redactions.total).toBe(manifest.redaction.total);
    // Progress and the human summary go to stderr only.
    expect(run.r.stderr).toMatch(/collecting system/);
    expect(run.r.stderr).toContain(tarball);
  });

  it('--quiet prints nothing on a successful run', () => {
    expect(labelled.r.stderr).toBe('');
    expect(labelled.r.stdout).toBe('');
  });
});

describe('--only / --skip choose the collectors', () => {
  afterEach(cleanup);

  const collectorsOf = async (dir: string): Promise<{ name: string; status: string }[]> => {
    const { tarball } = await theBundle(dir);
    return fileJson(await readBundle(tarball), 'manifest.json').collectors;
  };

  it('--skip docker runs the default collectors but docker', async () => {
    const { r, dir } = await collect(['--skip', 'docker']);
    expect(r.code, describeRun(r)).toBe(0);
    const expected = listCollectors()
      .filter((c) => c.defaultEnabled && c.name !== 'docker')
      .map((c) => c.name);
    expect(expected).toContain('system');
    const ran = (await collectorsOf(dir)).map((c) => c.name);
    expect(ran.sort()).toEqual(expected.sort());
    expect(ran).not.toContain('docker');
  }, 60_000);

  it('--skip <every other collector> runs only system', async () => {
    const others = listCollectors()
      .map((c) => c.name)
      .filter((n) => n !== 'system');
    const { r, dir } = await collect(['--skip', others.join(',')]);
    expect(r.code, describeRun(r)).toBe(0);
    expect((await collectorsOf(dir)).map((c) => c.name)).toEqual(['system']);
  }, 60_000);

  it('--only docker,system runs both (and only those)', async () => {
    // No engine behind this socket: docker fails fast, so the run is partial (3), still with both.
    const nowhere = join(await tempDir('cb-nosock-'), 'nope.sock');
    const { r, dir } = await collect(['--only', 'docker,system'], { DOCKER_HOST: `unix://${nowhere}` });
    expect(r.code, describeRun(r)).toBe(3);
    const cs = await collectorsOf(dir);
    expect(cs.map((c) => c.name).sort()).toEqual(['docker', 'system']);
    expect(cs.find((c) => c.name === 'system')!.status).toBe('ok');
    expect(cs.find((c) => c.name === 'docker')!.status).toBe('failed');
  }, 60_000);

  it('--only system --only docker --skip docker (repeated flags) runs system only', async () => {
    const { r, dir } = await collect(['--only', 'system', '--only', 'docker', '--skip', 'docker']);
    expect(r.code, describeRun(r)).toBe(0);
    expect((await collectorsOf(dir)).map((c) => c.name)).toEqual(['system']);
  }, 60_000);
});

describe('a reader that goes away', () => {
  afterEach(cleanup);

  // `collect-bundle --json | head -c1`, or a terminal closed mid-run: writing the summary / progress then
  // fails with EPIPE. That used to crash the CLI with an unhandled 'error' event (exit 1) after the
  // bundle had been written; src/cli.ts now ignores EPIPE on stdout and stderr.
  it('closed stdout and stderr: the run still ends with its real exit code and the bundle', async () => {
    const dir = await tempDir('cb-bundle-');
    const cli = startCli(['--only', 'system', '--json', '-o', dir], { killAfterMs: 60_000 });
    cli.child.stdout!.destroy();
    cli.child.stderr!.destroy();
    const r = await cli.result;
    expect(r.code, describeRun(r)).toBe(0);
    const { name, files } = await theBundle(dir);
    expect(files).toEqual([name, `${name}.sha256`]);
    expect((await readFile(join(dir, `${name}.sha256`), 'utf8')).split(' ')[0]).toBe(await sha256File(join(dir, name)));
  }, 60_000);
});
