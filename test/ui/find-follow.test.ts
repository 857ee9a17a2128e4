// Browser tests of issue 14 (find and follow) against the real TinyOlly fed by the OpenTelemetry JS
// SDK: the trace list pages past its first page ("Load more", CONTRACT §7 cursors) on the memory
// and the Redis store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { getJson, startTinyOlly, waitFor, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { deletePrefixKeys, SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis-prefix.js';
import { hasChromium, launchBrowser, newPage, type LaunchedBrowser } from './browser.js';
import { sendManyTraces } from './seed.js';

if (!hasChromium) console.warn('test/ui skipped: /usr/bin/chromium is missing (apt-get install chromium)');

const PREFIX = uniquePrefix('ui-paging');

describe.skipIf(!hasChromium).each([
  { storage: 'memory', count: 5000 },
  { storage: 'redis', count: 1500 },
] as const)('UI: the trace list pages through $count traces ($storage)', ({ storage, count }) => {
  let t: TinyOllyProcess;
  let b: LaunchedBrowser;
  let page: Page;
  let errors: string[];
  let ids: string[];

  beforeAll(async () => {
    [t, b] = await Promise.all([
      startTinyOlly(storage === 'redis' ? { REDIS_URL: SHARED_REDIS_URL, TINYOLLY_KEY_PREFIX: PREFIX } : {}),
      launchBrowser(),
    ]);
    ({ page, errors } = await newPage(b.browser));
    ids = await sendManyTraces({ grpcUrl: t.grpcUrl, otlpHttpUrl: t.otlpHttpUrl }, 'bulk-pages', 'page op', count);
    await waitFor(async () => (await getJson(t.baseUrl, '/api/stats')).body.traces >= count, 60_000, 200);
  }, 120_000);
  afterAll(async () => {
    await b?.close();
    await t?.stop();
    if (storage === 'redis') await deletePrefixKeys(PREFIX);
  });

  it('shows the newest page first, then every older trace once through "Load more"', async () => {
    await page.goto(`${t.baseUrl}/#/traces`);
    const rows = page.getByTestId('trace-row');
    await waitFor(async () => (await rows.count()) === 200, 20_000);
    expect(await rows.first().getAttribute('data-trace-id')).toBe(ids[ids.length - 1]);
    const more = page.getByTestId('load-more');
    for (let i = 0; i < 20 && await more.isVisible(); i++) {
      const before = await rows.count();
      await more.click();
      await waitFor(async () => (await rows.count()) > before || !(await more.isVisible()), 30_000);
    }
    await waitFor(async () => (await rows.count()) === count, 30_000);
    expect(await more.isVisible()).toBe(false);
    const shown = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-trace-id')));
    expect(new Set(shown).size).toBe(count);
    expect(shown).toEqual([...ids].reverse());
    expect(await page.locator('.list-status').textContent()).toContain(`${count} traces`);
    expect(errors).toEqual([]);
  }, 180_000);
});
