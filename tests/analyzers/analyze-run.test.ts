/** runAnalyzers: order, counts, --fail-on, and an analyzer that throws. */
import { describe, expect, it } from 'vitest';
import { finding } from '../../analyzers/finding.js';
import { failsOn, runAnalyzers } from '../../analyzers/run.js';
import { MemoryView } from '../../src/bundle/memory-view.js';
import type { Analyzer, Manifest, Severity } from '../../src/core/types.js';

const manifest = { collectors: [], environment: {}, finishedAt: '2026-11-28T12:00:00.000Z' } as unknown as Manifest;
const view = new MemoryView(manifest, [['docker/local/ps.txt', 'web  Up\n']]);

const emits = (name: string, ...severities: Severity[]): Analyzer => ({
  name,
  description: name,
  findingIds: ['x'],
  analyze: async () => severities.map((severity, i) => finding({ id: `${name}-${i}`, severity, title: `${name} ${i}`, summary: '', remedy: '' })),
});

describe('runAnalyzers', () => {
  it('orders findings by severity, keeping registry order within one, and counts them', async () => {
    const doc = await runAnalyzers(view, {}, [emits('a', 'info', 'warning'), emits('b', 'error', 'warning')]);
    expect(doc.findings.map((f) => f.title)).toEqual(['b 0', 'a 1', 'b 1', 'a 0']);
    expect(doc.counts).toEqual({ error: 1, warning: 2, info: 1 });
    expect(doc.analyzers).toEqual([{ name: 'a', findings: 2 }, { name: 'b', findings: 2 }]);
    expect(doc.findings.every((f) => f.docs === `TROUBLESHOOTING.md#${f.id}`)).toBe(true);
  });

  it('an analyzer that throws becomes an analyzer-failed warning; the others still report', async () => {
    const broken: Analyzer = { name: 'broken', description: '', findingIds: [], analyze: async () => { throw new TypeError("Cannot read properties of null (reading 'State')"); } };
    const doc = await runAnalyzers(view, {}, [broken, emits('ok', 'error')]);
    expect(doc.findings.map((f) => [f.id, f.severity, f.subject])).toEqual([
      ['ok-0', 'error', undefined],
      ['analyzer-failed', 'warning', 'broken'],
    ]);
    expect(doc.findings[1]!.title).toBe("Analyzer broken failed: Cannot read properties of null (reading 'State')");
    expect(doc.analyzers[0]).toEqual({ name: 'broken', findings: 0, error: "Cannot read properties of null (reading 'State')" });
    expect(failsOn(doc.findings.slice(1), 'warning')).toBe(true);
  });

  it('--fail-on: error matches only errors, warning matches warnings and errors, never info', async () => {
    const { findings } = await runAnalyzers(view, {}, [emits('a', 'info', 'warning')]);
    expect(failsOn(findings, 'error')).toBe(false);
    expect(failsOn(findings, 'warning')).toBe(true);
    expect(failsOn(findings.filter((f) => f.severity === 'info'), 'warning')).toBe(false);
    expect(failsOn([], 'warning')).toBe(false);
  });
});
