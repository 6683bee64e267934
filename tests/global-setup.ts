/**
 * Starts the real Docker engine the tests talk to (scripts/test-env.sh), or uses the one DOCKER_HOST
 * already names. In CI a missing engine fails the run; elsewhere Docker tests are skipped with the
 * reason printed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../scripts/test-env.sh', import.meta.url));
let startedHere = false;
/** One file per test run using the engine, so a run does not stop it under another one's feet. */
const usersDir = join(process.env['CB_TEST_ENV_DIR'] ?? '/tmp/collect-bundle-test-env', 'users');

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function run(args: string[]): string {
  return execFileSync('bash', [script, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 600_000 });
}

function applyExports(text: string): void {
  for (const m of text.matchAll(/^export ([A-Z_]+)=(.*)$/gm)) process.env[m[1]!] = m[2]!.replace(/^'(.*)'$/, '$1');
}

export function setup(): void {
  if (process.env['CB_TEST_DOCKER_HOST']) {
    // An engine chosen by the caller (e.g. a developer's own daemon).
    process.env['DOCKER_HOST'] = process.env['CB_TEST_DOCKER_HOST'];
    process.env['CB_TEST_IMAGE'] ??= 'cb-busybox:latest';
    return;
  }
  try {
    let wasRunning = true;
    try {
      run(['status', 'primary']);
    } catch {
      wasRunning = false;
    }
    applyExports(run(['up', 'primary']));
    startedHere = !wasRunning;
    mkdirSync(usersDir, { recursive: true });
    writeFileSync(join(usersDir, String(process.pid)), '');
  } catch (err) {
    const reason = `the test Docker engine could not be started: ${(err as Error).message.split('\n')[0]}`;
    if (process.env['CI']) throw new Error(`${reason} (CI=true: Docker tests must not be skipped)`);
    process.stderr.write(`\n*** ${reason}; Docker tests will be skipped ***\n\n`);
    process.env['CB_DOCKER_UNAVAILABLE'] = reason;
  }
}

export function teardown(): void {
  rmSync(join(usersDir, String(process.pid)), { force: true });
  const others = (() => {
    try {
      return readdirSync(usersDir)
        .map(Number)
        .filter((pid) => pid !== process.pid && alive(pid));
    } catch {
      return [];
    }
  })();
  if (startedHere && others.length === 0 && !process.env['CB_KEEP_TEST_ENGINE']) {
    try {
      run(['down', 'primary']);
    } catch {
      // best effort: the engine may already be gone
    }
  }
}
