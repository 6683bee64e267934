#!/usr/bin/env node
// Writes schema/collect-bundle.schema.json (the config file's JSON Schema, for editors) from the zod
// schema in src/config/config.ts, as compiled to dist/ by tsc. Run it with `npm run schema` after changing
// the schema, and commit the file. `npm run build` does NOT run it, on purpose: tests/config/config.test.ts
// compares the committed file with the schema generated in memory, so a stale file fails the tests.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { configJsonSchemaText } = await import(join(root, 'dist', 'src', 'config', 'config.js'));
const out = join(root, 'schema', 'collect-bundle.schema.json');
await mkdir(dirname(out), { recursive: true });
await writeFile(out, configJsonSchemaText());
