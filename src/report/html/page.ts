// Room: report (src/report/) — may import core, bundle, analyzers (the rule: tests/architecture.test.ts).
/**
 * report.html: one self-contained page rendered on the server side (every section is plain HTML and
 * inline SVG, readable without JavaScript), with the stylesheet and the script inlined and pinned by
 * hash in a strict Content-Security-Policy. Every value from the bundle goes through `esc`.
 */
import type { Finding } from '../../core/types.js';
import { docsHref } from '../issue-findings.js';
import { CSS, contentSecurityPolicy, JS } from './assets.js';
import { bytes, esc, hrefOf } from './escape.js';
import type { ReportModel } from './types.js';
import { containersSection, djangoSection, gaugesSection, logsSection } from './sections.js';
import { containerTimeline, eventList, jobTimeline } from './timeline.js';

/** The page around a body: head with the policy, skip link, the tooltip holder and the script. */
export function pageShell(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(CSS, JS)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
${body}
<div id="tip" role="tooltip" hidden></div>
<script>${JS}</script>
</body>
</html>
`;
}

/** A link target from a bundle (a finding's docs): web URLs and plain relative paths only, never `javascript:`. */
export function safeHref(url: string): string {
  if (/^https?:\/\/[^\s"'<>\\]+$/i.test(url)) return esc(url);
  return /^[A-Za-z0-9_.\-/]+(?:#[A-Za-z0-9_.-]*)?$/.test(url) && !url.startsWith('/') ? esc(url) : '#';
}

const when = (iso: string | undefined): string => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '');

function header(m: ReportModel): string {
  const man = m.manifest;
  const env = man.environment ?? {};
  const engines = Object.entries(env).filter(([k]) => k.startsWith('docker.engine.'));
  const facts: [string, string][] = [
    ['Host', man.host?.hostname ?? ''],
    ['Collected', `${when(man.startedAt)} → ${when(man.finishedAt)} (${((man.durationMs ?? 0) / 1000).toFixed(1)} s)`],
    ['OS', [env['os'], env['kernel'], env['arch']].filter(Boolean).join(' · ')],
    ['Docker', engines.length ? engines.map(([k, v]) => `${k.slice('docker.engine.'.length)}: ${v}`).join('; ') : (env['docker.server'] ?? '')],
    ['Django / Python', [env['django'] && `Django ${env['django']}`, env['django.python'] && `Python ${env['django.python']}`].filter(Boolean).join(' · ')],
    ['Tool', `${man.tool?.name ?? ''} ${man.tool?.version ?? ''}`],
    ['Bundle', m.bundleFile],
  ];
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of m.findings) counts[f.severity] = (counts[f.severity] ?? 0) + 1;
  return `<header>
<h1>${esc(man.host?.hostname ?? 'bundle')} <span class="badge st-${esc(man.status)}">${esc(man.status)}</span></h1>
<p class="muted">Support bundle report: <span class="badge sev-error">${counts.error} error</span> <span class="badge sev-warning">${counts.warning} warning</span> <span class="badge sev-info">${counts.info} info</span></p>
<dl class="facts">${facts
    .filter(([, v]) => v)
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`)
    .join('')}</dl>
</header>
<nav aria-label="Sections"><ul>${[
    ['findings', 'Findings'],
    ['timeline', 'Timeline'],
    ['containers', 'Containers'],
    ['resources', 'Disk and memory'],
    ['django', 'Django'],
    ['logs', 'Logs'],
    ['redaction', 'Redaction'],
    ['collection', 'Collection'],
  ]
    .map(([id, t]) => `<li><a href="#${id}">${t}</a></li>`)
    .join('')}</ul></nav>`;
}

function finding(f: Finding, docsUrl: string | undefined): string {
  const evidence = f.evidence
    .slice(0, 12)
    .map(
      (e) =>
        `<li><a href="${hrefOf(e.file)}">${esc(e.file)}${e.line ? `:${e.line}` : ''}</a>${e.excerpt ? `<pre>${esc(e.excerpt.length > 4000 ? `${e.excerpt.slice(0, 4000)}…` : e.excerpt)}</pre>` : ''}</li>`,
    )
    .join('');
  return `<article class="finding ${esc(f.severity)}" data-finding="${esc(f.id)}">
<h3><span class="badge sev-${esc(f.severity)}">${esc(f.severity)}</span> ${esc(f.title)}</h3>
<p>${esc(f.summary)}</p>
${evidence ? `<details${f.severity === 'error' ? ' open' : ''}><summary>Evidence (${f.evidence.length})</summary><ul>${evidence}</ul></details>` : ''}
<p><strong>Remedy:</strong> ${esc(f.remedy)}</p>
<p><a href="${safeHref(docsHref(f.docs, docsUrl))}">${esc(f.id)} in TROUBLESHOOTING.md</a>${f.subject ? ` <span class="muted">· ${esc(f.subject)}</span>` : ''}</p>
</article>`;
}

function findingsSection(m: ReportModel): string {
  if (!m.findings.length) return '<p class="muted">No findings.</p>';
  const out: string[] = [];
  for (const sev of ['error', 'warning', 'info'] as const) {
    const list = m.findings.filter((f) => f.severity === sev);
    if (!list.length) continue;
    out.push(`<h3>${sev === 'error' ? 'Errors' : sev === 'warning' ? 'Warnings' : 'Information'} (${list.length})</h3>`);
    out.push(...list.slice(0, 200).map((f) => finding(f, m.docsUrl)));
    if (list.length > 200) out.push(`<p class="muted">${list.length - 200} more in findings.json.</p>`);
  }
  return out.join('\n');
}

const LEGEND = `<ul class="legend" aria-label="Legend"><li>● start (amber: a restart)</li><li>■ exit (red: non-zero code)</li><li>▲ OOM kill</li><li>✕ kill</li><li>◆ health change (red: unhealthy)</li><li>bar: a job from created to finished; dashed: pending past the threshold</li></ul>`;

function redactionSection(m: ReportModel): string {
  const r = m.manifest.redaction;
  const rows = (r?.byRule ?? []).map((x) => `<tr><td>${esc(x.rule)}</td><td class="num">${esc(x.count)}</td></tr>`).join('');
  return `<p>${esc(r?.total ?? 0)} secret value(s) were replaced by <code>[REDACTED:&lt;rule&gt;:&lt;tag&gt;]</code> tokens before anything was written. Counts per rule, never values (per file: <a href="redactions.json">redactions.json</a>).</p>
${rows ? `<table class="list"><thead><tr><th>Rule</th><th>Count</th></tr></thead><tbody>${rows}</tbody></table>` : ''}`;
}

function collectionSection(m: ReportModel): string {
  const rows = (m.manifest.collectors ?? [])
    .map(
      (c) =>
        `<tr${c.status === 'ok' ? '' : ' class="bad"'}><td>${esc(c.name)}</td><td>${esc(c.status)}</td><td class="num">${((c.durationMs ?? 0) / 1000).toFixed(1)} s</td><td class="num">${c.artifacts?.length ?? 0}</td><td>${esc(c.reason ?? '')}${c.problems?.length ? ` (${c.problems.length} item(s) not collected)` : ''}</td></tr>`,
    )
    .join('');
  const size = (m.manifest.collectors ?? []).flatMap((c) => c.artifacts ?? []).reduce((n, a) => n + (a.bytes ?? 0), 0);
  return `<p>${esc(m.manifest.collectors?.length ?? 0)} collector(s), ${esc(bytes(size))} collected. Every file with its sha256: <a href="manifest.json">manifest.json</a>; the run's log: <a href="run.log">run.log</a>; the issue text: <a href="ISSUE.md">ISSUE.md</a>.</p>
<table class="list"><thead><tr><th>Collector</th><th>Status</th><th>Duration</th><th>Files</th><th>Note</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** Each container's log viewer, by lane (`engine/name`): the timeline's lanes and the table's names link to it. */
const logAnchors = (m: ReportModel): ReadonlyMap<string, string> => new Map(m.logs.map((l, i) => [l.lane, `log-${i}`] as const));

/** The whole report.html of one bundle. */
export function renderReportHtml(m: ReportModel): string {
  const body = `${header(m)}
<main id="main">
<section id="findings" aria-labelledby="h-findings"><h2 id="h-findings">Findings</h2>
${findingsSection(m)}</section>
<section id="timeline" aria-labelledby="h-timeline"><h2 id="h-timeline">Timeline</h2>
${LEGEND}
<h3>Containers</h3>
${containerTimeline(m.events, logAnchors(m))}
${eventList(m.events)}
<h3>Jobs</h3>
${jobTimeline(m.jobs, Date.parse(m.manifest.startedAt))}
</section>
<section id="containers" aria-labelledby="h-containers"><h2 id="h-containers">Containers</h2>
${containersSection(m.containers, logAnchors(m))}</section>
<section id="resources" aria-labelledby="h-resources"><h2 id="h-resources">Disk and memory</h2>
${gaugesSection(m.gauges)}</section>
<section id="django" aria-labelledby="h-django"><h2 id="h-django">Django</h2>
${djangoSection(m.django)}</section>
<section id="logs" aria-labelledby="h-logs"><h2 id="h-logs">Logs</h2>
${logsSection(m.logs, m.containers)}</section>
<section id="redaction" aria-labelledby="h-redaction"><h2 id="h-redaction">Redaction</h2>
${redactionSection(m)}</section>
<section id="collection" aria-labelledby="h-collection"><h2 id="h-collection">Collection</h2>
${collectionSection(m)}</section>
</main>
<footer>Generated by ${esc(m.manifest.tool?.name ?? '')} ${esc(m.manifest.tool?.version ?? '')} from the bundle's redacted files. Links to files work once the bundle is extracted (tar xzf).</footer>`;
  return pageShell(`${m.manifest.host?.hostname ?? 'bundle'}: support bundle report`, body);
}
