#!/usr/bin/env node
// Writes what is generated from the collectors' option declarations, from dist/ (run `npm run build`
// first; `npm run docs:options` does both): src/cli/collector-flags.ts (the flag table --help builds
// from), docs/collectors.md's collector option tables (between the collector-options markers) and
// schema/collect-bundle.schema.json and docs/options.md's flag table (src/cli/options-doc.ts). tests/config/options.test.ts
// fails when any of them is stale.
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { collectorFlagsSource, withOptionTables } = await import(join(root, 'dist', 'src', 'config', 'collector-options.js'));
const { configJsonSchemaText } = await import(join(root, 'dist', 'src', 'config', 'schema.js'));
await writeFile(join(root, 'src', 'cli', 'collector-flags.ts'), collectorFlagsSource());
const docPath = join(root, 'docs', 'collectors.md');
await writeFile(docPath, withOptionTables(await readFile(docPath, 'utf8')));
await writeFile(join(root, 'schema', 'collect-bundle.schema.json'), configJsonSchemaText());
const { withCollectOptionsTable } = await import(join(root, 'dist', 'src', 'cli', 'options-doc.js'));
const optionsPath = join(root, 'docs', 'options.md');
await writeFile(optionsPath, withCollectOptionsTable(await readFile(optionsPath, 'utf8')));
