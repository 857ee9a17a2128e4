/**
 * A retried export leaves one copy on Redis (issue 11): log records and metric points are identified
 * by their content (as spans by their ids), so whatever a first attempt that answered 503 left behind,
 * the exporter's retry of the same request adds nothing twice. Two real faults, each on a private
 * redis-server: one paused with SIGSTOP past the command timeout (the first attempt then runs when it
 * resumes), one at `maxmemory` (the points are written, then the metadata write is refused: 503).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { Ingester } from '../../src/ingest/ingester.js';
import { DEFAULT_NORMALISE_OPTIONS } from '../../src/normalise/options.js';
import { decodeBody } from '../../src/otlp/codecs.js';
import { encodeRequestProtobuf } from '../helpers/otlp-protobuf.js';
import { RedisStore } from '../../src/store/redis/redis-store.js';
import { ROOT } from '../helpers/start-tinyolly.js';
import { PrivateRedis, redisBinariesAvailable, until } from './private-redis.js';

const bins = redisBinariesAvailable();
if (!bins.ok) console.warn(`[retry-once.test] SKIPPED: ${bins.reason}`);

const fixture = (signal: string, name: string) => readFileSync(path.join(ROOT, 'test/fixtures/otlp', signal, `${name}.pb`));

/** A metrics export of `names` gauges with `points` points each (a few hundred KB). */
function manyMetrics(names: number, points: number, tag: string): Buffer {
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const metrics = Array.from({ length: names }, (_, n) => ({
    name: `${tag}.metric.${n}`, unit: '1',
    gauge: { dataPoints: Array.from({ length: points }, (_, p) => ({
      timeUnixNano: String(nowNs - BigInt(p) * 1_000_000n), asDouble: p,
      attributes: [{ key: 'pad', value: { stringValue: 'p'.repeat(200) } }],
    })) },
  }));
  return Buffer.from(encodeRequestProtobuf('metrics', { resourceMetrics: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'retry' } }] }, scopeMetrics: [{ metrics }] }] }));
}

/** Points stored for every metric of the store. */
async function pointCount(store: RedisStore): Promise<number> {
  let n = 0;
  for (const m of await store.listMetrics()) for (const s of (await store.getMetric(m.name, {}))!.series) n += s.points.length;
  return n;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setUp(args: string[] = []): Promise<{ redis: PrivateRedis; store: RedisStore; ingester: Ingester }> {
  const redis = await PrivateRedis.start({ args });
  cleanups.push(() => redis.destroy());
  const store = new RedisStore({ url: redis.url, keyPrefix: 'retry-once:', ttlSeconds: 600, maxSeriesPerMetric: 1000 });
  cleanups.push(() => store.close());
  await store.waitUntilReady();
  return { redis, store, ingester: new Ingester(store, { maxInFlight: 8 }) };
}

describe.skipIf(!bins.ok)('a retried export leaves one copy (Redis)', () => {
  it('Redis paused past the command timeout: the first attempt (503) runs when it resumes, the retry adds nothing', async () => {
    const { redis, store, ingester } = await setUp();
    const logs = fixture('logs', 'bodies');
    const metrics = fixture('metrics', 'histogram');
    redis.pause();
    await expect(ingester.export(decodeBody('protobuf', 'logs', logs, DEFAULT_NORMALISE_OPTIONS))).rejects.toMatchObject({ kind: 'unavailable' });
    await expect(ingester.export(decodeBody('protobuf', 'metrics', metrics, DEFAULT_NORMALISE_OPTIONS))).rejects.toMatchObject({ kind: 'unavailable' });
    redis.resume();
    await until(() => store.ping(), 20_000, 'Redis answering again');
    // The exporters retry the same requests.
    const logResult = await ingester.export(decodeBody('protobuf', 'logs', logs, DEFAULT_NORMALISE_OPTIONS));
    const metricResult = await ingester.export(decodeBody('protobuf', 'metrics', metrics, DEFAULT_NORMALISE_OPTIONS));
    expect(logResult.accepted).toBeGreaterThan(0);
    expect(await store.findLogs({ limit: 1000 })).toHaveLength(logResult.accepted);
    expect((await store.stats()).logs).toBe(logResult.accepted);
    expect(await pointCount(store)).toBe(metricResult.accepted);
  }, 60_000);

  it('Redis at maxmemory: an export refused part-way is retried once memory is freed, and every item is there once', async () => {
    const { redis, store, ingester } = await setUp(['--maxmemory', '16mb', '--maxmemory-policy', 'noeviction']);
    const raw = new Redis(redis.url);
    cleanups.push(async () => { raw.disconnect(); });
    // Fill Redis to its limit, then leave a little room: the export's first writes fit, later ones are refused.
    const filler = 'f'.repeat(64 * 1024);
    let n = 0;
    for (;; n++) {
      try { await raw.set(`filler:${n}`, filler); } catch { break; }
    }
    await raw.del('filler:0');
    const metrics = manyMetrics(200, 20, 'oom');
    const logs = fixture('logs', 'basic');
    // Refused (503) once Redis is past maxmemory, after its points were written: the case a retry used to double.
    await expect(ingester.export(decodeBody('protobuf', 'metrics', metrics, DEFAULT_NORMALISE_OPTIONS))).rejects.toMatchObject({ kind: 'unavailable' });
    expect((await raw.keys('retry-once:*:pb:*')).length).toBeGreaterThan(0);
    await ingester.export(decodeBody('protobuf', 'logs', logs, DEFAULT_NORMALISE_OPTIONS)).catch(() => undefined);
    for (let i = 0; i <= n; i += 100) await raw.del(...Array.from({ length: 100 }, (_, j) => `filler:${i + j}`));
    const metricResult = await ingester.export(decodeBody('protobuf', 'metrics', metrics, DEFAULT_NORMALISE_OPTIONS));
    const logResult = await ingester.export(decodeBody('protobuf', 'logs', logs, DEFAULT_NORMALISE_OPTIONS));
    expect(metricResult.accepted).toBe(4000);
    expect(await pointCount(store)).toBe(4000);
    expect(await store.findLogs({ limit: 1000 })).toHaveLength(logResult.accepted);
  }, 60_000);
});
