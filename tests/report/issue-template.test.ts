/**
 * ISSUE.md as the issue template: every section in order, filled from findings, and always under
 * GitHub's size limit — with many findings it summarises whole items instead of cutting a block.
 */
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../redaction/redactor.js';
import { RedactionReport } from '../../redaction/report.js';
import { ISSUE_MAX_CHARS, renderIssue } from '../../src/report/issue.js';
import type { Finding, Manifest } from '../../src/core/types.js';

const SECTIONS = [
  'Problem Description',
  'Environment',
  'Steps to Reproduce',
  'Expected Behavior',
  'Actual Behavior',
  'Error Messages',
  'Configuration',
  'Logs',
  'Findings',
  'About this bundle',
];

const manifest = (over: Partial<Manifest> = {}): Manifest => ({
  tool: { name: 'collect-bundle', version: '9.9.9' },
  bundle: 'collect-bundle-web1-20261128T120000Z-abcdef',
  commandLine: [],
  host: { hostname: 'web1', platform: 'linux', arch: 'x64' },
  startedAt: '2026-11-28T12:00:00.000Z',
  finishedAt: '2026-11-28T12:00:05.000Z',
  durationMs: 5000,
  status: 'complete',
  options: { timeoutSec: 60, concurrency: 4, only: [], skip: [], collectorOptions: { docker: { tail: 500 } } },
  docker: { endpoints: [{ url: 'unix:///var/run/docker.sock', source: 'default', label: 'local' }] },
  environment: {
    os: 'Debian GNU/Linux 12',
    kernel: '6.1.0',
    'docker.engine.local': '24.0.7 (API 1.43, linux/amd64)',
    django: '4.2.11',
    'django.python': '3.11.2 (/usr/bin/python3)',
    'project.git': '0123456789ab (main)',
    'django.databases': 'default: postgresql @ db:5432',
    'django.installedApps': '12',
  },
  collectors: [
    {
      name: 'docker',
      status: 'ok',
      durationMs: 1200,
      artifacts: [{ path: 'docker/local/ps.txt', bytes: 10, sha256: 'x', truncated: false }],
      problems: [],
      commands: [],
    },
  ],
  files: [],
  redaction: { total: 2, byRule: [{ rule: 'url-password', count: 2 }], tags: 'installation' },
  ...over,
});

const oom = (i: number): Finding => ({
  id: 'container-oom-killed',
  severity: 'error',
  title: `Container job-${i} on local was OOM-killed (limit 64 MiB)`,
  summary: 'It used more memory than its limit.',
  evidence: [
    // As the real analyzers give it: the JSON state line with its number, then the log lines.
    { file: `docker/local/containers/job-${i}/inspect.json`, line: 12, excerpt: '"OOMKilled": true' },
    {
      file: `docker/local/containers/job-${i}/logs.txt`,
      line: 40 + (i % 7),
      excerpt: `2026-11-28T11:59:${String(i % 60).padStart(2, '0')}Z stderr MemoryError: job ${i} ran out of memory\nKilled`,
    },
  ],
  remedy: 'Raise the memory limit of the job or reduce its memory use.',
  docs: 'TROUBLESHOOTING.md#container-oom-killed',
  subject: `local/job-${i}`,
});

const warning = (i: number): Finding => ({
  id: 'container-unhealthy',
  severity: 'warning',
  title: `Container web-${i} is unhealthy`,
  summary: 's',
  evidence: [],
  remedy: 'Check the health command.',
  docs: 'TROUBLESHOOTING.md#container-unhealthy',
  subject: `local/web-${i}`,
});

/** Heading lines `## X` in order. */
const headings = (md: string): string[] => [...md.matchAll(/^## (.+)$/gm)].map((m) => m[1]!);

/** Code fences and <details> blocks must be balanced: nothing was cut mid-block. */
function assertBalanced(md: string): void {
  let open: string | undefined;
  for (const line of md.split('\n')) {
    const fence = /^(`{3,})/.exec(line)?.[1];
    if (!fence) continue;
    if (open === undefined) open = fence;
    else if (line === open) open = undefined;
  }
  expect(open, 'an unclosed code fence').toBeUndefined();
  expect((md.match(/<details>/g) ?? []).length).toBe((md.match(/<\/details>/g) ?? []).length);
}

describe('ISSUE.md template', () => {
  it('has every section of the issue template, in order, and the environment table', () => {
    const md = renderIssue({
      manifest: manifest(),
      findings: [oom(1), warning(1)],
      title: 'Jobs die at once',
      description: 'Since Monday every job is killed.',
      bundleFile: 'b.tar.gz',
    });
    expect(headings(md)).toEqual(SECTIONS);
    expect(md.startsWith('# Jobs die at once\n')).toBe(true);
    expect(md).toContain('Since Monday every job is killed.');
    expect(md).toContain('| Docker engine `local` | 24.0.7 (API 1.43, linux/amd64) |');
    expect(md).toContain('| Project commit | `0123456789ab (main)` |');
    expect(md).toContain('| collect-bundle | 9.9.9 |');
    expect(md).toMatch(/- Databases: default: postgresql @ db:5432/);
    expect(md).toMatch(/- Limits used: timeout 60 s per collector, concurrency 4, log tail 500/);
    assertBalanced(md);
  });

  it('shows each finding once, its evidence and fix together; Actual Behavior summarises; absolute links with a docs URL (issue #13)', () => {
    const md = renderIssue({
      manifest: manifest(),
      findings: [oom(3), warning(1)],
      docsUrl: 'https://git.example.org/ops/collect-bundle/blob/HEAD/TROUBLESHOOTING.md',
    });
    const section = (name: string): string => md.split(`## ${name}\n`)[1]!.split('\n## ')[0]!;
    expect(section('Actual Behavior')).toContain('found 1 error and 1 warning; each is under [Findings](#findings) with its evidence and fix:');
    expect(section('Actual Behavior')).toContain('- Container job-3 on local was OOM-killed (limit 64 MiB)');
    // The title, the log line and the fix each appear once in the whole body.
    const count = (text: string) => md.split(text).length - 1;
    expect(count('MemoryError: job 3 ran out of memory')).toBe(1);
    expect(count('Raise the memory limit of the job')).toBe(1);
    expect(count('### ERROR: Container job-3 on local was OOM-killed (limit 64 MiB)')).toBe(1);
    const findings = section('Findings');
    const block = findings.split('### ERROR: ')[1]!.split('### ')[0]!;
    expect(block).toContain('`docker/local/containers/job-3/inspect.json:12`');
    expect(block).toContain('`docker/local/containers/job-3/logs.txt` lines 43–44');
    expect(block).toContain('43: 2026-11-28T11:59:03Z stderr MemoryError: job 3 ran out of memory\n44: Killed');
    expect(block).toContain('**Fix:** Raise the memory limit of the job or reduce its memory use.');
    expect(block).toContain('(https://git.example.org/ops/collect-bundle/blob/HEAD/TROUBLESHOOTING.md#container-oom-killed)');
    expect(md).not.toMatch(/\]\(TROUBLESHOOTING\.md#/);
    expect(section('Error Messages')).toContain('_Quoted with each error under [Findings](#findings)');
  });

  it('keeps a traceback whole with "… N lines" where evidence skips, and a multi-line fix one item per line', () => {
    const log = 'docker/local/containers/job/logs.txt';
    const f: Finding = {
      ...oom(1),
      id: 'django-deploy',
      evidence: [
        { file: log, line: 10, excerpt: 'Traceback (most recent call last):' },
        { file: log, line: 50, excerpt: '  File "/app/x.py", line 3, in f' },
        { file: log, line: 51, excerpt: 'ValueError: bad' },
      ],
      remedy: 'Fix each in the production settings:\n- security.W004: set SECURE_HSTS_SECONDS\n- security.W008: set SECURE_SSL_REDIRECT\nThen confirm.',
      docs: 'TROUBLESHOOTING.md#django-deploy',
    };
    const md = renderIssue({ manifest: manifest(), findings: [f] });
    expect(md).toContain('10: Traceback (most recent call last):\n… 39 lines\n50:   File "/app/x.py", line 3, in f\n51: ValueError: bad');
    expect(md).toContain(
      '**Fix:**\n\nFix each in the production settings:\n\n- security.W004: set SECURE_HSTS_SECONDS\n- security.W008: set SECURE_SSL_REDIRECT\n\nThen confirm.\n',
    );
    expect(md).toContain('(TROUBLESHOOTING.md#django-deploy)');
    expect(md).toContain('- Redaction: secrets replaced by tags that stay the same across this machine');
    expect(md).not.toContain('tag key');
    assertBalanced(md);
  });

  it('says clearly what is missing: placeholders, no findings, no sha256 inside the bundle', () => {
    const md = renderIssue({ manifest: manifest() });
    expect(md).toMatch(/^# \[collect-bundle\] <one-line summary of the problem>/);
    expect(md).toContain('_Not provided yet: describe what went wrong');
    expect(md).toContain('_No error messages were found in the collected data._');
    expect(md).toContain('_No findings._');
    expect(md).toContain('sha256: in `collect-bundle-web1-20261128T120000Z-abcdef.tar.gz.sha256` beside the bundle');
    const beside = renderIssue({ manifest: manifest(), sha256: 'f'.repeat(64) });
    expect(beside).toContain(`- sha256: \`${'f'.repeat(64)}\``);
    expect(beside).toContain('collect-bundle verify collect-bundle-web1-20261128T120000Z-abcdef.tar.gz');
  });

  it("stays under GitHub's limit with 500 containers' worth of findings, summarising instead of cutting", () => {
    const findings = [...Array.from({ length: 500 }, (_, i) => oom(i)), ...Array.from({ length: 500 }, (_, i) => warning(i))];
    const collectors = Array.from({ length: 30 }, (_, i) => ({
      name: `c${i}`,
      status: 'failed' as const,
      reason: 'x'.repeat(300),
      durationMs: 1,
      artifacts: [],
      problems: Array.from({ length: 50 }, (_, j) => ({ item: `item-${j}`, reason: 'y'.repeat(200) })),
      commands: [],
    }));
    const md = renderIssue({ manifest: manifest({ collectors, status: 'partial' }), findings, description: 'd'.repeat(30_000) });
    expect(md.length).toBeLessThanOrEqual(ISSUE_MAX_CHARS);
    expect(headings(md)).toEqual(SECTIONS);
    assertBalanced(md);
    // Every finding is accounted for: shown in full, or counted in the summary table.
    const shown = (md.split('## Findings\n')[1]!.match(/^### (ERROR|WARNING): /gm) ?? []).length;
    const counted = [...md.matchAll(/^\| \[[a-z-]+\]\([^)]+\) \| (error|warning) \| (\d+) \|/gm)].reduce((n, m) => n + Number(m[2]), 0);
    expect(shown + counted).toBe(1000);
    expect(md).toContain('_(description shortened)_');
  });

  it('evidence quotes what the program said (the log line) besides the JSON state line, per finding', () => {
    const md = renderIssue({ manifest: manifest(), findings: [oom(1), oom(2)] });
    const section = md.split('## Findings\n')[1]!.split('\n## ')[0]!;
    const [one, two] = section.split('### ERROR: ').slice(1);
    expect(one).toContain('MemoryError: job 1 ran out of memory');
    expect(one).not.toContain('job 2');
    expect(two).toContain('MemoryError: job 2 ran out of memory');
  });

  it('measures the size limit after redaction, whose tokens are longer than the values they replace', () => {
    const redactor = new Redactor({ key: Buffer.alloc(32, 7), report: new RedactionReport() });
    const description = Array.from({ length: 6000 }, (_, i) => `password=p${i}`).join('\n');
    const unredacted = renderIssue({ manifest: manifest(), description });
    expect(unredacted.length).toBeLessThanOrEqual(ISSUE_MAX_CHARS);
    expect(redactor.text(unredacted, 'ISSUE.md').length).toBeGreaterThan(ISSUE_MAX_CHARS);
    const md = renderIssue({ manifest: manifest(), description, redact: (b) => redactor.text(b, 'ISSUE.md') });
    expect(md.length).toBeLessThanOrEqual(ISSUE_MAX_CHARS);
    expect(md).toMatch(/password=\[REDACTED:secret-key-value:[0-9a-f]{8}\]/);
    expect(md).not.toMatch(/password=p\d/);
    expect(md).toContain('## About this bundle');
  });

  it('a finding whose excerpt holds backticks cannot close its code block early', () => {
    const f = { ...oom(1), evidence: [{ file: 'docker/local/containers/job-1/logs.txt', line: 2, excerpt: 'before ``` after' }] };
    const md = renderIssue({ manifest: manifest(), findings: [f] });
    assertBalanced(md);
    expect(md).toContain('````text\n2: before ``` after\n````');
  });
});
