// Browser test: a trace cut by TINYOLLY_MAX_SPANS_PER_TRACE says so in the trace view (how many spans
// were dropped), against the real TinyOlly; a trace within the limit shows no such line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { getJson, startTinyOlly, waitFor, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { hasChromium, launchBrowser, newPage, type LaunchedBrowser } from './browser.js';
import { sendBigTrace, sendSimpleTrace } from './seed.js';

if (!hasChromium) console.warn('test/ui skipped: /usr/bin/chromium is missing (apt-get install chromium)');

describe.skipIf(!hasChromium)('UI: a trace cut by the per-trace span limit', () => {
  let t: TinyOllyProcess;
  let b: LaunchedBrowser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    [t, b] = await Promise.all([startTinyOlly({ TINYOLLY_MAX_SPANS_PER_TRACE: '20' }), launchBrowser()]);
    ({ page, errors } = await newPage(b.browser));
  });
  afterAll(async () => {
    await b?.close();
    await t?.stop();
  });

  it('shows how many spans were dropped; a small trace shows nothing of the kind', async () => {
    const target = { grpcUrl: t.grpcUrl, otlpHttpUrl: t.otlpHttpUrl };
    const big = await sendBigTrace(target, 30);
    const small = await sendSimpleTrace(target, 'small-svc', 'small op');
    await waitFor(async () => (await getJson(t.baseUrl, `/api/traces/${big}`)).body.spansDropped === 10, 15_000);
    await page.goto(`${t.baseUrl}/#/traces/${big}`);
    const cut = page.getByTestId('trace-cut');
    await cut.waitFor();
    expect(await cut.textContent()).toMatch(/^10 spans dropped/);
    await page.goto(`${t.baseUrl}/#/traces/${small}`);
    await page.locator('.trace-root-name', { hasText: 'small op' }).waitFor();
    expect(await page.getByTestId('trace-cut').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
