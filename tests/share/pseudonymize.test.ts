/** --pseudonymize, the text stage: shapes, what is kept, consistency, the /24 relation, idempotence and the map file. */
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PseudonymMap } from '../../redaction/pseudonym-map.js';
import { Pseudonymizer, pseudonymizeStream } from '../../redaction/pseudonymize.js';
import { unmaskText } from '../../redaction/unmask.js';

const KEY = Buffer.alloc(32, 7);
const make = (opts: { hosts?: string[]; users?: string[] } = {}, map = new PseudonymMap(KEY)): Pseudonymizer => new Pseudonymizer({ map, ...opts });
const IP4 = /\b(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\b/;

describe('pseudonymize text', () => {
  it('replaces host names, addresses, MACs, users, home paths and e-mails by shaped pseudonyms', () => {
    const p = make({ hosts: ['web01.corp.acme.io'], users: ['alice'] });
    const out = p.text(
      [
        'host web01.corp.acme.io and db.corp.acme.io answered',
        'inet 172.18.0.5/16 brd 172.18.255.255 link/ether 02:42:ac:12:00:05',
        'inet6 fd00:1234::5/64 scope global',
        'alice logged in; cwd /home/alice/app; mail alice@acme.io',
        'url https://api.acme.io:8443/v1 and postgres://app:[REDACTED:url-password:1a2b3c4d]@db:5432/app',
      ].join('\n'),
    );
    for (const real of ['web01', 'corp.acme', 'acme.io', '172.18.0.5', '02:42:ac:12:00:05', 'fd00:1234', 'alice']) expect(out, real).not.toContain(real);
    expect(out).toMatch(/host host-[0-9a-f]{4}\.example and host-[0-9a-f]{4}\.example answered/);
    expect(out).toMatch(/inet 172\.(1[6-9]|2\d|3[01])\.\d+\.5\/16/);
    expect(out).toMatch(/link\/ether 02(:[0-9a-f]{2}){5}/);
    expect(out).toMatch(/user-[0-9a-f]{4} logged in; cwd \/home\/user-[0-9a-f]{4}\/app; mail user-[0-9a-f]{4}@host-[0-9a-f]{4}\.example/);
    // A single-label URL host is a Compose service name: kept, like the redaction token.
    expect(out).toContain(':[REDACTED:url-password:1a2b3c4d]@db:5432/app');
    expect(out).toMatch(/https:\/\/host-[0-9a-f]{4}\.example:8443\/v1/);
  });

  it('keeps loopback, link-local, documentation, multicast, netmasks, system accounts and example domains', () => {
    const p = make({ users: ['root'] });
    const text = [
      '127.0.0.1 ::1 fe80::fc:ff:fe00:1 169.254.1.2 192.0.2.2 198.51.100.7 203.0.113.9 2001:db8::1 224.0.0.1 0.0.0.0',
      'netmask 255.255.255.0 mac ff:ff:ff:ff:ff:ff 00:00:00:00:00:00',
      'root:x:0:0:root:/root:/bin/bash www-data user@example.com http://localhost:8000 https://docs.djangoproject.com/en/5.0/',
      'time 12:30:45 version 3.11.2 oid 1.3.6.1.4.1',
    ].join('\n');
    expect(p.text(text)).toBe(text);
  });

  it('learns users from passwd lines, hosts from ALLOWED_HOSTS (over lines) and from inspect JSON', () => {
    const p = make();
    const out = p.text(
      [
        'bob:x:1001:1001:Bob,,,:/srv/bob:/bin/bash',
        'ALLOWED_HOSTS = [',
        "    'shop.acme.io',",
        "    '.acme.net',",
        ']',
        '"Hostname": "payments-1",',
        '"Hostname": "0123456789ab",',
        'bob deployed to shop.acme.io, api.acme.net and payments-1',
      ].join('\n'),
      'django/settings.txt',
    );
    expect(out).not.toMatch(/\bbob\b|shop\.acme|acme\.net|payments-1/);
    expect(out).toContain('"Hostname": "0123456789ab"');
    expect(out).toMatch(/user-[0-9a-f]{4} deployed to host-[0-9a-f]{4}\.example, host-[0-9a-f]{4}\.example and host-[0-9a-f]{4}$/);
  });

  it('matches a short host name only as a whole token (vm, not vm.overcommit_memory or my-vm)', () => {
    const p = make({ hosts: ['vm'] });
    const out = p.text('hostname vm\n/proc/sys/vm/x vm.overcommit_memory=1 my-vm "Name": "vm"');
    expect(out).toMatch(/^hostname host-[0-9a-f]{4}\n\/proc\/sys\/host-[0-9a-f]{4}\/x vm\.overcommit_memory=1 my-vm "Name": "host-[0-9a-f]{4}"$/);
  });

  it('is idempotent: a re-pass over pseudonymized text changes nothing', async () => {
    const p = make({ hosts: ['web01.acme.io'], users: ['carol'] });
    const once = p.text('web01.acme.io 10.1.2.3 fd12:3456:789a::1 02:42:ac:11:00:02 carol /home/carol x@acme.io');
    expect(p.text(once, 'ISSUE.md', true)).toBe(once);
    const out: Buffer[] = [];
    for await (const b of pseudonymizeStream(p, 'x', { repass: true })(Readable.from([Buffer.from(once)]))) out.push(b);
    expect(Buffer.concat(out).toString()).toBe(once);
  });

  it('a real value equal to a pseudonym issued before (this run or an earlier one) gets a pseudonym of its own', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pseudo-clash-'));
    const path = join(dir, 'pseudonyms.json');
    const map = new PseudonymMap(KEY);
    const p = make({}, map);
    // Found by the property below: 10.0.99/24's pseudo /24 is a real /24 of the same network.
    const first = p.text('10.0.99.9 02:42:ac:11:00:02 fd12:3456:789a::1');
    const [ip, mac, ip6] = first.split(' ') as [string, string, string];
    const second = p.text(`${ip} ${mac} ${ip6}`);
    const [ip2, mac2, ip62] = second.split(' ') as [string, string, string];
    expect(ip2).not.toBe(ip);
    expect(mac2).not.toBe(mac);
    expect(ip62).not.toBe(ip6);
    // The same /24 relation holds for the second network.
    expect(ip2.endsWith('.9')).toBe(true);
    // Both turn back into what they were.
    expect(unmaskText(map.entries(), `${first} / ${second}`).text).toBe(`10.0.99.9 02:42:ac:11:00:02 fd12:3456:789a::1 / ${ip} ${mac} ${ip6}`);
    // A later run with the saved map: a real address equal to an old pseudonym does not pass as it is.
    await map.save(path);
    const later = make({}, await PseudonymMap.load(KEY, path));
    const chunks: Buffer[] = [];
    for await (const b of pseudonymizeStream(later, 'x')(Readable.from([Buffer.from(`up ${ip}\n`)]))) chunks.push(b);
    expect(Buffer.concat(chunks).toString()).toBe(`up ${ip2}\n`);
  });

  it('is the same across runs with the same key (and differs with another key)', () => {
    const line = 'web01.acme.io 10.1.2.3 dave@acme.io';
    const a = make({ hosts: ['web01.acme.io'] }).text(line);
    const b = make({ hosts: ['web01.acme.io'] }).text(line);
    const c = new Pseudonymizer({ map: new PseudonymMap(Buffer.alloc(32, 9)), hosts: ['web01.acme.io'] }).text(line);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('streams: the same output as text() however the bytes are chunked, bytes that are not UTF-8 kept', async () => {
    const p = make({ hosts: ['web01.acme.io'] });
    const input = Buffer.concat([Buffer.from('a 10.0.0.1 web01.acme.io\nb \xff\xfe 10.0.0.2\n', 'latin1'), Buffer.from('c 10.0.0.3')]);
    const chunks = [input.subarray(0, 5), input.subarray(5, 31), input.subarray(31)];
    const out: Buffer[] = [];
    for await (const b of pseudonymizeStream(p, 'x')(Readable.from(chunks))) out.push(b);
    const got = Buffer.concat(out);
    expect(got.toString('latin1')).toBe(make({ hosts: ['web01.acme.io'] }).text(input.toString('latin1')));
    expect(got.includes(Buffer.from([0xff, 0xfe]))).toBe(true);
  });

  it('writes the map next to the key with mode 0600 and reads it back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pseudo-map-'));
    const path = join(dir, 'pseudonyms.json');
    const map = new PseudonymMap(KEY);
    const out = make({ hosts: ['web01.acme.io'] }, map).text('web01.acme.io 10.9.8.7');
    await map.save(path);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const again = await PseudonymMap.load(KEY, path);
    const entries = again.entries();
    expect(entries.find((e) => e.real === 'web01.acme.io')?.pseudo).toBe(out.split(' ')[0]);
    expect(entries.find((e) => e.kind === 'ip4')).toEqual({ kind: 'ip4', real: '10.9.8.7', pseudo: out.split(' ')[1] });
    expect(await readFile(path, 'utf8')).not.toContain('"key"');
  });
});

describe('unmask', () => {
  it('turns every pseudonym back, an address of a pseudo /24 not in the map through its /24, and leaves other text alone', () => {
    const map = new PseudonymMap(KEY);
    const p = make({ hosts: ['web01.acme.io'], users: ['erin'] }, map);
    const real = 'web01.acme.io 10.4.5.6 erin /home/erin 02:42:ac:11:00:07 fd12:3456:789a:1::9 erin@acme.io 127.0.0.1 plain words';
    const masked = p.text(real);
    expect(masked).not.toContain('web01');
    expect(unmaskText(map.entries(), masked)).toEqual({ text: real, count: 8 });
    // The engineer names another address of the same subnet, and writes a MAC in capitals.
    const net = /\b(10\.\d+\.\d+)\.6\b/.exec(masked)![1]!;
    const mac = /\b02(:[0-9a-f]{2}){5}\b/.exec(masked)![0]!;
    expect(unmaskText(map.entries(), `try ${net}.200 and ${mac.toUpperCase()}`).text).toBe('try 10.4.5.200 and 02:42:ac:11:00:07');
  });
});

describe('pseudonymize properties', () => {
  const octet = fc.integer({ min: 0, max: 255 });
  const privateOrPublic = fc.tuple(fc.integer({ min: 1, max: 223 }), octet, octet).filter(([a, b, c]) => {
    const ip = `${a}.${b}.${c}.1`;
    return !(a === 127 || a === 0 || (a === 169 && b === 254) || /^(192\.0\.2|198\.51\.100|203\.0\.113)\./.test(ip));
  });

  it('maps one address to one pseudonym everywhere, and two addresses of one /24 into one pseudo /24 (host part kept)', () => {
    fc.assert(
      fc.property(privateOrPublic, octet, octet, ([a, b, c], x, y) => {
        const p = make();
        const [one, two, oneAgain] = p.text(`${a}.${b}.${c}.${x} ${a}.${b}.${c}.${y} ${a}.${b}.${c}.${x}`).split(' ') as [string, string, string];
        const m1 = IP4.exec(one)!;
        const m2 = IP4.exec(two)!;
        expect(one).toBe(oneAgain);
        expect(one).not.toBe(`${a}.${b}.${c}.${x}`);
        expect(m1.slice(1, 4)).toEqual(m2.slice(1, 4));
        expect(Number(m1[4])).toBe(x);
        expect(Number(m2[4])).toBe(y);
        // Private stays private.
        if (a === 10) expect(m1[1]).toBe('10');
        if (a === 192 && b === 168) expect(`${m1[1]}.${m1[2]}`).toBe('192.168');
      }),
      { numRuns: 300 },
    );
  });

  it('never maps two different /24s or two different host names onto one pseudonym', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fc.constant(10), octet, octet), { minLength: 2, maxLength: 40, selector: (t) => t.join('.') }), (nets) => {
        const p = make();
        const pseudo = nets.map(([a, b, c]) => p.text(`${a}.${b}.${c}.9`).replace(/\.9$/, ''));
        expect(new Set(pseudo).size).toBe(nets.length);
      }),
      { numRuns: 100 },
    );
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{2,10}\.corp\.io$/), { minLength: 2, maxLength: 60 }), (hosts) => {
        const p = make();
        const pseudo = hosts.map((h) => p.host(h));
        expect(new Set(pseudo).size).toBe(hosts.length);
        expect(hosts.map((h) => p.host(h))).toEqual(pseudo);
      }),
      { numRuns: 50 },
    );
  });
});
