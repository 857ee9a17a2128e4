/**
 * Tests for the Redis store on the shared Redis at 127.0.0.1:6379 (REDIS_URL overrides): the Store
 * contract, plus what only this backend does: key layout, TTL on keys, restarts, two stores on one
 * prefix, and answers that survive keys evicted behind the indexes' back.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { LogRecord, MetricSample, Span } from '../../model/model.js';
import { WALL_CLOCK, runStoreContract } from '../store.contract.js';
import type { StoreOptions } from '../store.js';
import { RedisStore } from './redis-store.js';
import { RedisKeys, slotOf, tagOf } from './keys.js';
import { bucketSecondsFor } from './buckets.js';
import { PrivateRedis, redisAnswersAt, redisBinariesAvailable } from '../../../test/redis/private-redis.js';

const REDIS_URL = process.env.TINYOLLY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const BASE_S = 1_700_000_000;


const available = await redisAnswersAt(REDIS_URL);
if (!available) console.warn(`[redis-store.test] SKIPPED: no Redis answers at ${REDIS_URL} (start redis-server to run these tests)`);

/** A unique key prefix per store, so tests never touch anyone else's keys. */
function prefix(): string {
  return `tinyolly-test:${process.pid}:${randomUUID().slice(0, 8)}:`;
}

async function makeStore(options: StoreOptions & { keyPrefix?: string }): Promise<RedisStore> {
  const store = new RedisStore({ url: REDIS_URL, keyPrefix: options.keyPrefix ?? prefix(), ...options });
  await store.waitUntilReady();
  return store;
}

function tid(n: number): string { return n.toString(16).padStart(32, '0'); }
function sid(n: number): string { return n.toString(16).padStart(16, '0'); }
function ns(ms: number): string { return (BigInt(BASE_S) * 1_000_000_000n + BigInt(ms) * 1_000_000n).toString(); }
function span(o: Partial<Span> & { startMs?: number; durMs?: number } = {}): Span {
  const { startMs = 0, durMs = 100, ...rest } = o;
  return {
    traceId: tid(1), spanId: sid(1), parentSpanId: null, name: 'op', kind: 'SERVER',
    startTimeUnixNano: ns(startMs), endTimeUnixNano: ns(startMs + durMs), durationMs: durMs,
    status: { code: 'UNSET', message: '' }, service: 'svc', attributes: {}, resource: {},
    scope: { name: 's', version: '1' }, events: [], links: [], ...rest,
  };
}
let logSeq = 0;
function log(o: Partial<LogRecord> = {}): LogRecord {
  return {
    id: `id-${++logSeq}`, timeUnixNano: ns(0), timestamp: BASE_S, severityText: 'INFO', severityNumber: 9,
    body: 'hello', traceId: null, spanId: null, service: 'svc', attributes: {}, resource: {}, scope: { name: '', version: '' }, ...o,
  };
}
function sample(o: Partial<MetricSample> = {}): MetricSample {
  return { name: 'm', type: 'gauge', unit: '1', description: '', service: 'svc', labels: {}, point: { timestamp: BASE_S, value: 1 }, ...o };
}

// The slot function ioredis routes Cluster commands by: its own dependency, resolved through ioredis.
const librarySlotOf = createRequire(createRequire(import.meta.url).resolve('ioredis'))('cluster-key-slot') as (key: string) => number;

/** Keys with braces, empty tags, unclosed tags and multi-byte characters, the same every run. */
const ODD_KEYS = fc.sample(fc.string({ unit: fc.constantFrom('{', '}', 'a', 'b', ':', 'é', '🙂', '0'), maxLength: 10 }), { numRuns: 300, seed: 20261202 });
const SPEC_KEYS = ['123456789', 'foo', '{user1000}.following', '{user1000}.followers', 'foo{}{bar}', 'foo{{bar}}zap', 'foo{bar}{zap}', '{}', '', 'a{', 'é{ü}'];

/** Every key a store with this prefix builds for one trace, the global group and one metric. */
function keyGroups(keys: RedisKeys, traceId: string, metric: string): string[][] {
  return [
    [keys.traceSpans(traceId), keys.traceSkeleton(traceId), keys.traceBacklinks(traceId), keys.traceLogs(traceId), keys.traceResources(traceId)],
    [keys.tracesByStart, keys.tracesByDuration, keys.tracesByWrite, keys.logsByTime, keys.logsByWrite, keys.metricNames, keys.metricMeta,
      keys.counters(3), keys.latency(3, 'svc{x}'), keys.tracesOfService('svc{x}'), keys.traceServices],
    [keys.metricRegistry(metric), keys.metricSeries(metric), keys.metricDropped(metric), keys.metricServices(metric), keys.metricLast(metric), keys.metricPointBucket(metric, 7)],
  ];
}
const PREFIXES = ['tinyolly:', 'tinyolly:dev:', 'a*b?[c]:', 'x'];
const TRACE_IDS = [tid(7), '', '}{', 'UPPER{weird}id', '{}', 'x'.repeat(500)];

describe('Redis key helpers', () => {
  it('computes the Cluster slots the Redis Cluster specification gives, honouring hash tags', () => {
    // Values as CLUSTER KEYSLOT answers them (CRC16/XMODEM mod 16384; "123456789" is 0x31C3).
    expect(SPEC_KEYS.slice(0, 4).map(slotOf)).toEqual([0x31c3, 12182, 3443, 3443]);
    // A tag ends at the first "}" after the first "{".
    expect(slotOf('foo{{bar}}zap')).toBe(slotOf('{bar'));
    expect(slotOf('foo{bar}{zap}')).toBe(slotOf('bar'));
  });

  it('is the slot function ioredis routes by (the same cluster-key-slot), for every key TinyOlly builds and odd ones', () => {
    const built = PREFIXES.flatMap((p) => TRACE_IDS.flatMap((id) => keyGroups(new RedisKeys(p), id, id || 'a{b').flat()));
    for (const key of [...built, ...SPEC_KEYS, ...ODD_KEYS]) expect(slotOf(key), key).toBe(librarySlotOf(key));
  });

  it('puts every key of one trace (and of the global group, and of one metric) in one slot, whatever the id looks like', () => {
    for (const prefix of PREFIXES) {
      const keys = new RedisKeys(prefix);
      for (const id of TRACE_IDS) {
        for (const group of keyGroups(keys, id, id || 'a{b')) {
          expect(new Set(group.map(slotOf)).size, group.join(' ')).toBe(1);
          expect(new Set(group.map(librarySlotOf)).size, group.join(' ')).toBe(1);
        }
        expect(tagOf(id)).toMatch(/^([0-9a-z._-]{1,64}|~[0-9a-f]{24})$/);
      }
      // Different traces spread over slots (the tag is the trace id, not the prefix).
      expect(new Set(Array.from({ length: 50 }, (_, i) => slotOf(keys.traceSpans(tid(i))))).size).toBeGreaterThan(40);
    }
  });

  it('escapes glob characters of the prefix in the clear() pattern', () => {
    expect(new RedisKeys('a*b?[c]:').pattern).toBe('a\\*b\\?\\[c\\]:{*');
  });
});

const bins = redisBinariesAvailable();
if (!bins.ok) console.warn(`[redis-store.test] SKIPPED the CLUSTER KEYSLOT comparison: ${bins.reason}`);

describe.skipIf(!bins.ok)('slotOf against Redis itself (CLUSTER KEYSLOT of a private cluster-enabled redis-server)', () => {
  let node: PrivateRedis | undefined;
  let client: Redis | undefined;
  beforeAll(async () => {
    node = await PrivateRedis.start({ cluster: true });
    client = new Redis(node.url);
  }, 30_000);
  afterAll(async () => {
    client?.disconnect();
    await node?.destroy();
  });

  async function redisSlots(keys: string[]): Promise<number[]> {
    const p = client!.pipeline();
    for (const k of keys) p.call('CLUSTER', 'KEYSLOT', k);
    return (await p.exec())!.map(([err, slot]) => {
      if (err) throw err;
      return slot as number;
    });
  }

  it('gives the slot Redis gives, for the specification examples and 300 keys full of braces, but an empty first tag', async () => {
    // The library hashes the next tag of `foo{}{bar}`, where Redis hashes the whole key: a shape no
    // TinyOlly key has (prefixes hold no brace and every key continues with a non-empty tag).
    const keys = [...SPEC_KEYS, ...ODD_KEYS];
    const redis = await redisSlots(keys);
    const differing = keys.filter((k, i) => slotOf(k) !== redis[i]);
    for (const key of differing) expect(key, key).toMatch(/^[^{]*\{\}/);
    expect(differing).toContain('foo{}{bar}');
  });

  it('gives the slot Redis gives, for every key TinyOlly builds', async () => {
    const keys = PREFIXES.flatMap((p) => TRACE_IDS.flatMap((id) => keyGroups(new RedisKeys(p), id, id || 'a{b').flat()));
    expect(keys.map(slotOf)).toEqual(await redisSlots(keys));
  });
});

describe.skipIf(!available)('RedisStore on a single Redis', () => {
  runStoreContract('redis', (options) => makeStore(options), WALL_CLOCK);

  const raw = new Redis(REDIS_URL);
  const open: RedisStore[] = [];
  async function fresh(o: Partial<StoreOptions> & { keyPrefix?: string } = {}): Promise<RedisStore> {
    const s = await makeStore({ ttlSeconds: 3600, maxSeriesPerMetric: 100, ...o });
    open.push(s);
    return s;
  }
  afterEach(async () => {
    for (const s of open.splice(0)) {
      await s.clear();
      await s.close();
    }
  });
  afterAll(() => { raw.disconnect(); });

  async function keysOf(p: string): Promise<string[]> {
    const out: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await raw.scan(cursor, 'MATCH', new RedisKeys(p).pattern, 'COUNT', 1000);
      cursor = next;
      out.push(...keys);
    } while (cursor !== '0');
    return out;
  }

  async function writeAll(s: RedisStore): Promise<void> {
    await s.writeSpans([
      span({ spanId: sid(1), service: 'front' }),
      span({ spanId: sid(2), parentSpanId: sid(1), service: 'back', startMs: 10, durMs: 20, links: [{ traceId: tid(2), spanId: sid(1), attributes: {} }] }),
    ]);
    await s.writeLogs([log({ traceId: tid(1), service: 'front' })]);
    await s.writeMetrics([sample({ service: 'front' })]);
  }

  it('puts the key prefix on every key and an expiry on every key', async () => {
    const p = prefix();
    const s = await fresh({ keyPrefix: p, ttlSeconds: 600 });
    await writeAll(s);
    const keys = await keysOf(p);
    expect(keys.length).toBeGreaterThan(10);
    const ttls = await Promise.all(keys.map((k) => raw.ttl(k)));
    const slack = bucketSecondsFor(600) + 1;
    for (const [i, t] of ttls.entries()) {
      expect.soft(t, keys[i]).toBeGreaterThan(0);
      expect.soft(t, keys[i]).toBeLessThanOrEqual(600 + slack);
    }
  });

  it('keeps data across a restart of the store (same prefix)', async () => {
    const p = prefix();
    const first = await makeStore({ keyPrefix: p, ttlSeconds: 600, maxSeriesPerMetric: 10 });
    await writeAll(first);
    await first.close();
    const second = await fresh({ keyPrefix: p, ttlSeconds: 600 });
    expect(await second.getTrace(tid(1))).toHaveLength(2);
    expect(await second.stats()).toEqual({ traces: 1, spans: 2, logs: 1, metrics: 1, droppedSeries: 0 });
    expect((await second.serviceMap()).edges).toEqual([{ source: 'front', target: 'back', callCount: 1, errorCount: 0, p50Ms: 20 }]);
  });

  it('lets two stores on one prefix see each other\'s data, and resolves a parent written by the other', async () => {
    const p = prefix();
    const a = await fresh({ keyPrefix: p });
    const b = await fresh({ keyPrefix: p });
    await a.writeSpans([span({ spanId: sid(2), parentSpanId: sid(1), service: 'back', durMs: 30 })]);
    await b.writeSpans([span({ spanId: sid(1), service: 'front', durMs: 100 })]);
    for (const s of [a, b]) {
      expect((await s.getTrace(tid(1)))?.map((x) => x.spanId)).toEqual([sid(1), sid(2)]);
      expect((await s.serviceMap()).edges).toEqual([{ source: 'front', target: 'back', callCount: 1, errorCount: 0, p50Ms: 30 }]);
    }
  });

  it('answers without data whose keys were evicted behind the indexes\' back', async () => {
    const p = prefix();
    const s = await fresh({ keyPrefix: p });
    const keys = new RedisKeys(p);
    await s.writeSpans([span({ traceId: tid(1) }), span({ traceId: tid(2), startMs: 1000 })]);
    await s.writeLogs([log({ id: 'a', traceId: tid(1) }), log({ id: 'b', timestamp: BASE_S + 1 })]);
    await s.writeMetrics([sample({ labels: { k: 1 } }), sample({ labels: { k: 2 } })]);
    // allkeys-lru may evict any key at any time: remove data keys but keep the indexes.
    await raw.unlink(keys.traceSpans(tid(2)));
    const logBuckets = (await keysOf(p)).filter((k) => k.includes('lb:'));
    await raw.unlink(...logBuckets);
    await raw.unlink(keys.traceResources(tid(1)));
    const points = (await keysOf(p)).filter((k) => k.includes(':pb:'));
    expect(points).toHaveLength(1);
    await raw.unlink(points[0]);
    expect(await s.getTrace(tid(2))).toBeUndefined();
    // A span whose resource was evicted is left out like the span itself.
    expect(await s.getTrace(tid(1))).toBeUndefined();
    await s.writeSpans([span({ traceId: tid(1) })]);
    expect((await s.findTraces({ limit: 10, sort: 'start', order: 'desc' })).map((t) => t.traceId)).toEqual([tid(1)]);
    expect(await s.findLogs({ limit: 10 })).toEqual([]);
    expect(await s.findLogs({ limit: 10, traceId: tid(1) })).toEqual([]);
    expect((await s.getMetric('m', {}))?.series).toEqual([]);
    await s.writeMetrics([sample({ labels: { k: 2 } })]);
    expect((await s.getMetric('m', {}))?.series.map((x) => x.labels)).toEqual([{ k: 2 }]);
    // Even the global indexes and aggregates may go: answers shrink, nothing fails.
    await raw.unlink(...(await keysOf(p)).filter((k) => k.includes('idx}')));
    expect(await s.findTraces({ limit: 10, sort: 'start', order: 'desc' })).toEqual([]);
    expect(await s.listServices()).toEqual([]);
    expect(await s.listMetrics()).toEqual([]);
    expect(await s.stats()).toEqual({ traces: 0, spans: 0, logs: 0, metrics: 0, droppedSeries: 0 });
    expect(await s.getTrace(tid(1))).toHaveLength(1);
  });

  it('stores each resource once per trace and rebuilds every span exactly, also from the older whole-span values', async () => {
    const p = prefix();
    const s = await fresh({ keyPrefix: p });
    const keys = new RedisKeys(p);
    const resource = { 'service.name': 'front', host: 'h1', big: 'x'.repeat(200) };
    const spans = [1, 2, 3].map((n) => span({ spanId: sid(n), resource, service: 'front', attributes: { n } }));
    await s.writeSpans([...spans, span({ spanId: sid(4), resource: { 'service.name': 'back' }, service: 'back' })]);
    expect(await raw.hlen(keys.traceResources(tid(1)))).toBe(2);
    expect(await raw.hget(keys.traceSpans(tid(1)), sid(1))).not.toContain('h1');
    const read = await s.getTrace(tid(1));
    expect(read?.slice(0, 3)).toEqual(spans);
    expect(read?.[3]).toMatchObject({ service: 'back', resource: { 'service.name': 'back' } });
    // A value in the previous layout (the whole span as JSON) still reads back as it was.
    const old = span({ traceId: tid(9), spanId: sid(9), resource: { r: 1 }, service: 'old' });
    await raw.hset(keys.traceSpans(tid(9)), sid(9), `${Date.now()}|${JSON.stringify(old)}`);
    expect(await s.getTrace(tid(9))).toEqual([old]);
  });

  it('resolves parents and waiting children kept in the older skeleton format (cjson arrays)', async () => {
    const p = prefix();
    const s = await fresh({ keyPrefix: p });
    const keys = new RedisKeys(p);
    const k = Math.floor(Date.now() / 1000 / bucketSecondsFor(3600));
    // As the previous version left them: a parent (entry span of front) and a child of back waiting for sid(5).
    await raw.hset(keys.traceSkeleton(tid(1)), 'k:' + sid(1), JSON.stringify(['front', '0', String(k), 1]),
      'k:' + sid(6), JSON.stringify(['db', '1', String(k), 1]), 'w:' + sid(5), JSON.stringify([sid(6)]));
    await s.writeSpans([span({ spanId: sid(5), parentSpanId: sid(1), service: 'back' })]);
    expect((await s.serviceMap()).edges).toEqual([
      { source: 'back', target: 'db', callCount: 1, errorCount: 1, p50Ms: 0 },
      { source: 'front', target: 'back', callCount: 1, errorCount: 0, p50Ms: 100 },
    ]);
    expect(await raw.hget(keys.traceSkeleton(tid(1)), 'w:' + sid(5))).toBeNull();
    expect(await raw.hget(keys.traceSkeleton(tid(1)), 'k:' + sid(5))).toBe(`#1001${k}|100|back`);
  });

  it('answers a service filter from that service\'s own index, whose start follows the trace and which the trimmer empties', async () => {
    const p = prefix();
    const s = await fresh({ keyPrefix: p, ttlSeconds: 2 });
    const keys = new RedisKeys(p);
    await s.writeSpans([span({ traceId: tid(1), spanId: sid(1), service: 'a', startMs: 500 })]);
    await s.writeSpans([span({ traceId: tid(2), spanId: sid(2), service: 'b', startMs: 400 })]);
    // An earlier span of another service moves the trace's start in every service's index.
    await s.writeSpans([span({ traceId: tid(1), spanId: sid(3), service: 'c', startMs: 100 })]);
    expect(Number(await raw.zscore(keys.tracesOfService('a'), tid(1)))).toBe(BASE_S * 1000 + 100);
    const q = { limit: 10, sort: 'start', order: 'asc', service: 'a' } as const;
    expect((await s.findTraces(q)).map((t) => [t.traceId, t.startTimeUnixNano, t.services])).toEqual([[tid(1), ns(100), ['a', 'c']]]);
    expect((await s.findTraces({ ...q, service: 'b' })).map((t) => t.traceId)).toEqual([tid(2)]);
    expect((await s.findTraces({ ...q, service: 'a', start: BASE_S + 0.2 }))).toEqual([]);
    expect((await raw.zrange(keys.traceServices, 0, -1)).sort()).toEqual(['a', 'b', 'c']);
    // Once expired, the trimmer removes the members and then the per-service keys themselves.
    await raw.zadd(keys.tracesOfService('d'), 1, tid(4));
    await raw.zadd(keys.traceServices, Date.now() - 60_000, 'd');
    await raw.zadd(keys.tracesByWrite, Date.now() - 60_000, tid(4));
    await s.trimIndexes();
    expect(await raw.exists(keys.tracesOfService('d'))).toBe(0);
    expect((await raw.zrange(keys.traceServices, 0, -1)).sort()).toEqual(['a', 'b', 'c']);
    await new Promise((r) => setTimeout(r, 2100));
    await s.trimIndexes();
    for (const svc of ['a', 'b', 'c']) expect(await raw.exists(keys.tracesOfService(svc))).toBe(0);
    expect(await raw.zcard(keys.tracesByStart)).toBe(0);
  });

  it('counts the items it stored whose TTL passed (the inspector\'s dropped.expired), and no evictions', async () => {
    const s = await fresh({ ttlSeconds: 1 });
    await s.writeSpans([span({ traceId: tid(1), spanId: sid(1) }), span({ traceId: tid(1), spanId: sid(2) }), span({ traceId: tid(2), spanId: sid(3) })]);
    await s.writeLogs([log(), log(), log()]);
    await s.writeMetrics([sample({ labels: { k: 1 } }), sample({ labels: { k: 2 } })]);
    expect(s.dropped).toEqual({ evicted: 0, expired: 0 });
    const deadline = Date.now() + 15_000;
    while (s.dropped.expired < 8 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(s.dropped).toEqual({ evicted: 0, expired: 8 }); // 3 spans + 3 logs + 2 points
    expect(await s.getTrace(tid(1))).toBeUndefined(); // Redis expired them indeed
    // Cleared items do not count as expired.
    await s.writeLogs([log()]);
    await s.clear();
    await new Promise((r) => setTimeout(r, 2100));
    expect(s.dropped.expired).toBe(8);
  });

  it('reads a metric from its appended point chunks, each point once, skipping a damaged chunk', async () => {
    const p = prefix();
    const s = await fresh({ keyPrefix: p });
    const keys = new RedisKeys(p);
    await s.writeMetrics([1, 2, 3].map((n) => sample({ labels: { k: 1 }, point: { timestamp: BASE_S + n, value: n } })));
    await s.writeMetrics([sample({ labels: { k: 2 }, point: { timestamp: BASE_S + 4, value: 4 } })]);
    const got = await s.getMetric('m', {});
    expect(got?.series.map((x) => [x.labels, x.points.map((pt) => pt.value)])).toEqual([[{ k: 1 }, [1, 2, 3]], [{ k: 2 }, [4]]]);
    expect((await s.getMetric('m', { start: BASE_S + 2, end: BASE_S + 3 }))?.series.map((x) => x.points.length)).toEqual([2]);
    const [chunkKey] = (await keysOf(p)).filter((k) => k.includes(':pb:'));
    expect(chunkKey.startsWith(p + '{m')).toBe(true);
    const bucket = Number(chunkKey.slice(chunkKey.lastIndexOf(':') + 1));
    await raw.set(keys.metricPointBucket('m', bucket - 1), ',[1,"x",{bad', 'EX', 60);
    expect((await s.getMetric('m', {}))?.series.map((x) => x.points.length)).toEqual([3, 1]);
  });

  it('reads only what was appended since its last read of a metric, hands out copies, and notices a re-created string', async () => {
    const p = prefix();
    const a = await fresh({ keyPrefix: p });
    const b = await fresh({ keyPrefix: p });
    const values = async (): Promise<unknown[]> => ((await a.getMetric('m', {}))?.series ?? []).flatMap((x) => x.points.map((pt) => pt.value));
    await a.writeMetrics([sample({ point: { timestamp: BASE_S + 1, value: 1 } })]);
    expect(await values()).toEqual([1]);
    const first = await a.getMetric('m', {});
    first!.series[0].points[0].value = 99;
    await b.writeMetrics([sample({ point: { timestamp: BASE_S + 2, value: 2 } })]);
    await Promise.all([values(), values()]);
    expect(await values()).toEqual([1, 2]);
    // The bucket string deleted and written anew (eviction, or clear() by another instance): nothing stale.
    const [chunkKey] = (await keysOf(p)).filter((k) => k.includes(':pb:'));
    await raw.unlink(chunkKey);
    // Longer than before, so only its head tells it apart.
    await b.writeMetrics([3, 4, 5, 6].map((n) => sample({ point: { timestamp: BASE_S + n, value: n } })));
    expect(await values()).toEqual([3, 4, 5, 6]);
    const h = { timestamp: BASE_S, count: 3, sum: 6, bucketCounts: [1, 2], explicitBounds: [5], positive: { offset: 0, bucketCounts: [3] } };
    await a.writeMetrics([sample({ name: 'h', type: 'histogram', point: h })]);
    const got = (await a.getMetric('h', {}))!.series[0].points[0];
    got.bucketCounts!.push(7);
    got.positive!.bucketCounts.push(7);
    expect((await a.getMetric('h', {}))!.series[0].points).toEqual([h]);
    await b.clear();
    expect(await a.getMetric('m', {})).toBeUndefined();
  });

  it('resolves entry spans and edges when children arrive before their parent, in any batch', async () => {
    const s = await fresh();
    await s.writeSpans([span({ spanId: sid(3), parentSpanId: sid(2), service: 'db', durMs: 5, status: { code: 'ERROR', message: '' } })]);
    await s.writeSpans([span({ spanId: sid(2), parentSpanId: sid(1), service: 'front', durMs: 50 })]);
    await s.writeSpans([span({ spanId: sid(1), service: 'front', durMs: 100 }), span({ spanId: sid(1), service: 'front', durMs: 100 })]);
    expect(await s.listServices()).toEqual([
      { name: 'db', spanCount: 1, errorCount: 1, requestCount: 1, requestErrorCount: 1, p50Ms: 5, p95Ms: 5, p99Ms: 5, ratePerMinute: 60, logCount: 0, metricCount: 0 },
      { name: 'front', spanCount: 2, errorCount: 0, requestCount: 1, requestErrorCount: 0, p50Ms: 100, p95Ms: 100, p99Ms: 100, ratePerMinute: 60, logCount: 0, metricCount: 0 },
    ]);
    expect((await s.serviceMap()).edges).toEqual([{ source: 'front', target: 'db', callCount: 1, errorCount: 1, p50Ms: 5 }]);
  });

  it('rejects quickly with unavailable once closed, and ping answers false', async () => {
    const s = await makeStore({ ttlSeconds: 60, maxSeriesPerMetric: 10 });
    await s.close();
    expect(await s.ping()).toBe(false);
    await expect(s.writeSpans([span()])).rejects.toMatchObject({ kind: 'unavailable' });
    await expect(s.findTraces({ limit: 1, sort: 'start', order: 'desc' })).rejects.toMatchObject({ kind: 'unavailable' });
  });
});
