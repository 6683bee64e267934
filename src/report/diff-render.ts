// Room: report (src/report/) — may import core, bundle, analyzers (the rule: tests/architecture.test.ts).
/** `diff`'s text output (split from src/report/diff.ts along its // --- seam). */
import { formatBytes } from '../core/units.js';
import type { ContainerFieldChange, ResourceChange, BundleDiff } from './diff-model.js';
import { describeState, INFORMATIONAL } from './diff-sections.js';

// ---------------------------------------------------------------------------------------------
// Text

/** Signed human size: `+1.5 GiB`, `-512 MiB`. */
export function signedBytes(n: number): string {
  return `${n < 0 ? '-' : '+'}${formatBytes(Math.abs(n))}`;
}

const shortId = (id: string | null): string => (id ? id.replace(/^sha256:/, '').slice(0, 12) : '(none)');

/** `diff`'s text report: grouped, in a stable order. */
export function renderDiff(d: BundleDiff): string {
  const out: string[] = [];
  out.push(`--- ${d.old.bundle}  (${d.old.startedAt})`);
  out.push(`+++ ${d.new.bundle}  (${d.new.startedAt})`);
  for (const n of d.notes) out.push(`note: ${n}`);
  const section = (title: string, lines: string[]): void => {
    if (lines.length) out.push('', title, ...lines.map((l) => `  ${l}`));
  };
  section(
    'Containers',
    d.containers.map((c) => {
      const who = `${c.engine}/${c.name}`;
      if (c.kind !== 'changed') {
        return c.kind === 'appeared'
          ? `+ ${who}: appeared (${describeState(c.container)}, image ${c.container.image})`
          : `- ${who}: disappeared (was ${describeState(c.container)}, image ${c.container.image})`;
      }
      return `~ ${who}: ${c.changes.map(describeChange).join('; ')}`;
    }),
  );
  section(
    'Versions',
    d.versions.map((v) => `~ ${v.what}: ${v.old ?? '(none)'} → ${v.new ?? '(none)'}`),
  );
  section(
    'Migrations',
    d.migrations.map((m) => `${m.change === 'added' || m.change === 'applied' ? '+' : '-'} ${m.app}.${m.name}: ${m.change}`),
  );
  section('Findings', [
    ...d.findings.new.map((f) => `+ new ${f.severity} ${f.id}${f.subject ? ` [${f.subject}]` : ''}: ${f.title}`),
    ...d.findings.resolved.map((f) => `- resolved ${f.severity} ${f.id}${f.subject ? ` [${f.subject}]` : ''}: ${f.title}`),
  ]);
  section(
    'Jobs by status',
    d.jobs.map((j) => `~ ${j.status}: ${j.old} → ${j.new} (${j.delta > 0 ? '+' : ''}${j.delta})`),
  );
  section('Resources', resourceLines(d.resources));
  section(
    'Not comparable',
    d.notComparable.map((n) => `${n.section}: ${n.reason}`),
  );
  out.push('');
  const small = d.resources.some((r) => !r.significant && !INFORMATIONAL.has(r.metric));
  out.push(
    d.differences === 0
      ? `no differences${small ? ' (resource changes below the thresholds are listed but not counted)' : ''}`
      : `${d.differences} difference${d.differences === 1 ? '' : 's'}${small ? ' (resource changes without ! are below the thresholds and not counted)' : ''}`,
  );
  return `${out.join('\n')}\n`;
}

export function describeChange(c: ContainerFieldChange): string {
  switch (c.field) {
    case 'id':
      return `recreated (id ${shortId(c.old)} → ${shortId(c.new)})`;
    case 'state':
      return `${describeState(c.old)} → ${describeState(c.new)}`;
    case 'restartCount': {
      const delta = (c.new ?? 0) - (c.old ?? 0);
      return `restarts ${c.old} → ${c.new} (${delta > 0 ? '+' : ''}${delta})`;
    }
    case 'health':
      return `health ${c.old ?? '(none)'} → ${c.new ?? '(none)'}`;
    case 'image':
      return `image ${c.old} → ${c.new}`;
    case 'imageId':
      return `image id ${shortId(c.old)} → ${shortId(c.new)}`;
  }
}

/** One line per subject: `! / used 22.5 GiB → 24.1 GiB (+1.6 GiB), available ...`. */
export function resourceLines(list: readonly ResourceChange[]): string[] {
  const bySubject = new Map<string, ResourceChange[]>();
  for (const r of list) bySubject.set(`${r.kind}\u0000${r.subject}`, [...(bySubject.get(`${r.kind}\u0000${r.subject}`) ?? []), r]);
  const lines: string[] = [];
  for (const group of bySubject.values()) {
    const first = group[0]!;
    const label = first.kind === 'disk' ? `disk ${first.subject}` : first.subject;
    const parts = group.map((r) => {
      if (r.old === null) return `${r.metric} (new) ${formatBytes(r.new ?? 0)}`;
      if (r.new === null) return `${r.metric} (gone, was ${formatBytes(r.old)})`;
      return `${r.metric} ${formatBytes(r.old)} → ${formatBytes(r.new)} (${signedBytes(r.delta)})`;
    });
    lines.push(`${group.some((r) => r.significant) ? '!' : ' '} ${label}: ${parts.join(', ')}`);
  }
  return lines;
}
