// Browser test of the Ingest page (CONTRACT §8): requests sent misconfigured (a doubled signal path, JSON
// as protobuf) and right show newest first with their hint; a row opens its full record; the result
// filter narrows the list; the services strip says when each signal was last seen; telemetry text is
// shown as text (a service named with markup stays literal).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startTinyOlly, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { hasChromium, launchBrowser, newPage, screenshot, type LaunchedBrowser } from './browser.js';

const SERVICE = 'orders-api <b>x</b>';
const SPAN_JSON = JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: SERVICE } }] },
  scopeSpans: [{ spans: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'x', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000100000000' }] }] }] });

describe.skipIf(!hasChromium)('UI: the Ingest page', () => {
  let t: TinyOllyProcess;
  let b: LaunchedBrowser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    [t, b] = await Promise.all([startTinyOlly(), launchBrowser()]);
    ({ page, errors } = await newPage(b.browser));
    const post = (path: string, body: string, type: string) => fetch(`${t.otlpHttpUrl}${path}`, { method: 'POST', body, headers: { 'content-type': type } });
    await post('/v1/traces/v1/traces', SPAN_JSON, 'application/json');
    await post('/v1/traces', SPAN_JSON, 'application/x-protobuf');
    await post('/v1/traces', SPAN_JSON, 'application/json');
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    await t?.stop();
  });

  it('lists the requests newest first with hints, opens a record, filters, and shows last seen', async () => {
    await page.goto(`${t.baseUrl}/#/ingest`);
    await page.waitForSelector('[data-testid="ingest-row"]', { timeout: 20_000 });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="ingest-row"]').length === 3, null, { timeout: 20_000 });
    const rows = await page.$$eval('[data-testid="ingest-row"]', (els) => els.map((e) => e.textContent ?? ''));
    expect(rows[0]).toContain('ok');
    expect(rows[1]).toContain('Content-Type says protobuf');
    expect(rows[2]).toContain('/v1/traces/v1/traces');
    expect(rows[2]).toContain('twice');

    await page.click('[data-testid="ingest-row"] >> nth=2');
    const record = page.locator('[data-testid="ingest-record"]:visible');
    await record.waitFor({ timeout: 10_000 });
    expect(await record.textContent()).toContain('no route POST /v1/traces/v1/traces');
    expect(await page.locator('[data-testid="ingest-hint"]:visible').textContent()).toContain('OTEL_EXPORTER_OTLP_ENDPOINT');

    const strip = await page.locator('[data-testid="ingest-service"]').first().textContent();
    expect(strip).toContain(SERVICE); // literal text, not markup
    expect(strip).toMatch(/traces .*ago|traces just now|traces \d/);
    expect(strip).toContain('logs never');
    expect(await page.locator('[data-testid="ingest-service"] b').count()).toBe(0);
    expect(await page.locator('[data-testid="ingest-drops"]').textContent()).toContain('2 requests refused');
    await screenshot(page, 'ingest-1280');

    await page.selectOption('[data-testid="ingest-filter-result"]', 'refused');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="ingest-row"]').length === 2, null, { timeout: 10_000 });
    expect(errors).toEqual([]);
  });
});
