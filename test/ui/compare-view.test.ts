// Browser test of the compare page (issue 19) on a real TinyOlly fed by the official SDK: two traces
// picked in the traces list open side by side (aligned nodes, counts, deltas; a node opens its span
// in trace A or B), and "compare before/after" on an operation of the Services page compares two
// windows picked by a preset and by dragging on the chart. Screenshots go to test-output/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Tracer } from '@opentelemetry/api';
import type { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { getJson, startTinyOlly, waitFor, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { tracerProvider } from '../helpers/otel-sdk.js';
import { sendOrderTrace } from '../helpers/order-traces.js';
import { hasChromium, launchBrowser, newPage, screenshot, type LaunchedBrowser } from './browser.js';

const LOOP_STMT = 'SELECT * FROM items WHERE order_id = $1';
const BATCH_STMT = 'SELECT * FROM items WHERE order_id = ANY($1)';
const MIN = 60_000;

describe.skipIf(!hasChromium)('UI: the compare page (real TinyOlly)', () => {
  let t: TinyOllyProcess;
  let b: LaunchedBrowser;
  let page: Page;
  let errors: string[];
  let provider: BasicTracerProvider;
  let tracer: Tracer;
  let batched = '';
  let loop = '';
  const nowMs = Date.now();

  beforeAll(async () => {
    [t, b] = await Promise.all([startTinyOlly(), launchBrowser()]);
    ({ page, errors } = await newPage(b.browser, 1280, 860));
    provider = tracerProvider({ grpcUrl: t.grpcUrl, otlpHttpUrl: t.otlpHttpUrl }, { protocol: 'http/protobuf', serviceName: 'shop' });
    tracer = provider.getTracer('compare-view');
    // Each trace is flushed before the next (the SDK's simple processor caps concurrent exports).
    const send = async (t0: number, shape: Parameters<typeof sendOrderTrace>[2]) => {
      const id = sendOrderTrace(tracer, t0, shape);
      await provider.forceFlush();
      return id;
    };
    // Two traces: the batched one first (A, the earlier), the N+1 loop of 20 queries after it (B).
    batched = await send(nowMs - 8000, { queries: 1, queryMs: 5, statement: BATCH_STMT });
    loop = await send(nowMs - 6000, { queries: 20, queryMs: 2, statement: LOOP_STMT });
    // GET /report: 5 fast requests 25–21 min ago, 5 slow ones (render +40 ms) in the last 5 minutes.
    for (let i = 0; i < 5; i++) await send(nowMs - 25 * MIN + i * MIN, { root: 'GET /report', renderMs: 5 });
    for (let i = 0; i < 5; i++) await send(nowMs - 5 * MIN + i * MIN, { root: 'GET /report', renderMs: 45 });
    await waitFor(async () => (await getJson(t.baseUrl, `/api/traces/${loop}`)).body.spans?.length === 21, 15_000);
    await waitFor(async () => (await getJson(t.baseUrl, '/api/traces?name=GET%20%2Freport&limit=100')).body.traces?.length === 10, 15_000);
  }, 60_000);
  afterAll(async () => {
    await provider?.shutdown();
    await b?.close();
    await t?.stop();
  });

  it('picks two traces in the list and shows their trees side by side; a node opens its span in A or B', async () => {
    await page.goto(`${t.baseUrl}/#/traces`);
    const rowOf = (id: string) => page.locator(`[data-testid="trace-row"][data-trace-id="${id}"]`);
    await rowOf(loop).waitFor({ timeout: 15_000 });
    const button = page.getByTestId('compare-selected');
    expect(await button.isDisabled()).toBe(true);
    // Picked newest first: the page still makes the earlier trace A.
    await rowOf(loop).getByTestId('trace-select').check();
    await rowOf(batched).getByTestId('trace-select').check();
    expect(page.url()).toContain('#/traces');
    await button.click();
    await waitFor(async () => page.url().includes('#/compare?'), 10_000);
    expect(new URL(page.url()).hash).toBe(`#/compare?a=${batched}&b=${loop}`);

    const row = page.locator('[data-testid="compare-row"][data-path="shop:GET /orders > shop:pg.query"]');
    await row.waitFor({ timeout: 15_000 });
    // Tree order: the root first, its child below; both sides named, B folded into ×20.
    const paths = await page.getByTestId('compare-row').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-path')));
    expect(paths).toEqual(['shop:GET /orders', 'shop:GET /orders > shop:pg.query']);
    expect(await row.locator('td[data-side="a"]').textContent()).toBe('pg.query');
    expect(await row.locator('td[data-side="b"]').textContent()).toBe('pg.query×20');
    const delta = row.getByTestId('compare-delta');
    expect(await delta.textContent()).toBe('+35ms');
    expect(await delta.getAttribute('class')).toContain('delta-up');
    const findings = page.getByTestId('compare-findings');
    expect(await findings.locator('li[data-kind="n-plus-one"]').count()).toBe(1);
    expect(await findings.textContent()).toContain(LOOP_STMT);
    await screenshot(page, 'compare-traces');

    // In tree order the child is indented; biggest Δ first (the root's +54ms, then the queries' +35ms) is flat.
    const indent = () => row.locator('td[data-side="a"] .cmp-node').evaluate((e) => (e as HTMLElement).style.paddingLeft);
    expect(await indent()).toBe('14px');
    await page.getByTestId('compare-sort-delta').click();
    expect(await page.getByTestId('compare-row').evaluateAll((rs) => rs.map((r) => r.querySelector('[data-testid="compare-delta"]')!.textContent)))
      .toEqual(['+54ms', '+35ms']);
    expect(await indent()).toBe('');

    // The B side opens the first of the 20 queries in trace B; the A side the batched query in A.
    const api = (await getJson(t.baseUrl, `/api/compare?a=${batched}&b=${loop}`)).body;
    const node = api.nodes.find((n: any) => n.path.at(-1) === 'shop:pg.query');
    const firstLoop = (await getJson(t.baseUrl, `/api/traces/${loop}`)).body.spans.find((s: any) => s.name === 'pg.query');
    expect(node.spanIdB).toBe(firstLoop.spanId);
    const reopen = row.getByTestId('compare-open-b');
    await reopen.click();
    await waitFor(async () => page.url().includes(`#/traces/${loop}?span=${node.spanIdB}`), 10_000);
    await waitFor(async () => (await page.locator('.details-host').textContent())?.includes('pg.query') ?? false, 15_000);
    await page.goBack();
    await row.getByTestId('compare-open-a').click();
    await waitFor(async () => page.url().includes(`#/traces/${batched}?span=${node.spanIdA}`), 10_000);
    expect(errors).toEqual([]);
  });

  it('compares two windows of an operation from the Services page: a preset, then a drag on the chart', async () => {
    await page.goto(`${t.baseUrl}/#/services`);
    const op = page.locator('[data-testid="operation-row"][data-operation="GET /report"]');
    await op.waitFor({ timeout: 15_000 });
    await op.getByTestId('compare-windows').click();
    await waitFor(async () => page.url().includes('#/compare?root='), 10_000);
    await page.getByTestId('window-chart').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('compare-pick-hint').count()).toBe(1);

    // Last 15 min vs the 15 before: A holds the 5 fast requests, B the 5 slow ones.
    await page.getByTestId('window-preset-15').click();
    const render = page.locator('[data-testid="compare-row"][data-path="shop:GET /report > shop:render"]');
    await render.waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('compare-window-a').textContent()).toContain('5 traces');
    expect(await page.getByTestId('compare-window-b').textContent()).toContain('5 traces');
    expect(await render.getByTestId('compare-p50a').textContent()).toBe('5ms');
    expect(await render.getByTestId('compare-p50b').textContent()).toBe('45ms');
    expect(await render.getByTestId('compare-delta').textContent()).toBe('+40ms');
    expect(await page.getByTestId('compare-findings').locator('li[data-kind="slower"]').first().textContent()).toContain('shop:render');
    expect(new URL(page.url()).hash).toMatch(/^#\/compare\?root=GET\+%2Freport&service=shop&a_start=\d+&a_end=\d+&b_start=\d+&b_end=\d+$/);
    const q0 = () => new URLSearchParams(new URL(page.url()).hash.split('?')[1]);
    await screenshot(page, 'compare-windows');
    // Each window's traces open in the list, for that window.
    const listA = new URLSearchParams((await page.getByTestId('compare-window-traces-a').getAttribute('href'))!.split('?')[1]);
    expect([listA.get('service'), listA.get('name'), listA.get('start')]).toEqual(['shop', 'GET /report', String(Math.floor(Number(q0().get('a_start'))))]);
    // The windows live in the URL: a reload (or a shared link) answers the same without picking.
    await page.reload();
    await render.waitFor({ timeout: 15_000 });
    expect(await render.getByTestId('compare-p50b').textContent()).toBe('45ms');
    expect(await page.getByTestId('window-band-a').getAttribute('width')).not.toBe('0');

    // Drag A over minutes 26–20 ago and B over the last 6: the same answer from the chart.
    const chart = page.getByTestId('window-chart');
    const [from, to] = [Number(await chart.getAttribute('data-from')), Number(await chart.getAttribute('data-to'))];
    const box = (await chart.boundingBox())!;
    const xOf = (unixMs: number) => box.x + ((unixMs / 1000 - from) / (to - from)) * box.width;
    const drag = async (startMs: number, endMs: number) => {
      await page.mouse.move(xOf(startMs), box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(xOf((startMs + endMs) / 2), box.y + box.height / 2, { steps: 3 });
      await page.mouse.move(xOf(endMs), box.y + box.height / 2, { steps: 3 });
      await page.mouse.up();
    };
    const before = new URL(page.url()).hash;
    await page.getByTestId('window-mode-a').click();
    await drag(nowMs - 26 * MIN, nowMs - 20 * MIN);
    await waitFor(async () => new URL(page.url()).hash !== before, 10_000);
    await drag(nowMs - 6 * MIN, Math.min(nowMs + 0.5 * MIN, to * 1000 - 1));
    const q = () => new URLSearchParams(new URL(page.url()).hash.split('?')[1]);
    await waitFor(async () => Number(q().get('b_start')) > nowMs / 1000 - 7 * 60, 10_000);
    expect(Number(q().get('a_end')) - Number(q().get('a_start'))).toBeGreaterThanOrEqual(6 * 60);
    expect(Number(q().get('a_end'))).toBeLessThan(nowMs / 1000 - 19 * 60);
    await waitFor(async () => (await page.getByTestId('compare-window-b').textContent())?.includes('5 traces') ?? false, 15_000);
    expect(await page.getByTestId('compare-window-a').textContent()).toContain('5 traces');
    expect(await render.getByTestId('compare-p50b').textContent()).toBe('45ms');
    expect(errors).toEqual([]);
  });
});
