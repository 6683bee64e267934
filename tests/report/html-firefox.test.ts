/**
 * report.html in Debian's Firefox ESR, driven by puppeteer-core over WebDriver BiDi (no browser
 * download), with the same checks as Chromium (html-checks.ts) against the same kind of real bundle
 * (html-bundle.ts), opened from file:// after `tar xzf`, with the negative control of the request and
 * console checks (a page that does load an image from 127.0.0.1 is caught), and the `diff --html` page.
 * In CI a missing Firefox fails.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCKER } from '../../src/bundle/layout.js';
import { diffBundles } from '../../src/report/diff.js';
import { renderDiffHtml } from '../../src/report/html/diff-page.js';
import { repackBundle } from '../helpers/bundle.js';
import { systemDjango } from '../helpers/django.js';
import { dockerUnavailable } from '../helpers/docker.js';
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
  NO_SCRIPT_DARK,
  openTab,
  type Tab,
} from './html-checks.js';
import { FIREFOX, firefoxDriver } from './html-drivers.js';

const CI = Boolean(process.env['CI']);

describe.skipIf(Boolean(dockerUnavailable) || (!systemDjango && !CI) || (!existsSync(FIREFOX) && !CI))(
  'report.html in Firefox ESR (WebDriver BiDi; real engine, real Django fixture)',
  () => {
    let b: RealBundle;
    let driver: Driver & { launchMs: number };
    let main: Tab;

    beforeAll(async () => {
      // In CI a missing or broken Firefox fails here, never skips.
      const [d, built] = await Promise.allSettled([firefoxDriver([NO_SCRIPT_DARK]), buildRealBundle('cbffx')]);
      // Whichever half came up is kept for afterAll to close, also when the other failed.
      if (d.status === 'fulfilled') driver = d.value;
      if (built.status === 'fulfilled') b = built.value;
      for (const r of [d, built]) if (r.status === 'rejected') throw r.reason;
      console.log(`firefox-esr start-up (two at once, beside the collection): ${driver.launchMs.toFixed(0)} ms`);
      main = await openTab(driver, `file://${b.reportFile}`);
    }, 180_000);
    afterAll(async () => {
      await main?.close();
      await driver?.close();
      await b?.cleanup();
    });

    it('opens from file:// after tar xzf and lists the OOM kill, the crash, the unapplied migration and the stuck job', async () => {
      expect(await main.evaluate(() => location.protocol, null)).toBe('file:');
      await checkFindings(main, b);
    });

    it('has a timeline mark for each of those events, with its details on focus', () => checkTimeline(main, b));

    it('renders markup from the bundle as text and runs only its own script', () => checkHostile(main, b));

    it('sorts and filters the containers table and searches a log', () => checkTableAndLogs(main, b));

    it('logs nothing to the console and requests nothing but the file itself', () => checkClean(main));

    it('can be used with the keyboard', () => checkKeyboard(driver, b));

    it('reads without JavaScript, follows the dark setting, and is saved as a screenshot', () =>
      checkNoScriptDarkAndScreenshots(driver, main, b, 'report-firefox'));

    it('negative control: a page that loads an image from 127.0.0.1 fails the request and console checks', () => checkRequestControl(driver, b));

    it('diff --html: the page of what changed renders too (the crashed container gone from a repacked copy)', async () => {
      const later = await repackBundle(b.bundle, join(b.tmp, 'repack'), join(b.tmp, 'later.tar.gz'), async (root) => {
        const rows = join(root, DOCKER.engine('local').containers);
        const kept = JSON.parse(await readFile(rows, 'utf8')).filter((r: { name: string }) => r.name !== b.crash);
        await writeFile(rows, JSON.stringify(kept, null, 2));
      });
      const file = join(b.tmp, 'diff.html');
      await writeFile(file, renderDiffHtml(await diffBundles(b.bundle, later)));
      const viewed = await openTab(driver, `file://${file}`);
      expect(await count(viewed, '#containers tr.d-removed', `local/${b.crash}`)).toBe(1);
      checkClean(viewed);
      await viewed.close();
    });

    it('renders a bundle of 200 containers in under 2 s (median of 3 loads); tabbing its timeline keeps the focus on screen', async () => {
      const { file, kib } = await bigReport(b.tmp);
      const times = await loadTimes(driver, file, 3);
      const median = [...times].sort((x, y) => x - y)[1]!;
      console.log(`report.html of 200 containers in Firefox (${kib.toFixed(0)} KiB): loads ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
      expect(median).toBeLessThan(2000);
      await checkTallTimelineFocus(driver, file);
    }, 60_000);
  },
);
