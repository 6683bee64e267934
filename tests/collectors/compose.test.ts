/**
 * The compose collector against real files and the real test engine: a compose file with secrets in
 * `environment:` (map and list forms), containers labelled the way compose labels them (started with
 * `docker run --label com.docker.compose.*`, as the test engine has no compose plugin), a container of
 * another project that must not show, and a declared service without a container.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findComposeFiles, normalizeProjectName } from '../../collectors/compose.js';
import { collectBundle } from '../../src/run/collect.js';
import type { CollectorRecord } from '../../src/core/types.js';
import { fileJson, fileText, readBundle, type TarEntry } from '../helpers/bundle.js';
import { DOCKER_HOST, TEST_IMAGE, docker, dockerUnavailable, removeContainers, uniq, waitFor } from '../helpers/docker.js';

const COMPOSE_SECRETS = ['cmp-db-password-8c2f1a', 'cmp-api-token-4b7e9d', 'cmp-secret-key-1a5c3e'];

const COMPOSE_FILE = `services:
  web:
    image: ${TEST_IMAGE}
    environment:
      DJANGO_SETTINGS_MODULE: app.settings.prod
      DB_PASSWORD: cmp-db-password-8c2f1a
      SECRET_KEY: "cmp-secret-key-1a5c3e"
  worker:
    image: ${TEST_IMAGE}
    environment:
      - API_TOKEN=cmp-api-token-4b7e9d
      - LOG_LEVEL=info
  db:
    image: postgres:16
`;

let tmp: string;
let prefix: string;

interface Run {
  record: CollectorRecord;
  entries: Map<string, TarEntry>;
}

let n = 0;
async function run(options: Record<string, unknown>, env: Record<string, string | undefined> = {}): Promise<Run> {
  const result = await collectBundle({
    outputDir: join(tmp, `out-${++n}`),
    only: ['compose'],
    env: { ...process.env, DOCKER_HOST, COMPOSE_PROJECT_NAME: undefined, ...env },
    collectorOptions: { compose: options },
  });
  return { record: result.manifest.collectors.find((c) => c.name === 'compose')!, entries: await readBundle(result.bundle) };
}

describe('compose project names and files', () => {
  it('normalises a directory name as compose does', () => {
    expect(normalizeProjectName('My_App.v2')).toBe('my_appv2');
    expect(normalizeProjectName('-_Site 1')).toBe('site1');
  });

  it('prefers compose.yaml over docker-compose.yml and adds the matching override file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cb-compose-files-'));
    try {
      await writeFile(join(dir, 'docker-compose.yml'), 'services: {}\n');
      expect(await findComposeFiles(dir)).toEqual([join(dir, 'docker-compose.yml')]);
      await writeFile(join(dir, 'compose.yaml'), 'services: {}\n');
      await writeFile(join(dir, 'compose.override.yaml'), 'services: {}\n');
      expect(await findComposeFiles(dir)).toEqual([join(dir, 'compose.yaml'), join(dir, 'compose.override.yaml')]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(Boolean(dockerUnavailable))('compose collector (real engine)', () => {
  let projectDir: string;
  let project: string;

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'cb-compose-'));
    prefix = uniq('cbcompose');
    // A directory name compose has to normalise: upper case and a dot.
    const dirName = `Shop.${prefix}`;
    project = normalizeProjectName(dirName);
    projectDir = join(tmp, dirName);
    await mkdir(projectDir);
    await writeFile(join(projectDir, 'docker-compose.yml'), COMPOSE_FILE);
    const labels = (p: string, service: string) => [
      '--label',
      `com.docker.compose.project=${p}`,
      '--label',
      `com.docker.compose.service=${service}`,
      '--label',
      'com.docker.compose.container-number=1',
    ];
    await docker('run', '-d', '--network', 'none', '--name', `${prefix}-web-1`, ...labels(project, 'web'), TEST_IMAGE, 'sleep', '300');
    await docker('run', '-d', '--network', 'none', '--name', `${prefix}-worker-1`, ...labels(project, 'worker'), TEST_IMAGE, 'sh', '-c', 'exit 3');
    await docker('run', '-d', '--network', 'none', '--name', `${prefix}-other-1`, ...labels(`${project}-other`, 'web'), TEST_IMAGE, 'sleep', '300');
    await waitFor(`${prefix}-worker-1`, (s) => s.Status === 'exited');
    await waitFor(`${prefix}-web-1`, (s) => s.Running);
  }, 60_000);
  afterAll(async () => {
    await removeContainers(prefix);
    await rm(tmp, { recursive: true, force: true });
  });

  describe('with the project name from the directory', () => {
    let r: Run;
    beforeAll(async () => {
      r = await run({ projectDir });
    }, 60_000);

    it('keeps the compose file, with the environment values under secret names redacted', () => {
      expect(r.record.status).toBe('ok');
      const file = fileText(r.entries, 'compose/files/docker-compose.yml');
      expect(file).toContain('DJANGO_SETTINGS_MODULE: app.settings.prod');
      expect(file).toContain('- LOG_LEVEL=info');
      expect(file).toMatch(/DB_PASSWORD: \[REDACTED:[a-z-]+:[0-9a-f]+\]/);
      expect(file).toMatch(/- API_TOKEN=\[REDACTED:/);
      expect(file).toMatch(/SECRET_KEY: "\[REDACTED:/);
      for (const [name, e] of r.entries) for (const s of COMPOSE_SECRETS) expect(e.data.toString('utf8'), `${s} in ${name}`).not.toContain(s);
    });

    it('derives the project name as compose does and lists the declared services', () => {
      expect(fileJson(r.entries, 'compose/project.json')).toMatchObject({
        project,
        projectFrom: 'directory name',
        directory: projectDir,
        services: ['db', 'web', 'worker'],
      });
    });

    it('lists that project’s containers on the engine with service, state, exit code and restarts, and no other project’s', () => {
      const doc = fileJson(r.entries, 'compose/local/containers.json');
      expect(doc.project).toBe(project);
      expect(doc.containers.map((c: { name: string }) => c.name)).toEqual([`${prefix}-web-1`, `${prefix}-worker-1`]);
      expect(doc.containers[0]).toMatchObject({ service: 'web', state: 'running', exitCode: 0, restartCount: 0, health: null, finishedAt: null });
      expect(doc.containers[1]).toMatchObject({ service: 'worker', state: 'exited', exitCode: 3 });
      expect(doc.servicesWithoutContainer).toEqual(['db']);
      expect(doc.servicesNotDeclared).toEqual([]);
    });
  });

  it('takes COMPOSE_PROJECT_NAME over the directory name, as compose does', async () => {
    const r = await run({ projectDir }, { COMPOSE_PROJECT_NAME: `${project}-other` });
    expect(fileJson(r.entries, 'compose/project.json')).toMatchObject({ project: `${project}-other`, projectFrom: 'COMPOSE_PROJECT_NAME' });
    const doc = fileJson(r.entries, 'compose/local/containers.json');
    expect(doc.containers.map((c: { name: string }) => c.name)).toEqual([`${prefix}-other-1`]);
    expect(doc.servicesWithoutContainer).toEqual(['db', 'worker']);
  }, 60_000);

  it('takes the top-level name: key when the environment sets none', async () => {
    const dir = join(tmp, 'named');
    await mkdir(dir);
    await writeFile(join(dir, 'compose.yaml'), `name: ${project}\n${COMPOSE_FILE}`);
    const r = await run({ projectDir: dir });
    expect(fileJson(r.entries, 'compose/project.json')).toMatchObject({ project, projectFrom: 'name: in the compose file' });
    expect(fileJson(r.entries, 'compose/local/containers.json').containers).toHaveLength(2);
  }, 60_000);

  it('is skipped, naming the directory and the file names, when there is no compose file', async () => {
    const dir = join(tmp, 'empty');
    await mkdir(dir);
    const r = await run({ projectDir: dir });
    expect(r.record.status).toBe('skipped');
    expect(r.record.reason).toBe(
      `no compose.yaml, compose.yml, docker-compose.yaml, docker-compose.yml in ${dir} (set the compose collector's projectDir or files option)`,
    );
  }, 60_000);

  it('keeps a file that is not valid YAML and records the problem', async () => {
    const dir = join(tmp, 'broken');
    await mkdir(dir);
    await writeFile(join(dir, 'compose.yml'), 'services:\n  web: [unclosed\n');
    const r = await run({ projectDir: dir });
    expect(r.record.status).toBe('ok');
    expect(fileText(r.entries, 'compose/files/compose.yml')).toContain('[unclosed');
    expect(r.record.problems).toEqual([
      { item: join(dir, 'compose.yml'), reason: expect.stringMatching(/^not valid compose YAML \(.+\); the file is kept as it is$/) },
    ]);
  }, 60_000);
});
