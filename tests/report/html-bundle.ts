/**
 * The real bundle the browser tests of report.html open (html-browser.test.ts in Chromium,
 * html-firefox.test.ts in Firefox ESR): the real engine with an OOM-killed container and a crashed one
 * (whose log and job label hold markup), the Django fixture with an unapplied migration and a job stuck
 * in pending, collected by the real `collect` and unpacked with `tar xzf` like a support engineer would.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectBundle } from '../../src/run/collect.js';
import { copyFixture, runEnv, SYSTEM_PYTHON, setupDatabase } from '../helpers/django.js';
import { DOCKER_HOST, docker, removeContainers, TEST_IMAGE, runOomKilled, uniq, waitFor } from '../helpers/docker.js';

/** Markup in a job label and a log line: the page must show it as text and never run it. */
export const HOSTILE = '<script>window.__pwned=1</script>';

export interface RealBundle {
  readonly tmp: string;
  /** The names of the OOM-killed and the crashed container. */
  readonly oom: string;
  readonly crash: string;
  /** The .tar.gz and the report.html unpacked from it. */
  readonly bundle: string;
  readonly reportFile: string;
  /** Another collection of the same system (docker, django, system) into `out`. */
  collect(out: string): Promise<{ bundle: string }>;
  cleanup(): Promise<void>;
}

/** Starts the two containers, collects, unpacks; `cleanup` removes the containers and the temp folder. */
export async function buildRealBundle(tag: string): Promise<RealBundle> {
  const prefix = uniq(tag);
  const oom = `${prefix}-oom`;
  const crash = `${prefix}-crash`;
  const tmp = await mkdtemp(join(tmpdir(), `${tag}-`));
  const cleanup = async (): Promise<void> => {
    await removeContainers(prefix);
    await rm(tmp, { recursive: true, force: true });
  };
  try {
    const project = await copyFixture(join(tmp, 'project'));
    const collect = (out: string) =>
      collectBundle({
        outputDir: out,
        only: ['docker', 'django', 'system'],
        env: runEnv({ DOCKER_HOST }),
        collectorOptions: { django: { djangoDir: project, python: SYSTEM_PYTHON } },
      });
    const run = (name: string, extra: string[], script: string) =>
      docker('run', '-d', '--network', 'none', '--name', name, ...extra, TEST_IMAGE, 'sh', '-c', script);
    await Promise.all([
      setupDatabase(project),
      runOomKilled(oom, ['--memory', '16m', '--memory-swap', '16m', TEST_IMAGE, 'sh', '-c', 'echo loading; sleep 1; tail /dev/zero']),
      run(
        crash,
        ['--label', `django.container_manager.job_name=${HOSTILE}`, '--label', 'django.container_manager.job_id=4242'],
        `echo 'starting ${HOSTILE}'; echo 'Traceback (most recent call last):' >&2; echo '  File "/app/run.py", line 9, in <module>' >&2; echo 'KeyError: ledger' >&2; exit 3`,
      ),
    ]);
    await Promise.all([waitFor(oom, (s) => s.Status === 'exited'), waitFor(crash, (s) => s.Status === 'exited')]);
    const { bundle } = await collect(join(tmp, 'out'));
    await mkdir(join(tmp, 'x'));
    execFileSync('tar', ['xzf', bundle, '-C', join(tmp, 'x')]);
    const [root] = await readdir(join(tmp, 'x'));
    return { tmp, oom, crash, bundle, reportFile: join(tmp, 'x', root!, 'report.html'), collect, cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
