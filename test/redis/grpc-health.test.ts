/**
 * gRPC health of the real TinyOlly process follows its Redis store (CONTRACT §6): a private
 * redis-server that is down at start, started, killed and restarted; grpc.health.v1 Check (the empty
 * name and the three OTLP services) and Watch say NOT_SERVING while /healthz is 503, SERVING while 200.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { getJson, startTinyOlly, waitFor, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { PrivateRedis, redisBinariesAvailable } from './private-redis.js';

const bins = redisBinariesAvailable();
if (!bins.ok) console.warn(`[grpc-health.test] SKIPPED: ${bins.reason}`);

const NAMES = ['', 'opentelemetry.proto.collector.trace.v1.TraceService', 'opentelemetry.proto.collector.logs.v1.LogsService', 'opentelemetry.proto.collector.metrics.v1.MetricsService'];

describe.skipIf(!bins.ok)('gRPC health through a Redis outage', () => {
  let redis: PrivateRedis | undefined;
  let app: TinyOllyProcess | undefined;
  let client: any;
  afterAll(async () => { client?.close(); await app?.stop(); await redis?.destroy(); });

  it('is NOT_SERVING while Redis is down (at start and after a kill) and SERVING once it answers, as /healthz', async () => {
    redis = await PrivateRedis.create();
    app = await startTinyOlly({ REDIS_URL: redis.url, TINYOLLY_KEY_PREFIX: 'grpc-health:', TINYOLLY_TTL_SECONDS: '60' });
    const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(healthProtoPath, { enums: String })) as any;
    client = new pkg.grpc.health.v1.Health(`127.0.0.1:${app.ports.grpc}`, grpc.credentials.createInsecure());
    const check = (service: string): Promise<string> => new Promise((resolve, reject) =>
      client.Check({ service }, (e: Error | null, r: { status: string }) => (e ? reject(e) : resolve(r.status))));
    const all = async (status: string) => (await Promise.all(NAMES.map(check))).every((s) => s === status);
    const healthz = async () => (await getJson(app!.baseUrl, '/healthz')).status;

    const seen: string[] = [];
    const watch = client.Watch({ service: '' });
    watch.on('data', (r: { status: string }) => seen.push(r.status));
    watch.on('error', () => { /* cancelled at the end */ });

    expect(await healthz()).toBe(503);
    await waitFor(() => all('NOT_SERVING'), 15_000);
    await waitFor(() => seen.at(-1) === 'NOT_SERVING', 15_000);

    await redis.start();
    await waitFor(async () => (await healthz()) === 200, 15_000);
    await waitFor(() => all('SERVING'), 15_000);
    await waitFor(() => seen.at(-1) === 'SERVING', 15_000);

    await redis.kill();
    await waitFor(async () => (await healthz()) === 503, 15_000);
    await waitFor(() => all('NOT_SERVING'), 15_000);
    await waitFor(() => seen.at(-1) === 'NOT_SERVING', 15_000);

    await redis.start();
    await waitFor(() => all('SERVING'), 15_000);
    await waitFor(() => seen.at(-1) === 'SERVING', 15_000);
    watch.cancel();
  }, 90_000);
});
