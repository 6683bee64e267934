/**
 * A full run of the real CLI against the real test engine (started by tests/global-setup.ts).
 * Skipped with the reason when no engine could be started here (never in CI: the setup fails there).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileJson, fileText, readBundle, type TarEntry } from '../helpers/bundle.js';
import { DOCKER_HOST, TEST_IMAGE, docker, dockerUnavailable, removeContainers, uniq } from '../helpers/docker.js';
import { assertBuilt, cleanup, describeRun, listCollectors, listDir, runCli, sha256File, tempDir } from './harness.js';
import type { ContainerRow } from '../../src/bundle/layout.js';

/**
 * An engine file of the docker collector: `docker/<file>`, or `docker/<engine>/<file>` now that the
 * collector keeps one folder per engine. This run has one engine, so there must be exactly one.
 */
function engineFile(entries: Map<string, TarEntry>, file: string): string {
  const re = new RegExp(`^docker/(?:[^/]+/)?${file.replace(/\./g, '\\.')}$`);
  const rels = [...entries.keys()].map((n) => n.split('/').slice(1).join('/')).filter((rel) => re.test(rel));
  expect(rels, `docker ${file} in the bundle; entries: ${[...entries.keys()].join(', ')}`).toHaveLength(1);
  return rels[0]!;
}

const skipReason = dockerUnavailable && !process.env['CI'] ? `no test Docker engine: ${dockerUnavailable}` : undefined;
if (skipReason) process.stderr.write(`tests/cli/docker-engine.test.ts skipped: ${skipReason}\n`);

describe.skipIf(skipReason)('full run against the real test engine', () => {
  const prefix = uniq('cb-cli');
  const name = `${prefix}-created`;

  beforeAll(async () => {
    assertBuilt();
    expect(DOCKER_HOST, 'the global setup did not set DOCKER_HOST').not.toBe('');
    // A container that exists but never ran: it must show up in containers.json.
    await docker('create', '--name', name, TEST_IMAGE, 'true');
  }, 120_000);
  afterAll(async () => {
    await cleanup();
    await removeContainers(prefix);
  }, 120_000);

  it('exits 0 with docker/version.json, info.json and containers.json', async () => {
    const out = await tempDir('cb-out-');
    const r = await runCli(['-o', out, '--json', '--timeout', '60'], { env: { DOCKER_HOST }, killAfterMs: 120_000 });
    expect(r.code, describeRun(r)).toBe(0);

    const files = await listDir(out);
    expect(files).toHaveLength(2);
    const tarball = join(out, files.find((f) => f.endsWith('.tar.gz'))!);
    const summary = JSON.parse(r.stdout);
    expect(summary.status).toBe('complete');
    expect(summary.sha256).toBe(await sha256File(tarball));
    const statuses = Object.fromEntries(summary.collectors.map((c: { name: string; status: string }) => [c.name, c.status]));
    expect(statuses).toMatchObject({ system: 'ok', docker: 'ok' });
    // Every default collector ran; the ones that do not apply here (no Django project) say so.
    expect(Object.keys(statuses).sort()).toEqual(
      listCollectors()
        .filter((c) => c.defaultEnabled)
        .map((c) => c.name)
        .sort(),
    );
    for (const [n, st] of Object.entries(statuses)) expect(['ok', 'skipped'], `${n}: ${st}`).toContain(st);

    const entries = await readBundle(tarball);
    const manifest = fileJson(entries, 'manifest.json');
    expect(manifest.status).toBe('complete');
    expect(manifest.docker.endpoints).toMatchObject([{ url: DOCKER_HOST, source: 'DOCKER_HOST' }]);

    const version = fileJson(entries, engineFile(entries, 'version.json'));
    expect(typeof version.Version).toBe('string');
    expect(typeof version.ApiVersion).toBe('string');
    expect(manifest.environment['docker.server']).toBe(version.Version);

    const info = fileJson(entries, engineFile(entries, 'info.json'));
    expect(typeof info.ID).toBe('string');
    expect(info.ServerVersion).toBe(version.Version);

    const containers = fileJson<ContainerRow[]>(entries, engineFile(entries, 'containers.json'));
    const row = containers.find((c) => c.name === name);
    expect(row, `${name} not in containers.json: ${containers.map((c) => c.name).join(', ')}`).toBeDefined();
    expect(row!.state).toBe('created');
    expect(row!.image).toBe(TEST_IMAGE);
    expect(fileText(entries, engineFile(entries, 'ps.txt'))).toContain(name);

    const issue = fileText(entries, 'ISSUE.md');
    expect(issue).toContain(`| Docker engine \`local\` | ${version.Version} (API ${version.ApiVersion}, `);
  }, 150_000);
});
