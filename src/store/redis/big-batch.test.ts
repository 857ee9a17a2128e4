/**
 * One export at the item limit (TINYOLLY_MAX_ITEMS_PER_REQUEST, 100,000) reaches Redis whole: the
 * commands' arguments go to ioredis as arrays, never spread into a call, which overflowed the call
 * stack for 200k arguments (issue 11) and answered such an export `unavailable` for ever.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { LogRecord, MetricSample } from '../../model/model.js';
import { RedisStore } from './redis-store.js';
import { deletePrefixKeys, SHARED_REDIS_URL, uniquePrefix } from '../../../test/helpers/redis-prefix.js';
import { redisAnswersAt } from '../../../test/redis/private-redis.js';
import { modelLog } from '../../../test/helpers/model-items.js';

const available = await redisAnswersAt(SHARED_REDIS_URL);
if (!available) console.warn(`[big-batch.test] SKIPPED: no Redis answers at ${SHARED_REDIS_URL}`);

const N = 100_000;
const NOW_S = Math.floor(Date.now() / 1000) - 60;

describe.skipIf(!available)('a batch of 100,000 items on Redis', () => {
  const prefix = uniquePrefix('big-batch');
  const store = available ? new RedisStore({ url: SHARED_REDIS_URL, keyPrefix: prefix, ttlSeconds: 600, maxSeriesPerMetric: 10 }) : undefined;
  afterAll(async () => {
    await store?.close();
    await deletePrefixKeys(prefix);
  });

  it('stores 100,000 log records and 100,000 metric points written in one call each', async () => {
    await store!.waitUntilReady();
    const logs: LogRecord[] = Array.from({ length: N }, (_, i) => modelLog({ id: `l${i}`, timeMs: NOW_S * 1000 + i / 1000, body: `record ${i}`, service: 'bulk' }));
    await store!.writeLogs(logs);
    const points: MetricSample[] = Array.from({ length: N }, (_, i) => ({
      name: 'bulk.gauge', type: 'gauge', unit: '1', description: '', service: 'bulk', labels: {}, point: { timestamp: NOW_S + i / 1e6, value: i },
    }));
    expect(await store!.writeMetrics(points)).toEqual({ rejected: 0 });
    expect(await store!.stats()).toMatchObject({ logs: N });
    const series = (await store!.getMetric('bulk.gauge', {}))!.series;
    expect(series[0].points).toHaveLength(N);
  }, 120_000);
});
