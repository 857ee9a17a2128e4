/**
 * Redis-only checks of the request and call records (issue 13), on the shared Redis with a unique
 * key prefix: request and call counts are exact past the record caps, a client call is withdrawn from the
 * map by an answer written through another store on the same prefix, and clear() removes the
 * records. The behaviour both stores share is in store.contract.ts.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Span } from '../../model/model.js';
import { CALL_SAMPLE_CAP, REQUEST_SAMPLE_CAP, RedisStore } from './redis-store.js';
import { redisAnswersAt } from '../../../test/redis/private-redis.js';

const REDIS_URL = process.env.TINYOLLY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const available = await redisAnswersAt(REDIS_URL);
if (!available) console.warn(`[redis-requests.test] SKIPPED: no Redis answers at ${REDIS_URL} (start redis-server to run these tests)`);

const BASE_NS = 1_700_000_000_000_000_000n;
function span(o: Partial<Span> & { startMs?: number; durMs?: number }): Span {
  const { startMs = 0, durMs = 1, ...rest } = o;
  const s = BASE_NS + BigInt(Math.round(startMs * 1e6));
  return {
    traceId: 'a'.repeat(32), spanId: '1'.repeat(16), parentSpanId: null, name: 'op', kind: 'SERVER',
    startTimeUnixNano: String(s), endTimeUnixNano: String(s + BigInt(Math.round(durMs * 1e6))), durationMs: durMs,
    status: { code: 'UNSET', message: '' }, service: 'svc', attributes: {}, resource: {}, scope: { name: '', version: '' },
    events: [], links: [], ...rest,
  };
}
const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

describe.skipIf(!available)('RedisStore request and call records', () => {
  const open: RedisStore[] = [];
  async function fresh(keyPrefix = `tinyolly-test:${process.pid}:${randomUUID().slice(0, 8)}:`): Promise<RedisStore> {
    const s = new RedisStore({ url: REDIS_URL, keyPrefix, ttlSeconds: 3600, maxSeriesPerMetric: 100 });
    await s.waitUntilReady();
    open.push(s);
    return s;
  }
  afterEach(async () => {
    for (const s of open.splice(0)) {
      await s.clear();
      await s.close();
    }
  });

  it('counts every request exactly past the sample cap, percentiles and operations over the sample', async () => {
    const store = await fresh();
    const n = REQUEST_SAMPLE_CAP + 500;
    const spans = Array.from({ length: n }, (_, i) => span({
      traceId: hex(i + 1, 32), service: 'busy', name: i % 2 ? 'GET /a' : 'GET /b', startMs: i, durMs: i + 1,
      status: { code: i % 10 === 0 ? 'ERROR' : 'UNSET', message: '' },
    }));
    await store.writeSpans(spans);
    const busy = (await store.listServices()).find((s) => s.name === 'busy');
    // The first REQUEST_SAMPLE_CAP of the bucket are kept: durations 1..cap.
    const cap = REQUEST_SAMPLE_CAP;
    expect(busy).toMatchObject({ requestCount: n, requestErrorCount: n / 10, p50Ms: cap / 2, p95Ms: cap * 0.95, p99Ms: cap * 0.99 });
    expect(busy!.ratePerMinute).toBeCloseTo(n * 60_000 / (cap - 1), 0);
    expect((await store.listOperations('busy'))?.map((o) => [o.name, o.requestCount])).toEqual([['GET /a', cap / 2], ['GET /b', cap / 2]]);
  });

  it('counts calls between services exactly past the call sample cap', async () => {
    const store = await fresh();
    const n = CALL_SAMPLE_CAP + 100;
    const spans: Span[] = [];
    for (let i = 0; i < n; i++) {
      spans.push(span({ traceId: hex(i + 1, 32), service: 'up' }), span({ traceId: hex(i + 1, 32), spanId: '2'.repeat(16), parentSpanId: '1'.repeat(16), service: 'down', durMs: 3 }));
    }
    await store.writeSpans(spans);
    expect((await store.serviceMap()).edges).toEqual([{ source: 'up', target: 'down', callCount: n, errorCount: 0, p50Ms: 3 }]);
  });

  it('withdraws a client call from the map when another store on the prefix writes its answer', async () => {
    const shared = `tinyolly-test:${process.pid}:${randomUUID().slice(0, 8)}:`;
    const a = await fresh(shared);
    const b = await fresh(shared);
    await a.writeSpans([
      span({ spanId: '1'.repeat(16), service: 'web', name: 'GET /' }),
      span({ spanId: '2'.repeat(16), parentSpanId: '1'.repeat(16), service: 'web', name: 'GET', kind: 'CLIENT', attributes: { 'server.address': 'api.local' } }),
    ]);
    expect((await b.serviceMap()).nodes).toContainEqual({ name: 'api.local', type: 'external' });
    await b.writeSpans([span({ spanId: '3'.repeat(16), parentSpanId: '2'.repeat(16), service: 'api', name: 'GET /x', durMs: 4 })]);
    const map = await a.serviceMap();
    expect(map.nodes).toEqual([{ name: 'api', type: 'service' }, { name: 'web', type: 'service' }]);
    expect(map.edges).toEqual([{ source: 'web', target: 'api', callCount: 1, errorCount: 0, p50Ms: 4 }]);
  });

  it('forgets requests and calls on clear()', async () => {
    const store = await fresh();
    await store.writeSpans([
      span({ service: 'db-user' }),
      span({ spanId: '2'.repeat(16), parentSpanId: '1'.repeat(16), service: 'db-user', kind: 'CLIENT', attributes: { 'db.system': 'redis', 'db.statement': 'GET k' } }),
    ]);
    expect((await store.serviceMap()).edges).toHaveLength(1);
    await store.clear();
    expect(await store.listServices()).toEqual([]);
    expect(await store.listOperations('db-user')).toBeUndefined();
    expect(await store.serviceMap()).toEqual({ nodes: [], edges: [] });
  });
});
