/**
 * Redis list filters scan a bounded number of index entries (5,000 traces, 50,000 logs by default):
 * a search that stops at the bound says so (issue 11) instead of silently missing older matches,
 * in the store's answer (isSearchLimited) and in the API's (`"searchLimited": true`). Small bounds here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogRecord, Span } from '../../model/model.js';
import { start, type Running } from '../../app.js';
import { DEFAULT_CONFIG } from '../../config.js';
import { isSearchLimited } from '../store.js';
import { RedisStore } from './redis-store.js';
import { deletePrefixKeys, SHARED_REDIS_URL, uniquePrefix } from '../../../test/helpers/redis-prefix.js';
import { redisAnswersAt } from '../../../test/redis/private-redis.js';
import { getJson } from '../../../test/helpers/start-tinyolly.js';
import { modelLog, modelSpan } from '../../../test/helpers/model-items.js';

const available = await redisAnswersAt(SHARED_REDIS_URL);
if (!available) console.warn(`[search-limited.test] SKIPPED: no Redis answers at ${SHARED_REDIS_URL}`);

const N = 50;
const NOW_MS = Date.now() - 60_000;
const span = (i: number): Span => modelSpan({ traceId: (i + 1).toString(16).padStart(32, '0'), name: i === 0 ? 'needle' : 'hay', kind: 'SERVER', startMs: NOW_MS + i * 10 });
const log = (i: number): LogRecord => modelLog({ id: `l${i}`, timeMs: NOW_MS + i * 10, body: i === 0 ? 'needle' : 'hay' });

describe.skipIf(!available)('Redis searches stopped by the scan bound', () => {
  const prefix = uniquePrefix('search-limited');
  const make = (budget: number) => new RedisStore({ url: SHARED_REDIS_URL, keyPrefix: prefix, ttlSeconds: 600, maxSeriesPerMetric: 10, scanBudget: { traces: budget, logs: budget } });
  let bounded: RedisStore;
  let app: Running | undefined;
  beforeAll(async () => {
    bounded = make(20);
    await bounded.waitUntilReady();
    await bounded.writeSpans(Array.from({ length: N }, (_, i) => span(i)));
    await bounded.writeLogs(Array.from({ length: N }, (_, i) => log(i)));
  });
  afterAll(async () => {
    await app?.close();
    await bounded?.close();
    await deletePrefixKeys(prefix);
  });

  it('a trace or log search that reached the bound without enough matches is marked; one that found enough, or saw everything, is not', async () => {
    const traces = await bounded.findTraces({ limit: 10, name: 'needle', sort: 'start', order: 'desc' });
    expect(traces).toHaveLength(0);
    expect(isSearchLimited(traces)).toBe(true);
    const logs = await bounded.findLogs({ limit: 10, q: 'needle' });
    expect(logs).toHaveLength(0);
    expect(isSearchLimited(logs)).toBe(true);
    expect(isSearchLimited(await bounded.findTraces({ limit: 10, name: 'hay', sort: 'start', order: 'desc' }))).toBe(false);
    expect(isSearchLimited(await bounded.findLogs({ limit: 10, q: 'hay' }))).toBe(false);

    const wide = make(1000);
    try {
      const found = await wide.findTraces({ limit: 10, name: 'needle', sort: 'start', order: 'desc' });
      expect(found.map((t) => t.rootName)).toEqual(['needle']);
      expect(isSearchLimited(found)).toBe(false);
      const foundLogs = await wide.findLogs({ limit: 10, q: 'needle' });
      expect(foundLogs.map((l) => l.body)).toEqual(['needle']);
      expect(isSearchLimited(foundLogs)).toBe(false);
    } finally {
      await wide.close();
    }
  });

  it('the API answers say "searchLimited": true only for such a search', async () => {
    const store = make(20);
    await store.waitUntilReady();
    app = await start({ ...DEFAULT_CONFIG, host: '127.0.0.1', grpcPort: 0, httpPort: 0, uiPort: 0, storage: 'redis' }, { store });
    const base = `http://127.0.0.1:${app.ports.ui}`;
    expect((await getJson(base, '/api/traces?name=needle')).body).toEqual({ traces: [], nextCursor: null, searchLimited: true });
    expect((await getJson(base, '/api/logs?q=needle')).body).toEqual({ logs: [], nextCursor: null, searchLimited: true });
    expect((await getJson(base, '/api/traces?name=hay&limit=5')).body.searchLimited).toBeUndefined();
    expect((await getJson(base, '/api/logs?q=hay&limit=5')).body.searchLimited).toBeUndefined();
  });
});
