/**
 * The library entry used as a user would: a separate Node process imports `collect-bundle` by its
 * package name (Node resolves the package's own name from inside it through package.json `exports`,
 * so this is the built dist/, exactly what an installed package exposes), runs collectBundle with a
 * collector of its own next to a built-in, and redacts text and a stream. The bundle is then checked
 * with the CLI's `verify`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BIN, ROOT } from './cli/harness.js';
import { fileJson, fileText, readBundle } from './helpers/bundle.js';

const GH_TOKEN = 'ghp_R2d2C3poBb8Yoda1Luke2Leia3Han4Solo5';
const PASSWORD = 'Lib-Passw0rd-Secret-88';
const ACME = 'acme_k3y9z8y7x6w5';

let out: string;
beforeAll(() => {
  expect(existsSync(join(ROOT, 'dist', 'src', 'index.js')), 'run npm run build first').toBe(true);
});
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'cb-library-'));
});
afterEach(() => rm(out, { recursive: true, force: true }));

/** Runs an ES module as a separate Node process from the package root, so `collect-bundle` self-resolves. */
function node(script: string): { status: number | null; stdout: string; stderr: string } {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 120_000,
  });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

describe('library API (import from "collect-bundle")', () => {
  it('collectBundle runs a built-in and a collector of our own; the bundle verifies clean', async () => {
    const script = `
      import { collectBundle, defineCollector, json, text, builtinCollectors } from 'collect-bundle';
      const mine = defineCollector({
        name: 'my-custom',
        description: 'a collector written by a library user',
        defaultEnabled: false,
        defaults: { greeting: 'hello' },
        async *collect(ctx) {
          yield json('data.json', { greeting: ctx.options.greeting, token: ${JSON.stringify(GH_TOKEN)} });
          yield text('settings.txt', 'DEBUG=False\\nDB_PASSWORD=${PASSWORD}\\n');
        },
      });
      const result = await collectBundle({
        outputDir: ${JSON.stringify(out)},
        only: ['system', 'my-custom'],
        collectors: [...builtinCollectors, mine],
        collectorOptions: { 'my-custom': { greeting: 'hi from options' } },
        redaction: { ephemeralKey: true },
      });
      console.log(JSON.stringify({ bundle: result.bundle, status: result.status, collectors: result.manifest.collectors.map((c) => [c.name, c.status]) }));`;
    const child = node(script);
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const summary = JSON.parse(child.stdout) as { bundle: string; status: string; collectors: [string, string][] };
    expect(summary.status).toBe('complete');
    expect(summary.collectors).toEqual([
      ['system', 'ok'],
      ['my-custom', 'ok'],
    ]);
    const entries = await readBundle(summary.bundle);
    expect(fileJson(entries, 'my-custom/data.json')).toMatchObject({ greeting: 'hi from options', token: expect.stringMatching(/^\[REDACTED:/) });
    expect(fileText(entries, 'my-custom/settings.txt')).toMatch(/^DEBUG=False\nDB_PASSWORD=\[REDACTED:/);
    expect(fileJson(entries, 'system/os.json')).toHaveProperty('platform');
    for (const e of entries.values()) for (const s of [GH_TOKEN, PASSWORD]) expect(e.data.toString('utf8')).not.toContain(s);

    const verify = spawnSync(process.execPath, [BIN, 'verify', summary.bundle], { encoding: 'utf8' });
    expect(verify.stdout).toMatch(/^ok: \d+ entries verified, checksums match, no unredacted secret found/m);
    expect(verify.status).toBe(0);
  });

  it('redact() returns redacted text with counts, a redacted stream, and takes defineRule() and spec rules', () => {
    const script = `
      import { Readable } from 'node:stream';
      import { redact, defineRule } from 'collect-bundle';
      const text = await redact('DATABASE_URL=postgres://app:${PASSWORD}@db/app\\nagain: ${PASSWORD}\\nkey ${ACME}\\n', {
        rules: [defineRule({ id: 'acme-key', description: 'ACME API keys', pattern: /acme_[a-z0-9]{12}/g })],
      });
      const spec = await redact('deploy id acme_k3y9z8y7x6w5 done', { rules: [{ id: 'acme-spec', pattern: 'acme_[a-z0-9]{12}' }] });
      const streamed = await redact(Readable.from(['token=${GH_TOKEN}\\n', 'plain line\\n']));
      let out = '';
      for await (const chunk of streamed.stream) out += chunk.toString('utf8');
      let binary;
      try { await redact(Buffer.from([0x41, 0x00, 0x42])); } catch (err) { binary = err.name; }
      console.log(JSON.stringify({ text, spec, stream: out, counts: streamed.counts(), binary }));`;
    const child = node(script);
    expect(child.stderr).toBe('');
    const r = JSON.parse(child.stdout);
    expect(r.text.text).toMatch(
      /^DATABASE_URL=postgres:\/\/app:\[REDACTED:url-password:([0-9a-f]{8})\]@db\/app\nagain: \[REDACTED:known-secret:\1\]\nkey \[REDACTED:acme-key:[0-9a-f]{8}\]\n$/,
    );
    expect(r.text.total).toBe(3);
    expect(r.text.byRule).toEqual(
      expect.arrayContaining([
        { rule: 'url-password', count: 1 },
        { rule: 'known-secret', count: 1 },
        { rule: 'acme-key', count: 1 },
      ]),
    );
    expect(r.spec.text).toMatch(/^deploy id \[REDACTED:acme-spec:[0-9a-f]{8}\] done$/);
    expect(r.stream).toMatch(/^token=\[REDACTED:[a-z-]+:[0-9a-f]{8}\]\nplain line\n$/);
    expect(r.counts.total).toBe(1);
    expect(r.binary).toBe('BinaryContentError');
  });

  it("docs/library-api.md's example runs as written (output folder aside)", async () => {
    const readme = await readFile(join(ROOT, 'docs', 'library-api.md'), 'utf8');
    const section = readme.slice(readme.indexOf('# Library API'));
    const snippet = /```js\n([\s\S]*?)```/.exec(section)?.[1];
    expect(snippet).toContain("from 'collect-bundle'");
    const child = node(`${snippet!.replace("'./bundles'", JSON.stringify(out))}\nconsole.log(JSON.stringify({ bundle, status }));`);
    expect(child.stderr).toBe('');
    const { bundle, status } = JSON.parse(child.stdout) as { bundle: string; status: string };
    expect(status).toBe('complete');
    expect(fileJson(await readBundle(bundle), 'release/release.json')).toEqual({ release: null });
  });
});
