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
    // A Django secret the container prints, read from a mounted file: were it in the command line, every
    // other test's bundle would list it in the engine-wide docker/local/df.json, where nothing tells it
    // from any word (only this run's Django collector knows it is secret).
    const keyFile = join(tmp, 'fixture-key.txt');
    await writeFile(keyFile, `key ${FIXTURE_SECRETS[1]}\n`);
    // A job container that was handed the secrets every way a real one is, and prints them in its log.
    await docker(
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      `${prefix}-job`,
      '-e',
      `DB_PASSWORD=${CONTAINER_SECRETS.env}`,
      '--label',
      `api_token=${CONTAINER_SECRETS.label}`,
      '-v',
      `${keyFile}:/fixture-key.txt:ro`,
      TEST_IMAGE,
      'sh',
      '-c',
      `echo starting --password ${CONTAINER_SECRETS.command}; echo "login password=${CONTAINER_SECRETS.log} ok"; echo "connecting as $DB_PASSWORD"; echo "paying with ${DOTENV_SECRET}" >&2; cat /fixture-key.txt; exit 3`,
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
    expect(result.manifest.collectors.map((c) => [c.name, c.status])).toEqual([
      ['docker', 'ok'],
      ['django', 'ok'],
    ]);
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
    // The Django secret the container read from its mounted file: known from the django collector alone.
    expect(raw).toMatch(/ key \[REDACTED:known-secret:[0-9a-f]{8}\]\n/);
  });

  it('passes verify, and fails it once a private key is added to the bundle', async () => {
    const ok = spawnSync(process.execPath, [CLI, 'verify', result.bundle], { encoding: 'utf8' });
    expect(ok.stdout).toMatch(/^ok: /);
    expect(ok.status).toBe(0);
    const bad = await repackBundle(result.bundle, join(tmp, 'tampered'), join(tmp, 'tampered.tar.gz'), (root) =>
      appendFile(
        join(root, 'manifest.json'),
        '\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END RSA PRIVATE KEY-----\n',
      ),
    );
    const r = spawnSync(process.execPath, [CLI, 'verify', bad], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/manifest\.json:\d+: secret: unredacted secret matched by rule private-key/);
  });
});

/**
 * Django's own SECRET_KEY alphabet, a-z0-9!@#$%^&*(-_=+), in full: one key each in a container's env, an
 * --env-file and the settings.py of the fixture project (distinct keys, so one learned literal cannot
 * cover for another place). Each key holds every special character, the ones a shell, a .env parser or a
 * quoting-aware rule treats specially.
 */
const DJANGO_KEYS = {
  container: '#81e6!0%!zfopc@z^d@oxdu_d)^gjf%$%h@+@!&=ced*9-nd(1',
  envFile: 'e-&+yeuvj*!9ft0r##!3=(s4-(w%dc+52^^&(5(&)$e*__&@@!',
  settings: '3ik$n$g9v)+(d^*=6g!m^z(_z$h#2%!zza*zd*u!d#)%@e=&4-',
};
const djPrefix = uniq('canary-dj');

describe.skipIf(skip)('canary: Django-style SECRET_KEYs with every special character never reach the bundle', () => {
  let djTmp: string;
  let djResult: CollectResult;
  let djEntries: Map<string, TarEntry>;

  beforeAll(async () => {
    djTmp = await mkdtemp(join(tmpdir(), 'cb-canary-dj-'));
    const project = await copyFixture(join(djTmp, 'project'));
    await appendFile(join(project, 'fixture_project', 'settings.py'), `\nSECRET_KEY = '${DJANGO_KEYS.settings}'\n`);
    await setupDatabase(project);
    const envFile = join(djTmp, 'deploy.env');
    await writeFile(envFile, `# passed to docker run --env-file\nDJANGO_DEBUG=0\nDJANGO_SECRET_KEY=${DJANGO_KEYS.envFile}\nTZ=UTC\n`);
    await docker(
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      `${djPrefix}-web`,
      '-e',
      `DJANGO_SECRET_KEY=${DJANGO_KEYS.container}`,
      TEST_IMAGE,
      'sh',
      '-c',
      'echo booting; exit 0',
    );
    await waitFor(`${djPrefix}-web`, (s) => s.Status === 'exited');
    await mkdir(join(djTmp, 'out'));
    djResult = await collectBundle({
      outputDir: join(djTmp, 'out'),
      only: ['docker', 'django'],
      envFiles: [envFile],
      collectorOptions: { django: { djangoDir: project, python: '/usr/bin/python3' } },
      env: runEnv({ DOCKER_HOST }),
      redaction: { ephemeralKey: true },
    });
    djEntries = await readBundle(djResult.bundle);
  }, 180_000);

  afterAll(async () => {
    await removeContainers(djPrefix);
    await rm(djTmp, { recursive: true, force: true });
  });

  it('collected the container, the Django settings and the env file', () => {
    const names = [...djEntries.keys()].join('\n');
    expect(names).toMatch(/\/docker\//);
    expect(names).toMatch(/\/django\//);
    expect(names).toMatch(/env-files\//);
    const raw = execFileSync('sh', ['-c', `gzip -dc '${djResult.bundle}'`], { maxBuffer: 512 * 1024 * 1024 }).toString('utf8');
    expect(raw).toContain(`${djPrefix}-web`);
    // The keys were collected and redacted in place, not merely missed by the collectors.
    const under = (dir: RegExp): string =>
      [...djEntries.entries()]
        .filter(([n]) => dir.test(n))
        .map(([, e]) => e.data.toString('utf8'))
        .join('\n');
    const token = /\[REDACTED:[a-z-]+:[0-9a-f]{8}\]/.source;
    expect(under(/\/docker\//)).toMatch(new RegExp(`DJANGO_SECRET_KEY=${token}`));
    expect(under(/env-files\//)).toMatch(new RegExp(`DJANGO_SECRET_KEY=${token}`));
    // The django collector masks settings values itself ('********') before the redactor sees them.
    expect(under(/\/django\//)).toMatch(new RegExp(`SECRET_KEY\\W{1,6}(?:${token}|\\*{8})`));
  });

  for (const [where, key] of Object.entries(DJANGO_KEYS)) {
    it(`holds no trace of the key planted in the ${where}`, () => {
      const raw = execFileSync('sh', ['-c', `gzip -dc '${djResult.bundle}'`], { maxBuffer: 512 * 1024 * 1024 }).toString('latin1');
      expect(raw.includes(key), `${where} key found whole`).toBe(false);
      expect(raw.includes(Buffer.from(key).toString('base64')), `${where} key found base64-encoded`).toBe(false);
      // A partly redacted key is still a leak: no 12-character piece of it may remain.
      const pieces = Array.from({ length: key.length - 11 }, (_, i) => key.slice(i, i + 12)).filter((p) => raw.includes(p));
      expect(pieces.length, `${where} key: ${pieces.length} 12-character pieces remain`).toBe(0);
      for (const name of djEntries.keys()) expect(name.includes(key), `${where} key in entry name`).toBe(false);
    });
  }
});
