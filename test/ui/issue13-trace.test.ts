// Browser tests of the issue 13 trace view against the real TinyOlly, fed by the OpenTelemetry JS SDK
// with the attributes the Node auto-instrumentations send: waterfall rows summarise a pg span by its
// SQL and an HTTP client span by method + URL (with icons); span details read status → exception
// (with the full stack trace) → events → attributes → resource (collapsed); the waterfall/details
// split is resizable, keeps a minimum waterfall width and is remembered; a trace without its root
// is marked incomplete.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type HrTime, type Span as ApiSpan } from '@opentelemetry/api';
import { getJson, startTinyOlly, waitFor, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { tracerProvider, type Target } from '../helpers/otel-sdk.js';
import { hasChromium, launchBrowser, newPage, screenshot, type LaunchedBrowser } from './browser.js';
import { sendChildSpan } from './seed.js';

if (!hasChromium) console.warn('test/ui skipped: /usr/bin/chromium is missing (apt-get install chromium)');

function at(baseMs: number, offsetMs: number): HrTime {
  const us = Math.round((baseMs + offsetMs) * 1000);
  return [Math.floor(us / 1e6), (us % 1e6) * 1000];
}

const SQL = 'SELECT id, total\n  FROM orders\n WHERE id = $1';
const STACK = "TypeError: Cannot read properties of undefined (reading 'total')\n    at render (/app/views/order.js:42:17)\n    at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)\n    at next (/app/node_modules/express/lib/router/route.js:149:13)";

/** An Express-like order page: frontend GET /orders/:id → HTTP client GET → backend → 3 pg queries (N+1); render fails. */
async function sendOrderTrace(t: Target, baseMs: number): Promise<{ traceId: string; spans: Record<string, string> }> {
  const fe = tracerProvider(t, { protocol: 'http/protobuf', serviceName: 'frontend' });
  const be = tracerProvider(t, { protocol: 'http/protobuf', serviceName: 'backend' });
  const ft = fe.getTracer('@opentelemetry/instrumentation-http');
  const bt = be.getTracer('@opentelemetry/instrumentation-pg');
  const under = (p: ApiSpan) => trace.setSpan(ROOT_CONTEXT, p);
  const spans: Record<string, string> = {};
  const done = (k: string, s: ApiSpan, end: number): void => { spans[k] = s.spanContext().spanId; s.end(at(baseMs, end)); };
  const root = ft.startSpan('GET /orders/:id', { kind: SpanKind.SERVER, startTime: at(baseMs, 0), attributes: {
    'http.request.method': 'GET', 'http.route': '/orders/:id', 'url.path': '/orders/7', 'http.response.status_code': 500 } }, ROOT_CONTEXT);
  const client = ft.startSpan('GET', { kind: SpanKind.CLIENT, startTime: at(baseMs, 5), attributes: {
    'http.request.method': 'GET', 'url.full': 'http://backend:8081/api/orders/7', 'http.response.status_code': 200, 'server.address': 'backend' } }, under(root));
  const server = bt.startSpan('GET /api/orders/:id', { kind: SpanKind.SERVER, startTime: at(baseMs, 8), attributes: {
    'http.method': 'GET', 'http.route': '/api/orders/:id', 'http.status_code': 200 } }, under(client));
  for (let i = 0; i < 3; i++) {
    const q = bt.startSpan('pg.query:SELECT shop', { kind: SpanKind.CLIENT, startTime: at(baseMs, 10 + i * 12), attributes: {
      'db.system.name': 'postgresql', 'db.namespace': 'shop', 'db.query.text': SQL, 'server.address': '127.0.0.1' } }, under(server));
    done(`query${i}`, q, 18 + i * 12);
  }
  done('server', server, 56);
  done('client', client, 58);
  const render = ft.startSpan('render order', { kind: SpanKind.INTERNAL, startTime: at(baseMs, 60), attributes: { 'app.template': 'order.html' } }, under(root));
  render.addEvent('cache miss', { 'cache.key': 'order:7' }, at(baseMs, 62));
  render.addEvent('exception', { 'exception.type': 'TypeError', 'exception.message': "Cannot read properties of undefined (reading 'total')", 'exception.stacktrace': STACK }, at(baseMs, 70));
  render.setStatus({ code: SpanStatusCode.ERROR, message: 'render failed' });
  done('render', render, 72);
  done('root', root, 80);
  await Promise.all([fe.forceFlush(), be.forceFlush()]);
  await Promise.all([fe.shutdown(), be.shutdown()]);
  return { traceId: root.spanContext().traceId, spans };
}

describe.skipIf(!hasChromium)('UI: span summaries, details order, split, incomplete trace (real TinyOlly)', () => {
  let t: TinyOllyProcess;
  let b: LaunchedBrowser;
  let page: Page;
  let errors: string[];
  let order: { traceId: string; spans: Record<string, string> };
  let orphanTrace: string;

  beforeAll(async () => {
    [t, b] = await Promise.all([startTinyOlly(), launchBrowser()]);
    ({ page, errors } = await newPage(b.browser, 1024, 800));
    order = await sendOrderTrace(t, Date.now() - 4_000);
    // A trace whose root has not arrived: one span under a parent that was never sent.
    orphanTrace = 'ab'.repeat(16);
    await sendChildSpan(t, orphanTrace, 'cd'.repeat(8), 'backend', 'middleware - query');
    await waitFor(async () => (await getJson(t.baseUrl, `/api/traces/${order.traceId}`)).body.spans?.length === 7, 15_000);
    await waitFor(async () => (await getJson(t.baseUrl, `/api/traces/${orphanTrace}`)).status === 200, 15_000);
  });
  afterAll(async () => {
    await b?.close();
    await t?.stop();
  });

  it('summarises each waterfall row from its attributes: SQL for pg spans, method + URL for HTTP, with icons', async () => {
    await page.goto(`${t.baseUrl}/#/traces/${order.traceId}`);
    const rows = page.getByTestId('waterfall-row');
    await waitFor(async () => (await rows.count()) === 7);
    const row = (k: string) => page.locator(`[data-span-id="${order.spans[k]}"]`);
    for (const k of ['query0', 'query1', 'query2']) {
      expect(await row(k).getByTestId('span-summary').textContent()).toBe('SELECT id, total');
      expect(await row(k).getByTestId('span-icon').getAttribute('data-icon')).toBe('db');
      expect(await row(k).getByTestId('span-icon').getAttribute('title')).toBe('db: postgresql');
    }
    expect(await row('client').getByTestId('span-summary').textContent()).toBe('GET http://backend:8081/api/orders/7 → 200');
    expect(await row('client').getByTestId('span-icon').getAttribute('data-icon')).toBe('http');
    expect(await row('server').getByTestId('span-summary').textContent()).toBe('GET /api/orders/:id → 200');
    const rootSummary = row('root').getByTestId('span-summary');
    expect(await rootSummary.textContent()).toBe('GET /orders/:id → 500');
    expect(await rootSummary.getAttribute('class')).toContain('http-err');
    expect(await row('render').getByTestId('span-summary').count()).toBe(0); // nothing to say
    // The summary is visible, not squeezed to nothing, at 1024 px.
    const w = await row('query0').getByTestId('span-summary').evaluate((el) => el.getBoundingClientRect().width);
    expect(w).toBeGreaterThan(40);
  });

  it('shows span details in the order status, exception (full stack trace), events, attributes, resource (collapsed)', async () => {
    await page.locator(`[data-span-id="${order.spans.render}"]`).click();
    const details = page.getByTestId('span-details');
    await details.waitFor();
    const ids = ['span-status', 'span-exception', 'span-events', 'span-attributes', 'span-resource'];
    const tops = await details.evaluate((el, ids) => ids.map((id) => {
      const x = el.querySelector(`[data-testid="${id}"]`);
      return x ? x.getBoundingClientRect().top : null;
    }), ids);
    expect(tops.every((v) => v !== null)).toBe(true);
    const sorted = [...(tops as number[])].sort((a, b) => a - b);
    expect(tops).toEqual(sorted);
    expect(await details.getByTestId('span-status').textContent()).toBe('ERRORrender failed');
    const exc = details.getByTestId('span-exception');
    expect(await exc.textContent()).toContain("TypeError: Cannot read properties of undefined (reading 'total')");
    const stack = exc.getByTestId('exception-stacktrace');
    expect(await stack.textContent()).toBe(STACK);
    const [stackW, panelW, font] = await stack.evaluate((el) => {
      const panel = el.closest('[data-testid=span-details]')!;
      const cs = getComputedStyle(panel);
      return [el.getBoundingClientRect().width, panel.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight), getComputedStyle(el).fontFamily];
    });
    expect(stackW).toBeGreaterThan(panelW * 0.9); // full width, not a table cell
    expect(font).toMatch(/mono/i);
    expect(await details.getByTestId('span-events').textContent()).toContain('cache miss');
    expect(await details.getByTestId('span-attributes').textContent()).toContain('app.template');
    const resource = details.getByTestId('span-resource');
    expect(await resource.evaluate((d: HTMLDetailsElement) => d.open)).toBe(false);
    expect(await resource.locator('table.kv').isVisible()).toBe(false);
    await resource.locator('summary').click();
    expect(await resource.locator('table.kv').isVisible()).toBe(true);
    expect(await resource.textContent()).toContain('service.name');
    await screenshot(page, 'issue13-trace-db-spans-1024');
  });

  it('resizes the waterfall/details split by dragging, keeps the waterfall readable and remembers the width', async () => {
    const handle = page.getByTestId('split-handle');
    await handle.waitFor();
    const widths = () => page.evaluate(() => ({
      wf: document.querySelector('.trace-main')!.getBoundingClientRect().width,
      details: document.querySelector('.details-host')!.getBoundingClientRect().width,
      label: document.querySelector('.wf-row .wf-label')!.getBoundingClientRect().width,
    }));
    const before = await widths();
    const box = (await handle.boundingBox())!;
    const drag = async (toX: number): Promise<void> => {
      const hb = (await handle.boundingBox())!;
      await page.mouse.move(hb.x + hb.width / 2, hb.y + 40);
      await page.mouse.down();
      await page.mouse.move(toX, hb.y + 40, { steps: 5 });
      await page.mouse.up();
    };
    // Wider details.
    await drag(box.x - 150);
    await waitFor(async () => (await widths()).details > before.details + 100);
    // As far left as it goes: the waterfall keeps its minimum width, its labels stay readable.
    await drag(20);
    const most = await widths();
    expect(most.wf).toBeGreaterThanOrEqual(479);
    expect(most.label).toBeGreaterThanOrEqual(200);
    // Narrower details.
    await drag(1000);
    const least = await widths();
    expect(least.details).toBeLessThan(most.details);
    expect(least.details).toBeGreaterThanOrEqual(259);
    await screenshot(page, 'issue13-trace-split-narrow-details-1024');
    await drag(box.x - 100);
    const chosen = (await widths()).details;
    // Remembered across a reload.
    await page.reload();
    await page.getByTestId('span-details').waitFor();
    await waitFor(async () => Math.abs((await widths()).details - chosen) <= 2);
    expect(await page.evaluate(() => localStorage.getItem('tinyolly.detailsWidth'))).toBe(String(Math.round(chosen)));
  });

  it('marks a trace whose root span has not arrived as incomplete', async () => {
    await page.goto(`${t.baseUrl}/#/traces/${orphanTrace}`);
    const marker = page.locator('.trace-head [data-testid=incomplete-marker]');
    await marker.waitFor();
    expect(await marker.textContent()).toBe('incomplete · root span not received yet');
    await page.goto(`${t.baseUrl}/#/traces/${order.traceId}`);
    await page.getByTestId('waterfall-row').first().waitFor();
    expect(await page.locator('.trace-head [data-testid=incomplete-marker]').count()).toBe(0);
    expect(errors.filter((e) => !/favicon/.test(e))).toEqual([]);
  });
});
