/**
 * The checks of report.html that every browser test runs (html-browser.test.ts: Chromium through
 * playwright-core; html-firefox.test.ts: Firefox ESR through puppeteer-core over WebDriver BiDi). They
 * speak only to `Tab` (html-drivers.ts has one thin driver per browser): the DOM through `evaluate`, and
 * input through the browser's own mouse and keyboard, so a check means the same thing in each browser.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { CSS, contentSecurityPolicy, JS } from '../../src/report/html/assets.js';
import { renderReport } from '../../src/report/html/report.js';
import { HOSTILE, type RealBundle } from './html-bundle.js';
import { syntheticView } from './html-fixture.js';

export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

export interface TabOptions {
  readonly javaScriptEnabled?: boolean;
  readonly colorScheme?: 'light' | 'dark';
}

/** One page in its own browser context, recording what would be a failure. */
export interface Tab {
  /** Console errors and warnings, uncaught page errors (Firefox reports policy violations here), dialogs. */
  readonly problems: string[];
  /** Every request URL the browser reported for this page. */
  readonly requests: string[];
  goto(url: string): Promise<void>;
  evaluate<R, A>(fn: (arg: A) => R, arg: A): Promise<R>;
  click(selector: string): Promise<void>;
  /** Types through the keyboard into the focused element. */
  type(text: string): Promise<void>;
  press(key: string): Promise<void>;
  waitFor(selector: string): Promise<void>;
  screenshot(path: string, fullPage: boolean): Promise<void>;
  close(): Promise<void>;
}

export interface Driver {
  readonly name: string;
  newTab(options?: TabOptions): Promise<Tab>;
  close(): Promise<void>;
}

export async function openTab(driver: Driver, url: string, options: TabOptions = {}): Promise<Tab> {
  const tab = await driver.newTab(options);
  await tab.goto(url);
  return tab;
}

export const offFile = (requests: readonly string[]): string[] => requests.filter((u) => !u.startsWith('file://'));

/** How many elements match `selector` and contain `text`. */
export const count = (tab: Tab, selector: string, text = ''): Promise<number> =>
  tab.evaluate(([s, t]) => Array.from(document.querySelectorAll(s)).filter((e) => (e.textContent ?? '').includes(t)).length, [selector, text]);

/** The text of the one element that matches. */
export const textOf = (tab: Tab, selector: string): Promise<string | null> => tab.evaluate((s) => document.querySelector(s)?.textContent ?? null, selector);

const visible = (tab: Tab, selector: string): Promise<number> =>
  tab.evaluate(
    (s) => Array.from(document.querySelectorAll(s)).filter((e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden').length,
    selector,
  );

let picks = 0;
/** A selector for the one element that matches `selector` and contains `text` (fails unless exactly one). */
async function pick(tab: Tab, selector: string, text: string): Promise<string> {
  const id = `p${++picks}`;
  const found = await tab.evaluate(
    ([s, t, i]) => {
      const hits = Array.from(document.querySelectorAll(s)).filter((e) => (e.textContent ?? '').includes(t));
      if (hits.length === 1) hits[0]!.setAttribute('data-pick', i);
      return hits.length;
    },
    [selector, text, id],
  );
  expect(found, `${selector} with text ${text}`).toBe(1);
  return `[data-pick="${id}"]`;
}

/** Moves focus to an element, an SVG mark too (`tabindex`), as Tab would. */
const focus = (tab: Tab, selector: string): Promise<void> => tab.evaluate((s) => (document.querySelector(s) as HTMLElement).focus(), selector);

/** Clears a text field and types into it through the keyboard. */
async function typeInto(tab: Tab, selector: string, text: string): Promise<void> {
  await focus(tab, selector);
  await tab.evaluate((s) => (document.querySelector(s) as HTMLInputElement).select(), selector);
  await tab.press('Backspace');
  if (text) await tab.type(text);
}

const finding = (id: string) => `article.finding[data-finding="${id}"]`;

export async function checkFindings(tab: Tab, b: RealBundle): Promise<void> {
  await expect.poll(() => count(tab, finding('container-oom-killed'), b.oom)).toBe(1);
  expect(await count(tab, finding('container-exit-nonzero'), b.crash)).toBe(1);
  expect(await count(tab, finding('migrations-unapplied'), '0002_executorhost_weight')).toBe(1);
  expect(await count(tab, finding('jobs-stuck-pending'), 'job-1-pending')).toBe(1);
}

export async function checkTimeline(tab: Tab, b: RealBundle): Promise<void> {
  const mark = (kind: string, lane: string) => `#container-timeline g.m[data-kind="${kind}"][data-lane="local/${lane}"]`;
  expect(await count(tab, mark('oom', b.oom))).toBeGreaterThanOrEqual(1);
  expect(await count(tab, mark('start', b.crash))).toBeGreaterThanOrEqual(1);
  expect(await textOf(tab, `${mark('exit', b.crash)} title`)).toContain('exited with code 3');
  expect(await textOf(tab, `${mark('exit', b.oom)} title`)).toContain('exited with code 137');
  const stuck = '#job-timeline g.m[data-kind="stuck"][data-lane="job-1-pending"]';
  expect(await count(tab, stuck)).toBe(1);
  expect(await textOf(tab, `${stuck} title`)).toMatch(/pending \(stuck/);
  expect(await count(tab, '#migrations tr[data-unapplied]', '0002_executorhost_weight')).toBe(1);
  // Keyboard: a mark takes focus and the tooltip shows its details.
  await focus(tab, mark('oom', b.oom));
  await expect.poll(() => visible(tab, '#tip')).toBe(1);
  expect(await textOf(tab, '#tip')).toContain('OOM-killed');
}

export function checkClean(tab: Tab): void {
  expect(tab.problems).toEqual([]);
  expect(offFile(tab.requests)).toEqual([]);
}

export async function checkHostile(tab: Tab, b: RealBundle): Promise<void> {
  expect(await tab.evaluate(() => (window as unknown as { __pwned?: number }).__pwned ?? null, null)).toBeNull();
  expect(await textOf(tab, `tr[data-container="local/${b.crash}"] td:nth-child(3)`)).toBe(`job ${HOSTILE} (id 4242)`);
  expect(await textOf(tab, `details.logview[data-lane="local/${b.crash}"] pre`)).toContain(`starting ${HOSTILE}`);
}

/** Filter and log search are typed, sorting is clicked: the script ran under the page's policy. */
export async function checkTableAndLogs(tab: Tab, b: RealBundle): Promise<void> {
  expect(await tab.evaluate(() => document.documentElement.classList.contains('js'), null)).toBe(true);
  const filter = 'input[data-filter="containers-table"]';
  await typeInto(tab, filter, b.crash);
  expect(await visible(tab, '#containers-table tbody tr')).toBe(1);
  expect(await visible(tab, `#containers-table tbody tr[data-container="local/${b.crash}"]`)).toBe(1);
  await typeInto(tab, filter, '');
  expect(await visible(tab, '#containers-table tbody tr')).toBe(await count(tab, '#containers-table tbody tr'));
  const exitCode = await pick(tab, '#containers-table th button', 'Exit code');
  await tab.click(exitCode);
  await tab.click(exitCode); // descending
  expect(await textOf(tab, '#containers-table th[aria-sort="descending"]')).toBe('Exit code');
  expect(await textOf(tab, '#containers-table tbody tr:first-child td:nth-child(6)')).toBe('137');
  const log = `details.logview[data-lane="local/${b.crash}"]`;
  // A troubled container's log is open from the start; its summary closes and opens it.
  const isOpen = () => tab.evaluate((s) => (document.querySelector(s) as HTMLDetailsElement).open, log);
  expect(await isOpen()).toBe(true);
  await tab.click(`${log} > summary`);
  expect(await isOpen()).toBe(false);
  await tab.click(`${log} > summary`);
  expect(await isOpen()).toBe(true);
  await typeInto(tab, `${log} input[type=search]`, 'keyerror');
  expect(await textOf(tab, `${log} pre mark`)).toBe('KeyError');
  expect(await textOf(tab, `${log} pre .l.tb.err`)).toMatch(/ stderr KeyError: ledger$/);
}

export async function checkKeyboard(driver: Driver, b: RealBundle): Promise<void> {
  const k = await openTab(driver, `file://${b.reportFile}`);
  await k.press('Tab');
  expect(await k.evaluate(() => document.activeElement?.textContent, null)).toBe('Skip to content');
  await k.press('Enter');
  expect(await k.evaluate(() => location.hash, null)).toBe('#main');
  await focus(k, await pick(k, '#containers-table th button', 'Restarts'));
  await k.press('Enter');
  expect(await textOf(k, '#containers-table th[aria-sort="ascending"]')).toBe('Restarts');
  await k.press('Enter');
  expect(await textOf(k, '#containers-table th[aria-sort="descending"]')).toBe('Restarts');
  // A lane of the timeline links to the container's log viewer and opens it.
  const viewer = `details.logview[data-lane="local/${b.oom}"]`;
  await k.evaluate((s) => {
    (document.querySelector(s) as HTMLDetailsElement).open = false;
  }, viewer);
  await k.click(await pick(k, '#container-timeline a', b.oom));
  await expect.poll(() => k.evaluate((s) => (document.querySelector(s) as HTMLDetailsElement).open, viewer)).toBe(true);
  checkClean(k);
  await k.close();
}

/** The options of the page without JavaScript in a dark system (a second Firefox, see html-drivers.ts). */
export const NO_SCRIPT_DARK: TabOptions = { javaScriptEnabled: false, colorScheme: 'dark' };

/** With JavaScript off and the system dark: readable, navigable, dark, no script ran. Screenshots of both themes. */
export async function checkNoScriptDarkAndScreenshots(driver: Driver, main: Tab, b: RealBundle, artifact: string): Promise<void> {
  const plain = await openTab(driver, `file://${b.reportFile}`, NO_SCRIPT_DARK);
  expect(await plain.evaluate(() => document.documentElement.classList.contains('js'), null)).toBe(false);
  expect(await count(plain, finding('container-oom-killed'), b.oom)).toBe(1);
  expect(await visible(plain, `#containers-table tr[data-container="local/${b.oom}"]`)).toBe(1);
  expect(await visible(plain, `details.logview[data-lane="local/${b.crash}"] > summary`)).toBe(1);
  // A timeline lane still leads to its log: the browser itself opens the <details> the link points into.
  const viewer = `details.logview[data-lane="local/${b.oom}"]`;
  const isOpen = () => plain.evaluate((s) => (document.querySelector(s) as HTMLDetailsElement).open, viewer);
  await plain.evaluate((s) => {
    (document.querySelector(s) as HTMLDetailsElement).open = false;
  }, viewer);
  await plain.click(await pick(plain, '#container-timeline a', b.oom));
  await expect.poll(isOpen).toBe(true);
  const bg = (t: Tab) => t.evaluate(() => getComputedStyle(document.body).backgroundColor, null);
  expect(await bg(main)).toBe('rgb(255, 255, 255)');
  expect(await bg(plain)).toBe('rgb(21, 24, 28)');
  // Scroll bars follow the theme (Firefox drew a white track in a dark log viewer without this).
  const bar = (t: Tab) => t.evaluate(() => getComputedStyle(document.querySelector('pre.log') as Element).scrollbarColor, null);
  expect(await bar(plain)).toBe('rgb(154, 164, 176) rgb(29, 33, 39)');
  expect(await bar(main)).toBe('rgb(91, 100, 112) rgb(245, 247, 249)');
  await mkdir(ARTIFACTS, { recursive: true });
  await main.screenshot(join(ARTIFACTS, `${artifact}.png`), true);
  await plain.screenshot(join(ARTIFACTS, `${artifact}-dark.png`), false);
  checkClean(plain);
  await plain.close();
  expect((await stat(join(ARTIFACTS, `${artifact}.png`))).size).toBeGreaterThan(10_000);
  expect((await stat(join(ARTIFACTS, `${artifact}-dark.png`))).size).toBeGreaterThan(10_000);
}

/** report.html of a synthetic bundle of 200 containers (html-fixture.ts), written to `dir`. */
export async function bigReport(dir: string): Promise<{ file: string; kib: number }> {
  const html = await renderReport(syntheticView({ count: 200, logLines: 200 }), { findings: [] });
  const file = join(dir, 'big.html');
  await writeFile(file, html);
  return { file, kib: html.length / 1024 };
}

/** Loads of a page, from navigation until the script has made the sort buttons (ms). */
export async function loadTimes(driver: Driver, file: string, loads: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < loads; i++) {
    const tab = await driver.newTab();
    const started = performance.now();
    await tab.goto(`file://${file}`);
    await tab.waitFor('#containers-table th button');
    times.push(performance.now() - started);
    expect(await count(tab, '#containers-table tbody tr')).toBe(200);
    expect(await count(tab, '#container-timeline g.m')).toBeGreaterThanOrEqual(200);
    checkClean(tab);
    await tab.close();
  }
  return times;
}

/**
 * Tabbing through a timeline taller than the window keeps the focused mark on screen, its details beside
 * it. Firefox scrolls only the <svg> into view when an element inside it takes focus (Chromium scrolls
 * the element); the page's script brings the mark on screen.
 */
export async function checkTallTimelineFocus(driver: Driver, file: string): Promise<void> {
  const tab = await openTab(driver, `file://${file}`);
  const lane = (n: number) => `#container-timeline g.m[data-lane="local/app-${n}"]`;
  await focus(tab, lane(150));
  await tab.evaluate(() => scrollTo(0, 0), null);
  for (const next of [151, 152]) {
    await tab.press('Tab');
    const where = await tab.evaluate(() => {
      const r = (document.activeElement as Element).getBoundingClientRect();
      return { lane: document.activeElement?.getAttribute('data-lane'), onScreen: r.top >= 0 && r.bottom <= innerHeight };
    }, null);
    expect(where).toEqual({ lane: `local/app-${next}`, onScreen: true });
    expect(await visible(tab, '#tip')).toBe(1);
  }
  checkClean(tab);
  await tab.close();
}

/**
 * The negative control of the request and console checks: the report with an image from a local server
 * injected. Under the page's policy the image is refused (no hit) and the refusal is a problem; with the
 * policy removed the image is fetched (one hit) and an inline script logs an error: the request alone
 * fails `checkClean`, and so does the console error alone.
 */
export async function checkRequestControl(driver: Driver, b: RealBundle): Promise<void> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(204).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  try {
    const url = (name: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/${name}.png`;
    const page = await readFile(b.reportFile, 'utf8');
    const policy = /<meta http-equiv="Content-Security-Policy" content="[^"]*">\n/;
    expect(page).toMatch(policy);
    const inject = (html: string, name: string) => html.replace('<main', `<img src="${url(name)}" alt=""><main`);
    const kept = join(b.tmp, 'control-policy.html');
    const removed = join(b.tmp, 'control-nopolicy.html');
    // The kept policy also pins a stylesheet that wants a data: font: never leaves the machine, but refused
    // all the same (so the Firefox driver may ignore its own stylesheet's data: font, see html-drivers.ts).
    const font = 'data:font/woff2;base64,d09GMgABAAAAAAA=';
    const css = `${CSS}@font-face{font-family:cbcontrol;src:url("${font}")}body{font-family:cbcontrol,sans-serif}`;
    expect(page).toContain(`<style>${CSS}</style>`);
    const pinned = page.replace(`<style>${CSS}</style>`, `<style>${css}</style>`).replace(contentSecurityPolicy(CSS, JS), contentSecurityPolicy(css, JS));
    await writeFile(kept, inject(pinned, 'kept'));
    // Without the policy an inline script also runs: its console error must be caught too.
    const noisy = page.replace(policy, '').replace('</body>', "<script>console.error('cb-control')</script></body>");
    await writeFile(removed, inject(noisy, 'removed'));
    const withPolicy = await openTab(driver, `file://${kept}`);
    await expect.poll(() => withPolicy.problems.join('\n')).toContain(url('kept'));
    await expect.poll(() => withPolicy.problems.join('\n')).toContain(font);
    expect(await withPolicy.evaluate(() => document.documentElement.classList.contains('js'), null)).toBe(true);
    // (Chromium also reports the refused image as a request event, Firefox does not; neither fetches it.)
    expect(() => checkClean(withPolicy)).toThrow();
    await withPolicy.close();
    const without = await openTab(driver, `file://${removed}`);
    await expect.poll(() => hits).toEqual(['/removed.png']);
    expect(offFile(without.requests)).toEqual([url('removed')]);
    await expect.poll(() => without.problems).toEqual(['console error: cb-control']);
    expect(() => checkClean({ ...without, problems: [] })).toThrow(); // the request alone fails it
    expect(() => checkClean({ ...without, requests: [] })).toThrow(); // and so does the console error alone
    await without.close();
    expect(hits).toEqual(['/removed.png']);
  } finally {
    server.close();
  }
}
