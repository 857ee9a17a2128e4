// Browser tests of the issue 13 views against a stub API (test/ui/stub-api.ts) that answers with the
// shapes CONTRACT §4 adds (typed service-map nodes, operations, ratePerMinute, incomplete), so they
// do not depend on the server producing them: the service map at 1024 px with 20 services (no label
// box overlaps a node box or another label), node and edge clicks, the services page's operations
// table and the incomplete-trace marker in the list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { waitFor } from '../helpers/start-tinyolly.js';
import { hasChromium, launchBrowser, newPage, screenshot, type LaunchedBrowser } from './browser.js';
import { startStubApi, type StubApi } from './stub-api.js';

if (!hasChromium) console.warn('test/ui skipped: /usr/bin/chromium is missing (apt-get install chromium)');

const NOW_NS = `${BigInt(Date.now()) * 1_000_000n}`;
const svc = (i: number): string => ['gateway', 'web-frontend', 'checkout-service', 'cart', 'payments-gateway-adapter', 'inventory',
  'shipping', 'recommendations', 'users', 'auth', 'search', 'catalog', 'pricing', 'notifications', 'email-sender', 'ads',
  'fraud-detection', 'quote', 'currency', 'reviews'][i];

/** 20 services in a layered call graph, plus a database, a queue and an external peer; busy, erroring edges. */
function bigMap(): { nodes: { name: string; type: string }[]; edges: { source: string; target: string; callCount: number; errorCount: number; p50Ms: number }[] } {
  const nodes = Array.from({ length: 20 }, (_, i) => ({ name: svc(i), type: 'service' }));
  nodes.push({ name: 'postgresql shop', type: 'database' }, { name: 'kafka orders', type: 'messaging' }, { name: 'api.stripe.com', type: 'external' });
  const pairs: [number, number][] = [
    [0, 1], [0, 2], [0, 8], [0, 9], [0, 10], [1, 3], [1, 7], [1, 11], [1, 15], [2, 3], [2, 4], [2, 5], [2, 6], [2, 12],
    [2, 13], [3, 5], [4, 16], [6, 17], [12, 18], [13, 14], [10, 11], [11, 19], [7, 11], [8, 9], [16, 9], [5, 12],
  ];
  const edges = pairs.map(([a, b], k) => ({ source: svc(a), target: svc(b), callCount: 392 + k * 1237, errorCount: k % 3 === 0 ? 74 + k : 0, p50Ms: 3.5 + k }));
  edges.push(
    { source: svc(3), target: 'postgresql shop', callCount: 45_210, errorCount: 12, p50Ms: 0.8 },
    { source: svc(5), target: 'postgresql shop', callCount: 8_001, errorCount: 0, p50Ms: 1.1 },
    { source: svc(8), target: 'postgresql shop', callCount: 3_100, errorCount: 0, p50Ms: 0.9 },
    { source: svc(2), target: 'kafka orders', callCount: 2_048, errorCount: 0, p50Ms: 0.3 },
    { source: svc(4), target: 'api.stripe.com', callCount: 999, errorCount: 101, p50Ms: 220 },
    { source: svc(9), target: svc(0), callCount: 17, errorCount: 0, p50Ms: 2 }, // a cycle back to the gateway
  );
  return { nodes, edges };
}

const traceSummary = (id: string, rootName: string, services: string[], extra: Record<string, unknown> = {}) => ({
  traceId: id, rootName, rootService: services[0], startTimeUnixNano: NOW_NS, durationMs: 12.5, spanCount: 9, errorCount: 0, services, ...extra,
});

const spark = (k: number) => Array.from({ length: 30 }, (_, i) => Math.round(10 + 8 * Math.sin((i + k) / 3) + i / 2));

describe.skipIf(!hasChromium)('UI (stub API): service map layout, operations, incomplete traces', () => {
  let stub: StubApi;
  let b: LaunchedBrowser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    [stub, b] = await Promise.all([startStubApi({
      '/api/stats': { traces: 3, spans: 300, logs: 0, metrics: 0, storage: 'memory', uptimeSeconds: 1200 },
      '/api/service-map': bigMap(),
      // The Services page asks the doctor for its per-service badges.
      '/api/doctor': { findings: [], rules: [] },
      '/api/services': { services: [
        { name: 'checkout-service', spanCount: 50_000, errorCount: 900, requestCount: 5_000, requestErrorCount: 1_000, p50Ms: 4.6, p95Ms: 31, p99Ms: 88, ratePerMinute: 120, logCount: 10, metricCount: 3 },
        { name: 'cart', spanCount: 9_000, errorCount: 0, requestCount: 3_000, requestErrorCount: 0, p50Ms: 1.2, p95Ms: 7, p99Ms: 12, ratePerMinute: 0.5, logCount: 0, metricCount: 0 },
      ] },
      '/api/services/checkout-service/operations': { operations: [
        { name: 'POST /checkout', kind: 'SERVER', requestCount: 4_000, requestErrorCount: 800, p50Ms: 5.1, p95Ms: 35, p99Ms: 90, ratePerMinute: 96, sparkline: spark(0) },
        { name: 'GET /checkout/:id', kind: 'SERVER', requestCount: 1_000, requestErrorCount: 200, p50Ms: 2.2, p95Ms: 9, p99Ms: 20, ratePerMinute: 24, sparkline: spark(4) },
      ] },
      '/api/services/cart/operations': { operations: [
        { name: 'cart.Add', kind: 'SERVER', requestCount: 3_000, requestErrorCount: 0, p50Ms: 1.2, p95Ms: 7, p99Ms: 12, ratePerMinute: 0.5, sparkline: spark(2) },
      ] },
      '/api/traces': (url: URL) => {
        const all = [
          traceSummary('a1'.repeat(16), 'middleware - query', ['checkout-service', 'postgresql shop'], { incomplete: true, spanCount: 106 }),
          traceSummary('b2'.repeat(16), 'POST /checkout', ['checkout-service', 'cart']),
          traceSummary('c3'.repeat(16), 'GET /cart', ['cart']),
        ];
        const service = url.searchParams.get('service');
        return { traces: service ? all.filter((t) => t.services.includes(service)) : all };
      },
    }), launchBrowser()]);
    ({ page, errors } = await newPage(b.browser, 1024, 800));
  });
  afterAll(async () => {
    await b?.close();
    await stub?.close();
  });

  it('lays out 20 services at 1024 px with no edge label over a node or another label, arrows and typed nodes', async () => {
    await page.goto(`${stub.baseUrl}/#/service-map`);
    const map = page.getByTestId('service-map');
    await map.waitFor();
    await waitFor(async () => (await map.locator('[data-testid=map-node]').count()) === 23);
    const geo = await page.evaluate(() => {
      const box = (el: Element) => { const r = el.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; };
      const nodes = Array.from(document.querySelectorAll('[data-testid=map-node]')).map((n) => ({ name: n.getAttribute('data-service'), ...box(n.querySelector('.node-box')!) }));
      const labels = Array.from(document.querySelectorAll('[data-testid=edge-label]'))
        .filter((l) => getComputedStyle(l).display !== 'none')
        .map((l) => ({ edge: l.getAttribute('data-edge'), text: l.querySelector('text')!.textContent, bg: box(l.querySelector('.edge-label-bg')!), text2: box(l.querySelector('text')!) }));
      const hidden = document.querySelectorAll('[data-testid=edge-label].hover-only').length;
      const markers = Array.from(document.querySelectorAll('.edge-line')).map((p) => p.getAttribute('marker-end'));
      return { nodes, labels, hidden, markers, types: Array.from(document.querySelectorAll('[data-testid=map-node]')).map((n) => n.getAttribute('data-type')) };
    });
    const over = (a: { x: number; y: number; w: number; h: number }, b: { x: number; y: number; w: number; h: number }) =>
      a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
    const edges = 32;
    expect(geo.labels.length + geo.hidden).toBe(edges);
    // Most labels are shown permanently (the rest on hover).
    expect(geo.labels.length).toBeGreaterThanOrEqual(Math.ceil(edges * 0.8));
    const clashes: string[] = [];
    for (const l of geo.labels) {
      // The text sits inside its box.
      expect(l.text2.x).toBeGreaterThanOrEqual(l.bg.x - 1);
      expect(l.text2.x + l.text2.w).toBeLessThanOrEqual(l.bg.x + l.bg.w + 1);
      for (const n of geo.nodes) if (over(l.bg, n)) clashes.push(`${l.text} over node ${n.name}`);
    }
    for (let i = 0; i < geo.labels.length; i++) for (let j = i + 1; j < geo.labels.length; j++) {
      if (over(geo.labels[i].bg, geo.labels[j].bg)) clashes.push(`${geo.labels[i].text} over ${geo.labels[j].text}`);
    }
    expect(clashes).toEqual([]);
    // No label is cut: each reads its whole count.
    expect(geo.labels.map((l) => l.text).join(' ')).not.toMatch(/··|…/);
    expect(geo.markers.every((m) => m === 'url(#arrow)' || m === 'url(#arrow-err)')).toBe(true);
    expect(geo.types.filter((t) => t === 'service')).toHaveLength(20);
    expect(geo.types.filter((t) => t !== 'service').sort()).toEqual(['database', 'external', 'messaging']);
    expect(await map.locator('[data-type=database] .node-db').count()).toBe(1);
    expect(await map.locator('[data-type=external] .node-ext').count()).toBe(1);
    expect(await map.locator('[data-type=messaging] .node-mq').count()).toBe(1);
    // Nodes never overlap each other either.
    for (let i = 0; i < geo.nodes.length; i++) for (let j = i + 1; j < geo.nodes.length; j++) expect(over(geo.nodes[i], geo.nodes[j])).toBe(false);
    await screenshot(page, 'issue13-service-map-20-services-1024');
    expect(errors).toEqual([]);
  });

  it('opens the traces between two services from an edge, and a service\'s traces from its node', async () => {
    const label = page.locator('[data-testid=edge-label][data-edge="checkout-service → cart"]');
    expect(await label.getAttribute('class')).not.toContain('hover-only');
    await label.dispatchEvent('click');
    const examples = page.getByTestId('edge-traces');
    await examples.waitFor();
    expect(await examples.locator('a').allTextContents()).toEqual(['POST /checkout']);
    await page.getByRole('link', { name: 'All traces between them →' }).click();
    await page.waitForURL(/#\/traces\?service=checkout-service&via=cart$/);
    const rows = page.getByTestId('trace-row');
    await waitFor(async () => (await rows.count()) === 1);
    expect(await rows.first().getAttribute('data-trace-id')).toBe('b2'.repeat(16));
    expect(await page.getByTestId('via-filter').textContent()).toContain('cart');
    await page.goto(`${stub.baseUrl}/#/service-map`);
    await page.locator('[data-testid=map-node][data-service=cart]').click();
    await page.waitForURL(/#\/traces\?service=cart$/);
    await waitFor(async () => (await rows.count()) === 2);
    expect(await page.getByLabel('Service', { exact: true }).inputValue()).toBe('cart');
  });

  it('marks a trace whose root has not arrived as incomplete in the list', async () => {
    await page.goto(`${stub.baseUrl}/#/traces?service=`); // clears the service filter the map set
    const row = page.locator(`[data-testid=trace-row][data-trace-id="${'a1'.repeat(16)}"]`);
    await row.waitFor();
    expect(await row.getByTestId('incomplete-marker').textContent()).toBe('incomplete');
    expect(await row.getByTestId('incomplete-marker').getAttribute('title')).toMatch(/root span has not been received/);
    expect(await page.locator(`[data-testid=trace-row][data-trace-id="${'b2'.repeat(16)}"] [data-testid=incomplete-marker]`).count()).toBe(0);
  });

  it('shows each service\'s operations with rate, error %, percentiles and a sparkline; an operation opens its traces', async () => {
    await page.goto(`${stub.baseUrl}/#/services`);
    const rows = page.getByTestId('service-row');
    await waitFor(async () => (await rows.count()) === 2);
    const checkout = rows.filter({ hasText: 'checkout-service' });
    const text = (await checkout.textContent())!;
    expect(await checkout.getByTestId('service-rate').textContent()).toBe('120'); // ratePerMinute, not spans / uptime
    expect(await rows.filter({ hasText: 'cart' }).getByTestId('service-rate').textContent()).toBe('0.5');
    expect(text).toContain('20%'); // 1,000 of 5,000 requests, not 900 of 50,000 spans
    expect(text).toContain('88ms');
    // The busiest service starts open.
    const ops = page.locator('[data-testid=operations-table][data-service=checkout-service]');
    await ops.waitFor();
    const opRows = ops.getByTestId('operation-row');
    expect(await opRows.count()).toBe(2);
    const first = (await opRows.first().textContent())!;
    for (const s of ['POST /checkout', 'SERVER', '96', '20%', '5.1ms', '35ms', '90ms']) expect(first).toContain(s);
    expect(await opRows.first().getByTestId('sparkline').getAttribute('data-points')).toBe('30');
    expect(await opRows.first().locator('polyline').getAttribute('points')).toMatch(/^([\d.]+,[\d.]+ ){29}[\d.]+,[\d.]+$/);
    // Open the second service's operations.
    await rows.filter({ hasText: 'cart' }).getByTestId('ops-toggle').click();
    await page.locator('[data-testid=operations-table][data-service=cart] [data-testid=operation-row]').waitFor();
    await screenshot(page, 'issue13-services-1024');
    await opRows.nth(1).click();
    await page.waitForURL(/#\/traces\?service=checkout-service&name=GET\+%2Fcheckout%2F%3Aid$/);
    expect(await page.getByLabel('Span name').inputValue()).toBe('GET /checkout/:id');
    await waitFor(() => stub.requests.some((r) => r.startsWith('/api/traces?') && r.includes('service=checkout-service') && r.includes('name=GET+%2Fcheckout%2F%3Aid')));
    expect(errors).toEqual([]);
  });
});
