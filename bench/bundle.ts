/**
 * npm run bench:bundle [-- --mb 64 --artifacts 4 --runs 3 --verify]
 *
 * Does `collect` pay redaction + compression, or only the slower of the two? Writes a bundle of
 * --artifacts realistic log artifacts of --mb MiB each (bench/corpus.ts, a different seed each) through
 * the real BundleWriter (redact, spool, compress, finish), and measures in the same run, each in its
 * own process, medians of --runs:
 * - the bundle: wall time from the first `write` to the renamed .tar.gz (`finish` without the
 *   fail-closed verification pass `collect` adds, which is a separate cost);
 * - (a) redaction alone: the same files through `Redactor.stream` to /dev/null, one after the other;
 * - (b) `gzip -6` alone on the same files.
 * Overlap works when the bundle takes about max(a, b), not a + b. With --verify, the bundle worker also
 * times `verifyBundle` on the result: the fail-closed rescan `collect` runs before the rename (changed
 * lines only, as collect does), and the full rescan `collect-bundle verify` runs on any bundle.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { Redactor } from '../redaction/redactor.js';
import { RedactionReport } from '../redaction/report.js';
import { verifyBundle } from '../src/bundle/verify.js';
import { BundleWriter } from '../src/bundle/writer.js';
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

interface Timing {
  readonly ms: number;
  readonly cpuMs: number;
  readonly maxRssMiB: number;
  /** Time the main thread (JS: the redactor) was busy; compression on zlib's threads is not in it. */
  readonly mainMs?: number;
  /** CPU of the main thread and of all other threads (zlib's pool, GC), from /proc; Linux only. */
  readonly mainCpuMs?: number;
  readonly otherCpuMs?: number;
  /** Bundle runs: the other threads' CPU (compression) spent before `finish`, while artifacts were redacted. */
  readonly otherCpuBeforeFinishMs?: number;
  /** Bundle runs: time spent in `finish` (assembling the members), and the bundle's size. */
  readonly finishMs?: number;
  readonly bytes?: number;
  /** With --verify: collect's rescan of the finished bundle, changed lines only (not part of `ms`). */
  readonly verifyMs?: number;
  /** With --verify: the full rescan (`collect-bundle verify` on a bundle from anywhere). */
  readonly verifyFullMs?: number;
  /** With --verify: the CPU time (all threads) of each rescan. */
  readonly verifyCpuMs?: number;
  readonly verifyFullCpuMs?: number;
}

const newRedactor = (): Redactor => new Redactor({ key: randomBytes(32), report: new RedactionReport() });

/** CPU clock ticks (1/100 s) so far of this process' main thread and of its other threads. */
function threadTicks(): { main: number; others: number } {
  let main = 0;
  let others = 0;
  for (const tid of readdirSync('/proc/self/task')) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
    if (tid === String(process.pid)) main += ticks;
    else others += ticks;
  }
  return { main, others };
}

/** Starts a measurement; `report` prints it as JSON. */
function start(): { began: number; cpu0: NodeJS.CpuUsage; elu0: ReturnType<typeof performance.eventLoopUtilization>; ticks0: ReturnType<typeof threadTicks> } {
  return { began: performance.now(), cpu0: process.cpuUsage(), elu0: performance.eventLoopUtilization(), ticks0: threadTicks() };
}

function measure({ began, cpu0, elu0, ticks0 }: ReturnType<typeof start>, extra: Partial<Timing> = {}): Timing {
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  const ticks = threadTicks();
  const threads = { mainCpuMs: (ticks.main - ticks0.main) * 10, otherCpuMs: (ticks.others - ticks0.others) * 10 };
  return {
    ms: performance.now() - began,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    mainMs: elu.active,
    ...threads,
    ...extra,
  };
}

const report = (t: Timing): void => void process.stdout.write(JSON.stringify(t));

/** Worker (a): every file through the redactor to /dev/null, one after the other. */
async function redactWorker(files: readonly string[]): Promise<void> {
  const redactor = newRedactor();
  const t = start();
  for (const f of files)
    await pipeline(createReadStream(f, { highWaterMark: 256 * 1024 }), redactor.stream(`app/${basename(f)}`), createWriteStream('/dev/null'));
  report(measure(t));
}

/** Worker: the bundle, through the real writer, one artifact after the other (a collector's order). */
async function bundleWorker(outputDir: string, files: readonly string[]): Promise<void> {
  const writer = await BundleWriter.create({ outputDir, name: 'bench-bundle', redactor: newRedactor() });
  const t = start();
  const signal = new AbortController().signal;
  try {
    for (const f of files) {
      const r = await writer.write(
        'app',
        { kind: 'artifact', path: basename(f), open: async () => ({ stream: createReadStream(f, { highWaterMark: 256 * 1024 }) as Readable }) },
        signal,
      );
      if (!('sha256' in r)) throw new Error(`artifact ${f} was not stored: ${r.reason}`);
    }
    writer.addRootFile('manifest.json', `${JSON.stringify({ bench: true, files: files.map((f) => basename(f)) }, null, 2)}\n`);
    const f0 = performance.now();
    const before = threadTicks();
    const done = await writer.finish();
    const finishMs = performance.now() - f0;
    const measured = measure(t, { finishMs, bytes: done.bytes, otherCpuBeforeFinishMs: (before.others - t.ticks0.others) * 10 });
    let verify: Partial<Timing> = {};
    if (args.includes('--verify')) {
      // The bench manifest lists no files: only the time counts. CPU too: wall time is noisy on a busy machine.
      const timeVerify = async (rescan: 'changed-lines' | 'full'): Promise<{ ms: number; cpuMs: number }> => {
        const v0 = performance.now();
        const c0 = process.cpuUsage();
        await verifyBundle(done.path, { sidecar: false, sha256: done.sha256, rescan });
        const c = process.cpuUsage(c0);
        return { ms: performance.now() - v0, cpuMs: (c.user + c.system) / 1000 };
      };
      const full = await timeVerify('full');
      const changed = await timeVerify('changed-lines');
      verify = { verifyMs: changed.ms, verifyCpuMs: changed.cpuMs, verifyFullMs: full.ms, verifyFullCpuMs: full.cpuMs };
    }
    report({ ...measured, ...verify });
  } catch (err) {
    await writer.abort();
    throw err;
  }
}

async function main(): Promise<void> {
  if (args[0] === '--redact-worker') return redactWorker(args.slice(1));
  if (args[0] === '--bundle-worker')
    return bundleWorker(
      args[1]!,
      args.slice(2).filter((a) => a !== '--verify'),
    );
  const mb = arg('mb', 64);
  const count = Math.round(arg('artifacts', 4));
  const runs = Math.round(arg('runs', 3));
  const self = fileURLToPath(import.meta.url);
  const dir = await mkdtemp(join(tmpdir(), 'cb-bench-bundle-'));
  try {
    const fixtures = await readFixtures();
    const files: string[] = [];
    let bytes = 0;
    let gz = 0;
    for (let i = 0; i < count; i++) {
      const file = join(dir, `app-${i + 1}.log`);
      bytes += await writeCorpus(file, mb * MiB, { seed: 1000 + i, fixtures });
      gz += await gzipSize(file, 6);
      files.push(file);
    }
    console.log(
      `input         ${count} artifacts x ${mb} MiB = ${(bytes / MiB).toFixed(0)} MiB of realistic logs, gzip -6 ratio ${(bytes / gz).toFixed(1)}:1, ${fixtures.length} fixture file(s) mixed in`,
    );
    const worker = (...a: string[]): Timing => {
      const r = spawnSync(process.execPath, [self, ...a], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (r.status !== 0) throw new Error(`worker ${a[0]} failed (exit ${r.status}): ${r.stderr}`);
      return JSON.parse(r.stdout) as Timing;
    };
    const bundle: Timing[] = [];
    const redact: Timing[] = [];
    const gzip: Timing[] = [];
    // Interleaved, so a burst of load from elsewhere hits all three alike.
    for (let i = 0; i < runs; i++) {
      const out = join(dir, `out-${i}`);
      await mkdir(out);
      bundle.push(worker('--bundle-worker', out, ...files, ...(args.includes('--verify') ? ['--verify'] : [])));
      await rm(out, { recursive: true, force: true });
      redact.push(worker('--redact-worker', ...files));
      gzip.push({ ...timed(`gzip -6 -c ${files.map(sh).join(' ')}`), maxRssMiB: Number.NaN });
    }
    const s = (ms: number): string => `${(ms / 1000).toFixed(2).padStart(6)} s`;
    const b = median(bundle.map((t) => t.ms));
    const a = median(redact.map((t) => t.ms));
    const g = median(gzip.map((t) => t.ms));
    const rate = (ms: number): string => `${(bytes / MiB / (ms / 1000)).toFixed(1).padStart(5)} MiB/s`;
    const main = (ts: Timing[]): string => s(median(ts.map((t) => t.mainCpuMs ?? Number.NaN))).trim();
    const other = (ts: Timing[]): string => s(median(ts.map((t) => t.otherCpuMs ?? Number.NaN))).trim();
    console.log(`medians of ${runs} runs, each in its own process; wall time (CPU time: all threads; main thread; other threads)`);
    console.log(
      `bundle        ${s(b)}  ${rate(b)}  (${s(median(bundle.map((t) => t.cpuMs))).trim()} CPU; main ${main(bundle)}; other ${other(bundle)}; finish ${s(median(bundle.map((t) => t.finishMs ?? 0))).trim()}; peak RSS ${median(bundle.map((t) => t.maxRssMiB)).toFixed(0)} MiB; ${((bundle[0]!.bytes ?? 0) / MiB).toFixed(1)} MiB .tar.gz)`,
    );
    console.log(`(a) redaction ${s(a)}  ${rate(a)}  (${s(median(redact.map((t) => t.cpuMs))).trim()} CPU; main ${main(redact)}; other ${other(redact)})`);
    console.log(`(b) gzip -6   ${s(g)}  ${rate(g)}  (${s(median(gzip.map((t) => t.cpuMs))).trim()} CPU)`);
    const load = loadavg()[0]!;
    const cores = availableParallelism();
    console.log(`load average  ${load.toFixed(1)} on ${cores} cores at the end: overlap needs a free core for zlib's thread while the redactor runs`);
    if (args.includes('--verify')) {
      const per64 = (ms: number): string => `${((ms / 1000) * ((64 * MiB) / bytes)).toFixed(2)} s per 64 MiB`;
      const m = (f: (t: Timing) => number | undefined): number => median(bundle.map((t) => f(t) ?? Number.NaN));
      const [v, vCpu, full, fullCpu] = [m((t) => t.verifyMs), m((t) => t.verifyCpuMs), m((t) => t.verifyFullMs), m((t) => t.verifyFullCpuMs)];
      console.log(
        `verify        ${s(v)}  (${per64(v)}; CPU ${per64(vCpu)}) collect's fail-closed rescan of the finished bundle: changed lines, key blocks and known secrets only; not overlapped`,
      );
      console.log(`verify full   ${s(full)}  (${per64(full)}; CPU ${per64(fullCpu)}) every line, as \`collect-bundle verify\` checks a bundle from anywhere`);
    }
    const early = median(bundle.map((t) => (t.otherCpuBeforeFinishMs ?? 0) / Math.max(1, t.otherCpuMs ?? 0)));
    console.log(
      `overlap       ${(early * 100).toFixed(0)}% of the bundle's off-main-thread CPU (compression on zlib's pool, GC) was spent while artifacts were still being redacted, before finish`,
    );
    console.log(
      `bundle / max(a, b) = ${(b / Math.max(a, g)).toFixed(2)}   bundle / (a + b) = ${(b / (a + g)).toFixed(2)}   (overlap: close to 1.00 and well under 1.00)`,
    );
    const size = (await Promise.all(files.map((f) => stat(f)))).reduce((n, st) => n + st.size, 0);
    if (size !== bytes) throw new Error('input files changed during the run');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
