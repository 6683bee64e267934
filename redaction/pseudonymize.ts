/**
 * Pseudonymization (`--pseudonymize`): host and domain names, IPv4/IPv6 and MAC addresses, user names,
 * home directories and e-mail addresses are replaced by stable, shape-preserving pseudonyms
 * (`host-7f3a.example`, `10.83.201.4`, `02:5c:…`, `user-91c2`) after the secrets are redacted, in the
 * same stream, so no file with the real values is ever written. A pseudonym is an HMAC of the value
 * under the per-installation redaction key (pseudonym-map.ts): the same everywhere. Text from the system
 * is real through and through: a value equal to a pseudonym issued before (another run's pseudo /24) is a
 * real value and gets a pseudonym of its own, so it never passes as it is. Only a re-pass (`repass`: a
 * late pass over a spooled file, the root files built from spooled ones) leaves the map's pseudonyms as
 * they are, so a re-pass over pseudonymized text changes nothing.
 *
 * What is kept, because it says nothing about the machine and much about the problem: loopback,
 * link-local, documentation and multicast addresses, 0.0.0.0 and netmasks; the last octet of an IPv4
 * address (`.1` gateways stay recognisable; two addresses of one /24 land in one pseudo /24); system
 * accounts (uid < 1000) and common service account names; single-label URL hosts (`db`, `redis`:
 * Compose service names); `localhost` and the reserved example domains; a few public software domains.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { type PseudonymKind, PseudonymMap } from './pseudonym-map.js';

/** Host names that are never pseudonymized (and their subdomains). */
const KEEP_DOMAINS = [
  'localhost',
  'example',
  'example.com',
  'example.org',
  'example.net',
  'test',
  'invalid',
  'djangoproject.com',
  'docker.com',
  'docker.io',
  'python.org',
  'pypi.org',
  'github.com',
  'githubusercontent.com',
  'debian.org',
  'ubuntu.com',
  'googleapis.com',
];

/** User names that are never pseudonymized: system and service accounts say nothing about a person. */
const KEEP_USERS = new Set(
  'root nobody daemon bin sys sync games man lp mail news uucp proxy www-data backup list irc gnats systemd-network systemd-resolve messagebus sshd ubuntu debian admin user app web django postgres mysql redis docker nginx celery node python'.split(
    ' ',
  ),
);

const HOST_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/** True for a host name (not an address, not `*`), lowercased check. */
function isHostName(name: string): boolean {
  if (name.length > 253 || isIPv4(name) || isIPv6(name)) return false;
  const labels = name.split('.');
  return labels.every((l) => HOST_LABEL.test(l)) && !/^\d+$/.test(labels[labels.length - 1]!);
}

const kept = (name: string): boolean => {
  const n = name.toLowerCase().replace(/\.$/, '');
  return KEEP_DOMAINS.some((d) => n === d || n.endsWith(`.${d}`)) || n.endsWith('.localhost');
};

/** IPv4 addresses left as they are: loopback, this-network, link-local, documentation, multicast and up, netmasks. */
function keptIPv4(ip: string): boolean {
  const [a, b, c] = ip.split('.').map(Number) as [number, number, number, number];
  return (
    a === 0 ||
    a === 127 ||
    a >= 224 ||
    (a === 169 && b === 254) ||
    (a === 192 && b === 0 && c === 2) ||
    (a === 198 && b === 51 && c === 100) ||
    (a === 203 && b === 0 && c === 113) ||
    (a === 255 && b === 255)
  );
}

/** First octets a public pseudo /24 may take: none of the special ranges. */
const PUBLIC_FIRST = Array.from({ length: 223 }, (_, i) => i + 1).filter((a) => ![10, 100, 127, 169, 172, 192, 198, 203].includes(a));

/** A pseudo /24 in the same class as `net` (`a.b.c`): private stays private, public stays public. */
function pseudoNet4(net: string, hex: string): string {
  const [a, b] = net.split('.').map(Number) as [number, number, number];
  const h = (i: number): number => Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  if (a === 10) return `10.${h(0)}.${h(1)}`;
  if (a === 172 && b >= 16 && b < 32) return `172.${16 + (h(0) % 16)}.${h(1)}`;
  if (a === 192 && b === 168) return `192.168.${h(0)}`;
  if (a === 100 && b >= 64 && b < 128) return `100.${64 + (h(0) % 64)}.${h(1)}`;
  return `${PUBLIC_FIRST[(h(0) * 256 + h(1)) % PUBLIC_FIRST.length]}.${h(2)}.${h(3)}`;
}

/** The 8 groups of an IPv6 address (expanded, lowercase), or undefined. */
function ipv6Groups(ip: string): string[] | undefined {
  if (!isIPv6(ip) || ip.includes('.')) return undefined;
  const [head, tail] = ip.toLowerCase().split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail === undefined ? [] : tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array.from({ length: 8 - h.length - t.length }, () => '0');
  const groups = [...h, ...fill, ...t].map((g) => g.padStart(4, '0'));
  return groups.length === 8 ? groups : undefined;
}

/** IPv6 addresses left as they are: unspecified, loopback, link-local, documentation, multicast. */
function keptIPv6(g: readonly string[]): boolean {
  const first = Number.parseInt(g[0]!, 16);
  return g.every((x, i) => x === '0000' || (i === 7 && x === '0001')) || (first & 0xffc0) === 0xfe80 || first >= 0xff00 || (g[0] === '2001' && g[1] === '0db8');
}

/** What is found structurally in a line, each run only when the line has its telltale character. */
const URL_RE = /(?<url>\b[a-z][a-z0-9+.-]*:\/\/(?:[^\s/@"'<>]*@)?)(?<urlhost>[a-z0-9][a-z0-9.-]*[a-z0-9])/gi;
const EMAIL_RE = /(?<![A-Za-z0-9._%+-])(?<local>[a-z0-9][a-z0-9._%+-]*)@(?<domain>[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})(?![a-z0-9-])/gi;
const MAC_RE = /(?<![0-9a-f:-])[0-9a-f]{2}([:-])[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}(?![0-9a-f:-])/gi;
// A run of hex digits and colons with two colons at least, checked with isIPv6 (`::ffff:1.2.3.4` is left to IPv4).
const IP6_RE = /(?<![0-9a-z:.])(?=[0-9a-f]*:[0-9a-f]*:)[0-9a-f:]{2,39}(?![0-9a-z:]|\.\d)/gi;
const IP4_RE = /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?!\.?\d)/g;
const HOME_RE = /(?<=\/home\/)[a-z_][a-z0-9_.-]*/gi;

/** An /etc/passwd line: name:pw:uid:gid:gecos:home:shell. */
const PASSWD = /^([A-Za-z_][A-Za-z0-9_.-]*\$?):[^:\n]*:(\d+):(\d+):[^:\n]*:(\/[^:\n]*):[^:\n]*$/;

/** Values a line offers to learn: quoted strings on an ALLOWED_HOSTS line; `"Hostname"`/`"Domainname"`/`"Name"` JSON values. */
const QUOTED = /["']([^"'\s]+)["']/g;
const JSON_HOST = /"(Hostname|Domainname|Name)"\s*:\s*"([^"]+)"/g;

const EMAIL_DOMAIN = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})(?![A-Za-z0-9-])/g;
const URL_HOST = /\b[a-z][a-z0-9+.-]*:\/\/(?:[^\s/@"'<>]*@)?([a-z0-9][a-z0-9.-]*[a-z0-9])/gi;

/** Per-file state: inside a multi-line ALLOWED_HOSTS list; whether the text is a re-pass. */
export interface PseudonymizeState {
  allowedHosts: boolean;
  /**
   * The text may hold this map's pseudonyms already (it was pseudonymized before, in part or whole):
   * they are left as they are. Off, every value is real, even one that equals a pseudonym.
   */
  readonly repass?: boolean;
}

export interface PseudonymizerOptions {
  readonly map: PseudonymMap;
  /** Host names known before the first byte (the system host name). */
  readonly hosts?: readonly string[];
  /** User names known before the first byte (uid ≥ 1000 accounts, the current user). */
  readonly users?: readonly string[];
}

/** Replaces host names, addresses and people in text by their pseudonyms. One per run. */
export class Pseudonymizer {
  readonly map: PseudonymMap;
  readonly #hosts = new Set<string>();
  readonly #domains = new Set<string>();
  readonly #users = new Set<string>();
  #version = 0;
  #hostRe: RegExp | undefined;
  #userRe: RegExp | undefined;
  #compiled = -1;
  readonly #addresses = new Map<string, string>();
  /** Set while a re-pass line is processed (see PseudonymizeState.repass). */
  #repass = false;

  constructor(options: PseudonymizerOptions) {
    this.map = options.map;
    for (const h of options.hosts ?? []) this.learnHost(h);
    for (const u of options.users ?? []) this.learnUser(u);
  }

  /** Changes whenever a name is learned: files written before need another pass (the writer's late pass). */
  get version(): number {
    return this.#version;
  }

  /** Adds a host name (an FQDN's domain too); true when it is new. */
  learnHost(raw: string): boolean {
    const name = raw.toLowerCase().replace(/\.$/, '');
    const isDomain = name.startsWith('.');
    const bare = isDomain ? name.slice(1) : name;
    if (!isHostName(bare) || kept(bare) || this.#isPseudo('host', bare)) return false;
    let added = false;
    if (!isDomain && !this.#hosts.has(bare)) {
      this.#hosts.add(bare);
      added = true;
    }
    const dot = bare.indexOf('.');
    const domain = isDomain ? bare : dot > 0 && bare.indexOf('.', dot + 1) > 0 ? bare.slice(dot + 1) : undefined;
    if (domain && !kept(domain) && !this.#domains.has(domain)) {
      this.#domains.add(domain);
      added = true;
    }
    if (added) this.#version++;
    return added;
  }

  /** Adds a user name; true when it is new. System and service accounts are never learned. */
  learnUser(name: string): boolean {
    if (name.length < 3 || KEEP_USERS.has(name) || !/^[A-Za-z_][A-Za-z0-9_.-]*\$?$/.test(name) || this.#isPseudo('user', name) || this.#users.has(name))
      return false;
    this.#users.add(name);
    this.#version++;
    return true;
  }

  /** The pseudonym of a host name: `host-7f3a` for a single label, `host-7f3a.example` for an FQDN. */
  host(name: string): string {
    const n = name.toLowerCase();
    if (this.#isPseudo('host', n)) return n;
    const fqdn = n.includes('.');
    return this.map.pseudonym('host', n, (hex) => `host-${hex.slice(0, 4)}${fqdn ? '.example' : ''}`);
  }

  /** The pseudonym of a user name: `user-91c2`. */
  user(name: string): string {
    if (this.#isPseudo('user', name)) return name;
    return this.map.pseudonym('user', name, (hex) => `user-${hex.slice(0, 4)}`);
  }

  /** Pseudonymizes a whole text (any number of lines); `repass` when it may hold pseudonyms already. */
  text(text: string, file = '', repass = false): string {
    const state: PseudonymizeState = { allowedHosts: false, repass };
    return text
      .split('\n')
      .map((l) => this.line(l, file, state))
      .join('\n');
  }

  /** Pseudonymizes one line (without its newline): learns from it first, then replaces. */
  line(line: string, file: string, state: PseudonymizeState): string {
    const outer = this.#repass;
    this.#repass = state.repass === true;
    try {
      return this.#line(line, file, state);
    } finally {
      this.#repass = outer;
    }
  }

  #line(line: string, file: string, state: PseudonymizeState): string {
    this.#learn(line, file, state);
    let out = line;
    if (out.includes('://')) out = out.replace(URL_RE, (m, ...a) => this.#url(m, a[a.length - 1] as Record<string, string>));
    if (out.includes('@')) out = out.replace(EMAIL_RE, (m, ...a) => this.#email(m, a[a.length - 1] as Record<string, string>));
    if (out.includes(':')) out = out.replace(MAC_RE, (m) => this.#cached('m', m, this.#mac)).replace(IP6_RE, (m) => this.#cached('6', m, this.#ip6));
    if (out.includes('.')) out = out.replace(IP4_RE, (m) => this.#cached('4', m, this.#ip4));
    if (out.includes('/home/')) out = out.replace(HOME_RE, (m) => this.#home(m));
    this.#compile();
    if (this.#hostRe)
      out = out.replace(this.#hostRe, (m) => (m.toLowerCase().endsWith('.example') && this.#isPseudo('host', m.toLowerCase()) ? m : this.host(m)));
    if (this.#userRe) out = out.replace(this.#userRe, (m) => this.user(m));
    return out;
  }

  /**
   * An address's output, remembered: a log names the same few addresses on every line. An output never
   * changes once made (the map only grows), so the cache needs no invalidation; it is bounded.
   */
  #cached(kind: string, value: string, make: (v: string) => string): string {
    // A value's output differs between a first pass and a re-pass (a real value equal to a pseudonym).
    const key = (this.#repass ? 'r' : '') + kind + value;
    let out = this.#addresses.get(key);
    if (out === undefined) {
      out = make.call(this, value);
      if (this.#addresses.size >= 50_000) this.#addresses.clear();
      this.#addresses.set(key, out);
    }
    return out;
  }

  /** A pseudonym of the map, in a re-pass only: text from the system holds real values alone. */
  #isPseudo(kind: PseudonymKind, value: string): boolean {
    return this.#repass && this.map.isPseudonym(kind, value);
  }

  #learn(line: string, file: string, state: PseudonymizeState): void {
    // An e-mail's domain and a URL's host name the organisation: bare mentions on this line and after are theirs too.
    if (line.includes('@')) for (const m of line.matchAll(EMAIL_DOMAIN)) if (!kept(m[1]!)) this.learnHost(`.${m[1]!}`);
    if (line.includes('://'))
      for (const m of line.matchAll(URL_HOST)) {
        const host = m[1]!;
        if (host.includes('.') && isHostName(host) && !kept(host)) this.learnHost(host);
      }
    const passwd = PASSWD.exec(line);
    if (passwd) {
      const uid = Number(passwd[2]);
      if (uid >= 1000 && uid < 60000) this.learnUser(passwd[1]!);
    }
    if (state.allowedHosts || line.includes('ALLOWED_HOSTS')) {
      const from = state.allowedHosts ? 0 : line.indexOf('ALLOWED_HOSTS');
      const rest = line.slice(from);
      for (const m of rest.matchAll(QUOTED)) if (m[1] !== 'ALLOWED_HOSTS') this.learnHost(m[1]!);
      const open = rest.lastIndexOf('[');
      const close = rest.lastIndexOf(']');
      state.allowedHosts = state.allowedHosts ? close === -1 : open !== -1 && close < open;
    }
    if (line.includes('"Hostname"') || line.includes('"Domainname"') || (line.includes('"Name"') && /(^|\/)info\.json$/.test(file))) {
      for (const m of line.matchAll(JSON_HOST)) {
        const value = m[2]!;
        // A container's default host name is its short ID: an ID, not a name.
        if (m[1] === 'Hostname' && /^[0-9a-f]{12}$/.test(value)) continue;
        // Docker info's own Name (the engine's host), not the names nested in it (runtimes, plugins).
        if (m[1] === 'Name' && !(/(^|\/)info\.json$/.test(file) && /^ {0,2}"Name"/.test(line))) continue;
        this.learnHost(m[1] === 'Domainname' ? `.${value}` : value);
      }
    }
  }

  #url(match: string, g: Record<string, string>): string {
    const host = g['urlhost']!;
    // Single labels are Compose service names (db, redis); addresses are handled as addresses.
    if (isIPv4(host)) return g['url']! + this.#ip4(host);
    if (!host.includes('.') && !this.#hosts.has(host.toLowerCase())) return match;
    if (!isHostName(host) || kept(host) || this.#isPseudo('host', host.toLowerCase())) return match;
    this.learnHost(host);
    return g['url']! + this.host(host);
  }

  #email(match: string, g: Record<string, string>): string {
    const domain = g['domain']!;
    const local = g['local']!;
    if (kept(domain) || (this.#isPseudo('host', domain.toLowerCase()) && this.#isPseudo('user', local))) return match;
    return `${this.user(local)}@${this.host(domain)}`;
  }

  #home(user: string): string {
    if (KEEP_USERS.has(user) || this.#isPseudo('user', user)) return user;
    this.learnUser(user);
    return this.user(user);
  }

  #mac(mac: string): string {
    const sep = mac[2]!;
    const plain = mac.toLowerCase().replaceAll('-', ':');
    if (plain === '00:00:00:00:00:00' || plain === 'ff:ff:ff:ff:ff:ff' || this.#isPseudo('mac', plain)) return mac;
    const pseudo = this.map.pseudonym('mac', plain, (hex) => `02:${hex.slice(0, 10).match(/../g)!.join(':')}`);
    const shaped = sep === '-' ? pseudo.replaceAll(':', '-') : pseudo;
    return mac === mac.toUpperCase() ? shaped.toUpperCase() : shaped;
  }

  #ip4(ip: string): string {
    if (!isIPv4(ip) || keptIPv4(ip) || this.#isPseudo('ip4', ip)) return ip;
    const parts = ip.split('.');
    const net = parts.slice(0, 3).join('.');
    const pnet = this.map.pseudonym('net4', net, (hex) => {
      const p = pseudoNet4(net, hex);
      return keptIPv4(`${p}.1`) ? undefined : p;
    });
    const pseudo = `${pnet}.${parts[3]}`;
    // Remembered per address too: unmask and the re-pass look addresses up whole.
    this.map.pseudonym('ip4', ip, () => pseudo);
    return pseudo;
  }

  #ip6(ip: string): string {
    const g = ipv6Groups(ip);
    if (!g || keptIPv6(g)) return ip;
    const plain = g.join(':');
    if (this.#isPseudo('ip6', plain) || this.#isPseudo('ip6', ip.toLowerCase())) return ip;
    const net = g.slice(0, 4).join(':');
    const ula = (Number.parseInt(g[0]!, 16) & 0xfe00) === 0xfc00;
    const pnet = this.map.pseudonym('net6', net, (hex) => {
      const first = ula ? `fd${hex.slice(0, 2)}` : `2${hex.slice(0, 3)}`;
      return first === '2001' ? undefined : [first, hex.slice(4, 8), hex.slice(8, 12), hex.slice(12, 16)].join(':');
    });
    return this.map.pseudonym('ip6', plain, (hex) => `${pnet}:${[hex.slice(0, 4), hex.slice(4, 8), hex.slice(8, 12), hex.slice(12, 16)].join(':')}`);
  }

  /** Rebuilds the name regexes when names were learned since the last build. */
  #compile(): void {
    if (this.#compiled === this.#version) return;
    this.#compiled = this.#version;
    const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const byLength = (a: string, b: string): number => b.length - a.length;
    const hosts = [...this.#hosts].sort(byLength).map(esc);
    const domains = [...this.#domains].sort(byLength).map((d) => String.raw`(?:[a-z0-9-]+\.)*${esc(d)}`);
    const names = [...domains, ...hosts];
    // A whole token: not part of a longer name (vm in vm.overcommit_memory, x.vm or my-vm is not the host
    // vm); a leading dot alone is allowed (`.acme.io` in ALLOWED_HOSTS).
    this.#hostRe = names.length
      ? new RegExp(String.raw`(?<![A-Za-z0-9_-])(?<![A-Za-z0-9_-]\.)(?:${names.join('|')})(?![A-Za-z0-9_-])(?!\.[A-Za-z0-9])`, 'gi')
      : undefined;
    const users = [...this.#users].sort(byLength).map(esc);
    this.#userRe = users.length ? new RegExp(String.raw`(?<![A-Za-z0-9_.$-])(?:${users.join('|')})(?![A-Za-z0-9_$-])(?!\.[A-Za-z0-9])`, 'g') : undefined;
  }
}

export interface PseudonymizeStreamOptions {
  /** The bytes were pseudonymized before (a late pass over a spooled file): the map's pseudonyms stay. */
  readonly repass?: boolean;
  /** A line longer than this is cut at its last blank before the limit. */
  readonly maxLine?: number;
}

/** An async-generator stage for `stream/promises.pipeline`: redacted bytes in, pseudonymized bytes out, line by line. */
export function pseudonymizeStream(
  p: Pseudonymizer,
  file: string,
  { repass = false, maxLine = 1024 * 1024 }: PseudonymizeStreamOptions = {},
): (source: AsyncIterable<Buffer>) => AsyncGenerator<Buffer> {
  return async function* pseudonymize(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    const state: PseudonymizeState = { allowedHosts: false, repass };
    let pending: Buffer = Buffer.alloc(0);
    for await (const chunk of source) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      const nl = pending.lastIndexOf(10);
      let cut = nl;
      if (cut === -1 && pending.length > maxLine) {
        const blank = pending.lastIndexOf(32);
        cut = blank > 0 ? blank : pending.length - 1;
      }
      if (cut === -1) continue;
      // latin1: one character per byte, so bytes that are not UTF-8 pass unchanged (every pattern is ASCII).
      const text = pending.subarray(0, cut + 1).toString('latin1');
      pending = pending.subarray(cut + 1);
      const lines = text.split('\n');
      yield Buffer.from(lines.map((l) => p.line(l, file, state)).join('\n'), 'latin1');
    }
    if (pending.length) yield Buffer.from(p.line(pending.toString('latin1'), file, state), 'latin1');
  };
}

export { PseudonymMap };
