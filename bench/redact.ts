/**
 * npm run bench:redact [-- --mb 64 --runs 5 --skip-rss]
 *
 * Generates a realistic log corpus (bench/corpus.ts: nginx, Django, gunicorn, celery, docker json-file,
 * syslog lines, plus every file of tests/fixtures/redaction-corpus/ when present), checks that it
 * compresses like real logs (gzip -6 ratio >= 4:1, or the run fails), then measures in the same run,
 * each in its own process, medians of --runs:
 * - the redactor's MiB/s: one core, full default rule set, `Redactor.stream` from the file to /dev/null;
 * - `gzip -6`'s MiB/s on the same file, and the ratio ours/gzip (by wall time and by CPU time);
 * - the CPU time of `collect-bundle redact` of an empty file (start-up) against `node -e 0`;
 * - unless --skip-rss: the redactor's peak RSS at 100 MiB and at 1 GiB of input (the file repeated by
 *   a generator, nothing more on disk), which must be flat.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { Redactor } from '../redaction/redactor.js';
import { RedactionReport } from '../redaction/report.js';
import { median, sh, timed } from './shell.js';
import { gzipSize, readFixtures, writeCorpus } from './corpus.js';

const MiB = 1024 * 1024;
const args = process.argv.slice(2);
const arg = (name: string, def: number): number => {
  const i = args.indexOf(`--${name}`);
  const v = i === -1 ? def : Number(args[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return v;
};

/** The file's bytes again and again until `bytes` were yielded: a large input without a large file. */
async function* repeated(file: string, bytes: number): AsyncGenerator<Buffer> {
  let left = bytes;
  while (left > 0) {
    let got = 0;
    for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
      got += chunk.length;
      const part = chunk.length > left ? chunk.subarray(0, left) : chunk;
      left -= part.length;
      yield part;
      if (left === 0) return;
    }
    if (got === 0) throw new Error(`${file} is empty`);
  }
}

interface WorkerResult {
  readonly ms: number;
  readonly cpuMs: number;
  readonly maxRssMiB: number;
  readonly bytes: number;
  readonly redactions: number;
}

/** Worker: redacts `bytes` of input (the file, repeated if needed) to /dev/null; prints a WorkerResult. */
async function worker(file: string, bytes: number | undefined): Promise<void> {
  const report = new RedactionReport();
  const redactor = new Redactor({ key: randomBytes(32), report });
  const began = performance.now();
  const cpu0 = process.cpuUsage();
  let total = 0;
  const source = bytes === undefined ? createReadStream(file, { highWaterMark: 256 * 1024 }) : repeated(file, bytes);
  await pipeline(
    source,
    async function* (src: AsyncIterable<Buffer>) {
      for await (const c of src) {
        total += c.length;
        yield c;
      }
    },
    redactor.stream('corpus.log'),
    createWriteStream('/dev/null'),
  );
  const ms = performance.now() - began;
  const cpu = process.cpuUsage(cpu0);
  const result: WorkerResult = {
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    bytes: total,
    redactions: report.total,
  };
  process.stdout.write(JSON.stringify(result));
}

async function main(): Promise<void> {
  if (args[0] === '--worker') return worker(args[1]!, args[2] === undefined ? undefined : Number(args[2]));
  if (args[0] === '--corpus-out') {
    await writeCorpus(args[1]!, arg('mb', 64) * MiB, { fixtures: await readFixtures() }); // for profiling
    return;
  }
  const mb = arg('mb', 64);
  const runs = Math.round(arg('runs', 5));
  const skipRss = args.includes('--skip-rss');
  const self = fileURLToPath(import.meta.url);
  const dir = await mkdtemp(join(tmpdir(), 'cb-bench-redact-'));
  try {
    const fixtures = await readFixtures();
    const file = join(dir, 'corpus.log');
    const bytes = await writeCorpus(file, mb * MiB, { fixtures });
    const ratio = bytes / (await gzipSize(file, 6));
    const size = `${(bytes / MiB).toFixed(1)} MiB`;
    console.log(`corpus        ${size}, gzip -6 ratio ${ratio.toFixed(1)}:1, ${fixtures.length} fixture file(s) of tests/fixtures/redaction-corpus mixed in`);
    if (ratio < 4) {
      console.error(
        `FAIL: the corpus compresses only ${ratio.toFixed(2)}:1 under gzip -6; real logs compress 4-10:1, so gzip would look slow and flatter the ratio`,
      );
      process.exitCode = 1;
      return;
    }

    const runWorker = (bytesIn?: number): WorkerResult => {
      const r = spawnSync(process.execPath, [self, '--worker', file, ...(bytesIn === undefined ? [] : [String(bytesIn)])], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      });
      if (r.status !== 0) throw new Error(`redactor worker failed (exit ${r.status}): ${r.stderr}`);
      return JSON.parse(r.stdout) as WorkerResult;
    };
    const ours: WorkerResult[] = [];
    const gzip: { ms: number; cpuMs: number }[] = [];
    const cli: { ms: number; cpuMs: number }[] = [];
    const node: { ms: number; cpuMs: number }[] = [];
    // An empty regular file: `redact /dev/null` is refused now (inputs must be regular files or stdin).
    const empty = join(dirname(file), 'empty.txt');
    writeFileSync(empty, '');
    // Interleaved, so a burst of load from the other helpers hits both sides alike.
    for (let i = 0; i < runs; i++) {
      ours.push(runWorker());
      gzip.push(timed(`gzip -6 -c ${sh(file)}`));
      cli.push(timed(`${sh(process.execPath)} bin/collect-bundle.js redact ${sh(empty)}`));
      node.push(timed(`${sh(process.execPath)} -e 0`));
    }
    const mibs = (ms: number): number => bytes / MiB / (ms / 1000);
    const oursWall = mibs(median(ours.map((r) => r.ms)));
    const oursCpu = mibs(median(ours.map((r) => r.cpuMs)));
    const gzipWall = mibs(median(gzip.map((r) => r.ms)));
    const gzipCpu = mibs(median(gzip.map((r) => r.cpuMs)));
    const f = (n: number): string => n.toFixed(1).padStart(6);
    console.log(`medians of ${runs} runs, each measurement in its own process`);
    console.log(`redactor      ${f(oursWall)} MiB/s wall, ${f(oursCpu)} MiB/s CPU   (one core, full default rule set, ${ours[0]!.redactions} redactions)`);
    console.log(`gzip -6       ${f(gzipWall)} MiB/s wall, ${f(gzipCpu)} MiB/s CPU   (same file)`);
    console.log(
      `ratio         ${(oursWall / gzipWall).toFixed(2)}x gzip -6 by wall time, ${(oursCpu / gzipCpu).toFixed(2)}x by CPU time   (target >= 1.00, stretch 2.00)`,
    );
    const cliCpu = median(cli.map((r) => r.cpuMs));
    const nodeCpu = median(node.map((r) => r.cpuMs));
    console.log(
      `start-up      \`collect-bundle redact /dev/null\` ${(cliCpu / 1000).toFixed(3)} s CPU (${(median(cli.map((r) => r.ms)) / 1000).toFixed(3)} s wall); baseline \`node -e 0\` ${(nodeCpu / 1000).toFixed(3)} s CPU; ours minus baseline ${((cliCpu - nodeCpu) / 1000).toFixed(3)} s   (target < 0.3 s CPU)`,
    );
    if (skipRss) {
      console.log('peak RSS      skipped (--skip-rss)');
      return;
    }
    // One run each: at 1 GiB a run takes a while, and peak RSS is far less noisy than speed.
    const at100 = runWorker(100 * MiB);
    const at1g = runWorker(1024 * MiB);
    const flat = at100.maxRssMiB < 150 && at1g.maxRssMiB < 150;
    console.log(
      `peak RSS      ${at100.maxRssMiB.toFixed(0)} MiB at 100 MiB of input, ${at1g.maxRssMiB.toFixed(0)} MiB at 1 GiB (${(at1g.bytes / MiB).toFixed(0)} MiB streamed from the corpus repeated; one run each)   (target < 150 MiB both): ${flat ? 'ok' : 'OVER'}`,
    );
    console.log(`              redactor at 1 GiB: ${(at1g.bytes / MiB / (at1g.ms / 1000)).toFixed(1)} MiB/s wall`);
    if (!flat) process.exitCode = 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
