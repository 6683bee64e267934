// npm run docs:redaction: rewrites docs/redaction.md's list of redaction rules (between the redaction-rules
// markers) from the built rule table in dist/. tests/redaction/rule-docs.test.ts fails when they differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { providerFamilies } from '../dist/redaction/providers.js';
import { renderRuleDocs, replaceRuleDocs } from '../dist/redaction/rule-docs.js';
import { builtinRules } from '../dist/redaction/rules.js';

const docPath = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'redaction.md');
const before = readFileSync(docPath, 'utf8');
const after = replaceRuleDocs(before, renderRuleDocs(builtinRules, providerFamilies));
if (after !== before) writeFileSync(docPath, after);
console.log(after === before ? 'docs/redaction.md: redaction rules already up to date' : 'docs/redaction.md: redaction rules updated');
