/**
 * The bundle-path contract check of tests/bundle/layout.test.ts: why a string literal in the source spells a
 * bundle path or a file name that src/bundle/layout.ts does not know (moved here: a test file exports nothing).
 */
import { CUSTOM, FOLDER, PATH_TEMPLATES } from '../../src/bundle/layout.js';

/** File names that appear in messages but are not bundle files (config files, package metadata, Docker's own files). */
const NOT_BUNDLE_FILES = new Set(['package.json', 'config.json', 'meta.json', 'daemon.json', 'requirements.txt', 'KEY.json']);

/** Every file name a bundle can hold, from layout.ts itself. */
const KNOWN_NAMES = new Set(
  [...PATH_TEMPLATES, CUSTOM.commandOutput, CUSTOM.commandResult, CUSTOM.httpBody, CUSTOM.httpResponse, CUSTOM.fileIndex, CUSTOM.env].map(
    (p) => p.split('/').pop()!,
  ),
);
const FOLDERS = Object.values(FOLDER);

const FILE_NAME = /(?:^|[^\w.<>-])((?:[\w-]+|<>)\.(?:jsonl|json|txt))(?![\w.])/g;

/** Why a literal breaks the contract, or undefined when it does not. */
export function offence(literal: string): string | undefined {
  const pathShaped = literal.length > 0 && !/\s/.test(literal);
  if (pathShaped) {
    const base = literal.split('/').pop()!;
    if (KNOWN_NAMES.has(base) || (base.startsWith('<>') && [...KNOWN_NAMES].some((n) => n.endsWith(base.slice(2))) && base.length > 2 && /\.\w+$/.test(base)))
      return `names the bundle file ${base}`;
    if (/^\/[\w-]+\.(?:jsonl?|txt)$/.test(literal) && KNOWN_NAMES.has(literal.slice(1))) return `names the bundle file ${literal.slice(1)}`;
    const folder = FOLDERS.find((f) => literal.startsWith(`${f}/`));
    if (folder) return `starts with the bundle folder ${folder}/`;
  }
  for (const m of literal.matchAll(FILE_NAME)) {
    const name = m[1]!;
    if (name.startsWith('<>') || NOT_BUNDLE_FILES.has(name)) continue;
    if (!KNOWN_NAMES.has(name)) return `names ${name}, which layout.ts does not know (renamed?)`;
  }
  return undefined;
}
