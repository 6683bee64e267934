/**
 * Findings end to end with the real CLI, a real engine and the real Django fixture: findings.json in
 * the bundle, `analyze BUNDLE` re-running the analyzers, --fail-on, --env-file, --issue-only, and an
 * ISSUE.md with real versions and no secret.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileJson, fileText, readBundle, type TarEntry } from '../helpers/bundle.js';
import { DOCKER_HOST, TEST_IMAGE, docker, removeContainers, uniq, waitFor } from '../helpers/docker.js';
import { FIXTURE_SECRETS, SYSTEM_PYTHON, copyFixture, leakedSecrets, setupDatabase, systemDjango } from '../helpers/django.js';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';
import { assertBuilt, cleanup, describeRun, listDir, runCli, sha256File, tempDir } from './harness.js';

const PREFIX = uniq('cb-analyze');
const ENV_SECRETS = ['correct horse battery staple', 'unterminated-secret-9f3k2'];
let work: string;
let project: string;
let out: string;
let bundle: string;
let entries: Map<string, TarEntry>;
let collectRun: Awaited<ReturnType<typeof runCli>>;

beforeAll(async () => {
  assertBuilt();
  work = await mkdtemp(join(tmpdir(), 'cb-analyze-'));
  project = await copyFixture(join(work, 'project'));
  await setupDatabase(project);
  // A container that failed the way a Django job fails: a traceback on stderr, exit code 2.
  await docker(
    'run',
    '-d',
    '--network',
    'none',
    '--name',
    `${PREFIX}-exit2`,
    TEST_IMAGE,
    'sh',
    '-c',
    'echo starting; echo "Traceback (most recent call last):" >&2; echo "ValueError: bad job input" >&2; exit 2',
  );
  await waitFor(`${PREFIX}-exit2`, (s) => s.Status === 'exited');
  // Secrets in the two shapes the line rules alone cut short: unquoted with spaces, unterminated quote.
  await writeFile(join(work, 'app.env'), `GOOD=1\nBAD = spaced\nDB_PASSWORD=${ENV_SECRETS[0]}\nSECRET_KEY="${ENV_SECRETS[1]}\n`);
  out = await tempDir('cb-analyze-out-');
  collectRun = await runCli(
    [
      '--only',
      'docker,django,system',
      '--containers',
      `${PREFIX}-*`,
      '--django-dir',
      project,
      '--python',
      SYSTEM_PYTHON,
      '--env-file',
      join(work, 'app.env'),
      '--issue-only',
      '--title',
      'Jobs fail at once',
      '-o',
      out,
    ],
    {
      env: { DOCKER_HOST },
      killAfterMs: 170_000,
    },
  );
  const files = await listDir(out);
  const tar = files.find((f) => f.endsWith('.tar.gz'));
  if (!tar) throw new Error(`no bundle: ${describeRun(collectRun)}`);
  bundle = join(out, tar);
  entries = await readBundle(bundle);
}, 180_000);

afterAll(async () => {
  await removeContainers(PREFIX);
  await rm(work, { recursive: true, force: true });
  await cleanup();
});

describe('findings in a real bundle', () => {
  it('stores findings.json, counted in the manifest and the summary', () => {
    expect([0, 3], describeRun(collectRun)).toContain(collectRun.code);
    const doc = fileJson(entries, 'findings.json');
    const manifest = fileJson(entries, 'manifest.json');
    const count = (s: string) => doc.findings.filter((f: { severity: string }) => f.severity === s).length;
    expect(doc.counts).toEqual({ error: count('error'), warning: count('warning'), info: count('info') });
    expect(manifest.findings).toEqual(doc.counts);
    expect(manifest.files.map((f: { path: string }) => f.path)).toContain('findings.json');
    expect(collectRun.stderr).toContain(`findings   ${doc.counts.error} error, ${doc.counts.warning} warning, ${doc.counts.info} info`);
    for (const f of doc.findings) {
      expect(f.docs).toBe(`TROUBLESHOOTING.md#${f.id}`);
      expect(['error', 'warning', 'info']).toContain(f.severity);
      for (const e of f.evidence)
        if (!e.file.startsWith('/') && e.file !== 'manifest.json')
          expect(
            [...entries.keys()].some((n) => n.endsWith(`/${e.file}`)),
            e.file,
          ).toBe(true);
    }
  });

  it('stores the --env-file redacted under env-files/ and lists it in the manifest', () => {
    expect(fileText(entries, 'env-files/app.env')).toContain('BAD = spaced');
    const manifest = fileJson(entries, 'manifest.json');
    expect(manifest.collectors.find((c: { name: string }) => c.name === 'env-files')).toMatchObject({
      status: 'ok',
      artifacts: [{ path: 'env-files/app.env' }],
    });
  });

  it("the env file's secrets are nowhere in the bundle, though its bad lines are reported", async () => {
    expect(leakedSecrets(entries, ENV_SECRETS)).toEqual([]);
    const stored = fileText(entries, 'env-files/app.env').split('\n');
    expect(stored[2]).toMatch(/^DB_PASSWORD=\[REDACTED:/);
    expect(stored[3]).toMatch(/^SECRET_KEY="\[REDACTED:/);
    const env = fileJson(entries, 'findings.json').findings.filter((f: { id: string }) => f.id === 'env-file-invalid');
    const lines = env.flatMap((f: { evidence: { line?: number }[] }) => f.evidence.map((e) => e.line));
    // Line 2 (spaces around =) and line 4 (unterminated quote). Line 3's value is a secret: it is linted
    // after redaction, when the whole phrase is one token, so its "unquoted spaces" warning cannot show.
    expect(lines).toEqual(expect.arrayContaining([2, 4]));
    const beside = await readFile(bundle.replace(/\.tar\.gz$/, '.ISSUE.md'), 'utf8');
    for (const s of ENV_SECRETS) expect(beside).not.toContain(s);
    const r = await runCli(['analyze', bundle, '--env-file', join(work, 'app.env')]);
    for (const s of ENV_SECRETS) expect(r.stdout).not.toContain(s);
  });

  it('ISSUE.md has every section, the real versions, the title, and no secret', () => {
    const issue = fileText(entries, 'ISSUE.md');
    expect([...issue.matchAll(/^## (.+)$/gm)].map((m) => m[1])).toEqual([
      'Problem Description',
      'Environment',
      'Steps to Reproduce',
      'Expected Behavior',
      'Actual Behavior',
      'Error Messages',
      'Configuration',
      'Logs',
      'Findings',
      'About this bundle',
    ]);
    expect(issue.startsWith('# Jobs fail at once\n')).toBe(true);
    const engine = execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { env: { ...process.env, DOCKER_HOST }, encoding: 'utf8' }).trim();
    expect(issue).toContain(`| Docker engine \`local\` | ${engine} (API`);
    const python = execFileSync(SYSTEM_PYTHON, ['-c', 'import platform; print(platform.python_version())'], { encoding: 'utf8' }).trim();
    expect(issue).toContain(`| Python (Django's interpreter) | ${python} (${SYSTEM_PYTHON}) |`);
    expect(issue).toContain(`| Django | ${systemDjango} (settings \`fixture_project.settings\`) |`);
    expect(issue).toMatch(/- Databases: default: sqlite @ file; replica: sqlite @ file/);
    expect(issue.length).toBeLessThanOrEqual(65_536);
    expect(leakedSecrets(entries, FIXTURE_SECRETS)).toEqual([]);
  });

  it('--issue-only writes <bundle>.ISSUE.md beside it, 0600, with the checksum of the bundle', async () => {
    const beside = bundle.replace(/\.tar\.gz$/, '.ISSUE.md');
    const text = await readFile(beside, 'utf8');
    expect((await stat(beside)).mode & 0o777).toBe(0o600);
    expect(text).toContain(`- sha256: \`${await sha256File(bundle)}\``);
    expect(text.replace(/^- sha256: .*$/m, '')).toBe(fileText(entries, 'ISSUE.md').replace(/^- sha256: .*$/m, ''));
    for (const s of FIXTURE_SECRETS) expect(text).not.toContain(s);
  });
});

describe('collect-bundle analyze', () => {
  it('re-runs the analyzers over the bundle and finds the same things (--json)', async () => {
    const r = await runCli(['analyze', bundle, '--env-file', join(work, 'app.env'), '--json']);
    expect(r.code, describeRun(r)).toBe(0);
    const again = JSON.parse(r.stdout);
    const stored = fileJson(entries, 'findings.json');
    const key = (f: { id: string; subject?: string; severity: string }) => `${f.severity} ${f.id} ${f.subject ?? ''}`;
    // The env file is at another path when analysed later, so compare everything else exactly.
    const notEnv = (f: { id: string }) => f.id !== 'env-file-invalid';
    expect(again.findings.filter(notEnv).map(key).sort()).toEqual(stored.findings.filter(notEnv).map(key).sort());
    expect(again.findings.filter((f: { id: string }) => !notEnv(f)).length).toBe(stored.findings.filter((f: { id: string }) => !notEnv(f)).length);
  });

  it('without --env-file, analyze lints the env files stored in the bundle and finds what collect found', async () => {
    const r = await runCli(['analyze', bundle, '--json']);
    expect(r.code, describeRun(r)).toBe(0);
    const again = JSON.parse(r.stdout).findings;
    const stored = fileJson(entries, 'findings.json').findings;
    const key = (f: { id: string; subject?: string; severity: string; title: string }) => `${f.severity} ${f.id} ${f.subject ?? ''} ${f.title}`;
    expect(again.map(key).sort()).toEqual(stored.map(key).sort());
    expect(stored.some((f: { id: string }) => f.id === 'env-file-invalid')).toBe(true);
  });

  it('prints findings as text with a count line; --fail-on exits 4 exactly when a finding matches', async () => {
    const doc = fileJson(entries, 'findings.json');
    const env = ['--env-file', join(work, 'app.env')];
    const text = await runCli(['analyze', bundle, ...env]);
    expect(text.code, describeRun(text)).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`: ${doc.counts.error} error, ${doc.counts.warning} warning, ${doc.counts.info} info\\n$`));
    // An env file's findings name its path, which is env-files/… inside the bundle and the given path now.
    for (const f of doc.findings) expect(text.stdout).toContain(f.id === 'env-file-invalid' ? 'env-file-invalid: ' : `${f.id}: ${f.title}`);
    const onError = await runCli(['analyze', bundle, ...env, '--fail-on', 'error']);
    expect(onError.code, describeRun(onError)).toBe(doc.counts.error > 0 ? 4 : 0);
    const onWarning = await runCli(['analyze', bundle, ...env, '--fail-on', 'warning']);
    expect(onWarning.code, describeRun(onWarning)).toBe(doc.counts.error + doc.counts.warning > 0 ? 4 : 0);
  });

  it('--docs-url makes every finding link absolute, in the text and the JSON; a bad address is a usage error', async () => {
    const base = 'https://git.example.org/ops/collect-bundle';
    const json = await runCli(['analyze', bundle, '--json', '--docs-url', base]);
    expect(json.code, describeRun(json)).toBe(0);
    const docs = JSON.parse(json.stdout).findings.map((f: { docs: string }) => f.docs);
    expect(docs.length).toBeGreaterThan(0);
    for (const d of docs) expect(d).toMatch(new RegExp(`^${base}/TROUBLESHOOTING\\.md#[a-z0-9-]+$`));
    const text = await runCli(['analyze', bundle, '--docs-url', `${base}/`]);
    expect(text.stdout).toMatch(new RegExp(`^ +docs: ${base}/TROUBLESHOOTING\\.md#`, 'm'));
    expect(text.stdout).not.toMatch(/docs: TROUBLESHOOTING\.md/);
    const bad = await runCli(['analyze', bundle, '--docs-url', 'ftp://x/y']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^collect-bundle: --docs-url: expected an http\(s\) address/m);
  });

  it('--fail-on warning makes collect exit 4 when a collector failed (unreachable engine)', async () => {
    const dir = await tempDir('cb-failon-');
    const r = await runCli(['--only', 'docker', '--docker-host', 'unix:///nonexistent/docker.sock', '--fail-on', 'warning', '-o', dir, '--json'], {
      killAfterMs: 60_000,
    });
    expect(r.code, describeRun(r)).toBe(4);
    const summary = JSON.parse(r.stdout);
    expect(summary.findings.items.map((f: { id: string }) => f.id)).toContain('collector-failed');
    expect((await listDir(dir)).filter((f) => f.endsWith('.tar.gz'))).toHaveLength(1);
    const plain = await runCli(['--only', 'docker', '--docker-host', 'unix:///nonexistent/docker.sock', '-o', dir, '-q'], { killAfterMs: 60_000 });
    expect(plain.code, describeRun(plain)).toBe(3);
  });

  it('a missing bundle is a usage error, a file that is not a bundle a one-line fatal error', async () => {
    const missing = await runCli(['analyze', join(work, 'nope.tar.gz')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.tar\.gz: no such file/);
    const fake = join(work, 'fake.tar.gz');
    execFileSync('tar', ['czf', fake, '-C', work, 'app.env']);
    const r = await runCli(['analyze', fake]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^collect-bundle: \S+fake\.tar\.gz: not a collect-bundle bundle \(no manifest\.json inside/);
  });

  // Through main() in-process: Node 20 itself exits 9 ("node: FILE: not found") when any argv word
  // `--env-file` names a missing file, before our code runs (see TROUBLESHOOTING.md).
  it('a missing --env-file stops collect and analyze before anything is written (exit 2)', async () => {
    const dir = await tempDir('cb-envfile-');
    const io = () => {
      let err = '';
      return {
        io: {
          stdout: new PassThrough(),
          stderr: Object.assign(new PassThrough(), {
            write: (c: string) => {
              err += c;
              return true;
            },
          }),
          env: {},
          signal: new AbortController().signal,
        },
        err: () => err,
      };
    };
    const a = io();
    expect(await main(['--only', 'system', '--env-file', join(work, 'absent.env'), '-o', dir], a.io as never)).toBe(2);
    expect(a.err()).toMatch(/--env-file .*absent\.env: no such file/);
    expect(await listDir(dir)).toEqual([]);
    const b = io();
    expect(await main(['analyze', bundle, '--env-file', join(work, 'absent.env')], b.io as never)).toBe(2);
    expect(b.err()).toMatch(/--env-file .*absent\.env: no such file/);
    const c = io();
    expect(await main(['analyze', bundle, '--env-file', work], c.io as never)).toBe(2);
    expect(c.err()).toMatch(/--env-file .* is a directory, not a regular file: pass the path of a \.env file/);
    const d = io();
    expect(await main(['--only', 'system', '--no-analyze', '--fail-on', 'error', '-o', dir], d.io as never)).toBe(2);
    expect(d.err()).toMatch(/--fail-on needs the analyzers/);
    expect(await listDir(dir)).toEqual([]);
  });
});
