/**
 * The flag-driven collectors live in the registry: `env-files` (--env-file) and `job` (--job) are built-in
 * collectors, off by default, so --list-collectors, --only/--skip and a config name them like the others,
 * while a run without their flag records nothing new in its manifest.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builtinCollectors } from '../../collectors/index.js';
import { defineCollector, text } from '../../src/core/artifacts.js';
import type { Manifest } from '../../src/core/types.js';
import { collectBundle } from '../../src/run/collect.js';
import { fileJson, fileText, readBundle } from '../helpers/bundle.js';

let out: string;
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'cb-registry-'));
});
afterEach(() => rm(out, { recursive: true, force: true }));

const tiny = defineCollector({
  name: 'tiny',
  description: 'one small file, so a run needs no engine or project',
  defaultEnabled: true,
  defaults: {},
  async *collect() {
    yield text('hello.txt', 'hello\n');
  },
});

/** A run over the real registry plus `tiny`, with no Docker engine, no analyzers and a throwaway key. */
async function run(options: { only: string[]; skip?: string[]; envFiles?: string[] }) {
  const result = await collectBundle({ outputDir: out, collectors: [...builtinCollectors, tiny], noAnalyze: true, redaction: { ephemeralKey: true }, env: {}, ...options });
  const entries = await readBundle(result.bundle);
  return { result, entries, manifest: fileJson<Manifest>(entries, 'manifest.json') };
}

describe('the flag-driven collectors in the registry', () => {
  it('lists env-files and job last, off by default', () => {
    const names = builtinCollectors.map((c) => c.name);
    expect(names.slice(-2)).toEqual(['env-files', 'job']);
    expect(builtinCollectors.filter((c) => ['env-files', 'job'].includes(c.name)).map((c) => c.defaultEnabled)).toEqual([false, false]);
  });

  it('a run without --env-file or --job records neither', async () => {
    const { manifest } = await run({ only: ['tiny'] });
    expect(manifest.collectors.map((c) => c.name)).toEqual(['tiny']);
  });

  it('--env-file turns env-files on after the selection; --skip env-files keeps it off', async () => {
    const file = join(out, 'app.env');
    await writeFile(file, 'DEBUG=1\nAPI_TOKEN=Kx9-registry-secret-1\n');
    const on = await run({ only: ['tiny'], envFiles: [file] });
    expect(on.manifest.collectors.map((c) => [c.name, c.status])).toEqual([
      ['tiny', 'ok'],
      ['env-files', 'ok'],
    ]);
    const stored = fileText(on.entries, 'env-files/app.env');
    expect(stored).toContain('DEBUG=1');
    expect(stored).not.toContain('Kx9-registry-secret-1');
    await rm(on.result.bundle);
    const off = await run({ only: ['tiny'], skip: ['env-files'], envFiles: [file] });
    expect(off.manifest.collectors.map((c) => c.name)).toEqual(['tiny']);
  });

  it('--only env-files or --only job without the flag: skipped, with the reason', async () => {
    const { manifest } = await run({ only: ['env-files', 'job'] });
    expect(manifest.collectors.map((c) => [c.name, c.status, c.reason])).toEqual([
      ['env-files', 'skipped', 'no --env-file given'],
      ['job', 'skipped', 'no --job given'],
    ]);
  });
});
