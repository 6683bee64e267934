/**
 * The outside corpus (tests/fixtures/redaction-corpus, written without reading the engine): one test per
 * operator file. Each asserts that every planted secret is redacted whole (no 6-character piece of it left)
 * and every must-survive token (ids, digests, hosts, paths, prose) comes through byte for byte. A failure
 * names the secret by its first 4 characters only.
 */
import { describe, expect, it } from 'vitest';
import { redact } from '../../src/index.js';
// @ts-expect-error: plain ESM shared with scripts/redact-corpus.mjs, no type declarations
import { loadCorpus, scoreFile } from '../../scripts/redact-corpus-lib.mjs';

interface Entry { file: string; class: string; secrets: string[]; survivors: string[]; text: string }
const entries: Entry[] = loadCorpus();

describe('outside corpus: every secret redacted whole, every survivor intact', () => {
  it('has the corpus the brief asks for (45+ files, every class)', () => {
    expect(entries.length).toBeGreaterThanOrEqual(45);
    expect(new Set(entries.map((e) => e.class))).toEqual(
      new Set(['key-value', 'command-line', 'config-format', 'provider', 'entropy-near-keyword', 'python-repr', 'private-key']),
    );
    const all = entries.flatMap((e) => e.secrets);
    expect(new Set(all).size).toBe(all.length);
    expect(all.filter((s) => s.length < 8)).toEqual([]);
  });

  for (const entry of entries) {
    it(`${entry.file} (${entry.class})`, async () => {
      const { text } = await redact(entry.text, { file: entry.file, ephemeralKey: true });
      const r = scoreFile(entry, text);
      expect({ misses: r.misses, lostSurvivors: r.lost }).toEqual({ misses: [], lostSurvivors: [] });
    });
  }
});
