// Browser test of the compare page on the real instrumented app (issue 19): the N+1 request picked
// in the traces list against its batched twin (the n-plus-one finding with the per-item SQL and the
// count), and a fast against a slowed-down /api/report request side by side (the delay's span is
// the row that grew). Screenshots: test-output/screenshots/realapp-compare-*.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startTinyOlly, waitFor, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { ITEMS, startRealApp, type RealApp } from '../realapp/realapp.js';
import { frontendTraces, runComparePlan } from '../realapp/compare-plan.js';
import { hasChromium, launchBrowser, newPage, screenshot, type LaunchedBrowser } from './browser.js';

describe.skipIf(!hasChromium)('UI: compare on a real instrumented app', () => {
  let tiny: TinyOllyProcess;
  let app: RealApp;
  let b: LaunchedBrowser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    [tiny, b] = await Promise.all([startTinyOlly(), launchBrowser()]);
    app = await startRealApp(tiny.otlpHttpUrl);
    await runComparePlan(tiny, app);
    ({ page, errors } = await newPage(b.browser, 1280, 900));
  }, 300_000);
  afterAll(async () => {
    await app?.stop();
    await b?.close();
    await tiny?.stop();
  });

  /** Picks two traces by id in the list and opens the compare page. */
  async function pickAndCompare(first: string, second: string): Promise<void> {
    await page.goto(`${tiny.baseUrl}/#/traces`);
    for (const id of [first, second]) {
      const box = page.locator(`[data-testid="trace-row"][data-trace-id="${id}"]`).getByTestId('trace-select');
      await box.waitFor({ timeout: 30_000 });
      await box.check();
    }
    await page.getByTestId('compare-selected').click();
    await page.getByTestId('compare-table').waitFor({ timeout: 30_000 });
  }

  it('the N+1 route against its batched twin: the finding names the per-item SQL and the count', async () => {
    const [n1] = await frontendTraces(tiny, app, 'GET /api/n-plus-one');
    const [batched] = await frontendTraces(tiny, app, 'GET /api/batched');
    await pickAndCompare(n1.traceId, batched.traceId);
    // The N+1 request came first, so it is A (the earlier trace is always A).
    expect(new URL(page.url()).hash).toBe(`#/compare?a=${n1.traceId}&b=${batched.traceId}`);
    const finding = page.getByTestId('compare-findings').locator('li[data-kind="n-plus-one"]');
    expect(await finding.count()).toBe(1);
    const text = (await finding.textContent()) ?? '';
    expect(text).toContain(`${ITEMS} ×`);
    expect(text).toContain(`SELECT id, name FROM ${app.table} WHERE id = $1`);
    // The folded per-item query node, A side: ×20 (or more, with the id query of the same name).
    const perItem = page.locator('[data-testid="compare-row"][data-status="removed"] td[data-side="a"]', { hasText: 'pg.query' });
    expect((await perItem.allTextContents()).some((t) => /×(\d+)/.test(t) && Number(/×(\d+)/.exec(t)![1]) >= ITEMS)).toBe(true);
    await screenshot(page, 'realapp-compare-n-plus-one');
    expect(errors).toEqual([]);
  });

  it('a fast and a slowed-down /api/report side by side: report.render is the row that grew', async () => {
    const reports = await frontendTraces(tiny, app, 'GET /api/report');
    // Newest first: the newest is slowed down, the oldest is not.
    const [slow, fast] = [reports[0], reports[reports.length - 1]];
    await pickAndCompare(slow.traceId, fast.traceId);
    expect(new URL(page.url()).hash).toBe(`#/compare?a=${fast.traceId}&b=${slow.traceId}`);
    const render = page.locator(`[data-testid="compare-row"][data-path$="${app.backend}:report.render"]`);
    await render.waitFor({ timeout: 15_000 });
    expect(await render.getAttribute('data-status')).toBe('changed');
    expect(await render.getByTestId('compare-delta').getAttribute('class')).toContain('delta-up');
    await page.getByTestId('compare-sort-delta').click();
    // Biggest first: after the chain of spans that contain it, the delay's own span.
    const paths = await page.getByTestId('compare-row').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-path') ?? ''));
    const at = paths.findIndex((p) => p.endsWith(':report.render'));
    expect(paths.slice(0, at).every((p) => `${paths[at]}`.startsWith(p))).toBe(true);
    await waitFor(async () => (await page.getByTestId('compare-findings').locator('li[data-kind="slower"]').first().textContent())?.includes('report.render') ?? false, 10_000);
    await screenshot(page, 'realapp-compare-report');
    expect(errors).toEqual([]);
  });
});
