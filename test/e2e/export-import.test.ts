/**
 * End to end (CONTRACT §11): export from one TinyOlly, import into a fresh one, and every §4 route
 * answers the same (receipt-time fields aside), over the protocol fixtures and data from the official
 * SDK exporters (all signals, all point types, all attribute types), on the memory store and on Redis.
 * Also: Collector file-exporter JSONL, bad lines with their numbers, gzip, protobuf, the UI token.
 */
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { AggregationType } from '@opentelemetry/sdk-metrics';
import { getJson, startTinyOlly, waitFor, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { deletePrefixKeys } from '../helpers/redis-prefix.js';
import { loggerProvider, meterProvider, tracerProvider, type Protocol } from '../helpers/otel-sdk.js';
import { listFixtures } from '../fixtures/otlp/fixtures.js';
import { exportJsonl, importText, sendFixtures, snapshotApi, storeEnv } from './export-import-helpers.js';

const T0 = 1_700_000_000;

/** Sends spans, logs and every metric point type the JS SDK makes, with every attribute type it has. */
async function sendSdkData(app: TinyOllyProcess, protocol: Protocol): Promise<void> {
  const target = { grpcUrl: app.grpcUrl, otlpHttpUrl: app.otlpHttpUrl };
  const serviceName = `sdk-${protocol.replace('/', '-')}`;
  const tp = tracerProvider(target, { protocol, serviceName, resource: { 'host.cores': 2, 'host.ratio': 0.25, 'host.up': true } });
  const tracer = tp.getTracer('export-scope', '9.9.9');
  const target1 = tracer.startSpan('linked', { startTime: [T0, 0] });
  target1.end([T0, 5_000_000]);
  const root = tracer.startSpan('GET /orders', {
    kind: SpanKind.SERVER, startTime: [T0, 123_456_789],
    attributes: { s: 'x', i: 42, big: 2 ** 53 - 1, d: 0.5, b: false, ss: ['a', 'b'], is: [1, 2], ds: [1.5, 2.5], bs: [true] },
    links: [{ context: target1.spanContext(), attributes: { why: 'retry', n: 3 } }],
  });
  root.addEvent('exception', { 'exception.message': 'boom', attempt: 2 }, [T0, 200_000_001]);
  root.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
  const { context, trace } = await import('@opentelemetry/api');
  const child = tracer.startSpan('SELECT orders', { kind: SpanKind.CLIENT, startTime: [T0, 130_000_000], attributes: { 'db.system.name': 'postgresql', 'db.namespace': 'shop' } },
    trace.setSpan(context.active(), root));
  child.end([T0, 180_000_007]);
  root.end([T0, 323_456_789]);
  await tp.forceFlush();
  await tp.shutdown();

  const lp = loggerProvider(target, { protocol, serviceName });
  const logger = lp.getLogger('log-scope', '1.0.0');
  logger.emit({ timestamp: [T0, 111], severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: 'plain text', attributes: { i: 7, d: 1.25, arr: ['x'], ok: true } });
  logger.emit({ timestamp: [T0, 222], severityNumber: SeverityNumber.INFO, body: { msg: 'structured', n: 1, nested: { deep: [1, 'two'] } }, attributes: { raw: new Uint8Array([0, 1, 255]) } as never });
  logger.emit({ timestamp: [T0, 333], severityNumber: SeverityNumber.WARN2, body: 'no text', context: trace.setSpan(context.active(), root) });
  await lp.forceFlush();
  await lp.shutdown();

  const mp = meterProvider(target, { protocol, serviceName, views: [{ instrumentName: 'exp.latency', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }] });
  const meter = mp.getMeter('metric-scope', '2.0.0');
  meter.createCounter('orders.count').add(3, { route: '/orders' });
  meter.createUpDownCounter('queue.depth').add(-2, { queue: 'q1' });
  meter.createHistogram('http.latency', { unit: 'ms', description: 'latency' }).record(12.5, { method: 'GET' });
  meter.createHistogram('exp.latency').record(3.75);
  meter.createGauge('temperature').record(21.5, { room: 'a' });
  meter.createObservableGauge('int.gauge').addCallback((r) => r.observe(5));
  await mp.forceFlush();
  await mp.shutdown();
}

async function exportAll(base: string): Promise<string> {
  const { text, disposition } = await exportJsonl(base);
  expect(disposition).toMatch(/^attachment; filename="tinyolly-telemetry-.*\.jsonl"$/);
  return text;
}

describe.each(['memory', 'redis'] as const)('export and import with the %s store', (storage) => {
  const { env, prefixes } = storeEnv(storage, 'export');
  let a: TinyOllyProcess;
  let b: TinyOllyProcess;
  let c: TinyOllyProcess;
  beforeAll(async () => {
    a = await startTinyOlly(env());
    b = await startTinyOlly(env());
    c = await startTinyOlly(env());
    await sendFixtures(a.otlpHttpUrl);
    await sendSdkData(a, 'http/protobuf');
    await sendSdkData(a, 'http/json');
    await waitFor(async () => (await getJson(a.baseUrl, '/api/metrics')).body.metrics.some((m: { name: string; services: string[] }) => m.name === 'int.gauge' && m.services.includes('sdk-http-json')), 20_000);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
    for (const p of prefixes) await deletePrefixKeys(p);
  });

  it('answers every §4 route the same after export from one instance and import into a fresh one', async () => {
    const text = await exportAll(a.baseUrl);
    const lines = text.trimEnd().split('\n');
    for (const l of lines) expect(Object.keys(JSON.parse(l))).toHaveLength(1);
    const res = await importText(b.baseUrl, text);
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([]);
    const before = await snapshotApi(a.baseUrl);
    const after = await snapshotApi(b.baseUrl);
    // What is compared is not trivially empty: every fixture and SDK signal, all five point types.
    expect((before.traces as unknown[]).length).toBeGreaterThanOrEqual(8);
    expect((before.logs as unknown[]).length).toBeGreaterThanOrEqual(10);
    expect(new Set((before.metrics as { type: string }[]).map((m) => m.type))).toEqual(new Set(['gauge', 'sum', 'histogram', 'exponential_histogram', 'summary']));
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    for (const k of Object.keys(before)) expect(after[k], k).toEqual(before[k]);
    expect(res.body.imported).toEqual({ spans: before.stats && (before.stats as { spans: number }).spans, logs: (before.stats as { logs: number }).logs, points: expect.any(Number) });
  }, 120_000);

  it('answers the same again after a second hop (export of the imported data, into a third instance)', async () => {
    const text = await exportAll(b.baseUrl);
    const res = await importText(c.baseUrl, gzipSync(text), { 'content-type': 'application/octet-stream' });
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([]);
    const before = await snapshotApi(a.baseUrl);
    const after = await snapshotApi(c.baseUrl);
    for (const k of Object.keys(before)) expect(after[k], k).toEqual(before[k]);
  }, 120_000);

  it('exports the attributes of protobuf-received spans with their exact OTLP types', async () => {
    const res = await fetch(`${a.baseUrl}/api/export?signal=traces&trace_id=000102030405060708090a0b0c0d0e0f`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/filename="tinyolly-trace-000102030405060708090a0b0c0d0e0f-.*\.json"/);
    const doc = JSON.parse(await res.text());
    const span = doc.resourceSpans[0].scopeSpans[0].spans.find((s: { spanId: string }) => s.spanId === '0001020304050607');
    const attr = Object.fromEntries(span.attributes.map((kv: { key: string; value: unknown }) => [kv.key, kv.value]));
    expect(attr['int.max']).toEqual({ intValue: '9223372036854775807' });
    expect(attr['int.2^53+1.number']).toEqual({ intValue: '9007199254740993' });
    expect(attr['double.whole']).toEqual({ doubleValue: 2 });
    expect(attr['double.NaN']).toEqual({ doubleValue: 'NaN' });
    expect(attr.bytes).toEqual({ bytesValue: 'AAEC/w==' });
    expect(attr['empty.anyvalue']).toEqual({});
    expect(attr.dup).toEqual({ stringValue: 'second' });
    expect(attr.kvlist.kvlistValue.values[0].value.kvlistValue.values[0].value.kvlistValue.values[0].value).toEqual({ intValue: '9007199254740993' });
  });

  it('exports one trace with its logs, a service, and one signal as one request', async () => {
    const traces = (await getJson(a.baseUrl, '/api/traces?service=sdk-http-protobuf&name=GET')).body.traces;
    const id = traces[0].traceId as string;
    const jsonl = await (await fetch(`${a.baseUrl}/api/export?signal=all&format=jsonl&trace_id=${id}`)).text();
    const docs = jsonl.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(docs.map((d) => Object.keys(d)[0])).toEqual(['resourceSpans', 'resourceLogs']);
    expect(docs[0].resourceSpans.flatMap((r: any) => r.scopeSpans.flatMap((s: any) => s.spans)).map((s: any) => s.name).sort()).toEqual(['GET /orders', 'SELECT orders']);
    expect(docs[1].resourceLogs[0].scopeLogs[0].logRecords).toHaveLength(1);
    const metrics = JSON.parse(await (await fetch(`${a.baseUrl}/api/export?signal=metrics&service=sdk-http-json`)).text());
    const names = metrics.resourceMetrics.flatMap((r: any) => r.scopeMetrics.flatMap((s: any) => s.metrics.map((m: any) => m.name)));
    expect(names.sort()).toEqual(['exp.latency', 'http.latency', 'int.gauge', 'orders.count', 'queue.depth', 'temperature']);
    expect((await fetch(`${a.baseUrl}/api/export?signal=all&format=json`)).status).toBe(400);
    expect((await fetch(`${a.baseUrl}/api/export?signal=bogus`)).status).toBe(400);
    expect((await fetch(`${a.baseUrl}/api/export?signal=traces&trace_id=ffffffffffffffffffffffffffffffff`)).status).toBe(404);
  });
});

describe('import', () => {
  let app: TinyOllyProcess;
  beforeAll(async () => { app = await startTinyOlly({ TINYOLLY_UI_TOKEN: 'sekret' }); });
  afterAll(async () => { await app?.stop(); });
  const auth = { authorization: 'Bearer sekret' };

  it('is guarded by the UI token, and so is export', async () => {
    expect((await fetch(`${app.baseUrl}/api/import`, { method: 'POST', body: '{}' })).status).toBe(401);
    expect((await fetch(`${app.baseUrl}/api/export`)).status).toBe(401);
    expect((await fetch(`${app.baseUrl}/api/export?signal=traces`, { headers: auth })).status).toBe(200);
  });

  it('imports a JSONL file written as the Collector file exporter writes it, mixed signals', async () => {
    // One Export*ServiceRequest per line in OTLP/JSON (exporter/fileexporter, format: json).
    const jsonl = [
      '{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"collector-app"}}]},"scopeSpans":[{"scope":{"name":"otelcol"},"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","parentSpanId":"eee19b7ec3c1b173","name":"I\'m a server span","startTimeUnixNano":"1544712660000000000","endTimeUnixNano":"1544712661000000000","kind":2,"attributes":[{"key":"my.span.attr","value":{"stringValue":"some value"}}],"status":{}}]}]}]}',
      '{"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"collector-app"}}]},"scopeMetrics":[{"scope":{"name":"otelcol"},"metrics":[{"name":"my.counter","unit":"1","description":"I am a Counter","sum":{"aggregationTemporality":1,"isMonotonic":true,"dataPoints":[{"asDouble":5,"startTimeUnixNano":"1544712660300000000","timeUnixNano":"1544712660300000000","attributes":[{"key":"my.counter.attr","value":{"stringValue":"some value"}}]}]}}]}]}]}',
      '{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"collector-app"}}]},"scopeLogs":[{"scope":{"name":"otelcol"},"logRecords":[{"timeUnixNano":"1544712660300000000","observedTimeUnixNano":"1544712660300000000","severityNumber":10,"severityText":"Information","traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","body":{"stringValue":"Example log record"},"attributes":[{"key":"string.attribute","value":{"stringValue":"some string"}},{"key":"int.attribute","value":{"intValue":"10"}}]}]}]}]}',
      '',
    ].join('\n');
    const res = await importText(app.baseUrl, jsonl, auth);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ imported: { spans: 1, logs: 1, points: 1 }, rejected: { spans: 0, logs: 0, points: 0 }, errors: [] });
    const trace = (await fetch(`${app.baseUrl}/api/traces/5b8efff798038103d269b633813fc60c`, { headers: auth }).then((r) => r.json())) as any;
    expect(trace.spans[0]).toMatchObject({ name: "I'm a server span", kind: 'SERVER', service: 'collector-app', startTimeUnixNano: '1544712660000000000' });
    const logs = (await fetch(`${app.baseUrl}/api/logs?trace_id=5b8efff798038103d269b633813fc60c`, { headers: auth }).then((r) => r.json())) as any;
    expect(logs.logs[0]).toMatchObject({ body: 'Example log record', severityText: 'Information', attributes: { 'int.attribute': 10 } });
  });

  it('reports bad lines with their numbers and imports the rest', async () => {
    const good = (i: number) => JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'badlines' } }] }, scopeSpans: [{ spans: [{ traceId: 'ab'.repeat(15) + String(10 + i), spanId: 'cd'.repeat(8), name: `s${i}`, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000000000001' }] }] }] });
    const body = [good(1), '{"resourceSpans": [ not json', good(2), '', '[1,2,3]', good(3), '{"resourceSpans":[' ].join('\n');
    const res = await importText(app.baseUrl, body, auth);
    expect(res.status).toBe(200);
    expect(res.body.imported.spans).toBe(3);
    expect(res.body.errors.map((e: { line: number }) => e.line)).toEqual([2, 5, 7]);
    expect(res.body.errors[1].message).toMatch(/not an OTLP export request/);
  });

  it('imports a pretty-printed OTLP/JSON document (the protocol fixtures) and protobuf with X-Otlp-Signal, gzip or not', async () => {
    for (const f of listFixtures()) {
      const json = await importText(app.baseUrl, readFileSync(f.jsonPath), { ...auth, 'content-type': 'application/json' });
      expect(json.status, f.jsonPath).toBe(200);
      expect(json.body.errors, f.jsonPath).toEqual([]);
      const pb = await importText(app.baseUrl, gzipSync(readFileSync(f.pbPath)), { ...auth, 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip', 'x-otlp-signal': f.signal });
      expect(pb.status, f.pbPath).toBe(200);
      expect(pb.body.imported, f.pbPath).toEqual(json.body.imported);
    }
    const missing = await importText(app.baseUrl, readFileSync(listFixtures()[0].pbPath), { ...auth, 'content-type': 'application/x-protobuf' });
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].message).toMatch(/X-Otlp-Signal/);
  });

  it.each([
    ['a microsecond apart', 'paging', 1000n],
    ['all in the same nanosecond', 'paging-ties', 0n],
  ])('exports past one page: 2500 traces and 2500 logs %s, every one once', async (_what, service, step) => {
    const lines: string[] = [];
    const res = { attributes: [{ key: 'service.name', value: { stringValue: service } }] };
    for (let i = 0; i < 2500; i++) {
      const t = String(1_700_000_000_000_000_000n + BigInt(i) * step);
      lines.push(JSON.stringify({ resourceSpans: [{ resource: res, scopeSpans: [{ spans: [{ traceId: (step ? 'cd' : 'ce') + i.toString(16).padStart(30, '0'), spanId: '01'.repeat(8), name: 'p', startTimeUnixNano: t, endTimeUnixNano: t }] }] }] }));
      lines.push(JSON.stringify({ resourceLogs: [{ resource: res, scopeLogs: [{ logRecords: [{ timeUnixNano: t, body: { stringValue: `log ${i}` } }] }] }] }));
    }
    expect((await importText(app.baseUrl, lines.join('\n'), auth)).body.imported).toEqual({ spans: 2500, logs: 2500, points: 0 });
    const text = await (await fetch(`${app.baseUrl}/api/export?signal=all&service=${service}`, { headers: auth })).text();
    const docs = text.trimEnd().split('\n').map((l) => JSON.parse(l));
    const spans = docs.flatMap((d) => (d.resourceSpans ?? []).flatMap((r: any) => r.scopeSpans.flatMap((sc: any) => sc.spans)));
    const logs = docs.flatMap((d) => (d.resourceLogs ?? []).flatMap((r: any) => r.scopeLogs.flatMap((sc: any) => sc.logRecords)));
    expect(new Set(spans.map((x: any) => x.traceId)).size).toBe(2500);
    expect(spans).toHaveLength(2500);
    expect(new Set(logs.map((x: any) => x.body.stringValue)).size).toBe(2500);
    expect(logs).toHaveLength(2500);
  }, 60_000);

  it('answers 400 with the errors when nothing could be imported, and 413 past the import limit', async () => {
    const res = await importText(app.baseUrl, 'hello\nworld\n', auth);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { line: number }) => e.line)).toEqual([1, 2]);
  });
});

describe('import size limit', () => {
  let app: TinyOllyProcess;
  beforeAll(async () => { app = await startTinyOlly({ TINYOLLY_MAX_IMPORT_MB: '1' }); });
  afterAll(async () => { await app?.stop(); });

  it('answers 413 for a body over TINYOLLY_MAX_IMPORT_MB, and for gzip that inflates past it', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 0x20);
    expect((await importText(app.baseUrl, big)).status).toBe(413);
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20));
    const res = await importText(app.baseUrl, bomb);
    expect(res.status).toBe(413);
    expect((await getJson(app.baseUrl, '/api/stats')).status).toBe(200);
  });
});
