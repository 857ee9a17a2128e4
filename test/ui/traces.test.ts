// Browser tests of the traces side of the UI against the real TinyOlly, fed by the OpenTelemetry JS SDK:
// empty state, trace list, waterfall order and geometry, span details, trace logs, critical path,
// log → trace navigation, live refresh and hostile telemetry rendered as text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { getJson, startTinyOlly, waitFor, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { hasChromium, launchBrowser, newPage, screenshot, setTheme, type LaunchedBrowser } from './browser.js';
import { sendCheckoutTrace, sendChildSpan, sendLogs, sendSimpleTrace, XSS_IMG, XSS_SCRIPT, type SeededTrace } from './seed.js';

if (!hasChromium) console.warn('test/ui skipped: /usr/bin/chromium is missing (apt-get install chromium)');

describe.skipIf(!hasChromium)('UI: traces, waterfall, details, logs', () => {
  let t: TinyOllyProcess;
  let b: LaunchedBrowser;
  let page: Page;
  let errors: string[];
  let dialogs: string[];
  let checkout: SeededTrace;
  let linked: SeededTrace;
  const base = Date.now() - 5_000;

  beforeAll(async () => {
    [t, b] = await Promise.all([startTinyOlly(), launchBrowser()]);
    ({ page, errors, dialogs } = await newPage(b.browser));
  });
  afterAll(async () => {
    await b?.close();
    await t?.stop();
  });

  it('shows what to do, with this instance\'s OTLP/HTTP port, before anything arrives', async () => {
    const res = await page.goto(`${t.baseUrl}/`);
    expect(res?.headers()['content-security-policy']).toMatch(/script-src 'self'/);
    const empty = page.getByTestId('empty-state');
    await empty.waitFor();
    expect(await empty.textContent()).toContain(`http://localhost:${t.ports.http}`);
    expect(await empty.textContent()).toContain('OTEL_EXPORTER_OTLP_ENDPOINT');
    await screenshot(page, 'empty-state-dark-1280');
  });

  it('lists traces sent with the SDK, newest first, with counts and duration bars', async () => {
    ({ checkout, linked } = await sendCheckoutTrace(t, base));
    await sendLogs(t, checkout, base);
    await waitFor(async () => (await getJson(t.baseUrl, `/api/traces/${checkout.traceId}`)).body.spans?.length === 6);
    await page.getByTestId('refresh').click();
    const rows = page.getByTestId('trace-row');
    await waitFor(async () => (await rows.count()) === 2);
    expect(await rows.nth(0).getAttribute('data-trace-id')).toBe(linked.traceId);
    const row = page.locator(`[data-testid=trace-row][data-trace-id="${checkout.traceId}"]`);
    const text = await row.textContent();
    expect(text).toContain('GET /checkout');
    expect(text).toContain('frontend');
    expect(text).toContain('120ms');
    expect(text).toContain('postgres');
    const [fillW, trackW] = await row.locator('.dur-fill').evaluate((el) => [el.getBoundingClientRect().width, el.parentElement!.getBoundingClientRect().width]);
    expect(fillW / trackW).toBeCloseTo(1, 1); // the slowest trace shown fills its track
    await screenshot(page, 'traces-dark-1280');
  });

  it('opens a trace: one row per span in tree order with proportional bars', async () => {
    await page.locator(`[data-testid=trace-row][data-trace-id="${checkout.traceId}"]`).click();
    await page.waitForURL(new RegExp(`#/traces/${checkout.traceId}`));
    const rows = page.getByTestId('waterfall-row');
    await waitFor(async () => (await rows.count()) === 6);
    const order = await rows.evaluateAll((els) => els
      .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
      .map((el) => `${el.getAttribute('data-depth')}:${el.querySelector('.wf-svc')!.textContent}/${el.querySelector('.wf-name')!.textContent}`));
    expect(order).toEqual([
      '0:frontend/GET /checkout', '1:frontend/POST /api/cart', '2:backend/POST /api/cart', '3:postgres/SELECT cart',
      '1:backend/charge card', '1:frontend/render',
    ]);
    // Bars: left = offset / 120 ms, width = duration / 120 ms of the timeline.
    const geo = async (spanId: string): Promise<[number, number]> => page.locator(`[data-span-id="${spanId}"] [data-testid=waterfall-bar]`).evaluate((bar) => {
      const tl = bar.parentElement!.getBoundingClientRect();
      const r = bar.getBoundingClientRect();
      return [(r.left - tl.left) / tl.width, r.width / tl.width];
    });
    const expectBar = async (spanId: string, startMs: number, durMs: number): Promise<void> => {
      const [left, width] = await geo(spanId);
      expect(left).toBeCloseTo(startMs / 120, 2);
      expect(width).toBeCloseTo(durMs / 120, 2);
    };
    await expectBar(checkout.spans.root, 0, 120);
    await expectBar(checkout.spans.query, 20, 20);
    await expectBar(checkout.spans.render, 64, 46);
    expect(await page.locator(`[data-span-id="${checkout.spans.charge}"]`).getAttribute('class')).toContain('is-error');
    expect(await page.locator(`[data-span-id="${checkout.spans.render}"] [data-testid=waterfall-event]`).count()).toBe(1);
    // Collapse and expand a subtree.
    await page.locator(`[data-span-id="${checkout.spans.client}"] .wf-toggle`).click();
    await waitFor(async () => (await rows.count()) === 4);
    await page.locator(`[data-span-id="${checkout.spans.client}"] .wf-toggle`).click();
    await waitFor(async () => (await rows.count()) === 6);
  });

  it('shows span details with attributes, status, events, links and backlinks, and that span\'s logs', async () => {
    const logs = page.locator('.trace-logs [data-testid=log-row]');
    await waitFor(async () => (await logs.count()) === 3);
    expect(await logs.allTextContents()).toEqual([
      expect.stringContaining('checkout started'), expect.stringContaining('payment provider slow'), expect.stringContaining('payment_failed'),
    ]);
    await page.locator(`[data-span-id="${checkout.spans.charge}"]`).click();
    const details = page.getByTestId('span-details');
    await details.waitFor();
    const text = (await details.textContent())!;
    for (const s of ['charge card', 'INTERNAL', 'ERROR', 'card declined', 'payment.provider', 'acme', 'exception', 'PaymentDeclined', checkout.spans.charge, 'consume payment-retry']) {
      expect(text).toContain(s);
    }
    expect(await details.getByTestId('span-backlinks').textContent()).toContain('link.reason');
    await waitFor(async () => (await logs.count()) === 2);
    // Attribute filter box.
    await details.getByPlaceholder('Filter attributes…').fill('provider');
    expect(await details.locator('table.kv th').allTextContents()).toEqual(['payment.provider']);
    await screenshot(page, 'trace-dark-1280');
    // The backlink opens the linking span in its own trace, whose link points back here.
    await details.getByTestId('span-backlinks').getByRole('link', { name: 'consume payment-retry' }).click();
    await page.waitForURL(new RegExp(`#/traces/${linked.traceId}\\?span=${linked.spans.consume}`));
    const links = page.getByTestId('span-details').getByTestId('span-links');
    await links.waitFor();
    expect(await links.textContent()).toContain(checkout.spans.charge);
    await links.getByRole('link').first().click();
    await page.waitForURL(new RegExp(`#/traces/${checkout.traceId}\\?span=${checkout.spans.charge}`));
    await page.getByTestId('span-details').getByText('charge card').first().waitFor();
  });

  it('highlights the critical path on demand', async () => {
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Critical path' }).click();
    const onPath = await page.locator('.wf-row.on-cp').evaluateAll((els) => els.map((e) => e.getAttribute('data-span-id')).sort());
    const s = checkout.spans;
    // render (64–110) ran until the end; charge (62–68) was still running when render began, the cart call was not.
    expect(onPath).toEqual([s.root, s.render, s.client, s.server, s.query].sort());
    await screenshot(page, 'trace-critical-path-dark-1280');
    await setTheme(page, 'light');
    await screenshot(page, 'trace-light-1280');
    await page.setViewportSize({ width: 1024, height: 800 });
    await page.locator(`[data-span-id="${checkout.spans.query}"]`).click();
    await screenshot(page, 'trace-light-1024');
    await setTheme(page, 'dark');
    await screenshot(page, 'trace-dark-1024');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('opens the trace from a log\'s trace id', async () => {
    await page.goto(`${t.baseUrl}/#/logs`);
    const row = page.getByTestId('log-row').filter({ hasText: 'payment provider slow' });
    await row.waitFor();
    await screenshot(page, 'logs-dark-1280');
    await row.getByTestId('log-trace-link').click();
    await page.waitForURL(new RegExp(`#/traces/${checkout.traceId}`));
    await waitFor(async () => (await page.getByTestId('waterfall-row').count()) === 6);
    expect(await page.getByTestId('span-details').textContent()).toContain('charge card');
    // And the deep link from the trace back to its logs.
    await page.goto(`${t.baseUrl}/#/logs?trace_id=${checkout.traceId}`);
    await waitFor(async () => (await page.getByTestId('log-row').count()) === 3);
  });

  it('brings in a trace sent after the page loaded, without a reload', async () => {
    await page.goto(`${t.baseUrl}/#/traces`);
    await page.getByTestId('trace-row').first().waitFor();
    await page.evaluate(() => { (window as unknown as { marker: number }).marker = 1; });
    const id = await sendSimpleTrace(t, 'latecomer', 'GET /late');
    await page.locator(`[data-testid=trace-row][data-trace-id="${id}"]`).waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1); // same document
  });

  it('adds late spans to an open trace, keeping collapsed subtrees and the selection', async () => {
    await page.goto(`${t.baseUrl}/#/traces/${checkout.traceId}?span=${checkout.spans.render}`);
    const rows = page.getByTestId('waterfall-row');
    await waitFor(async () => (await rows.count()) === 6);
    await page.locator(`[data-span-id="${checkout.spans.client}"] .wf-toggle`).click();
    await waitFor(async () => (await rows.count()) === 4);
    const late = await sendChildSpan(t, checkout.traceId, checkout.spans.render, 'frontend', 'late paint');
    await page.locator(`[data-span-id="${late}"]`).waitFor({ timeout: 15_000 });
    expect(await rows.count()).toBe(5); // still collapsed under the cart call
    expect(await page.getByTestId('span-details').locator('.sd-name').textContent()).toBe('render');
  });

  it('shows hostile telemetry as text and runs none of it', async () => {
    const evil = await sendCheckoutTrace(t, Date.now() - 1000, { hostileName: true });
    await waitFor(async () => (await getJson(t.baseUrl, `/api/traces/${evil.checkout.traceId}`)).status === 200);
    await page.goto(`${t.baseUrl}/#/traces`);
    const row = page.locator(`[data-testid=trace-row][data-trace-id="${evil.checkout.traceId}"]`);
    await row.waitFor();
    expect(await row.locator('.row-title').textContent()).toBe(XSS_IMG);
    await row.click();
    await page.locator(`[data-span-id="${evil.checkout.spans.root}"]`).click();
    const details = page.getByTestId('span-details');
    expect(await details.textContent()).toContain(XSS_SCRIPT);
    await page.goto(`${t.baseUrl}/#/logs`);
    const hostile = page.getByTestId('log-row').filter({ hasText: 'hostile' });
    await hostile.waitFor();
    expect(await hostile.locator('.log-body').textContent()).toBe(`hostile ${XSS_IMG} ${XSS_SCRIPT}`);
    await hostile.click();
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('img[src="x"], main script').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(errors.filter((e) => !/favicon/.test(e))).toEqual([]);
  });
});
