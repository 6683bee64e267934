/**
 * Timing helpers shared by the benchmarks: the CPU and wall time of a shell command line (bash's
 * `time`, so the command's own children count), medians, and shell quoting.
 */
import { spawnSync } from 'node:child_process';
import { repoRoot } from './corpus.js';

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Wall and CPU (user+sys, from bash's `time`) milliseconds of a shell command line, run in the repository. */
export function timed(command: string): { ms: number; cpuMs: number } {
  const t = performance.now();
  const r = spawnSync('bash', ['-c', `TIMEFORMAT='%U %S'; time ( ${command} ) 2>&1 >/dev/null`], { encoding: 'utf8', cwd: repoRoot });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`\`${command}\` failed (exit ${r.status}): ${r.stderr}`);
  // bash prints the timing after the command's own stderr (which goes along with it, for errors).
  const line =
    `${r.stdout}\n${r.stderr}`
      .split('\n')
      .filter((l) => /^\d+\.\d+ \d+\.\d+$/.test(l))
      .pop() ?? '';
  const [user = Number.NaN, sys = Number.NaN] = line.split(' ').map(Number);
  return { ms, cpuMs: (user + sys) * 1000 };
}

/** A string as one shell word. */
export const sh = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
