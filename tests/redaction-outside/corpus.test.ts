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
import { KNOWN_GAPS } from './known-gaps.js';

interface Entry {
  file: string;
  class: string;
  secrets: string[];
  survivors: string[];
  text: string;
}
const entries: Entry[] = loadCorpus();

describe('outside corpus: every secret redacted whole, every survivor intact, but for the known gaps', () => {
  it('has the corpus the brief asks for (45+ files, every class)', () => {
    expect(entries.length).toBeGreaterThanOrEqual(45);
    expect(new Set(entries.map((e) => e.class))).toEqual(
      new Set(['key-value', 'command-line', 'config-format', 'provider', 'entropy-near-keyword', 'python-repr', 'private-key']),
    );
    const all = entries.flatMap((e) => e.secrets);
    expect(new Set(all).size).toBe(all.length);
    expect(all.filter((s) => s.length < 8)).toEqual([]);
  });

  it('lists known gaps only for files of the corpus', () => {
    expect(Object.keys(KNOWN_GAPS).filter((f) => !entries.some((e) => e.file === f))).toEqual([]);
  });

  for (const entry of entries) {
    it(`${entry.file} (${entry.class})`, async () => {
      const { text } = await redact(entry.text, { file: entry.file, ephemeralKey: true });
      const r = scoreFile(entry, text);
      // Misses named by the secret's first 4 characters (never the secret), as the scorer prints them.
      const missed = entry.secrets
        .filter((s) => r.misses.some((m: string) => m.startsWith(`${entry.file}: ${entry.class}: ${s.slice(0, 4)}…`)))
        .map((s) => s.slice(0, 4));
      expect(missed.length, 'every miss is named by its prefix').toBe(r.misses.length);
      const known = KNOWN_GAPS[entry.file] ?? { misses: [], lost: [] };
      expect({ misses: missed, lostSurvivors: r.lost }, `new misses fail; a fixed one must leave known-gaps.ts (scorer: ${r.misses.join('; ')})`).toEqual({
        misses: known.misses,
        lostSurvivors: known.lost,
      });
    });
  }
});
