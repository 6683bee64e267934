// Room: docker (src/docker/) — may import core (the rule: tests/architecture.test.ts).
/**
 * Which Docker engines a run talks to, resolved the way the docker CLI resolves them:
 *
 *   1. `--docker-host` (repeatable): URLs (`unix://`, `tcp://`, `ssh://`) or names of docker contexts;
 *   2. else `DOCKER_HOST`;
 *   3. else the current docker context: `DOCKER_CONTEXT`, else `currentContext` in
 *      `$DOCKER_CONFIG/config.json` (default `~/.docker`), read from the context's metadata;
 *   4. else the local socket `/var/run/docker.sock`.
 *
 * TLS for `tcp://` comes from the `--tls*` options, else `DOCKER_TLS_VERIFY`/`DOCKER_TLS` and
 * `DOCKER_CERT_PATH` (as the docker CLI reads them), or from a context's stored TLS material. Only file
 * paths are kept here; the files are read when a client is made (docker-client.ts).
 *
 * Every endpoint gets a stable, unique `label`: its folder under `docker/` in the bundle.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { DockerEndpoint, DockerTls, TlsFlags } from '../core/types.js';

export type { TlsFlags };

/** The default local socket, as the docker CLI uses it. */
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

export interface EndpointSettings {
  /** `--docker-host` values, in the order given. */
  readonly hosts?: readonly string[];
  readonly tls?: TlsFlags;
  /**
   * Engines named elsewhere (container_manager executor hosts, `--executor-hosts`), collected besides
   * the ones above; one whose URL is already among them is not added twice.
   */
  readonly extra?: readonly ExtraEndpoint[];
}

/** An engine named by data rather than by the user: a malformed URL becomes that engine's failure. */
export interface ExtraEndpoint {
  readonly url: string;
  /** Where it came from, e.g. `executor host "docker-eu"`. */
  readonly source: string;
  /** The row's own TLS settings (`tls_enabled`, `tls_verify`); certificates from DOCKER_CERT_PATH. */
  readonly tls?: { readonly enabled: boolean; readonly verify: boolean };
}

/** A `--docker-host` value that cannot be used: the CLI turns it into a usage error (exit 2). */
export class EndpointError extends Error {
  override name = 'EndpointError';
}

type Env = Readonly<Record<string, string | undefined>>;

/** Resolves the engines to talk to. Throws EndpointError for a bad `--docker-host` value. */
export function resolveDockerEndpoints(env: Env, settings: EndpointSettings = {}): DockerEndpoint[] {
  const hosts = (settings.hosts ?? []).map((h) => h.trim()).filter(Boolean);
  const found: Omit<DockerEndpoint, 'label'>[] = [];
  if (hosts.length > 0) {
    for (const host of hosts) {
      if (isUrlLike(host)) {
        const url = checkUrl(host, '--docker-host', (m) => new EndpointError(m));
        found.push({ url, source: '--docker-host', ...tlsFor(url, env, settings.tls) });
      } else {
        // Not a URL: the name of a docker context, so several contexts can be collected in one run.
        const ctx = readContext(env, host, '--docker-host');
        if ('error' in ctx) throw new EndpointError(`--docker-host "${host}" is neither a URL (unix://, tcp://, ssh://) nor a docker context: ${ctx.error}`);
        found.push(ctx.endpoint);
      }
    }
  } else if (env['DOCKER_HOST']?.trim()) {
    found.push(fromUntrusted(env['DOCKER_HOST'].trim(), 'DOCKER_HOST', env, settings.tls));
  } else {
    const name = currentContextName(env);
    if (name && name.value !== 'default') {
      const ctx = readContext(env, name.value, name.source);
      found.push('error' in ctx ? { url: '', source: `context "${name.value}" (from ${name.source})`, context: name.value, error: ctx.error } : ctx.endpoint);
    } else {
      found.push({ url: `unix://${DEFAULT_DOCKER_SOCKET}`, source: 'default' });
    }
  }
  const same = (a: string, b: string): boolean => a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();
  for (const x of settings.extra ?? []) {
    const e = extraEndpoint(x, env);
    if (!found.some((f) => f.url && same(f.url, e.url))) found.push(e);
  }
  return assignLabels(found);
}

/** An executor host's engine: its URL checked like DOCKER_HOST's, TLS as the row says (not as the environment says). */
function extraEndpoint(x: ExtraEndpoint, env: Env): Omit<DockerEndpoint, 'label'> {
  let url: string;
  try {
    url = checkUrl(x.url.trim(), x.source, (m) => new Error(m));
  } catch (err) {
    return { url: x.url, source: x.source, error: (err as Error).message };
  }
  const tcp = /^(tcp|https):/.test(url);
  if (!tcp || !(x.tls?.enabled || url.startsWith('https:'))) return { url, source: x.source };
  const verify = x.tls?.verify ?? false;
  return { url, source: x.source, tls: certFiles(env, undefined, verify, `${x.source} (tls_enabled${verify ? ', tls_verify' : ''})`) };
}

/** An endpoint from the environment: a malformed value is recorded as that engine's failure, not a crash. */
function fromUntrusted(value: string, source: string, env: Env, flags: TlsFlags | undefined): Omit<DockerEndpoint, 'label'> {
  try {
    const url = checkUrl(value, source, (m) => new Error(m));
    return { url, source, ...tlsFor(url, env, flags) };
  } catch (err) {
    return { url: value, source, error: (err as Error).message };
  }
}

const isUrlLike = (s: string): boolean => s.includes('://') || s.startsWith('/');

/** Normalises and validates an engine URL; `fail` builds the error to throw. */
export function checkUrl(raw: string, source: string, fail: (message: string) => Error): string {
  const value = raw.startsWith('/') ? `unix://${raw}` : raw;
  const hint = 'use unix:///path/to/docker.sock, tcp://host:port or ssh://user@host';
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw fail(`invalid Docker host "${raw}" (from ${source}): ${hint}`);
  }
  switch (parsed.protocol) {
    case 'unix:':
      if (!parsed.pathname || parsed.pathname === '/') throw fail(`invalid Docker host "${raw}" (from ${source}): no socket path; ${hint}`);
      return value;
    case 'tcp:':
    case 'http:':
    case 'https:':
    case 'ssh:':
      if (!parsed.hostname) throw fail(`invalid Docker host "${raw}" (from ${source}): no host name; ${hint}`);
      if (parsed.protocol === 'ssh:' && parsed.password)
        throw fail(`invalid Docker host "${raw}" (from ${source}): passwords in ssh:// URLs are not supported; use a key or ssh-agent`);
      return value;
    default:
      throw fail(`unsupported Docker host "${raw}" (from ${source}): ${hint}`);
  }
}

/**
 * TLS settings for a tcp endpoint named by a flag or DOCKER_HOST (not a context), as the docker CLI
 * derives them: `--tlsverify` (default: DOCKER_TLS_VERIFY set) implies TLS; `--tls` (default: DOCKER_TLS
 * set) is TLS without verifying the engine. Naming a certificate file also turns TLS on.
 */
function tlsFor(url: string, env: Env, flags: TlsFlags | undefined): { tls?: DockerTls } {
  const protocol = url.slice(0, url.indexOf(':'));
  if (protocol !== 'tcp' && protocol !== 'https') return {};
  const envVerify = Boolean(env['DOCKER_TLS_VERIFY']?.trim());
  const fromFlags = flags?.verify !== undefined || Boolean(flags?.tls || flags?.ca || flags?.cert || flags?.key);
  // An https:// URL asks for TLS; verify it unless the user explicitly chose --tls alone.
  const verify = flags?.verify ?? (envVerify || (protocol === 'https' && !flags?.tls));
  const tls = protocol === 'https' || verify || Boolean(flags?.tls || env['DOCKER_TLS']?.trim() || flags?.ca || flags?.cert || flags?.key);
  if (!tls) return {};
  return { tls: certFiles(env, flags, verify, fromFlags ? '--tls options' : protocol === 'https' ? 'https:// URL' : 'DOCKER_TLS_VERIFY/DOCKER_CERT_PATH') };
}

function certFiles(env: Env, flags: TlsFlags | undefined, verify: boolean, from: string): DockerTls {
  const dir = env['DOCKER_CERT_PATH']?.trim() || dockerConfigDir(env);
  const pick = (given: string | undefined, file: string): string | undefined => given ?? (existsSync(join(dir, file)) ? join(dir, file) : undefined);
  const ca = pick(flags?.ca, 'ca.pem');
  const cert = pick(flags?.cert, 'cert.pem');
  const key = pick(flags?.key, 'key.pem');
  // With verification on, a missing CA must fail loudly rather than silently trust the system store.
  const caPath = ca ?? (verify ? join(dir, 'ca.pem') : undefined);
  return { verify, ...(caPath ? { ca: caPath } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), from };
}

/** `$DOCKER_CONFIG`, else `~/.docker` (HOME from the run's environment first). */
export function dockerConfigDir(env: Env): string {
  return env['DOCKER_CONFIG']?.trim() || join(env['HOME']?.trim() || homedir(), '.docker');
}

/** The context the docker CLI would use when neither -H nor DOCKER_HOST is set. */
function currentContextName(env: Env): { value: string; source: string } | undefined {
  const fromEnv = env['DOCKER_CONTEXT']?.trim();
  if (fromEnv) return { value: fromEnv, source: 'DOCKER_CONTEXT' };
  const file = join(dockerConfigDir(env), 'config.json');
  try {
    const config = JSON.parse(readFileSync(file, 'utf8')) as { currentContext?: unknown };
    if (typeof config.currentContext === 'string' && config.currentContext.trim())
      return { value: config.currentContext.trim(), source: `currentContext in ${file}` };
  } catch {
    // No or unreadable config: the docker CLI falls back to the default context too.
  }
  return undefined;
}

interface ContextMeta {
  Name?: string;
  Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } };
}

/** Reads a docker context's metadata (and TLS files) as `docker context inspect` would. */
export function readContext(env: Env, name: string, via: string): { endpoint: Omit<DockerEndpoint, 'label'> } | { error: string } {
  const source = `context "${name}" (from ${via})`;
  if (name === 'default') return { endpoint: { url: `unix://${DEFAULT_DOCKER_SOCKET}`, source, context: name } };
  const base = join(dockerConfigDir(env), 'contexts');
  const id = createHash('sha256').update(name).digest('hex');
  const metaFile = join(base, 'meta', id, 'meta.json');
  let meta: ContextMeta;
  try {
    meta = JSON.parse(readFileSync(metaFile, 'utf8')) as ContextMeta;
  } catch (err) {
    const code = (err as { code?: string }).code;
    return {
      error:
        code === 'ENOENT'
          ? `docker context "${name}" does not exist (no ${metaFile}); list them with: docker context ls`
          : `cannot read ${metaFile}: ${(err as Error).message}`,
    };
  }
  const host = meta.Endpoints?.docker?.Host?.trim();
  if (!host) return { error: `docker context "${name}" has no Docker endpoint (${metaFile})` };
  let url: string;
  try {
    url = checkUrl(host, source, (m) => new Error(m));
  } catch (err) {
    return { error: (err as Error).message };
  }
  const tlsDir = join(base, 'tls', id, 'docker');
  const file = (f: string): string | undefined => (existsSync(join(tlsDir, f)) ? join(tlsDir, f) : undefined);
  const [ca, cert, key] = [file('ca.pem'), file('cert.pem'), file('key.pem')];
  const tcp = url.startsWith('tcp:') || url.startsWith('https:');
  const tls: DockerTls | undefined =
    tcp && (ca || cert || key || url.startsWith('https:'))
      ? { verify: !meta.Endpoints?.docker?.SkipTLSVerify, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), from: `context "${name}"` }
      : undefined;
  return { endpoint: { url, source, context: name, ...(tls ? { tls } : {}) } };
}

/** Gives each endpoint a folder label: `local`, a context name, `host-port`; made unique with `-2`, `-3`. */
function assignLabels(endpoints: readonly Omit<DockerEndpoint, 'label'>[]): DockerEndpoint[] {
  const used = new Set<string>();
  return endpoints.map((e) => {
    const base = baseLabel(e);
    let label = base;
    for (let n = 2; used.has(label.toLowerCase()); n++) label = `${base}-${n}`;
    used.add(label.toLowerCase());
    return { ...e, label };
  });
}

function baseLabel(e: Omit<DockerEndpoint, 'label'>): string {
  if (e.context && e.context !== 'default') return sanitiseLabel(e.context);
  try {
    const u = new URL(e.url);
    if (u.protocol === 'unix:') return 'local';
    const host = u.hostname.replace(/^\[|\]$/g, '');
    return sanitiseLabel(u.port ? `${host}-${u.port}` : host);
  } catch {
    return 'invalid';
  }
}

/** Letters, digits, `_`, `.` and `-` only, at most 64 characters: safe as a folder name everywhere. */
export function sanitiseLabel(text: string): string {
  const s = text
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, 64);
  return s || 'engine';
}

/** Host, port and user of an ssh:// endpoint (for the ssh transport and for tests). */
export function parseSshUrl(url: string): { user?: string; host: string; port?: number } {
  const u = new URL(url);
  if (u.protocol !== 'ssh:') throw new Error(`not an ssh:// URL: ${url}`);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return { host, ...(u.username ? { user: decodeURIComponent(u.username) } : {}), ...(u.port ? { port: Number(u.port) } : {}) };
}
