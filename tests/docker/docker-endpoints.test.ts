/** Which engines a run talks to: flags, DOCKER_HOST, docker contexts, TLS, ssh, labels. No engine needed. */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDockerClient } from '../../src/docker/client.js';
import { EndpointError, parseSshUrl, resolveDockerEndpoints } from '../../src/docker/endpoints.js';
import { sshArgv } from '../../src/docker/ssh.js';

const home = mkdtempSync(join(tmpdir(), 'cb-endpoints-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** A docker config dir with contexts, as `docker context create` writes it. */
function dockerConfig(name: string, contexts: Record<string, { host: string; skipTls?: boolean; tlsFiles?: string[] }>, current?: string): string {
  const dir = join(home, name);
  mkdirSync(dir, { recursive: true });
  for (const [ctx, c] of Object.entries(contexts)) {
    const id = createHash('sha256').update(ctx).digest('hex');
    mkdirSync(join(dir, 'contexts', 'meta', id), { recursive: true });
    writeFileSync(join(dir, 'contexts', 'meta', id, 'meta.json'), JSON.stringify({ Name: ctx, Metadata: {}, Endpoints: { docker: { Host: c.host, SkipTLSVerify: c.skipTls ?? false } } }));
    if (c.tlsFiles) {
      mkdirSync(join(dir, 'contexts', 'tls', id, 'docker'), { recursive: true });
      for (const f of c.tlsFiles) writeFileSync(join(dir, 'contexts', 'tls', id, 'docker', f), 'pem');
    }
  }
  writeFileSync(join(dir, 'config.json'), JSON.stringify(current ? { currentContext: current } : {}));
  return dir;
}

const config = dockerConfig('cfg', { exec1: { host: 'tcp://exec1.example:2376', tlsFiles: ['ca.pem', 'cert.pem', 'key.pem'] }, lab: { host: 'ssh://ci@lab.example:2222' }, broken: { host: 'nonsense' } }, 'exec1');
const empty = dockerConfig('empty', {});

describe('resolveDockerEndpoints: where the engine is', () => {
  it('defaults to the local socket when nothing says otherwise', () => {
    expect(resolveDockerEndpoints({ DOCKER_CONFIG: empty })).toEqual([{ url: 'unix:///var/run/docker.sock', source: 'default', label: 'local' }]);
  });

  it('takes DOCKER_HOST over any context (a bare path is a socket)', () => {
    expect(resolveDockerEndpoints({ DOCKER_CONFIG: config, DOCKER_CONTEXT: 'lab', DOCKER_HOST: '/run/docker.sock' })).toEqual([{ url: 'unix:///run/docker.sock', source: 'DOCKER_HOST', label: 'local' }]);
  });

  it('takes DOCKER_CONTEXT over currentContext in config.json, and reads the context metadata', () => {
    expect(resolveDockerEndpoints({ DOCKER_CONFIG: config, DOCKER_CONTEXT: 'lab' })).toEqual([{ url: 'ssh://ci@lab.example:2222', source: 'context "lab" (from DOCKER_CONTEXT)', context: 'lab', label: 'lab' }]);
  });

  it('uses currentContext with the TLS material stored for it', () => {
    const [e] = resolveDockerEndpoints({ DOCKER_CONFIG: config });
    const id = createHash('sha256').update('exec1').digest('hex');
    const tls = join(config, 'contexts', 'tls', id, 'docker');
    expect(e).toEqual({
      url: 'tcp://exec1.example:2376',
      source: `context "exec1" (from currentContext in ${join(config, 'config.json')})`,
      context: 'exec1',
      label: 'exec1',
      tls: { verify: true, ca: join(tls, 'ca.pem'), cert: join(tls, 'cert.pem'), key: join(tls, 'key.pem'), from: 'context "exec1"' },
    });
  });

  it('records a context that cannot be used as a failed engine, not a crash', () => {
    const [missing] = resolveDockerEndpoints({ DOCKER_CONFIG: config, DOCKER_CONTEXT: 'nope' });
    expect(missing).toMatchObject({ source: 'context "nope" (from DOCKER_CONTEXT)', label: 'nope' });
    expect(missing!.error).toMatch(/docker context "nope" does not exist.*docker context ls/);
    const [broken] = resolveDockerEndpoints({ DOCKER_CONFIG: config, DOCKER_CONTEXT: 'broken' });
    expect(broken!.error).toMatch(/invalid Docker host "nonsense" \(from context "broken" \(from DOCKER_CONTEXT\)\)/);
  });

  it('records a malformed DOCKER_HOST with the value and where it came from', () => {
    const [e] = resolveDockerEndpoints({ DOCKER_HOST: 'garbage' });
    expect(e).toMatchObject({ url: 'garbage', source: 'DOCKER_HOST' });
    expect(e!.error).toBe('invalid Docker host "garbage" (from DOCKER_HOST): use unix:///path/to/docker.sock, tcp://host:port or ssh://user@host');
  });

  it('takes every --docker-host, in order, with unique folder labels', () => {
    const got = resolveDockerEndpoints({ DOCKER_HOST: 'tcp://ignored:1', DOCKER_CONFIG: config }, { hosts: ['unix:///a.sock', '/b.sock', 'tcp://10.0.0.7:2375', 'tcp://10.0.0.7:2375', 'ssh://me@box', 'lab'] });
    expect(got.map((e) => [e.label, e.url, e.source])).toEqual([
      ['local', 'unix:///a.sock', '--docker-host'],
      ['local-2', 'unix:///b.sock', '--docker-host'],
      ['10.0.0.7-2375', 'tcp://10.0.0.7:2375', '--docker-host'],
      ['10.0.0.7-2375-2', 'tcp://10.0.0.7:2375', '--docker-host'],
      ['box', 'ssh://me@box', '--docker-host'],
      ['lab', 'ssh://ci@lab.example:2222', 'context "lab" (from --docker-host)'],
    ]);
  });

  it('refuses a --docker-host that is neither a URL nor a context (a usage error)', () => {
    expect(() => resolveDockerEndpoints({ DOCKER_CONFIG: config }, { hosts: ['nope'] })).toThrow(EndpointError);
    expect(() => resolveDockerEndpoints({}, { hosts: ['ftp://x'] })).toThrow(/unsupported Docker host "ftp:\/\/x" \(from --docker-host\)/);
    expect(() => resolveDockerEndpoints({}, { hosts: ['unix://'] })).toThrow(/no socket path/);
    expect(() => resolveDockerEndpoints({}, { hosts: ['ssh://me:pw@box'] })).toThrow(/passwords in ssh:\/\/ URLs are not supported/);
  });
});

describe('TLS as the docker CLI derives it', () => {
  const certs = join(home, 'certs');
  mkdirSync(certs, { recursive: true });
  for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(certs, f), 'pem');

  it('is off for plain tcp:// without DOCKER_TLS_VERIFY or --tls', () => {
    expect(resolveDockerEndpoints({ DOCKER_HOST: 'tcp://h:2375' })[0]!.tls).toBeUndefined();
  });

  it('DOCKER_TLS_VERIFY + DOCKER_CERT_PATH: verify against the CA with the client certificate', () => {
    expect(resolveDockerEndpoints({ DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs })[0]!.tls).toEqual({
      verify: true,
      ca: join(certs, 'ca.pem'),
      cert: join(certs, 'cert.pem'),
      key: join(certs, 'key.pem'),
      from: 'DOCKER_TLS_VERIFY/DOCKER_CERT_PATH',
    });
  });

  it('--tls alone: TLS without verification; --tlsverify with explicit files', () => {
    expect(resolveDockerEndpoints({ DOCKER_CERT_PATH: certs }, { hosts: ['tcp://h:2376'], tls: { tls: true } })[0]!.tls).toMatchObject({ verify: false, from: '--tls options' });
    expect(resolveDockerEndpoints({}, { hosts: ['tcp://h:2376'], tls: { verify: true, ca: '/x/ca.pem', cert: '/x/c.pem', key: '/x/k.pem' } })[0]!.tls).toEqual({
      verify: true,
      ca: '/x/ca.pem',
      cert: '/x/c.pem',
      key: '/x/k.pem',
      from: '--tls options',
    });
  });

  it('is never applied to unix sockets or ssh', () => {
    const got = resolveDockerEndpoints({ DOCKER_TLS_VERIFY: '1' }, { hosts: ['unix:///s.sock', 'ssh://box'] });
    expect(got.map((e) => e.tls)).toEqual([undefined, undefined]);
  });

  it('a missing certificate fails that engine with the file named, before connecting', async () => {
    const [e] = resolveDockerEndpoints({ DOCKER_HOST: 'tcp://127.0.0.1:9', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: join(home, 'no-certs') });
    const client = createDockerClient(e!);
    await expect(client.version(AbortSignal.timeout(5_000))).rejects.toThrow(new RegExp(`cannot read the TLS CA certificate ${join(home, 'no-certs', 'ca.pem')}.*DOCKER_CERT_PATH`));
    client.close();
  });

  it('an endpoint recorded as invalid fails its engine with that reason', async () => {
    const client = createDockerClient(resolveDockerEndpoints({ DOCKER_HOST: 'garbage' })[0]!);
    await expect(client.ping(AbortSignal.timeout(5_000))).rejects.toThrow(/invalid Docker host "garbage" \(from DOCKER_HOST\)/);
  });
});

describe('ssh:// endpoints', () => {
  it('parses user, host and port', () => {
    expect(parseSshUrl('ssh://ci@exec1.example:2222')).toEqual({ user: 'ci', host: 'exec1.example', port: 2222 });
    expect(parseSshUrl('ssh://exec1')).toEqual({ host: 'exec1' });
    expect(parseSshUrl('ssh://me@[::1]:22')).toEqual({ user: 'me', host: '::1', port: 22 });
  });

  it('runs the system ssh like the docker CLI: no prompts, dial-stdio on the remote side', () => {
    expect(sshArgv('ssh://ci@exec1:2222')).toEqual(['ssh', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=15', '-T', '-l', 'ci', '-p', '2222', '--', 'exec1', 'docker', 'system', 'dial-stdio']);
  });

  it('labels an ssh engine by its host (and port)', () => {
    expect(resolveDockerEndpoints({}, { hosts: ['ssh://ci@exec1', 'ssh://ci@exec1:2222'] }).map((e) => e.label)).toEqual(['exec1', 'exec1-2222']);
  });
});
