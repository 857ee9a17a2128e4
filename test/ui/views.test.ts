// Browser tests of the metrics, services, service map, logs filters, keyboard and theme against the
// real TinyOlly fed by the OpenTelemetry JS SDK; also the virtualised waterfall of the biggest trace the
// default TINYOLLY_MAX_SPANS_PER_TRACE allows (10,000 spans, issue 11).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { getJson, startTinyOlly, waitFor, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { hasChromium, launchBrowser, newPage, screenshot, setTheme, type LaunchedBrowser } from './browser.js';
import { DEFAULT_CONFIG } from '../../src/config.js';
import { sendBigTrace, sendCheckoutTrace, sendLogs, sendMetrics, type SeededTrace } from './seed.js';

if (!hasChromium) console.warn('test/ui skipped: /usr/bin/chromium is missing (apt-get install chromium)');

/** The biggest trace kept with the default settings: a 10,000-span waterfall. */
const BIG = DEFAULT_CONFIG.maxSpansPerTrace;

describe.skipIf(!hasChromium)('UI: metrics, services, service map, logs, keyboard, theme', () => {
  let t: TinyOllyProcess;
  let b: LaunchedBrowser;
  let page: Page;
  let errors: string[];
  let checkout: SeededTrace;
  let bigTraceId: string;

  beforeAll(async () => {
    [t, b] = await Promise.all([startTinyOlly(), launchBrowser()]);
    ({ page, errors } = await newPage(b.browser));
    const base = Date.now() - 3_000;
    [{ checkout }] = await Promise.all([sendCheckoutTrace(t, base), sendMetrics(t)]);
    await sendLogs(t, checkout, base);
    bigTraceId = await sendBigTrace(t, BIG);
    await waitFor(async () => (await getJson(t.baseUrl, '/api/metrics')).body.metrics?.length === 3, 15_000);
    await waitFor(async () => (await getJson(t.baseUrl, `/api/traces/${bigTraceId}`)).body.spans?.length === BIG, 30_000);
  });
  afterAll(async () => {
    await b?.close();
    await t?.stop();
  });

  // Not timed (the machine is shared): what makes the first paint quick is the work it needs, so
  // that is what is asserted: one list request, no request per row, every listed trace painted.
  it('paints the shell and the first list from one list request, fetching nothing per row', async () => {
    const api: string[] = [];
    const onRequest = (r: { url(): string }) => { const u = new URL(r.url()); if (u.pathname.startsWith('/api/')) api.push(u.pathname + u.search); };
    page.on('request', onRequest);
    const started = Date.now();
    try {
      await page.goto(`${t.baseUrl}/#/traces`);
      await page.getByTestId('trace-row').first().waitFor();
    } finally {
      page.off('request', onRequest);
    }
    const paint = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1);
    console.log(`ui: first contentful paint ${Math.round(paint)} ms, trace list shown after ${Date.now() - started} ms; API calls ${api.join(' ')}`);
    expect(paint).toBeGreaterThan(0);
    // One list query (a live-refresh tick on a slow machine may repeat it, never vary it), the
    // header's stats, the service filter and the live stream (GET /api/live); no call per trace or per row.
    const listCalls = api.filter((p) => /^\/api\/traces(\?|$)/.test(p));
    expect(new Set(listCalls).size, api.join(' ')).toBe(1);
    expect(new Set(api.map((p) => p.split('?')[0]).filter((p) => p !== '/api/live')), api.join(' ')).toEqual(new Set(['/api/stats', '/api/services', '/api/traces']));
    const listed = (await getJson(t.baseUrl, '/api/traces?limit=200')).body.traces as { traceId: string }[];
    await waitFor(async () => (await page.getByTestId('trace-row').count()) === listed.length);
    expect(await page.getByTestId('stats').textContent()).toMatch(/\d+ traces/);
    expect(await page.getByTestId('storage').textContent()).toBe('memory');
  });

  it('lists metrics with type, unit, services and last value', async () => {
    await page.goto(`${t.baseUrl}/#/metrics`);
    const rows = page.getByTestId('metric-row');
    await waitFor(async () => (await rows.count()) === 3);
    const gauge = await rows.filter({ hasText: 'process.memory.usage' }).textContent();
    expect(gauge).toContain('gauge');
    expect(gauge).toContain('MB');
    expect(gauge).toContain('150'); // last observed value
    expect(await rows.filter({ hasText: 'http.server.requests' }).textContent()).toContain('sum');
    await screenshot(page, 'metrics-dark-1280');
    await setTheme(page, 'light');
    await page.setViewportSize({ width: 1024, height: 800 });
    await screenshot(page, 'metrics-light-1024');
    await setTheme(page, 'dark');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('draws a line per series for a counter, as rate or total', async () => {
    await page.getByTestId('metric-row').filter({ hasText: 'http.server.requests' }).click();
    await page.waitForURL(/#\/metrics\/http\.server\.requests$/);
    const chart = page.getByTestId('metric-chart');
    await chart.locator('canvas').waitFor();
    expect(await chart.getAttribute('data-series-count')).toBe('2');
    const legend = await chart.locator('.u-legend').textContent();
    expect(legend).toContain('http.method=GET');
    expect(legend).toContain('http.method=POST');
    const [w, h] = await chart.locator('canvas').evaluate((c: HTMLCanvasElement) => [c.width, c.height]);
    expect(w).toBeGreaterThan(300);
    expect(h).toBeGreaterThan(100);
    // Something was drawn: the canvas is not blank.
    const inked = await chart.locator('canvas').evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return n;
    });
    expect(inked).toBeGreaterThan(500);
    await page.getByRole('button', { name: 'Total' }).click();
    await chart.locator('canvas').waitFor();
    expect(await page.locator('.panel-title').first().textContent()).toContain('Value');
    // A series can be hidden from the legend.
    await page.getByTestId('metric-chart').locator('.u-legend .u-series').nth(1).click();
    expect(await page.getByTestId('metric-chart').locator('.u-legend .u-series.u-off').count()).toBe(1);
    await screenshot(page, 'metric-counter-dark-1280');
  });

  it('draws p50/p95/p99 and the latest bucket distribution for a histogram (deep link)', async () => {
    await page.goto(`${t.baseUrl}/#/metrics/http.server.duration`);
    const chart = page.getByTestId('metric-chart');
    await chart.locator('canvas').waitFor();
    expect(await chart.locator('.u-legend').textContent()).toMatch(/p50.*p95.*p99/s);
    const counts = await page.locator('.dist-col').count();
    expect(counts).toBe(7); // 6 bounds + overflow
    await screenshot(page, 'metric-histogram-dark-1280');
    await page.getByRole('button', { name: 'Heatmap' }).click();
    const heat = page.getByTestId('heatmap');
    await heat.waitFor();
    await waitFor(() => heat.evaluate((c: HTMLCanvasElement) => c.width > 200));
    await heat.hover();
    expect(await page.locator('.heatmap-readout').textContent()).toMatch(/observations/);
    await screenshot(page, 'metric-heatmap-dark-1280');
    await page.getByRole('button', { name: 'Percentiles' }).click();
    await setTheme(page, 'light');
    await chart.locator('canvas').waitFor();
    await screenshot(page, 'metric-histogram-light-1280');
    await setTheme(page, 'dark');
  });

  it('shows services with rates and latencies; clicking one filters the other views', async () => {
    await page.goto(`${t.baseUrl}/#/services`);
    const rows = page.getByTestId('service-row');
    await waitFor(async () => (await rows.count()) === 4);
    expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-service')))).toEqual(['backend', 'bulk', 'frontend', 'postgres']);
    const fe = await rows.filter({ hasText: 'frontend' }).textContent();
    expect(fe).toContain('120ms'); // p50 of its entry span
    expect(fe).toContain('100%'); // its one request (the entry span GET /checkout) failed: CONTRACT §5 rates requests, not spans
    await screenshot(page, 'services-dark-1280');
    await page.setViewportSize({ width: 1024, height: 800 });
    await screenshot(page, 'services-dark-1024');
    await page.setViewportSize({ width: 1280, height: 860 });
    await rows.filter({ hasText: 'postgres' }).click();
    await page.waitForURL(/#\/traces(\?service=postgres)?$/); // the filter is in the URL (issue 14)
    const traceRows = page.getByTestId('trace-row');
    await waitFor(async () => (await traceRows.count()) === 1);
    expect(await traceRows.first().getAttribute('data-trace-id')).toBe(checkout.traceId);
    await page.getByRole('button', { name: 'Clear service filter' }).click();
    await waitFor(async () => (await traceRows.count()) === 3);
    // Sort by duration, both ways: the 5 s bulk trace first, then last.
    await page.getByRole('columnheader', { name: /Duration/ }).click();
    await waitFor(async () => (await traceRows.first().getAttribute('data-trace-id')) === bigTraceId);
    await page.getByRole('columnheader', { name: /Duration/ }).click();
    await waitFor(async () => (await traceRows.last().getAttribute('data-trace-id')) === bigTraceId);
    await page.getByRole('columnheader', { name: /Start/ }).click();
  });

  it('bounds the lists by the time range picker, custom ranges included', async () => {
    await page.goto(`${t.baseUrl}/#/traces`);
    const rows = page.getByTestId('trace-row');
    await waitFor(async () => (await rows.count()) === 3);
    const range = page.getByLabel('Time range');
    await range.selectOption('5m');
    await waitFor(async () => (await rows.count()) === 3);
    await range.selectOption('custom');
    await page.getByLabel('From', { exact: true }).fill('2099-01-01T00:00');
    await page.getByText('No traces match').waitFor();
    await page.getByLabel('From', { exact: true }).fill('2000-01-01T00:00');
    await page.getByLabel('To', { exact: true }).fill('2099-01-01T00:00');
    await waitFor(async () => (await rows.count()) === 3);
    await range.selectOption('all');
    await waitFor(async () => (await rows.count()) === 3);
  });

  it('draws the service map with names as text and lists example traces for an edge', async () => {
    await page.goto(`${t.baseUrl}/#/service-map`);
    const map = page.getByTestId('service-map');
    await map.waitFor();
    const names = await map.locator('.map-node text').allTextContents();
    for (const n of ['frontend', 'backend', 'postgres']) expect(names.join(' ')).toContain(n);
    const edge = map.locator('[data-testid=map-edge].has-error');
    expect(await edge.count()).toBe(1);
    expect(await edge.getAttribute('aria-label')).toBe('frontend → backend: 2 calls, 1 error');
    await edge.locator('.edge-hit').click({ force: true });
    const examples = page.getByTestId('edge-traces');
    await examples.waitFor();
    expect(await examples.locator('a').first().getAttribute('href')).toBe(`#/traces/${checkout.traceId}`);
    await screenshot(page, 'service-map-dark-1280');
    await setTheme(page, 'light');
    await screenshot(page, 'service-map-light-1280');
    await setTheme(page, 'dark');
  });

  it('filters logs by minimum severity and text, and shows structured bodies expanded', async () => {
    await page.goto(`${t.baseUrl}/#/logs`);
    const rows = page.getByTestId('log-row');
    await waitFor(async () => (await rows.count()) === 4);
    await page.getByLabel('Minimum severity').selectOption('WARN');
    await waitFor(async () => (await rows.count()) === 2);
    const err = rows.filter({ hasText: 'payment_failed' });
    await err.click();
    expect(await err.locator('pre.body-pretty').textContent()).toContain('"reason": "card declined"');
    await screenshot(page, 'logs-expanded-dark-1280');
    await page.getByLabel('Minimum severity').selectOption('');
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Search');
    await page.keyboard.type('slow');
    await page.keyboard.press('Enter');
    await waitFor(async () => (await rows.count()) === 1);
    await setTheme(page, 'light');
    await screenshot(page, 'logs-light-1280');
    await setTheme(page, 'dark');
  });

  it('moves with j/k, opens with Enter, closes with Esc and shows shortcuts with ?', async () => {
    await page.goto(`${t.baseUrl}/#/traces`);
    await page.getByTestId('trace-row').nth(2).waitFor();
    await page.locator('body').click({ position: { x: 5, y: 400 } });
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    const selected = page.locator('[data-testid=trace-row].kb-selected');
    expect(await selected.count()).toBe(1);
    const id = await selected.getAttribute('data-trace-id');
    expect(id).toBe(await page.getByTestId('trace-row').first().getAttribute('data-trace-id'));
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`#/traces/${id}`));
    await page.getByTestId('waterfall-row').first().waitFor();
    await page.keyboard.press('j');
    await page.getByTestId('span-details').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('span-details').waitFor({ state: 'detached' });
    await page.keyboard.press('Escape');
    await page.waitForURL(/#\/traces$/);
    await page.keyboard.press('?');
    await page.getByTestId('shortcuts').waitFor();
    await screenshot(page, 'shortcuts-dark-1280');
    await page.keyboard.press('Escape');
    await page.getByTestId('shortcuts').waitFor({ state: 'hidden' });
  });

  it('remembers the theme across reloads; until one is picked it follows the system (issue 14)', async () => {
    const fresh = await b.browser.newPage();
    await fresh.emulateMedia({ colorScheme: 'light' });
    await fresh.goto(`${t.baseUrl}/#/services`);
    await fresh.evaluate(() => localStorage.clear());
    await fresh.reload();
    await fresh.getByTestId('service-row').first().waitFor();
    expect(await fresh.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    await fresh.getByTestId('theme-toggle').click();
    await fresh.reload();
    await fresh.getByTestId('service-row').first().waitFor();
    expect(await fresh.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await fresh.evaluate(() => localStorage.clear());
    await fresh.close();
  });

  it('opens the biggest trace allowed (10,000 spans) with virtualised rows and scrolls to its end', async () => {
    const started = Date.now();
    await page.goto(`${t.baseUrl}/#/traces/${bigTraceId}`);
    const wf = page.getByTestId('waterfall');
    await wf.waitFor();
    await page.getByTestId('waterfall-row').first().waitFor();
    console.log(`ui: ${BIG}-span trace shown after ${Date.now() - started} ms`);
    expect(await wf.getAttribute('data-row-count')).toBe(String(BIG));
    const inDom = await page.getByTestId('waterfall-row').count();
    expect(inDom).toBeGreaterThan(10);
    expect(inDom).toBeLessThan(200);
    const frames = await page.evaluate(async () => {
      const sc = document.querySelector('.wf-scroll') as HTMLElement;
      const times: number[] = [];
      let last = performance.now();
      for (let i = 1; i <= 30; i++) {
        sc.scrollTop = (sc.scrollHeight * i) / 30;
        await new Promise((r) => requestAnimationFrame(r));
        const now = performance.now();
        times.push(now - last);
        last = now;
      }
      times.sort((x, y) => x - y);
      return { n: times.length, median: times[times.length >> 1], worst: times[times.length - 1] };
    });
    console.log(`ui: jumped through ${BIG} rows in ${frames.n} frames, median ${Math.round(frames.median)} ms, worst ${Math.round(frames.worst)} ms`);
    const lastRow = page.locator('[data-testid=waterfall-row]').filter({ hasText: `step ${BIG / 2 - 1}` });
    await lastRow.waitFor();
    await screenshot(page, `trace-${BIG}-dark-1280`);
    expect(errors.filter((e) => !/favicon/.test(e))).toEqual([]);
  });
});
