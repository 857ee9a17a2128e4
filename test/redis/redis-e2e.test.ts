/**
 * End to end on Redis with the real TinyOlly process: the ready line, data surviving a SIGKILL and
 * a restart, two processes sharing one Redis, API answers with evicted keys, and a Redis outage
 * (private redis-server that this file kills and restarts) while exports keep coming.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import Long from 'long';
import { Redis } from 'ioredis';
import { getJson, startTinyOlly, waitFor, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { tracerProvider } from '../helpers/otel-sdk.js';
import { PrivateRedis, redisAnswersAt, redisBinariesAvailable } from './private-redis.js';
import { RedisKeys } from '../../src/store/redis/keys.js';

const SHARED_URL = process.env.TINYOLLY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const shared = await redisAnswersAt(SHARED_URL);
if (!shared) console.warn(`[redis-e2e.test] SKIPPED shared-Redis tests: no Redis answers at ${SHARED_URL}`);
const bins = redisBinariesAvailable();
if (!bins.ok) console.warn(`[redis-e2e.test] SKIPPED the outage test: ${bins.reason}`);

const running: TinyOllyProcess[] = [];
afterAll(async () => { await Promise.all(running.splice(0).map((p) => p.kill())); });

async function start(env: Record<string, string>): Promise<TinyOllyProcess> {
  const p = await startTinyOlly(env);
  running.push(p);
  return p;
}

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/** POSTs the seed's simple JSON span (CONTRACT §2.3) and returns the HTTP status and headers. */
async function postSpan(base: string, traceId: string, service = 'e2e'): Promise<Response> {
  return fetch(`${base}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ traceId, spanId: hex(8), name: 'op', service, startTimeUnixNano: 1700000000000000000, endTimeUnixNano: 1700000000100000000 }),
    signal: AbortSignal.timeout(10_000),
  });
}

describe.skipIf(!shared)('TinyOlly on the shared Redis', () => {
  it('reports storage redis, keeps acknowledged data across SIGKILL and restart, and shares it between two processes', async () => {
    const env = { REDIS_URL: SHARED_URL, TINYOLLY_KEY_PREFIX: `tinyolly-e2e:${randomUUID().slice(0, 8)}:`, TINYOLLY_TTL_SECONDS: '600' };
    const [a, b] = await Promise.all([start(env), start(env)]);
    expect(a.storage).toBe('redis');
    expect(a.output().stdout).toMatch(/tinyolly ready \{.*"storage":"redis"\}/);
    await waitFor(async () => (await getJson(a.baseUrl, '/healthz')).status === 200);
    await waitFor(async () => (await getJson(b.baseUrl, '/healthz')).status === 200);

    const traceId = hex(16);
    expect((await postSpan(a.otlpHttpUrl, traceId, 'from-a')).status).toBe(200);
    const logRes = await fetch(`${a.baseUrl}/v1/logs`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ timestamp: 1700000000.5, severity: 'WARN', trace_id: traceId, message: 'kept', service: 'from-a' }),
    });
    expect(logRes.status).toBe(200);
    await a.kill(); // right after the 200: nothing may be lost

    // Acknowledged means stored: visible through the other process at once, no polling.
    const viaB = await getJson(b.baseUrl, `/api/traces/${traceId}`);
    expect(viaB.status).toBe(200);
    expect(viaB.body.spans.map((s: { service: string }) => s.service)).toEqual(['from-a']);
    const otherId = hex(16);
    expect((await postSpan(b.otlpHttpUrl, otherId, 'from-b')).status).toBe(200);
    expect((await fetch(`${b.baseUrl}/v1/metrics`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'e2e.metric', timestamp: 1700000000, value: 42.5 }),
    })).status).toBe(200);

    const a2 = await start(env);
    const traces = await getJson(a2.baseUrl, '/api/traces?limit=10');
    expect(traces.body.traces.map((t: { traceId: string }) => t.traceId).sort()).toEqual([traceId, otherId].sort());
    const logs = await getJson(a2.baseUrl, `/api/logs?trace_id=${traceId}`);
    expect(logs.body.logs.map((l: { body: string }) => l.body)).toEqual(['kept']);
    const metric = await getJson(a2.baseUrl, '/api/metrics/e2e.metric');
    expect(metric.body.series[0].points).toEqual([{ timestamp: 1700000000, timeUnixNano: '1700000000000000000', value: 42.5 }]);
    expect((await getJson(a2.baseUrl, '/api/stats')).body).toMatchObject({ traces: 2, spans: 2, logs: 1, metrics: 1, storage: 'redis' });

    // Keys evicted behind the indexes' back: every answer is still a 200, without the lost data.
    const raw = new Redis(SHARED_URL);
    try {
      await raw.unlink(new RedisKeys(env.TINYOLLY_KEY_PREFIX).traceSpans(otherId));
      for (const path of ['/api/traces', '/api/services', '/api/service-map', '/api/logs', '/api/metrics', '/api/stats', `/api/traces/${traceId}/backlinks`]) {
        expect((await getJson(a2.baseUrl, path)).status, path).toBe(200);
      }
      expect((await getJson(a2.baseUrl, `/api/traces/${otherId}`)).status).toBe(404);
      expect((await getJson(a2.baseUrl, '/api/traces')).body.traces.map((t: { traceId: string }) => t.traceId)).toEqual([traceId]);
    } finally {
      raw.disconnect();
    }
    expect((await fetch(`${a2.baseUrl}/api/data`, { method: 'DELETE' })).status).toBe(200);
    expect((await getJson(b.baseUrl, '/api/stats')).body).toMatchObject({ traces: 0, spans: 0, logs: 0, metrics: 0 });
  });
});

/** A minimal OTLP ExportTraceServiceRequest with one span, encoded by hand (field numbers from trace.proto). */
function grpcTraceRequest(traceId: string): Buffer {
  const W = protobuf.Writer;
  const span = W.create()
    .uint32((1 << 3) | 2).bytes(Buffer.from(traceId, 'hex'))
    .uint32((2 << 3) | 2).bytes(randomBytes(8))
    .uint32((5 << 3) | 2).string('grpc-op')
    .uint32((7 << 3) | 1).fixed64(Long.fromString('1700000000000000000', true))
    .uint32((8 << 3) | 1).fixed64(Long.fromString('1700000000100000000', true))
    .finish();
  const scopeSpans = W.create().uint32((2 << 3) | 2).bytes(span).finish();
  const resourceSpans = W.create().uint32((2 << 3) | 2).bytes(scopeSpans).finish();
  return Buffer.from(W.create().uint32((1 << 3) | 2).bytes(resourceSpans).finish());
}

function grpcExport(client: grpc.Client, traceId: string): Promise<number> {
  return new Promise((resolve) => {
    client.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', (b: Buffer) => b, (b: Buffer) => b,
      grpcTraceRequest(traceId), { deadline: Date.now() + 10_000 }, (err) => resolve(err ? err.code ?? -1 : 0));
  });
}

describe.skipIf(!bins.ok)('TinyOlly through a Redis outage', () => {
  let redis: PrivateRedis | undefined;
  afterAll(async () => { await redis?.destroy(); });

  it('starts with Redis down, answers 503/UNAVAILABLE while Redis is down, reconnects by itself, and loses nothing it acknowledged', async () => {
    // Redis is down at start-up: TinyOlly still starts, and says it cannot store yet (CONTRACT §5).
    redis = await PrivateRedis.create({ persist: true });
    const app = await start({ REDIS_URL: redis.url, TINYOLLY_KEY_PREFIX: 'outage:', TINYOLLY_TTL_SECONDS: '600' });
    expect(app.storage).toBe('redis');
    expect((await getJson(app.baseUrl, '/healthz')).status).toBe(503);
    const early = await postSpan(app.otlpHttpUrl, hex(16));
    expect(early.status).toBe(503);
    expect(early.headers.get('retry-after')).toMatch(/^\d+$/);
    await redis.start();
    await waitFor(async () => (await getJson(app.baseUrl, '/healthz')).status === 200);
    const client = new grpc.Client(`127.0.0.1:${app.ports.grpc}`, grpc.credentials.createInsecure());

    // A sender exporting all the time, through the outage, remembering what was acknowledged.
    const acked: string[] = [];
    const statuses = new Map<number, number>();
    let sending = true;
    const sender = (async () => {
      while (sending) {
        const id = hex(16);
        const res = await postSpan(app.otlpHttpUrl, id).catch(() => undefined);
        if (!res) continue;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 200) acked.push(id);
        if (res.status === 503) expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
        await res.arrayBuffer();
      }
    })();
    await waitFor(() => acked.length >= 20);

    await redis.kill();
    await waitFor(() => (statuses.get(503) ?? 0) > 0, 10_000);
    expect((await getJson(app.baseUrl, '/healthz')).status).toBe(503);
    expect((await getJson(app.otlpHttpUrl, '/healthz')).status).toBe(503);
    const t0 = Date.now();
    const api = await getJson(app.baseUrl, '/api/traces');
    expect(api.status).toBe(503);
    expect(api.body).toHaveProperty('error');
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(await grpcExport(client, hex(16))).toBe(grpc.status.UNAVAILABLE);

    // An SDK exporting during the outage: its retries land once Redis is back.
    const tp = tracerProvider({ grpcUrl: app.grpcUrl, otlpHttpUrl: app.otlpHttpUrl }, { protocol: 'http/json', serviceName: 'sdk-outage' });
    const sdkSpan = tp.getTracer('outage').startSpan('during-outage');
    sdkSpan.end();
    const ackedBeforeRestart = acked.length;

    await redis.start();
    await waitFor(async () => (await getJson(app.baseUrl, '/healthz')).status === 200, 15_000);
    await waitFor(() => acked.length >= ackedBeforeRestart + 20, 15_000);
    const grpcId = hex(16);
    expect(await grpcExport(client, grpcId)).toBe(grpc.status.OK);
    await tp.forceFlush();
    await tp.shutdown();
    sending = false;
    await sender;
    client.close();

    expect([...statuses.keys()].sort()).toEqual([200, 503]);
    const stored = await getJson(app.baseUrl, '/api/traces?limit=1000');
    const storedIds = new Set(stored.body.traces.map((t: { traceId: string }) => t.traceId));
    const lost = [...acked, grpcId].filter((id) => !storedIds.has(id));
    expect(lost).toEqual([]);
    const sdkTrace = await getJson(app.baseUrl, `/api/traces/${sdkSpan.spanContext().traceId}`);
    expect(sdkTrace.status).toBe(200);
  }, 60_000);
});
