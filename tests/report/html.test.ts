/**
 * report.html without a browser: what the page holds for a bundle (findings, timeline marks, tables),
 * that every value from the bundle is escaped (bundles come from strangers), that the policy pins the
 * one inline script and stylesheet by hash and allows nothing else, that the page passes the redactor
 * unchanged, and that its own code stays small. tests/report/html-browser.test.ts runs it in Chromium.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryView } from '../../src/bundle/memory-view.js';
import { setUpRedaction } from '../../src/config/redaction-plan.js';
import { CSS, JS } from '../../src/report/html/assets.js';
import { esc, hrefOf } from '../../src/report/html/escape.js';
import { safeHref } from '../../src/report/html/page.js';
import { renderReport } from '../../src/report/html/report.js';
import { renderDiffHtml } from '../../src/report/html/diff-page.js';
import type { BundleDiff } from '../../src/report/diff-model.js';
import { finding, syntheticView } from './html-fixture.js';

const HOSTILE = '<script>window.__pwned=1</script><img src=x onerror=alert(1)>';

describe('report.html', () => {
  it('shows findings by severity with evidence, remedy and the documentation link', async () => {
    const html = await renderReport(syntheticView(), {
      findings: [finding(), finding({ id: 'disk-low', severity: 'warning', title: 'Disk / is 95 % full', docs: 'TROUBLESHOOTING.md#disk-low', subject: '/' })],
      docsUrl: 'https://example.org/repo/blob/HEAD/TROUBLESHOOTING.md',
    });
    expect(html).toContain('<h3>Errors (1)</h3>');
    expect(html).toContain('<h3>Warnings (1)</h3>');
    expect(html).toContain('Container app-9 on local was OOM-killed (limit 256 MiB)');
    expect(html).toContain('<a href="docker/local/containers/app-9/inspect.json">docker/local/containers/app-9/inspect.json:3</a>');
    expect(html).toContain('&quot;OOMKilled&quot;: true');
    expect(html).toContain('<strong>Remedy:</strong> Raise its memory limit.');
    expect(html).toContain('href="https://example.org/repo/blob/HEAD/TROUBLESHOOTING.md#container-oom-killed"');
  });

  it('draws a timeline mark per start, exit, OOM kill and health change, and a bar per job', async () => {
    const html = await renderReport(syntheticView({ count: 10 }), { findings: [] });
    const marks = (kind: string): number => html.split(`data-kind="${kind}"`).length - 1;
    expect(marks('start')).toBe(10);
    expect(marks('oom')).toBe(1); // app-9
    expect(marks('exit')).toBe(4); // app-2, 5, 8 (exit 1) and app-9 (137)
    expect(marks('health')).toBe(2); // app-0, app-7
    expect(html).toMatch(
      /<g class="m k-exit bad" data-kind="exit" data-lane="local\/app-2"[^>]*><title>local\/app-2: exited with code 1 at 2026-01-01 00:05:02Z<\/title>/,
    );
    // The pending job created hours before the collection is stuck.
    expect(html).toMatch(/<g class="m job s-pending stuck bad open" data-kind="stuck" data-job="7" data-lane="stuck-export"/);
  });

  it("takes starts and exits from the containers' state when the bundle has no events, and keeps them inside the events' window when it has", async () => {
    const withEvents = syntheticView({ count: 3 });
    const rows = JSON.parse((await withEvents.text('docker/local/containers.json'))!) as { startedAt: string }[];
    rows[0]!.startedAt = '2025-12-20T00:00:00Z'; // a long-running container, started before the events' window
    const files = new Map(withEvents.paths().map((p) => [p, '']));
    for (const p of files.keys()) files.set(p, (await withEvents.text(p))!);
    files.set('docker/local/containers.json', JSON.stringify(rows));
    const events = (await files.get('docker/local/events.jsonl'))!.split('\n').filter((l) => l && !l.includes('"app-0"'));
    files.set('docker/local/events.jsonl', events.join('\n'));
    const clamped = await renderReport(new MemoryView(withEvents.manifest, files), { findings: [] });
    expect(clamped).not.toContain('data-kind="start" data-lane="local/app-0"');
    expect(clamped).toContain('2026-01-01 00:00:01Z'); // the axis starts with the events
    files.delete('docker/local/events.jsonl');
    const fromState = await renderReport(new MemoryView(withEvents.manifest, files), { findings: [] });
    expect(fromState).toMatch(/data-kind="start" data-lane="local\/app-0"[^>]*><title>local\/app-0: started \(from its state\) at 2025-12-20 00:00:00Z/);
    expect(fromState).toMatch(/data-kind="exit" data-lane="local\/app-2"[^>]*><title>local\/app-2: exited with code 1 \(from its state\)/);
  });

  it('draws a start after an exit of the same container as a restart', async () => {
    const view = syntheticView({ count: 3 });
    const files = new Map<string, string>();
    for (const p of view.paths()) files.set(p, (await view.text(p))!);
    const id = `0002${'a'.repeat(60)}`;
    const again = { Type: 'container', Action: 'start', Actor: { ID: id, Attributes: { name: 'app-2' } }, timeNano: Date.parse('2026-01-01T00:06:00Z') * 1e6 };
    files.set('docker/local/events.jsonl', `${files.get('docker/local/events.jsonl')}${JSON.stringify(again)}\n`);
    const html = await renderReport(new MemoryView(view.manifest, files), { findings: [] });
    expect(html).toMatch(/data-kind="restart" data-lane="local\/app-2"[^>]*><title>local\/app-2: restarted after its exit at 2026-01-01 00:06:00Z/);
    expect(html.match(/data-kind="start" data-lane="local\/app-2"/g)).toHaveLength(1);
  });

  it('draws the job of a --job bundle from its record, created to finished, with its exit code', async () => {
    const record = {
      model: 'container_manager.ContainerJob',
      matchedBy: 'id',
      pk: '5f0c2a9e',
      status: 'failed',
      record: {
        name: 'report-job',
        exit_code: 4,
        error_message: 'exit 4',
        created_at: '2026-01-01T00:01:00Z',
        started_at: '2026-01-01T00:02:00Z',
        completed_at: '2026-01-01T00:04:00Z',
      },
    };
    const html = await renderReport(new MemoryView(syntheticView().manifest, [['job/record.json', JSON.stringify(record)]]), { findings: [] });
    expect(html).toMatch(
      /<g class="m job s-failed" data-kind="job" data-job="5f0c2a9e" data-lane="report-job"[^>]*><title>job report-job \(id 5f0c2a9e\): failed; created 2026-01-01 00:01:00Z, started 2026-01-01 00:02:00Z, finished 2026-01-01 00:04:00Z, exit code 4: exit 4<\/title>/,
    );
  });

  it('draws an OOM kill over the exit of the same instant', async () => {
    const html = await renderReport(syntheticView({ count: 10 }), { findings: [] });
    expect(html.lastIndexOf('data-kind="oom"')).toBeGreaterThan(html.lastIndexOf('data-kind="exit"'));
  });

  it('lists containers with job, state, exit code, restarts and memory, and marks unapplied migrations', async () => {
    const html = await renderReport(syntheticView({ count: 10 }), { findings: [] });
    expect(html).toMatch(
      /<tr class="bad" data-container="local\/app-9"><td>local<\/td><td><a href="#log-9">app-9<\/a><\/td><td><\/td><td>registry.example\/app:1<\/td><td title="Exited \(137\) 5 minutes ago">exited<\/td><td class="num" data-v="137">137<\/td><td>yes<\/td>/,
    );
    expect(html).toContain('<td>job nightly-4 (id 104)</td>');
    expect(html).toContain('data-v="268435456">256.0 MiB</td>');
    expect(html).toContain('<tr data-unapplied="true"><td>shop</td><td class="num">1</td><td><span class="unapplied">⚠ 0002_price</span></td></tr>');
    expect(html).toContain('<td>pending</td><td class="num">3</td>');
    expect(html).toMatch(/aria-label="Disk \/" aria-valuenow="95"|aria-valuenow="95" aria-label="Disk \/"/);
    expect(html).toContain('Docker data root (local) /var/lib/docker');
  });

  it('embeds the last log lines with the traceback and error lines marked and a link to the full file', async () => {
    const html = await renderReport(syntheticView({ count: 3, logLines: 500 }), { findings: [], logLines: 100 });
    const at = html.indexOf('<details class="logview" data-lane="local/app-2"');
    const log = html.slice(at, html.indexOf('</details>', at));
    expect(log).toContain('(last 100 lines)');
    expect(log).toContain('<span class="l tb">Traceback (most recent call last):</span>');
    expect(log).toContain('<span class="l tb err">RuntimeError: worker crashed</span>');
    expect(log).not.toContain('handled request 399<'); // older than the last 100 lines
    expect(log).toContain('<a href="docker/local/containers/app-2/logs.txt">');
  });

  it('shows redaction counts per rule, never values', async () => {
    const html = await renderReport(syntheticView(), { findings: [] });
    expect(html).toContain('<tr><td>secret-key-value</td><td class="num">3</td></tr>');
  });

  it('renders a container name, image, log line and finding that hold markup as text', async () => {
    const view = syntheticView({ names: [HOSTILE, 'web"onmouseover="alert(1)', 'ok'] });
    const html = await renderReport(view, {
      findings: [
        finding({
          title: HOSTILE,
          summary: HOSTILE,
          remedy: HOSTILE,
          subject: HOSTILE,
          docs: 'javascript:alert(1)',
          evidence: [{ file: '../../etc/passwd', excerpt: HOSTILE }],
        }),
      ],
    });
    const scripts = html.match(/<script>/g) ?? [];
    expect(scripts).toHaveLength(1); // only ours
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('web"onmouseover');
    expect(html).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    expect(html).not.toContain('href="javascript:');
    expect(html).toContain('<a href="etc/passwd">');
  });

  it('escapes quotes, markup and control characters, and keeps links inside the bundle', () => {
    expect(esc(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&#39;');
    const shown = esc('\u001b]52;c;evil\u0007 \u202etxt');
    for (const c of ['\u001b', '\u0007', '\u202e']) expect(shown).not.toContain(c);
    expect(hrefOf('docker/local/containers/a b/logs.txt')).toBe('docker/local/containers/a%20b/logs.txt');
    expect(hrefOf('../x/./y')).toBe('x/y');
    expect(safeHref('https://example.org/T.md#a')).toBe('https://example.org/T.md#a');
    expect(safeHref('TROUBLESHOOTING.md#container-oom-killed')).toBe('TROUBLESHOOTING.md#container-oom-killed');
    for (const bad of ['javascript:alert(1)', ' javascript:alert(1)', 'java\tscript:x', 'data:text/html,x', '//evil.example/x', '/etc/passwd'])
      expect(safeHref(bad)).toBe('#');
  });

  it('pins its one script and stylesheet by sha256 in a policy that allows nothing else', async () => {
    const html = await renderReport(syntheticView(), { findings: [] });
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
    const hash = (s: string): string => createHash('sha256').update(s).digest('base64');
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src 'sha256-${hash(script)}'`);
    expect(csp).toContain(`style-src 'sha256-${hash(style)}'`);
    expect(csp).not.toMatch(/unsafe|https?:|\*/);
    expect(html).not.toMatch(/<(link|iframe|object|embed|img)\b|\bsrc=|@import|url\(/i);
    expect(html).not.toMatch(/ style="/); // a style attribute would need 'unsafe-inline'
  });

  it('renders a bundle whose data files hold something else than collect-bundle writes (each section left empty, no throw)', async () => {
    const good = syntheticView({ count: 3 });
    for (const wrong of ['"nope"', '42', 'null', '[]', '{}', '[1, "x", null]', '{"apps": "x", "jobs": [], "check": {"messages": "x"}}', 'not json']) {
      const files = new Map<string, string>();
      for (const p of good.paths()) files.set(p, p.endsWith('.json') || p.endsWith('.jsonl') ? wrong : (await good.text(p))!);
      const html = await renderReport(new MemoryView(good.manifest, files), { findings: [] });
      expect(html, wrong).toContain('</html>');
      expect(html, wrong).toContain('No containers in this bundle.');
    }
    const rows = [{ name: 'x', id: 7, image: null, state: {}, exitCode: '1', labels: 'a', restartCount: 'many', memoryLimitBytes: -1 }];
    const odd = new MemoryView(good.manifest, [['docker/local/containers.json', JSON.stringify(rows)]]);
    expect(await renderReport(odd, { findings: [] })).toMatch(/<td>local<\/td><td>x<\/td><td><\/td><td><\/td><td title="">/);
  });

  it('keeps its own code and styles under 300 KiB', () => {
    expect(Buffer.byteLength(CSS) + Buffer.byteLength(JS)).toBeLessThan(300 * 1024);
  });

  it('comes out of the redactor unchanged (script, policy hashes and markup intact)', async () => {
    const { redactor } = await setUpRedaction({}, {});
    const html = await renderReport(syntheticView({ count: 20 }), { findings: [finding()] });
    expect(redactor.text(html, 'report.html')).toBe(html);
    expect(redactor.text(JS, 'report.html')).toBe(JS);
  });
});

describe('diff --html', () => {
  const diff: BundleDiff = {
    old: { file: 'a.tar.gz', bundle: 'collect-bundle-a', host: 'web1', startedAt: '2026-01-01T00:00:00Z' },
    new: { file: 'b.tar.gz', bundle: 'collect-bundle-b', host: 'web1', startedAt: '2026-01-02T00:00:00Z' },
    differences: 3,
    containers: [
      {
        engine: 'local',
        name: HOSTILE,
        kind: 'appeared',
        container: { id: 'x', image: 'busybox', imageId: null, state: 'running', exitCode: null, oomKilled: null, restartCount: 0, health: null },
      },
    ],
    versions: [{ what: 'django', old: '4.2', new: '5.0' }],
    migrations: [{ app: 'shop', name: '0002_price', change: 'unapplied' }],
    findings: { new: [], resolved: [] },
    jobs: [],
    resources: [],
    notComparable: [],
    notes: [],
  };
  it('has a table per changed section, a row per change, with the same policy and escaping', () => {
    const html = renderDiffHtml(diff);
    expect(html).toContain('<h1>3 differences</h1>');
    expect(html).toContain('<tr class="d-added"><td>added</td><td>local/&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    expect(html).toContain('<tr class="d-changed"><td>changed</td><td>django</td><td>4.2 → 5.0</td></tr>');
    expect(html).toContain('<tr class="d-removed bad"><td>removed</td><td>shop.0002_price</td><td>unapplied</td></tr>');
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html).toContain("default-src 'none'");
    expect(html).not.toContain('id="findings"'); // no empty sections
  });
});
