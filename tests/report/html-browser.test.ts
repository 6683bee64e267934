/**
 * report.html in a real headless Chromium (Debian's, driven by playwright-core; no browser download),
 * against a real bundle: the real engine with an OOM-killed container and a crashed one (whose log and
 * job label hold markup), the Django fixture with an unapplied migration and a job stuck in pending.
 * The page is opened from file:// after `tar xzf`, like a support engineer would: the findings are
 * listed, the timeline has a mark for each of those events, the console stays clean, no request leaves
 * file://, the enhancements run under the policy (so the hashes survived the redactor), and a bundle of
 * 200 containers renders in under 2 s. Also `view` on a bundle made before report.html and
 * `diff --html`. Screenshots go to test-artifacts/ (gitignored). In CI a missing Chromium fails.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReport } from '../../src/report/html/report.js';
import { collectBundle } from '../../src/run/collect.js';
import { repackBundle } from '../helpers/bundle.js';
import { copyFixture, runEnv, SYSTEM_PYTHON, setupDatabase, systemDjango } from '../helpers/django.js';
import { DOCKER_HOST, docker, dockerUnavailable, removeContainers, TEST_IMAGE, uniq, waitFor } from '../helpers/docker.js';
import { syntheticView } from './html-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/collect-bundle.js', import.meta.url));
const CI = Boolean(process.env['CI']);
const HOSTILE = '<script>window.__pwned=1</script>';

/** Opens a page and records what would be a failure: console errors, page errors, any request not to file://. */
async function open(browser: Browser, url: string, options: { javaScriptEnabled?: boolean; colorScheme?: 'light' | 'dark' } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems, requests, close: () => context.close() };
}

const offFile = (requests: readonly string[]): string[] => requests.filter((u) => !u.startsWith('file://'));

describe.skipIf(Boolean(dockerUnavailable) || (!systemDjango && !CI) || (!existsSync(CHROMIUM) && !CI))(
  'report.html in Chromium (real engine, real Django fixture)',
  () => {
    const prefix = uniq('cbhtml');
    const oom = `${prefix}-oom`;
    const crash = `${prefix}-crash`;
    let tmp: string;
    let project: string;
    let bundle: string;
    let reportFile: string;
    let browser: Browser;
    let main: Awaited<ReturnType<typeof open>>;
    const collect = (out: string, only: string[]) =>
      collectBundle({
        outputDir: out,
        only,
        env: runEnv({ DOCKER_HOST }),
        collectorOptions: { django: { djangoDir: project, python: SYSTEM_PYTHON } },
      });

    beforeAll(async () => {
      // In CI a missing or broken Chromium fails here, never skips.
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      tmp = await mkdtemp(join(tmpdir(), 'cb-html-'));
      project = await copyFixture(join(tmp, 'project'));
      await setupDatabase(project);
      await Promise.all([
        docker(
          'run',
          '-d',
          '--network',
          'none',
          '--name',
          oom,
          '--memory',
          '16m',
          '--memory-swap',
          '16m',
          TEST_IMAGE,
          'sh',
          '-c',
          'echo loading; sleep 1; tail /dev/zero',
        ),
        docker(
          'run',
          '-d',
          '--network',
          'none',
          '--name',
          crash,
          '--label',
          `django.container_manager.job_name=${HOSTILE}`,
          '--label',
          'django.container_manager.job_id=4242',
          TEST_IMAGE,
          'sh',
          '-c',
          `echo 'starting ${HOSTILE}'; echo 'Traceback (most recent call last):' >&2; echo '  File "/app/run.py", line 9, in <module>' >&2; echo 'KeyError: ledger' >&2; exit 3`,
        ),
      ]);
      await Promise.all([waitFor(oom, (s) => s.Status === 'exited'), waitFor(crash, (s) => s.Status === 'exited')]);
      const result = await collect(join(tmp, 'out'), ['docker', 'django', 'system']);
      bundle = result.bundle;
      await mkdir(join(tmp, 'x'));
      execFileSync('tar', ['xzf', bundle, '-C', join(tmp, 'x')]);
      const [root] = await readdir(join(tmp, 'x'));
      reportFile = join(tmp, 'x', root!, 'report.html');
      main = await open(browser, `file://${reportFile}`);
    }, 180_000);
    afterAll(async () => {
      await main?.close();
      await browser?.close();
      await removeContainers(prefix);
      if (tmp) await rm(tmp, { recursive: true, force: true });
    });

    it('is in the bundle and checked by verify like every entry', async () => {
      const r = await execa(process.execPath, [BIN, 'verify', bundle], { reject: false });
      expect(r.stdout).toMatch(/^ok: /);
      const manifest = JSON.parse(execFileSync('tar', ['xzOf', bundle, `${reportFile.split('/').at(-2)}/manifest.json`], { encoding: 'utf8' }));
      expect(manifest.files.map((f: { path: string }) => f.path)).toContain('report.html');
    });

    it('lists the OOM kill, the crash, the unapplied migration and the stuck job among the findings', async () => {
      const { page } = main;
      const finding = (id: string, text: string) => page.locator(`article.finding[data-finding="${id}"]`, { hasText: text });
      await expect.poll(() => finding('container-oom-killed', oom).count()).toBe(1);
      expect(await finding('container-exit-nonzero', crash).count()).toBe(1);
      expect(await finding('migrations-unapplied', '0002_executorhost_weight').count()).toBe(1);
      expect(await finding('jobs-stuck-pending', 'job-1-pending').count()).toBe(1);
    });

    it('has a timeline mark for each of those events, with its details on hover', async () => {
      const { page } = main;
      const mark = (kind: string, lane: string) => page.locator(`#container-timeline g.m[data-kind="${kind}"][data-lane="local/${lane}"]`);
      expect(await mark('oom', oom).count()).toBeGreaterThanOrEqual(1);
      expect(await mark('start', crash).count()).toBeGreaterThanOrEqual(1);
      expect(await mark('exit', crash).locator('title').textContent()).toContain('exited with code 3');
      expect(await mark('exit', oom).locator('title').textContent()).toContain('exited with code 137');
      const stuck = page.locator('#job-timeline g.m[data-kind="stuck"][data-lane="job-1-pending"]');
      expect(await stuck.count()).toBe(1);
      expect(await stuck.locator('title').textContent()).toMatch(/pending \(stuck/);
      expect(await page.locator('#migrations tr[data-unapplied]', { hasText: '0002_executorhost_weight' }).count()).toBe(1);
      // Keyboard: a mark takes focus and the tooltip shows its details.
      await mark('oom', oom).first().focus();
      await expect.poll(() => page.locator('#tip').isVisible()).toBe(true);
      expect(await page.locator('#tip').textContent()).toContain('OOM-killed');
    });

    it('logs nothing to the console and requests nothing but the file itself', () => {
      expect(main.problems).toEqual([]);
      expect(offFile(main.requests)).toEqual([]);
    });

    it('renders markup from the bundle as text (a log line, a job label) and runs only its own script', async () => {
      const { page } = main;
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.locator(`tr[data-container="local/${crash}"] td`).nth(2).textContent()).toBe(`job ${HOSTILE} (id 4242)`);
      expect(await page.locator(`details.logview[data-lane="local/${crash}"] pre`).textContent()).toContain(`starting ${HOSTILE}`);
    });

    it('sorts and filters the containers table and searches a log (the script ran under the policy)', async () => {
      const { page } = main;
      expect(await page.evaluate(() => document.documentElement.classList.contains('js'))).toBe(true);
      await page.getByLabel('Filter containers').fill(crash);
      const visible = page.locator('#containers-table tbody tr:visible');
      expect(await visible.count()).toBe(1);
      await page.getByLabel('Filter containers').fill('');
      await page.locator('#containers-table th button', { hasText: 'Exit code' }).click();
      await page.locator('#containers-table th button', { hasText: 'Exit code' }).click(); // descending
      expect(await page.locator('#containers-table tbody tr').first().locator('td').nth(5).textContent()).toBe('137');
      const log = page.locator(`details.logview[data-lane="local/${crash}"]`);
      await log
        .locator('summary')
        .click({ force: true })
        .catch(() => undefined);
      await log
        .locator('details[open], summary')
        .first()
        .evaluate((el) => ((el.parentElement as HTMLDetailsElement).open = true));
      await log.getByLabel('Search').fill('keyerror');
      expect(await log.locator('pre mark').textContent()).toBe('KeyError');
      expect(await log.locator('pre .l.tb.err').textContent()).toMatch(/ stderr KeyError: ledger$/);
    });

    it('can be used with the keyboard: skip link first, sorting by Enter, log search by typing', async () => {
      const k = await open(browser, `file://${reportFile}`);
      await k.page.keyboard.press('Tab');
      expect(await k.page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
      await k.page.keyboard.press('Enter');
      expect(await k.page.evaluate(() => location.hash)).toBe('#main');
      const sort = k.page.locator('#containers-table th button', { hasText: 'Restarts' });
      await sort.focus();
      await k.page.keyboard.press('Enter');
      expect(await k.page.locator('#containers-table th[aria-sort="ascending"]').textContent()).toBe('Restarts');
      // A lane of the timeline links to the container's log viewer and opens it.
      const viewer = k.page.locator(`details.logview[data-lane="local/${oom}"]`);
      await viewer.evaluate((d) => {
        (d as HTMLDetailsElement).open = false;
      });
      await k.page.locator('#container-timeline a', { hasText: oom }).click();
      expect(await viewer.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
      expect(k.problems).toEqual([]);
      await k.close();
    });

    it('reads without JavaScript, follows the dark setting, and is saved as a screenshot', async () => {
      const plain = await open(browser, `file://${reportFile}`, { javaScriptEnabled: false });
      expect(await plain.page.locator('article.finding[data-finding="container-oom-killed"]', { hasText: oom }).count()).toBe(1);
      expect(await plain.page.locator(`#containers-table tr[data-container="local/${oom}"]`).isVisible()).toBe(true);
      await plain.close();
      const dark = await open(browser, `file://${reportFile}`, { colorScheme: 'dark' });
      const bg = (p: Page) => p.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(await bg(dark.page)).not.toBe(await bg(main.page));
      await mkdir(ARTIFACTS, { recursive: true });
      await main.page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
      await dark.page.screenshot({ path: join(ARTIFACTS, 'report-dark.png') });
      await dark.close();
      expect((await stat(join(ARTIFACTS, 'report.png'))).size).toBeGreaterThan(10_000);
    });

    it('view: writes the report of a bundle made before report.html, with its files, to a private folder', async () => {
      const old = await repackBundle(bundle, join(tmp, 'repack'), join(tmp, 'old.tar.gz'), async (root) => {
        await rm(join(root, 'report.html'));
        const manifest = JSON.parse(await readFile(join(root, 'manifest.json'), 'utf8'));
        manifest.files = manifest.files.filter((f: { path: string }) => f.path !== 'report.html');
        await writeFile(join(root, 'manifest.json'), JSON.stringify(manifest, null, 2));
      });
      const r = await execa(process.execPath, [BIN, 'view', old], { reject: false, env: { ...process.env, PATH: '/nonexistent' } });
      expect(r.exitCode).toBe(0);
      const page = r.stdout.trim();
      expect(page).toMatch(/collect-bundle-view-[^/]+\/collect-bundle-[^/]+\/report\.html$/);
      const folder = join(page, '..', '..');
      expect((await stat(folder)).mode & 0o777).toBe(0o700);
      expect((await stat(page)).mode & 0o777).toBe(0o600);
      // The log link of the crashed container resolves next to the page.
      expect(await readFile(join(page, '..', 'docker', 'local', 'containers', crash, 'logs.txt'), 'utf8')).toContain('KeyError: ledger');
      const viewed = await open(browser, `file://${page}`);
      expect(await viewed.page.locator('article.finding[data-finding="container-oom-killed"]', { hasText: oom }).count()).toBe(1);
      expect(viewed.problems).toEqual([]);
      expect(offFile(viewed.requests)).toEqual([]);
      await viewed.close();
      await rm(folder, { recursive: true, force: true });
      // --open hands the page to xdg-open (a stand-in that records its argument), or says there is none.
      const bin = join(tmp, 'bin');
      await mkdir(bin);
      await writeFile(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > ${join(tmp, 'opened')}\n`, { mode: 0o755 });
      const opened = await execa(process.execPath, [BIN, 'view', old, '--open'], { reject: false, env: { ...process.env, PATH: `${bin}:/usr/bin:/bin` } });
      expect(opened.exitCode).toBe(0);
      await expect.poll(() => readFile(join(tmp, 'opened'), 'utf8').catch(() => ''), { timeout: 10_000 }).toBe(opened.stdout.trim());
      await rm(join(opened.stdout.trim(), '..', '..'), { recursive: true, force: true });
      const none = await execa(process.execPath, [BIN, 'view', old, '--open'], { reject: false, env: { ...process.env, PATH: '/nonexistent' } });
      expect([none.exitCode, none.stderr]).toEqual([0, 'collect-bundle: xdg-open was not found; open the path above in a browser']);
      await rm(join(none.stdout.trim(), '..', '..'), { recursive: true, force: true });
      // Bad inputs: one line, the usual exit codes.
      const missing = await execa(process.execPath, [BIN, 'view', join(tmp, 'nope.tar.gz')], { reject: false });
      expect([missing.exitCode, missing.stderr]).toEqual([2, `collect-bundle: ${join(tmp, 'nope.tar.gz')}: no such file`]);
      await writeFile(join(tmp, 'junk.tar.gz'), 'not a bundle');
      const junk = await execa(process.execPath, [BIN, 'view', join(tmp, 'junk.tar.gz')], { reject: false });
      expect(junk.exitCode).toBe(1);
      expect(junk.stderr).toMatch(/^collect-bundle: .*junk\.tar\.gz: not a readable \.tar\.gz bundle/);
      expect(junk.stderr.split('\n')).toHaveLength(1);
    }, 120_000);

    it('diff --html: the same look for what changed', async () => {
      await docker('rm', '-f', crash);
      const later = await collect(join(tmp, 'out2'), ['docker', 'django', 'system']);
      const file = join(tmp, 'diff.html');
      const r = await execa(process.execPath, [BIN, 'diff', bundle, later.bundle, '--html', file], { reject: false });
      expect(r.exitCode).toBe(1); // differences, like diff(1)
      expect(r.stdout).toContain(`- local/${crash}: disappeared`);
      const viewed = await open(browser, `file://${file}`);
      const row = viewed.page.locator('#containers tr.d-removed', { hasText: `local/${crash}` });
      expect(await row.count()).toBe(1);
      expect(viewed.problems).toEqual([]);
      expect(offFile(viewed.requests)).toEqual([]);
      await viewed.close();
      const bad = await execa(process.execPath, [BIN, 'diff', bundle, later.bundle, '--html', join(tmp, 'no', 'such', 'dir', 'd.html')], { reject: false });
      expect(bad.exitCode).toBe(2);
      expect(bad.stderr).toMatch(/cannot write the HTML page/);
    }, 90_000);

    it('renders a bundle of 200 containers in under 2 s (median of 3 loads)', async () => {
      const html = await renderReport(syntheticView({ count: 200, logLines: 200 }), { findings: [] });
      const file = join(tmp, 'big.html');
      await writeFile(file, html);
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error') errors.push(m.text());
        });
        page.on('pageerror', (e) => errors.push(e.message));
        // From navigation to a page parsed, laid out and enhanced: the script has made the sort buttons.
        const started = performance.now();
        await page.goto(`file://${file}`, { waitUntil: 'load' });
        await page.locator('#containers-table th button').first().waitFor();
        times.push(performance.now() - started);
        expect(await page.locator('#containers-table tbody tr').count()).toBe(200);
        expect(await page.locator('#container-timeline g.m').count()).toBeGreaterThanOrEqual(200);
        expect(errors).toEqual([]);
        await context.close();
      }
      const median = [...times].sort((a, b) => a - b)[1]!;
      console.log(`report.html of 200 containers (${(html.length / 1024).toFixed(0)} KiB): loads ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
      expect(median).toBeLessThan(2000);
    }, 60_000);
  },
);
