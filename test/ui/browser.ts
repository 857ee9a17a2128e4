/**
 * @module test/ui/browser: launches Debian's Chromium through playwright-core with the flags this
 * machine needs (one launch per test file), and saves screenshots under test-output/screenshots/.
 */
import { mkdirSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from '../helpers/start-tinyolly.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.join(ROOT, 'test-output', 'screenshots');

/** True when the system Chromium is installed (tests print a reason and skip otherwise). */
export const hasChromium = existsSync(CHROMIUM);

export interface LaunchedBrowser { browser: BrowserContext; close(): Promise<void> }

/** Launches headless Chromium with a fresh profile directory (playwright passes it as --user-data-dir). */
export async function launchBrowser(): Promise<LaunchedBrowser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'tinyolly-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 860 },
    // The UI's theme follows prefers-color-scheme until one is picked: tests start dark, as the UI did before.
    colorScheme: 'dark',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens a page of the given width that records page errors and dialogs (XSS canaries). */
export async function newPage(browser: BrowserContext, width = 1280, height = 860): Promise<{ page: Page; errors: string[]; dialogs: string[] }> {
  const page = await browser.newPage();
  await page.setViewportSize({ width, height });
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // Chromium reports Content-Security-Policy violations as console errors, so they land here too.
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
  return { page, errors, dialogs };
}

/** Saves a full-viewport screenshot as test-output/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

/** Sets the theme the way a user does (the header toggle), persisted in localStorage. */
export async function setTheme(page: Page, theme: 'dark' | 'light'): Promise<void> {
  const current = await page.evaluate(() => document.documentElement.dataset.theme);
  if (current !== theme) await page.getByTestId('theme-toggle').click();
  await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme);
}
