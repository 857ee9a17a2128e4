/**
 * Fuzzing the untrusted surfaces (bounded runs, fast-check): random and mutated protobuf, random
 * JSON on the OTLP/JSON and seed paths, OTLP-shaped documents with random field types, random
 * query strings on every API route, random gRPC messages. Answers are always 2xx/4xx, the process
 * stays up, every read route still answers 200 over whatever was stored, and memory stays bounded.
 */
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRequestProtobuf } from '../src/otlp/protobuf.js';
import { startTinyOlly, type TinyOllyProcess } from './helpers/start-tinyolly.js';

let app: TinyOllyProcess;
beforeAll(async () => { app = await startTinyOlly({ TINYOLLY_MAX_REQUEST_MB: '1' }); });
afterAll(async () => { await app?.stop(); });

const RUNS = 120;
const SIGNALS = ['traces', 'logs', 'metrics'] as const;

async function post(signal: string, body: Buffer | string, contentType: string, port = app.ports.http): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/${signal}`, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  await res.arrayBuffer();
  return res.status;
}

const VALID: Record<string, Uint8Array> = {
  traces: encodeRequestProtobuf('traces', { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'fz' } }] }, scopeSpans: [{ scope: { name: 's' }, spans: [{ traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 2), parentSpanId: Buffer.alloc(8, 3), name: 'op', kind: 2, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000100000000', attributes: [{ key: 'a', value: { arrayValue: { values: [{ intValue: 1 }, { kvlistValue: { values: [{ key: 'k', value: { doubleValue: 1.5 } }] } }] } } }], events: [{ name: 'e', timeUnixNano: '1' }], links: [{ traceId: Buffer.alloc(16, 4), spanId: Buffer.alloc(8, 5) }], status: { code: 2, message: 'x' } }] }] }] }),
  logs: encodeRequestProtobuf('logs', { resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: '1700000000000000000', severityNumber: 17, body: { kvlistValue: { values: [{ key: 'k', value: { bytesValue: Buffer.from('hi') } }] } }, traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 2) }] }] }] }),
  metrics: encodeRequestProtobuf('metrics', { resourceMetrics: [{ scopeMetrics: [{ metrics: [
    { name: 'g', gauge: { dataPoints: [{ timeUnixNano: '1700000000000000000', asDouble: 1 }] } },
    { name: 'h', histogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: '1700000000000000000', count: 2, sum: 3, bucketCounts: [1, 1], explicitBounds: [1] }] } },
    { name: 'e', exponentialHistogram: { dataPoints: [{ count: 1, scale: 2, positive: { offset: 1, bucketCounts: [1] } }] } },
    { name: 'q', summary: { dataPoints: [{ count: 1, sum: 1, quantileValues: [{ quantile: 0.5, value: 1 }] }] } },
  ] }] }] }),
};

const okStatus = (s: number) => s === 200 || (s >= 400 && s < 500);

describe('fuzzing OTLP/HTTP', () => {
  it('answers random bytes as protobuf with 200 or 4xx', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...SIGNALS), fc.uint8Array({ maxLength: 512 }), async (signal, bytes) => {
      expect(okStatus(await post(signal, Buffer.from(bytes), 'application/x-protobuf'))).toBe(true);
    }), { numRuns: RUNS });
  });

  it('answers mutated valid protobuf with 200 or 4xx', async () => {
    await fc.assert(fc.asyncProperty(
      fc.constantFrom(...SIGNALS),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      fc.nat(), async (signal, flips, cutAt) => {
        const bytes = Buffer.from(VALID[signal]);
        for (const [at, value] of flips) bytes[at % bytes.length] = value;
        const body = cutAt % 4 === 0 ? bytes.subarray(0, cutAt % bytes.length) : bytes;
        expect(okStatus(await post(signal, body, 'application/x-protobuf'))).toBe(true);
      }), { numRuns: RUNS });
  });

  it('answers random JSON, bare or under the OTLP top-level keys, with 200 or 4xx', async () => {
    const keys = { traces: 'resourceSpans', logs: 'resourceLogs', metrics: 'resourceMetrics' };
    await fc.assert(fc.asyncProperty(fc.constantFrom(...SIGNALS), fc.jsonValue({ maxDepth: 4 }), fc.boolean(), async (signal, value, wrap) => {
      const doc = wrap ? { [keys[signal]]: value } : value;
      expect(okStatus(await post(signal, JSON.stringify(doc), 'application/json', app.ports.ui))).toBe(true);
    }), { numRuns: RUNS });
  });

  it('answers OTLP-shaped JSON whose fields have random types with 200 and counts what it rejects', async () => {
    const any = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant('NaN'), fc.constant('ffff'), fc.constant(-1), fc.constant(1e300));
    const kv = fc.record({ key: fc.oneof(fc.string(), fc.constant('__proto__'), fc.constant('service.name')), value: fc.oneof(any, fc.record({ stringValue: any }), fc.record({ intValue: any }), fc.record({ arrayValue: fc.record({ values: any }) }), fc.record({ kvlistValue: any }), fc.record({ doubleValue: any }), fc.record({ bytesValue: any })) }, { requiredKeys: [] });
    const span = fc.record({ traceId: any, spanId: any, parentSpanId: any, name: any, kind: any, startTimeUnixNano: any, endTimeUnixNano: any, attributes: fc.oneof(any, fc.array(kv, { maxLength: 4 })), events: fc.oneof(any, fc.array(fc.record({ name: any, timeUnixNano: any, attributes: fc.array(kv) }, { requiredKeys: [] }), { maxLength: 2 })), links: any, status: fc.oneof(any, fc.record({ code: any, message: any }, { requiredKeys: [] })) }, { requiredKeys: [] });
    const log = fc.record({ timeUnixNano: any, observedTimeUnixNano: any, severityNumber: any, severityText: any, body: fc.oneof(any, kv.map((k) => k.value)), traceId: any, spanId: any, attributes: fc.array(kv, { maxLength: 3 }) }, { requiredKeys: [] });
    const point = fc.record({ timeUnixNano: any, asDouble: any, asInt: any, count: any, sum: any, min: any, bucketCounts: any, explicitBounds: any, scale: any, positive: any, quantileValues: any, attributes: fc.array(kv, { maxLength: 3 }) }, { requiredKeys: [] });
    const metric = fc.record({ name: fc.oneof(fc.string(), any), unit: any, gauge: fc.record({ dataPoints: fc.array(point, { maxLength: 3 }) }), sum: fc.record({ dataPoints: fc.oneof(any, fc.array(point, { maxLength: 3 })), aggregationTemporality: any, isMonotonic: any }, { requiredKeys: [] }), histogram: fc.record({ dataPoints: fc.array(point, { maxLength: 2 }) }), summary: any }, { requiredKeys: [] });
    const resource = fc.oneof(any, fc.record({ attributes: fc.array(kv, { maxLength: 3 }) }));
    const doc = fc.oneof(
      fc.record({ signal: fc.constant('traces' as const), body: fc.record({ resourceSpans: fc.array(fc.record({ resource, scopeSpans: fc.array(fc.record({ scope: any, spans: fc.array(span, { maxLength: 4 }) }, { requiredKeys: [] }), { maxLength: 2 }) }, { requiredKeys: [] }), { maxLength: 2 }) }) }),
      fc.record({ signal: fc.constant('logs' as const), body: fc.record({ resourceLogs: fc.array(fc.record({ resource, scopeLogs: fc.array(fc.record({ scope: any, logRecords: fc.array(log, { maxLength: 4 }) }, { requiredKeys: [] }), { maxLength: 2 }) }, { requiredKeys: [] }), { maxLength: 2 }) }) }),
      fc.record({ signal: fc.constant('metrics' as const), body: fc.record({ resourceMetrics: fc.array(fc.record({ resource, scopeMetrics: fc.array(fc.record({ metrics: fc.array(metric, { maxLength: 3 }) }, { requiredKeys: [] }), { maxLength: 2 }) }, { requiredKeys: [] }), { maxLength: 2 }) }) }),
    );
    await fc.assert(fc.asyncProperty(doc, async ({ signal, body }) => {
      expect(await post(signal, JSON.stringify(body), 'application/json')).toBe(200);
    }), { numRuns: RUNS });
  });

  it('answers the seed JSON with random field types with 200', async () => {
    const any = fc.jsonValue({ maxDepth: 2 });
    const item = fc.record({ traceId: any, spanId: any, name: any, startTimeUnixNano: any, endTimeUnixNano: any, attributes: any, service: any, timestamp: any, severity: any, message: any, trace_id: any, value: any, labels: any }, { requiredKeys: [] });
    await fc.assert(fc.asyncProperty(fc.constantFrom(...SIGNALS), fc.oneof(item, fc.array(item, { maxLength: 4 })), async (signal, body) => {
      expect(await post(signal, JSON.stringify(body), 'application/json', app.ports.ui)).toBe(200);
    }), { numRuns: RUNS });
  });
});

describe('fuzzing gRPC', () => {
  it('answers random messages with OK or INVALID_ARGUMENT', async () => {
    const client = new grpc.Client(`127.0.0.1:${app.ports.grpc}`, grpc.credentials.createInsecure());
    const paths = ['trace.v1.TraceService', 'logs.v1.LogsService', 'metrics.v1.MetricsService'].map((s) => `/opentelemetry.proto.collector.${s}/Export`);
    await fc.assert(fc.asyncProperty(fc.constantFrom(...paths), fc.uint8Array({ maxLength: 256 }), async (path, bytes) => {
      const code = await new Promise<number>((resolve) => client.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, Buffer.from(bytes), (err) => resolve(err ? err.code : 0)));
      expect([grpc.status.OK, grpc.status.INVALID_ARGUMENT]).toContain(code);
    }), { numRuns: RUNS });
    client.close();
  });
});

describe('fuzzing the query API', () => {
  const ROUTES = ['/api/traces', '/api/logs', '/api/metrics', '/api/metrics/g', '/api/services', '/api/service-map', '/api/stats', '/api/traces/0101', '/api/traces/0101/backlinks', '/healthz'];
  const PARAMS = ['limit', 'service', 'name', 'min_duration_ms', 'max_duration_ms', 'status', 'attr', 'start', 'end', 'sort', 'order', 'trace_id', 'span_id', 'severity', 'q'];

  it('answers random query strings with 200, 400 or 404, never 5xx', async () => {
    const value = fc.oneof(fc.string(), fc.constantFrom('', '-1', '1e309', 'NaN', '5000', '0', '1.5', 'error', 'WARN', 'a=b', '=', '%', '%ZZ'));
    await fc.assert(fc.asyncProperty(fc.constantFrom(...ROUTES), fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PARAMS), fc.string()), value), { maxLength: 5 }), async (route, pairs) => {
      const qs = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${v.startsWith('%') ? v : encodeURIComponent(v)}`).join('&');
      const res = await fetch(`${app.baseUrl}${route}?${qs}`);
      const text = await res.text();
      expect([200, 400, 404]).toContain(res.status);
      expect(() => JSON.parse(text)).not.toThrow();
    }), { numRuns: RUNS * 2 });
  });

  it('still answers every read route with 200 over whatever the fuzzing stored, with bounded memory', async () => {
    for (const route of ['/api/traces?limit=1000', '/api/logs?limit=1000', '/api/metrics', '/api/services', '/api/service-map', '/api/stats', '/healthz']) {
      const res = await fetch(app.baseUrl + route);
      expect(res.status, route).toBe(200);
    }
    const metrics = (await (await fetch(`${app.baseUrl}/api/metrics`)).json()).metrics as { name: string }[];
    for (const m of metrics.slice(0, 50)) {
      expect((await fetch(`${app.baseUrl}/api/metrics/${encodeURIComponent(m.name)}`)).status, m.name).toBe(200);
    }
    const traces = (await (await fetch(`${app.baseUrl}/api/traces?limit=50`)).json()).traces as { traceId: string }[];
    for (const t of traces) {
      expect((await fetch(`${app.baseUrl}/api/traces/${encodeURIComponent(t.traceId)}`)).status).toBe(200);
    }
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${app.proc.pid}/status`, 'utf8'))![1]);
    expect(rssKb / 1024).toBeLessThan(600);
  });
});
