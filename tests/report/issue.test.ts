/** ISSUE.md: made from the manifest alone, and it survives its own redaction pass. */
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../redaction/redactor.js';
import { RedactionReport } from '../../redaction/report.js';
import { renderIssue } from '../../src/report/issue.js';
import type { Manifest } from '../../src/core/types.js';

const manifest = (over: Partial<Manifest>): Manifest => ({
  tool: { name: 'collect-bundle', version: '0.0.0' },
  bundle: 'collect-bundle-test',
  commandLine: [],
  host: { hostname: 'web1', platform: 'linux', arch: 'x64' },
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:01.000Z',
  durationMs: 1000,
  status: 'complete',
  options: {},
  docker: { endpoints: [] },
  environment: {},
  collectors: [],
  files: [],
  redaction: { total: 0, byRule: [] },
  ...over,
});

describe('ISSUE.md', () => {
  it("shows Django's version, settings module and interpreter, or that they are unknown", () => {
    const known = renderIssue({ manifest: manifest({ environment: { django: '4.2.11', 'django.settings': 'app.settings.prod', 'django.python': '3.12.3 (/srv/app/.venv/bin/python)' } }) });
    expect(known).toContain('| Django | 4.2.11 (settings `app.settings.prod`) |');
    expect(known).toContain("| Python (Django's interpreter) | 3.12.3 (/srv/app/.venv/bin/python) |");
    const unknown = renderIssue({ manifest: manifest({}) });
    expect(unknown).toContain('| Django | _unknown_ |');
  });

  it('keeps the redaction totals readable after the writer redacts ISSUE.md itself', () => {
    const issue = renderIssue({ manifest: manifest({ redaction: { total: 3, byRule: [{ rule: 'secret-key-value', count: 2 }, { rule: 'url-password', count: 1 }] } }) });
    const redacted = new Redactor({ key: Buffer.alloc(32, 7), report: new RedactionReport() }).text(issue, 'ISSUE.md');
    expect(redacted).toContain('3 secrets replaced by `[REDACTED:<rule>:<tag>]` tokens (2 by secret-key-value, 1 by url-password).');
    expect(redacted).toBe(issue);
  });
});
