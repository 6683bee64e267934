/** `redact` and `verify` as a user runs them: the real CLI process on real files and bundles. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineCollector, text } from '../src/core/artifacts.js';
import { BundleWriter, VerificationError } from '../src/bundle/writer.js';
import { collectBundle } from '../src/run/collect.js';
import { setUpRedaction } from '../src/config/redaction-plan.js';
import { repackBundle } from './helpers/bundle.js';
import { Redactor } from '../redaction/redactor.js';
import type { RedactionReport } from '../redaction/report.js';
import { defineRule } from '../redaction/rules.js';

const CLI = join(import.meta.dirname, '..', 'bin', 'collect-bundle.js');
let dir: string;
let env: NodeJS.ProcessEnv;
const cli = (args: string[], input?: string) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env, input: input ?? '', cwd: dir });

beforeAll(async () => {
  if (!existsSync(join(import.meta.dirname, '..', 'dist', 'src', 'cli', 'main.js'))) throw new Error('run `npm run build` first (npm test does)');
  dir = await mkdtemp(join(tmpdir(), 'cb-cmd-'));
  env = { ...process.env, XDG_CONFIG_HOME: join(dir, 'config') };
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('collect-bundle redact', () => {
  it('prints the file redacted, says where with --explain, and never touches the input', async () => {
    const input = 'start\nDB_PASSWORD=hunter2-xyz\ncurl -H "Authorization: Bearer abc.def.ghi123"\nend\n';
    const file = join(dir, 'app.log');
    await writeFile(file, input);
    const r = cli(['redact', '--explain', file]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^start\nDB_PASSWORD=\[REDACTED:secret-key-value:[0-9a-f]{8}\]\ncurl -H "Authorization: Bearer \[REDACTED:authorization-header:[0-9a-f]{8}\]"\nend\n$/,
    );
    expect(r.stderr).toContain(`${file}:2:13: secret-key-value`);
    expect(r.stderr).toContain(`${file}:3:32: authorization-header`);
    expect(r.stderr).not.toContain('hunter2');
    expect(await readFile(file, 'utf8')).toBe(input);
  });

  it('reads stdin, and writes -o FILE with mode 0600', async () => {
    const out = join(dir, 'out.txt');
    const r = cli(['redact', '-o', out], 'token: s3cr3t-value-1\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(await readFile(out, 'utf8')).toMatch(/^token: \[REDACTED:secret-key-value:[0-9a-f]{8}\]\n$/);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
  });

  it('gives the same secret the same tag on every run (per-installation key)', () => {
    const a = cli(['redact'], 'password=Same-Value-42\n').stdout;
    const b = cli(['redact'], 'password=Same-Value-42\n').stdout;
    expect(a).toBe(b);
    expect(cli(['redact', '--no-stable-tokens'], 'password=Same-Value-42\n').stdout).not.toBe(a);
  });

  it('refuses to overwrite an input, a missing file and a binary file, with exit 2', async () => {
    const file = join(dir, 'in.log');
    await writeFile(file, 'x\n');
    expect(cli(['redact', file, '-o', file]).stderr).toMatch(/also an input/);
    expect(cli(['redact', join(dir, 'missing.log')])).toMatchObject({ status: 2, stderr: expect.stringMatching(/no such file/) });
    await writeFile(join(dir, 'core'), Buffer.from([1, 2, 0, 3]));
    const r = cli(['redact', join(dir, 'core')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/binary content/);
  });

  it('accepts extra patterns, key names, literal files and an allowlist', async () => {
    const lits = join(dir, 'literals.txt');
    await writeFile(lits, '# known secrets\nPlain-Known-99\n');
    const r = cli(
      ['redact', '--redact-pattern', 'acme_([a-z0-9]{8})', '--redact-key', 'ACME_CODE', '--redact-literals-file', lits, '--allow', 'changeme'],
      'acme_abcd1234 ACME_CODE=zzz999 said Plain-Known-99 password=changeme\n',
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^acme_\[REDACTED:custom-1:[0-9a-f]{8}\] ACME_CODE=\[REDACTED:secret-key-value:[0-9a-f]{8}\] said \[REDACTED:known-secret:[0-9a-f]{8}\] password=changeme\n$/,
    );
    expect(cli(['redact', '--redact-pattern', '(('], 'x').status).toBe(2);
  });
});

describe('collect-bundle verify', () => {
  let bundle: string;
  beforeAll(async () => {
    const c = defineCollector({
      name: 'app',
      description: 'a log with secrets',
      defaultEnabled: true,
      defaults: {},
      async *collect() {
        yield text('app.log', 'DB_PASSWORD=hunter2-xyz\nplain\n');
      },
    });
    const out = join(dir, 'bundles');
    bundle = (await collectBundle({ outputDir: out, collectors: [c], redaction: { ephemeralKey: true } })).bundle;
  });

  it('passes a bundle collect-bundle wrote', () => {
    const r = cli(['verify', bundle]);
    expect(r.stdout).toMatch(/^ok: \d+ entries verified/);
    expect(r.status).toBe(0);
  });

  it('fails a bundle into which a private key was added afterwards, naming file and line', async () => {
    const bad = await repackBundle(bundle, join(dir, 'x'), join(dir, 'bad.tar.gz'), (root) =>
      writeFile(
        join(root, 'app', 'id_rsa'),
        'note\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----\n',
      ),
    );
    const r = cli(['verify', bad, '--json']);
    expect(r.status).toBe(1);
    const result = JSON.parse(r.stdout);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual(
      expect.arrayContaining([
        { file: 'app/id_rsa', line: 3, kind: 'secret', message: 'unredacted secret matched by rule private-key' },
        { file: 'app/id_rsa', kind: 'extra', message: 'in the archive but not listed in manifest.json' },
      ]),
    );
  });

  it('fails a bundle whose file changed after it was written, and a sidecar that does not match', async () => {
    const bad = await repackBundle(bundle, join(dir, 'y'), join(dir, 'changed.tar.gz'), (root) => writeFile(join(root, 'app', 'app.log'), 'changed\n'));
    await writeFile(`${bad}.sha256`, `${'0'.repeat(64)}  changed.tar.gz\n`);
    const r = cli(['verify', bad]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/app\/app\.log: checksum: sha256\/size differ from manifest\.json/);
    expect(r.stdout).toMatch(/changed\.tar\.gz\.sha256: sidecar:/);
  });

  it('says plainly that a file is not a bundle', async () => {
    const junk = join(dir, 'junk.tar.gz');
    await writeFile(junk, 'not gzip');
    const r = cli(['verify', junk]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/structure: not a readable \.tar\.gz/);
    expect(cli(['verify', join(dir, 'nope.tar.gz')]).status).toBe(2);
  });
});

describe('fail closed', () => {
  it('keeps no bundle when the finished archive does not pass its own scan', async () => {
    const out = join(dir, 'closed');
    const setup = await setUpRedaction({ ephemeralKey: true }, process.env);
    const writer = await BundleWriter.create({ outputDir: out, name: 'collect-bundle-h-20260101T000000Z-abcdef', redactor: setup.redactor });
    await writer.write('c', text('a.txt', 'harmless canary-word here\n'), new AbortController().signal);
    // A stricter scanner than the writer's redactor stands in for a rule the writer missed.
    const strict = (report: RedactionReport, onRedaction: (e: import('../redaction/redactor.js').RedactionEvent) => void) =>
      new Redactor({
        key: Buffer.alloc(32),
        report,
        onRedaction,
        extraRules: [defineRule({ id: 'canary', description: 'test-only canary rule', pattern: /canary-word/g })],
      });
    await expect(writer.finish(undefined, { scanner: strict })).rejects.toBeInstanceOf(VerificationError);
    await expect(readdir(out)).resolves.toEqual([]);
  });
});
