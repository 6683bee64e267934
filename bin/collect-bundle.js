#!/usr/bin/env -S node --
// Launcher: runs the built CLI (npm run build creates dist/cli/, the command line as one bundle: scripts/bundle-cli.mjs).
// The `--` in the shebang: Node 20 reads a script argument `--env-file X` as its own option and opens X
// before any of our code runs (nodejs/node#54232), so `analyze --env-file FIFO` blocked forever.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('collect-bundle: not built yet: run `npm run build` in the collect-bundle folder first\n');
  process.exit(1);
}
// A signal while the CLI's modules load (the first few hundred ms) ends the run as an interrupt (130),
// not with the default 143/130 of a killed process; nothing has been written yet. run() takes over.
const early = () => process.exit(130);
process.on('SIGINT', early);
process.on('SIGTERM', early);
const { run } = await import(cli.href);
await run();
