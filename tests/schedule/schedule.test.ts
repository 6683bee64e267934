/**
 * The scheduling loop as a library: timetables (croner, time zones) from a fixed "now", the
 * systemd/cron translations, and real short schedules with a tiny collector (disk-check skip, stop on
 * the signal, retention after each run, the lock).
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineCollector, text } from '../../src/core/artifacts.js';
import { utcStamp } from '../../src/bundle/name.js';
import { collectBundle } from '../../src/run/collect.js';
import { CliError } from '../../src/core/errors.js';
import { LOCK_FILE } from '../../src/schedule/lock.js';
import { formatTime, schedule, timetable } from '../../src/schedule/schedule.js';
import { collectArgsFrom, cronExpression, systemdCalendar, systemdQuote } from '../../src/schedule/system-scheduler.js';

describe('timetable', () => {
  it("cron in a time zone: the next run is the zone's wall-clock time, across a DST change", () => {
    const t = timetable({ cron: '0 3 * * *' }, 'America/New_York');
    expect(t.description).toBe('cron "0 3 * * *" (America/New_York)');
    // Before the switch to daylight time (EST, UTC-5) and on the day of it (EDT, UTC-4).
    expect(t.next(new Date('2026-03-07T12:00:00Z')).toISOString()).toBe('2026-03-08T07:00:00.000Z');
    expect(t.next(new Date('2026-03-08T12:00:00Z')).toISOString()).toBe('2026-03-09T07:00:00.000Z');
    expect(formatTime(new Date('2026-03-09T07:00:00Z'), 'America/New_York')).toBe('2026-03-09T03:00:00-04:00');
  });

  it('cron steps, weekdays and a zone east of UTC', () => {
    const t = timetable({ cron: '*/15 9-17 * * MON-FRI' }, 'Europe/Berlin');
    // Friday 2026-11-27 17:50 Berlin (UTC+1) → Monday 09:00 Berlin.
    expect(t.next(new Date('2026-11-27T16:50:00Z')).toISOString()).toBe('2026-11-30T08:00:00.000Z');
    expect(t.next(new Date('2026-11-30T08:00:00Z')).toISOString()).toBe('2026-11-30T08:15:00.000Z');
    expect(formatTime(new Date('2026-11-30T08:00:00Z'), 'Europe/Berlin')).toBe('2026-11-30T09:00:00+01:00');
    expect(formatTime(new Date('2026-11-30T08:00:00Z'), 'UTC')).toBe('2026-11-30T08:00:00+00:00');
  });

  it('every: the next run is one interval after the previous planned start', () => {
    const t = timetable({ every: 15 * 60_000 });
    expect(t.description).toBe('every 15m');
    expect(t.next(new Date('2026-01-01T00:00:00Z')).toISOString()).toBe('2026-01-01T00:15:00.000Z');
  });

  it('explains a bad or impossible cron expression in one line', () => {
    expect(() => timetable({ cron: '61 * * * *' }, 'UTC')).toThrow(/--cron "61 \* \* \* \*" is not a cron expression .*minute.*e\.g\. "\*\/15 \* \* \* \*"/);
    expect(() => timetable({ cron: '0 0 30 2 *' }, 'UTC')).toThrow(/never fires/);
  });
});

describe('system scheduler translations', () => {
  it('--every as OnCalendar and crontab', () => {
    expect(systemdCalendar({ every: 15 * 60_000 }, 'UTC')).toEqual({ calendar: ['*-*-* *:00/15:00 UTC'] });
    expect(systemdCalendar({ every: 30_000 }, 'UTC')).toEqual({ calendar: ['*-*-* *:*:00/30 UTC'] });
    expect(systemdCalendar({ every: 6 * 3_600_000 }, 'UTC')).toEqual({ calendar: ['*-*-* 00/6:00:00 UTC'] });
    expect(systemdCalendar({ every: 7 * 60_000 }, 'UTC')).toEqual({ intervalSec: 420 });
    expect(cronExpression({ every: 15 * 60_000 })).toBe('*/15 * * * *');
    expect(cronExpression({ every: 3_600_000 })).toBe('0 * * * *');
    expect(cronExpression({ every: 86_400_000 })).toBe('0 0 * * *');
    expect(() => cronExpression({ every: 7 * 60_000 })).toThrow(/--every 7m cannot be written as a crontab line.*--cron/);
    expect(() => cronExpression({ every: 30_000 })).toThrow(/--every 30s cannot/);
  });

  it("--cron as OnCalendar, with cron's day-of-month OR weekday as two lines", () => {
    expect(systemdCalendar({ cron: '0 3 * * *' }, 'Europe/Berlin')).toEqual({ calendar: ['*-*-* 03:00:00 Europe/Berlin'] });
    expect(systemdCalendar({ cron: '30 2 1,15 * MON-FRI' }, 'UTC')).toEqual({
      calendar: ['Mon,Tue,Wed,Thu,Fri *-*-* 02:30:00 UTC', '*-*-01,15 02:30:00 UTC'],
    });
    expect(() => systemdCalendar({ cron: '0 0 L * *' }, 'UTC')).toThrow(/L, W or #/);
    // Both fields given (not *): cron and croner run when EITHER matches, so 0-6 makes it daily.
    expect(systemdCalendar({ cron: '0 3 1 * 0-6' }, 'UTC')).toEqual({ calendar: ['Sun,Mon,Tue,Wed,Thu,Fri,Sat *-*-* 03:00:00 UTC', '*-*-01 03:00:00 UTC'] });
    const daily = timetable({ cron: '0 3 1 * 0-6' }, 'UTC');
    expect(daily.next(new Date('2026-06-10T00:00:00Z')).toISOString()).toBe('2026-06-10T03:00:00.000Z');
    // cron daemons know no L, W, # or ?; an invalid expression is refused before anything is printed.
    for (const expr of ['0 0 L * *', '0 0 15W * *', '0 3 * * 5#2', '0 3 * * FRI#2', '0 3 ? * *', '0 3 * * 5L']) {
      expect(() => cronExpression({ cron: expr }), expr).toThrow(/L, W, # or \?.*--print-systemd/);
    }
    expect(cronExpression({ cron: '0 3 * JUL WED' })).toBe('0 3 * JUL WED');
    expect(cronExpression({ cron: '@daily' })).toBe('@daily');
    expect(() => cronExpression({ cron: '99 * * * *' })).toThrow(/is not a cron expression/);
    expect(cronExpression({ cron: '0 3 * * *' })).toBe('0 3 * * *');
    expect(() => cronExpression({ cron: '*/10 * * * * *' })).toThrow(/seconds or year field/);
  });

  it('drops the schedule options and makes -o absolute, keeping the rest as typed', () => {
    const args = [
      'schedule',
      '--every',
      '15m',
      '-o',
      'out',
      '--keep=3',
      '--no-run-now',
      '--print-systemd',
      '--label',
      'nightly run',
      '--only',
      'system',
      '--max-age',
      '7d',
    ];
    expect(collectArgsFrom(args, '/abs/out')).toEqual(['collect', '--output-dir', '/abs/out', '--label', 'nightly run', '--only', 'system']);
    expect(collectArgsFrom(['schedule', '--cron=0 3 * * *', '--output-dir=x', '-q'], '/o')).toEqual(['collect', '--output-dir', '/o', '-q']);
    // Path options absolute (each value of a repeatable one), the config actually loaded at the end.
    expect(
      collectArgsFrom(
        ['schedule', '--env-file', 'a.env', '--env-file', 'b.env', '--tlscacert=certs/ca.pem', '--django-dir', '/srv/app', '--config', 'c.json', '-q'],
        '/o',
        {
          cwd: '/w',
          config: '/w/c.json',
        },
      ),
    ).toEqual([
      'collect',
      '--output-dir',
      '/o',
      '--env-file',
      '/w/a.env',
      '--env-file',
      '/w/b.env',
      '--tlscacert=/w/certs/ca.pem',
      '--django-dir',
      '/srv/app',
      '-q',
      '--config',
      '/w/c.json',
    ]);
    expect(collectArgsFrom(['schedule', '--no-config', '--redact-literals-file', 'l.txt'], '/o', { cwd: '/w', config: null })).toEqual([
      'collect',
      '--output-dir',
      '/o',
      '--redact-literals-file',
      '/w/l.txt',
      '--no-config',
    ]);
    expect(systemdQuote('/usr/bin/node')).toBe('/usr/bin/node');
    expect(systemdQuote('50% of $HOME "x"')).toBe('"50%% of $$HOME \\"x\\""');
  });
});

describe('schedule() with a real collection', () => {
  let root: string;
  const tiny = defineCollector({
    name: 'tiny',
    description: 'one small text file for schedule tests',
    defaultEnabled: false,
    defaults: {},
    async *collect() {
      yield text('hello.txt', 'hello\n');
    },
  });
  const collect = (dir: string) => ({ outputDir: dir, collectors: [tiny], only: ['tiny'], redaction: { ephemeralKey: true }, env: {} });
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cb-schedule-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('runs, prunes after each run, logs one line per run and releases the lock', async () => {
    const dir = join(root, 'runs');
    const lines: string[] = [];
    const result = await schedule({
      collect: collect(dir),
      trigger: { every: 1000 },
      maxRuns: 3,
      retention: { keep: 1 },
      timezone: 'UTC',
      log: (l) => lines.push(l),
    });
    expect(result.stoppedBy).toBe('max-runs');
    expect(result.runs.map((r) => r.status)).toEqual(['complete', 'complete', 'complete']);
    expect(result.runs[2]!.deleted, lines.join('\n')).toHaveLength(1);
    const files = (await readdir(dir)).sort();
    const last = result.runs[2]!.bundle!;
    expect(files).toEqual([last.split('/').pop(), `${last.split('/').pop()}.sha256`]);
    expect(lines[0]).toMatch(
      /^collect-bundle schedule: every 1s, times in UTC; output .*; keep 1; at most 3 runs; lock .*\.collect-bundle\.lock \(pid \d+\); first run now$/,
    );
    const runLines = lines.filter((l) => / run \d\/3 /.test(l));
    expect(runLines).toHaveLength(3);
    expect(runLines[0]).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00 run 1\/3 complete \/.*\.tar\.gz \(.*\) in \d+\.\ds; findings \d+ error, \d+ warning, \d+ info; next \d{4}-/,
    );
    expect(runLines[2]).toMatch(/deleted collect-bundle-.* \(beyond --keep 1\); that was the last run \(--max-runs\)$/);
  }, 60_000);

  it('a relative output dir and a bundle stamped in the future: --keep 1 keeps the bundle just written', async () => {
    // A real bundle copied under a name one day ahead, as a host with a fast clock (or before a clock step back) would leave it.
    const src = await collectBundle({ ...collect(join(root, 'future-src')) });
    const dir = join(root, 'future');
    await mkdir(dir);
    const future = `collect-bundle-fasthost-${utcStamp(new Date(Date.now() + 86_400_000))}-ffffff.tar.gz`;
    await copyFile(src.bundle, join(dir, future));
    await copyFile(`${src.bundle}.sha256`, join(dir, `${future}.sha256`));
    const lines: string[] = [];
    const rel = relative(process.cwd(), dir);
    expect(rel.startsWith('/')).toBe(false);
    const result = await schedule({
      collect: collect(rel),
      trigger: { every: 1000 },
      maxRuns: 1,
      retention: { keep: 1 },
      timezone: 'UTC',
      log: (l) => lines.push(l),
    });
    const made = result.runs[0]!.bundle!;
    expect((await readdir(dir)).sort(), lines.join('\n')).toEqual([basename(made), `${basename(made)}.sha256`]);
    expect(made.startsWith('/'), made).toBe(true); // the run reports where the bundle really is
    expect(result.runs[0]!.deleted.map((d) => d.name)).toEqual([future]);
    expect(lines.join('\n')).toMatch(new RegExp(`warning: ${future.replace(/\./g, '\\.')} is stamped .* in the future`));
  }, 60_000);

  it('logs the findings of each run, and with failOn marks the runs that have findings at that level', async () => {
    const dir = join(root, 'findings');
    await mkdir(dir);
    // A real .env with a key defined twice: the env-file analyzer reports a warning.
    const envFile = join(root, 'dup.env');
    await writeFile(envFile, 'APP_MODE=a\nAPP_MODE=b\n');
    const lines: string[] = [];
    const result = await schedule({
      collect: { ...collect(dir), envFiles: [envFile] },
      trigger: { every: 1000 },
      maxRuns: 1,
      failOn: 'warning',
      timezone: 'UTC',
      log: (l) => lines.push(l),
    });
    const run = result.runs[0]!;
    expect(run.findings?.warning, lines.join('\n')).toBeGreaterThanOrEqual(1);
    const line = lines.find((l) => / run 1\/1 /.test(l))!;
    expect(line).toContain(
      `; findings ${run.findings!.error} error, ${run.findings!.warning} warning, ${run.findings!.info} info (findings at --fail-on level)`,
    );
    // The same run without failOn: counted, not marked; with failOn error: a warning does not reach it.
    for (const failOn of [undefined, 'error'] as const) {
      const more: string[] = [];
      await schedule({
        collect: { ...collect(dir), envFiles: [envFile] },
        trigger: { every: 1000 },
        maxRuns: 1,
        ...(failOn ? { failOn } : {}),
        timezone: 'UTC',
        log: (l) => more.push(l),
      });
      const l = more.find((x) => / run 1\/1 /.test(x))!;
      expect(l).toMatch(/; findings \d+ error, [1-9]\d* warning, \d+ info/);
      expect(l).not.toContain('--fail-on level');
    }
  }, 60_000);

  it('skips a run that would not fit on the disk, and keeps scheduling', async () => {
    const dir = join(root, 'full');
    const lines: string[] = [];
    // The output's real file system cannot hold an exabyte: every run is skipped.
    const result = await schedule({ collect: collect(dir), trigger: { every: 1000 }, maxRuns: 2, estimateBytes: 2 ** 60, log: (l) => lines.push(l) });
    expect(result.runs.map((r) => r.status)).toEqual(['skipped', 'skipped']);
    expect(result.runs[0]!.reason).toMatch(/not enough free disk in .*: .* free, the run needs about .*; free some space/);
    expect(lines.filter((l) => / run \d\/2 skipped: not enough free disk/.test(l))).toHaveLength(2);
    expect((await readdir(dir)).filter((f) => f !== LOCK_FILE)).toEqual([]);
  }, 60_000);

  it('stops on the signal while waiting, and releases the lock', async () => {
    const dir = join(root, 'stop');
    const ac = new AbortController();
    const lines: string[] = [];
    const running = schedule({ collect: collect(dir), trigger: { cron: '0 0 1 1 *' }, signal: ac.signal, log: (l) => lines.push(l) });
    // The lock appears once the schedule has started; then stop it.
    for (let i = 0; i < 200 && !(await readdir(dir).catch(() => [])).includes(LOCK_FILE); i++) await new Promise((r) => setTimeout(r, 25));
    ac.abort();
    const result = await running;
    expect(result).toEqual({ runs: [], stoppedBy: 'signal' });
    expect(lines[0]).toMatch(/cron "0 0 1 1 \*" \(.*\).*first run \d{4}-01-01T00:00:00/);
    expect(lines.at(-1)).toMatch(/stopped after 0 runs; lock released/);
    expect(await readdir(dir)).toEqual([]);
  }, 30_000);

  it('refuses a second schedule on the same directory, and bad options before taking the lock', async () => {
    const dir = join(root, 'twice');
    const ac = new AbortController();
    const first = schedule({ collect: collect(dir), trigger: { cron: '0 0 1 1 *' }, signal: ac.signal });
    for (let i = 0; i < 200 && !(await readdir(dir).catch(() => [])).includes(LOCK_FILE); i++) await new Promise((r) => setTimeout(r, 25));
    const err = await schedule({ collect: collect(dir), trigger: { every: 1000 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(2);
    expect((err as CliError).message).toContain(`pid ${process.pid}`);
    ac.abort();
    await first;
    // Another live process of this boot (not this one) holds it: refused too, naming that pid.
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const bootId = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
      await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: other.pid, host: hostname(), startedAt: new Date().toISOString(), token: 'other', bootId }));
      const held = await schedule({ collect: collect(dir), trigger: { every: 1000 } }).catch((e: unknown) => e);
      expect(held).toBeInstanceOf(CliError);
      expect((held as CliError).message).toContain(`in use by collect-bundle pid ${other.pid}`);
    } finally {
      other.kill('SIGKILL');
      await rm(join(dir, LOCK_FILE), { force: true });
    }
    await expect(schedule({ collect: { ...collect(dir), only: ['nope'] }, trigger: { every: 1000 } })).rejects.toThrow(/unknown collector "nope"/);
    await expect(schedule({ collect: collect(dir), trigger: { every: 1000 }, timezone: 'Mars/Olympus' })).rejects.toThrow(/not a known time zone/);
    await writeFile(join(root, 'marker'), '');
  }, 30_000);
});
