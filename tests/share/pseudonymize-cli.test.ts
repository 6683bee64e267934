/**
 * `collect --pseudonymize` and `unmask` end to end: the built CLI collects the real engine (a container
 * on a bridge network of its own, with a host name, an address, a MAC and a log that names a user of
 * this machine, an e-mail and a URL) and the real Django fixture, plain and pseudonymized, before and
 * after a change. No real host name, address, MAC, user name or home path is anywhere in the
 * pseudonymized bundles (entry names included); `diff` shows the same changes; `unmask` restores the log.
 */
import { readFileSync } from 'node:fs';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileText, readBundle, type TarEntry } from '../helpers/bundle.js';
import { SYSTEM_PYTHON, copyFixture, runEnv, setupDatabase, systemDjango } from '../helpers/django.js';
import { DOCKER_HOST, TEST_IMAGE, docker, dockerUnavailable, removeContainers, uniq, waitFor, waitForLog } from '../helpers/docker.js';
import { assertBuilt, cleanup, describeRun, escapeRe, runCli, tempDir } from '../cli/harness.js';

const skip = (Boolean(dockerUnavailable) || !systemDjango) && !process.env['CI'];
const prefix = uniq('cbpseudo');
const n = (s: string): string => `${prefix}-${s}`;
const NET = n('net');
const SUBNET_OCTET = 20 + (process.pid % 200);
const CONTAINER_HOST = 'pay-7.shop.acme.io';
/** A person of this machine (uid ≥ 1000), as the run learns them from /etc/passwd; a made-up one when there is none. */
const PERSON =
  readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((l) => l.split(':'))
    .find((f) => Number(f[2]) >= 1000 && Number(f[2]) < 60000 && (f[0] ?? '').length >= 3)?.[0] ?? undefined;

let dir: string;
let cfg: string;
let project: string;
const bundles: Record<'plain1' | 'plain2' | 'pseudo1' | 'pseudo2', string> = { plain1: '', plain2: '', pseudo1: '', pseudo2: '' };
/** The machine's and the containers' real values that must not survive. */
const reals: { hosts: string[]; ips: string[]; macs: string[]; users: string[] } = { hosts: [], ips: [], macs: [], users: [] };

async function collect(pseudonymize: boolean): Promise<string> {
  const before = new Set(await readdir(dir));
  const r = await runCli(
    [
      'collect',
      '--only',
      'docker,django,system',
      '-o',
      dir,
      '--containers',
      `${prefix}-*`,
      '--django-dir',
      project,
      '--python',
      SYSTEM_PYTHON,
      '-q',
      ...(pseudonymize ? ['--pseudonymize'] : []),
    ],
    { env: { ...runEnv(), DOCKER_HOST, XDG_CONFIG_HOME: cfg }, killAfterMs: 170_000 },
  );
  expect(r.code, describeRun(r)).toBe(0);
  const made = (await readdir(dir)).filter((f) => !before.has(f) && f.endsWith('.tar.gz'));
  expect(made).toHaveLength(1);
  return join(dir, made[0]!);
}

/** `value` as a whole token (a host name inside a longer name, `vm` in `vm.overcommit_memory`, is another name). */
const token = (value: string, flags = ''): RegExp =>
  new RegExp(`(?<![A-Za-z0-9_-])(?<![A-Za-z0-9_-]\\.)${escapeRe(value)}(?![A-Za-z0-9_-])(?!\\.[A-Za-z0-9])`, flags);
const ipToken = (ip: string): RegExp => new RegExp(`(?<![\\d.])${escapeRe(ip)}(?![\\d])`);

/** Every real value found in an entry's name or text: `name: value`. */
function leaks(entries: Map<string, TarEntry>): string[] {
  const found: string[] = [];
  const checks = [
    ...reals.hosts.map((h) => [h, token(h, 'i')] as const),
    ...reals.users.map((u) => [u, token(u)] as const),
    ...reals.users.map((u) => [`/home/${u}`, new RegExp(escapeRe(`/home/${u}`))] as const),
    ...reals.ips.map((ip) => [ip, ipToken(ip)] as const),
    ...reals.macs.map((m) => [m, new RegExp(escapeRe(m), 'i')] as const),
  ];
  for (const [name, e] of entries) {
    const text = e.data.toString('utf8');
    for (const [value, re] of checks) {
      if (re.test(name)) found.push(`entry name ${name}: ${value}`);
      if (re.test(text)) found.push(`${name}: ${value}`);
    }
  }
  return found;
}

describe.skipIf(skip)('--pseudonymize (built CLI, real engine, real Django)', () => {
  beforeAll(async () => {
    assertBuilt();
    dir = await tempDir('cb-pseudo-');
    cfg = await tempDir('cb-pseudo-cfg-');
    project = await copyFixture(join(await tempDir('cb-pseudo-project-'), 'project'));
    await setupDatabase(project);
    await docker('network', 'create', '--subnet', `10.231.${SUBNET_OCTET}.0/24`, NET);
    const say = `deploy by ${PERSON ?? 'nobody'} from /home/${PERSON ?? 'nobody'}/app, mail ops@shop.acme.io, health https://${CONTAINER_HOST}/health`;
    await docker(
      'run',
      '-d',
      '--network',
      NET,
      '--hostname',
      CONTAINER_HOST,
      '--name',
      n('web'),
      TEST_IMAGE,
      'sh',
      '-c',
      `ip addr; echo "${say}"; trap 'exit 0' TERM; while :; do sleep 0.2; done`,
    );
    await docker('run', '-d', '--network', 'none', '--name', n('steady'), TEST_IMAGE, 'sh', '-c', 'while :; do sleep 0.2; done');
    await waitFor(n('web'), (s) => s.Running === true);
    await waitForLog(n('web'), 'deploy by');
    const net = JSON.parse(await docker('inspect', '--format', '{{json .NetworkSettings.Networks}}', n('web'))) as Record<
      string,
      { IPAddress: string; Gateway: string; MacAddress: string }
    >;
    const mine = net[NET]!;
    reals.hosts.push(hostname(), CONTAINER_HOST, 'shop.acme.io');
    reals.ips.push(mine.IPAddress, mine.Gateway, `10.231.${SUBNET_OCTET}.0`);
    reals.macs.push(mine.MacAddress);
    if (PERSON) reals.users.push(PERSON);
    bundles.plain1 = await collect(false);
    bundles.pseudo1 = await collect(true);
    await docker('stop', '-t', '10', n('web'));
    bundles.plain2 = await collect(false);
    bundles.pseudo2 = await collect(true);
  }, 600_000);
  afterAll(async () => {
    if (!skip) {
      await removeContainers(prefix);
      await docker('network', 'rm', NET).catch(() => undefined);
    }
    await cleanup();
  });

  it('a plain bundle holds the real values (so the check below can fail)', async () => {
    const plain = await readBundle(bundles.plain1);
    const found = leaks(plain).join('\n');
    for (const v of [CONTAINER_HOST, reals.ips[0]!, reals.macs[0]!, ...(PERSON ? [`/home/${PERSON}`] : [])]) expect(found).toContain(v);
    expect(found).toContain(`manifest.json: ${hostname()}`);
  });

  it('no real host name, address, MAC, user name or home path is anywhere in a pseudonymized bundle, entry names included', async () => {
    for (const b of [bundles.pseudo1, bundles.pseudo2]) {
      const entries = await readBundle(b);
      expect(leaks(entries)).toEqual([]);
    }
    {
      const entries = await readBundle(bundles.pseudo1);
      const top = [...entries.keys()][0]!.split('/')[0]!;
      expect(top).toMatch(/^collect-bundle-host-[0-9a-f]{4}-\d{8}T\d{6}Z-[a-z0-9]{6}$/);
      const manifest = JSON.parse(fileText(entries, 'manifest.json')) as { host: { hostname: string }; redaction: { pseudonymized?: boolean } };
      expect(manifest.redaction.pseudonymized).toBe(true);
      expect(manifest.host.hostname).toMatch(/^host-[0-9a-f]{4}$/);
      const inspect = fileText(entries, `docker/local/containers/${n('web')}/inspect.json`);
      // Same shapes: a pseudo address in a private /24, the gateway in the same pseudo /24, a MAC, an FQDN.
      const ip = /"IPAddress": "(10\.\d+\.\d+)\.(\d+)"/.exec(inspect);
      const gw = /"Gateway": "(10\.\d+\.\d+)\.1"/.exec(inspect);
      expect(ip?.[1]).toBeDefined();
      expect(gw?.[1]).toBe(ip?.[1]);
      expect(ip?.[2]).toBe(reals.ips[0]!.split('.')[3]);
      expect(inspect).toMatch(/"Hostname": "host-[0-9a-f]{4}\.example"/);
      expect(inspect).toMatch(/"MacAddress": "02(:[0-9a-f]{2}){5}"/);
    }
  });

  it('the same value gets the same pseudonym in both runs, and the map (0600) lives next to the key, not in the bundle', async () => {
    const a = fileText(await readBundle(bundles.pseudo1), `docker/local/containers/${n('web')}/inspect.json`);
    const b = fileText(await readBundle(bundles.pseudo2), `docker/local/containers/${n('web')}/inspect.json`);
    const hostOf = (t: string): string | undefined => /"Hostname": "(host-[0-9a-f]{4}\.example)"/.exec(t)?.[1];
    expect(hostOf(a)).toBeDefined();
    expect(hostOf(a)).toBe(hostOf(b));
    const top = async (b: string): Promise<string> => [...(await readBundle(b)).keys()][0]!.split('-').slice(2, 4).join('-');
    expect(await top(bundles.pseudo1)).toBe(await top(bundles.pseudo2));
    const files = await readdir(join(cfg, 'collect-bundle'));
    const map = files.find((f) => /^pseudonyms-[0-9a-f]{12}\.json$/.test(f));
    expect(map).toBeDefined();
    expect((await stat(join(cfg, 'collect-bundle', map!))).mode & 0o777).toBe(0o600);
    const entries = await readBundle(bundles.pseudo1);
    expect([...entries.keys()].some((k) => k.includes('pseudonyms'))).toBe(false);
  });

  it('diff of two pseudonymized bundles shows the same changes as of two plain ones', async () => {
    const plain = await runCli(['diff', bundles.plain1, bundles.plain2]);
    const pseudo = await runCli(['diff', bundles.pseudo1, bundles.pseudo2]);
    expect(pseudo.code, describeRun(pseudo)).toBe(plain.code);
    expect(plain.stdout).toContain(`~ local/${n('web')}: running → exited`);
    // Only the bundle names (the host's pseudonym, their times) differ, and the machine's load (memory,
    // disk) that moves between any two runs.
    const body = (out: string): string[] => out.split('\n').filter((l) => !/collect-bundle-|^Resources$|^ {4}(memory|disk|load|cpu)\b/.test(l));
    expect(body(pseudo.stdout)).toEqual(body(plain.stdout));
  });

  it('unmask restores the container log of a pseudonymized bundle to the plain one', async () => {
    const log = `docker/local/containers/${n('web')}/logs.txt`;
    const pseudoLog = fileText(await readBundle(bundles.pseudo1), log);
    const plainLog = fileText(await readBundle(bundles.plain1), log);
    expect(pseudoLog).not.toBe(plainLog);
    const reply = join(dir, 'reply.txt');
    await writeFile(reply, pseudoLog);
    const r = await runCli(['unmask', reply], { env: { XDG_CONFIG_HOME: cfg } });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout).toBe(plainLog);
    expect(r.stderr).toMatch(/^collect-bundle: \d+ pseudonyms? replaced\n$/);
  });

  it('unmask without a map is a usage error naming the fix', async () => {
    const empty = await tempDir('cb-pseudo-nomap-');
    const r = await runCli(['unmask', join(dir, 'reply.txt')], { env: { XDG_CONFIG_HOME: empty } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^collect-bundle: no pseudonym map next to .*--map FILE/);
    expect(r.stdout).toBe('');
  });
});
