/**
 * The built CLI's `--job`, `--gcloud-project`/`--gcloud-region` and `--django-dir` → compose wiring,
 * end to end: real Django fixture, real engine, the stand-in gcloud on PATH.
 */
import { execFileSync } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileJson, fileText, readBundle } from '../helpers/bundle.js';
import { copyFixture, setupDatabase, SYSTEM_PYTHON, systemDjango } from '../helpers/django.js';
import { DOCKER_HOST, TEST_IMAGE, docker, dockerUnavailable, removeContainers, uniq, waitFor } from '../helpers/docker.js';
import { assertBuilt, cleanup, describeRun, runCli, tempDir } from './harness.js';

const STANDIN_DIR = fileURLToPath(new URL('../fixtures/gcloud', import.meta.url));
const JOB_ID = '0d6e8f10-2a3b-4c5d-8e9f-a0b1c2d3e4f5';

afterAll(cleanup);

describe('collect-bundle --gcloud-project/--gcloud-region (built CLI, stand-in gcloud)', () => {
  beforeAll(assertBuilt);
  it('passes the project and region to the cloudrun collector', async () => {
    const out = await tempDir();
    const r = await runCli(['--only', 'cloudrun', '--gcloud-project', 'flag-project', '--gcloud-region', 'flag-region', '-o', out, '--quiet'], {
      env: { PATH: `${STANDIN_DIR}${delimiter}${process.env['PATH'] ?? ''}`, CLOUDSDK_CORE_PROJECT: undefined, CLOUDSDK_RUN_REGION: undefined },
    });
    expect(r.code, describeRun(r)).toBe(0);
    const [bundle] = (await readdir(out)).filter((f) => f.endsWith('.tar.gz'));
    expect(fileJson(await readBundle(join(out, bundle!)), 'cloudrun/summary.json')).toMatchObject({
      project: 'flag-project',
      projectFrom: 'option',
      region: 'flag-region',
    });
  }, 60_000);
});

describe.skipIf(Boolean(dockerUnavailable) || (!systemDjango && !process.env['CI']))('collect-bundle --job (built CLI, real engine, real Django)', () => {
  let project: string;
  let prefix: string;

  beforeAll(async () => {
    assertBuilt();
    project = await copyFixture(join(await tempDir('cb-cli-job-'), 'project'));
    await setupDatabase(project);
    prefix = uniq('cbclijob');
    // The label django-container-manager sets; 20 lines, more than a config's tail of 5.
    await docker(
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      `${prefix}-job`,
      '--label',
      `django.container_manager.job_id=${JOB_ID}`,
      TEST_IMAGE,
      'sh',
      '-c',
      'i=1; while [ $i -le 20 ]; do echo "job-output $i"; i=$((i+1)); done; exit 0',
    );
    await waitFor(`${prefix}-job`, (s) => s.Status === 'exited');
    const script = `
import sqlite3, sys, datetime
now = datetime.datetime.utcnow()
t = lambda d: (now + datetime.timedelta(seconds=d)).strftime('%Y-%m-%d %H:%M:%S.%f')
db = sqlite3.connect('db.sqlite3')
db.execute("INSERT INTO container_manager_containerjob (id, name, status, docker_image, command, override_environment, error_message, created_at, started_at, completed_at) VALUES (?, 'cli-job', 'completed', 'x', '', '', '', ?, ?, ?)", (sys.argv[1].replace('-', ''), t(-30), t(-30), t(0)))
db.commit()
`;
    execFileSync(SYSTEM_PYTHON, ['-c', script, JOB_ID], { cwd: project });
  }, 120_000);
  afterAll(() => removeContainers(prefix));

  it('writes a job bundle labelled job-<id> with the job record, exit 0', async () => {
    const out = await tempDir();
    const r = await runCli(['--job', JOB_ID, '--only', 'docker', '--django-dir', project, '--python', SYSTEM_PYTHON, '-o', out, '--quiet'], {
      env: { DOCKER_HOST },
    });
    expect(r.code, describeRun(r)).toBe(0);
    const [bundle] = (await readdir(out)).filter((f) => f.endsWith('.tar.gz'));
    expect(bundle).toContain(`-job-${JOB_ID}-`);
    const entries = await readBundle(join(out, bundle!));
    expect(fileJson(entries, 'job/record.json').record).toMatchObject({ name: 'cli-job', status: 'completed' });
    expect(fileJson(entries, 'job/containers.json').map((c: { name: string }) => c.name)).toEqual([`${prefix}-job`]);
  }, 120_000);

  it("a config file's collectors.docker.tail does not cut the job's log; a typed --tail does", async () => {
    const root = await tempDir('cb-cli-job-cfg-');
    await writeFile(join(root, 'collect-bundle.config.json'), JSON.stringify({ collectors: { docker: { tail: 5 } } }));
    const logLines = async (args: string[]): Promise<string[]> => {
      const out = await tempDir();
      const r = await runCli(['--job', JOB_ID, '--only', 'docker', '--django-dir', project, '--python', SYSTEM_PYTHON, '-o', out, '--quiet', ...args], {
        cwd: root,
        env: { DOCKER_HOST },
      });
      expect(r.code, describeRun(r)).toBe(0);
      const [bundle] = (await readdir(out)).filter((f) => f.endsWith('.tar.gz'));
      return fileText(await readBundle(join(out, bundle!)), `docker/local/containers/${prefix}-job/logs.txt`)
        .split('\n')
        .filter(Boolean);
    };
    const full = await logLines([]);
    expect(full).toHaveLength(20);
    expect(full[0]).toMatch(/job-output 1$/);
    const typed = await logLines(['--tail', '3']);
    expect(typed).toHaveLength(3);
    expect(typed[2]).toMatch(/job-output 20$/);
  }, 120_000);

  it('exits 2 with one line naming the cause for an unknown job id, and writes no bundle', async () => {
    const out = await tempDir();
    const r = await runCli(['--job', '12345', '--django-dir', project, '--python', SYSTEM_PYTHON, '-o', out], { env: { DOCKER_HOST } });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/^collect-bundle: --job 12345: no such job: no ContainerJob with id '12345' in database "default" \(check the id/);
    expect(await readdir(out)).toEqual([]);
  }, 60_000);

  it('exits 2 when the Django project cannot be found', async () => {
    const out = await tempDir();
    const r = await runCli(['--job', JOB_ID, '-o', out], { env: { DOCKER_HOST } });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(
      new RegExp(`^collect-bundle: --job ${JOB_ID}: needs the Django project to look the job up: .*\\(use --django-dir\\)$`),
    );
  }, 60_000);
});
