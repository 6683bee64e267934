import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LiteralSet } from '../../redaction/literals.js';
import { BinaryContentError, Redactor } from '../../redaction/redactor.js';
import { RedactionReport } from '../../redaction/report.js';
import { suspectLines } from '../../src/bundle/suspect-lines.js';

/** Lines a rescan of `text` finds (file line numbers), full or changed-lines only, with `literals`. */
async function findings(text: string | Buffer, mode: 'full' | 'changed-lines', literals?: LiteralSet, chunk = 4096): Promise<number[]> {
  const found: number[] = [];
  const suspects = mode === 'changed-lines' ? suspectLines(literals?.index()) : undefined;
  const scanner = new Redactor({
    key: Buffer.alloc(32, 1),
    report: new RedactionReport(),
    learn: false,
    ...(literals ? { literals } : {}),
    onRedaction: (e) => found.push(suspects ? suspects.lineOf(e.line) : e.line),
  });
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  async function* source(): AsyncGenerator<Buffer> {
    for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
  }
  const stage = scanner.stream('app/app.log');
  for await (const _ of suspects ? stage(suspects.select(source())) : stage(source())) void _;
  return found;
}

const plain = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => `2026-12-07T05:${String(i % 60).padStart(2, '0')}:00Z INFO worker ${i} GET /api/items?page=${i} 200 ${i * 7} ms`);

/** A log with secrets here and there, redacted by a run's redactor (which learns what it redacts). */
function redactedLog(): { out: string; literals: LiteralSet } {
  const lines = plain(400);
  lines[3] = 'DATABASE_PASSWORD=Xk9#qv2!Lm7@zr4$';
  lines[120] = 'curl -u deploy:Tq8zVw3nRk5p https://example.com/hook';
  lines[121] = '  "--password",';
  lines[122] = '  "Hn4!vQ9zWm2#",';
  lines[300] = '-----BEGIN RSA PRIVATE KEY-----';
  lines[301] = 'MIIEowIBAAKCAQEA7x9kq2v0Wn3pYb1Zt5Rr8s';
  lines[302] = '-----END RSA PRIVATE KEY-----';
  const literals = new LiteralSet();
  const redactor = new Redactor({ key: randomBytes(32), report: new RedactionReport(), literals });
  return { out: redactor.text(`${lines.join('\n')}\n`, 'app/app.log'), literals };
}

describe('changed-lines rescan (suspect-lines.ts)', () => {
  it('finds nothing in the redactor own output, as the full rescan finds nothing', async () => {
    const { out, literals } = redactedLog();
    expect(out).toContain('[REDACTED:');
    expect(await findings(out, 'full', literals)).toEqual([]);
    expect(await findings(out, 'changed-lines', literals)).toEqual([]);
  });

  it('finds a secret put back on a changed line, at its line in the file, for any chunking', async () => {
    const { out, literals } = redactedLog();
    const lines = out.split('\n');
    const at = lines.findIndex((l) => l.startsWith('DATABASE_PASSWORD='));
    lines[at] = `${lines[at]} API_TOKEN=Zr7mQ2xk9WvB4nTp`;
    const tampered = lines.join('\n');
    for (const chunk of [7, 4096, 1 << 20]) {
      expect(await findings(tampered, 'changed-lines', literals, chunk)).toEqual(await findings(tampered, 'full', literals, chunk));
      expect(await findings(tampered, 'changed-lines', literals, chunk)).toEqual([at + 1]);
    }
  });

  it('finds a known secret learned after the file was written, on a line the redactor left alone', async () => {
    const { out, literals } = redactedLog();
    const lines = out.split('\n');
    lines[250] = `${lines[250]} user=ops token-ish Wq8!rT5zLp3K`;
    literals.add('Wq8!rT5zLp3K');
    expect(await findings(lines.join('\n'), 'changed-lines', literals)).toEqual([251]);
  });

  it('rescans the rest of a file whole after a line too long to hold, with the right line numbers', async () => {
    const lines = plain(20);
    lines[5] = `x${'a b '.repeat(300_000)}`;
    lines[12] = 'API_TOKEN=Zr7mQ2xk9WvB4nTp';
    const text = `${lines.join('\n')}\n`;
    expect(await findings(text, 'changed-lines', undefined, 65536)).toEqual([13]);
  });

  it('keeps the last line without a newline, and refuses binary content', async () => {
    expect(await findings(`${plain(3).join('\n')}\n[REDACTED:x:0123abcd] password=Zr7mQ2xk9WvB`, 'changed-lines')).toEqual([4]);
    await expect(findings(Buffer.from('ok\n\0binary\n'), 'changed-lines')).rejects.toBeInstanceOf(BinaryContentError);
  });
});
