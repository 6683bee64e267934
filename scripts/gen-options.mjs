#!/usr/bin/env node
// Writes what is generated from the collectors' option declarations, from dist/ (run `npm run build`
// first; `npm run docs:options` does both): src/cli/collector-flags.ts (the flag table --help builds
// from), the README's collector option tables (between the collector-options markers) and
// schema/collect-bundle.schema.json. tests/config/options.test.ts fails when any of them is stale.
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { collectorFlagsSource, withOptionTables } = await import(join(root, 'dist', 'src', 'config', 'collector-options.js'));
const { configJsonSchemaText } = await import(join(root, 'dist', 'src', 'config', 'schema.js'));
await writeFile(join(root, 'src', 'cli', 'collector-flags.ts'), collectorFlagsSource());
const readmePath = join(root, 'README.md');
await writeFile(readmePath, withOptionTables(await readFile(readmePath, 'utf8')));
await writeFile(join(root, 'schema', 'collect-bundle.schema.json'), configJsonSchemaText());
