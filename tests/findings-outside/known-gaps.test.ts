/** The ratchet list stays honest: every KNOWN_GAPS id is a scenario of tests/findings-outside. */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KNOWN_GAPS } from './known-gaps.js';

describe('findings-outside known gaps', () => {
  it('lists only ids of scenarios that exist', () => {
    const dir = new URL('.', import.meta.url);
    const ids = readdirSync(dir)
      .filter((f) => f.endsWith('.test.ts'))
      .flatMap((f) => [...readFileSync(new URL(f, dir), 'utf8').matchAll(/scenario\(\s*'([^']+)'/g)].map((m) => m[1]!));
    expect(new Set(ids).size, 'scenario ids are unique').toBe(ids.length);
    expect(Object.keys(KNOWN_GAPS).filter((id) => !ids.includes(id))).toEqual([]);
  });
});
