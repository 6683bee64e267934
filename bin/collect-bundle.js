#!/usr/bin/env node
// Launcher: runs the built CLI (npm run build creates dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('collect-bundle: not built yet: run `npm run build` in the collect-bundle folder first\n');
  process.exit(1);
}
const { run } = await import(cli.href);
await run();
