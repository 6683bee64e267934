/** Known secrets across a whole run: declared up front, learned on the way, removed everywhere. */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineCollector, text } from '../../src/core/artifacts.js';
import { collectBundle } from '../../src/run/collect.js';
import { fileJson, fileText, readBundle } from '../helpers/bundle.js';

let out: string;
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'cb-secrets-'));
});
afterEach(() => rm(out, { recursive: true, force: true }));
const raw = (bundle: string) => execFileSync('sh', ['-c', `gzip -dc '${bundle}'`]).toString('latin1');

describe('known secrets in a run', () => {
  it("removes a secret another collector declares up front, from every collector's output", async () => {
    const SECRET = 'Decl4red-S3cret!x';
    const echoes = defineCollector({
      name: 'echoes',
      description: 'logs that echo a password without any key',
      defaultEnabled: true,
      defaults: {},
      async *collect() {
        yield text(
          'app.log',
          `login ok\nconnecting with ${SECRET} to db\nurl-encoded ${encodeURIComponent(SECRET)} and base64 ${Buffer.from(SECRET).toString('base64')}\n`,
        );
      },
    });
    const settings = defineCollector({
      name: 'settings',
      description: 'knows the password before collecting',
      defaultEnabled: true,
      defaults: {},
      secrets: async () => [SECRET],
      async *collect() {
        yield text('note.txt', 'nothing here\n');
      },
    });
    const result = await collectBundle({ outputDir: out, collectors: [echoes, settings], concurrency: 1, redaction: { ephemeralKey: true } });
    const body = raw(result.bundle);
    expect(body).not.toContain(SECRET);
    expect(body).not.toContain(encodeURIComponent(SECRET));
    expect(body).not.toContain(Buffer.from(SECRET).toString('base64'));
    const log = fileText(await readBundle(result.bundle), 'echoes/app.log');
    expect(log).toMatch(/^login ok\nconnecting with \[REDACTED:known-secret:[0-9a-f]{8}\] to db\n/);
  });

  it('removes a secret learned late (under a secret key in a later file) from files written before it', async () => {
    const SECRET = 'L4te-Learned-Pw9';
    const first = defineCollector({
      name: 'first',
      description: 'writes the value with no key around it',
      defaultEnabled: true,
      defaults: {},
      async *collect() {
        yield text('log.txt', `user logged in with ${SECRET}\n`);
      },
    });
    const second = defineCollector({
      name: 'second',
      description: 'shows the value under a secret key',
      defaultEnabled: true,
      defaults: {},
      async *collect() {
        yield text('env.txt', `DB_PASSWORD=${SECRET}\n`);
      },
    });
    const result = await collectBundle({ outputDir: out, collectors: [first, second], concurrency: 1, redaction: { ephemeralKey: true } });
    expect(raw(result.bundle)).not.toContain(SECRET);
    const entries = await readBundle(result.bundle);
    expect(fileText(entries, 'first/log.txt')).toMatch(/^user logged in with \[REDACTED:known-secret:[0-9a-f]{8}\]\n$/);
    // The manifest's checksum is that of the file as finally stored.
    const manifest = fileJson(entries, 'manifest.json');
    const rec = manifest.collectors[0].artifacts[0];
    const { createHash } = await import('node:crypto');
    expect(rec.sha256).toBe(createHash('sha256').update(fileText(entries, 'first/log.txt')).digest('hex'));
    expect(manifest.redaction.literals).toBeGreaterThan(0);
    expect(JSON.stringify(manifest)).not.toContain(SECRET);
  });

  it('gives the same secret the same tag across bundles with the installation key, and not with --no-stable-tokens', async () => {
    const keyDir = await mkdtemp(join(tmpdir(), 'cb-key-'));
    try {
      const c = defineCollector({
        name: 'c',
        description: 'one secret',
        defaultEnabled: true,
        defaults: {},
        async *collect() {
          yield text('x.txt', 'API_TOKEN=Same-Secret-123\n');
        },
      });
      const env = { ...process.env, XDG_CONFIG_HOME: keyDir };
      const tagOf = async (redaction = {}) =>
        /\[REDACTED:secret-key-value:([0-9a-f]{8})\]/.exec(
          fileText(await readBundle((await collectBundle({ outputDir: out, collectors: [c], env, redaction })).bundle), 'c/x.txt'),
        )![1];
      const a = await tagOf();
      const b = await tagOf();
      expect(a).toBe(b);
      expect(await readdir(join(keyDir, 'collect-bundle'))).toEqual(['redaction.key']);
      expect(await tagOf({ ephemeralKey: true })).not.toBe(a);
    } finally {
      await rm(keyDir, { recursive: true, force: true });
    }
  });

  it('applies custom rules, extra key names and the allowlist given as options', async () => {
    const c = defineCollector({
      name: 'c',
      description: 'custom shapes',
      defaultEnabled: true,
      defaults: {},
      async *collect() {
        yield text('x.txt', 'id acme_0123456789abcdef0123456789abcdef\nACME_CODE=topsecret42\nDB_PASSWORD=changeme-ok\n');
      },
    });
    const result = await collectBundle({
      outputDir: out,
      collectors: [c],
      redaction: {
        ephemeralKey: true,
        rules: [{ id: 'acme-token', pattern: 'acme_([A-Za-z0-9]{32})' }],
        secretKeys: ['ACME_CODE'],
        allow: ['changeme-ok'],
      },
    });
    const body = fileText(await readBundle(result.bundle), 'c/x.txt');
    expect(body).toMatch(/^id acme_\[REDACTED:acme-token:[0-9a-f]{8}\]\nACME_CODE=\[REDACTED:secret-key-value:[0-9a-f]{8}\]\nDB_PASSWORD=changeme-ok\n$/);
    expect(result.manifest.redaction.customRules).toEqual(['acme-token']);
  });

  it('refuses a custom rule that is not a valid regex, naming it', async () => {
    await expect(collectBundle({ outputDir: out, collectors: [], redaction: { rules: [{ id: 'bad', pattern: 'a(b' }] } })).rejects.toMatchObject({
      code: 'E_CONFIG',
      message: expect.stringMatching(/redaction rule bad: invalid regex/),
    });
    expect(await readdir(out)).toEqual([]);
  });
});
