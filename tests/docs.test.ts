/**
 * TROUBLESHOOTING.md is part of the product: findings link into it, README and error texts point at it,
 * and its Diagnostic Tools section promises that collect-bundle gathers what the classic commands show.
 * These tests keep those promises true: every finding id and every old anchor resolves to a heading,
 * every in-file link resolves, the Diagnostic Tools commands are exactly src/diagnostics.ts's list, each
 * of those commands runs as printed (real engine, real Django), and each lands where the list says in a
 * bundle collected from the same real engine and Django project.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docsLink } from '../analyzers/finding.js';
import { builtinAnalyzers } from '../analyzers/index.js';
import { builtinCollectors } from '../collectors/index.js';
import { findOnPath } from '../collectors/system.js';
import { collectBundle, type CollectResult } from '../src/run/collect.js';
import { DIAGNOSTIC_COMMANDS } from '../src/core/diagnostics.js';
import { PATH_TEMPLATES } from '../src/bundle/layout.js';
import { readBundle } from './helpers/bundle.js';
import { copyFixture, runEnv, setupDatabase, SYSTEM_PYTHON, systemDjango } from './helpers/django.js';
import { DOCKER_HOST, docker, dockerUnavailable, removeContainers, TEST_IMAGE, uniq, waitForLog } from './helpers/docker.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GUIDE = readFileSync(join(ROOT, 'TROUBLESHOOTING.md'), 'utf8');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The finding ids the analyzers are specified to produce (issue #6), plus the core's own. */
const FINDING_IDS = [
  'docker-unreachable',
  'docker-permission-denied',
  'container-oom-killed',
  'container-exit-nonzero',
  'container-stopped',
  'container-restart-loop',
  'container-unhealthy',
  'image-pull-failed',
  'disk-low',
  'memory-pressure',
  'django-check-error',
  'django-check-warning',
  'django-deploy',
  'django-debug-enabled',
  'migrations-unapplied',
  'migrations-conflict',
  'migrations-missing',
  'database-unreachable',
  'django-not-importable',
  'jobs-stuck-pending',
  'executor-host-unreachable',
  'job-failed',
  'job-oom-killed',
  'job-timed-out',
  'jobs-failing-alike',
  'job-running-past-timeout',
  'env-file-invalid',
  'collector-failed',
  'analyzer-failed',
];

/** Anchors the guide had before it was restructured: README, error texts and old links use them. */
const LEGACY_ANCHORS = [
  'troubleshooting',
  'quick-start',
  'docker',
  'docker-socket-missing',
  'docker-connection-refused',
  'docker-permission-denied',
  'docker-over-ssh',
  'docker-over-tls',
  'one-engine-of-several-failed',
  'container-logs-not-available',
  'django',
  'django-cannot-be-imported',
  'django-project-not-found',
  'django-settings-do-not-load',
  'django-database-not-reachable',
  'collecting',
  'collector-timed-out',
  'partial-bundle',
  'disk-full',
  'binary-content',
  'interrupted',
  'redaction',
  'bundle-failed-verification',
  'redaction-key-unusable',
  'verify-found-problems',
  'tuning-redaction',
];

/** The sections issue #6 requires, in this order. */
const REQUIRED_SECTIONS = [
  'Quick Start Troubleshooting',
  'Installation Issues',
  'Job Execution Problems',
  'Executor-Specific Issues',
  'Environment and Configuration',
  'Performance Issues',
  'Security and Permissions',
  'Diagnostic Tools',
  'Getting Help',
  'FAQ',
];

// ---------------------------------------------------------------------------------------------------
// A small Markdown reader: enough of GitHub's rules to know which anchors a page really has.

interface Line {
  readonly n: number;
  readonly text: string;
  /** Inside a fenced code block (headings and links there are not headings and links). */
  readonly code: boolean;
  /** The info string of the fence this line is in (`sh`, `text`, ``), when `code`. */
  readonly lang?: string;
}

function linesOf(md: string): Line[] {
  let fence: { marker: string; lang: string } | undefined;
  return md.split('\n').map((text, i) => {
    const open = /^\s*(`{3,}|~{3,})\s*([\w-]*)/.exec(text);
    if (!fence && open) {
      fence = { marker: open[1]!, lang: open[2] ?? '' };
      return { n: i + 1, text, code: true, lang: fence.lang };
    }
    if (fence) {
      const lang = fence.lang;
      if (text.trim().startsWith(fence.marker)) fence = undefined;
      return { n: i + 1, text, code: true, lang };
    }
    return { n: i + 1, text, code: false };
  });
}

const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const ANCHOR = /<a\s+(?:id|name)="([^"]+)"\s*>\s*<\/a>/g;

/** GitHub's heading slug: the rendered text, lowercased, punctuation dropped (not `-`/`_`), spaces → `-`. */
function githubSlug(heading: string): string {
  const rendered = heading
    .replace(/<[^>]+>/g, '') // HTML tags (an inline anchor)
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/`/g, ''); // inline code keeps its text
  return rendered
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-');
}

interface Anchor {
  readonly id: string;
  readonly line: number;
  readonly kind: 'explicit' | 'heading';
  /** For an explicit anchor: the heading it belongs to (on its line, or the next non-anchor line). */
  readonly heading?: string;
}

function anchorsOf(md: string): Anchor[] {
  const lines = linesOf(md);
  const out: Anchor[] = [];
  const seenSlugs = new Map<string, number>();
  for (const [i, l] of lines.entries()) {
    if (l.code) continue;
    const h = HEADING.exec(l.text);
    for (const m of l.text.matchAll(ANCHOR)) {
      // On the heading's own line, or on lines of anchors directly before it.
      let j = i;
      while (!h && j + 1 < lines.length && /^\s*(<a\s[^>]*><\/a>\s*)+$/.test(lines[j]!.text)) j++;
      const target = h ? l : lines[j];
      const th = target && !target.code ? HEADING.exec(target.text) : null;
      out.push({ id: m[1]!, line: l.n, kind: 'explicit', ...(th ? { heading: th[2]! } : {}) });
    }
    if (h) {
      // GitHub makes repeated slugs unique with -1, -2, ...
      const base = githubSlug(h[2]!);
      const count = seenSlugs.get(base) ?? 0;
      seenSlugs.set(base, count + 1);
      out.push({ id: count === 0 ? base : `${base}-${count}`, line: l.n, kind: 'heading', heading: h[2]! });
    }
  }
  return out;
}

/** Every `](#x)` link outside code blocks. */
function inFileLinks(md: string): { target: string; line: number }[] {
  const out: { target: string; line: number }[] = [];
  for (const l of linesOf(md)) {
    if (l.code) continue;
    for (const m of l.text.matchAll(/\]\(#([^)\s]*)\)/g)) out.push({ target: m[1]!, line: l.n });
  }
  return out;
}

/** The lines of a `## title` section (up to the next `## ` heading), with their code-block state. */
function section(md: string, title: string): Line[] {
  const lines = linesOf(md);
  const start = lines.findIndex((l) => !l.code && HEADING.exec(l.text)?.[1] === '##' && HEADING.exec(l.text)?.[2] === title);
  if (start < 0) throw new Error(`no "## ${title}" section`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => !l.code && HEADING.exec(l.text)?.[1] === '##');
  return end < 0 ? rest : rest.slice(0, end);
}

const SHELL_LANGS = new Set(['', 'sh', 'bash', 'shell', 'console', 'zsh']);

/**
 * The commands in a section's shell code blocks (`text` blocks are output, not commands): one per line,
 * a trailing `# comment` dropped, pipelines split. `collect-bundle …` is the tool itself, not a
 * diagnostic command.
 */
function shellCommands(lines: readonly Line[]): { command: string; line: number }[] {
  const out: { command: string; line: number }[] = [];
  for (const l of lines) {
    if (!l.code || !SHELL_LANGS.has(l.lang ?? '') || /^\s*(`{3,}|~{3,})/.test(l.text)) continue;
    const text = l.text.replace(/\s+#\s.*$/, '').trim();
    if (!text || text.startsWith('#')) continue;
    for (const part of text.split(/\s+\|\s+/)) {
      if (!/^collect-bundle(\s|$)/.test(part)) out.push({ command: part.trim(), line: l.n });
    }
  }
  return out;
}

/** Splits a documented command into argv the way sh would for these simple forms: '…' and "…" quoting. */
function argvOf(command: string): string[] {
  const argv: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let started = false;
  for (const ch of command) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (/\s/.test(ch)) {
      if (started) argv.push(cur);
      cur = '';
      started = false;
    } else {
      cur += ch;
      started = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} in: ${command}`);
  if (started) argv.push(cur);
  return argv;
}

/** An artifact pattern (`docker/<engine>/containers/<container>/logs.txt`) as a regex over bundle paths; `<x>` is one path segment. */
const artifactRegex = (pattern: string): RegExp => new RegExp(`^${pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/<[a-z]+>/g, '[^/]+')}$`);

// ---------------------------------------------------------------------------------------------------

const anchors = anchorsOf(GUIDE);
const anchorIds = new Set(anchors.map((a) => a.id));

describe('TROUBLESHOOTING.md anchors', () => {
  const registered = [...new Set(builtinAnalyzers.flatMap((a) => a.findingIds))];

  it.each([...new Set([...FINDING_IDS, ...registered])])('finding id %s has a section (an anchor on or just before a heading)', (id) => {
    const link = docsLink(id);
    expect(link).toBe(`TROUBLESHOOTING.md#${id}`);
    const fragment = link.slice(link.indexOf('#') + 1);
    const found = anchors.filter((a) => a.id === fragment);
    expect(found, `no anchor "${fragment}" in TROUBLESHOOTING.md`).toHaveLength(1);
    expect(found[0]!.heading, `anchor "${fragment}" (line ${found[0]!.line}) is not on or directly before a heading`).toBeTruthy();
  });

  it('every registered analyzer id is one the guide was written for (a new id needs a section and a line in FINDING_IDS)', () => {
    expect(registered.filter((id) => !FINDING_IDS.includes(id))).toEqual([]);
  });

  it.each(LEGACY_ANCHORS)('old anchor #%s still resolves', (id) => {
    expect(anchorIds.has(id), `#${id} no longer exists; README, error texts or old links use it`).toBe(true);
  });

  it('defines no anchor twice (a link would land on the first)', () => {
    const count = new Map<string, number[]>();
    for (const a of anchors) count.set(a.id, [...(count.get(a.id) ?? []), a.line]);
    expect([...count].filter(([, lines]) => lines.length > 1).map(([id, lines]) => `${id} (lines ${lines.join(', ')})`)).toEqual([]);
  });

  it('explicit anchors each sit on or directly before a heading', () => {
    expect(anchors.filter((a) => a.kind === 'explicit' && !a.heading).map((a) => `${a.id} (line ${a.line})`)).toEqual([]);
  });

  it('has the required sections, in order', () => {
    const h2 = linesOf(GUIDE)
      .filter((l) => !l.code && HEADING.exec(l.text)?.[1] === '##')
      .map((l) => HEADING.exec(l.text)![2]);
    expect(h2).toEqual(REQUIRED_SECTIONS);
  });
});

describe('TROUBLESHOOTING.md links', () => {
  it('every in-file link resolves to an anchor or heading', () => {
    const links = inFileLinks(GUIDE);
    expect(links.length).toBeGreaterThan(20);
    expect(links.filter((l) => !anchorIds.has(l.target)).map((l) => `#${l.target} (line ${l.line})`)).toEqual([]);
  });

  it('README links to TROUBLESHOOTING.md, and every TROUBLESHOOTING.md#anchor it or the code names resolves', () => {
    expect(README).toMatch(/\]\(TROUBLESHOOTING\.md(#[\w-]+)?\)/);
    const sources = [
      README,
      ...['src/cli/main.ts', 'src/report/issue.ts', 'src/docker/client.ts', 'collectors/django.ts', 'collectors/docker.ts'].map((p) =>
        readFileSync(join(ROOT, p), 'utf8'),
      ),
    ];
    const named = sources.flatMap((s) => [...s.matchAll(/TROUBLESHOOTING\.md#([a-z0-9_-]+)/g)].map((m) => m[1]!));
    expect(named.filter((id) => !anchorIds.has(id))).toEqual([]);
  });

  it('marks destructive commands with ⚠️ (prune, rm, migrate on the database, restart)', () => {
    const risky = /docker (system |image |container |volume |builder )?prune|docker rm\b|manage\.py migrate(?! --plan)|systemctl restart/;
    const lines = GUIDE.split('\n');
    const unmarked = lines
      .map((text, i) => ({ text, n: i + 1 }))
      .filter(({ text }) => risky.test(text))
      // The warning is on the line or in the few lines around it (a blockquote or the sentence before).
      .filter(({ n }) => !lines.slice(Math.max(0, n - 6), n + 3).some((t) => t.includes('⚠️')));
    expect(unmarked.map((l) => `line ${l.n}: ${l.text.trim()}`)).toEqual([]);
  });
});

describe('Diagnostic Tools and src/diagnostics.ts', () => {
  const documented = shellCommands(section(GUIDE, 'Diagnostic Tools'));
  const listed = new Set(DIAGNOSTIC_COMMANDS.map((d) => d.command));

  it('every command in the section is in DIAGNOSTIC_COMMANDS', () => {
    expect(documented.length).toBeGreaterThan(20);
    expect(documented.filter((d) => !listed.has(d.command)).map((d) => `line ${d.line}: ${d.command}`)).toEqual([]);
  });

  it('every DIAGNOSTIC_COMMANDS entry is shown in the section, once', () => {
    const shown = documented.map((d) => d.command);
    expect([...listed].filter((c) => shown.filter((s) => s === c).length !== 1)).toEqual([]);
    expect(listed.size).toBe(DIAGNOSTIC_COMMANDS.length);
  });

  it("each entry names a registered collector and a path in that collector's folder", () => {
    const names = new Set(builtinCollectors.map((c) => c.name));
    for (const d of DIAGNOSTIC_COMMANDS) {
      expect(names.has(d.collector), `${d.command}: no collector "${d.collector}"`).toBe(true);
      expect(d.artifact.startsWith(`${d.collector}/`), `${d.command}: ${d.artifact} is not under ${d.collector}/`).toBe(true);
    }
  });

  it('each artifact is a path of the bundle contract (src/bundle/layout.ts), so renaming a file there fails here', () => {
    expect(DIAGNOSTIC_COMMANDS.map((d) => d.artifact).filter((a) => !PATH_TEMPLATES.includes(a))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------
// Against the real engine and real Django: the commands run as printed, and the bundle has their data.
// Cloud Run cannot be reached from a test: its part of the bundle comes from tests/fixtures/gcloud, a
// stand-in gcloud that answers in the real JSON shapes (the tests that rely on it say so).

const STANDIN_GCLOUD_DIR = join(ROOT, 'tests/fixtures/gcloud');

const skipDocker = Boolean(dockerUnavailable) && !process.env['CI'];
const skipDjango = !systemDjango && !process.env['CI'];

describe.skipIf(skipDocker || skipDjango)('Diagnostic Tools against the real engine, real Django and a stand-in gcloud', () => {
  const prefix = uniq('cbdocs');
  const container = `${prefix}-app`;
  let tmp: string;
  let project: string;
  let result: CollectResult;
  let paths: string[];

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'cb-docs-'));
    project = await copyFixture(join(tmp, 'project'));
    await setupDatabase(project);
    await docker('run', '-d', '--network', 'none', '--name', container, TEST_IMAGE, 'sh', '-c', 'echo ready; sleep 600');
    await waitForLog(container, 'ready');
    result = await collectBundle({
      outputDir: join(tmp, 'out'),
      only: ['system', 'docker', 'django', 'cloudrun'],
      env: {
        ...runEnv(),
        DOCKER_HOST,
        PATH: `${STANDIN_GCLOUD_DIR}:${process.env['PATH'] ?? ''}`,
        CLOUDSDK_CORE_PROJECT: 'demo-project',
        CLOUDSDK_RUN_REGION: 'europe-west1',
      },
      collectorOptions: { docker: { containers: [`${prefix}-*`] }, django: { djangoDir: project, python: SYSTEM_PYTHON } },
    });
    const root = (name: string): string => name.split('/').slice(1).join('/');
    paths = [...(await readBundle(result.bundle)).keys()].map(root);
  }, 180_000);

  afterAll(async () => {
    await removeContainers(prefix);
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('collects every collector the list names (cloudrun from the stand-in gcloud)', () => {
    for (const name of new Set(DIAGNOSTIC_COMMANDS.map((d) => d.collector))) {
      expect(result.manifest.collectors.find((c) => c.name === name)?.status, name).toBe('ok');
    }
  });

  it.each(DIAGNOSTIC_COMMANDS.map((d) => [d.command, d.artifact] as const))('%s → %s is in the bundle', (_command, artifact) => {
    const re = artifactRegex(artifact);
    expect(
      paths.filter((p) => re.test(p)),
      `no ${artifact} among: ${paths.join(', ')}`,
    ).not.toHaveLength(0);
  });

  const ran = (collector: string): string[] => result.manifest.collectors.find((c) => c.name === collector)!.commands.map((c) => c.argv.join(' '));

  it('the gcloud commands of the list are the ones the cloudrun collector ran (against the stand-in gcloud)', () => {
    const argvs = ran('cloudrun');
    for (const d of DIAGNOSTIC_COMMANDS.filter((x) => x.command.startsWith('gcloud '))) {
      const words = argvOf(d.command).slice(1);
      const verbs = words.slice(
        0,
        words.findIndex((w) => w.startsWith('-') || /[A-Z]/.test(w)),
      );
      const flags = words.filter((w) => /^--(format|limit|freshness)=/.test(w));
      expect(
        argvs.some((a) => a.includes(` ${verbs.join(' ')} `) && flags.every((f) => a.split(' ').includes(f))),
        `${d.command}: not among ${argvs.join(' | ')}`,
      ).toBe(true);
    }
  });

  it('the manage.py commands of the list are the ones the django collector ran', () => {
    const argvs = ran('django');
    // diffsettings and the shell one-liners are answered by the read-only probe (secrets masked in-process),
    // not by running the command itself; every other manage.py command is run as such.
    for (const d of DIAGNOSTIC_COMMANDS.filter((x) => /^python manage\.py (?!shell|diffsettings)/.test(x.command))) {
      const args = d.command.replace(/^python /, '').replace(/ default$/, '');
      expect(
        argvs.some((r) => r.includes(` ${args}`)),
        `${d.command}: not among ${argvs.join(' | ')}`,
      ).toBe(true);
    }
  });

  // Real programs only: one this machine lacks (uv, gcloud) is not run; the stand-in gcloud is not asked.
  // A real gcloud has no account here, so for it "runs" means it parsed every argument.
  it.each(DIAGNOSTIC_COMMANDS.map((d) => [d.command] as const))('%s runs as printed (when the program is installed)', async (command) => {
    const filled = command
      .replace(/\bCONTAINER\b/g, container)
      .replace(/\bPROJECT\b/g, 'demo-project')
      .replace(/\bREGION\b/g, 'europe-west1')
      .replace(/\bSERVICE\b/g, 'web')
      .replace(/\bJOB\b/g, 'nightly-report');
    const argv = argvOf(filled);
    let [file, ...args] = argv as [string, ...string[]];
    let cwd: string | undefined;
    if (file === 'python') {
      file = SYSTEM_PYTHON;
      cwd = project;
    } else if (!(await findOnPath(file, process.env['PATH'] ?? ''))) {
      return; // a tool this machine does not have (uv): nothing to run
    }
    const r = await execa(file, args, {
      cwd,
      // gcloud gets an empty configuration of its own: no account, so it stops before any network call.
      env: { ...runEnv({ PYTHONDONTWRITEBYTECODE: '1' }), DOCKER_HOST, CLOUDSDK_CONFIG: join(tmp, 'gcloud-config') },
      reject: false,
      stdin: 'ignore',
      timeout: 60_000,
    });
    if (file === 'gcloud') {
      // No account here: gcloud accepted every argument and stopped at authentication (never a usage error).
      expect(r.stderr).not.toMatch(/unrecognized arguments|invalid choice|argument --|must be set to a valid project ID/i);
      expect(r.exitCode === 0 || /active account|credentials|auth(enticat|oriz)/i.test(r.stderr), `${command}: ${r.stderr.slice(-400)}`).toBe(true);
      return;
    }
    // makemigrations --check exits 1 when a model change has no migration, as the fixture has.
    const allowed = command.includes('makemigrations --check') ? [0, 1] : [0];
    // Never echo stdout: diffsettings prints the fixture's secrets in clear.
    expect(allowed, `${command} exited ${r.exitCode}: ${r.stderr.slice(-400)}`).toContain(r.exitCode);
  });
});
