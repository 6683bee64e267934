// Room: report (src/report/) — may import core, bundle, analyzers (the rule: tests/architecture.test.ts).
/** report.html's tables and panels: containers, gauges, Django, logs (split from page.ts). */
import { bytes, esc, hrefOf } from './escape.js';
import type { DjangoModel, Gauge, LogExcerpt, ReportContainer } from './types.js';

const cellNum = (n: number | null, shown = n === null ? '' : String(n)): string => `<td class="num" data-v="${n ?? ''}">${esc(shown)}</td>`;

/** The containers table: sortable and filterable with JavaScript, a plain table without. */
export function containersSection(containers: readonly ReportContainer[], logs: ReadonlyMap<string, string> = new Map()): string {
  if (!containers.length) return '<p class="muted">No containers in this bundle.</p>';
  const head = [
    ['Engine', ''],
    ['Name', ''],
    ['Job', ''],
    ['Image', ''],
    ['State', ''],
    ['Exit code', 'num'],
    ['OOM', ''],
    ['Restarts', 'num'],
    ['Health', ''],
    ['Memory limit', 'num'],
    ['Memory used', 'num'],
    ['Log', ''],
  ]
    .map(([t, type]) => `<th scope="col"${type ? ` data-type="${type}"` : ''}>${t}</th>`)
    .join('');
  const rows = containers.map((c) => {
    const bad = c.oomKilled || (c.exitCode !== null && c.exitCode !== 0 && c.state !== 'running') || c.health === 'unhealthy';
    return `<tr${bad ? ' class="bad"' : ''} data-container="${esc(`${c.engine}/${c.name}`)}"><td>${esc(c.engine)}</td><td>${logs.has(`${c.engine}/${c.name}`) ? `<a href="#${logs.get(`${c.engine}/${c.name}`)}">${esc(c.name)}</a>` : esc(c.name)}</td><td>${esc(c.job ?? '')}</td><td>${esc(c.image)}</td><td title="${esc(c.status)}">${esc(c.state)}</td>${cellNum(c.exitCode)}<td>${c.oomKilled ? 'yes' : ''}</td>${cellNum(c.restartCount)}<td>${esc(c.health ?? '')}</td>${cellNum(c.memoryLimit, bytes(c.memoryLimit))}${cellNum(c.memoryUsage, bytes(c.memoryUsage))}<td>${c.logPath ? `<a href="${hrefOf(c.logPath)}">logs.txt</a>` : ''}</td></tr>`;
  });
  return `<div class="controls" hidden><label>Filter containers <input type="search" data-filter="containers-table" data-count="containers-count" placeholder="name, image, state, job…"></label><output id="containers-count">${containers.length} shown</output></div>
<div class="tablewrap"><table id="containers-table" data-sortable><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

/** Used/total bars drawn as SVG (no inline styles: the policy allows none). */
export function gaugesSection(gauges: readonly Gauge[]): string {
  if (!gauges.length) return '<p class="muted">No host memory or filesystem data in this bundle.</p>';
  return `<div class="gauges">${gauges
    .map((g) => {
      const f = g.total > 0 ? Math.min(1, Math.max(0, g.used / g.total)) : 0;
      const level = f >= 0.97 ? ' full' : f >= 0.9 ? ' high' : '';
      return `<div class="gauge${level}" role="meter" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${Math.round(f * 100)}" aria-label="${esc(g.label)}"><div><strong>${esc(g.label)}</strong></div><svg viewBox="0 0 100 6" preserveAspectRatio="none" aria-hidden="true"><rect class="track" x="0" y="0" width="100" height="6"/><rect class="fill" x="0" y="0" width="${(f * 100).toFixed(2)}" height="6"/></svg><div>${(f * 100).toFixed(1)} % · ${esc(bytes(g.used))} of ${esc(bytes(g.total))}${g.note ? ` <span class="muted">(${esc(g.note)})</span>` : ''}</div></div>`;
    })
    .join('')}</div>`;
}

export function djangoSection(d: DjangoModel | null): string {
  if (!d) return '<p class="muted">Django was not collected in this bundle.</p>';
  const out: string[] = [];
  out.push('<h3>System checks</h3>');
  out.push(
    d.checks.length
      ? `<table class="list"><thead><tr><th>Id</th><th>Level</th><th>Object</th><th>Message</th></tr></thead><tbody>${d.checks
          .map(
            (c) =>
              `<tr${c.level === 'ERROR' || c.level === 'CRITICAL' ? ' class="bad"' : ''}><td>${esc(c.id)}</td><td>${esc(c.level)}</td><td>${esc(c.object ?? '')}</td><td>${esc(c.message)}</td></tr>`,
          )
          .join('')}</tbody></table>`
      : '<p class="muted">No check messages.</p>',
  );
  out.push('<h3>Migrations</h3>');
  out.push(
    d.migrations.length
      ? `<table class="list" id="migrations"><thead><tr><th>App</th><th>Applied</th><th>Not applied</th></tr></thead><tbody>${d.migrations
          .map(
            (a) =>
              `<tr${a.unapplied.length ? ' data-unapplied="true"' : ''}><td>${esc(a.app)}</td><td class="num">${a.applied}</td><td>${a.unapplied.map((n) => `<span class="unapplied">⚠ ${esc(n)}</span>`).join(', ')}</td></tr>`,
          )
          .join('')}</tbody></table>`
      : '<p class="muted">No migration data.</p>',
  );
  out.push('<h3>Jobs by status</h3>');
  const counts = d.jobCounts ? Object.entries(d.jobCounts) : [];
  out.push(
    counts.length
      ? `<table class="list" id="job-counts"><thead><tr><th>Status</th><th>Jobs</th></tr></thead><tbody>${counts.map(([s, n]) => `<tr><td>${esc(s)}</td><td class="num">${esc(n)}</td></tr>`).join('')}</tbody></table>`
      : '<p class="muted">No job counts (container_manager not installed or not reachable).</p>',
  );
  return out.join('\n');
}

/** The docker collector's prefix of each log line: the engine's timestamp and the stream. */
const LOG_PREFIX = /^\d{4}-\d\d-\d\dT[\d:.]+Z (?:stdout|stderr) /;
const TRACEBACK_START = /^\s*Traceback \(most recent call last\):/;
const ERROR_LINE = /\b(error|exception|fatal|critical|panic|traceback|killed|oom)\b/i;

/** One log line with its class: inside a Python traceback (until the exception line), or an error line. */
function logLines(lines: readonly string[]): string {
  let inTraceback = false;
  return lines
    .map((line) => {
      let cls = 'l';
      const text = line.replace(LOG_PREFIX, '');
      if (TRACEBACK_START.test(text)) inTraceback = true;
      if (inTraceback) {
        cls += ' tb';
        // The traceback ends with the exception line, the first one not indented after its header.
        if (!TRACEBACK_START.test(text) && !/^\s/.test(text)) {
          inTraceback = false;
          cls += ' err';
        }
      } else if (ERROR_LINE.test(text)) cls += ' err';
      return `<span class="${cls}">${esc(line)}</span>`;
    })
    .join('');
}

/** A log viewer per container: the last lines, error and traceback lines marked, search with JavaScript. */
export function logsSection(logs: readonly LogExcerpt[], containers: readonly ReportContainer[]): string {
  if (!logs.length) return '<p class="muted">No container logs in this bundle.</p>';
  const troubled = new Set(
    containers.filter((c) => c.oomKilled || (c.exitCode !== null && c.exitCode !== 0 && c.state !== 'running')).map((c) => `${c.engine}/${c.name}`),
  );
  return logs
    .map((l, i) => {
      const open = troubled.has(l.lane) && troubled.size <= 10 ? ' open' : '';
      return `<details class="logview" data-lane="${esc(l.lane)}"${open}><summary>${esc(l.lane)} <span class="muted">(${l.cut ? `last ${l.lines.length} lines` : `${l.lines.length} lines`})</span></summary>
<div class="controls" hidden><label>Search <input type="search" data-log="log-${i}" data-only="log-only-${i}" data-count="log-count-${i}"></label><label><input type="checkbox" id="log-only-${i}"> only matching lines</label><output id="log-count-${i}"></output></div>
<pre class="log" id="log-${i}" tabindex="0">${logLines(l.lines)}</pre>
<p><a href="${hrefOf(l.path)}">The full log in the bundle: ${esc(l.path)}</a></p></details>`;
    })
    .join('\n');
}
