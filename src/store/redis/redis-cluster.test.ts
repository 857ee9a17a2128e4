/**
 * The Store contract on a 3-node Redis Cluster that this file starts on loopback ports
 * (redis-server --cluster-enabled yes, then redis-cli --cluster create). Skipped, with the reason
 * printed, only where redis-server or redis-cli is absent.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WALL_CLOCK, runStoreContract } from '../store.contract.js';
import { RedisStore } from './redis-store.js';
import { redisBinariesAvailable, startCluster } from '../../../test/redis/private-redis.js';

const bins = redisBinariesAvailable();
if (!bins.ok) console.warn(`[redis-cluster.test] SKIPPED the Redis Cluster leg: ${bins.reason}`);

describe.skipIf(!bins.ok)('RedisStore on a 3-node Redis Cluster', () => {
  let cluster: Awaited<ReturnType<typeof startCluster>> | undefined;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 60_000);
  afterAll(async () => {
    await cluster?.destroy();
  });

  async function make(o: { ttlSeconds: number; maxSeriesPerMetric: number }, viaUrl = true): Promise<RedisStore> {
    const keyPrefix = `tinyolly-test:${randomUUID().slice(0, 8)}:`;
    const store = viaUrl
      ? new RedisStore({ url: cluster!.urls.join(','), keyPrefix, ...o })
      : new RedisStore({ url: cluster!.urls[0], cluster: true, keyPrefix, ...o });
    await store.waitUntilReady(10_000);
    return store;
  }

  const keyPrefixOf = (s: RedisStore): string => (s as unknown as { keys: { prefix: string } }).keys.prefix;

  runStoreContract('redis cluster', (options) => make(options), WALL_CLOCK);

  it('works from a single seed URL with cluster=true, spreading traces over several nodes', async () => {
    const store = await make({ ttlSeconds: 600, maxSeriesPerMetric: 10 }, false);
    try {
      const base = {
        parentSpanId: null, name: 'op', kind: 'SERVER' as const, startTimeUnixNano: '1700000000000000000',
        endTimeUnixNano: '1700000000001000000', durationMs: 1, status: { code: 'UNSET' as const, message: '' }, service: 'svc',
        attributes: {}, resource: {}, scope: { name: '', version: '' }, events: [], links: [],
      };
      const ids = Array.from({ length: 40 }, (_, i) => (i + 1).toString(16).padStart(32, '0'));
      await store.writeSpans(ids.map((traceId) => ({ ...base, traceId, spanId: 'a'.repeat(16) })));
      expect((await store.findTraces({ limit: 100, sort: 'start', order: 'desc' })).length).toBe(40);
      expect(await store.stats()).toMatchObject({ traces: 40, spans: 40 });
      const perNode = cluster!.nodes.map((n) => spawnSync('redis-cli', ['-p', String(n.port), '--scan', '--pattern', `${keyPrefixOf(store)}{t:*`], { encoding: 'utf8' })
        .stdout.split('\n').filter(Boolean).length);
      expect(perNode.filter((n) => n > 0).length, String(perNode)).toBeGreaterThan(1);
      await store.clear();
      expect(await store.stats()).toMatchObject({ traces: 0, spans: 0 });
    } finally {
      await store.close();
    }
  });
});
