/**
 * End to end: the ingest inspector (CONTRACT §8). The real process receives requests from the official
 * OpenTelemetry JS exporters, set up right and misconfigured the way users misconfigure them (the
 * signal path twice via OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, gRPC to the HTTP port, no API key, a wrong
 * one), plus raw requests for the cases no SDK produces; GET /api/ingest/requests shows each with the
 * status, the exact reason and the hint, and /api/ingest/summary the services, SDKs and drop totals.
 */
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metadata } from '@grpc/grpc-js';
import type { Tracer } from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter as TraceGrpc } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as TraceProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as TraceJson } from '@opentelemetry/exporter-trace-otlp-http';
import { getJson, startTinyOlly, waitFor, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { loggerProvider, meterProvider, tracerProvider } from '../helpers/otel-sdk.js';

interface Rec { id: string; transport: string; port: number; path: string; signal: string | null; encoding: string | null; compression: string | null;
  bytes: number | null; inflatedBytes: number | null; userAgent: string | null; sdk: { name: string; language: string; version: string } | null;
  services: string[]; accepted: number; rejected: number; result: string; status: number | string; reason: string | null; hint: string | null; durationMs: number }

/** Exports the span(s) `make` starts (one span "op" by default) through `exporter`, then shuts the provider down. */
async function sendSpan(exporter: SpanExporter, serviceName: string, make: (t: Tracer) => void = (t) => t.startSpan('op').end()): Promise<void> {
  const tp = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': serviceName }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  make(tp.getTracer('t'));
  await tp.forceFlush().catch(() => undefined);
  await tp.shutdown().catch(() => undefined);
}

/** Builds an exporter with these env vars set (the SDK reads them at construction), then restores them. */
function withEnv<T>(env: Record<string, string>, make: () => T): T {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try { return make(); } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
}

async function requests(app: TinyOllyProcess, query = ''): Promise<Rec[]> {
  const r = await getJson<{ requests: Rec[] }>(app.baseUrl, `/api/ingest/requests${query}`);
  expect(r.status).toBe(200);
  return r.body.requests;
}

/** Waits for the newest record matching `pred`. */
function recordWhere(app: TinyOllyProcess, pred: (r: Rec) => boolean, timeoutMs = 15_000): Promise<Rec> {
  return waitFor(async () => (await requests(app, '?limit=1000')).find(pred), timeoutMs);
}

const post = (url: string, body: Buffer | string, headers: Record<string, string>) => fetch(url, { method: "POST", body: typeof body === "string" ? body : new Uint8Array(body), headers });

const SPAN_JSON = (service: string) => JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
  scopeSpans: [{ spans: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'x', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000100000000' }] }] }] });
const LOG_JSON = JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'logs-svc' } }] },
  scopeLogs: [{ logRecords: [{ timeUnixNano: '1700000000000000000', body: { stringValue: 'hello' } }] }] }] });

describe('ingest inspector, no API key', () => {
  let app: TinyOllyProcess;
  beforeAll(async () => { app = await startTinyOlly({ TINYOLLY_MAX_REQUEST_MB: '1', TINYOLLY_MAX_SERIES_PER_METRIC: '1' }); });
  afterAll(async () => { await app?.stop(); });

  it('records a good OTLP/HTTP export with the SDK, services, sizes and result ok', async () => {
    const tp = tracerProvider({ grpcUrl: app.grpcUrl, otlpHttpUrl: app.otlpHttpUrl }, { protocol: 'http/protobuf', gzip: true, serviceName: 'insp-http' });
    tp.getTracer('t').startSpan('op').end();
    await tp.forceFlush(); await tp.shutdown();
    const r = await recordWhere(app, (x) => x.services.includes('insp-http'));
    expect(r).toMatchObject({ transport: 'http', port: app.ports.http, path: '/v1/traces', signal: 'traces', encoding: 'protobuf', compression: 'gzip',
      accepted: 1, rejected: 0, result: 'ok', status: 200, reason: null, hint: null });
    expect(r.sdk).toMatchObject({ name: 'OTel-OTLP-Exporter-JavaScript', language: 'javascript' });
    expect(r.sdk!.version).toMatch(/^0\.2\d\d\.\d+$/);
    expect(r.bytes).toBeGreaterThan(0);
    expect(r.inflatedBytes).toBeGreaterThan(0);
    expect(r.inflatedBytes).not.toBe(r.bytes); // wire (gzip) and inflated sizes are told apart
  });

  it('records a good OTLP/gRPC export with the SDK from its user agent', async () => {
    const tp = tracerProvider({ grpcUrl: app.grpcUrl, otlpHttpUrl: app.otlpHttpUrl }, { protocol: 'grpc', serviceName: 'insp-grpc' });
    tp.getTracer('t').startSpan('op').end();
    await tp.forceFlush(); await tp.shutdown();
    const r = await recordWhere(app, (x) => x.services.includes('insp-grpc'));
    expect(r).toMatchObject({ transport: 'grpc', port: app.ports.grpc, path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
      signal: 'traces', encoding: 'protobuf', accepted: 1, result: 'ok', status: 'OK', hint: null });
    expect(r.userAgent).toContain('grpc-node-js/');
    expect(r.sdk).toMatchObject({ name: 'OTel-OTLP-Exporter-JavaScript', language: 'javascript' });
  });

  it('hint: the signal path twice (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT set to the base URL plus /v1/traces/v1/traces)', async () => {
    const exporter = withEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${app.otlpHttpUrl}/v1/traces/v1/traces` }, () => new TraceProto());
    await sendSpan(exporter, 'doubled');
    const r = await recordWhere(app, (x) => x.path === '/v1/traces/v1/traces');
    expect(r).toMatchObject({ status: 404, result: 'refused', signal: null, reason: 'no route POST /v1/traces/v1/traces' });
    expect(r.sdk?.language).toBe('javascript');
    expect(r.hint).toContain('twice');
    expect(r.hint).toContain('OTEL_EXPORTER_OTLP_ENDPOINT');
  });

  it('hint: no signal path (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT set to the base URL) and /v1/trace', async () => {
    const exporter = withEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: app.otlpHttpUrl }, () => new TraceProto());
    await sendSpan(exporter, 'no-path');
    const r = await recordWhere(app, (x) => x.path === '/' && x.status === 404);
    expect(r.hint).toContain('/v1/traces');
    expect(r.hint).toContain('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
    await post(`${app.otlpHttpUrl}/v1/trace`, Buffer.alloc(0), { 'content-type': 'application/x-protobuf' });
    const s = await recordWhere(app, (x) => x.path === '/v1/trace');
    expect(s.hint).toContain('use /v1/traces');
  });

  it('hint: OTLP/gRPC sent to the OTLP/HTTP port (the gRPC exporter with the 4318 endpoint)', async () => {
    await sendSpan(new TraceGrpc({ url: app.otlpHttpUrl, timeoutMillis: 3000 }), 'grpc-to-http');
    const r = await recordWhere(app, (x) => x.path === 'PRI * HTTP/2.0');
    expect(r).toMatchObject({ transport: 'http', port: app.ports.http, result: 'refused', status: 400 });
    expect(r.hint).toContain('OTLP/gRPC sent to the OTLP/HTTP port');
    expect(r.hint).toContain('4317');
  });

  it('hint: JSON bytes sent as protobuf, protobuf bytes sent as JSON, gzip without Content-Encoding', async () => {
    const url = `${app.otlpHttpUrl}/v1/traces`;
    expect((await post(url, SPAN_JSON('j'), { 'content-type': 'application/x-protobuf', 'user-agent': 'case-json-as-pb' })).status).toBe(400);
    const a = await recordWhere(app, (x) => x.userAgent === 'case-json-as-pb');
    expect(a.reason).toMatch(/cannot decode/);
    expect(a.hint).toContain('OTEL_EXPORTER_OTLP_PROTOCOL=http/json');

    const pb = Buffer.from([0x0a, 0x05, 0x12, 0x03, 0x0a, 0x01, 0x00]);
    expect((await post(url, pb, { 'content-type': 'application/json', 'user-agent': 'case-pb-as-json' })).status).toBe(400);
    const b = await recordWhere(app, (x) => x.userAgent === 'case-pb-as-json');
    expect(b.hint).toContain('OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf');

    expect((await post(url, zlib.gzipSync(SPAN_JSON('g')), { 'content-type': 'application/json', 'user-agent': 'case-gzip' })).status).toBe(400);
    const c = await recordWhere(app, (x) => x.userAgent === 'case-gzip');
    expect(c.hint).toContain('Content-Encoding: gzip');
  });

  it('hint: logs posted to the traces route', async () => {
    await post(`${app.otlpHttpUrl}/v1/traces`, LOG_JSON, { 'content-type': 'application/json', 'user-agent': 'case-logs-to-traces' });
    const r = await recordWhere(app, (x) => x.userAgent === 'case-logs-to-traces');
    expect(r.hint).toContain('logs request sent to /v1/traces');
    expect(r.hint).toContain('OTEL_EXPORTER_OTLP_LOGS_ENDPOINT');
  });

  it('hint: protobuf logs and metrics sent to /v1/traces (the SDK exporters given the traces URL)', async () => {
    const target = { grpcUrl: app.grpcUrl, otlpHttpUrl: app.otlpHttpUrl };
    const lp = loggerProvider(target, { protocol: 'http/protobuf', serviceName: 'pb-logs', url: `${app.otlpHttpUrl}/v1/traces` });
    lp.getLogger('l').emit({ body: 'hello', severityNumber: 9, attributes: { k: 'v' } });
    await lp.forceFlush(); await lp.shutdown();
    const l = await recordWhere(app, (x) => x.encoding === 'protobuf' && x.signal === 'traces' && !!x.hint?.includes('logs request'));
    expect(l).toMatchObject({ result: 'refused', accepted: 0 });
    expect(l.hint).toContain('send it to /v1/logs');
    expect(l.hint).toContain('OTEL_EXPORTER_OTLP_LOGS_ENDPOINT');
    expect(l.hint).not.toContain('TINYOLLY_MAX_ITEMS_PER_REQUEST');

    const mp = meterProvider(target, { protocol: 'http/protobuf', serviceName: 'pb-metrics', url: `${app.otlpHttpUrl}/v1/traces` });
    mp.getMeter('m').createCounter('pb.requests').add(2, { route: '/a' });
    mp.getMeter('m').createHistogram('pb.latency').record(3);
    await mp.forceFlush(); await mp.shutdown();
    const m = await recordWhere(app, (x) => x.encoding === 'protobuf' && x.signal === 'traces' && !!x.hint?.includes('metrics request'));
    expect(m.hint).toContain('send it to /v1/metrics');

    // A real traces request refused for its ids is no mismatch, and no item-limit case either.
    const bad = Buffer.from('0a0b120912070a0012002a0178', 'hex'); // one span named x with empty ids
    await post(`${app.otlpHttpUrl}/v1/traces`, bad, { 'content-type': 'application/x-protobuf', 'user-agent': 'case-empty-ids' });
    const e = await recordWhere(app, (x) => x.userAgent === 'case-empty-ids');
    expect(e.rejected).toBeGreaterThan(0);
    expect(e.hint).toBeNull();
  });

  it('records a wrong-path POST on the UI port (5002 takes ingest), not the 404s of the API', async () => {
    await post(`${app.baseUrl}/v1/trace`, SPAN_JSON('ui-port'), { 'content-type': 'application/json', 'user-agent': 'case-ui-wrong-path' });
    await post(`${app.baseUrl}/api/nothing-here`, '{}', { 'content-type': 'application/json', 'user-agent': 'case-ui-api-404' });
    const r = await recordWhere(app, (x) => x.userAgent === 'case-ui-wrong-path');
    expect(r).toMatchObject({ port: app.ports.ui, path: '/v1/trace', status: 404, result: 'refused', reason: 'no route POST /v1/trace' });
    expect(r.hint).toContain('use /v1/traces');
    expect((await requests(app, '?limit=1000')).some((x) => x.userAgent === 'case-ui-api-404')).toBe(false);
  });

  it('hint: body over the limit (413), and an unsupported Content-Type (415)', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 1);
    const res = await post(`${app.otlpHttpUrl}/v1/traces`, big, { 'content-type': 'application/x-protobuf', 'user-agent': 'case-413' });
    expect(res.status).toBe(413);
    const r = await recordWhere(app, (x) => x.userAgent === 'case-413');
    expect(r).toMatchObject({ status: 413, result: 'refused', reason: `body over ${1024 * 1024} bytes` });
    expect(r.hint).toContain('TINYOLLY_MAX_REQUEST_MB');

    expect((await post(`${app.otlpHttpUrl}/v1/traces`, 'x', { 'content-type': 'text/plain', 'user-agent': 'case-415' })).status).toBe(415);
    const t = await recordWhere(app, (x) => x.userAgent === 'case-415');
    expect(t).toMatchObject({ status: 415, result: 'refused' });
    expect(t.hint).toContain('OTEL_EXPORTER_OTLP_PROTOCOL');
  });

  it('hint: a gRPC message over the limit, refused by grpc-js before the handler, is recorded once', async () => {
    const tp = tracerProvider({ grpcUrl: app.grpcUrl, otlpHttpUrl: app.otlpHttpUrl }, { protocol: 'grpc', serviceName: 'insp-grpc-big' });
    tp.getTracer('t').startSpan('op', { attributes: { big: 'x'.repeat(2 * 1024 * 1024) } }).end();
    await tp.forceFlush().catch(() => undefined); await tp.shutdown().catch(() => undefined);
    const r = await recordWhere(app, (x) => x.transport === 'grpc' && x.status === 'RESOURCE_EXHAUSTED');
    expect(r).toMatchObject({ result: 'refused', signal: 'traces', path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export' });
    expect(r.userAgent).toContain('OTel-OTLP-Exporter-JavaScript');
    expect(r.hint).toContain('TINYOLLY_MAX_REQUEST_MB');
  });

  it('hint: series cut by the series limit (the SDK exporter sends 2 series, the limit is 1)', async () => {
    const mp = meterProvider({ grpcUrl: app.grpcUrl, otlpHttpUrl: app.otlpHttpUrl }, { protocol: 'http/protobuf', serviceName: 'insp-metrics' });
    const c = mp.getMeter('m').createCounter('insp.requests');
    c.add(1, { route: '/a' });
    c.add(1, { route: '/b' });
    await mp.forceFlush(); await mp.shutdown();
    const r = await recordWhere(app, (x) => x.services.includes('insp-metrics'));
    expect(r).toMatchObject({ signal: 'metrics', accepted: 1, rejected: 1, result: 'partial', status: 200 });
    expect(r.reason).toContain('series limit per metric reached');
    expect(r.hint).toContain('TINYOLLY_MAX_SERIES_PER_METRIC');
  });

  it('filters the list and sums the services in the summary', async () => {
    const refused = await requests(app, '?result=refused&limit=1000');
    expect(refused.length).toBeGreaterThan(3);
    expect(refused.every((x) => x.result === 'refused')).toBe(true);
    const svc = await requests(app, '?service=insp-grpc');
    expect(svc.map((x) => x.transport)).toEqual(['grpc']);
    expect((await requests(app, '?signal=metrics')).every((x) => x.signal === 'metrics')).toBe(true);
    expect((await getJson(app.baseUrl, '/api/ingest/requests?result=nope')).status).toBe(400);

    const { body } = await getJson(app.baseUrl, '/api/ingest/summary');
    const http = body.services.find((s: { name: string }) => s.name === 'insp-http');
    expect(http.signals.traces).toMatchObject({ requests: 1, accepted: 1, rejected: 0 });
    expect(http.signals.traces.lastSeen).toBeGreaterThan(Date.now() / 1000 - 600);
    expect(http.signals.logs).toBeUndefined();
    expect(http.sdks[0]).toMatch(/^OTel-OTLP-Exporter-JavaScript\//);
    expect(body.dropped.refusedRequests).toBe(refused.length);
    expect(body.dropped.rejected).toBeGreaterThanOrEqual(1);
    expect(body.dropped).toHaveProperty('evicted', 0);
    expect(body.dropped).toHaveProperty('expired', 0);
  });
});

describe('ingest inspector, with TINYOLLY_OTLP_API_KEY', () => {
  let app: TinyOllyProcess;
  beforeAll(async () => { app = await startTinyOlly({ TINYOLLY_OTLP_API_KEY: 'sekret-key' }); });
  afterAll(async () => { await app?.stop(); });

  it('hint: a missing key over OTLP/HTTP and gRPC names OTEL_EXPORTER_OTLP_HEADERS', async () => {
    await sendSpan(new TraceProto({ url: `${app.otlpHttpUrl}/v1/traces` }), 'nokey-http');
    const h = await recordWhere(app, (x) => x.transport === 'http' && x.status === 401);
    expect(h).toMatchObject({ result: 'refused', reason: 'missing or wrong x-otlp-api-key', signal: 'traces' });
    expect(h.hint).toContain('OTEL_EXPORTER_OTLP_HEADERS=x-otlp-api-key=');
    expect(h.hint).toContain('No API key was sent');

    await sendSpan(new TraceGrpc({ url: app.grpcUrl }), 'nokey-grpc');
    const g = await recordWhere(app, (x) => x.transport === 'grpc' && x.status === 'UNAUTHENTICATED');
    expect(g).toMatchObject({ result: 'refused', reason: 'missing or wrong x-otlp-api-key' });
    // Recorded by the handler only, not again by the interceptor that records refusals before it.
    expect((await requests(app, '?limit=1000')).filter((x) => x.transport === 'grpc')).toHaveLength(1);
    expect(g.hint).toContain('OTEL_EXPORTER_OTLP_HEADERS=x-otlp-api-key=');
  });

  it('hint: a wrong key (OTEL_EXPORTER_OTLP_HEADERS with another value) says it does not match', async () => {
    const exporter = withEnv({ OTEL_EXPORTER_OTLP_HEADERS: 'x-otlp-api-key=wrong', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${app.otlpHttpUrl}/v1/traces` }, () => new TraceProto());
    await sendSpan(exporter, 'wrongkey');
    const h = await recordWhere(app, (x) => x.status === 401 && (x.hint ?? '').includes('does not match'));
    expect(h.hint).toContain('TINYOLLY_OTLP_API_KEY');
    const md = new Metadata();
    md.set('x-otlp-api-key', 'wrong');
    await sendSpan(new TraceGrpc({ url: app.grpcUrl, metadata: md }), 'wrongkey-grpc');
    const g = await recordWhere(app, (x) => x.status === 'UNAUTHENTICATED' && (x.hint ?? '').includes('does not match'));
    expect(g.transport).toBe('grpc');
  });
});

describe('ingest inspector, the §6 limits cut values and drop attributes and events', () => {
  let app: TinyOllyProcess;
  beforeAll(async () => {
    app = await startTinyOlly({ TINYOLLY_MAX_ATTRIBUTE_LENGTH: '16', TINYOLLY_MAX_ATTRIBUTES: '3', TINYOLLY_MAX_EVENTS_PER_SPAN: '1' });
  });
  afterAll(async () => { await app?.stop(); });

  /** One span with a 40-character value, 5 attributes and 3 events, sent by the official SDK. */
  const sendLimited = (exporter: SpanExporter, service: string) => sendSpan(exporter, service, (t) => {
    const s = t.startSpan('op', { attributes: { 'long.value': 'x'.repeat(40), a: 1, b: 2, c: 3, d: 4 } });
    for (const e of ['e1', 'e2', 'e3']) s.addEvent(e);
    s.end();
  });

  it.each([
    ['http/protobuf', () => new TraceProto({ url: `${app.otlpHttpUrl}/v1/traces` })],
    ['http/json', () => new TraceJson({ url: `${app.otlpHttpUrl}/v1/traces` })],
    ['grpc', () => new TraceGrpc({ url: app.grpcUrl })],
  ] as const)('hint: an accepted request says what was cut and dropped, and the settings (%s)', async (protocol, make) => {
    const service = `lim-${protocol.slice(-4)}`; // within the 16-character limit itself
    await sendLimited(make(), service);
    const r = await recordWhere(app, (x) => x.services.includes(service));
    expect(r).toMatchObject({ result: 'ok', accepted: 1, rejected: 0 });
    expect(r.hint).toContain('1 string value cut at TINYOLLY_MAX_ATTRIBUTE_LENGTH');
    expect(r.hint).toContain('2 attributes dropped past TINYOLLY_MAX_ATTRIBUTES');
    expect(r.hint).toContain('2 span events or links dropped');
    expect(r.hint).toContain('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT');
  });

  it.each(['http/protobuf', 'http/json'] as const)('hint: a log record with a long body and too many attributes (%s)', async (protocol) => {
    const service = `log-${protocol.slice(-4)}`;
    const lp = loggerProvider({ grpcUrl: app.grpcUrl, otlpHttpUrl: app.otlpHttpUrl }, { protocol, serviceName: service });
    lp.getLogger('l').emit({ body: 'y'.repeat(40), severityNumber: 9, attributes: { a: 1, b: 2, c: 3, d: 4 } });
    await lp.forceFlush(); await lp.shutdown();
    const r = await recordWhere(app, (x) => x.services.includes(service));
    expect(r.hint).toContain('1 string value cut');
    expect(r.hint).toContain('1 attribute dropped');
  });

  it('a request within the limits has no hint', async () => {
    await sendSpan(new TraceProto({ url: `${app.otlpHttpUrl}/v1/traces` }), 'within', (t) => t.startSpan('op', { attributes: { a: 'short' } }).end());
    expect((await recordWhere(app, (x) => x.services.includes('within'))).hint).toBeNull();
  });
});
