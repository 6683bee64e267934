/**
 * The bundle contract (src/bundle/layout.ts) is the only place that spells a bundle path. Every string
 * and template literal in src/, collectors/ and analyzers/ is read with the TypeScript parser (comments
 * never count) and:
 *  - a path-shaped literal (no spaces) that names a bundle file or starts with a collector's folder
 *    (`docker/${label}/containers.json`, `'manifest.json'`, `` `${dir}/logs.txt` ``) fails: take it from
 *    layout.ts;
 *  - a message that names a `*.json`/`*.jsonl`/`*.txt` file fails when layout.ts does not know that file
 *    name, so renaming a file in layout.ts breaks this test wherever a message still says the old name.
 * And the row types against real output: a bundle of a real Docker engine (containers.json, events.jsonl,
 * a compose project's containers) and of the real Django fixture project (interpreter.json,
 * databases.json, checks.json) holds only fields `ROW_FIELDS` lists (the compiler checks that list is
 * each type's fields), so a writer that renames or adds a field without the type fails here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COMPOSE,
  DJANGO,
  DJANGO_FILES,
  DOCKER,
  DOCKER_FILES,
  FOLDER,
  PATH_TEMPLATES,
  ROOT,
  ROOT_FILE_ORDER,
  ROW_FIELDS,
  SYSTEM,
  folderName,
  isRootFile,
} from '../../src/bundle/layout.js';
import { collectBundle } from '../../src/run/collect.js';
import { fileJson, fileText, readBundle, type TarEntry } from '../helpers/bundle.js';
import { SYSTEM_PYTHON, copyFixture, runEnv, setupDatabase, systemDjango } from '../helpers/django.js';
import { DOCKER_HOST, TEST_IMAGE, docker, dockerUnavailable, removeContainers, uniq, waitFor } from '../helpers/docker.js';
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

/** The fields of a real row that its type does not list (a renamed or added field), as `where: field`. */
function unknownFields(where: string, row: unknown, fields: readonly string[]): string[] {
  expect(typeof row === 'object' && row !== null && !Array.isArray(row), `${where} is an object`).toBe(true);
  return Object.keys(row as object)
    .filter((k) => !fields.includes(k))
    .map((k) => `${where}: ${k}`);
}

describe.skipIf(Boolean(dockerUnavailable) && !process.env['CI'])('row types against a real Docker engine and compose project', () => {
  let tmp: string;
  let entries: Map<string, TarEntry>;
  const prefix = uniq('cblayout');
  const project = prefix.replace(/[^a-z0-9]/g, '');

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'cb-layout-'));
    const dir = join(tmp, project);
    await mkdir(dir);
    await writeFile(join(dir, 'compose.yaml'), `services:\n  web:\n    image: ${TEST_IMAGE}\n  db:\n    image: ${TEST_IMAGE}\n`);
    const labels = ['--label', `com.docker.compose.project=${project}`, '--label', 'com.docker.compose.service=web'];
    // Exits at once: die and start events in the window, an exit code in the rows.
    await docker('run', '-d', '--network', 'none', '--name', `${prefix}-web-1`, ...labels, TEST_IMAGE, 'sh', '-c', 'exit 3');
    await waitFor(`${prefix}-web-1`, (s) => s.Status === 'exited');
    const result = await collectBundle({
      outputDir: join(tmp, 'out'),
      only: ['docker', 'compose'],
      env: { ...process.env, DOCKER_HOST, COMPOSE_PROJECT_NAME: undefined },
      collectorOptions: { docker: { containers: [`${prefix}-*`] }, compose: { projectDir: dir } },
    });
    entries = await readBundle(result.bundle);
  }, 120_000);
  afterAll(async () => {
    await removeContainers(prefix);
    await rm(tmp, { recursive: true, force: true });
  });

  it('docker/<engine>/containers.json rows have exactly the ContainerRow fields', () => {
    const rows = fileJson<Record<string, unknown>[]>(entries, DOCKER.engine('local').containers);
    expect(rows.map((r) => r['name'])).toContain(`${prefix}-web-1`);
    for (const r of rows) expect(Object.keys(r).sort()).toEqual([...ROW_FIELDS.container].sort());
  });

  it('every line of docker/<engine>/events.jsonl holds only DockerEventRow fields, and ours is there', () => {
    const lines = fileText(entries, DOCKER.engine('local').events).trim().split('\n');
    const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.flatMap((e, i) => unknownFields(`line ${i + 1}`, e, ROW_FIELDS.dockerEvent))).toEqual([]);
    const died = events.find(
      (e) => e['Action'] === 'die' && (e['Actor'] as { Attributes?: Record<string, string> })?.Attributes?.['name'] === `${prefix}-web-1`,
    );
    expect(died).toMatchObject({ Type: 'container', Actor: { Attributes: { exitCode: '3' } } });
    expect(Object.keys((died as { Actor: object }).Actor).sort()).toEqual(['Attributes', 'ID']);
  });

  it('compose/<engine>/containers.json is a ComposeContainersFile of ComposeContainerRow rows', () => {
    const doc = fileJson<Record<string, unknown>>(entries, COMPOSE.containers('local'));
    expect(Object.keys(doc).sort()).toEqual([...ROW_FIELDS.composeContainers].sort());
    expect(doc).toMatchObject({ project, engine: 'local', servicesWithoutContainer: ['db'], servicesNotDeclared: [] });
    const rows = doc['containers'] as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    expect(Object.keys(rows[0]!).sort()).toEqual([...ROW_FIELDS.composeContainer].sort());
    expect(rows[0]).toMatchObject({ name: `${prefix}-web-1`, service: 'web', exitCode: 3 });
  });
});

describe.skipIf(!systemDjango && !process.env['CI'])('row types against the real Django fixture project', () => {
  let tmp: string;
  let entries: Map<string, TarEntry>;

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'cb-layout-django-'));
    const project = await copyFixture(join(tmp, 'project'));
    await setupDatabase(project);
    const result = await collectBundle({
      outputDir: join(tmp, 'out'),
      only: ['django'],
      collectorOptions: { django: { djangoDir: project, python: SYSTEM_PYTHON } },
      env: runEnv(),
    });
    entries = await readBundle(result.bundle);
  }, 120_000);
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  it('interpreter.json is a DjangoInterpreterFile', () => {
    const doc = fileJson<Record<string, unknown>>(entries, DJANGO.interpreter);
    expect(unknownFields('interpreter.json', doc, ROW_FIELDS.djangoInterpreter)).toEqual([]);
    expect(doc).toMatchObject({ chosen: { command: [SYSTEM_PYTHON], source: 'option' }, django: { version: systemDjango } });
    expect(Object.keys(doc['chosen'] as object).sort()).toEqual(['command', 'reason', 'source']);
  });

  it('databases.json is a DjangoDatabasesFile of DjangoDatabaseRow rows', () => {
    const doc = fileJson<{ databases: Record<string, unknown>[] }>(entries, DJANGO.databases);
    expect(Object.keys(doc).sort()).toEqual([...ROW_FIELDS.djangoDatabases].sort());
    expect(doc.databases.length).toBeGreaterThan(0);
    expect(doc.databases.flatMap((d) => unknownFields(`alias ${String(d['alias'])}`, d, ROW_FIELDS.djangoDatabase))).toEqual([]);
    expect(doc.databases.find((d) => d['alias'] === 'default')).toMatchObject({ vendor: 'sqlite', reachable: true, passwordSet: true });
  });

  it('checks.json is a DjangoChecksFile: summaries of DjangoCheckMessage', () => {
    const doc = fileJson<Record<string, Record<string, unknown>>>(entries, DJANGO.checks);
    expect(unknownFields('checks.json', doc, ROW_FIELDS.djangoChecks)).toEqual([]);
    expect(Object.keys(doc).sort()).toEqual(['check', 'database', 'deploy']);
    const messages: unknown[] = [];
    for (const [part, summary] of Object.entries(doc)) {
      const extra = part === 'database' ? ['databases'] : [];
      expect(Object.keys(summary).sort()).toEqual([...ROW_FIELDS.djangoCheckSummary, ...extra].sort());
      messages.push(...(summary['messages'] as unknown[]));
    }
    // check --deploy always has something to say about the fixture's settings.
    expect(messages.length).toBeGreaterThan(0);
    for (const m of messages) expect(Object.keys(m as object).sort()).toEqual([...ROW_FIELDS.djangoCheckMessage].sort());
  });
});
