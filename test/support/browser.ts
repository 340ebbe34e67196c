import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * A real Chromium for the report tests, without Playwright's browser download: the system's own.
 * Looked up in this order: MESHSPEC_CHROMIUM, Debian's binary (apt `chromium`, what .ci/run
 * installs), its wrapper, then google-chrome on PATH (what GitHub's ubuntu-latest has).
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): { path?: string; reason?: string } {
  if (env.MESHSPEC_CHROMIUM) {
    return existsSync(env.MESHSPEC_CHROMIUM) ? { path: env.MESHSPEC_CHROMIUM } : { reason: `a Chromium, but MESHSPEC_CHROMIUM=${env.MESHSPEC_CHROMIUM} does not exist` };
  }
  const onPath = (name: string) => (env.PATH ?? '').split(delimiter).map((d) => join(d, name)).find((p) => existsSync(p));
  const found = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p) => existsSync(p)) ?? onPath('google-chrome') ?? onPath('google-chrome-stable');
  return found
    ? { path: found }
    : { reason: "a Chromium, and none was found (MESHSPEC_CHROMIUM, /usr/lib/chromium/chromium, /usr/bin/chromium, google-chrome): .ci/run installs Debian's chromium and fonts-liberation" };
}

export async function launchChromium(path: string): Promise<Browser> {
  // Playwright adds --no-sandbox itself unless chromiumSandbox is set, which running as root needs.
  return chromium.launch({ executablePath: path, timeout: 60_000 });
}

/** What a page did while it loaded: anything but an empty list of problems fails a test. */
export interface PageVisit {
  page: Page;
  consoleErrors: string[];
  pageErrors: string[];
  /** Every request that was not for a file:// URL (the page must make none). */
  foreignRequests: string[];
  failedRequests: string[];
}

/** Opens a file from disk as a reader would, recording console errors, page errors and every request. */
export async function openFile(browser: Browser, file: string, viewport = { width: 1280, height: 900 }, colorScheme: 'light' | 'dark' = 'light'): Promise<PageVisit> {
  const context = await browser.newContext({ viewport, colorScheme, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const visit: PageVisit = { page, consoleErrors: [], pageErrors: [], foreignRequests: [], failedRequests: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') visit.consoleErrors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => visit.pageErrors.push(e.message));
  page.on('request', (r) => {
    if (!r.url().startsWith('file://')) visit.foreignRequests.push(r.url());
  });
  page.on('requestfailed', (r) => visit.failedRequests.push(`${r.url()}: ${r.failure()?.errorText}`));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return visit;
}
