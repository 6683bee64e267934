#!/usr/bin/env node
// Writes schema/collect-bundle.schema.json (the config file's JSON Schema, for editors) from the zod
// schema in src/config.ts, as compiled to dist/ by tsc. Run by `npm run build`; tests/config.test.ts
// fails when the committed file differs from what this writes.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { configJsonSchemaText } = await import(join(root, 'dist', 'src', 'config.js'));
const out = join(root, 'schema', 'collect-bundle.schema.json');
await mkdir(dirname(out), { recursive: true });
await writeFile(out, configJsonSchemaText());
