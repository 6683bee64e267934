/**
 * `collect-bundle schedule` end to end through the REAL built CLI: several runs with retention (and the
 * same redaction tag for the same secret in each bundle), two schedulers on one directory, a stale
 * lock, SIGTERM in the middle of a run, --prune-only, the disk check, and the printed systemd/cron
 * configuration run back through the CLI.
 */
import { spawnSync } from 'node:child_process';
import { chmod, copyFile, readFile, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { utcStamp } from '../../src/bundle/name.js';
import { main } from '../../src/cli/main.js';
import { fileJson, fileText, readBundle } from '../helpers/bundle.js';
import { assertBuilt, BIN, bundleNameRe, cleanup, cliEnv, describeRun, hungServer, listDir, runCli, startCli, tempDir, waitUntil } from './harness.js';

beforeAll(assertBuilt);
afterEach(cleanup);

const LOCK = '.collect-bundle.lock';
const isBundle = (f: string): boolean => bundleNameRe().test(f);

/** systemd's Exec= splitting for what our printer writes: bare words and "double quoted" with \-escapes; %% and $$ undone. */
function systemdSplit(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const m of line.matchAll(re)) {
    const raw = m[1] !== undefined ? m[1].replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c)) : m[2]!;
    out.push(raw.replace(/%%/g, '%').replace(/\$\$/g, '$'));
  }
  return out;
}

/** /bin/sh splitting for what our printer writes: bare words and 'single quoted' with '\'' inside; cron's \% undone. */
function shellSplit(command: string): string[][] {
  const commands: string[][] = [[]];
  const re = /'((?:[^']|'\\'')*)'|(;)|([^\s;]+)/g;
  for (const m of command.replace(/\\%/g, '%').matchAll(re)) {
    if (m[2]) commands.push([]);
    else commands.at(-1)!.push(m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[3]!);
  }
  return commands;
}

/** The variables of an environment file as our printers write it: `NAME='value'` lines ('\'' inside for sh). */
function envFileVars(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^(\w+)='((?:[^']|'\\'')*)'$/gm)) out[m[1]!] = m[2]!.replace(/'\\''/g, "'");
  return out;
}

describe('schedule runs and retention', () => {
  it('--every 1s --max-runs 4 --keep 2: two bundles with sidecars remain, foreign files survive, same secret same tag', async () => {
    const out = await tempDir('cb-sched-out-');
    const config = await tempDir('cb-sched-config-');
    const secret = 'SchedSecret-7f3a9c21e5';
    const literals = join(config, 'literals.txt');
    await writeFile(literals, `${secret}\n`);
    await writeFile(join(out, 'notes.txt'), 'keep me\n');
    const fake = 'collect-bundle-fake-20200101T000000Z-abcdef.tar.gz';
    await writeFile(join(out, fake), 'not a real bundle\n');

    const r = await runCli(
      [
        'schedule',
        '--every',
        '1s',
        '--max-runs',
        '4',
        '--keep',
        '2',
        '--only',
        'system',
        '-o',
        out,
        '--redact-literals-file',
        literals,
        '--description',
        `token ${secret} stops working`,
      ],
      { env: { XDG_CONFIG_HOME: config }, killAfterMs: 150_000 },
    );
    expect(r.code, describeRun(r)).toBe(0);
    const runLines = r.stderr.split('\n').filter((l) => / run \d\/4 /.test(l));
    expect(runLines, describeRun(r)).toHaveLength(4);
    expect(
      runLines.every((l) => / run \d\/4 complete \/\S+\.tar\.gz \(/.test(l)),
      describeRun(r),
    ).toBe(true);
    expect(r.stderr.match(/deleted collect-bundle-\S+ \(beyond --keep 2\)/g), describeRun(r)).toHaveLength(2);

    const files = await listDir(out);
    const bundles = files.filter(isBundle);
    expect(bundles, files.join('\n')).toHaveLength(2);
    expect(files.sort()).toEqual([fake, 'notes.txt', ...bundles, ...bundles.map((b) => `${b}.sha256`)].sort());
    expect(await readFile(join(out, 'notes.txt'), 'utf8')).toBe('keep me\n');
    // The two kept are the last two runs.
    const lastTwo = runLines.slice(-2).map((l) => /(collect-bundle-\S+\.tar\.gz)/.exec(l)![1]);
    expect(bundles.sort()).toEqual(lastTwo.sort());

    // Stable tags: the per-installation key (in XDG_CONFIG_HOME) gives the secret one tag in both bundles.
    const tags = [];
    for (const b of bundles) {
      const entries = await readBundle(join(out, b));
      const issue = fileText(entries, 'ISSUE.md');
      expect(issue).not.toContain(secret);
      const tag = /token (\[REDACTED:[^\]]+\]) stops working/.exec(issue)?.[1];
      expect(tag, issue).toBeDefined();
      tags.push(tag);
      expect(fileJson(entries, 'manifest.json').redaction).toBeDefined();
    }
    expect(tags[0]).toBe(tags[1]);
  }, 180_000);

  it('--prune-only applies --max-age and --max-total-size to real bundles and leaves the rest', async () => {
    const src = await tempDir('cb-sched-src-');
    const first = await runCli(['--only', 'system', '-o', src, '--quiet']);
    expect(first.code, describeRun(first)).toBe(0);
    const real = join(src, (await listDir(src)).find(isBundle)!);
    const out = await tempDir('cb-sched-prune-');
    const at = (hoursAgo: number, rand: string): string =>
      `collect-bundle-${hostname()
        .replace(/[^A-Za-z0-9.-]+/g, '-')
        .slice(0, 40)}-${utcStamp(new Date(Date.now() - hoursAgo * 3_600_000))}-${rand}.tar.gz`;
    const names = [at(1, 'aaaaa1'), at(30, 'aaaaa2'), at(50, 'aaaaa3'), at(70, 'aaaaa4')];
    for (const n of names) {
      await copyFile(real, join(out, n));
      await copyFile(`${real}.sha256`, join(out, `${n}.sha256`));
    }
    await writeFile(join(out, 'notes.txt'), 'x');

    const age = await runCli(['schedule', '--prune-only', '--max-age', '2d', '-o', out]);
    expect(age.code, describeRun(age)).toBe(0);
    expect(age.stderr).toMatch(new RegExp(`deleted ${names[3]!.replace(/[.]/g, '\\.')} \\(.*older than --max-age\\)`));
    expect((await listDir(out)).filter(isBundle).sort()).toEqual(names.slice(0, 2).sort());

    const size = await runCli(['schedule', '--prune-only', '--max-total-size', '1', '-o', out]);
    expect(size.code, describeRun(size)).toBe(0);
    expect(await listDir(out)).toEqual([names[0]!, `${names[0]}.sha256`, 'notes.txt'].sort());
    expect(size.stderr).toContain('1 bundle deleted, 1 kept');

    const none = await runCli(['schedule', '--prune-only', '-o', out]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--prune-only needs --keep, --max-age or --max-total-size');
  }, 90_000);

  it('skips a run the disk cannot take (--min-free beyond the disk) and still exits 0 after --max-runs', async () => {
    const out = await tempDir('cb-sched-full-');
    const r = await runCli(['schedule', '--every', '1s', '--max-runs', '1', '--only', 'system', '--min-free', '1000000TiB', '-o', out]);
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stderr).toMatch(/run 1\/1 skipped: not enough free disk in .* free, the run needs about .* and --min-free keeps .*; free some space/);
    expect(await listDir(out)).toEqual([]);
  }, 60_000);
});

describe('the output-directory lock', () => {
  it('a second scheduler refuses (exit 2, one line naming the pid); SIGTERM mid-run stops the first cleanly', async () => {
    const server = await hungServer();
    const out = await tempDir('cb-sched-lock-');
    // The docker collector hangs on an engine that never answers: the run is in progress until stopped.
    const first = startCli(['schedule', '--every', '1h', '--only', 'docker', '--docker-host', server.url, '--timeout', '120', '-o', out], {
      killAfterMs: 90_000,
    });
    await waitUntil(() => server.accepted() > 0 || first.child.exitCode !== null, 30_000, 'the first run to reach the engine');
    expect(first.child.exitCode, first.stderr()).toBeNull();
    const lock = JSON.parse(await readFile(join(out, LOCK), 'utf8'));
    expect(lock).toMatchObject({ pid: first.child.pid, host: hostname() });

    const second = await runCli(['schedule', '--every', '1h', '--only', 'system', '-o', out]);
    expect(second.code, describeRun(second)).toBe(2);
    expect(second.stderr).toContain(`is in use by collect-bundle pid ${first.child.pid}`);
    expect(second.stderr).toMatch(/stop it first \(kill \d+\) or use another --output-dir/);
    expect(second.stderr.split('\n')[0]).toMatch(/^collect-bundle: .* in use by .*--output-dir$/);

    first.child.kill('SIGTERM');
    const r = await first.result;
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stderr).toMatch(/stopped after 0 runs; lock released/);
    const left = await listDir(out);
    expect(
      left.filter((f) => f.endsWith('.partial') || f.endsWith('.spool') || f === LOCK),
      left.join('\n'),
    ).toEqual([]);
    expect(left).toEqual([]);
  }, 120_000);

  it('takes over a stale lock (dead pid, this host) with a warning', async () => {
    const out = await tempDir('cb-sched-stale-');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const pid = Number(dead.stdout);
    await writeFile(join(out, LOCK), JSON.stringify({ pid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z', token: 'gone' }));
    const r = await runCli(['schedule', '--every', '1s', '--max-runs', '1', '--only', 'system', '-o', out]);
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stderr).toContain(`warning: took over the stale lock of pid ${pid}`);
    const left = await listDir(out);
    expect(left.filter(isBundle)).toHaveLength(1);
    expect(left).not.toContain(LOCK);
  }, 60_000);
});

describe('usage errors', () => {
  it.each([
    [['schedule', '--only', 'system'], /schedule needs --every DURATION .* or --cron "EXPR"/],
    [['schedule', '--every', '1m', '--cron', '* * * * *'], /--every and --cron exclude each other/],
    [['schedule', '--every', 'soon'], /--every: "soon" is not a duration/],
    [['schedule', '--cron', '99 * * * *'], /--cron "99 \* \* \* \*" is not a cron expression/],
    [['schedule', '--cron', '0 3 * * *', '--timezone', 'Mars/Olympus'], /"Mars\/Olympus" is not a known time zone/],
    [['schedule', '--every', '1m', '--keep', '0'], /--keep must be a whole number of at least 1/],
    [['schedule', '--every', '7m', '--print-cron'], /--every 7m cannot be written as a crontab line.*--cron/],
    [['schedule', '--every', '1m', '--job', '42'], /^collect-bundle: --job makes a one-off bundle; use collect --job$/],
    [['schedule', '--cron', '99 * * * *', '--print-cron'], /--cron "99 \* \* \* \*" is not a cron expression/],
    [['schedule', '--cron', '0 0 30 2 *', '--print-systemd'], /never fires/],
    [['schedule', '--cron', '0 3 * * 5#2', '--print-cron'], /L, W, # or \? .*--print-systemd/],
  ])('%j → exit 2 with one line', async (args, message) => {
    // In-process through the CLI's own main(): the same parsing and exit codes, without a process start per case.
    const out = await tempDir('cb-sched-usage-');
    let stderr = '';
    const sink = (write: (s: string) => void) =>
      new Writable({
        write: (c, _e, cb) => {
          write(String(c));
          cb();
        },
      });
    const code = await main([...args, '-o', out], {
      stdout: sink(() => undefined),
      stderr: sink((s) => (stderr += s)),
      env: {},
      signal: new AbortController().signal,
    });
    expect(code, stderr).toBe(2);
    expect(stderr.split('\n')[0]).toMatch(message);
    expect(await listDir(out)).toEqual([]);
  });
});

describe('--print-systemd and --print-cron', () => {
  it('print a unit/timer pair whose ExecStart runs the same collection, and a crontab line with the same argv', async () => {
    const out = await tempDir('cb-sched-print-');
    const args = [
      'schedule',
      '--cron',
      '30 2 * * *',
      '--timezone',
      'Europe/Berlin',
      '--keep',
      '3',
      '--only',
      'system',
      '--label',
      'night',
      '--title',
      "50% of jobs 'stuck'",
      '-o',
      out,
    ];
    const sd = await runCli([...args, '--print-systemd']);
    expect(sd.code, describeRun(sd)).toBe(0);
    expect(await listDir(out)).toEqual([]); // nothing ran
    const text = sd.stdout;
    expect(text).toContain('OnCalendar=*-*-* 02:30:00 Europe/Berlin');
    expect(text).toContain('Persistent=true');
    expect(text).toMatch(/times in Europe\/Berlin/);
    const exec = systemdSplit(/^ExecStart=(.*)$/m.exec(text)![1]!);
    expect(exec.slice(0, 3)).toEqual([process.execPath, '--', BIN]);
    // No config file was found where it was printed: --no-config, so the service does not pick one up later.
    expect(exec.slice(3)).toEqual(['collect', '--output-dir', out, '--only', 'system', '--label', 'night', '--title', "50% of jobs 'stuck'", '--no-config']);
    const post = systemdSplit(/^ExecStartPost=(.*)$/m.exec(text)![1]!);
    expect(post.slice(3)).toEqual(['schedule', '--prune-only', '--output-dir', out, '--keep', '3', '--no-config']);

    // Round trip: the printed command line, run as it stands, makes the bundle the options describe.
    const run = spawnSync(exec[0]!, exec.slice(1), { encoding: 'utf8', timeout: 90_000 });
    expect(run.status, run.stderr).toBe(0);
    const [made] = (await listDir(out)).filter((f) => bundleNameRe('night').test(f));
    expect(made).toBeDefined();
    const entries = await readBundle(join(out, made!));
    expect(fileJson(entries, 'manifest.json').options).toMatchObject({ only: ['system'], label: 'night', outputDir: out });
    expect(fileText(entries, 'ISSUE.md')).toContain("50% of jobs 'stuck'");

    const cron = await runCli([...args, '--print-cron']);
    expect(cron.code, describeRun(cron)).toBe(0);
    const line = cron.stdout.split('\n').find((l) => l && !l.startsWith('#') && !l.startsWith('CRON_TZ='))!;
    expect(line.split(/\s+/).slice(0, 5)).toEqual(['30', '2', '*', '*', '*']);
    expect(line).toMatch(/^(\S+\s+){5}cd \S+ && /);
    const [collect, prune] = shellSplit(line.replace(/^(\S+\s+){5}cd \S+ && /, ''));
    expect(collect).toEqual(exec);
    expect(prune).toEqual(post);
    expect(line).toContain('50\\% of jobs'); // cron reads a bare % as a newline
  }, 120_000);

  it('relative paths, a config file and COLLECT_BUNDLE_* variables: the printed service and crontab line work from / too', async () => {
    const work = await tempDir('cb-sched-rel-');
    const keys = await tempDir('cb-sched-rel-keys-');
    const secret = 'RelSecret-93b1c7d2e4';
    await writeFile(join(work, 'lit.txt'), `${secret}\n`);
    await writeFile(join(work, 'collect-bundle.config.json'), JSON.stringify({ label: 'fromconfig' }));
    const env = { XDG_CONFIG_HOME: keys, COLLECT_BUNDLE_TITLE: 'title from env', COLLECT_BUNDLE_API_TOKEN: 'tok-never-printed' };
    const args = [
      'schedule',
      '--every',
      '1h',
      '--keep',
      '2',
      '--only',
      'system',
      '-o',
      'out',
      '--redact-literals-file',
      'lit.txt',
      '--description',
      `token ${secret} here`,
    ];
    const sd = await runCli([...args, '--print-systemd'], { cwd: work, env });
    expect(sd.code, describeRun(sd)).toBe(0);
    expect(sd.stdout).toContain(`\nWorkingDirectory=${work}\n`);
    expect(sd.stdout).toContain('Environment="COLLECT_BUNDLE_TITLE=title from env"');
    expect(sd.stdout).not.toContain('tok-never-printed');
    expect(sd.stdout).not.toContain(secret); // a known literal in --description: secret by content
    // The secrets go to an environment file of mode 0600 that the unit names, the argument as a reference to it.
    const envFile = join(work, 'out', 'collect-bundle.env');
    expect(sd.stdout).toContain(`\nEnvironmentFile=${envFile}\n`);
    expect((await stat(envFile)).mode & 0o777).toBe(0o600);
    const fileVars = envFileVars(await readFile(envFile, 'utf8'));
    expect(fileVars).toMatchObject({ COLLECT_BUNDLE_API_TOKEN: 'tok-never-printed', CB_SECRET_ARG_1: `token ${secret} here` });
    // systemd replaces `${NAME}` by the variable's value as one argument.
    const exec = systemdSplit(/^ExecStart=(.*)$/m.exec(sd.stdout)![1]!).map((a) => a.replace(/^\$\{(\w+)\}$/, (_s, n: string) => fileVars[n]!));
    expect(exec).toContain(`token ${secret} here`);
    expect(exec).toContain(join(work, 'lit.txt'));
    expect(exec.slice(-2)).toEqual(['--config', join(work, 'collect-bundle.config.json')]);
    // What systemd would pass: its Environment= lines, nothing of ours; and from /, not from `work`.
    const unitEnv = Object.fromEntries([...sd.stdout.matchAll(/^Environment=(.*)$/gm)].map((m) => systemdSplit(m[1]!)[0]!.split(/=(.*)/s).slice(0, 2)));
    const clean = cliEnv(Object.fromEntries(Object.keys(env).map((k) => [k, undefined])));
    const run = spawnSync(exec[0]!, exec.slice(1), { cwd: '/', env: { ...clean, ...unitEnv, ...fileVars }, encoding: 'utf8', timeout: 90_000 });
    expect(run.status, run.stderr).toBe(0);
    const made = (await listDir(join(work, 'out'))).filter((f) => bundleNameRe('fromconfig').test(f));
    expect(made).toHaveLength(1);
    const issue = fileText(await readBundle(join(work, 'out', made[0]!)), 'ISSUE.md');
    expect(issue).toContain('title from env');
    expect(issue).not.toContain(secret);
    const post = systemdSplit(/^ExecStartPost=(.*)$/m.exec(sd.stdout)![1]!);
    expect(spawnSync(post[0]!, post.slice(1), { cwd: '/', env: { ...clean, ...unitEnv, ...fileVars }, encoding: 'utf8', timeout: 60_000 }).status).toBe(0);

    const cron = await runCli([...args, '--print-cron'], { cwd: work, env });
    expect(cron.code, describeRun(cron)).toBe(0);
    expect(cron.stdout).not.toContain('tok-never-printed');
    expect(cron.stdout).not.toContain(secret);
    expect((await stat(join(work, 'out', 'collect-bundle.cron.env'))).mode & 0o777).toBe(0o600);
    const line = cron.stdout.split('\n').find((l) => l && !l.startsWith('#') && !l.startsWith('CRON_TZ='))!;
    expect(line.split(/\s+/).slice(0, 5)).toEqual(['0', '*', '*', '*', '*']);
    // As cron runs it: /bin/sh -c with the line's command, from the home directory (here /), without our variables.
    const sh = spawnSync('/bin/sh', ['-c', line.replace(/^(\S+\s+){5}/, '').replace(/\\%/g, '%')], {
      cwd: '/',
      env: clean,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(sh.status, sh.stderr).toBe(0);
    expect((await listDir(join(work, 'out'))).filter((f) => bundleNameRe('fromconfig').test(f))).toHaveLength(2);
  }, 240_000);

  it('a secret by content is never inline: DOCKER_HOST with a password and COLLECT_BUNDLE_DESCRIPTION=password=… go to a 0600 file', async () => {
    const out = await tempDir('cb-sched-secret-');
    const env = {
      DOCKER_HOST: 'tcp://admin:Pw9xQ2mK7z@engine:2376',
      COLLECT_BUNDLE_DESCRIPTION: 'password=hunter2hunter2',
      COLLECT_BUNDLE_TITLE: 'plain title',
    };
    const token = `ghp_${'Q7w8E9r0T1'.repeat(3)}yUiOpA`;
    for (const [flag, file] of [
      ['--print-systemd', 'collect-bundle.env'],
      ['--print-cron', 'collect-bundle.cron.env'],
    ] as const) {
      // A file already there with a looser mode is tightened before the secrets are written.
      await writeFile(join(out, file), 'old\n');
      await chmod(join(out, file), 0o644);
      const r = await runCli(
        ['schedule', '--every', '1h', '--no-config', '--only', 'system', '-o', out, '--label', 'nightly', '--title', `see ${token}`, flag],
        { env },
      );
      expect(r.code, describeRun(r)).toBe(0);
      for (const secret of ['Pw9xQ2mK7z', 'hunter2hunter2', token]) {
        expect(r.stdout).not.toContain(secret);
        expect(r.stderr).not.toContain(secret);
      }
      expect(r.stdout).toContain('plain title'); // what is not secret stays inline
      expect(r.stderr).toContain(`to ${join(out, file)} (mode 0600)`);
      expect((await stat(join(out, file))).mode & 0o777).toBe(0o600);
      const vars = envFileVars(await readFile(join(out, file), 'utf8'));
      expect(vars).toEqual({ DOCKER_HOST: env.DOCKER_HOST, COLLECT_BUNDLE_DESCRIPTION: env.COLLECT_BUNDLE_DESCRIPTION, CB_SECRET_ARG_1: `see ${token}` });
      if (flag === '--print-systemd') {
        expect(r.stdout).toContain(`EnvironmentFile=${join(out, file)}`);
        expect(r.stdout).toMatch(/^ExecStart=.* --title \$\{CB_SECRET_ARG_1\} /m);
      } else {
        const line = r.stdout.split('\n').find((l) => l && !l.startsWith('#'))!;
        // As cron runs it, the sourced file gives the command its secret argument and variables.
        const probe = line
          .replace(/^(\S+\s+){5}/, '')
          .replace(/&& set \+a && .*$/, '&& set +a && printf "%s|%s|%s" "$CB_SECRET_ARG_1" "$DOCKER_HOST" "$COLLECT_BUNDLE_DESCRIPTION"');
        const sh = spawnSync('/bin/sh', ['-c', probe], { cwd: '/', env: { PATH: process.env['PATH'] }, encoding: 'utf8' });
        expect(sh.stdout, `${probe}\n${sh.stderr}`).toBe(`see ${token}|${env.DOCKER_HOST}|${env.COLLECT_BUNDLE_DESCRIPTION}`);
      }
    }
  }, 60_000);
});
