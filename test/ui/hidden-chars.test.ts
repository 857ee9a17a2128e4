// Browser test: telemetry names and texts with bidi overrides and zero-width characters are shown
// with those characters written out as <U+XXXX> (issue 10), in the trace list, span details, logs
// and services, still as text, and filtering by such a service still works (values stay exact).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { getJson, startTinyOlly, waitFor, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { loggerProvider, tracerProvider } from '../helpers/otel-sdk.js';
import { hasChromium, launchBrowser, newPage, type LaunchedBrowser } from './browser.js';

if (!hasChromium) console.warn('test/ui skipped: /usr/bin/chromium is missing (apt-get install chromium)');

// Reads "svc-exe.png" when shown as it is: the override reverses what follows it.
const SERVICE = 'svc-\u202Egnp.exe';
const SPAN = 'pay\u200Bment';
const ATTR_KEY = 'user\u2066.id';
const ATTR_VALUE = 'adm\u202Ein\uFEFF';
const LOG_BODY = 'first line\nsecond \u2067line\u2069';
const HIDDEN = /[\u202A-\u202E\u2066-\u2069\u200B-\u200F\uFEFF]/;

describe.skipIf(!hasChromium)('UI: invisible and bidi-control characters are shown', () => {
  let t: TinyOllyProcess;
  let b: LaunchedBrowser;
  let page: Page;
  let errors: string[];
  let traceId: string;
  let spanId: string;

  beforeAll(async () => {
    [t, b] = await Promise.all([startTinyOlly(), launchBrowser()]);
    ({ page, errors } = await newPage(b.browser));
    const target = { grpcUrl: t.grpcUrl, otlpHttpUrl: t.otlpHttpUrl };
    const tp = tracerProvider(target, { protocol: 'http/protobuf', serviceName: SERVICE });
    const lp = loggerProvider(target, { protocol: 'http/protobuf', serviceName: SERVICE });
    const span = tp.getTracer('hidden').startSpan(SPAN, { kind: SpanKind.SERVER, attributes: { [ATTR_KEY]: ATTR_VALUE } });
    lp.getLogger('hidden').emit({ severityNumber: SeverityNumber.WARN, body: LOG_BODY, context: trace.setSpan(context.active(), span) });
    span.end();
    ({ traceId, spanId } = span.spanContext());
    await Promise.all([tp.forceFlush(), lp.forceFlush()]);
    await Promise.all([tp.shutdown(), lp.shutdown()]);
    await waitFor(async () => (await getJson(t.baseUrl, `/api/traces/${traceId}`)).status === 200, 15_000);
    await waitFor(async () => (await getJson(t.baseUrl, `/api/logs?trace_id=${traceId}`)).body.logs?.length === 1, 15_000);
  });
  afterAll(async () => {
    await b?.close();
    await t?.stop();
  });

  /** The text of the whole page, as a reader sees it. */
  const pageText = (): Promise<string> => page.evaluate(() => document.body.innerText);

  it('writes them out in the trace list and the span details, keys and values included', async () => {
    await page.goto(`${t.baseUrl}/#/traces`);
    const row = page.locator(`[data-testid=trace-row][data-trace-id="${traceId}"]`);
    await row.waitFor();
    const rowText = (await row.textContent()) ?? '';
    expect(rowText).toContain('pay<U+200B>ment');
    expect(rowText).toContain('svc-<U+202E>gnp.exe');
    await row.click();
    await page.locator(`[data-span-id="${spanId}"]`).click();
    const details = page.getByTestId('span-details');
    await details.waitFor();
    await waitFor(async () => ((await details.textContent()) ?? '').includes('user<U+2066>.id'));
    const text = (await details.textContent()) ?? '';
    expect(text).toContain('adm<U+202E>in<U+FEFF>');
    expect(text).toContain('svc-<U+202E>gnp.exe');
    expect(await pageText()).not.toMatch(HIDDEN);
  });

  it('writes them out in log bodies, keeping the line break', async () => {
    await page.goto(`${t.baseUrl}/#/logs`);
    const body = page.getByTestId('log-row').first().locator('.log-body');
    await body.waitFor();
    expect(await body.textContent()).toBe('first line\nsecond <U+2067>line<U+2069>');
    expect(await pageText()).not.toMatch(HIDDEN);
  });

  it('writes them out in the services view, and filtering by that service still finds its trace', async () => {
    await page.goto(`${t.baseUrl}/#/services`);
    const row = page.getByTestId('service-row').first();
    await row.waitFor();
    expect(await row.getAttribute('data-service')).toBe(SERVICE);
    expect(await row.textContent()).toContain('svc-<U+202E>gnp.exe');
    expect(await pageText()).not.toMatch(HIDDEN);
    await row.click();
    await page.waitForURL(/#\/traces/);
    await page.locator(`[data-testid=trace-row][data-trace-id="${traceId}"]`).waitFor();
    expect(errors.filter((e) => !/favicon/.test(e))).toEqual([]);
  });
});
