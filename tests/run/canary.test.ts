/**
 * The end-to-end canary: secrets planted in a real container (env, labels, command, logs) and in a real
 * Django project (settings, and a .env its settings read) appear nowhere in the tarball — not in any
 * file, not in any entry name. `verify` passes that bundle and fails it once a private key is added.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectBundle, type CollectResult } from '../../src/run/collect.js';
import { readBundle, repackBundle, type TarEntry } from '../helpers/bundle.js';
import { DOCKER_HOST, TEST_IMAGE, docker, dockerUnavailable, removeContainers, uniq, waitFor } from '../helpers/docker.js';
import { FIXTURE_SECRETS, copyFixture, runEnv, setupDatabase, systemDjango } from '../helpers/django.js';

const skip = (Boolean(dockerUnavailable) || !systemDjango) && !process.env['CI'];
const prefix = uniq('canary');
const CONTAINER_SECRETS = {
  env: 'cn-env-Pw-71c3e9',
  label: 'cn-label-Tok-28ad4f',
  command: 'cn-cmd-Pw-5e0b1c',
  log: 'cn-log-Pw-93fa27',
};
const DOTENV_SECRET = 'cn-dotenv-Tok-6a2f8c';
const ALL = [...Object.values(CONTAINER_SECRETS), DOTENV_SECRET, ...FIXTURE_SECRETS];
const CLI = join(import.meta.dirname, '..', '..', 'bin', 'collect-bundle.js');

let tmp: string;
let result: CollectResult;
let entries: Map<string, TarEntry>;

describe.skipIf(skip)('canary: planted secrets never reach the bundle', () => {
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'cb-canary-'));
    const project = await copyFixture(join(tmp, 'project'));
    await writeFile(join(project, '.env'), `# local overrides\nPAYMENTS_API_TOKEN=${DOTENV_SECRET}\nDEBUG_TOOLBAR=0\n`);
    await appendFile(
      join(project, 'fixture_project', 'settings.py'),
      `\n# Read .env the way many projects do\nimport os as _os\nfor _line in open(_os.path.join(_os.path.dirname(_os.path.dirname(__file__)), '.env')):\n    _k, _sep, _v = _line.strip().partition('=')\n    if _sep and not _k.startswith('#'):\n        _os.environ.setdefault(_k, _v)\nPAYMENTS_API_TOKEN = _os.environ.get('PAYMENTS_API_TOKEN')\n`,
    );
    await setupDatabase(project);
    // A job container that was handed the secrets every way a real one is, and prints them in its log.
    await docker(
      'run', '-d', '--network', 'none', '--name', `${prefix}-job`,
      '-e', `DB_PASSWORD=${CONTAINER_SECRETS.env}`,
      '--label', `api_token=${CONTAINER_SECRETS.label}`,
      TEST_IMAGE, 'sh', '-c',
      `echo starting --password ${CONTAINER_SECRETS.command}; echo "login password=${CONTAINER_SECRETS.log} ok"; echo "connecting as $DB_PASSWORD"; echo "paying with ${DOTENV_SECRET}" >&2; echo "key ${FIXTURE_SECRETS[1]}"; exit 3`,
    );
    await waitFor(`${prefix}-job`, (s) => s.Status === 'exited');
    // "connecting as $DB_PASSWORD" prints the bare password: it must go because it was seen under DB_PASSWORD
    // (a learned literal); the .env token because the django collector named it before anything was collected.
    await mkdir(join(tmp, 'out'));
    result = await collectBundle({
      outputDir: join(tmp, 'out'),
      only: ['docker', 'django'],
      collectorOptions: { django: { djangoDir: project, python: '/usr/bin/python3' } },
      env: runEnv({ DOCKER_HOST }),
      redaction: { ephemeralKey: true },
    });
    entries = await readBundle(result.bundle);
  }, 180_000);

  afterAll(async () => {
    await removeContainers(prefix);
    await rm(tmp, { recursive: true, force: true });
  });

  it('collected the container and the Django project', () => {
    const names = [...entries.keys()].join('\n');
    expect(names).toMatch(/\/docker\//);
    expect(names).toMatch(/\/django\//);
    expect(result.manifest.collectors.map((c) => [c.name, c.status])).toEqual([['docker', 'ok'], ['django', 'ok']]);
  });

  it('holds none of the planted secrets, in any entry or entry name, in any form', () => {
    const raw = execFileSync('sh', ['-c', `gzip -dc '${result.bundle}'`], { maxBuffer: 512 * 1024 * 1024 }).toString('latin1');
    for (const s of ALL) {
      expect(raw, s).not.toContain(s);
      expect(raw, s).not.toContain(Buffer.from(s).toString('base64'));
      for (const name of entries.keys()) expect(name, s).not.toContain(s);
    }
  });

  it('still shows what a support engineer needs: the container, its exit code, its log lines', () => {
    const raw = execFileSync('sh', ['-c', `gzip -dc '${result.bundle}'`], { maxBuffer: 512 * 1024 * 1024 }).toString('utf8');
    expect(raw).toContain(`${prefix}-job`);
    expect(raw).toMatch(/login password=\[REDACTED:[a-z-]+:[0-9a-f]{8}\] ok/);
    expect(raw).toMatch(/connecting as \[REDACTED:known-secret:[0-9a-f]{8}\]/);
    expect(raw).toMatch(/paying with \[REDACTED:known-secret:[0-9a-f]{8}\]/);
  });

  it('passes verify, and fails it once a private key is added to the bundle', async () => {
    const ok = spawnSync(process.execPath, [CLI, 'verify', result.bundle], { encoding: 'utf8' });
    expect(ok.stdout).toMatch(/^ok: /);
    expect(ok.status).toBe(0);
    const bad = await repackBundle(result.bundle, join(tmp, 'tampered'), join(tmp, 'tampered.tar.gz'), (root) =>
      appendFile(join(root, 'manifest.json'), '\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END RSA PRIVATE KEY-----\n'),
    );
    const r = spawnSync(process.execPath, [CLI, 'verify', bad], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/manifest\.json:\d+: secret: unredacted secret matched by rule private-key/);
  });
});
