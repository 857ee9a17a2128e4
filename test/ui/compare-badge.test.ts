// Browser test of the N+1 badge on the trace view (issue 19): a trace whose handler runs the same
// query 20 times in sequence shows the badge with the count and the statement; its batched twin does not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { getJson, startTinyOlly, waitFor, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { tracerProvider } from '../helpers/otel-sdk.js';
import { hasChromium, launchBrowser, newPage, type LaunchedBrowser } from './browser.js';

describe.skipIf(!hasChromium)('UI: N+1 badge on the trace view (real TinyOlly)', () => {
  let t: TinyOllyProcess;
  let b: LaunchedBrowser;
  let page: Page;
  let errors: string[];
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    [t, b] = await Promise.all([startTinyOlly(), launchBrowser()]);
    ({ page, errors } = await newPage(b.browser, 1024, 800));
    const p = tracerProvider({ grpcUrl: t.grpcUrl, otlpHttpUrl: t.otlpHttpUrl }, { protocol: 'http/protobuf', serviceName: 'shop' });
    const tracer = p.getTracer('badge');
    const base = Date.now() - 5000;
    for (const [key, n, stmt] of [['loop', 20, 'SELECT * FROM items WHERE order_id = $1'], ['batched', 1, 'SELECT * FROM items WHERE order_id = ANY($1)']] as const) {
      const root = tracer.startSpan('GET /orders', { startTime: new Date(base) }, ROOT_CONTEXT);
      for (let i = 0; i < n; i++) {
        tracer.startSpan('pg.query', { startTime: new Date(base + 1 + i * 2), attributes: { 'db.system.name': 'postgresql', 'db.query.text': stmt } },
          trace.setSpan(ROOT_CONTEXT, root)).end(new Date(base + 2 + i * 2));
      }
      root.end(new Date(base + 50));
      ids[key] = root.spanContext().traceId;
    }
    await p.forceFlush();
    await p.shutdown();
    await waitFor(async () => (await getJson(t.baseUrl, `/api/traces/${ids.loop}`)).body.spans?.length === 21, 15_000);
    await waitFor(async () => (await getJson(t.baseUrl, `/api/traces/${ids.batched}`)).status === 200, 15_000);
  });
  afterAll(async () => {
    await b?.close();
    await t?.stop();
  });

  it('shows the badge with the count, and the statement in its title, only on the N+1 trace', async () => {
    await page.goto(`${t.baseUrl}/#/traces/${ids.loop}`);
    const badge = page.getByTestId('n-plus-one-badge');
    await waitFor(async () => (await badge.count()) === 1, 15_000);
    expect(await badge.textContent()).toBe('N+1 · 20× pg.query');
    expect(await badge.getAttribute('title')).toContain('SELECT * FROM items WHERE order_id = $1');

    await page.goto(`${t.baseUrl}/#/traces/${ids.batched}`);
    await waitFor(async () => (await page.getByTestId('waterfall-row').count()) === 2, 15_000);
    expect(await page.getByTestId('n-plus-one-badge').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('compares the batched trace with the N+1 one from the trace view: findings and the node table, biggest delta first', async () => {
    await page.goto(`${t.baseUrl}/#/traces/${ids.batched}?compare=${ids.loop}`);
    const rows = page.getByTestId('compare-row');
    await waitFor(async () => (await rows.count()) >= 1, 15_000);
    const first = rows.first();
    expect(await first.locator('td').first().textContent()).toBe('shop:pg.query');
    expect(await first.locator('td').nth(2).textContent()).toBe('1→20');
    expect(await first.getByTestId('compare-delta').textContent()).toMatch(/^\+/);
    const findings = page.getByTestId('compare-findings');
    expect(await findings.locator('li[data-kind="n-plus-one"]').count()).toBe(1);
    expect(await findings.textContent()).toContain('SELECT * FROM items WHERE order_id = $1');
    // And it opens the side-by-side page for the same pair.
    expect(await page.getByTestId('compare-side-by-side').getAttribute('href')).toBe(`#/compare?a=${ids.batched}&b=${ids.loop}`);
    // A bad id is refused in the panel, without a request.
    await page.getByTestId('compare-input').fill('nope');
    await page.getByTestId('compare-go').click();
    await waitFor(async () => (await page.locator('.compare-out').textContent())?.includes('32 hex digits') ?? false, 5_000);
    expect(errors).toEqual([]);
  });
});
