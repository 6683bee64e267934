/**
 * Container findings on the real engine, written from the spec (issue #13) without reading the analyzers:
 * containers that must not alarm (intended stops, a --rm job exiting 0, a passing health check) and ones
 * that must be reported as errors with their evidence (a traceback, an OOM kill, a bare SIGKILL, a failing
 * probe, a container-manager job named by its labels). One `collect --only docker` for the whole group.
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { fileText } from '../helpers/bundle.js';
import { DOCKER_HOST, docker, dockerUnavailable, removeContainers, TEST_IMAGE, runOomKilled, uniq, waitFor } from '../helpers/docker.js';
import { about, alarms, type Collected, collect, show, textOf } from './collect.js';
import { scenario } from './scenario.js';

const P = uniq('fbo');
const n = (s: string): string => `${P}-${s}`;
const run = (name: string, ...args: string[]): Promise<string> => docker('run', '-d', '--network', 'none', '--name', n(name), ...args);
/** A process that keeps running; `sleep` as PID 1 ignores SIGTERM, so `docker stop -t 1` ends it with SIGKILL (137). */
const LONG = ['sleep', '600'];

const TRACEBACK = [
  'Traceback (most recent call last):',
  '  File "/app/manage.py", line 22, in <module>',
  '    main()',
  '  File "/app/reports/tasks.py", line 88, in build_report',
  '    rows = fetch_rows(account_id)',
  '  File "/app/reports/db.py", line 41, in fetch_rows',
  '    raise KeyError(f"account {account_id} has no ledger")',
  "KeyError: 'account 7731 has no ledger'",
];
/** A 150-frame RecursionError: 302 lines of traceback that ISSUE.md must cap, not paste whole. */
const RECURSION = [
  'echo "Traceback (most recent call last):" >&2',
  'i=0; while [ $i -lt 150 ]; do echo "  File \\"/app/tree.py\\", line 12, in walk" >&2; echo "    return walk(node.parent)" >&2; i=$((i+1)); done',
  'echo "RecursionError: maximum recursion depth exceeded while calling a Python object" >&2',
  'exit 1',
].join('; ');
const PROBE_OUTPUT = 'GET /healthz -> 503 Service Unavailable: database pool exhausted';

let c: Collected;

/** Waits until the restart policy has started a container again after it exited. */
async function waitRestarted(name: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [count, running] = (await docker('inspect', '--format', '{{.RestartCount}} {{.State.Running}}', name)).split(' ');
    if (Number(count) >= 1 && running === 'true') return;
    if (Date.now() > until) throw new Error(`${name} was not restarted by its policy (restarts ${count}, running ${running})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(dockerUnavailable)('findings of containers (outside scenarios, one collect)', () => {
  beforeAll(async () => {
    const printf = (lines: string[]): string => lines.map((l) => `echo '${l.replaceAll("'", "'\\''")}' >&2`).join('; ');
    await Promise.all([
      // must not alarm
      run('stopped-healthy', '--health-cmd', 'echo ok', '--health-interval', '1s', TEST_IMAGE, ...LONG),
      run('health-starting', '--health-cmd', 'echo ok', '--health-interval', '60s', '--health-start-period', '120s', TEST_IMAGE, ...LONG),
      run('running-healthy', '--health-cmd', 'echo ok', '--health-interval', '1s', TEST_IMAGE, ...LONG),
      run('policy-restarted', '--restart', 'always', TEST_IMAGE, ...LONG),
      run('graceful-worker', '--restart', 'always', TEST_IMAGE, 'sh', '-c', 'trap "echo draining; exit 0" TERM; echo up; while :; do sleep 1; done'),
      run(
        'compose-web-1',
        ...['-l', 'com.docker.compose.project=fbshop', '-l', 'com.docker.compose.service=web', '-l', 'com.docker.compose.container-number=1'],
        ...['-l', 'com.docker.compose.oneoff=False', '-l', 'com.docker.compose.config-hash=3f1c0d9e'],
        TEST_IMAGE,
        ...LONG,
      ),
      // must report
      run('tree-walker', TEST_IMAGE, 'sh', '-c', RECURSION),
      run('report-job', TEST_IMAGE, 'sh', '-c', `echo 'building monthly report'; ${printf(TRACEBACK)}; exit 1`),
      runOomKilled(n('oom'), [
        '--memory',
        '16m',
        '--memory-swap',
        '16m',
        TEST_IMAGE,
        'sh',
        '-c',
        'for i in $(seq 1 400); do echo "loading batch $i of 400"; done; sleep 1; tail /dev/zero',
      ]),
      // SIGKILL that nobody asked the engine for (as the kernel or a watchdog would send): the shell reports
      // its child's death as 137. (`docker kill -s KILL` is a kill request the engine records: per issue
      // #13 that is an intended stop, info, so it is not this scenario.)
      run('killed', TEST_IMAGE, 'sh', '-c', "echo 'working on batch 3'; sleep 2; sh -c 'kill -9 $$'; exit $?"),
      run('unhealthy', '--health-cmd', `echo '${PROBE_OUTPUT}'; exit 1`, '--health-interval', '1s', '--health-retries', '2', TEST_IMAGE, ...LONG),
      run(
        'epic_carver',
        ...['-l', 'django.container_manager.job_id=42', '-l', 'django.container_manager.job_name=bulk-loader'],
        TEST_IMAGE,
        'sh',
        '-c',
        "echo 'loading 5000 rows' ; echo 'ConnectionError: upstream api.example.com refused the connection' >&2; exit 1",
      ),
    ]);
    // A --rm job that does its work and exits 0: the container is gone before the collect.
    await docker('run', '--rm', '--network', 'none', '--name', n('rm-job'), TEST_IMAGE, 'sh', '-c', 'echo job done');

    await Promise.all([
      (async () => {
        await waitFor(n('stopped-healthy'), (s) => s.Health?.Status === 'healthy');
        await docker('stop', '-t', '1', n('stopped-healthy'));
      })(),
      (async () => {
        await waitFor(n('compose-web-1'), (s) => s.Running);
        await docker('stop', '-t', '1', n('compose-web-1'));
      })(),
      (async () => {
        // `docker restart -t 1` of a restart=always service: kill 15, kill 9, die 137, stop, start, restart.
        await waitFor(n('policy-restarted'), (s) => s.Running);
        const before = await docker('inspect', '--format', '{{.State.StartedAt}}', n('policy-restarted'));
        await docker('restart', '-t', '1', n('policy-restarted'));
        await waitFor(n('policy-restarted'), (s) => s.Running && s['StartedAt'] !== before);
      })(),
      (async () => {
        // The worker is told to stop from inside (as a deploy script or supervisor would), exits 0, and its
        // restart policy starts it again: no kill or stop request reaches the engine.
        await waitFor(n('graceful-worker'), (s) => s.Running);
        await docker('exec', n('graceful-worker'), 'kill', '-TERM', '1');
        await waitRestarted(n('graceful-worker'));
      })(),
      waitFor(n('running-healthy'), (s) => s.Health?.Status === 'healthy'),
      waitFor(n('report-job'), (s) => s.Status === 'exited'),
      waitFor(n('tree-walker'), (s) => s.Status === 'exited'),
      waitFor(n('epic_carver'), (s) => s.Status === 'exited'),
      waitFor(n('oom'), (s) => s.Status === 'exited', 40_000),
      waitFor(n('killed'), (s) => s.Status === 'exited'),
      waitFor(n('unhealthy'), (s) => s.Health?.Status === 'unhealthy', 40_000),
    ]);
    // The exits are what the scenarios say.
    const exit = async (name: string): Promise<string> => docker('inspect', '--format', '{{.State.ExitCode}} {{.State.OOMKilled}}', n(name));
    expect(await exit('stopped-healthy')).toBe('137 false');
    expect(await exit('compose-web-1')).toBe('137 false');
    expect(await exit('killed')).toBe('137 false');
    expect(await exit('oom')).toBe('137 true');

    c = await collect(['--only', 'docker', '--containers', `${P}-*`, '--since', '10m', '--title', 'findings scenarios'], {
      ...process.env,
      DOCKER_HOST,
    });
  }, 150_000);

  afterAll(async () => {
    await removeContainers(P);
  });

  // ---- must not alarm ----
  scenario('stop-healthy-no-alarm', 'a healthy container stopped with `docker stop -t 1` (137 after SIGTERM) is no error or warning', () => {
    expect(alarms(about(c, n('stopped-healthy'))), show(c.findings)).toEqual([]);
  });

  scenario('passing-health-no-alarm', 'a running container whose health check passes is no finding', () => {
    expect(alarms(about(c, n('running-healthy'))), show(c.findings)).toEqual([]);
  });

  scenario('health-starting-no-alarm', 'a container whose health check is still in its start period ("starting") is no error or warning', () => {
    expect(alarms(about(c, n('health-starting'))), show(c.findings)).toEqual([]);
  });

  scenario('rm-job-exit0-no-alarm', 'a `--rm` job that exited 0 is no error or warning', () => {
    // The bundle does hold its life (the engine's events), so staying quiet is a judgement, not blindness.
    const events = fileText(c.entries, 'docker/local/events.jsonl');
    expect(events).toContain(n('rm-job'));
    expect(alarms(about(c, n('rm-job'))), show(c.findings)).toEqual([]);
  });

  scenario(
    'policy-restart-after-stop-no-alarm',
    'a restart=always service restarted with `docker restart -t 1` (137, then running again) is no error or warning',
    () => {
      expect(alarms(about(c, n('policy-restarted'))), show(c.findings)).toEqual([]);
    },
  );

  scenario(
    'policy-restart-after-graceful-exit-no-alarm',
    'a restart=always worker that exits 0 on SIGTERM and is restarted by its policy is no error or warning',
    () => {
      expect(alarms(about(c, n('graceful-worker'))), show(c.findings)).toEqual([]);
    },
  );

  scenario('compose-stop-no-alarm', 'a compose-labelled service stopped like `docker compose stop` is no error or warning', () => {
    expect(alarms(about(c, n('compose-web-1'))), show(c.findings)).toEqual([]);
  });

  // ---- must report ----
  scenario('traceback-exit1-error', 'exit 1 with a Python traceback is an error', () => {
    const fs = about(c, n('report-job'));
    expect(fs.filter((f) => f.severity === 'error').length, show(c.findings)).toBe(1);
    expect(textOf(fs[0]!)).toContain("KeyError: 'account 7731 has no ledger'");
  });

  scenario('traceback-whole-in-issue', 'ISSUE.md quotes the whole traceback, from "Traceback (most recent call last):" to the exception line', () => {
    const missing = TRACEBACK.filter((line) => !c.issue.includes(line));
    expect(missing, c.issue).toEqual([]);
  });

  scenario('oom-error', 'an OOM kill under a 16 MiB limit is an error (container-oom-killed)', () => {
    const fs = about(c, n('oom'));
    expect(
      fs.some((f) => f.id === 'container-oom-killed' && f.severity === 'error'),
      show(c.findings),
    ).toBe(true);
  });

  scenario('oom-limit-shown', 'the OOM finding shows the memory limit (16 MiB)', () => {
    const f = about(c, n('oom')).find((x) => x.id === 'container-oom-killed');
    expect(f, show(c.findings)).toBeDefined();
    expect(textOf(f!)).toMatch(/\b16(\.0+)? ?(MiB|MB|M)\b|16777216/);
  });

  scenario('oom-last-log-lines', 'ISSUE.md shows the OOM-killed container\'s last log lines ("batch 400 of 400"), not its first', () => {
    expect(c.issue).toContain('loading batch 400 of 400');
    expect(c.issue).not.toContain('loading batch 1 of 400');
  });

  scenario('sigkill-not-oom', '137 from a SIGKILL nobody requested is an error said as SIGKILL, not as OOM', () => {
    const fs = about(c, n('killed'));
    expect(fs.filter((f) => f.severity === 'error').length, show(c.findings)).toBeGreaterThan(0);
    expect(fs.some((f) => f.id === 'container-oom-killed')).toBe(false);
    const text = fs.map(textOf).join('\n');
    expect(text).toMatch(/SIGKILL/);
    // What it says happened (the title and the summary's first line) names OOM only to rule it out ("not by
    // Docker's OOM killer"); the hints may still say where to look for a host-level OOM kill (issue #13).
    const verdict = fs.map((f) => `${f.title}\n${(f.summary ?? '').split('\n')[0]}`).join('\n');
    expect(verdict.replace(/not[^.\n]{0,30}OOM[\w -]*/gi, '')).not.toMatch(/OOM|out of memory/i);
  });

  scenario('sigkill-not-called-a-stop', 'the unrequested SIGKILL finding does not call it a stop request (none was made)', () => {
    const text = about(c, n('killed')).map(textOf).join('\n');
    expect(text).not.toMatch(/stopped by a stop/i);
  });

  scenario('unhealthy-reported', 'an unhealthy container whose probe really fails is reported (container-unhealthy)', () => {
    const fs = about(c, n('unhealthy'));
    expect(
      fs.some((f) => f.id === 'container-unhealthy' && f.severity !== 'info'),
      show(c.findings),
    ).toBe(true);
  });

  // Its severity: a warning (the container still runs and serves); issue #13 asks that it be reported only on
  // a failing streak, with the failing probes quoted, which the scenarios around this one check.
  scenario('unhealthy-probe-quoted', "the unhealthy finding quotes the failing probe's output in ISSUE.md", () => {
    expect(c.issue).toContain(PROBE_OUTPUT);
  });

  scenario('unhealthy-no-contradiction', 'the unhealthy finding gives a failing streak above 0', () => {
    const text = about(c, n('unhealthy')).map(textOf).join('\n');
    expect(text).not.toMatch(/failed 0 times/);
  });

  scenario('job-named-by-labels', "a failed container labelled job_id=42 / job_name=bulk-loader is named by the job in its finding's title", () => {
    const f = about(c, n('epic_carver')).find((x) => x.severity === 'error');
    expect(f, show(c.findings)).toBeDefined();
    expect(f!.title).toContain('bulk-loader');
    expect(textOf(f!).replaceAll(n('epic_carver'), '')).toMatch(/\b42\b/);
  });

  // ---- ISSUE.md worth pasting (issue #13, part 5) ----
  scenario('long-traceback-capped', 'a 302-line traceback is quoted to its exception line but capped, with "… N lines" for the rest', () => {
    expect(c.issue).toContain('RecursionError: maximum recursion depth exceeded while calling a Python object');
    const frames = c.issue.split('\n').filter((l) => l.includes('return walk(node.parent)')).length;
    expect(frames, 'some frames quoted').toBeGreaterThan(0);
    expect(frames, 'frames capped').toBeLessThan(60);
    expect(c.issue).toMatch(/… ?\d+ (more )?lines/);
  });

  scenario('issue-finding-once', 'ISSUE.md gives a finding once with its evidence (its title at most twice: the summary and the detail)', () => {
    const f = about(c, n('report-job')).find((x) => x.severity === 'error');
    expect(f, show(c.findings)).toBeDefined();
    expect(c.issue.split(f!.title).length - 1).toBeLessThanOrEqual(2);
  });

  scenario('issue-links-absolute', 'ISSUE.md links to the documentation absolutely (they work where the text is pasted)', () => {
    expect(c.issue).toContain('#container-oom-killed');
    expect(c.issue).not.toMatch(/\]\((?!https?:\/\/)[^)]*TROUBLESHOOTING\.md/);
  });

  scenario('console-real-bundle-path', 'the console summary names the real bundle path, not the placeholder BUNDLE', () => {
    expect(c.stdout).toContain('findings');
    expect(c.stdout).not.toMatch(/\bBUNDLE\b/);
  });

  scenario('issue-plain-words', 'ISSUE.md says what redaction did in plain words, not "tag key installation"', () => {
    expect(c.issue).toMatch(/Redaction/);
    expect(c.issue).not.toContain('tag key installation');
  });

  scenario('sigkill-hints', 'the SIGKILL finding names what to check beyond Docker: the kernel log or the cgroup', () => {
    const text = about(c, n('killed')).map(textOf).join('\n');
    expect(text).toMatch(/dmesg|journalctl -k|kernel log|cgroup/i);
  });
});
