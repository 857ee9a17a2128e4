// Browser test of the doctor in the other views (issue 18, CONTRACT §9): the Services page shows a
// count badge per service with findings (linking to its findings), a finding's example opens the
// trace with the attribute at fault marked (and a log example marks the log), and a rule switched
// off on the Doctor page stays off after a reload (localStorage) and leaves the badges too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startTinyOlly, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { hasChromium, launchBrowser, newPage, screenshot, type LaunchedBrowser } from './browser.js';

const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const int = (key: string, v: number) => ({ key, value: { intValue: String(v) } });

function span(traceId: string, spanId: string, name: string, kind: number, attributes: object[], nowNs: bigint) {
  return { traceId, spanId, name, kind, startTimeUnixNano: String(nowNs - 5_000_000n), endTimeUnixNano: String(nowNs), attributes };
}

describe.skipIf(!hasChromium)('UI: doctor badges, marked examples and rule switches', () => {
  let t: TinyOllyProcess;
  let b: LaunchedBrowser;
  let page: Page;
  let errors: string[];
  const TRACE = 'a1'.repeat(16);
  const SERVER = 'b2'.repeat(8);

  beforeAll(async () => {
    [t, b] = await Promise.all([startTinyOlly(), launchBrowser()]);
    ({ page, errors } = await newPage(b.browser));
    const now = BigInt(Date.now()) * 1_000_000n;
    const traces = { resourceSpans: [
      { resource: { attributes: [str('service.name', 'svc-a')] }, scopeSpans: [{ spans: [
        span(TRACE, SERVER, 'GET /orders/{id}', 2, [str('http.request.method', 'GET'), str('http.route', '/orders/{id}'), int('http.response.status_code', 503)], now),
        span(TRACE, 'c3'.repeat(8), 'query', 3, [str('db.statement', 'select 1')], now),
      ] }] },
      { resource: { attributes: [str('service.name', 'svc-b')] }, scopeSpans: [{ spans: [
        span('d4'.repeat(16), 'e5'.repeat(8), 'GET /health', 2, [str('http.request.method', 'GET'), str('http.route', '/health'), int('http.response.status_code', 200)], now),
      ] }] },
    ] };
    const logs = { resourceLogs: [{ resource: { attributes: [str('service.name', 'svc-b')] }, scopeLogs: [{ logRecords: [
      { timeUnixNano: String(now), severityNumber: 9, body: { stringValue: 'a log without trace context' } },
    ] }] }] };
    for (const [path, body] of [['/v1/traces', traces], ['/v1/logs', logs]] as const) {
      const res = await fetch(`${t.otlpHttpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status).toBe(200);
    }
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    await t?.stop();
  });

  const badgeOf = (service: string) => page.locator(`[data-testid="service-row"][data-service="${service}"] [data-testid="doctor-badge"]`);

  it('badges the services with findings and links a badge to their findings', async () => {
    await page.goto(`${t.baseUrl}/#/services`);
    await badgeOf('svc-a').waitFor({ timeout: 20_000 });
    expect(await badgeOf('svc-a').textContent()).toContain('2');
    expect(await badgeOf('svc-b').textContent()).toContain('1'); // log-without-trace-context
    await screenshot(page, 'services-doctor-badges');
    await badgeOf('svc-a').click();
    await page.waitForFunction(() => location.hash === '#/doctor?service=svc-a', null, { timeout: 10_000 });
    await page.getByTestId('doctor-scope').waitFor({ timeout: 10_000 });
    const rules = await page.$$eval('[data-testid="doctor-finding"]', (els) => els.map((e) => e.getAttribute('data-rule')));
    expect(rules).toEqual(['server-error-not-marked', 'deprecated-semconv']);
  });

  it('opens an example with the offending attribute marked, and a log example with the log marked', async () => {
    await page.goto(`${t.baseUrl}/#/doctor`);
    await page.locator('[data-rule="server-error-not-marked"] [data-testid="doctor-example"]').click();
    await page.waitForFunction((id) => location.hash.startsWith(`#/traces/${id}`), TRACE, { timeout: 15_000 });
    const mark = page.getByTestId('attr-highlight');
    await mark.waitFor({ timeout: 15_000 });
    expect(await mark.locator('th').textContent()).toBe('http.response.status_code');
    expect(await page.locator('[data-testid="span-details"] .sd-name').textContent()).toBe('GET /orders/{id}');
    await screenshot(page, 'doctor-example-marked');

    await page.goto(`${t.baseUrl}/#/doctor`);
    await page.locator('[data-rule="log-without-trace-context"] [data-testid="doctor-example"]').click();
    await page.waitForSelector('[data-testid="log-row"][data-highlight="true"]', { timeout: 15_000 });
    expect(await page.locator('[data-testid="log-row"][data-highlight="true"]').textContent()).toContain('a log without trace context');
  });

  it('switches a rule off, remembered across a reload, and the badges follow', async () => {
    await page.goto(`${t.baseUrl}/#/doctor`);
    await page.locator('[data-rule="deprecated-semconv"][data-testid="doctor-finding"]').waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="doctor-rules"] summary').click();
    await page.locator('[data-testid="doctor-rule-switch"][data-rule="deprecated-semconv"]').uncheck();
    await page.waitForFunction(() => !document.querySelector('[data-testid="doctor-finding"][data-rule="deprecated-semconv"]'), null, { timeout: 10_000 });
    await page.reload();
    await page.locator('[data-testid="doctor-finding"]').first().waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid="doctor-finding"][data-rule="deprecated-semconv"]').count()).toBe(0);
    expect(await page.locator('[data-testid="doctor-rule-switch"][data-rule="deprecated-semconv"]').isChecked()).toBe(false);
    await page.goto(`${t.baseUrl}/#/services`);
    await badgeOf('svc-a').waitFor({ timeout: 20_000 });
    expect(await badgeOf('svc-a').textContent()).toContain('1');
    expect(errors).toEqual([]);
  });
});
