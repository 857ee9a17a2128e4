// Browser test: a deep link's ?start=&end= (as the MCP server writes them, issue 16) becomes the
// UI's custom time range: the range control says so and the list shows only that window.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { getJson, startTinyOlly, waitFor, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { hasChromium, launchBrowser, newPage, type LaunchedBrowser } from './browser.js';
import { sendSimpleTrace } from './seed.js';

if (!hasChromium) console.warn('test/ui skipped: /usr/bin/chromium is missing (apt-get install chromium)');

describe.skipIf(!hasChromium)('UI: a deep link keeps its time window', () => {
  let t: TinyOllyProcess;
  let b: LaunchedBrowser;
  let page: Page;
  let errors: string[];
  let older: string;
  let newer: string;
  const T0 = Date.now() - 3_600_000; // an hour ago: two traces ten minutes apart

  beforeAll(async () => {
    [t, b] = await Promise.all([startTinyOlly(), launchBrowser()]);
    ({ page, errors } = await newPage(b.browser));
    const target = { grpcUrl: t.grpcUrl, otlpHttpUrl: t.otlpHttpUrl };
    older = await sendSimpleTrace(target, 'window-svc', 'older op', T0);
    newer = await sendSimpleTrace(target, 'window-svc', 'newer op', T0 + 600_000);
    await waitFor(async () => (await getJson(t.baseUrl, '/api/traces?service=window-svc')).body.traces?.length === 2, 15_000);
  });
  afterAll(async () => {
    await b?.close();
    await t?.stop();
  });

  it('opens #/traces?start=&end= with the custom range set and only the traces inside it', async () => {
    const start = (T0 + 300_000) / 1000;
    const end = (T0 + 900_000) / 1000;
    await page.goto(`${t.baseUrl}/#/traces?start=${start}&end=${end}`);
    await page.locator(`[data-testid=trace-row][data-trace-id="${newer}"]`).waitFor();
    expect(await page.locator('select[aria-label="Time range"]').inputValue()).toBe('custom');
    expect(await page.locator('input[aria-label="From"]').isVisible()).toBe(true);
    expect(await page.locator(`[data-testid=trace-row][data-trace-id="${older}"]`).count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
