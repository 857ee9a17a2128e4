/**
 * Key prefixes on one Redis (CONTRACT §1.2, §4 DELETE /api/data): every key of a store is its prefix
 * followed by `{`, so clear() removes this store's keys only, also next to a store whose prefix merely
 * starts with this one's (`P` and `P + "dev:"`), both ways, on the shared Redis and on a Redis Cluster.
 * Never FLUSHALL/FLUSHDB: each run uses its own unique prefixes.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { LogRecord, MetricSample, Span } from '../../model/model.js';
import { RedisStore } from './redis-store.js';
import { RedisKeys } from './keys.js';
import { redisAnswersAt, redisBinariesAvailable, startCluster } from '../../../test/redis/private-redis.js';
import { deletePrefixKeys } from '../../../test/helpers/redis-prefix.js';

const REDIS_URL = process.env.TINYOLLY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const available = await redisAnswersAt(REDIS_URL);
if (!available) console.warn(`[prefix.test] SKIPPED the shared-Redis leg: no Redis answers at ${REDIS_URL}`);
const bins = redisBinariesAvailable();
if (!bins.ok) console.warn(`[prefix.test] SKIPPED the Redis Cluster leg: ${bins.reason}`);

const BASE_NS = 1_700_000_000_000_000_000n;
const tid = (n: number): string => n.toString(16).padStart(32, '0');

function span(traceId: string, service: string): Span {
  return {
    traceId, spanId: 'a'.repeat(16), parentSpanId: null, name: 'op', kind: 'SERVER',
    startTimeUnixNano: BASE_NS.toString(), endTimeUnixNano: (BASE_NS + 1_000_000n).toString(), durationMs: 1,
    status: { code: 'UNSET', message: '' }, service, attributes: {}, resource: {}, scope: { name: '', version: '' }, events: [], links: [],
  };
}
function log(id: string, traceId: string, service: string): LogRecord {
  return {
    id, timeUnixNano: BASE_NS.toString(), timestamp: 1_700_000_000, severityText: 'INFO', severityNumber: 9, body: 'hello',
    traceId, spanId: null, service, attributes: {}, resource: {}, scope: { name: '', version: '' },
  };
}
function sample(service: string): MetricSample {
  return { name: 'prefix.metric', type: 'gauge', unit: '1', description: '', service, labels: {}, point: { timestamp: 1_700_000_000, value: 1 } };
}

/** Writes one trace, one log and one metric point under `service`. */
async function writeSome(s: RedisStore, traceNo: number, service: string): Promise<void> {
  await s.writeSpans([span(tid(traceNo), service)]);
  await s.writeLogs([log(`log-${traceNo}`, tid(traceNo), service)]);
  await s.writeMetrics([sample(service)]);
}

/** What a store holds, as its answers show it. */
async function holdings(s: RedisStore): Promise<{ traces: string[]; logs: number; metrics: string[]; stats: object }> {
  const traces = (await s.findTraces({ limit: 100, sort: 'start', order: 'desc' })).map((t) => t.traceId).sort();
  const logs = (await s.findLogs({ limit: 100 })).length;
  const metrics = (await s.listMetrics()).map((m) => m.name);
  const { traces: t, spans, logs: l, metrics: m } = await s.stats();
  return { traces, logs, metrics, stats: { traces: t, spans, logs: l, metrics: m } };
}

/** Every key of the Redis (all master nodes) that starts with `p`. */
async function keysStartingWith(nodes: Redis[], p: string): Promise<string[]> {
  const out: string[] = [];
  const glob = p.replace(/[*?[\]\\]/g, (c) => '\\' + c) + '*';
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', glob, 'COUNT', 1000);
      cursor = next;
      out.push(...keys);
    } while (cursor !== '0');
  }
  return out;
}

/** The same checks on any Redis deployment: `make(prefix)` opens a store, `nodes()` lists the masters to scan. */
function prefixSuite(make: (keyPrefix: string) => Promise<RedisStore>, nodes: () => Redis[]): void {
  it('clearing P leaves P+"dev:" readable, and clearing P+"dev:" leaves P readable; every key is the prefix followed by "{"', async () => {
    const p = `tinyolly-test:prefix:${randomUUID().slice(0, 8)}:`;
    const dev = p + 'dev:';
    const a = await make(p);
    const b = await make(dev);
    try {
      await writeSome(a, 1, 'svc-a');
      await writeSome(b, 2, 'svc-b');
      const full = { logs: 1, metrics: ['prefix.metric'], stats: { traces: 1, spans: 1, logs: 1, metrics: 1 } };
      expect(await holdings(a)).toEqual({ traces: [tid(1)], ...full });
      expect(await holdings(b)).toEqual({ traces: [tid(2)], ...full });
      const aKeys = (await keysStartingWith(nodes(), p)).filter((k) => !k.startsWith(dev));
      const devKeys = await keysStartingWith(nodes(), dev);

      await a.clear();
      expect(await holdings(a)).toEqual({ traces: [], logs: 0, metrics: [], stats: { traces: 0, spans: 0, logs: 0, metrics: 0 } });
      expect(await holdings(b)).toEqual({ traces: [tid(2)], ...full });
      expect((await b.getTrace(tid(2)))?.map((s) => s.service)).toEqual(['svc-b']);
      expect((await b.getMetric('prefix.metric', {}))?.series.map((s) => s.service)).toEqual(['svc-b']);
      expect((await keysStartingWith(nodes(), p)).filter((k) => !k.startsWith(dev))).toEqual([]);
      expect((await keysStartingWith(nodes(), dev)).sort()).toEqual(devKeys.sort());
      // The layout that makes this hold: after the prefix always comes "{", which no prefix contains.
      expect(aKeys.length).toBeGreaterThan(5);
      for (const k of aKeys) expect(k.startsWith(p + '{'), k).toBe(true);
      expect(devKeys.length).toBe(aKeys.length);

      // And the other way round: the longer prefix's clear() leaves the shorter one's data.
      await writeSome(a, 3, 'svc-a');
      await b.clear();
      expect(await holdings(b)).toEqual({ traces: [], logs: 0, metrics: [], stats: { traces: 0, spans: 0, logs: 0, metrics: 0 } });
      expect(await holdings(a)).toEqual({ traces: [tid(3)], ...full });
      expect(await keysStartingWith(nodes(), dev)).toEqual([]);
      await a.clear();
      expect(await keysStartingWith(nodes(), p)).toEqual([]);
    } finally {
      await Promise.allSettled([a.clear(), b.clear()]);
      await Promise.all([a.close(), b.close()]);
    }
  }, 60_000);
}

describe('key prefixes', () => {
  it.each(['', 'a{b', 'a}b', '{x}:'])('RedisKeys refuses the prefix %j', (p) => {
    expect(() => new RedisKeys(p)).toThrow(/prefix/);
  });

  it('every builder puts "{" right after the prefix', () => {
    const k = new RedisKeys('tinyolly:');
    const all = [
      k.tracesByStart, k.tracesByDuration, k.tracesByWrite, k.logsByTime, k.logsByWrite, k.tracesOfService('s'), k.traceServices,
      k.metricNames, k.metricMeta, k.counters(3), k.latency(3, 's'),
      k.traceSpans(tid(1)), k.traceResources(tid(1)), k.traceSkeleton(tid(1)), k.traceBacklinks(tid(1)), k.traceLogs(tid(1)),
      k.logBucket(7), k.metricRegistry('m'), k.metricSeries('m'), k.metricDropped('m'), k.metricServices('m'), k.metricLast('m'), k.metricPointBucket('m', 7),
    ];
    for (const key of all) expect(key.startsWith('tinyolly:{'), key).toBe(true);
    expect(new Set(all).size).toBe(all.length);
    expect(k.pattern).toBe('tinyolly:{*');
  });
});

describe.skipIf(!available)('two stores on the shared Redis, prefixes P and P+"dev:"', () => {
  const raw = new Redis(REDIS_URL);
  const used: string[] = [];
  afterAll(async () => {
    for (const p of used) await deletePrefixKeys(p);
    raw.disconnect();
  });
  prefixSuite(async (keyPrefix) => {
    used.push(keyPrefix);
    const s = new RedisStore({ url: REDIS_URL, keyPrefix, ttlSeconds: 600, maxSeriesPerMetric: 100 });
    await s.waitUntilReady();
    return s;
  }, () => [raw]);
});

describe.skipIf(!bins.ok)('two stores on a 3-node Redis Cluster, prefixes P and P+"dev:"', () => {
  let cluster: Awaited<ReturnType<typeof startCluster>> | undefined;
  let masters: Redis[] = [];
  beforeAll(async () => {
    cluster = await startCluster();
    masters = cluster.urls.map((u) => new Redis(u));
  }, 60_000);
  afterAll(async () => {
    for (const m of masters) m.disconnect();
    await cluster?.destroy();
  });
  prefixSuite(async (keyPrefix) => {
    const s = new RedisStore({ url: cluster!.urls.join(','), keyPrefix, ttlSeconds: 600, maxSeriesPerMetric: 100 });
    await s.waitUntilReady(10_000);
    return s;
  }, () => masters);
});
