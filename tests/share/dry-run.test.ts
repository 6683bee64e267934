/**
 * `collect --dry-run` end to end: the built CLI plans a run over the real engine (a container of this
 * test with a log), a custom command (its argv holding a token) and a custom file collector, and prints
 * the plan: which collectors run and why the others do not, every argv, the files with their sizes, the
 * engine and the containers with their log limits and sizes. Nothing is written; exit 0.
 */
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCKER_HOST, TEST_IMAGE, docker, dockerUnavailable, removeContainers, uniq, waitForLog } from '../helpers/docker.js';
import { assertBuilt, cleanup, describeRun, runCli, tempDir } from '../cli/harness.js';

const skip = Boolean(dockerUnavailable) && !process.env['CI'];
const prefix = uniq('cbdry');
const TOKEN = 'ghp_dryRunToken0123456789abcdefghijklmnop';

let dir: string;
let out: string;
let config: string;

async function tree(root: string): Promise<string[]> {
  const all: string[] = [];
  for (const e of await readdir(root, { withFileTypes: true, recursive: true })) all.push(join(e.parentPath, e.name));
  return all.sort();
}

describe.skipIf(skip)('collect --dry-run (built CLI, real engine)', () => {
  beforeAll(async () => {
    assertBuilt();
    dir = await tempDir('cb-dry-');
    out = join(dir, 'out');
    await mkdir(out);
    await writeFile(join(out, 'earlier.tar.gz'), 'an earlier bundle');
    await mkdir(join(dir, 'logs'));
    await writeFile(join(dir, 'logs', 'app.log'), 'x'.repeat(3000));
    config = join(dir, 'cfg.json');
    await writeFile(
      config,
      JSON.stringify({
        custom: [
          { type: 'command', name: 'greet', argv: ['echo', 'hello world', `--token=${TOKEN}`], maxBytes: '1MiB' },
          { type: 'file', name: 'applogs', paths: ['logs/*.log', 'missing/*.log'], maxBytes: '2KiB' },
        ],
      }),
    );
    await docker('run', '-d', '--network', 'none', '--name', `${prefix}-web`, TEST_IMAGE, 'sh', '-c', 'echo started up; while :; do sleep 0.2; done');
    await waitForLog(`${prefix}-web`, 'started up');
  }, 120_000);
  afterAll(async () => {
    if (!skip) await removeContainers(prefix);
    await cleanup();
  });

  const args = (): string[] => [
    'collect',
    '--dry-run',
    '--config',
    config,
    '--only',
    'docker,system,cloudrun,greet,applogs',
    '--containers',
    `${prefix}-*`,
    '-o',
    out,
  ];

  it('prints the plan, exits 0 and writes nothing', async () => {
    const before = await tree(dir);
    const r = await runCli(args(), { env: { DOCKER_HOST, XDG_CONFIG_HOME: join(dir, 'cfg-home') }, killAfterMs: 60_000 });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stderr).toBe('');
    expect(await tree(dir)).toEqual(before);
    await expect(stat(join(dir, 'cfg-home'))).rejects.toThrow(/ENOENT/);
    const o = r.stdout;
    expect(o).toMatch(/^collect-bundle --dry-run: nothing was collected and nothing was written\n/);
    // Why each collector runs or not.
    expect(o).toMatch(/\n {2}docker +runs\n/);
    expect(o).toMatch(/\n {2}django +not selected: not named in --only\n/);
    expect(o).toMatch(/\n {2}cloudrun +skipped: Cloud Run not configured/);
    // The engine and the container, its log limit and its size from the engine's log file.
    expect(o).toContain(`\nDocker engines\n  local  ${DOCKER_HOST}  (from DOCKER_HOST)\n`);
    expect(o).toMatch(new RegExp(`stores {2}docker/local/containers/${prefix}-web/logs\\.txt \\(at most 10 MiB, [1-9]\\d* B now\\)`));
    // Every argv (the token redacted), every file with its size.
    expect(o).toMatch(/runs {4}echo 'hello world' --token=\[REDACTED:[a-z-]+:[0-9a-f]{8}\] → custom\/greet\/output\.txt \(at most 1 MiB\)/);
    expect(o).not.toContain(TOKEN);
    expect(o).toMatch(/stores {2}custom\/applogs\/files\/.*\/logs\/app\.log \(at most 2 KiB, 2 KiB now\)/);
    expect(o).toMatch(/problem missing\/\*\.log: no such file or directory/);
    expect(o).toMatch(/runs {4}\S*docker --version/);
    expect(o).toMatch(/\nknown size: [\d.]+ KiB of files/);
  });

  it('--json gives the same plan as data', async () => {
    const r = await runCli([...args(), '--json'], { env: { DOCKER_HOST }, killAfterMs: 60_000 });
    expect(r.code, describeRun(r)).toBe(0);
    const plan = JSON.parse(r.stdout) as { collectors: { name: string; state: string; items: { kind: string; text: string; bytes?: number }[] }[] };
    const docker = plan.collectors.find((c) => c.name === 'docker');
    expect(docker?.state).toBe('runs');
    expect(docker?.items.some((i) => i.text.endsWith(`${prefix}-web/logs.txt`) && (i.bytes ?? 0) > 0)).toBe(true);
    expect(plan.collectors.find((c) => c.name === 'django')?.state).toBe('not selected');
    expect(r.stdout).not.toContain(TOKEN);
  });

  it('bad input is refused like a real run: an unknown collector, --job with --dry-run', async () => {
    const unknown = await runCli(['collect', '--dry-run', '--only', 'nope', '-o', out], { env: { DOCKER_HOST } });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^collect-bundle: unknown collector "nope"; valid: /);
    const job = await runCli(['collect', '--dry-run', '--job', '42', '-o', out], { env: { DOCKER_HOST } });
    expect(job.code).toBe(2);
    expect(job.stderr).toMatch(/^collect-bundle: --dry-run and --job do not go together/);
  });
});
