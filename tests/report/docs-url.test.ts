/**
 * Where finding links point when ISSUE.md or the console summary is pasted: `--docs-url`, else the
 * package's repository or homepage; and the console summary names the real bundle path.
 */
import { describe, expect, it } from 'vitest';
import { summary } from '../../src/cli/collect.js';
import type { CollectResult } from '../../src/run/collect.js';
import { troubleshootingUrl } from '../../src/report/docs-url.js';
import { docsHref } from '../../src/report/issue-findings.js';

const tool = { name: 'collect-bundle', version: '1.0.0' };

describe('troubleshootingUrl', () => {
  it('takes --docs-url first: a page as given, a folder gets TROUBLESHOOTING.md', () => {
    expect(troubleshootingUrl('https://wiki.example.org/cb/TROUBLESHOOTING.md#x', tool)).toBe('https://wiki.example.org/cb/TROUBLESHOOTING.md');
    expect(troubleshootingUrl('https://git.example.org/ops/cb/blob/main/', tool)).toBe('https://git.example.org/ops/cb/blob/main/TROUBLESHOOTING.md');
  });
  it("else the package's repository (any spelling package.json allows), else its homepage; none without either", () => {
    for (const repository of [
      'git+https://github.com/acme/collect-bundle.git',
      'github:acme/collect-bundle',
      'acme/collect-bundle',
      'git@github.com:acme/collect-bundle.git',
    ])
      expect(troubleshootingUrl(undefined, { ...tool, repository }), repository).toBe('https://github.com/acme/collect-bundle/blob/HEAD/TROUBLESHOOTING.md');
    expect(troubleshootingUrl(undefined, { ...tool, homepage: 'https://github.com/acme/collect-bundle#readme' })).toBe(
      'https://github.com/acme/collect-bundle/blob/HEAD/TROUBLESHOOTING.md',
    );
    expect(troubleshootingUrl(undefined, { ...tool, homepage: 'https://docs.acme.dev/cb/' })).toBe('https://docs.acme.dev/cb/TROUBLESHOOTING.md');
    expect(troubleshootingUrl(undefined, tool)).toBeUndefined();
  });
  it('docsHref keeps the anchor, and the relative link without a base', () => {
    expect(docsHref('TROUBLESHOOTING.md#container-stopped', 'https://x.example/T.md')).toBe('https://x.example/T.md#container-stopped');
    expect(docsHref('TROUBLESHOOTING.md#container-stopped', undefined)).toBe('TROUBLESHOOTING.md#container-stopped');
  });
});

describe('console summary', () => {
  it('names the real bundle path (quoted for a shell when needed) and absolute links', () => {
    const finding = {
      id: 'container-stopped',
      severity: 'warning',
      title: 'T',
      summary: 's',
      evidence: [],
      remedy: 'r',
      docs: 'TROUBLESHOOTING.md#container-stopped',
    } as const;
    const r = {
      bundle: "/tmp/my bundles/it's.tar.gz",
      bytes: 1,
      sha256: 'x',
      durationMs: 1,
      status: 'complete',
      manifest: { collectors: [], redaction: { total: 0, byRule: [] } },
      findings: { counts: { error: 0, warning: 1, info: 0 }, findings: [finding] },
    } as unknown as CollectResult;
    const text = summary(r, 'https://x.example/T.md');
    expect(text).toContain("details: collect-bundle analyze '/tmp/my bundles/it'\\''s.tar.gz'");
    expect(text).not.toContain('BUNDLE');
    expect(text).toContain('→ https://x.example/T.md#container-stopped');
  });
});
