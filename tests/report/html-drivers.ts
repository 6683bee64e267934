/**
 * One thin driver per browser for the shared checks of report.html (html-checks.ts): Debian's Chromium
 * through playwright-core, Debian's Firefox ESR through puppeteer-core over WebDriver BiDi. Both use the
 * system browser (executablePath), never a download.
 */
import { existsSync } from 'node:fs';
import puppeteer, { type Browser as PBrowser, type Page as PPage } from 'puppeteer-core';
import { chromium } from 'playwright-core';
import type { Driver, Tab, TabOptions } from './html-checks.js';

export const CHROMIUM = '/usr/bin/chromium';
export const FIREFOX = '/usr/bin/firefox-esr';
const VIEWPORT = { width: 1280, height: 900 };

/** A missing browser is one clear line (in CI it fails the test, never skips it). */
function present(path: string, pkg: string): void {
  if (!existsSync(path)) throw new Error(`${path} is missing: apt-get install -y --no-install-recommends ${pkg} (scripts/test-env.sh up installs it)`);
}

export async function chromiumDriver(): Promise<Driver> {
  present(CHROMIUM, 'chromium');
  const browser = await chromium.launch({
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
  return {
    name: 'chromium',
    async newTab(options: TabOptions = {}): Promise<Tab> {
      const context = await browser.newContext({ viewport: VIEWPORT, ...options });
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
      return {
        problems,
        requests,
        goto: async (url) => void (await page.goto(url, { waitUntil: 'load' })),
        evaluate: (fn, arg) => page.evaluate(fn as never, arg),
        click: (s) => page.click(s),
        type: (text) => page.keyboard.type(text),
        press: (key) => page.keyboard.press(key),
        waitFor: (s) => page.locator(s).first().waitFor(),
        screenshot: async (path, fullPage) => void (await page.screenshot({ path, fullPage })),
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

/**
 * Firefox ESR over WebDriver BiDi. Neither JavaScript nor the colour scheme can be switched per page
 * there (`emulation.setScriptingEnabled` is unknown to Firefox ESR and puppeteer's
 * `emulateMediaFeatures` needs CDP), so a page that wants either gets a second Firefox started with
 * those preferences (`javascript.enabled`, `layout.css.prefers-color-scheme.content-override`); the
 * default one is pinned to light. Nothing else is needed as root in a container: puppeteer gives each
 * Firefox a fresh profile in the temp folder, so HOME does not have to exist. `also` starts the
 * variants a test will want at once, alongside the default one.
 */
export async function firefoxDriver(also: readonly TabOptions[] = []): Promise<Driver & { launchMs: number }> {
  present(FIREFOX, 'firefox-esr');
  const browsers = new Map<string, Promise<PBrowser>>();
  const launch = (options: TabOptions): Promise<PBrowser> => {
    const key = `${options.javaScriptEnabled !== false}/${options.colorScheme ?? 'light'}`;
    let b = browsers.get(key);
    if (!b) {
      b = puppeteer.launch({
        browser: 'firefox',
        executablePath: FIREFOX,
        headless: true,
        defaultViewport: VIEWPORT,
        extraPrefsFirefox: {
          'javascript.enabled': options.javaScriptEnabled !== false,
          'layout.css.prefers-color-scheme.content-override': options.colorScheme === 'dark' ? 0 : 1,
        },
      });
      browsers.set(key, b);
    }
    return b;
  };
  const started = performance.now();
  // The variants a test will want are started alongside, not when the first page asks.
  const up = await Promise.allSettled([launch({}), ...also.map(launch)]);
  const failed = up.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.all(up.map((r) => (r.status === 'fulfilled' ? r.value.close() : undefined)));
    throw failed.reason;
  }
  const launchMs = performance.now() - started;
  return {
    name: 'firefox',
    launchMs,
    async newTab(options: TabOptions = {}): Promise<Tab> {
      const context = await (await launch(options)).createBrowserContext();
      const page: PPage = await context.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warn') problems.push(`console ${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e instanceof Error ? e.message : String(e)}`));
      page.on('dialog', (d) => {
        problems.push(`dialog: ${d.message()}`);
        void d.dismiss();
      });
      // Firefox's own stylesheet (html.css) loads its list and <summary> marker font, -moz-bullet-font,
      // from a data: URL, reported as a request of the page. Not the page's: a data: font of the page
      // itself would be refused by its policy (default-src 'none'), and that refusal is a problem above.
      page.on('request', (r) => {
        if (!r.url().startsWith('data:font/')) requests.push(r.url());
      });
      return {
        problems,
        requests,
        goto: async (url) => void (await page.goto(url, { waitUntil: 'load' })),
        evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
        click: async (s) => {
          // puppeteer scrolls with scrollIntoView, which Firefox misplaces for an SVG <a> (the click then
          // finds no box): bring the element on screen by its own rectangle, then click its middle.
          const at = await page.evaluate((sel: string) => {
            const el = document.querySelector(sel) as Element;
            let r = el.getBoundingClientRect();
            if (r.top < 0 || r.bottom > innerHeight) scrollBy(0, r.top - innerHeight / 2);
            r = el.getBoundingClientRect();
            const x = r.left + r.width / 2;
            const y = r.top + r.height / 2;
            return el.contains(document.elementFromPoint(x, y)) ? { x, y } : null;
          }, s);
          if (!at) throw new Error(`${s} is covered or off screen`);
          await page.mouse.click(at.x, at.y);
        },
        type: (text) => page.keyboard.type(text),
        press: (key) => page.keyboard.press(key as never),
        waitFor: async (s) => void (await page.waitForSelector(s)),
        screenshot: async (path, fullPage) => void (await page.screenshot({ path: path as `${string}.png`, fullPage })),
        close: () => context.close(),
      };
    },
    async close() {
      const all = await Promise.allSettled(browsers.values());
      await Promise.all(all.map((r) => (r.status === 'fulfilled' ? r.value.close() : undefined)));
    },
  };
}
