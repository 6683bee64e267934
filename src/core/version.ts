// Room: core (src/core/) — imports nothing of ours (the rule: tests/architecture.test.ts).
/** The tool's name and version, read from its package.json (found upwards from this module). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageJson(): { name: string; version: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'collect-bundle' && pkg.version) return { name: pkg.name, version: pkg.version };
    } catch {
      // not here; look one level up
    }
    dir = dirname(dir);
  }
  return { name: 'collect-bundle', version: '0.0.0-unknown' };
}

export const TOOL = Object.freeze(findPackageJson());
