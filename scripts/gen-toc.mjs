#!/usr/bin/env node
// npm run docs:toc: rewrites TROUBLESHOOTING.md's table of contents (between the toc markers) from its
// `##` and `###` headings, with GitHub's anchors. tests/docs-layout.test.ts fails when it is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TOC_START = '<!-- toc:start -->';
export const TOC_END = '<!-- toc:end -->';

/** GitHub's heading slug: the rendered text, lowercased, punctuation dropped (not `-`/`_`), spaces → `-`. */
export function githubSlug(heading) {
  const rendered = heading
    .replace(/<[^>]+>/g, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '');
  return rendered
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-');
}

/** Every heading outside code fences: level, text and its anchor (repeats made unique as GitHub does). */
export function headingsOf(md) {
  const out = [];
  const seen = new Map();
  let fence;
  for (const line of md.split('\n')) {
    const open = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (line.trim().startsWith(fence)) fence = undefined;
      continue;
    }
    if (open) {
      fence = open[1];
      continue;
    }
    const h = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const base = githubSlug(h[2]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.push({ level: h[1].length, text: h[2], id: n === 0 ? base : `${base}-${n}` });
  }
  return out;
}

/** The contents: `##` headings as items, `###` nested under them. */
export function tocOf(md) {
  const lines = headingsOf(md)
    .filter((h) => h.level === 2 || h.level === 3)
    .map((h) => `${h.level === 3 ? '  ' : ''}- [${h.text.replace(/[[\]]/g, '\\$&')}](#${h.id})`);
  return `${lines.join('\n')}\n`;
}

/** `md` with the text between the toc markers replaced by its contents; throws without the markers. */
export function withToc(md) {
  const a = md.indexOf(TOC_START);
  const b = md.indexOf(TOC_END);
  if (a === -1 || b === -1 || b < a) throw new Error(`no ${TOC_START} … ${TOC_END} markers`);
  return `${md.slice(0, a)}${TOC_START}\n${tocOf(md)}${md.slice(b)}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'TROUBLESHOOTING.md');
  const before = readFileSync(file, 'utf8');
  const after = withToc(before);
  if (after !== before) writeFileSync(file, after);
  console.log(after === before ? 'TROUBLESHOOTING.md: contents already up to date' : 'TROUBLESHOOTING.md: contents updated');
}
