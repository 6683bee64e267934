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
    else if (e.kind !== 'net6') whole.set(e.kind === 'host' || e.kind === 'mac' || e.kind === 'ip6' ? e.pseudo.toLowerCase() : e.pseudo, e.real);
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
