/**
 * npm run bench:docker [-- --scenario 100x1000|10x100000|all --runs 3 --running 0 --keep | --reuse ID]
 *                      [-- --count N --lines L --tail 10000|all]
 *
 * Issue #14 part 1: container logs at the engine's speed. For each scenario (default: both, 100
 * containers x 1,000 lines with --tail 10000, and 10 containers x 100,000 lines with --tail all and no
 * byte cap) it creates the containers (each prints numbered lines of ~100 bytes, a tenth of them on
 * stderr; --running of them keep running), then times in the same run, --runs times each, alternating:
 *
 *   collect-bundle   the built CLI, `--only docker --all-containers --containers <these>`, its own process
 *   docker CLI       the same work by hand: `docker ps -a`, `docker inspect` of all, `docker logs -t`
 *                    per container into files, `tar czf` of the result
 *
 * and prints both medians, their ratio (whole process, and collect-bundle's own run without Node's
 * start-up), the time the collector reports for its container phase, and collect-bundle's peak RSS.
 * Targets: ratio <= 0.5x in both scenarios (stretch 0.3x), peak RSS < 200 MiB. Its containers are
 * removed after each scenario (also after an error or Ctrl-C) unless --keep is given; `--reuse
 * cbbench-<pid>` measures containers a --keep run left (and leaves them).
 *
 * The engine: DOCKER_HOST if set, else a private test engine `bench-docker` (scripts/test-env.sh up
 * bench-docker, brought down again at the end when the bench started it).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const num = (name: string, def: number): number => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? def : Number(args[i + 1]);
};
const flag = (name: string): boolean => args.includes(`--${name}`);
const str = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? def : String(args[i + 1]);
};
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const self = fileURLToPath(import.meta.url);

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Worker mode: run the CLI in this process and report its wall time and peak RSS. */
async function worker(cliArgs: string[]): Promise<void> {
  const { main } = (await import(join(ROOT, 'dist/cli/main.js'))) as typeof import('../src/cli/main.js');
  let log = '';
  const sink = {
    write: (c: string | Buffer): boolean => {
      log += String(c);
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  const began = performance.now();
  const code = await main(cliArgs, { stdout: sink, stderr: sink, env: process.env, signal: new AbortController().signal });
  const ms = performance.now() - began;
  // The collector's own figure (--verbose): "docker local: wrote 100 containers in 2213 ms".
  const phase = /wrote (\d+) containers in (\d+) ms/.exec(log);
  process.stdout.write(JSON.stringify({ code, ms, maxRssMiB: process.resourceUsage().maxRSS / 1024, containersMs: phase ? Number(phase[2]) : null }));
}

const PRIVATE_ENGINE = 'bench-docker';

/** The engine to use, and whether this bench started it (then it is brought down at the end). */
function engine(): { host: string; started: boolean } {
  if (process.env['DOCKER_HOST']) return { host: process.env['DOCKER_HOST'], started: false };
  const testEnv = join(ROOT, 'scripts/test-env.sh');
  const running = spawnSync('bash', [testEnv, 'status', PRIVATE_ENGINE], { stdio: 'ignore' }).status === 0;
  const r = spawnSync('bash', [testEnv, 'up', PRIVATE_ENGINE], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const m = /^export DOCKER_HOST=(.*)$/m.exec(r.stdout ?? '');
  if (r.status !== 0 || !m) throw new Error('no Docker engine: set DOCKER_HOST, or run as root so scripts/test-env.sh can start a private test engine');
  return { host: m[1]!.replace(/^'(.*)'$/, '$1'), started: !running };
}

function engineDown(): void {
  spawnSync('bash', [join(ROOT, 'scripts/test-env.sh'), 'down', PRIVATE_ENGINE], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** One measured setup: how many containers, how many lines each, and the --tail both tools use. */
interface Scenario {
  readonly count: number;
  readonly lines: number;
  readonly tail: string;
}

const SCENARIOS: Record<string, Scenario> = {
  '100x1000': { count: 100, lines: 1000, tail: '10000' },
  '10x100000': { count: 10, lines: 100_000, tail: 'all' },
};

function sh(script: string, env: NodeJS.ProcessEnv): { ms: number; status: number | null; stderr: string } {
  const began = performance.now();
  const r = spawnSync('bash', ['-c', script], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { ms: performance.now() - began, status: r.status, stderr: r.stderr };
}

/** Runs `fn` over 0..n-1, `limit` at a time. */
async function pool(n: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  // allSettled: on a failure the others finish their current item, so cleanup sees every container.
  const results = await Promise.allSettled(
    Array.from({ length: limit }, async () => {
      while (next < n) await fn(next++);
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

function run(cmd: string, argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, argv, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${argv.slice(0, 3).join(' ')} …: exit ${code}: ${err.trim()}`))));
  });
}

async function bench(): Promise<void> {
  const chosen = str('scenario', args.includes('--count') || args.includes('--lines') ? 'custom' : 'all');
  const scenarios: [string, Scenario][] =
    chosen === 'custom'
      ? [['custom', { count: num('count', 100), lines: num('lines', 1000), tail: str('tail', '10000') }]]
      : chosen === 'all'
        ? Object.entries(SCENARIOS)
        : [[chosen, SCENARIOS[chosen] ?? fail(`unknown --scenario ${chosen}: use ${Object.keys(SCENARIOS).join(', ')} or all`)]];
  const { host, started } = engine();
  // Ctrl-C: stop creating and measuring, then clean up (in `finally`) once running commands have ended.
  const state = { interrupted: false };
  const onSignal = (): void => {
    state.interrupted = true;
    process.stderr.write('interrupted: cleaning up ...\n');
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const table: string[] = [];
  try {
    for (const [name, scenario] of scenarios) table.push(await measure(name, scenario, host, state));
  } finally {
    if (started) {
      process.stderr.write(`stopping the private engine ${PRIVATE_ENGINE} ...\n`);
      engineDown();
    }
  }
  console.log('\n| scenario | collect-bundle (process) | its run | container phase | docker CLI | ratio (process) | ratio (run) | peak RSS |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const row of table) console.log(row);
}

function fail(message: string): never {
  throw new Error(message);
}

/** Creates one scenario's containers, measures both tools, removes the containers; returns a table row. */
async function measure(name: string, sc: Scenario, host: string, state: { interrupted: boolean }): Promise<string> {
  const { count, lines, tail } = sc;
  const running = Math.min(num('running', 0), count);
  const runs = num('runs', 3);
  const env = { ...process.env, DOCKER_HOST: host };
  const reuse = args.includes('--reuse') ? str('reuse', '') : undefined;
  const id = reuse || `cbbench-${process.pid}-${name}`;
  const image = process.env['CB_TEST_IMAGE'] ?? 'cb-busybox:latest';
  const work = await mkdtemp(join(tmpdir(), 'cb-bench-docker-'));
  const check = (): void => {
    if (state.interrupted) throw new Error('interrupted');
  };
  // --tail all: every line, and no byte cap, so both tools store the same log.
  const ourTail = tail === 'all' ? ['--tail', 'all', '--max-log-bytes', '0'] : ['--tail', tail];
  try {
    if (reuse) process.stderr.write(`engine ${host}; reusing the containers labelled cb-bench=${id}\n`);
    else await createContainers({ count, lines, running, id, image, env, check });

    const ours: { ms: number; runMs: number; rss: number; code: number; bytes: number; containersMs: number | null }[] = [];
    const theirs: { ms: number; bytes: number }[] = [];
    for (let r = 0; r < runs; r++) {
      for (const which of r % 2 ? ['cli', 'ours'] : ['ours', 'cli']) {
        check();
        const dir = join(work, `${which}-${r}`);
        if (which === 'ours') {
          const began = performance.now();
          const w = spawnSync(
            process.execPath,
            [self, '--worker', '--only', 'docker', '--all-containers', '-o', dir, '--containers', `${id}-*`, ...ourTail, '--timeout', '3600', '--verbose'],
            { env, encoding: 'utf8', maxBuffer: 1 << 20 },
          );
          const ms = performance.now() - began;
          if (w.status !== 0) throw new Error(`collect-bundle worker failed: ${w.stderr}`);
          const res = JSON.parse(w.stdout) as { code: number; ms: number; maxRssMiB: number; containersMs: number | null };
          ours.push({ ms, runMs: res.ms, rss: res.maxRssMiB, code: res.code, bytes: await dirBytes(dir, '.tar.gz'), containersMs: res.containersMs });
        } else {
          const s = sh(
            [
              'set -e',
              `mkdir -p '${dir}/out/logs' && cd '${dir}/out'`,
              `docker ps -a --no-trunc --filter label=cb-bench=${id} > ps.txt`,
              `ids=$(docker ps -aq --no-trunc --filter label=cb-bench=${id})`,
              'docker inspect $ids > inspect.json',
              `for c in $ids; do docker logs -t --tail ${tail} "$c" > "logs/$c.txt" 2>&1; done`,
              `cd '${dir}' && tar czf cli.tar.gz out && rm -rf out`,
            ].join('\n'),
            env,
          );
          if (s.status !== 0) throw new Error(`docker CLI baseline failed: ${s.stderr}`);
          theirs.push({ ms: s.ms, bytes: await dirBytes(dir, '.tar.gz') });
        }
        await rm(dir, { recursive: true, force: true });
      }
      process.stderr.write(
        `${name} run ${r + 1}/${runs}: collect-bundle ${(ours.at(-1)!.ms / 1000).toFixed(2)} s, docker CLI ${(theirs.at(-1)!.ms / 1000).toFixed(2)} s\n`,
      );
    }
    const a = median(ours.map((o) => o.ms));
    const run = median(ours.map((o) => o.runMs));
    const b = median(theirs.map((o) => o.ms));
    const phase = median(ours.map((o) => o.containersMs ?? Number.NaN));
    const rss = Math.max(...ours.map((o) => o.rss));
    const mib = (n: number): string => (n / 1024 / 1024).toFixed(1);
    console.log(`\n${name}: ${count} containers (${running} running), ${lines} log lines each, --tail ${tail}, engine ${host}`);
    console.log(
      `collect-bundle    median ${(a / 1000).toFixed(2)} s over ${runs} runs, whole process (its run without Node's start-up: ${(run / 1000).toFixed(2)} s; exit ${ours.map((o) => o.code).join(',')}; bundle ${mib(median(ours.map((o) => o.bytes)))} MiB)`,
    );
    console.log(`                  container phase ${phase.toFixed(0)} ms ("wrote N containers in ... ms", ${(phase / count).toFixed(1)} ms per container)`);
    console.log(
      `docker CLI        median ${(b / 1000).toFixed(2)} s over ${runs} runs (ps, inspect, logs per container, tar czf; ${mib(median(theirs.map((o) => o.bytes)))} MiB)`,
    );
    console.log(`ratio             ${(a / b).toFixed(2)}x the docker CLI's time (its run alone: ${(run / b).toFixed(2)}x; target: at most 0.5x)`);
    console.log(`peak RSS          ${rss.toFixed(0)} MiB (collect-bundle, highest of the runs; target: under 200 MiB)`);
    return `| ${name} | ${(a / 1000).toFixed(2)} s | ${(run / 1000).toFixed(2)} s | ${phase.toFixed(0)} ms | ${(b / 1000).toFixed(2)} s | ${(a / b).toFixed(2)}x | ${(run / b).toFixed(2)}x | ${rss.toFixed(0)} MiB |`;
  } finally {
    if (!flag('keep') && !reuse) {
      process.stderr.write(`removing the ${count} containers ...\n`);
      sh(`docker ps -aq --filter label=cb-bench=${id} | xargs -r docker rm -f >/dev/null`, env);
    }
    await rm(work, { recursive: true, force: true });
  }
}

/** Creates the containers (numbered lines of ~100 bytes, every tenth on stderr) and waits for their logs. */
async function createContainers(o: {
  count: number;
  lines: number;
  running: number;
  id: string;
  image: string;
  env: NodeJS.ProcessEnv;
  check: () => void;
}): Promise<void> {
  process.stderr.write(`engine ${o.env['DOCKER_HOST']}; creating ${o.count} containers with ${o.lines} log lines each (${o.running} kept running) ...\n`);
  const began = performance.now();
  // Shell builtins only: a process per line would make creating the containers the slow part.
  const script = `i=0; while [ $i -lt ${o.lines} ]; do i=$((i+1)); if [ $((i % 10)) -eq 0 ]; then printf 'WARN worker: job %d retried after timeout, queue depth=%d host=exec-%d\\n' $i $((i % 37)) $((i % 7)) >&2; else printf 'INFO worker: job %d done in %dms status=ok queue=default host=exec-%d\\n' $i $((i % 900)) $((i % 7)); fi; done`;
  await pool(o.count, 8, async (i) => {
    o.check();
    const keep = i < o.running ? '; sleep 36000' : '';
    await run(
      'docker',
      [
        'run',
        '-d',
        '--network',
        'none',
        '--label',
        `cb-bench=${o.id}`,
        '--name',
        `${o.id}-${String(i).padStart(4, '0')}`,
        o.image,
        'sh',
        '-c',
        `${script}${keep}`,
      ],
      o.env,
    );
  });
  // Wait until every container that is not kept running has written its log and exited.
  for (;;) {
    const r = spawnSync('docker', ['ps', '-q', '--filter', `label=cb-bench=${o.id}`, '--filter', 'status=running'], { env: o.env, encoding: 'utf8' });
    if (r.stdout.trim().split('\n').filter(Boolean).length <= o.running) break;
    o.check();
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await new Promise((resolve) => setTimeout(resolve, 1500)); // the running ones finish their lines
  process.stderr.write(`created in ${((performance.now() - began) / 1000).toFixed(0)} s\n`);
}

async function dirBytes(dir: string, suffix: string): Promise<number> {
  const files = (await readdir(dir)).filter((f) => f.endsWith(suffix));
  let total = 0;
  for (const f of files) total += (await stat(join(dir, f))).size;
  return total;
}

if (args[0] === '--worker') await worker(args.slice(1));
else await bench();
