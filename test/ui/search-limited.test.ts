// Browser test against a stub API: when the server says a list search stopped early
// (`"searchLimited": true`, the Redis store's bounded scan), the traces and logs lists say so in their
// status line; an answer without the flag shows no such line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { waitFor } from '../helpers/start-tinyolly.js';
import { hasChromium, launchBrowser, newPage, type LaunchedBrowser } from './browser.js';
import { startStubApi, type StubApi } from './stub-api.js';

if (!hasChromium) console.warn('test/ui skipped: /usr/bin/chromium is missing (apt-get install chromium)');

describe.skipIf(!hasChromium)('UI (stub API): a search the server stopped early', () => {
  let stub: StubApi;
  let b: LaunchedBrowser;
  let page: Page;
  let limited = true;

  beforeAll(async () => {
    [stub, b] = await Promise.all([startStubApi({
      '/api/stats': { traces: 6000, spans: 6000, logs: 60000, metrics: 0, storage: 'redis', uptimeSeconds: 100 },
      '/api/services': { services: [] },
      '/api/traces': () => ({ traces: [], ...(limited ? { searchLimited: true } : {}) }),
      '/api/logs': () => ({ logs: [], ...(limited ? { searchLimited: true } : {}) }),
    }), launchBrowser()]);
    ({ page } = await newPage(b.browser));
  });
  afterAll(async () => {
    await b?.close();
    await stub?.close();
  });

  it.each(['traces', 'logs'])('the %s list says the search stopped early, and only then', async (view) => {
    limited = true;
    await page.goto(`${stub.baseUrl}/#/${view}`);
    const status = page.locator('.list-status');
    await page.waitForFunction(() => /search stopped early/.test(document.querySelector('.list-status')?.textContent ?? ''));
    expect(await status.textContent()).toMatch(/older matches may be missing/);
    limited = false;
    await page.goto('about:blank');
    const asked = stub.requests.length;
    await page.goto(`${stub.baseUrl}/#/${view}`);
    // The list asked again (answered without the flag) and drew its empty body: the note is gone.
    await waitFor(() => stub.requests.slice(asked).some((r) => r.startsWith(`/api/${view}?`) || r === `/api/${view}`), 15_000);
    await page.waitForFunction(() => (document.querySelector('.list-body')?.childElementCount ?? 0) > 0);
    expect(await status.textContent()).not.toMatch(/search stopped early/);
  });
});
