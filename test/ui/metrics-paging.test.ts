// Browser test against a stub API (test/ui/stub-api.ts): GET /api/metrics is bounded (CONTRACT §7,
// pages of `limit` names with nextCursor) and the metrics page follows the cursor, so a store with
// more metric names than one page still lists them all. 2,500 names would be slow to produce for
// real; the stub answers them page by page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/start-tinyolly.js';
import { hasChromium, launchBrowser, newPage, type LaunchedBrowser } from './browser.js';
import { startStubApi, type StubApi } from './stub-api.js';

if (!hasChromium) console.warn('test/ui skipped: /usr/bin/chromium is missing (apt-get install chromium)');

const NAMES = Array.from({ length: 2500 }, (_, i) => `app.metric.${String(i).padStart(4, '0')}`);

describe.skipIf(!hasChromium)('UI: the metrics page follows GET /api/metrics nextCursor', () => {
  let stub: StubApi;
  let b: LaunchedBrowser;

  beforeAll(async () => {
    stub = await startStubApi({
      '/api/stats': { traces: 0, spans: 0, logs: 0, metrics: NAMES.length, storage: 'memory', uptimeSeconds: 1 },
      '/api/services': { services: [] },
      '/api/metrics': (url: URL) => {
        const limit = Number(url.searchParams.get('limit') ?? 1000);
        const from = url.searchParams.has('cursor') ? Number(url.searchParams.get('cursor')) : 0;
        const page = NAMES.slice(from, from + limit).map((name) => ({ name, type: 'gauge', unit: '1', description: '', services: ['svc'], seriesCount: 1, lastValue: 1, lastTimestamp: 1 }));
        return { metrics: page, nextCursor: from + limit < NAMES.length ? String(from + limit) : null };
      },
    });
    b = await launchBrowser();
  });
  afterAll(async () => {
    await b?.close();
    await stub?.close();
  });

  it('lists every metric name across three pages', async () => {
    const { page, errors } = await newPage(b.browser);
    await page.goto(`${stub.baseUrl}/#/metrics`);
    const rows = page.getByTestId('metric-row');
    await waitFor(async () => (await rows.count()) === NAMES.length, 20_000);
    expect(await rows.last().getAttribute('data-metric')).toBe(NAMES[NAMES.length - 1]);
    const calls = stub.requests.filter((r) => r.startsWith('/api/metrics'));
    expect(calls.slice(0, 3)).toEqual(['/api/metrics?limit=1000', '/api/metrics?limit=1000&cursor=1000', '/api/metrics?limit=1000&cursor=2000']);
    expect(errors).toEqual([]);
  });
});
