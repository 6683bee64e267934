/**
 * `collect-bundle unmask`: a support engineer's reply (or a line of a pseudonymized bundle) with the
 * pseudonyms turned back into the real names, for the person who holds the map (pseudonym-map.ts).
 * An address of a pseudo /24 that the map does not list whole (the engineer wrote `.7` of a subnet
 * they saw) is turned back through its /24.
 */
import type { PseudonymEntry } from './pseudonym-map.js';

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Replaces every pseudonym of `entries` in `text` by its real value; counts the replacements. */
export function unmaskText(entries: readonly PseudonymEntry[], text: string): { text: string; count: number } {
  const whole = new Map<string, string>();
  const ips = new Map<string, string>();
  const nets = new Map<string, string>();
  for (const e of entries) {
    if (e.kind === 'net4') nets.set(e.pseudo, e.real);
    else if (e.kind === 'ip4') ips.set(e.pseudo, e.real);
    else if (e.kind === 'ip6') whole.set(e.pseudo.toLowerCase(), compressIPv6(e.real));
    else if (e.kind !== 'net6') whole.set(e.kind === 'host' || e.kind === 'mac' ? e.pseudo.toLowerCase() : e.pseudo, e.real);
  }
  let count = 0;
  // Addresses first, in one pass (a restored address is never looked up again).
  let out = text.replace(/(?<![\d.])(\d{1,3}\.\d{1,3}\.\d{1,3})\.(\d{1,3})(?!\.?\d)/g, (m, net: string, last: string) => {
    const real = ips.get(m) ?? (nets.has(net) ? `${nets.get(net)}.${last}` : undefined);
    if (real === undefined) return m;
    count++;
    return real;
  });
  const names = [...whole.keys()].sort((a, b) => b.length - a.length).map(esc);
  if (names.length) {
    const re = new RegExp(String.raw`(?<![A-Za-z0-9_.:-])(?:${names.join('|')})(?![A-Za-z0-9_:-])(?!\.[A-Za-z0-9])`, 'gi');
    out = out.replace(re, (m) => {
      const real = whole.get(m) ?? whole.get(m.toLowerCase());
      if (real === undefined) return m;
      count++;
      return real;
    });
  }
  return { text: out, count };
}

/** An expanded IPv6 address (8 groups of 4) in its usual short form (RFC 5952: no leading zeros, the longest zero run as ::). */
export function compressIPv6(expanded: string): string {
  const groups = expanded.split(':');
  if (groups.length !== 8) return expanded;
  const short = groups.map((g) => g.replace(/^0+(?=.)/, ''));
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8; ) {
    if (short[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && short[j] === '0') j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j;
  }
  if (best.at === -1) return short.join(':');
  return `${short.slice(0, best.at).join(':')}::${short.slice(best.at + best.len).join(':')}`;
}
