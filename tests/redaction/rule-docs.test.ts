/** docs/redaction.md's list of redaction rules is generated from the rule table and must match it. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { providerFamilies, providerRules } from '../../redaction/providers.js';
import { DOCS_END, DOCS_START, currentRuleDocs, renderRuleDocs, replaceRuleDocs } from '../../redaction/rule-docs.js';
import { builtinRules } from '../../redaction/rules.js';

const readme = readFileSync(new URL('../../docs/redaction.md', import.meta.url), 'utf8');

describe("docs/redaction.md's redaction rule list", () => {
  it('matches the rule table (run `npm run docs:redaction` after changing rules)', () => {
    const expected = renderRuleDocs(builtinRules, providerFamilies);
    expect(currentRuleDocs(readme), 'docs/redaction.md has no redaction-rules markers').toBeDefined();
    expect(currentRuleDocs(readme), 'docs/redaction.md is out of date: run `npm run docs:redaction`').toBe(expected);
  });

  it('names every built-in rule by id and counts every provider rule', () => {
    const section = renderRuleDocs(builtinRules, providerFamilies);
    for (const r of builtinRules) expect(section).toContain(`\`${r.id}\``);
    expect(section).toContain(`Provider formats (${providerRules.length} rules`);
    expect(providerFamilies.flatMap((f) => f.rules)).toEqual(providerRules);
  });

  it('replaces only the text between the markers', () => {
    const doc = `intro\n${DOCS_START}\nold\n${DOCS_END}\noutro\n`;
    expect(replaceRuleDocs(doc, `${DOCS_START}\nnew\n${DOCS_END}`)).toBe(`intro\n${DOCS_START}\nnew\n${DOCS_END}\noutro\n`);
    expect(() => replaceRuleDocs('no markers', 'x')).toThrow(/markers/);
  });
});
