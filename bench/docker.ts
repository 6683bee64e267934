/**
 * npm run bench:docker [-- --count 200 --lines 1000 --running 5 --runs 3 --tail 10000|all --keep | --reuse ID]
 *
 * Creates --count containers on a Docker engine (each prints --lines numbered lines, a tenth of them
 * on stderr; --running of them keep running), then times in the same run, --runs times each and
 * alternating:
 *
 *   collect-bundle   the built CLI, `--only docker --containers <these>`, in its own process
 *   docker CLI       the same work by hand: `docker ps -a`, `docker inspect` of all, `docker logs -t`
 *                    per container into files, `tar czf` of the result
 *
 * and prints both medians, their ratio and collect-bundle's peak RSS. Its containers are removed at
 * the end (also after an error or Ctrl-C) unless --keep is given; `--reuse cbbench-<pid>` measures
 * containers a --keep run left (and leaves them).
 *
 * The engine: DOCKER_HOST if set, else the private test engine (scripts/test-env.sh up primary).
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
  const { main } = (await import(join(ROOT, 'dist/src/cli/main.js'))) as typeof import('../src/cli/main.js');
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  const began = performance.now();
  const code = await main(cliArgs, { stdout: sink, stderr: sink, env: process.env, signal: new AbortController().signal });
  const ms = performance.now() - began;
  process.stdout.write(JSON.stringify({ code, ms, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
}

function engine(): string {
  if (process.env['DOCKER_HOST']) return process.env['DOCKER_HOST'];
  const r = spawnSync('bash', [join(ROOT, 'scripts/test-env.sh'), 'up', 'primary'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const m = /^export DOCKER_HOST=(.*)$/m.exec(r.stdout ?? '');
  if (r.status !== 0 || !m) throw new Error('no Docker engine: set DOCKER_HOST, or run as root so scripts/test-env.sh can start the test engine');
  return m[1]!.replace(/^'(.*)'$/, '$1');
}

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
  const count = num('count', 200);
  const lines = num('lines', 1000);
  const running = Math.min(num('running', 5), count);
  const runs = num('runs', 3);
  const tail = str('tail', '10000');
  const host = engine();
  const env = { ...process.env, DOCKER_HOST: host };
  const reuse = args.includes('--reuse') ? str('reuse', '') : undefined;
  const id = reuse || `cbbench-${process.pid}`;
  const image = process.env['CB_TEST_IMAGE'] ?? 'cb-busybox:latest';
  const work = await mkdtemp(join(tmpdir(), 'cb-bench-docker-'));
  let cleaned = false;
  const cleanup = async (): Promise<void> => {
    if (cleaned) return;
    cleaned = true;
    if (!flag('keep') && !reuse) {
      process.stderr.write(`removing the ${count} containers ...\n`);
      sh(`docker ps -aq --filter label=cb-bench=${id} | xargs -r docker rm -f >/dev/null`, env);
    }
    await rm(work, { recursive: true, force: true });
  };
  // Ctrl-C: stop creating and measuring, then clean up (in `finally`) once running commands have ended.
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
    process.stderr.write('interrupted: cleaning up ...\n');
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const check = (): void => {
    if (interrupted) throw new Error('interrupted');
  };
  try {
    if (reuse) process.stderr.write(`engine ${host}; reusing the containers labelled cb-bench=${id}\n`);
    else await createContainers({ count, lines, running, id, image, env, check });

    const ours: { ms: number; rss: number; code: number; bytes: number }[] = [];
    const theirs: { ms: number; bytes: number }[] = [];
    for (let r = 0; r < runs; r++) {
      for (const which of r % 2 ? ['cli', 'ours'] : ['ours', 'cli']) {
        check();
        const dir = join(work, `${which}-${r}`);
        if (which === 'ours') {
          const w = spawnSync(process.execPath, [self, '--worker', '--only', 'docker', '-o', dir, '--containers', `${id}-*`, '--tail', tail, '--timeout', '3600', '-q'], { env, encoding: 'utf8', maxBuffer: 1 << 20 });
          if (w.status !== 0) throw new Error(`collect-bundle worker failed: ${w.stderr}`);
          const res = JSON.parse(w.stdout) as { code: number; ms: number; maxRssMiB: number };
          ours.push({ ms: res.ms, rss: res.maxRssMiB, code: res.code, bytes: await dirBytes(dir, '.tar.gz') });
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
      process.stderr.write(`run ${r + 1}/${runs}: collect-bundle ${(ours.at(-1)!.ms / 1000).toFixed(2)} s, docker CLI ${(theirs.at(-1)!.ms / 1000).toFixed(2)} s\n`);
    }
    const a = median(ours.map((o) => o.ms));
    const b = median(theirs.map((o) => o.ms));
    console.log(`containers        ${count} (${running} running), ${lines} log lines each, --tail ${tail}, engine ${host}`);
    console.log(`collect-bundle    median ${(a / 1000).toFixed(2)} s over ${runs} runs (exit ${ours.map((o) => o.code).join(',')}; bundle ${(median(ours.map((o) => o.bytes)) / 1024 / 1024).toFixed(1)} MiB)`);
    console.log(`docker CLI        median ${(b / 1000).toFixed(2)} s over ${runs} runs (ps, inspect, logs per container, tar czf; ${(median(theirs.map((o) => o.bytes)) / 1024 / 1024).toFixed(1)} MiB)`);
    console.log(`ratio             ${(a / b).toFixed(2)}x the docker CLI's time (target: at most 0.5x)`);
    console.log(`peak RSS          ${median(ours.map((o) => o.rss)).toFixed(0)} MiB (collect-bundle, median; max ${Math.max(...ours.map((o) => o.rss)).toFixed(0)} MiB)`);
  } finally {
    await cleanup();
  }
}

/** Creates the containers (numbered lines of ~100 bytes, every tenth on stderr) and waits for their logs. */
async function createContainers(o: { count: number; lines: number; running: number; id: string; image: string; env: NodeJS.ProcessEnv; check: () => void }): Promise<void> {
  process.stderr.write(`engine ${o.env['DOCKER_HOST']}; creating ${o.count} containers with ${o.lines} log lines each (${o.running} kept running) ...\n`);
  const began = performance.now();
  // Shell builtins only: a process per line would make creating the containers the slow part.
  const script = `i=0; while [ $i -lt ${o.lines} ]; do i=$((i+1)); if [ $((i % 10)) -eq 0 ]; then printf 'WARN worker: job %d retried after timeout, queue depth=%d host=exec-%d\\n' $i $((i % 37)) $((i % 7)) >&2; else printf 'INFO worker: job %d done in %dms status=ok queue=default host=exec-%d\\n' $i $((i % 900)) $((i % 7)); fi; done`;
  await pool(o.count, 8, async (i) => {
    o.check();
    const keep = i < o.running ? '; sleep 36000' : '';
    await run('docker', ['run', '-d', '--network', 'none', '--label', `cb-bench=${o.id}`, '--name', `${o.id}-${String(i).padStart(4, '0')}`, o.image, 'sh', '-c', `${script}${keep}`], o.env);
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
