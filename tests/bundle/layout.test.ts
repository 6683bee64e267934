/**
 * The bundle contract (src/bundle/layout.ts) is the only place that spells a bundle path. Every string
 * and template literal in src/, collectors/ and analyzers/ is read with the TypeScript parser (comments
 * never count) and:
 *  - a path-shaped literal (no spaces) that names a bundle file or starts with a collector's folder
 *    (`docker/${label}/containers.json`, `'manifest.json'`, `` `${dir}/logs.txt` ``) fails: take it from
 *    layout.ts;
 *  - a message that names a `*.json`/`*.jsonl`/`*.txt` file fails when layout.ts does not know that file
 *    name, so renaming a file in layout.ts breaks this test wherever a message still says the old name.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import {
  DJANGO,
  DJANGO_FILES,
  DOCKER,
  DOCKER_FILES,
  FOLDER,
  PATH_TEMPLATES,
  ROOT,
  ROOT_FILE_ORDER,
  SYSTEM,
  folderName,
  isRootFile,
} from '../../src/bundle/layout.js';
import { offence } from '../helpers/layout-contract.js';

const ROOT_DIR = resolve(import.meta.dirname, '..', '..');

/**
 * Files that may spell bundle paths, and why. Keep it short: each entry is a file, not a pattern.
 */
const ALLOWED: Readonly<Record<string, string>> = {
  'src/bundle/layout.ts': 'the contract itself',
  'src/core/diagnostics.ts':
    'documentation data (core imports nothing of ours); tests/docs.test.ts checks every artifact it names is a layout.ts path template',
};

function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(relative(ROOT_DIR, full));
    }
  };
  for (const top of ['src', 'collectors', 'analyzers']) walk(join(ROOT_DIR, top));
  return out.sort();
}

/** Each string or template literal's text, with `${…}` as `<>`, and its line. */
function literals(file: string): { text: string; line: number }[] {
  const text = readFileSync(join(ROOT_DIR, file), 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const out: { text: string; line: number }[] = [];
  const visit = (node: ts.Node): void => {
    let value: string | undefined;
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return; // module specifiers are not bundle paths
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) value = node.text;
    // A regular expression over bundle paths (/^docker\/([^/]+)\/df\.json$/) spells them too: read it unescaped.
    else if (ts.isRegularExpressionLiteral(node))
      value = node.text
        .replace(/^\/|\/[a-z]*$/g, '')
        .replace(/^\^|\$$/g, '')
        .replace(/\\(.)/g, '$1');
    else if (ts.isTemplateExpression(node)) value = [node.head.text, ...node.templateSpans.map((s) => `<>${s.literal.text}`)].join('');
    if (value !== undefined) out.push({ text: value, line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
    if (!ts.isTemplateExpression(node)) ts.forEachChild(node, visit);
    else for (const s of node.templateSpans) visit(s.expression);
  };
  visit(sf);
  return out;
}

describe('bundle layout', () => {
  it('builds the same paths twice: relative to the collector folder and bundle-relative', () => {
    expect(DOCKER.engine('local').containers).toBe('docker/local/containers.json');
    expect(DOCKER_FILES.engine('local').containers).toBe('local/containers.json');
    expect(DOCKER.container('local', folderName('web/1')).logs).toBe('docker/local/containers/web_1/logs.txt');
    expect(DOCKER.engine('local').events).toBe('docker/local/events.jsonl');
    expect(DJANGO.containerManager).toBe(`${FOLDER.django}/${DJANGO_FILES.containerManager}`);
    expect(SYSTEM.versions).toBe('system/versions.json');
  });

  it('knows the root files in the order the writer stores them, manifest.json first', () => {
    expect(ROOT_FILE_ORDER[0]).toBe(ROOT.manifest);
    expect(isRootFile('ISSUE.md')).toBe(true);
    expect(isRootFile('docker/engines.json')).toBe(false);
  });

  it('lists every parameterised path as a template with placeholders, no duplicates', () => {
    expect(PATH_TEMPLATES).toContain('docker/<engine>/containers/<container>/logs.txt');
    expect(new Set(PATH_TEMPLATES).size).toBe(PATH_TEMPLATES.length);
  });

  it('the check can fail: path literals and stale names are caught, prose and other files are not', () => {
    expect(offence('docker/<>/containers.json')).toMatch(/containers\.json/);
    expect(offence('manifest.json')).toMatch(/manifest\.json/);
    expect(offence('<>/logs.txt')).toMatch(/logs\.txt/);
    expect(offence('/inspect.json')).toMatch(/inspect\.json/);
    expect(offence('django/<>')).toMatch(/django\//);
    expect(offence('no cntnrs.json in the bundle')).toMatch(/cntnrs\.json/);
    expect(offence('see manifest.json')).toBeUndefined();
    expect(offence('package.json')).toBeUndefined();
    expect(offence('docker info failed')).toBeUndefined();
    expect(offence('docker/([^/]+)/df.json')).toMatch(/df\.json/);
  });

  it('no bundle path literal outside layout.ts (src/, collectors/, analyzers/)', () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(50);
    const found: string[] = [];
    for (const file of files) {
      if (file in ALLOWED) continue;
      for (const l of literals(file)) {
        const why = offence(l.text);
        if (why) found.push(`${file}:${l.line} ${JSON.stringify(l.text)}: ${why}`);
      }
    }
    expect(found, 'bundle paths spelled outside src/bundle/layout.ts (import them from there)').toEqual([]);
  });
});
