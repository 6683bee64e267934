/** Every registered collector declares itself properly (sos-style conformance). */
import { describe, expect, it } from 'vitest';
import { builtinCollectors } from '../../collectors/index.js';
import { builtinRules } from '../../redaction/rules.js';

describe.each(builtinCollectors.map((c) => ({ ...c, collector: c })))('collector $name', ({ collector: c }) => {
  it('has a kebab-case name', () => expect(c.name).toMatch(/^[a-z][a-z0-9-]*$/));
  it('describes itself in a sentence', () => expect(c.description.length).toBeGreaterThan(15));
  it('has plain-object defaults', () => expect(Object.getPrototypeOf(c.defaults)).toBe(Object.prototype));
  it('has a sane timeout if it sets one', () => {
    if (c.timeoutMs !== undefined) expect(c.timeoutMs).toBeGreaterThan(0);
  });
});

describe('registries', () => {
  it('has unique collector names', () => {
    const names = builtinCollectors.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });
  it('has unique rule ids, each with a description and a global pattern', () => {
    const ids = builtinRules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of builtinRules) {
      expect(r.pattern.global).toBe(true);
      expect(r.description.length).toBeGreaterThan(10);
    }
  });
});
