// Browser test of the first-run checklist (issue 15, CONTRACT §8): with nothing stored, the traces
// page lists the endpoints and env vars, what the inspector saw (a refused request with its hint),
// and "Send a test span" exports one span from the browser to POST /v1/traces on the UI's own
// origin (under the page's CSP) and shows it arriving. With TINYOLLY_OTLP_API_KEY set, the first
// try is refused and the panel asks for the key, which then works.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, startTinyOlly, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { hasChromium, launchBrowser, newPage, screenshot, type LaunchedBrowser } from './browser.js';

describe.skipIf(!hasChromium)('UI: the first-run checklist and its test span', () => {
  let t: TinyOllyProcess;
  let keyed: TinyOllyProcess;
  let b: LaunchedBrowser;

  beforeAll(async () => {
    [t, keyed, b] = await Promise.all([startTinyOlly(), startTinyOlly({ TINYOLLY_OTLP_API_KEY: 'sesame-123' }), launchBrowser()]);
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    await Promise.all([t?.stop(), keyed?.stop()]);
  });

  it('shows the checklist with what the inspector saw, and the test span round trip', async () => {
    // A misconfigured exporter's request: the signal path twice.
    await fetch(`${t.otlpHttpUrl}/v1/traces/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const { page, errors } = await newPage(b.browser);
    await page.goto(`${t.baseUrl}/#/traces`);
    const panel = page.getByTestId('first-run');
    await panel.waitFor({ timeout: 20_000 });
    const text = await panel.textContent();
    expect(text).toContain(`OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:${t.ports.http}`);
    expect(text).toContain(`port ${t.ports.grpc}`);
    expect(text).toContain('OTEL_SERVICE_NAME');
    const refused = page.getByTestId('first-run-refused').first();
    await refused.waitFor({ timeout: 20_000 });
    expect(await refused.textContent()).toContain('/v1/traces/v1/traces');
    expect(await refused.textContent()).toContain('twice');

    await page.getByTestId('send-test-span').click();
    await page.waitForSelector('[data-testid="test-span-status"][data-arrived="true"]', { timeout: 30_000 });
    const traces = await getJson(t.baseUrl, '/api/traces?service=tinyolly-test-span');
    expect(traces.body.traces).toHaveLength(1);
    // The arrival ends the empty state: the list replaces the checklist, and the confirmation with
    // its link stays, above the list (it used to vanish with the checklist).
    await page.getByTestId('trace-row').first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'first-run-test-span');
    const status = page.getByTestId('test-span-status');
    expect(await status.isVisible()).toBe(true);
    expect(await status.textContent()).toContain('The test span arrived');
    const link = await page.getByTestId('test-span-link').getAttribute('href', { timeout: 5_000 });
    expect(link).toBe(`#/traces/${traces.body.traces[0].traceId}`);
    // The request went to the UI's own port, and the inspector recorded it.
    const reqs = await getJson(t.baseUrl, `/api/ingest/requests?service=tinyolly-test-span`);
    expect(reqs.body.requests[0]).toMatchObject({ port: t.ports.ui, path: '/v1/traces', result: 'ok', accepted: 1 });
    expect(errors).toEqual([]); // no CSP violation
    await page.close();
  });

  it('asks for the OTLP API key when the first try is refused, then sends with it', async () => {
    const { page, errors } = await newPage(b.browser);
    await page.goto(`${keyed.baseUrl}/#/traces`);
    await page.getByTestId('send-test-span').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="test-span-status"]')?.textContent?.includes('needs its OTLP API key'), null, { timeout: 20_000 });
    const input = page.getByTestId('test-span-key');
    expect(await input.isVisible()).toBe(true);
    await input.fill('sesame-123');
    await page.getByTestId('send-test-span').click();
    await page.waitForSelector('[data-testid="test-span-status"][data-arrived="true"]', { timeout: 30_000 });
    const traces = await getJson(keyed.baseUrl, '/api/traces?service=tinyolly-test-span');
    expect(traces.body.traces).toHaveLength(1);
    // The 401 is a console error of the page's own fetch; nothing else may be.
    expect(errors.filter((e) => !e.includes('401'))).toEqual([]);
    await page.close();
  });
});
