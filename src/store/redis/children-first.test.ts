/**
 * Children that arrive before their parent are all counted (issue 11): a batch exporter sends a
 * request's children first, and the Redis store once remembered at most 1,000 of them per parent, so
 * its service map undercounted. 1,500 children of another service, then their parent: the service map
 * and the services' request counts of the Redis store match the memory store's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '../../model/model.js';
import { MemoryStore } from '../memory/memory-store.js';
import type { Store } from '../store.js';
import { RedisStore } from './redis-store.js';
import { deletePrefixKeys, SHARED_REDIS_URL, uniquePrefix } from '../../../test/helpers/redis-prefix.js';
import { redisAnswersAt } from '../../../test/redis/private-redis.js';
import { modelSpan } from '../../../test/helpers/model-items.js';

const available = await redisAnswersAt(SHARED_REDIS_URL);
if (!available) console.warn(`[children-first.test] SKIPPED: no Redis answers at ${SHARED_REDIS_URL}`);

const CHILDREN = 1500;
const TRACE_ID = 'c41dfa57'.repeat(4);
const PARENT_ID = 'aa'.repeat(8);
const NOW_MS = Date.now();

function span(spanId: string, parentSpanId: string | null, service: string, kind: Span['kind'], offsetMs: number): Span {
  return modelSpan({ traceId: TRACE_ID, spanId, parentSpanId, name: parentSpanId ? 'child' : 'parent', kind, service, startMs: NOW_MS + offsetMs });
}

/** Children first in batches of 500 (as a BatchSpanProcessor flushes), the parent last. */
async function sendChildrenFirst(store: Store): Promise<void> {
  const children = Array.from({ length: CHILDREN }, (_, i) => span((i + 1).toString(16).padStart(16, '0'), PARENT_ID, 'backend', 'SERVER', 1 + i / 1000));
  for (let i = 0; i < children.length; i += 500) await store.writeSpans(children.slice(i, i + 500));
  await store.writeSpans([span(PARENT_ID, null, 'frontend', 'CLIENT', 0)]);
}

describe.skipIf(!available)('children before their parent, memory and Redis alike', () => {
  const prefix = uniquePrefix('children-first');
  let memory: MemoryStore;
  let redis: RedisStore;
  beforeAll(async () => {
    memory = new MemoryStore({ ttlSeconds: 600, maxSeriesPerMetric: 100, maxBytes: 64 * 1024 * 1024 });
    redis = new RedisStore({ url: SHARED_REDIS_URL, keyPrefix: prefix, ttlSeconds: 600, maxSeriesPerMetric: 100 });
    await redis.waitUntilReady();
    await sendChildrenFirst(memory);
    await sendChildrenFirst(redis);
  });
  afterAll(async () => {
    await memory?.close();
    await redis?.close();
    await deletePrefixKeys(prefix);
  });

  it(`counts all ${CHILDREN} calls on the service-map edge, as the memory store does`, async () => {
    const edge = (m: Awaited<ReturnType<Store['serviceMap']>>) => m.edges.find((e) => e.source === 'frontend' && e.target === 'backend');
    const [mem, red] = [await memory.serviceMap(), await redis.serviceMap()];
    expect(edge(mem)?.callCount).toBe(CHILDREN);
    expect(edge(red)?.callCount).toBe(CHILDREN);
  });

  it('counts the children as requests of their service on both stores', async () => {
    const requests = async (s: Store) => (await s.listServices()).find((x) => x.name === 'backend')?.requestCount;
    expect(await requests(memory)).toBe(CHILDREN);
    expect(await requests(redis)).toBe(CHILDREN);
  });
});
