/**
 * Fuzzing the untrusted surfaces (bounded runs, fast-check): random and mutated protobuf, random
 * JSON on the OTLP/JSON and seed paths, OTLP-shaped documents with random field types, random
 * query strings on every API route, random gRPC messages, and random headers (Cookie, Authorization,
 * Content-Encoding, Content-Type, Host) and paths. Answers are always 2xx/4xx, the process stays up,
 * every read route still answers 200 over whatever was stored, memory stays bounded, and with the UI
 * token set no spelling of a path reads or deletes telemetry without it.
 */
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import zlib from 'node:zlib';
import { encodeRequestProtobuf } from './helpers/otlp-protobuf.js';
import { metricRequest } from '../ui/src/api.js';
import { rawRequest } from './helpers/raw-http.js';
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
      // The UI's own request for the metric (names such as `..` go as a parameter: fetch resolves dot segments).
      expect((await fetch(`${app.baseUrl}${metricRequest(m.name).path}`)).status, m.name).toBe(200);
    }
    const traces = (await (await fetch(`${app.baseUrl}/api/traces?limit=50`)).json()).traces as { traceId: string }[];
    for (const t of traces) {
      expect((await fetch(`${app.baseUrl}/api/traces/${encodeURIComponent(t.traceId)}`)).status).toBe(200);
    }
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${app.proc.pid}/status`, 'utf8'))![1]);
    expect(rssKb / 1024).toBeLessThan(600);
  });
});

/** Header-safe text (what an HTTP/1.1 client can put in a header): printable ASCII, tab, and Latin-1 bytes. */
const headerText = (maxLength = 40) => fc.array(fc.oneof(
  fc.integer({ min: 0x20, max: 0x7e }), fc.constant(0x09), fc.integer({ min: 0x80, max: 0xff }),
).map((c) => String.fromCharCode(c)), { maxLength }).map((cs) => cs.join('').trim());
const PERCENT = fc.constantFrom('%', '%Z', '%ZZ', '%E0%A4%A', '%FF', '%00', '%2F', '%2f', '%2E', '%25', '%C3%A9', '%F0%9F');
const cookieValue = fc.oneof(headerText(30), PERCENT, fc.array(fc.oneof(PERCENT, fc.string({ maxLength: 4 }).map((x) => x.replace(/[^!-~]/g, ''))), { maxLength: 5 }).map((a) => a.join('')));

describe('fuzzing headers and paths', () => {
  const TOKEN = 'fuzz-t0ken';
  const KEY = 'fuzz-k3y';
  const SECRET = 'fuzz-secret-span';
  let guarded: TinyOllyProcess;
  beforeAll(async () => {
    guarded = await startTinyOlly({ TINYOLLY_UI_TOKEN: TOKEN, TINYOLLY_OTLP_API_KEY: KEY });
    const r = await rawRequest(guarded.ports.http, 'POST', '/v1/traces', { 'content-type': 'application/json', 'x-otlp-api-key': KEY },
      JSON.stringify({ traceId: 'ef'.repeat(16), spanId: '12'.repeat(8), name: SECRET, startTimeUnixNano: 1, endTimeUnixNano: 2 }));
    expect(r.status).toBe(200);
  });
  afterAll(async () => { await guarded?.stop(); });
  const bearer = { authorization: `Bearer ${TOKEN}` };
  const stillThere = async () => {
    const r = await rawRequest(guarded.ports.ui, 'GET', '/api/traces', bearer);
    expect(r.status).toBe(200);
    expect(r.body).toContain(SECRET);
  };

  it('answers random Cookie and Authorization headers on /api/* with 200 or 401 and on / with the UI or the token page, never 5xx', async () => {
    const cookie = fc.tuple(fc.array(fc.tuple(fc.oneof(fc.constant('tinyolly_session'), headerText(10).map((n) => n.replace(/[=;,\s]/g, ''))), cookieValue), { maxLength: 4 }), fc.constantFrom('; ', ';', ' ; '))
      .map(([pairs, sep]) => pairs.map(([k, v]) => `${k}=${v}`).join(sep));
    const authorization = fc.oneof(headerText(), fc.constant('Bearer'), fc.constant('Bearer '), cookieValue.map((v) => `Bearer ${v}`), fc.constant(`Bearer ${TOKEN}x`), fc.constant(`Basic ${TOKEN}`));
    await fc.assert(fc.asyncProperty(fc.option(cookie, { nil: undefined }), fc.option(authorization, { nil: undefined }), async (c, a) => {
      const headers: Record<string, string> = {};
      if (c !== undefined && c !== '') headers.cookie = c;
      if (a !== undefined && a !== '') headers.authorization = a;
      const api = await rawRequest(guarded.ports.ui, 'GET', '/api/traces', headers);
      expect([200, 401], `${api.status} ${JSON.stringify(headers)}`).toContain(api.status);
      if (api.status === 200) expect(headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(JSON.parse(api.body)).toBeTypeOf('object');
      const page = await rawRequest(guarded.ports.ui, 'GET', '/', headers);
      expect(page.status, JSON.stringify(headers)).toBe(200);
      expect(page.body).not.toContain(SECRET);
    }), { numRuns: RUNS });
    await stillThere();
  });

  it('answers random Content-Encoding and Content-Type headers with 200 or 4xx, never 5xx', async () => {
    const json = Buffer.from(JSON.stringify({ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: 'enc', startTimeUnixNano: 1, endTimeUnixNano: 2 }));
    const coding = fc.constantFrom('gzip', 'x-gzip', 'deflate', 'identity', 'br', 'zstd', 'GZIP', '', ' ', 'gzip;q=1', '*');
    const contentEncoding = fc.oneof(fc.tuple(fc.array(coding, { maxLength: 6 }), fc.constantFrom(',', ', ', ' ,')).map(([cs, sep]) => cs.join(sep)), headerText());
    const contentType = fc.oneof(
      fc.constantFrom('application/json', 'application/x-protobuf', 'application/protobuf', 'APPLICATION/JSON', 'application/json; charset=utf-8', 'application/json;', ';', 'text/plain', 'multipart/form-data; boundary=x', '*/*', 'application/json, application/x-protobuf'),
      headerText(),
    );
    const body = fc.constantFrom('json', 'gzip', 'gzip-gzip', 'deflate', 'protobuf', 'garbage', 'bom');
    await fc.assert(fc.asyncProperty(fc.constantFrom(...SIGNALS), fc.option(contentEncoding, { nil: undefined }), fc.option(contentType, { nil: undefined }), body, fc.boolean(), async (signal, enc, type, kind, onUi) => {
      const bytes = kind === 'json' ? json : kind === 'gzip' ? zlib.gzipSync(json) : kind === 'gzip-gzip' ? zlib.gzipSync(zlib.gzipSync(json))
        : kind === 'deflate' ? zlib.deflateSync(json) : kind === 'protobuf' ? Buffer.from(VALID[signal]) : kind === 'bom' ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json]) : Buffer.from([0x1f, 0x8b, 0x08, 0xff, 0x00]);
      const headers: Record<string, string> = { 'x-otlp-api-key': KEY };
      if (enc) headers['content-encoding'] = enc;
      if (type) headers['content-type'] = type;
      const r = await rawRequest(onUi ? guarded.ports.ui : guarded.ports.http, 'POST', `/v1/${signal}`, headers, bytes);
      expect(okStatus(r.status), `${r.status} ${JSON.stringify(headers)} ${kind}: ${r.body.slice(0, 200)}`).toBe(true);
    }), { numRuns: RUNS * 2 });
  });

  it('never serves or deletes telemetry without the token, whatever the path, and never answers 5xx', async () => {
    const segment = fc.oneof(
      fc.constantFrom('api', 'API', 'Api', '%61pi', '%61%70%69', '%2561pi', 'traces', '%74races', 'TRACES', 'data', '%64ata', 'logs', 'metrics', 'stats', 'services', 'service-map', 'healthz', 'v1', 'metric', '..', '.', '', '%2E', '%2e%2E', '%2F', 'api%2Ftraces', 'api%2fdata', 'ef'.repeat(16), 'index.html'),
      PERCENT, fc.string({ maxLength: 6 }).map((x) => encodeURIComponent(x)),
    );
    // Half the paths are a spelling of an /api route (the prefix and the route each written some way), the rest anything.
    const api = fc.constantFrom('api', 'API', '%61pi', '%61%70%69', '%2561pi', 'a%70i', '%41PI', './api', 'x/../api', '/api', 'api/.');
    const route = fc.constantFrom('traces', '%74races', 'TRACES', 'traces/', 'data', '%64ata', 'DATA', './data', 'x/../data', '/data', `traces/${'ef'.repeat(16)}`, 'stats', 'logs');
    const segments = fc.oneof(
      fc.array(segment, { minLength: 1, maxLength: 5 }),
      fc.tuple(api, fc.constantFrom('/', '%2F', '%2f', '//'), route).map(([a, sep, r]) => [`${a}${sep}${r}`]),
    );
    const path = fc.tuple(segments, fc.constantFrom('', '/', '?', '?limit=1', '?t=wrong', '#x', ';x')).map(([segs, tail]) => `/${segs.join('/')}${tail}`);
    const method = fc.constantFrom('GET', 'GET', 'DELETE', 'DELETE', 'HEAD', 'POST', 'OPTIONS', 'PUT');
    const host = fc.constantFrom(undefined, 'localhost', 'attacker.example', '127.0.0.1:1');
    await fc.assert(fc.asyncProperty(method, path, host, async (m, p, h) => {
      const headers: Record<string, string> = {};
      if (h) headers.host = h;
      const r = await rawRequest(guarded.ports.ui, m, p, headers, m === 'POST' || m === 'PUT' ? '{}' : undefined);
      expect(r.status, `${m} ${p} → ${r.status} ${r.body.slice(0, 200)}`).toBeLessThan(500);
      expect(r.body, `${m} ${p}`).not.toContain(SECRET);
      if (m === 'DELETE') expect(r.status, `${m} ${p}`).not.toBe(200);
    }), { numRuns: RUNS * 3 });
    await stillThere();
    expect((await rawRequest(guarded.ports.ui, 'GET', '/healthz')).status).toBe(200);
  });
});
