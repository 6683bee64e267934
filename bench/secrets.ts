/**
 * npm run bench:secrets [-- --ns 1000,10000,100000 --lines 120000 --runs 3 --check --skip-docker]
 *
 * Issue #18's quadratic case: does the cost per MiB stay flat when the input holds N distinct secrets?
 * For each N it writes one file of --lines lines (the same size for every N): `password=CANARY-<k>`
 * lines and access-log lines with a per-request `sig=`/`token=`, k cycling through N values, so the
 * run learns ~N distinct literals. Each path runs in its own process (GNU time: wall, CPU, peak RSS),
 * medians of --runs:
 * - (a) `collect-bundle redact FILE`;
 * - (b) `collect` of a custom `file` collector on FILE (the whole bundle: spool, gzip, fail-closed rescan);
 * - (c) `collect --only docker --tail all --max-log-bytes 0` of a real container (busybox `cat`ting the
 *   file, exited) on the test engine (`scripts/test-env.sh env primary`), unless --skip-docker;
 * and the baselines on the same bytes: `gzip -6` and `docker logs` of the same container.
 * Prints seconds per MiB (wall and CPU) and peak RSS per path and N, and the ratio N=max/N=min of each
 * path's CPU per MiB (CPU, not wall: the machine is shared and wall time follows its load). With
 * --check, exits 1 when a ratio is above 2.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './corpus.js';
import { median, sh } from './shell.js';

const MiB = 1024 * 1024;
const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(`--${name}`);
const arg = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? def : (args[i + 1] ?? def);
};
const NS = arg('ns', '1000,10000,100000').split(',').map(Number);
const LINES = Number(arg('lines', '120000'));
const RUNS = Number(arg('runs', '3'));
if (NS.some((n) => !Number.isInteger(n) || n < 1) || !(LINES >= Math.max(...NS)) || !(RUNS >= 1))
  throw new Error('--ns takes positive integers, --lines at least the largest N, --runs at least 1');
const CLI = join(repoRoot, 'bin', 'collect-bundle.js');

interface Sample {
  readonly wallS: number;
  readonly cpuS: number;
  readonly rssMiB: number;
}

/** Runs a shell command line under GNU time; throws when it fails. */
function measure(command: string, env: NodeJS.ProcessEnv = process.env): Sample {
  const out = join(tmpdir(), `cb-bench-secrets-time-${process.pid}`);
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', out, 'bash', '-c', command], { encoding: 'utf8', cwd: repoRoot, env });
  if (r.status !== 0) throw new Error(`\`${command}\` failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  const [wall = Number.NaN, user = Number.NaN, sys = Number.NaN, rssKiB = Number.NaN] = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .pop()!
    .split(' ')
    .map(Number);
  return { wallS: wall, cpuS: user + sys, rssMiB: rssKiB / 1024 };
}

/** The input for N distinct secrets: --lines lines, half `password=` lines, half access-log lines. */
function writeInput(file: string, n: number): number {
  const parts: string[] = [];
  for (let i = 0; i < LINES; i++) {
    const k = i % n;
    const pad = String(k).padStart(6, '0');
    parts.push(
      i % 2 === 0
        ? `password=CANARY-${pad}q${(k * 7919) % 99991}\n`
        : `10.0.${k % 200}.${i % 250} - - [07/Dec/2026:06:00:00 +0000] "GET /api/items/${i}?sig=Zq${pad}X${(k * 40503) % 999983}b&token=tk${pad}R${(k * 2654435761) % 1000003}Qw HTTP/1.1" 200 512\n`,
    );
  }
  const text = parts.join('');
  writeFileSync(file, text);
  return Buffer.byteLength(text);
}

/** DOCKER_HOST and the test image: from the environment, else from the test-env script. */
function dockerEnv(): NodeJS.ProcessEnv | undefined {
  if (process.env['DOCKER_HOST']) return { ...process.env, CB_TEST_IMAGE: process.env['CB_TEST_IMAGE'] ?? 'cb-busybox:latest' };
  const r = spawnSync('bash', [join(repoRoot, 'scripts', 'test-env.sh'), 'env', 'primary'], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const m of r.stdout.matchAll(/^export (\w+)=(.*)$/gm)) env[m[1]!] = m[2]!;
  return env['DOCKER_HOST'] ? env : undefined;
}

function docker(env: NodeJS.ProcessEnv, ...argv: string[]): string {
  const r = spawnSync('docker', argv, { encoding: 'utf8', env, maxBuffer: 64 * MiB });
  if (r.status !== 0) throw new Error(`docker ${argv.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** Checks a collect run's bundle holds `entry` (so a path that lost its output does not look fast). */
async function expectEntry(outDir: string, entry: RegExp): Promise<void> {
  const bundle = (await readdir(outDir)).find((f) => f.endsWith('.tar.gz'));
  if (!bundle) throw new Error(`no bundle in ${outDir}`);
  const list = spawnSync('tar', ['-tzf', join(outDir, bundle)], { encoding: 'utf8' }).stdout;
  if (!entry.test(list)) throw new Error(`${bundle} lacks ${entry}: its output was lost`);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'cb-bench-secrets-'));
  const denv = flag('skip-docker') ? undefined : dockerEnv();
  if (!flag('skip-docker') && !denv) throw new Error('no test engine: run `npm run test:env` or pass --skip-docker');
  const rows = new Map<string, Map<number, Sample>>();
  const put = (path: string, n: number, s: Sample): void => {
    if (!rows.has(path)) rows.set(path, new Map());
    rows.get(path)!.set(n, s);
  };
  const med = (samples: Sample[]): Sample => ({
    wallS: median(samples.map((s) => s.wallS)),
    cpuS: median(samples.map((s) => s.cpuS)),
    rssMiB: median(samples.map((s) => s.rssMiB)),
  });
  const sizes = new Map<number, number>();
  try {
    for (const n of NS) {
      const input = join(dir, 'in.log');
      sizes.set(n, writeInput(input, n));
      const config = join(dir, 'config.json');
      writeFileSync(config, JSON.stringify({ custom: [{ type: 'file', name: 'secrets', paths: [input], maxBytes: '1GiB', maxTotalBytes: '1GiB' }] }));
      const container = `cb-bench-secrets-${process.pid}-${n}`;
      if (denv) {
        docker(denv, 'create', '--name', container, denv['CB_TEST_IMAGE']!, 'cat', '/in.log');
        docker(denv, 'cp', input, `${container}:/in.log`);
        docker(denv, 'start', container);
        const code = docker(denv, 'wait', container);
        if (code !== '0') throw new Error(`container ${container} exited ${code}`);
      }
      const runs: Record<string, Sample[]> = {};
      const add = (path: string, s: Sample): void => void (runs[path] ??= []).push(s);
      for (let r = 0; r < RUNS; r++) {
        add('gzip -6 (baseline)', measure(`gzip -6 -c ${sh(input)} > /dev/null`));
        add('(a) redact', measure(`node ${sh(CLI)} redact ${sh(input)} > /dev/null`));
        const out = join(dir, `out-${n}-${r}`);
        add('(b) file collector', measure(`node ${sh(CLI)} collect --config ${sh(config)} --only secrets --no-analyze -o ${sh(out)} > /dev/null 2>&1`));
        await expectEntry(out, /custom\/secrets\/files\//);
        await rm(out, { recursive: true, force: true });
        if (denv) {
          add('docker logs (baseline)', measure(`docker logs ${container} > /dev/null 2>&1`, denv));
          const dout = join(dir, `dout-${n}-${r}`);
          const argv = `--no-config --only docker --containers ${container} --tail all --max-log-bytes 0 --no-analyze -o ${sh(dout)}`;
          add('(c) docker log', measure(`node ${sh(CLI)} collect ${argv} > /dev/null 2>&1`, denv));
          await expectEntry(dout, /logs\.txt/);
          await rm(dout, { recursive: true, force: true });
        }
      }
      if (denv) docker(denv, 'rm', '-f', container);
      for (const [path, samples] of Object.entries(runs)) put(path, n, med(samples));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const lo = Math.min(...NS);
  const hi = Math.max(...NS);
  console.log(`input: ${LINES} lines (${NS.map((n) => `N=${n}: ${(sizes.get(n)! / MiB).toFixed(2)} MiB`).join(', ')}); medians of ${RUNS} run(s)`);
  console.log('path                     N        wall s/MiB  CPU s/MiB  peak RSS');
  let worst = 0;
  for (const [path, byN] of rows) {
    for (const n of NS) {
      const s = byN.get(n)!;
      const mib = sizes.get(n)! / MiB;
      console.log(
        `${path.padEnd(24)} ${String(n).padEnd(8)} ${(s.wallS / mib).toFixed(3).padStart(10)}  ${(s.cpuS / mib).toFixed(3).padStart(9)}  ${s.rssMiB.toFixed(0).padStart(5)} MiB`,
      );
    }
    const ratio = byN.get(hi)!.cpuS / sizes.get(hi)! / (byN.get(lo)!.cpuS / sizes.get(lo)!);
    const wallRatio = byN.get(hi)!.wallS / sizes.get(hi)! / (byN.get(lo)!.wallS / sizes.get(lo)!);
    console.log(`${''.padEnd(24)} ratio ${hi}/${lo}: CPU per MiB ${ratio.toFixed(2)}x, wall per MiB ${wallRatio.toFixed(2)}x`);
    if (!path.includes('baseline')) worst = Math.max(worst, ratio);
  }
  if (flag('check') && worst > 2) {
    console.error(`bench:secrets: CPU per MiB grows ${worst.toFixed(2)}x from N=${lo} to N=${hi} (limit 2x): the cost is not flat in the number of secrets`);
    process.exit(1);
  }
}

await main();
