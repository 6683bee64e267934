import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Reporter } from '../../src/run/progress.js';
import type { CollectorRecord } from '../../src/core/types.js';

const sink = (tty: boolean) => {
  const chunks: string[] = [];
  const out = Object.assign(new Writable({ write: (c, _e, cb) => { chunks.push(String(c)); cb(); } }), { isTTY: tty, columns: 80 });
  return { out, text: () => chunks.join('') };
};
const rec = (name: string, status: CollectorRecord['status'], reason?: string): CollectorRecord => ({
  name, status, ...(reason ? { reason } : {}), durationMs: 1234, artifacts: [], problems: [], commands: [],
});
const redact = (s: string) => s.replace(/hunter2/g, '[REDACTED]');

describe('Reporter', () => {
  it('prints one plain line per finished collector when not on a terminal', () => {
    const s = sink(false);
    const r = new Reporter({ out: s.out, quiet: false, redact });
    r.started('docker');
    r.finished(rec('docker', 'failed', 'permission denied'));
    r.started('system');
    r.finished(rec('system', 'ok'));
    r.close();
    expect(s.text()).toBe('warn: FAILED docker (1.2s, 0 files): permission denied\nok system (1.2s, 0 files)\n');
  });

  it('draws live lines with cursor movement on a terminal, and clears them at the end', () => {
    const s = sink(true);
    const r = new Reporter({ out: s.out, quiet: false, redact });
    r.started('docker');
    expect(s.text()).toMatch(/docker \d+\.\ds\n$/);
    r.finished(rec('docker', 'ok'));
    r.close();
    expect(s.text()).toContain('\x1b[1A\x1b[0J');
    expect(s.text()).toContain('ok docker (1.2s, 0 files)\n');
  });

  it('shows only errors when quiet, but keeps every line for the run log', () => {
    const s = sink(true);
    const r = new Reporter({ out: s.out, quiet: true, redact });
    r.started('system');
    r.finished(rec('system', 'ok'));
    r.log('error', 'boom');
    r.close();
    expect(s.text()).toBe('error: boom\n');
    expect(r.lines.join('\n')).toMatch(/ok system/);
  });

  it('redacts what it shows and what it keeps', () => {
    const s = sink(false);
    const r = new Reporter({ out: s.out, quiet: false, redact });
    r.log('warn', 'login with hunter2 failed', 'django');
    r.close();
    expect(s.text()).toBe('warn: django: login with [REDACTED] failed\n');
    expect(r.lines.join('\n')).not.toContain('hunter2');
  });
});
