/**
 * The house's rooms and the one-way dependency rule, checked on the real source: every `.ts` file under
 * src/, collectors/, redaction/ and analyzers/ is parsed (with the TypeScript parser, so comments and
 * strings never count), each static `import`/`export … from` and each `import('…')` with a literal
 * specifier becomes an edge, and an edge between rooms that ROOMS does not allow, a file in no room, or
 * an import cycle between files fails with the files named.
 *
 * Then the lazy commands: the static (runtime) import graph from the CLI entry and the `redact` and
 * `verify` command modules must not reach dockerode, archiver, systeminformation, the collectors or the
 * analyzers, so `collect-bundle redact`, `--version` and `--help` never load them.
 *
 * ARCH_ROOT=<folder> runs the same checks on another checkout (e.g. the tree before the rooms).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { type Edge, importCycles, ROOMS, roomOf } from './helpers/architecture.js';
import { assertBuilt } from './cli/harness.js';

const ROOT = resolve(process.env['ARCH_ROOT'] ?? join(import.meta.dirname, '..'));

function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts')) out.push(relative(ROOT, full));
    }
  };
  for (const top of ['src', 'collectors', 'redaction', 'analyzers']) walk(join(ROOT, top));
  return out.sort();
}

/** A specifier as a repository path (`../x.js` → `x.ts`), `pkg:<name>`, or undefined for a Node built-in. */
function resolveSpecifier(from: string, spec: string): string | undefined {
  if (spec.startsWith('.')) {
    const target = relative(ROOT, resolve(ROOT, dirname(from), spec));
    return target.replace(/\.js$/, '.ts');
  }
  if (spec.startsWith('node:')) return undefined;
  const parts = spec.split('/');
  return `pkg:${spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]}`;
}

function edgesOf(file: string): Edge[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const edges: Edge[] = [];
  const add = (spec: string, typeOnly: boolean, dynamic: boolean): void => {
    const to = resolveSpecifier(file, spec);
    if (to) edges.push({ from: file, to, typeOnly, dynamic });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const typeOnly = !!clause && (clause.isTypeOnly || (!clause.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier.text, typeOnly, false);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      add(node.moduleSpecifier.text, node.isTypeOnly || (!!named && named.length > 0 && named.every((e) => e.isTypeOnly)), false);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg))) add(arg.text, false, true);
    } else if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require') {
      // A createRequire'd require('pkg') at a module's top level loads it as an import does.
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteral(arg) && !arg.text.startsWith('node:')) add(arg.text, false, false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal.text, true, false); // typeof import('…') in a type position
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return edges;
}

const FILES = sourceFiles();
const EDGES = FILES.flatMap(edgesOf);

/** Files reachable from `starts` through runtime imports (`import type` is erased; `import()` waits for a handler). */
function staticallyReachable(starts: readonly string[]): Map<string, string> {
  const via = new Map<string, string>(starts.map((s) => [s, '']));
  const queue = [...starts];
  while (queue.length) {
    const v = queue.shift()!;
    for (const e of EDGES) {
      if (e.from !== v || e.typeOnly || e.dynamic || via.has(e.to)) continue;
      via.set(e.to, v);
      if (!e.to.startsWith('pkg:')) queue.push(e.to);
    }
  }
  return via;
}

function chain(via: ReadonlyMap<string, string>, end: string): string {
  const path = [end];
  while (via.get(path[0]!)) path.unshift(via.get(path[0]!)!);
  return path.join(' → ');
}

describe('rooms and the one-way dependency rule', () => {
  it('finds the source files and their imports', () => {
    expect(FILES.length).toBeGreaterThan(50);
    expect(EDGES.filter((e) => !e.to.startsWith('pkg:')).length).toBeGreaterThan(200);
  });

  it('puts every source file in a room', () => {
    expect(FILES.filter((f) => roomOf(f) === undefined)).toEqual([]);
  });

  it('resolves every relative import to a source file', () => {
    const missing = EDGES.filter((e) => !e.to.startsWith('pkg:') && !FILES.includes(e.to)).map((e) => `${e.from} → ${e.to}`);
    expect(missing).toEqual([]);
  });

  it('has no import between rooms that the table does not allow', () => {
    const back = EDGES.filter((e) => !e.to.startsWith('pkg:'))
      .map((e) => ({ e, from: roomOf(e.from), to: roomOf(e.to) }))
      .filter(({ from, to }) => from !== undefined && to !== undefined && from !== to && !ROOMS[from]!.includes(to))
      .map(({ e, from, to }) => `${e.from} (${from}) → ${e.to} (${to})`);
    expect(back, 'imports against the dependency rule (see ROOMS)').toEqual([]);
  });

  it('has no import cycle between files', () => {
    const cycles = importCycles(FILES, EDGES).map((c) => c.join(' → '));
    expect(cycles, 'import cycles').toEqual([]);
  });

  it('the table itself points one way: no cycle between rooms', () => {
    const rooms = Object.keys(ROOMS).map((r) => `room:${r}`);
    const edges = Object.entries(ROOMS).flatMap(([from, tos]) =>
      tos.map((to) => ({ from: `room:${from}`, to: `room:${to}`, typeOnly: false, dynamic: false })),
    );
    expect(importCycles(rooms, edges)).toEqual([]);
  });

  it('detects a back edge and a cycle (the checks can fail)', () => {
    const files = ['src/core/a.ts', 'src/cli/b.ts'];
    const edges: Edge[] = [
      { from: 'src/core/a.ts', to: 'src/cli/b.ts', typeOnly: true, dynamic: false },
      { from: 'src/cli/b.ts', to: 'src/core/a.ts', typeOnly: false, dynamic: false },
    ];
    expect(importCycles(files, edges).map((c) => c.join(' → '))).toEqual(['src/cli/b.ts → src/core/a.ts → src/cli/b.ts']);
    expect(ROOMS[roomOf('src/core/a.ts')!]!.includes(roomOf('src/cli/b.ts')!)).toBe(false);
  });
});

const ENDERS = ['exit', 'reallyExit', 'abort'];

/**
 * Where `text` reaches `process.exit` / `process.reallyExit` / `process.abort` (line numbers), comments
 * aside: `process.exit`, `process['exit']`, `globalThis.process.exit`, or imported from `node:process`.
 */
function exitUses(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const out: string[] = [];
  const at = (node: ts.Node, what: string): void => void out.push(`${file}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1} process.${what}`);
  const isProcess = (e: ts.Expression): boolean =>
    (ts.isIdentifier(e) && e.text === 'process') ||
    (ts.isPropertyAccessExpression(e) && e.name.text === 'process' && ts.isIdentifier(e.expression) && e.expression.text === 'globalThis');
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && isProcess(node.expression) && ENDERS.includes(node.name.text)) at(node, node.name.text);
    else if (
      ts.isElementAccessExpression(node) &&
      isProcess(node.expression) &&
      ts.isStringLiteralLike(node.argumentExpression) &&
      ENDERS.includes(node.argumentExpression.text)
    ) {
      at(node, node.argumentExpression.text);
    } else if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && ['process', 'node:process'].includes(node.moduleSpecifier.text)) {
      const bindings = node.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings))
        for (const e of bindings.elements) if (ENDERS.includes((e.propertyName ?? e.name).text)) at(e, (e.propertyName ?? e.name).text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

describe('only the command line ends the process', () => {
  // The runner runs our own collectors without the exit guard's tracking (src/core/built-in.ts), trusting
  // this: nothing outside src/cli/ ends the process (the guard itself swaps process.exit).
  it('no process.exit outside src/cli/ and the exit guard', () => {
    const uses = FILES.filter((f) => !f.startsWith('src/cli/') && f !== 'src/run/exit-guard.ts').flatMap((f) =>
      exitUses(f, readFileSync(join(ROOT, f), 'utf8')),
    );
    expect(uses).toEqual([]);
  });

  it('the check can fail: it finds a call, a reference, process.abort, an element access and an import, not a comment or a string', () => {
    const text = [
      '// process.exit(1)',
      'const s = "process.exit";',
      'if (x) process.exit(2);',
      'const f = process.exit;',
      'process.abort();',
      "process['exit'](3);",
      'globalThis.process.exit(4);',
      "import { exit as quit, cwd } from 'node:process';",
      '',
    ].join('\n');
    expect(exitUses('collectors/x.ts', text)).toEqual([
      'collectors/x.ts:3 process.exit',
      'collectors/x.ts:4 process.exit',
      'collectors/x.ts:5 process.abort',
      'collectors/x.ts:6 process.exit',
      'collectors/x.ts:7 process.exit',
      'collectors/x.ts:8 process.exit',
    ]);
  });
});

describe('lazy commands', () => {
  /** What `redact`, `verify`, `--version` and `--help` must never load. */
  const HEAVY_PACKAGES = ['pkg:dockerode', 'pkg:archiver', 'pkg:systeminformation'];
  const isHeavy = (f: string): boolean => HEAVY_PACKAGES.includes(f) || f.startsWith('analyzers/') || isCollector(f);
  /**
   * The collectors: every module under collectors/ except the two that declare options the config
   * layer validates (the config-defined collectors' schema and the docker collector's container
   * patterns); both import only core and redaction.
   */
  const isCollector = (f: string): boolean => f.startsWith('collectors/') && f !== 'collectors/custom/schema.ts' && f !== 'collectors/docker-containers.ts';

  for (const start of ['src/cli/main.ts', 'src/cli/parser.ts', 'src/cli/redact.ts', 'src/cli/verify.ts']) {
    it(`${start} loads no Docker client, archiver, systeminformation, collector or analyzer before its handler runs`, () => {
      expect(FILES, `${start} exists`).toContain(start);
      const via = staticallyReachable([start]);
      const heavy = [...via.keys()].filter(isHeavy).map((f) => chain(via, f));
      expect(heavy).toEqual([]);
    });
  }

  it('--version and redact load no yargs (issue #14: its import is most of their start-up); the check can fail: --help does', () => {
    for (const start of ['src/cli/main.ts', 'src/cli/fast-path.ts', 'src/cli/redact.ts', 'src/run/redact-files.ts']) {
      const via = staticallyReachable([start]);
      expect(via.has('pkg:yargs') ? chain(via, 'pkg:yargs') : undefined, start).toBeUndefined();
    }
    expect(staticallyReachable(['src/cli/parser.ts']).has('pkg:yargs')).toBe(true);
  });

  it('src/cli/main.ts loads neither the command modules nor the config layer (zod, lilconfig, yaml) before a command runs: --version stays cheap', () => {
    const via = staticallyReachable(['src/cli/main.ts']);
    const late = [...via.keys()]
      .filter((f) => ['pkg:zod', 'pkg:lilconfig', 'pkg:yaml', 'src/config/config.ts', 'src/cli/redact.ts', 'src/cli/collect.ts'].includes(f))
      .map((f) => chain(via, f));
    expect(late).toEqual([]);
  });

  it('redact, verify and --help load no zod, yaml, config schema or collector declarations before a config file is found (issue #12: start-up CPU)', () => {
    const LATE = ['pkg:zod', 'pkg:yaml', 'src/config/schema.ts', 'src/config/validate.ts', 'src/config/collector-options.ts', 'src/core/validators.ts'];
    for (const start of ['src/cli/main.ts', 'src/cli/redact.ts', 'src/cli/verify.ts', 'src/cli/builders.ts', 'src/config/layers.ts', 'src/config/search.ts']) {
      const via = staticallyReachable([start]);
      const late = [...via.keys()].filter((f) => LATE.includes(f)).map((f) => chain(via, f));
      expect(late, start).toEqual([]);
    }
  });

  it("a collect's collector registry does not load the config validation (its zod schema is built as it loads) when no config file was found", () => {
    const via = staticallyReachable(['src/config/registry.ts', 'src/run/collect.ts']);
    expect(via.has('src/config/validate.ts'), via.has('src/config/validate.ts') ? chain(via, 'src/config/validate.ts') : '').toBe(false);
    // The check can fail: the config barrel does load it.
    expect(staticallyReachable(['src/config/config.ts']).has('src/config/validate.ts')).toBe(true);
  });

  it('the config search reaches the schema through import() only, and the schema reaches the collectors (the check can fail)', () => {
    const search = EDGES.filter((e) => e.from === 'src/config/search.ts' && e.to === 'src/config/validate.ts');
    expect(search.length).toBeGreaterThan(0);
    expect(search.every((e) => e.dynamic)).toBe(true);
    expect([...staticallyReachable(['src/config/validate.ts']).keys()]).toEqual(
      expect.arrayContaining(['pkg:zod', 'src/config/schema.ts', 'collectors/index.ts']),
    );
  });

  it('the command line as bundled (dist/cli/, scripts/bundle-cli.mjs) keeps it so: main.js statically loads no package and no command', () => {
    assertBuilt();
    const seen = new Map<string, string>();
    const walk = (file: string): void => {
      if (seen.has(file)) return;
      const text = readFileSync(file, 'utf8');
      seen.set(file, text);
      for (const m of text.matchAll(/^import\s(?:[^;]*?\sfrom\s*)?["']([^"']+)["']/gm)) {
        const spec = m[1]!;
        if (spec.startsWith('.')) walk(resolve(dirname(file), spec));
        else seen.set(`pkg:${spec}`, '');
      }
    };
    walk(resolve('dist/cli/main.js'));
    expect([...seen.keys()].filter((k) => k.startsWith('pkg:') && !k.startsWith('pkg:node:'))).toEqual([]);
    const code = [...seen.values()].join('\n');
    // The collect command and the redactor are there, but in chunks import() loads (the check can fail).
    for (const marker of ['function collectBundle(', 'var Redactor = class', 'class Redactor ']) expect(code).not.toContain(marker);
    const all = readdirSync('dist/cli/chunks')
      .map((f) => readFileSync(join('dist/cli/chunks', f), 'utf8'))
      .join('\n');
    expect(all).toContain('function collectBundle(');
    expect(/(?:var|class) Redactor\b/.test(all)).toBe(true);
    // yargs is bundled with its two adjustments (PATCHES in scripts/bundle-cli.mjs): it looks for package.json
    // from the bundle's folder, not the working directory; string-width builds no Intl.Segmenter as it loads.
    expect(all).toContain('const mainFilename = __dirname;');
    expect(all).toContain('(lazySegmenter ??= new Intl.Segmenter())');
    expect(all.match(/^(?:const|let|var) \S+ = new Intl\.Segmenter\(/gm) ?? []).toEqual([]);
  });

  it('the check can fail: the collect command does reach them, through import() only', () => {
    const via = staticallyReachable(['src/run/collect.ts']);
    expect([...via.keys()].filter(isHeavy)).toEqual(expect.arrayContaining(['pkg:dockerode', 'collectors/index.ts', 'analyzers/run.ts']));
  });
});
