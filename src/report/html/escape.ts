// Room: report (src/report/) — may import core, bundle, analyzers (the rule: tests/architecture.test.ts).
/**
 * HTML escaping for report.html: every value in a bundle comes from a stranger's machine (a container
 * named `<script>` must render as text), so every value goes through `esc` before it meets markup.
 */

import { printableLines } from '../../core/printable.js';

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text or an attribute value made safe for HTML (quotes escaped too); control characters and bidi
 * overrides are shown as escapes (`\x1b`, `\u202e`), line breaks and tabs kept.
 */
export function esc(value: unknown): string {
  const s = value === null || value === undefined ? '' : String(value);
  return printableLines(s).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A bundle-relative path as a link target: each segment percent-encoded, so `../` or `javascript:` cannot escape. */
export function hrefOf(path: string): string {
  return path
    .split('/')
    .filter((s) => s !== '' && s !== '.' && s !== '..')
    .map((s) => encodeURIComponent(s))
    .join('/');
}

/** Bytes in binary units (1.5 GiB), for gauges and tables. */
export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
