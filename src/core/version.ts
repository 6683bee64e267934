// Room: core (src/core/) — imports nothing of ours (the rule: tests/architecture.test.ts).
/** The tool's name and version, read from its package.json (found upwards from this module). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The tool as its package.json names it; `homepage`/`repository` when the package declares them. */
export interface ToolInfo {
  readonly name: string;
  readonly version: string;
  readonly homepage?: string;
  readonly repository?: string;
}

function findPackageJson(): ToolInfo {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string; homepage?: unknown; repository?: unknown };
      if (pkg.name === 'collect-bundle' && pkg.version) {
        const repo = pkg.repository;
        const repository = typeof repo === 'string' ? repo : typeof (repo as { url?: unknown })?.url === 'string' ? (repo as { url: string }).url : undefined;
        return {
          name: pkg.name,
          version: pkg.version,
          ...(typeof pkg.homepage === 'string' ? { homepage: pkg.homepage } : {}),
          ...(repository ? { repository } : {}),
        };
      }
    } catch {
      // not here; look one level up
    }
    dir = dirname(dir);
  }
  return { name: 'collect-bundle', version: '0.0.0-unknown' };
}

export const TOOL = Object.freeze(findPackageJson());
