/**
 * npm run bench:startup [-- --runs 10]
 *
 * Start-up cost of the commands people run most often, each in its own process, medians of --runs
 * (default 10), interleaved so a load spike hits every line alike: `node -e 0` (the baseline: Node's own
 * start), `collect-bundle --version`, `redact` of an empty file, `redact /dev/null` (refused, exit 2: a
 * character device) and `verify --help` (the yargs path). Wall and CPU (user+sys) milliseconds, and
 * each line's wall time minus the baseline's. Target (issue #14): `--version` and `redact` of an empty
 * file under 300 ms wall on an idle machine.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, sh, timed } from './shell.js';

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 10;
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs needs a positive whole number');

const dir = mkdtempSync(join(tmpdir(), 'cb-bench-startup-'));
const empty = join(dir, 'empty.log');
writeFileSync(empty, '');
const node = sh(process.execPath);
const cli = `${node} bin/collect-bundle.js`;
const lines: readonly { name: string; command: string }[] = [
  { name: 'node -e 0 (baseline)', command: `${node} -e 0` },
  { name: '--version', command: `${cli} --version` },
  { name: 'redact EMPTY-FILE', command: `${cli} redact --no-config ${sh(empty)}` },
  // Refused with exit 2 (not a regular file): the usage-error path, message redactor included.
  { name: 'redact /dev/null (exit 2)', command: `${cli} redact --no-config /dev/null 2>/dev/null; [ $? -eq 2 ]` },
  { name: 'verify --help', command: `${cli} verify --help` },
];

try {
  const samples = lines.map(() => [] as { ms: number; cpuMs: number }[]);
  for (let i = 0; i < runs; i++)
    lines.forEach((line, j) => {
      samples[j]!.push(timed(line.command));
    });
  const base = median(samples[0]!.map((s) => s.ms));
  console.log(`start-up, medians of ${runs} (ms)`);
  console.log(`${'command'.padEnd(28)}${'wall'.padStart(8)}${'cpu'.padStart(8)}${'wall-base'.padStart(11)}`);
  lines.forEach((line, j) => {
    const wall = median(samples[j]!.map((s) => s.ms));
    const cpu = median(samples[j]!.map((s) => s.cpuMs));
    console.log(`${line.name.padEnd(28)}${wall.toFixed(0).padStart(8)}${cpu.toFixed(0).padStart(8)}${(wall - base).toFixed(0).padStart(11)}`);
  });
  console.log('target: --version and redact EMPTY-FILE under 300 ms wall on an idle machine (issue #14)');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
