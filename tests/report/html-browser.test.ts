/**
 * report.html in a real headless Chromium (Debian's, driven by playwright-core; no browser download),
 * against a real bundle (html-bundle.ts: an OOM-killed container, a crashed one whose log and job label
 * hold markup, an unapplied migration, a stuck job) opened from file:// after `tar xzf`. The checks
 * shared with Firefox (html-checks.ts; html-firefox.test.ts): the findings are listed, the timeline has a
 * mark for each of those events, the table sorts and filters, the log search highlights, the console
 * stays clean, no request leaves file:// (with its negative control), the page reads without JavaScript
 * and follows the dark setting, and 200 containers render in under 2 s. Here only: `verify`, `view` on a
 * bundle made before report.html and `diff --html`. Screenshots go to test-artifacts/ (gitignored). In CI
 * a missing Chromium fails.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repackBundle } from '../helpers/bundle.js';
import { systemDjango } from '../helpers/django.js';
import { docker, dockerUnavailable } from '../helpers/docker.js';
import { buildRealBundle, type RealBundle } from './html-bundle.js';
import {
  checkClean,
  checkFindings,
  checkHostile,
  checkKeyboard,
  checkNoScriptDarkAndScreenshots,
  checkRequestControl,
  checkTableAndLogs,
  checkTimeline,
  count,
  type Driver,
  bigReport,
  checkTallTimelineFocus,
  loadTimes,
  openTab,
  type Tab,
} from './html-checks.js';
import { CHROMIUM, chromiumDriver } from './html-drivers.js';

const BIN = fileURLToPath(new URL('../../bin/collect-bundle.js', import.meta.url));
const CI = Boolean(process.env['CI']);

describe.skipIf(Boolean(dockerUnavailable) || (!systemDjango && !CI) || (!existsSync(CHROMIUM) && !CI))(
  'report.html in Chromium (real engine, real Django fixture)',
  () => {
    let b: RealBundle;
    let driver: Driver;
    let main: Tab;

    beforeAll(async () => {
      // In CI a missing or broken Chromium fails here, never skips.
      const [d, built] = await Promise.allSettled([chromiumDriver(), buildRealBundle('cbhtml')]);
      // Whichever half came up is kept for afterAll to close, also when the other failed.
      if (d.status === 'fulfilled') driver = d.value;
      if (built.status === 'fulfilled') b = built.value;
      for (const r of [d, built]) if (r.status === 'rejected') throw r.reason;
      main = await openTab(driver, `file://${b.reportFile}`);
    }, 180_000);
    afterAll(async () => {
      await main?.close();
      await driver?.close();
      await b?.cleanup();
    });

    it('is in the bundle and checked by verify like every entry', async () => {
      const r = await execa(process.execPath, [BIN, 'verify', b.bundle], { reject: false });
      expect(r.stdout).toMatch(/^ok: /);
      const root = b.reportFile.split('/').at(-2);
      const manifest = JSON.parse(execFileSync('tar', ['xzOf', b.bundle, `${root}/manifest.json`], { encoding: 'utf8' }));
      expect(manifest.files.map((f: { path: string }) => f.path)).toContain('report.html');
    });

    it('opens from file:// after tar xzf and lists the OOM kill, the crash, the unapplied migration and the stuck job', async () => {
      expect(await main.evaluate(() => location.protocol, null)).toBe('file:');
      await checkFindings(main, b);
    });

    it('has a timeline mark for each of those events, with its details on focus', () => checkTimeline(main, b));

    it('renders markup from the bundle as text (a log line, a job label) and runs only its own script', () => checkHostile(main, b));

    it('sorts and filters the containers table and searches a log (the script ran under the policy)', () => checkTableAndLogs(main, b));

    it('logs nothing to the console and requests nothing but the file itself', () => checkClean(main));

    it('can be used with the keyboard: skip link first, sorting by Enter, a timeline lane opens its log', () => checkKeyboard(driver, b));

    it('reads without JavaScript, follows the dark setting, and is saved as a screenshot', () => checkNoScriptDarkAndScreenshots(driver, main, b, 'report'));

    it('negative control: a page that loads an image from 127.0.0.1 fails the request and console checks', () => checkRequestControl(driver, b));

    it('view: writes the report of a bundle made before report.html, with its files, to a private folder', async () => {
      const old = await repackBundle(b.bundle, join(b.tmp, 'repack'), join(b.tmp, 'old.tar.gz'), async (root) => {
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
      expect(await readFile(join(page, '..', 'docker', 'local', 'containers', b.crash, 'logs.txt'), 'utf8')).toContain('KeyError: ledger');
      const viewed = await openTab(driver, `file://${page}`);
      expect(await count(viewed, 'article.finding[data-finding="container-oom-killed"]', b.oom)).toBe(1);
      checkClean(viewed);
      await viewed.close();
      await rm(folder, { recursive: true, force: true });
      // --open hands the page to xdg-open (a stand-in that records its argument), or says there is none.
      const bin = join(b.tmp, 'bin');
      await mkdir(bin);
      await writeFile(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > ${join(b.tmp, 'opened')}\n`, { mode: 0o755 });
      const opened = await execa(process.execPath, [BIN, 'view', old, '--open'], { reject: false, env: { ...process.env, PATH: `${bin}:/usr/bin:/bin` } });
      expect(opened.exitCode).toBe(0);
      await expect.poll(() => readFile(join(b.tmp, 'opened'), 'utf8').catch(() => ''), { timeout: 10_000 }).toBe(opened.stdout.trim());
      await rm(join(opened.stdout.trim(), '..', '..'), { recursive: true, force: true });
      const none = await execa(process.execPath, [BIN, 'view', old, '--open'], { reject: false, env: { ...process.env, PATH: '/nonexistent' } });
      expect([none.exitCode, none.stderr]).toEqual([0, 'collect-bundle: xdg-open was not found; open the path above in a browser']);
      await rm(join(none.stdout.trim(), '..', '..'), { recursive: true, force: true });
      // Bad inputs: one line, the usual exit codes.
      const missing = await execa(process.execPath, [BIN, 'view', join(b.tmp, 'nope.tar.gz')], { reject: false });
      expect([missing.exitCode, missing.stderr]).toEqual([2, `collect-bundle: ${join(b.tmp, 'nope.tar.gz')}: no such file`]);
      await writeFile(join(b.tmp, 'junk.tar.gz'), 'not a bundle');
      const junk = await execa(process.execPath, [BIN, 'view', join(b.tmp, 'junk.tar.gz')], { reject: false });
      expect(junk.exitCode).toBe(1);
      expect(junk.stderr).toMatch(/^collect-bundle: .*junk\.tar\.gz: not a readable \.tar\.gz bundle/);
      expect(junk.stderr.split('\n')).toHaveLength(1);
    }, 120_000);

    it('diff --html: the same look for what changed', async () => {
      await docker('rm', '-f', b.crash);
      const later = await b.collect(join(b.tmp, 'out2'));
      const file = join(b.tmp, 'diff.html');
      const r = await execa(process.execPath, [BIN, 'diff', b.bundle, later.bundle, '--html', file], { reject: false });
      expect(r.exitCode).toBe(1); // differences, like diff(1)
      expect(r.stdout).toContain(`- local/${b.crash}: disappeared`);
      const viewed = await openTab(driver, `file://${file}`);
      expect(await count(viewed, '#containers tr.d-removed', `local/${b.crash}`)).toBe(1);
      checkClean(viewed);
      await viewed.close();
      const bad = await execa(process.execPath, [BIN, 'diff', b.bundle, later.bundle, '--html', join(b.tmp, 'no', 'such', 'dir', 'd.html')], { reject: false });
      expect(bad.exitCode).toBe(2);
      expect(bad.stderr).toMatch(/cannot write the HTML page/);
    }, 90_000);

    it('renders a bundle of 200 containers in under 2 s (median of 3 loads); tabbing its timeline keeps the focus on screen', async () => {
      const { file, kib } = await bigReport(b.tmp);
      const times = await loadTimes(driver, file, 3);
      const median = [...times].sort((x, y) => x - y)[1]!;
      console.log(`report.html of 200 containers (${kib.toFixed(0)} KiB): loads ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
      expect(median).toBeLessThan(2000);
      await checkTallTimelineFocus(driver, file);
    }, 60_000);
  },
);
