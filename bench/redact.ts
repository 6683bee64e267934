/**
 * npm run bench:redact [-- --mb 64 --runs 5]
 *
 * Generates a realistic log corpus (Django/gunicorn/celery lines, docker json-file lines, tracebacks,
 * ~1 secret per 2,000 lines, many container IDs, digests, UUIDs and git SHAs), then measures in the
 * same run: the redactor's throughput single-threaded with the full rule set, `gzip -6` on the same
 * file, and the redactor's peak RSS at two input sizes (flat memory means the two peaks are close).
 * Each measurement runs in its own process; medians of --runs are printed.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { Redactor } from '../redaction/redactor.js';
import { RedactionReport } from '../redaction/report.js';

const args = process.argv.slice(2);
const arg = (name: string, def: number): number => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? def : Number(args[i + 1]);
};

/** A deterministic pseudo-random source, so corpora are comparable between runs. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function* corpusLines(rand: () => number): Generator<string> {
  const hex = (n: number) => createHash('sha256').update(String(rand())).digest('hex').slice(0, n);
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  const ts = () => new Date(1_790_000_000_000 + Math.floor(rand() * 1e9)).toISOString();
  const paths = ['/api/jobs/', '/api/hosts/', '/admin/login/', '/healthz', '/api/jobs/42/logs/', '/static/app.js'];
  const secrets = [
    () => `DB_PASSWORD=${randomBytes(9).toString('base64url')}`,
    () => `connecting to postgres://app:${randomBytes(9).toString('base64url')}@db:5432/app`,
    () => `Authorization: Bearer ${randomBytes(24).toString('base64url')}`,
    () => `"api_key": "${randomBytes(16).toString('hex')}"`,
    () => `token ghp_${randomBytes(27).toString('base64url').replace(/[-_]/g, 'a').slice(0, 36)}`,
    () => `aws key AKIA${'ABCDEFGHIJKLMNOP'.split('').sort(() => rand() - 0.5).join('')}`,
  ];
  let n = 0;
  for (;;) {
    n++;
    if (n % 2000 === 0) {
      yield `${ts()} WARNING config ${secrets[Math.floor(rand() * secrets.length)]!()}`;
      continue;
    }
    const r = rand();
    if (r < 0.3) yield `${ts()} INFO django.request "GET ${paths[Math.floor(rand() * paths.length)]} HTTP/1.1" 200 ${Math.floor(rand() * 9000)} request_id=${uuid()}`;
    else if (r < 0.45) yield `[${ts()}] [${Math.floor(rand() * 900) + 100}] [INFO] gunicorn.access 10.0.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)} - - "POST /api/jobs/ HTTP/1.1" 201 512 "-" "python-requests/2.31.0"`;
    else if (r < 0.6) yield `[${ts()}: INFO/ForkPoolWorker-${Math.floor(rand() * 8)}] Task container_manager.tasks.run_job[${uuid()}] succeeded in ${(rand() * 10).toFixed(3)}s: None`;
    else if (r < 0.8) yield `{"log":"job ${uuid()} container ${hex(64)} image sha256:${hex(64)} state=running\\n","stream":"stdout","time":"${ts()}"}`;
    else if (r < 0.9) yield `${ts()} INFO deploy commit ${hex(40)} version 2.${Math.floor(rand() * 20)}.${Math.floor(rand() * 9)} host executor-${Math.floor(rand() * 50)}.internal:2376`;
    else {
      yield 'Traceback (most recent call last):';
      yield '  File "/app/container_manager/executors/docker.py", line 212, in launch_job';
      yield '    container = self.client.containers.run(image, detach=True, mem_limit=job.memory_limit)';
      yield `docker.errors.APIError: 500 Server Error for http+docker://localhost/v1.43/containers/${hex(64)}/start: Internal Server Error ("OCI runtime create failed")`;
    }
  }
}

async function writeCorpus(file: string, bytes: number): Promise<void> {
  const out = createWriteStream(file);
  const lines = corpusLines(prng(42));
  let written = 0;
  while (written < bytes) {
    let block = '';
    while (block.length < 1 << 20) block += `${lines.next().value}\n`;
    written += block.length;
    if (!out.write(block)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

/** Worker: redact `file` to nowhere, print {ms, maxRssMiB, redactions} as JSON. */
async function worker(file: string): Promise<void> {
  const report = new RedactionReport();
  const redactor = new Redactor({ key: randomBytes(32), report });
  const began = performance.now();
  const cpu0 = process.cpuUsage();
  let out = 0;
  await pipeline(createReadStream(file, { highWaterMark: 256 * 1024 }), redactor.stream('corpus.log'), async (src: AsyncIterable<Buffer>) => {
    for await (const c of src) out += c.length;
  });
  const ms = performance.now() - began;
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, maxRssMiB: process.resourceUsage().maxRSS / 1024, redactions: report.total, out }));
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function main(): Promise<void> {
  if (args[0] === '--worker') return worker(args[1]!);
  if (args[0] === '--corpus-out') return writeCorpus(args[1]!, arg('mb', 64) * 1024 * 1024); // for profiling
  const mb = arg('mb', 64);
  const runs = arg('runs', 5);
  const dir = await mkdtemp(join(tmpdir(), 'cb-bench-redact-'));
  const self = fileURLToPath(import.meta.url);
  try {
    const small = join(dir, 'small.log');
    const big = join(dir, 'big.log');
    await writeCorpus(small, (mb / 4) * 1024 * 1024);
    await writeCorpus(big, mb * 1024 * 1024);
    const bytes = (await stat(big)).size;
    const runWorker = (file: string) => {
      const r = spawnSync(process.execPath, [self, '--worker', file], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (r.status !== 0) throw new Error(`worker failed: ${r.stderr}`);
      return JSON.parse(r.stdout) as { ms: number; cpuMs: number; maxRssMiB: number; redactions: number };
    };
    const redactMs: number[] = [];
    const gzipMs: number[] = [];
    const redactCpu: number[] = [];
    const gzipCpu: number[] = [];
    const rssBig: number[] = [];
    let redactions = 0;
    for (let i = 0; i < runs; i++) {
      const w = runWorker(big);
      redactMs.push(w.ms);
      redactCpu.push(w.cpuMs);
      rssBig.push(w.maxRssMiB);
      redactions = w.redactions;
      const t = performance.now();
      // bash's `time` reports gzip's own CPU seconds (user+sys), which a busy machine distorts far less than wall time.
      const g = spawnSync('bash', ['-c', `TIMEFORMAT='%U %S'; time gzip -6 -c '${big}' > /dev/null`], { encoding: 'utf8' });
      gzipMs.push(performance.now() - t);
      const [user = 0, sys = 0] = g.stderr.trim().split(/\s+/).map(Number);
      gzipCpu.push((user + sys) * 1000);
    }
    const rssSmall = median(Array.from({ length: Math.min(3, runs) }, () => runWorker(small).maxRssMiB));
    const mbps = (ms: number) => bytes / 1024 / 1024 / (ms / 1000);
    const r = mbps(median(redactMs));
    const g = mbps(median(gzipMs));
    console.log(`corpus      ${(bytes / 1024 / 1024).toFixed(1)} MiB, ${redactions} redactions, ${runs} runs (medians)`);
    console.log(`redactor    ${r.toFixed(1)} MB/s   (single-threaded, full rule set)`);
    console.log(`gzip -6     ${g.toFixed(1)} MB/s`);
    console.log(`ratio       ${(r / g).toFixed(2)}x gzip -6 by wall time   (target: >= 1.00)`);
    console.log(`cpu ratio   ${(median(gzipCpu) / median(redactCpu)).toFixed(2)}x gzip -6 by CPU time (redactor ${median(redactCpu).toFixed(0)} ms, gzip ${median(gzipCpu).toFixed(0)} ms; fairer on a busy machine)`);
    console.log(`peak RSS    ${median(rssBig).toFixed(0)} MiB at ${(bytes / 1024 / 1024).toFixed(0)} MiB input, ${rssSmall.toFixed(0)} MiB at ${(bytes / 4 / 1024 / 1024).toFixed(0)} MiB input (flat = close)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
