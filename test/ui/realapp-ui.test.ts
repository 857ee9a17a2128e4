// Browser tests of the issue 13 views against the real thing: a real TinyOlly fed by the real
// instrumented app of test/realapp/ (two Express services → PostgreSQL, auto-instrumented with the
// official Node SDK). The expectations come from the requests this file drove and their statuses,
// read from what Chromium shows at 1024 px: the services page (error % over requests, the
// operations table with the real route names, an operation opening its traces), the service map
// (the postgresql database node, no edge label over a node) and an N+1 trace (N rows whose
// summary is the SQL). Screenshots land in test-output/screenshots/realapp-*-1024.png (copies are kept in docs/screenshots/).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { getJson, startTinyOlly, waitFor, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { ITEMS, runPlan, startRealApp, type RealApp } from '../realapp/realapp.js';
import { formatPercent } from '../../ui/src/lib/format.js';
import type { OperationStats, ServiceMap, TraceSummary } from '../../src/model/model.js';
import { hasChromium, launchBrowser, newPage, SCREENSHOTS, type LaunchedBrowser } from './browser.js';

if (!hasChromium) console.warn('test/ui skipped: /usr/bin/chromium is missing (apt-get install chromium)');

/** Requests per frontend route; every 5th flaky request fails in the backend (20 %). */
const PLAN = [['/api/normal', 4], ['/api/flaky', 10], ['/api/n-plus-one', 2]] as const;
const DB_NODE = 'postgresql test';

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

describe.skipIf(!hasChromium)('UI on a real instrumented app (real TinyOlly, Express + pg, Node SDK)', () => {
  let tiny: TinyOllyProcess;
  let app: RealApp;
  let b: LaunchedBrowser;
  let page: Page;
  let errors: string[];
  let statuses = new Map<string, number[]>();
  let total = 0;
  let failed = 0;
  let queries = 0;

  const operations = async (svc: string): Promise<OperationStats[]> =>
    (await getJson<{ operations: OperationStats[] }>(tiny.baseUrl, `/api/services/${encodeURIComponent(svc)}/operations`)).body.operations ?? [];
  const serverCount = (ops: OperationStats[]): number => ops.filter((o) => o.kind === 'SERVER').reduce((n, o) => n + o.requestCount, 0);

  beforeAll(async () => {
    [tiny, b] = await Promise.all([startTinyOlly(), launchBrowser()]);
    app = await startRealApp(tiny.otlpHttpUrl);
    ({ statuses, total, failed, queries } = await runPlan(app, PLAN));
    await waitFor(async () => {
      const map = (await getJson<ServiceMap>(tiny.baseUrl, '/api/service-map')).body;
      const db = map.edges.find((e) => e.source === app.backend && e.target === DB_NODE);
      return serverCount(await operations(app.frontend)) === total && serverCount(await operations(app.backend)) === total && db?.callCount === queries;
    }, 120_000, 250);
    ({ page, errors } = await newPage(b.browser, 1024, 800));
  }, 300_000);

  afterAll(async () => {
    await app?.stop();
    await b?.close();
    await tiny?.stop();
  });

  it('drove 20 % failing flaky requests and nothing else failing', () => {
    expect(statuses.get('/api/flaky')!.filter((s) => s >= 500)).toHaveLength(2);
    expect(failed).toBe(2);
  });

  it('services page: the frontend\'s error % is the share of failed requests; its operations are the real routes; an operation opens its traces', async () => {
    await page.goto(`${tiny.baseUrl}/#/services`);
    const row = page.locator(`[data-testid=service-row][data-service="${app.frontend}"]`);
    await row.waitFor({ timeout: 30_000 });
    // Root spans outside any request (e.g. a dns.lookup at start-up) count as requests too (CONTRACT §5).
    const strays = (await operations(app.frontend)).filter((o) => o.kind !== 'SERVER').reduce((n, o) => n + o.requestCount, 0);
    const cells = await row.locator('td').allTextContents();
    // Columns: Service, Req / min, Error %, p50, p95, p99, Req, Spans, Logs, Metrics, links.
    expect(cells[2]).toBe(formatPercent(failed, total + strays));
    expect(cells[6]).toBe(String(total + strays));
    const ops = page.locator(`[data-testid=operations-table][data-service="${app.frontend}"]`);
    if (!(await ops.isVisible())) await row.getByTestId('ops-toggle').click();
    await ops.waitFor({ timeout: 30_000 });
    const opRows = ops.getByTestId('operation-row');
    await waitFor(async () => (await opRows.count()) >= PLAN.length, 30_000);
    const byName = new Map<string, string[]>();
    for (const r of await opRows.all()) byName.set((await r.getAttribute('data-operation'))!, await r.locator('td').allTextContents());
    for (const [route, n] of PLAN) {
      const c = byName.get(`GET ${route}`);
      expect(c, `operation GET ${route} in ${[...byName.keys()].join(', ')}`).toBeDefined();
      // Operation, Kind, Req / min, Error %, p50, p95, p99, Req, Trend.
      expect(c![1]).toBe('SERVER');
      expect(c![3]).toBe(formatPercent(statuses.get(route)!.filter((s) => s >= 500).length, n));
      expect(c![7]).toBe(String(n));
    }
    expect(byName.get('GET /api/flaky')![3]).toBe('20%');
    expect(await ops.locator('[data-operation="GET /api/flaky"] [data-testid=sparkline]').getAttribute('data-points')).toBe('30');
    await shot(page, 'realapp-services-1024');

    await ops.locator('[data-operation="GET /api/flaky"]').locator('td').nth(1).click();
    await page.waitForURL((u) => u.hash.startsWith('#/traces?') && u.hash.includes('name=GET+%2Fapi%2Fflaky'), { timeout: 30_000 });
    expect(await page.getByLabel('Service', { exact: true }).inputValue()).toBe(app.frontend);
    expect(await page.getByLabel('Span name').inputValue()).toBe('GET /api/flaky');
    const traces = page.getByTestId('trace-row');
    await waitFor(async () => (await traces.count()) === 10, 30_000);
    const names = await traces.locator('.row-title').allTextContents();
    expect(names).toEqual(Array(10).fill('GET /api/flaky'));
    expect(await page.locator('[data-testid=trace-row].has-error').count()).toBe(2);
    // Every trace arrived whole (the SDKs were flushed first): none is marked incomplete.
    expect(await page.getByTestId('incomplete-marker').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('service map: a database node for postgresql, and no edge label over a node', async () => {
    await page.goto(`${tiny.baseUrl}/#/service-map`);
    const map = page.getByTestId('service-map');
    await map.waitFor({ timeout: 30_000 });
    const db = map.locator('[data-testid=map-node][data-type=database]');
    await db.waitFor({ timeout: 30_000 });
    expect(await db.getAttribute('data-service')).toBe(DB_NODE);
    expect(await db.textContent()).toContain('postgresql');
    expect(await db.locator('.node-db').count()).toBe(1);
    const geo = await page.evaluate(() => {
      const box = (el: Element) => { const r = el.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; };
      const nodes = Array.from(document.querySelectorAll('[data-testid=map-node]')).map((n) => ({ name: n.getAttribute('data-service'), type: n.getAttribute('data-type'), ...box(n.querySelector('.node-box')!) }));
      const labels = Array.from(document.querySelectorAll('[data-testid=edge-label]'))
        .filter((l) => getComputedStyle(l).display !== 'none')
        .map((l) => ({ edge: l.getAttribute('data-edge'), text: l.querySelector('text')!.textContent, bg: box(l.querySelector('.edge-label-bg')!), t: box(l.querySelector('text')!) }));
      return { nodes, labels, width: document.documentElement.clientWidth };
    });
    expect(geo.nodes.map((n) => [n.name, n.type]).sort()).toEqual([[app.backend, 'service'], [app.frontend, 'service'], [DB_NODE, 'database']].sort());
    expect(geo.labels.length).toBeGreaterThanOrEqual(2);
    const over = (a: { x: number; y: number; w: number; h: number }, c: { x: number; y: number; w: number; h: number }) =>
      a.x < c.x + c.w && c.x < a.x + a.w && a.y < c.y + c.h && c.y < a.y + a.h;
    const clashes: string[] = [];
    for (const l of geo.labels) {
      for (const n of geo.nodes) if (over(l.bg, n)) clashes.push(`label "${l.text}" (${l.edge}) over node ${n.name}`);
      if (l.t.x < l.bg.x - 1 || l.t.x + l.t.w > l.bg.x + l.bg.w + 1) clashes.push(`label "${l.text}" spills out of its box`);
    }
    for (const n of geo.nodes) if (n.x < 0 || n.x + n.w > geo.width) clashes.push(`node ${n.name} cut at the viewport edge`);
    expect(clashes).toEqual([]);
    // The backend → database label counts every query the app made.
    const dbLabel = geo.labels.find((l) => l.edge === `${app.backend} → ${DB_NODE}`);
    expect(dbLabel?.text).toContain(String(queries));
    await shot(page, 'realapp-service-map-1024');
    expect(errors).toEqual([]);
  });

  it('N+1 trace: one waterfall row per item query, each summarised by its SQL', async () => {
    const list = (await getJson<{ traces: TraceSummary[] }>(tiny.baseUrl, `/api/traces?limit=1000&service=${encodeURIComponent(app.frontend)}`)).body.traces;
    const n1 = list.find((t) => t.rootName === 'GET /api/n-plus-one');
    expect(n1).toBeDefined();
    await page.goto(`${tiny.baseUrl}/#/traces/${n1!.traceId}`);
    const rows = page.getByTestId('waterfall-row');
    await waitFor(async () => (await rows.count()) === n1!.spanCount, 30_000);
    const summaries = await page.getByTestId('span-summary').allTextContents();
    const perItem = summaries.filter((s) => s.includes(`FROM ${app.table} WHERE id = $1`));
    expect(perItem).toHaveLength(ITEMS);
    expect(perItem.every((s) => s.startsWith('SELECT id, name'))).toBe(true);
    expect(summaries.filter((s) => s.includes(`FROM ${app.table} ORDER BY id`))).toHaveLength(1);
    // Each of those rows is a pg span: the db icon names postgresql.
    const icons = await page.locator('[data-testid=waterfall-row]', { has: page.locator('[data-testid=span-summary]', { hasText: 'WHERE id = $1' }) })
      .getByTestId('span-icon').evaluateAll((els) => els.map((e) => e.getAttribute('title')));
    expect(icons).toEqual(Array(ITEMS).fill('db: postgresql'));
    expect(await page.getByTestId('incomplete-marker').count()).toBe(0);
    // A query row's summary is readable at 1024 px, not squeezed to nothing.
    const w = await page.getByTestId('span-summary').filter({ hasText: 'WHERE id = $1' }).first().evaluate((el) => el.getBoundingClientRect().width);
    expect(w).toBeGreaterThan(40);
    await shot(page, 'realapp-pg-trace-1024');
    expect(errors).toEqual([]);
  });
});
