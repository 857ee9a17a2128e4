// Browser test of the Doctor page (CONTRACT §9): findings grouped by severity, the hint shown as
// text (a span name with markup stays text), and an example opens the trace view.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startTinyOlly, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { hasChromium, launchBrowser, newPage, type LaunchedBrowser } from './browser.js';

const TRACE = 'cd'.repeat(16);

describe.skipIf(!hasChromium)('UI: the Doctor page', () => {
  let t: TinyOllyProcess;
  let b: LaunchedBrowser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    [t, b] = await Promise.all([startTinyOlly(), launchBrowser()]);
    ({ page, errors } = await newPage(b.browser));
    const start = BigInt(Date.now() - 5000) * 1_000_000n;
    const body = { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans: [{
      traceId: TRACE, spanId: 'ab'.repeat(8), name: '<img src=x onerror=alert(1)>', kind: 1,
      startTimeUnixNano: String(start), endTimeUnixNano: String(start + 5_000_000n),
      events: [{ name: 'exception', timeUnixNano: String(start), attributes: [] }],
    }] }] }] };
    const res = await fetch(`${t.otlpHttpUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    await t?.stop();
  });

  it('groups findings by severity and opens an example in the trace view', async () => {
    await page.goto(`${t.baseUrl}/#/doctor`);
    await page.waitForSelector('[data-testid="doctor-finding"]', { timeout: 30_000 });
    const rules = await page.$$eval('[data-testid="doctor-finding"]', (els) => els.map((e) => e.getAttribute('data-rule')));
    expect(rules).toEqual(['missing-service-name', 'exception-without-error']);
    const groups = await page.$$eval('.doctor-group > h2', (els) => els.map((e) => e.textContent));
    expect(groups).toEqual(['Errors (1)', 'Warnings (1)']);
    expect(await page.textContent('.doctor-view')).toContain('OTEL_SERVICE_NAME');
    await page.click('[data-testid="doctor-example"] >> nth=0');
    await page.waitForFunction((id) => location.hash.startsWith(`#/traces/${id}`), TRACE, { timeout: 15_000 });
    expect(await page.$('img[src="x"]')).toBeNull();
    expect(errors).toEqual([]);
  });
});
