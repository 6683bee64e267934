/**
 * issue #17 part 3: the README fits on a screen and the rest lives in docs/. README stays under ~15 KB
 * with the two set-up commands CI runs; every relative link of README.md and docs/*.md resolves (file
 * and anchor); README's "More" list names every docs file; the quick start's console sample has the
 * shape the CLI prints today; TROUBLESHOOTING.md's table of contents is complete and current.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script, no types
import { headingsOf, tocOf, withToc } from '../scripts/gen-toc.mjs';
import { assertBuilt, cleanup, describeRun, runCli, tempDir } from './cli/harness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (p: string): string => readFileSync(join(ROOT, p), 'utf8');
const README = read('README.md');
const DOCS = readdirSync(join(ROOT, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => `docs/${f}`);
/** Pages other parts of issue #17 and #16 add; README links them ahead of their arrival. */
const PENDING = new Set(['docs/report.md', 'docs/sharing.md', 'docs/sharing-review.md']);

type Heading = { level: number; text: string; id: string };
const anchors = (md: string): Set<string> =>
  new Set([...(headingsOf(md) as Heading[]).map((h) => h.id), ...[...md.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)].map((m) => m[1]!)]);

/** Markdown links outside code: `[text](target)`. */
function linksOf(md: string): string[] {
  const out: string[] = [];
  let fence = false;
  for (const line of md.split('\n')) {
    if (/^\s*(`{3,}|~{3,})/.test(line)) fence = !fence;
    if (fence) continue;
    for (const m of line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)) out.push(m[1]!);
  }
  return out;
}

describe('README.md', () => {
  it('is at most 15 KB', () => {
    expect(Buffer.byteLength(README)).toBeLessThanOrEqual(15 * 1024);
  });

  it('has the two set-up commands, and CI runs the test command', () => {
    expect(README).toContain('npm ci && npm run build && ./bin/collect-bundle.js -o ./bundles\n');
    expect(README).toContain('npm ci && npm test\n');
    const ci = read('.ci/run');
    expect(ci).toMatch(/^npm ci\b/m);
    expect(ci).toMatch(/^npm test$/m);
  });

  it('links every page under docs/ (and the pages announced for #16/#17)', () => {
    const linked = new Set(linksOf(README).map((l) => l.split('#')[0]!));
    for (const doc of [...DOCS, ...PENDING]) expect(linked.has(doc), doc).toBe(true);
  });

  it("command table: each example's command and flags are what that command's --help lists", async () => {
    assertBuilt();
    const rows = [...README.matchAll(/^\| `(\w+)`(?: \(default\))? \| [^|]+ \| `([^`]*collect-bundle[^`]*)` \|$/gm)];
    expect(rows.map((m) => m[1])).toEqual(['collect', 'redact', 'verify', 'analyze', 'inspect', 'diff', 'upload', 'unmask', 'view', 'config', 'schedule']);
    for (const [, command, example] of rows) {
      const help = await runCli([command!, '--help']);
      expect(help.code, describeRun(help)).toBe(0);
      const flags = [...example!.slice(example!.indexOf('collect-bundle')).matchAll(/(?:^|\s)(--[a-z-]+|-[a-z])\b/g)].map((m) => m[1]!);
      for (const flag of flags) expect(help.stdout, `${command} ${flag}`).toMatch(new RegExp(`(^|[\\s,])${flag}(?![\\w-])`, 'm'));
    }
  }, 60_000);

  describe('the quick start', () => {
    beforeAll(assertBuilt);
    it("shows the console summary the CLI prints today (same lines, same order) and a real ISSUE.md's headings", async () => {
      const sample = /```console\n\$ collect-bundle[^\n]*\n([\s\S]*?)```/.exec(README)?.[1];
      expect(sample).toBeDefined();
      const out = join(await tempDir('cb-readme-'), 'out');
      const r = await runCli(['--only', 'system', '-o', out]);
      expect(r.code, describeRun(r)).toBe(0);
      const labels = (text: string): string[] => [...text.matchAll(/^(bundle|size|duration|collectors|redactions|findings) +\S/gm)].map((m) => m[1]!);
      expect(labels(sample!)).toEqual(['bundle', 'size', 'duration', 'collectors', 'redactions', 'findings']);
      expect(labels(r.stderr)).toEqual(labels(sample!));
      expect(sample).toMatch(/^collecting system, docker, compose, django, cloudrun into /m);
      expect(r.stderr).toMatch(/^collecting system into /m);
      // The excerpt's headings are ISSUE.md's.
      const issue = /````markdown\n([\s\S]*?)````/.exec(README)?.[1];
      for (const h of ['## Actual Behavior', '## Findings']) expect(issue).toContain(h);
      await cleanup();
    });
  });
});

describe('links of README.md and docs/*.md', () => {
  it.each(['README.md', 'TROUBLESHOOTING.md', ...DOCS])('%s: every relative link reaches a file and, with #, a heading or anchor', (file) => {
    const md = read(file);
    const broken: string[] = [];
    for (const link of linksOf(md)) {
      if (/^(https?:|mailto:)/.test(link)) continue;
      const [path, fragment] = link.split('#') as [string, string | undefined];
      const target = path === '' ? file : relative(ROOT, normalize(join(ROOT, dirname(file), path)));
      if (PENDING.has(target)) continue;
      if (!existsSync(join(ROOT, target))) {
        broken.push(`${link}: no file ${target}`);
        continue;
      }
      if (fragment && target.endsWith('.md') && !anchors(read(target)).has(fragment)) broken.push(`${link}: no #${fragment} in ${target}`);
    }
    expect(broken).toEqual([]);
  });
});

describe("TROUBLESHOOTING.md's table of contents", () => {
  const guide = read('TROUBLESHOOTING.md');
  it('is current (run `npm run docs:toc`) and at the top', () => {
    expect(guide, 'TROUBLESHOOTING.md contents are stale: run `npm run docs:toc`').toBe(withToc(guide));
    expect(guide.indexOf('<!-- toc:start -->')).toBeLessThan(2000);
  });

  it('lists every ## and ### section once', () => {
    const toc = tocOf(guide) as string;
    const sections = (headingsOf(guide) as Heading[]).filter((h) => h.level === 2 || h.level === 3);
    expect(sections.length).toBeGreaterThan(40);
    for (const h of sections) expect(toc.split(`](#${h.id})`).length - 1, h.id).toBe(1);
  });
});
