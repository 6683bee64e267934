// Room: report (src/report/) — may import core, bundle, analyzers (the rule: tests/architecture.test.ts).
/**
 * The timelines of report.html as inline SVG drawn here (no library, nothing fetched): one of container
 * events over the events' window (starts, exits with codes, OOM kills, kills, restarts, health changes),
 * one of job lifetimes from created to finished. Every mark has a <title> (the hover text), is focusable
 * and names itself to a screen reader; a plain list of the same events follows for readers without SVG.
 */
import { esc } from './escape.js';
import type { JobSpan, TimelineEvent } from './types.js';

/** Lanes drawn at most; the rest are in the list and the containers table. */
export const MAX_LANES = 250;
const WIDTH = 1000;
const LABEL = 210;
const ROW = 18;
const TOP = 24;

/** Kinds in the order they are drawn (later on top). */
const DRAW_ORDER: readonly string[] = ['create', 'start', 'stop', 'health', 'restart', 'kill', 'exit', 'oom'];

const iso = (t: number): string =>
  new Date(t)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
const short = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function axis(start: number, end: number, height: number): string {
  const out: string[] = [];
  const span = end - start;
  for (let i = 0; i <= 4; i++) {
    const t = start + (span * i) / 4;
    const x = LABEL + ((WIDTH - LABEL - 10) * i) / 4;
    const label = span > 86_400_000 ? iso(t).slice(5, 16) : iso(t).slice(11, 19);
    out.push(`<line class="tick" x1="${x.toFixed(1)}" y1="${TOP - 6}" x2="${x.toFixed(1)}" y2="${height}"/>`);
    out.push(
      `<text class="ticklabel" x="${x.toFixed(1)}" y="${TOP - 10}" text-anchor="${i === 0 ? 'start' : i === 4 ? 'end' : 'middle'}">${esc(label)}</text>`,
    );
  }
  return out.join('');
}

function shape(kind: string, x: number, y: number): string {
  const p = (n: number): string => n.toFixed(1);
  switch (kind) {
    case 'exit':
      return `<rect x="${p(x - 4)}" y="${p(y - 4)}" width="8" height="8"/>`;
    case 'oom':
      return `<path d="M${p(x)} ${p(y - 6)} L${p(x + 6)} ${p(y + 5)} L${p(x - 6)} ${p(y + 5)} Z"/>`;
    case 'health':
      return `<path d="M${p(x)} ${p(y - 5)} L${p(x + 5)} ${p(y)} L${p(x)} ${p(y + 5)} L${p(x - 5)} ${p(y)} Z"/>`;
    case 'kill':
      return `<path d="M${p(x - 4)} ${p(y - 4)} L${p(x + 4)} ${p(y + 4)} M${p(x + 4)} ${p(y - 4)} L${p(x - 4)} ${p(y + 4)}"/>`;
    default:
      return `<circle cx="${p(x)}" cy="${p(y)}" r="${kind === 'create' ? 3 : 4.5}"/>`;
  }
}

/** The opening of a timeline's SVG (`rows` lanes over [start, end]) with its axis, and the time-to-x scale. */
function frame(id: string, what: string, start: number, end: number, rows: number): { x: (t: number) => number; out: string[] } {
  const height = TOP + rows * ROW + 4;
  return {
    x: (t) => LABEL + ((WIDTH - LABEL - 10) * (t - start)) / (end - start),
    out: [
      `<svg class="timeline" id="${id}" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="group" aria-label="${what} from ${esc(iso(start))} to ${esc(iso(end))}">`,
      axis(start, end, height),
    ],
  };
}

/** The containers' timeline: one lane per container (first event first), a mark per event. */
export function containerTimeline(events: readonly TimelineEvent[], logs: ReadonlyMap<string, string> = new Map()): string {
  if (!events.length) return '<p class="muted">No container events in this bundle.</p>';
  const lanes = [...new Set(events.map((e) => e.lane))];
  const shown = lanes.slice(0, MAX_LANES);
  const laneIndex = new Map(shown.map((l, i) => [l, i] as const));
  const start = events[0]!.time;
  const end = Math.max(events[events.length - 1]!.time, start + 1000);
  const { x, out } = frame('container-timeline', 'Container events', start, end, shown.length);
  shown.forEach((lane, i) => {
    const y = TOP + i * ROW + ROW / 2;
    const label = `<text class="lane" x="4" y="${y + 4}">${esc(short(lane, 30))}<title>${esc(lane)}</title></text>`;
    const log = logs.get(lane);
    out.push(log ? `<a href="#${log}" aria-label="${esc(`log of ${lane}`)}">${label}</a>` : label);
    out.push(`<line class="laneline" x1="${LABEL}" y1="${y}" x2="${WIDTH - 10}" y2="${y}"/>`);
  });
  // Trouble is drawn last, on top: an OOM kill and its exit happen in the same instant.
  const drawn = [...events].sort((a, b) => DRAW_ORDER.indexOf(a.kind) - DRAW_ORDER.indexOf(b.kind) || a.time - b.time);
  for (const e of drawn) {
    const i = laneIndex.get(e.lane);
    if (i === undefined) continue;
    const text = `${e.lane}: ${e.detail} at ${iso(e.time)}`;
    out.push(
      `<g class="m k-${e.kind}${e.bad ? ' bad' : ''}" data-kind="${e.kind}" data-lane="${esc(e.lane)}" tabindex="0" role="img" aria-label="${esc(text)}"><title>${esc(text)}</title>${shape(e.kind, x(e.time), TOP + i * ROW + ROW / 2)}</g>`,
    );
  }
  out.push('</svg>');
  if (lanes.length > shown.length) out.push(`<p class="muted">${lanes.length - shown.length} more containers with events are in the list below.</p>`);
  return out.join('\n');
}

/** The jobs' timeline: a bar per job from created (or started) to finished, or to the collection when it has not finished. */
export function jobTimeline(jobs: readonly JobSpan[], collectedAt: number): string {
  const drawn = jobs.filter((j) => (j.created ?? j.started) !== null).slice(0, MAX_LANES);
  if (!drawn.length) return '<p class="muted">No job rows in this bundle.</p>';
  const times = drawn.flatMap((j) => [j.created, j.started, j.finished]).filter((t): t is number => t !== null);
  const start = Math.min(...times);
  const end = Math.max(...times, Number.isFinite(collectedAt) ? collectedAt : start + 1000, start + 1000);
  const { x, out } = frame('job-timeline', 'Job lifetimes', start, end, drawn.length);
  drawn.forEach((j, i) => {
    const y = TOP + i * ROW + ROW / 2;
    const from = (j.created ?? j.started)!;
    const to = j.finished ?? end;
    const open = j.finished === null;
    const text = `job ${j.name} (id ${j.id}): ${j.status}${j.stuck ? ' (stuck: pending past the threshold)' : ''}; created ${j.created ? iso(j.created) : '?'}, started ${j.started ? iso(j.started) : 'never'}, ${j.finished ? `finished ${iso(j.finished)}` : 'not finished'}${j.exitCode !== null ? `, exit code ${j.exitCode}` : ''}${j.error ? `: ${j.error}` : ''}`;
    out.push(`<text class="lane" x="4" y="${y + 4}">${esc(short(j.name, 30))}<title>${esc(`${j.name} (id ${j.id})`)}</title></text>`);
    out.push(
      `<g class="m job s-${esc(j.status.replace(/[^a-z_-]/gi, ''))}${j.stuck ? ' stuck bad' : ''}${open ? ' open' : ''}" data-kind="${j.stuck ? 'stuck' : 'job'}" data-job="${esc(j.id)}" data-lane="${esc(j.name)}" tabindex="0" role="img" aria-label="${esc(text)}"><title>${esc(text)}</title><rect x="${x(from).toFixed(1)}" y="${y - 5}" width="${Math.max(3, x(to) - x(from)).toFixed(1)}" height="10" rx="2"/>${j.started !== null ? `<line class="started" x1="${x(j.started).toFixed(1)}" y1="${y - 7}" x2="${x(j.started).toFixed(1)}" y2="${y + 7}"/>` : ''}</g>`,
    );
  });
  out.push('</svg>');
  return out.join('\n');
}

/** The same events as a table, readable without SVG or JavaScript. */
export function eventList(events: readonly TimelineEvent[], max = 2000): string {
  if (!events.length) return '';
  const rows = events
    .slice(0, max)
    .map((e) => `<tr${e.bad ? ' class="bad"' : ''}><td>${esc(iso(e.time))}</td><td>${esc(e.lane)}</td><td>${esc(e.kind)}</td><td>${esc(e.detail)}</td></tr>`);
  return `<details><summary>All ${events.length} events as a list${events.length > max ? ` (first ${max})` : ''}</summary><table class="list"><thead><tr><th>Time (UTC)</th><th>Container</th><th>Event</th><th>Detail</th></tr></thead><tbody>${rows.join('')}</tbody></table></details>`;
}
