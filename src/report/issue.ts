// Room: report (src/report/) — may import core, bundle, analyzers (the rule: tests/architecture.test.ts).
/**
 * ISSUE.md: a ready-to-file report made from the manifest, the findings and the redaction report,
 * never from raw collector output. Sections follow the issue template users know (Problem
 * Description … Findings), and the body always fits GitHub's issue size limit: when there is too much
 * to show, whole items are summarised (counts per finding id) rather than a block being cut mid-way.
 * Each finding appears once, under Findings, with its evidence and fix (src/report/issue-findings.ts).
 */
import type { Finding, Manifest } from '../core/types.js';
import { oneLine } from '../core/text.js';
import { docsHref, renderFinding } from './issue-findings.js';
import { describeCuts } from '../bundle/budget.js';

export interface IssueInput {
  readonly manifest: Manifest;
  /** findings.json's findings, most severe first. */
  readonly findings?: readonly Finding[];
  readonly title?: string;
  readonly description?: string;
  /** The bundle's file name (`collect-bundle-….tar.gz`). */
  readonly bundleFile?: string;
  /** Known only once the archive is finished, so only the copy written beside the bundle has it. */
  readonly sha256?: string;
  /**
   * The redactor's pass over the body. The size limit is checked on its output, since a token can be
   * longer than the value it replaces.
   */
  readonly redact?: (body: string) => string;
  /**
   * The absolute URL of TROUBLESHOOTING.md that finding links point to (`--docs-url`, else the
   * package's repository or homepage); without one the links stay relative.
   */
  readonly docsUrl?: string;
}

/** GitHub rejects issue bodies longer than this. */
export const ISSUE_MAX_CHARS = 65_536;

/** How much detail a rendering shows; the renderer steps down these until the body fits. */
interface Detail {
  readonly findings: number;
  readonly errorBlocks: number;
  readonly logBlocks: number;
  readonly logLines: number;
  readonly problems: number;
  readonly actual: number;
  readonly collectors: number;
  /** Longest user-supplied description kept. */
  readonly description: number;
}

const DETAIL_LEVELS: readonly Detail[] = [
  { findings: 40, errorBlocks: 10, logBlocks: 8, logLines: 30, problems: 40, actual: 20, collectors: 100, description: 20_000 },
  { findings: 20, errorBlocks: 6, logBlocks: 5, logLines: 20, problems: 20, actual: 10, collectors: 50, description: 10_000 },
  { findings: 10, errorBlocks: 3, logBlocks: 3, logLines: 10, problems: 10, actual: 5, collectors: 20, description: 5_000 },
  { findings: 3, errorBlocks: 1, logBlocks: 1, logLines: 5, problems: 3, actual: 3, collectors: 10, description: 2_000 },
  { findings: 0, errorBlocks: 0, logBlocks: 0, logLines: 0, problems: 0, actual: 0, collectors: 0, description: 500 },
];

/** Longest single field (a title, a remedy) shown. */
const FIELD_MAX = 1_000;

export function renderIssue(input: IssueInput): string {
  const redact = input.redact ?? ((b: string) => b);
  for (const detail of DETAIL_LEVELS) {
    const body = redact(render(input, detail));
    if (body.length <= ISSUE_MAX_CHARS) return body;
  }
  // Only reachable with absurd single fields: keep whole lines up to the limit.
  const body = redact(render(input, DETAIL_LEVELS[DETAIL_LEVELS.length - 1]!));
  const note = "\n\n_(shortened to fit GitHub's issue size limit; the bundle's manifest.json and findings.json have everything)_\n";
  const cut = body.lastIndexOf('\n', ISSUE_MAX_CHARS - note.length);
  return `${body.slice(0, cut)}${note}`;
}

function render(input: IssueInput, d: Detail): string {
  const { manifest: m, findings = [], title, description, bundleFile, sha256 } = input;
  const env = m.environment;
  const out: string[] = [];
  const errors = findings.filter((f) => f.severity === 'error');
  const warnings = findings.filter((f) => f.severity === 'warning');

  out.push(`# ${short(title?.trim() || '[collect-bundle] <one-line summary of the problem>')}`, '');

  out.push('## Problem Description', '');
  const desc = description?.trim();
  if (desc)
    out.push(
      desc.length > d.description
        ? `${desc.slice(0, desc.lastIndexOf('\n', d.description) > 0 ? desc.lastIndexOf('\n', d.description) : d.description)}\n\n_(description shortened)_`
        : desc,
      '',
    );
  else
    out.push(
      '_Not provided yet: describe what went wrong, when it started and what you were doing. (Pass `--title` and `--description` to fill this in.)_',
      '',
    );

  out.push('## Environment', '', '| | |', '|---|---|');
  out.push(`| OS | ${cell(env['os'])} |`);
  out.push(`| Kernel | ${cell(env['kernel'])}${env['arch'] ? ` (${cell(env['arch'])})` : ''} |`);
  const engines = Object.entries(env).filter(([k]) => k.startsWith('docker.engine.'));
  if (engines.length) for (const [k, v] of engines) out.push(`| Docker engine \`${cell(k.slice('docker.engine.'.length))}\` | ${cell(v)} |`);
  else out.push(`| Docker engine | ${cell(env['docker.server'])}${env['docker.api'] ? ` (API ${cell(env['docker.api'])})` : ''} |`);
  out.push(`| Docker CLI | ${cell(env['docker'])} |`);
  out.push(`| Python (Django's interpreter) | ${cell(env['django.python'])} |`);
  out.push(`| Python (\`python3\` on PATH) | ${cell(env['python3'])} |`);
  out.push(`| Django | ${cell(env['django'])}${env['django.settings'] ? ` (settings \`${cell(env['django.settings'])}\`)` : ''} |`);
  out.push(`| Node | ${cell(env['node'])} |`);
  out.push(`| ${m.tool.name} | ${cell(m.tool.version)} |`);
  out.push(`| Project commit | ${env['project.git'] ? `\`${cell(env['project.git'])}\`` : '_not a git checkout, or Django not collected_'} |`, '');

  out.push('## Steps to Reproduce', '', '1. _…_', '2. _…_', '3. _…_', '');
  out.push('## Expected Behavior', '', '_What should have happened?_', '');

  out.push('## Actual Behavior', '');
  if (errors.length || warnings.length) {
    const infos = findings.length - errors.length - warnings.length;
    out.push(
      `${m.tool.name} found ${andList([plural(errors.length, 'error'), plural(warnings.length, 'warning'), ...(infos ? [`${infos} info`] : [])])}; each is under [Findings](#findings) with its evidence and fix:`,
      '',
    );
    for (const line of summaryByKind(findings.filter((f) => f.severity !== 'info')).slice(0, d.actual)) out.push(`- ${line}`);
  } else out.push(`_${m.tool.name} found no errors or warnings in what it collected; describe what you observed._`);
  if (m.status === 'partial') out.push('', `Collection was **partial**: ${failedCollectors(m)}.`);
  out.push('');

  out.push('## Error Messages', '');
  out.push(
    errors.some((f) => f.evidence.length)
      ? '_Quoted with each error under [Findings](#findings), next to its fix._'
      : '_No error messages were found in the collected data._',
    '',
  );

  out.push('## Configuration', '');
  out.push(...configuration(m), '');

  out.push('## Logs', '');
  out.push(
    findings.some((f) => f.evidence.some((e) => LOG_FILE.test(e.file)))
      ? '_The log lines that explain a finding are shown with it under [Findings](#findings); the full logs are in the bundle._'
      : '_No log excerpts are tied to a finding; the full logs are in the bundle._',
    '',
  );
  const cut = m.collectors.flatMap((c) => c.artifacts.filter((a) => a.cut).map((a) => a.path));
  if (m.budget && cut.length) out.push(`**Size budget:** ${describeCuts(cut, m.budget.maxBytes)}.`, '');

  out.push('## Findings', '');
  if (findings.length === 0) out.push('_No findings._', '');
  const shown = findings.slice(0, d.findings);
  for (const f of shown) out.push(...renderFinding(f, { ...(input.docsUrl ? { docsBase: input.docsUrl } : {}), evidenceLines: d.logLines }));
  const rest = findings.slice(d.findings);
  if (rest.length) {
    out.push(
      `${rest.length} more finding(s), summarised (every one is in \`findings.json\`):`,
      '',
      '| finding | severity | count | e.g. |',
      '|---|---|---|---|',
    );
    const groups = new Map<string, Finding[]>();
    for (const f of rest) groups.set(`${f.id}\u0000${f.severity}`, [...(groups.get(`${f.id}\u0000${f.severity}`) ?? []), f]);
    for (const g of groups.values()) {
      const f = g[0]!;
      out.push(
        `| [${f.id}](${docsHref(f.docs, input.docsUrl)}) | ${f.severity} | ${g.length} | ${cell(
          g
            .slice(0, 3)
            .map((x) => x.subject ?? x.title)
            .join(', '),
        ).slice(0, 200)} |`,
      );
    }
  }
  out.push('');

  out.push('## About this bundle', '');
  const file = bundleFile ?? `${m.bundle}.tar.gz`;
  out.push(`- File: \`${file}\``);
  out.push(sha256 ? `- sha256: \`${sha256}\`` : `- sha256: in \`${file}.sha256\` beside the bundle (a file cannot hold its own checksum)`);
  out.push(`- Created ${m.startedAt} on \`${cell(m.host.hostname)}\` in ${(m.durationMs / 1000).toFixed(1)} s; status **${m.status}**`);
  out.push(`- Verify it: \`collect-bundle verify ${file}\` (checksums, structure and a rescan for secrets), or \`sha256sum -c ${file}.sha256\``, '');
  out.push('| Collector | Status | Duration | Files | Note |', '|---|---|---|---|---|');
  for (const c of m.collectors.slice(0, d.collectors))
    out.push(`| ${c.name} | ${c.status} | ${(c.durationMs / 1000).toFixed(1)} s | ${c.artifacts.length} | ${c.reason ? cell(c.reason) : ''} |`);
  if (m.collectors.length > d.collectors) out.push(`| … | | | | ${m.collectors.length - d.collectors} more in manifest.json |`);
  out.push('');
  const problems = m.collectors.flatMap((c) => c.problems.map((p) => ({ collector: c.name, ...p })));
  if (problems.length) {
    out.push(`Items that could not be collected (${problems.length}):`, '');
    for (const p of problems.slice(0, d.problems)) out.push(`- ${p.collector}: ${short(p.item)}: ${short(p.reason)}`);
    if (problems.length > d.problems) out.push(`- … and ${problems.length - d.problems} more (see manifest.json)`);
    out.push('');
  }
  out.push(
    `**Contains:** ${contents(m)}; \`manifest.json\` (every file with its sha256, every command run), \`findings.json\`, \`redactions.json\`, \`run.log\`, and \`report.html\` (all of it as one page: extract the bundle and open it in a browser).`,
    '',
    `**Deliberately does not contain:** any secret value: ${plural(m.redaction.total, 'secret')} replaced by \`[REDACTED:<rule>:<tag>]\` tokens${byRule(m.redaction.byRule)}. It also leaves out container environment values under secret-looking names; database rows beyond job and host status (no job environment values); files or logs beyond the size limits (cut ones are marked \`truncated\` in manifest.json). Nothing was changed on the system: collectors only read.`,
    '',
    '---',
    `_Generated by ${m.tool.name} ${m.tool.version} from the bundle's manifest, findings and redaction report._`,
    '',
  );
  return out.join('\n');
}

/** Log files whose lines are quoted with findings. */
const LOG_FILE = /(^|\/)(logs\.txt|events\.jsonl)$|\.log$/;

/** One line per finding id (most severe first): how many, of what severity, about what. */
function summaryByKind(findings: readonly Finding[]): string[] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) groups.set(`${f.severity} ${f.id}`, [...(groups.get(`${f.severity} ${f.id}`) ?? []), f]);
  return [...groups.values()].map((g) => {
    const f = g[0]!;
    const subjects = g.map((x) => x.subject).filter((x): x is string => !!x);
    const about = subjects.length ? `: ${subjects.slice(0, 5).join(', ')}${subjects.length > 5 ? `, … (${subjects.length} in all)` : ''}` : '';
    return `${g.length === 1 ? short(f.title) : `${g.length}× ${f.id} (${f.severity})${short(about)}`}`;
  });
}

function andList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** The sanitised configuration summary: engines, databases, apps, limits, redaction. */
function configuration(m: Manifest): string[] {
  const env = m.environment;
  const o = m.options as Record<string, unknown>;
  const lines: string[] = [];
  const engines = m.docker.endpoints;
  lines.push(
    `- Docker engines: ${engines.length ? engines.map((e) => `\`${e.label}\` ${e.url} (from ${e.source}${e.tls ? `, TLS${e.tls.verify ? ' verified' : ''}` : ''})`).join('; ') : 'none'}`,
  );
  lines.push(`- Databases: ${env['django.databases'] ? cell(env['django.databases']) : '_not collected_'}`);
  lines.push(
    `- Django: ${env['django.installedApps'] ? `${env['django.installedApps']} installed apps` : 'installed apps not collected'}${env['django.debug'] ? `, DEBUG=${env['django.debug'] === 'true' ? 'True' : 'False'}` : ''}${env['django.settings'] ? `, settings \`${cell(env['django.settings'])}\`` : ''}`,
  );
  const docker = (o['collectorOptions'] as Record<string, Record<string, unknown>> | undefined)?.['docker'] ?? {};
  const limits = [
    `timeout ${String(o['timeoutSec'] ?? '?')} s per collector`,
    o['deadlineSec'] ? `deadline ${String(o['deadlineSec'])} s` : undefined,
    `concurrency ${String(o['concurrency'] ?? '?')}`,
    docker['tail'] !== undefined ? `log tail ${String(docker['tail'])}` : undefined,
    docker['since'] !== undefined ? `since ${String(docker['since'])}` : undefined,
    docker['maxLogBytes'] !== undefined ? `max log bytes ${String(docker['maxLogBytes'])}` : undefined,
    Array.isArray(o['only']) && o['only'].length ? `only ${o['only'].join(', ')}` : undefined,
    Array.isArray(o['skip']) && o['skip'].length ? `skip ${o['skip'].join(', ')}` : undefined,
  ].filter(Boolean);
  lines.push(`- Limits used: ${limits.join(', ')} (defaults unless given)`);
  lines.push(
    `- Redaction: ${tagWords(m.redaction.tags)}${m.redaction.customRules?.length ? `, ${m.redaction.customRules.length} custom rule(s)` : ''}${m.redaction.allow ? `, ${m.redaction.allow} allowlist entr${m.redaction.allow === 1 ? 'y' : 'ies'}` : ''}`,
  );
  return lines;
}

/** Which key made the redaction tags, in plain words (the manifest says installation, file or ephemeral). */
function tagWords(kind: string | undefined): string {
  switch (kind) {
    case 'installation':
      return "secrets replaced by tags that stay the same across this machine's bundles (the same secret gives the same tag)";
    case 'file':
      return 'secrets replaced by tags made with a shared key file, comparable across the bundles made with it';
    case 'ephemeral':
      return 'secrets replaced by tags used in this bundle only (not comparable with other bundles)';
    default:
      return 'secrets replaced by tags';
  }
}

/** `system/ (7 files), docker/ (12 files), …` from the manifest's artifact list. */
function contents(m: Manifest): string {
  const counts = new Map<string, number>();
  for (const c of m.collectors) for (const a of c.artifacts) counts.set(a.path.split('/')[0]!, (counts.get(a.path.split('/')[0]!) ?? 0) + 1);
  return counts.size ? [...counts].map(([dir, n]) => `\`${dir}/\` (${plural(n, 'file')})`).join(', ') : 'no collected files';
}

function failedCollectors(m: Manifest): string {
  const failed = m.collectors.filter((c) => c.status === 'failed' || c.status === 'timed-out' || c.status === 'partial');
  return failed.map((c) => `${c.name} ${c.status}${c.reason ? ` (${short(c.reason)})` : ''}`).join('; ') || 'see manifest.json';
}

/** One line of at most FIELD_MAX characters. */
const short = (s: string): string => oneLine(s, FIELD_MAX);
const cell = (v: string | undefined): string => (v ? short(v).replace(/\|/g, '\\|') : '_unknown_');
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function byRule(rules: Manifest['redaction']['byRule']): string {
  // `count by rule`, not `rule: count`: "secret-key-value: 2" reads as a secret key and its value to
  // the redactor, which would replace the count with a token.
  const parts = rules.map(({ rule, count }) => `${count} by ${rule}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}
