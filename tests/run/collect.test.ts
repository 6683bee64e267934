/** collectBundle as a library call: the whole run, with planted secrets and failures. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineCollector, fact, json, problem, text } from '../../src/core/artifacts.js';
import { collectBundle } from '../../src/run/collect.js';
import { CliError } from '../../src/core/errors.js';
import { fileJson, fileText, readBundle } from '../helpers/bundle.js';

let out: string;
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'cb-collect-'));
});
afterEach(() => rm(out, { recursive: true, force: true }));

const CANARIES = ['Kx9-canary-pw-1', 'Kx9canaryTok2', 'Kx9-canary-pw-3', 'Kx9-canary-pw-4', 'Kx9-canary-pw-5', 'Kx9-canary-pw-6'];

const leaky = defineCollector({
  name: 'leaky',
  description: 'plants secrets everywhere a collector can put text',
  defaultEnabled: true,
  defaults: {},
  async *collect() {
    yield text('settings.py', `DATABASES = {'default': {'PASSWORD': '${CANARIES[0]}'}}\nDEBUG = False\n`);
    yield json(`by-name/api_token=${CANARIES[1]}.json`, { ok: true });
    yield problem('redis', `could not connect to redis://:${CANARIES[2]}@cache:6379/0`);
    yield fact('broker', `amqp://guest:${CANARIES[3]}@rabbit:5672/`);
  },
});
const failing = defineCollector({
  name: 'failing',
  description: 'fails with a secret in its error message',
  defaultEnabled: true,
  defaults: {},
  async *collect() {
    yield text('partial.txt', 'kept\n');
    throw new Error(`psql: connection to postgres://app:${CANARIES[4]}@db:5432/app failed`);
  },
});
const logs = defineCollector({
  name: 'logs',
  description: 'logs a secret-bearing message',
  defaultEnabled: true,
  defaults: {},
  async *collect(ctx) {
    ctx.log.log('warn', `retrying with token=${CANARIES[5]}`);
    yield text('x.txt', 'x\n');
  },
});

describe('collectBundle', () => {
  it('leaks no planted secret anywhere: contents, names, manifest, ISSUE.md, run.log, result', async () => {
    const stderr: string[] = [];
    const progress = { out: new Writable({ write: (c, _e, cb) => { stderr.push(String(c)); cb(); } }) };
    const result = await collectBundle({ outputDir: out, collectors: [leaky, failing, logs], progress, commandLine: ['collect-bundle', '--title', `pw=${CANARIES[0]}`] });
    expect(result.status).toBe('partial');
    const raw = execFileSync('sh', ['-c', `gzip -dc '${result.bundle}'`]).toString('latin1');
    const shown = stderr.join('') + JSON.stringify(result);
    for (const s of CANARIES) {
      expect(raw, s).not.toContain(s);
      expect(shown, s).not.toContain(s);
    }
    const entries = await readBundle(result.bundle);
    expect(fileText(entries, 'leaky/settings.py')).toMatch(/'PASSWORD': '\[REDACTED:secret-key-value:[0-9a-f]{8}\]'/);
    expect(fileText(entries, 'run.log')).toMatch(/retrying with token=\[REDACTED:/);
    expect(fileText(entries, 'ISSUE.md')).toMatch(/failing failed \(psql: connection to postgres:\/\/app:\[REDACTED:url-password:[0-9a-f]{8}\]@db/);
    const manifest = fileJson(entries, 'manifest.json');
    expect(manifest).toEqual(result.manifest);
    expect(manifest.collectors.find((c: { name: string }) => c.name === 'failing')).toMatchObject({ status: 'failed', artifacts: [{ path: 'failing/partial.txt' }] });
    const report = fileJson(entries, 'redactions.json');
    expect(report.total).toBeGreaterThanOrEqual(6);
    expect(manifest.redaction.byRule.find((r: { rule: string }) => r.rule === 'url-password').count).toBeGreaterThanOrEqual(3);
  });

  it('lists every stored file in the manifest with the sha256 of its stored bytes', async () => {
    const result = await collectBundle({ outputDir: out, collectors: [leaky, logs] });
    const entries = await readBundle(result.bundle);
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    const listed = new Map<string, string>();
    for (const c of result.manifest.collectors) for (const a of c.artifacts) listed.set(a.path, a.sha256);
    for (const f of result.manifest.files) listed.set(f.path, f.sha256);
    const stored = new Map([...entries].map(([name, e]) => [name.split('/').slice(1).join('/'), sha(e.data)]));
    stored.delete('manifest.json');
    expect(new Map([...listed].sort())).toEqual(new Map([...stored].sort()));
  });

  it('a secret learned further down a file is removed from that same file\'s earlier lines too', async () => {
    const value = 'Late-Learned-Value-8c1f3a';
    const env = defineCollector({
      name: 'late',
      description: 'prints a value bare, then under a secret name',
      defaultEnabled: true,
      defaults: {},
      async *collect() {
        // Bare first (no rule can tell it is secret), then `DB_PASSWORD=` teaches the redactor.
        yield text('env.txt', `HOME_DIR=/srv/${value}\nDB_PASSWORD=${value}\nPWD=/srv/app\n`);
      },
    });
    const result = await collectBundle({ outputDir: out, collectors: [env] });
    expect(result.status).toBe('complete');
    const body = fileText(await readBundle(result.bundle), 'late/env.txt');
    expect(body).not.toContain(value);
    expect(body).toMatch(/^HOME_DIR=\/srv\/\[REDACTED:/m);
    // PWD is the working directory, not a password: it stays readable.
    expect(body).toContain('PWD=/srv/app');
  });

  it('refuses unknown collector names before writing anything', async () => {
    await expect(collectBundle({ outputDir: out, collectors: [leaky], only: ['nope'] })).rejects.toThrow(CliError);
    await expect(collectBundle({ outputDir: out, collectors: [leaky], skip: ['nope'] })).rejects.toThrow(/unknown collector "nope"; valid: leaky/);
    expect(await readdir(out)).toEqual([]);
  });

  it('leaves nothing behind when interrupted', async () => {
    const ac = new AbortController();
    const slow = defineCollector({ name: 'slow', description: 'streams until interrupted', defaultEnabled: true, defaults: {}, async *collect(ctx) {
      yield text('first.txt', 'a\n');
      await new Promise((_r, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
    } });
    setTimeout(() => ac.abort(), 200);
    await expect(collectBundle({ outputDir: out, collectors: [slow], signal: ac.signal })).rejects.toMatchObject({ code: 'E_INTERRUPTED', exitCode: 130 });
    expect(await readdir(out)).toEqual([]);
  });
});
