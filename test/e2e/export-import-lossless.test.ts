/**
 * End to end (CONTRACT §11), at the OTLP level: what the official OTel JS SDK metric exporters sent
 * (captured on the way in, http/json and http/protobuf) plus hand-built OTLP/JSON for what the SDK
 * cannot make (exponential histograms and sums with exemplars, summaries, int gauges beyond 2^53,
 * flags, zero_threshold, scope attributes, whole doubles) comes back from GET /api/export as the same
 * OTLP, and export → import into an empty TinyOlly → export again gives it once more. Resource
 * attributes, scope (name, version, attributes) and both schema URLs, start times, exact nanosecond
 * times, exemplars, flags and as_int vs as_double included; for traces and logs, the scope attributes
 * and schema URLs, and the fields the model leaves out (trace state, flags, dropped counts, a log's
 * observed time and event name), sent as OTLP/JSON or imported. On the memory store and on real Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValueType, trace, ROOT_CONTEXT, TraceFlags } from '@opentelemetry/api';
import { AggregationType } from '@opentelemetry/sdk-metrics';
import { decodeMetricsProtobuf, encodeRequestProtobuf } from '../helpers/otlp-protobuf.js';
import { getJson, startTinyOlly, waitFor, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { deletePrefixKeys } from '../helpers/redis-prefix.js';
import { meterProvider } from '../helpers/otel-sdk.js';
import { startCaptureProxy, type CaptureProxy } from '../helpers/capture-proxy.js';
import { canonicalRows, canonicalRowsOfJsonl } from '../helpers/otlp-canonical.js';
import { exportJsonl, importText, storeEnv } from './export-import-helpers.js';

const SCHEMA = 'https://opentelemetry.io/schemas/1.26.0';
const T = 1_700_000_000_123_456_789n;
const ns = (d = 0n) => String(T + d);
const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const SPAN_ID = 'eee19b7ec3c1b174';
const kv = (key: string, value: object) => ({ key, value });
const str = (key: string, v: string) => kv(key, { stringValue: v });

/** What only hand-built OTLP/JSON can carry. */
const handResource = {
  attributes: [str('service.name', 'handmade'), str('host.name', 'h1'), kv('host.cores', { intValue: '8' }), kv('host.weight', { doubleValue: 2 })],
};
const handScope = { name: 'hand', version: '0.1', attributes: [str('scope.k', 'v'), kv('scope.whole', { doubleValue: 3 })] };
const HAND_METRICS = {
  resourceMetrics: [{
    schemaUrl: SCHEMA,
    resource: handResource,
    scopeMetrics: [{
      schemaUrl: 'https://example.com/scope-schema/1',
      scope: handScope,
      metrics: [
        { name: 'hand.int.gauge', unit: '{item}', description: 'int64, beyond 2^53 too', gauge: { dataPoints: [
          { attributes: [str('queue', 'q1'), kv('ratio', { doubleValue: 1 })], timeUnixNano: ns(), asInt: '9007199254740993' },
          { attributes: [str('queue', 'q1'), kv('ratio', { doubleValue: 1 })], timeUnixNano: ns(1n), asInt: '-5', flags: 1 },
        ] } },
        { name: 'hand.double.gauge', gauge: { dataPoints: [{ timeUnixNano: ns(), asDouble: 2 }] } },
        { name: 'hand.delta.sum', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [
          { startTimeUnixNano: ns(-1_000_000_001n), timeUnixNano: ns(), asInt: '7',
            exemplars: [{ timeUnixNano: ns(-7n), asInt: '7', traceId: TRACE_ID, spanId: SPAN_ID, filteredAttributes: [str('user', 'u1')] }] },
        ] } },
        { name: 'hand.exp', exponentialHistogram: { aggregationTemporality: 1, dataPoints: [{
          attributes: [str('route', '/a')], startTimeUnixNano: ns(-5n), timeUnixNano: ns(), count: '5', sum: 10.5, min: 0.5, max: 4,
          scale: 2, zeroCount: '1', zeroThreshold: 0.001, positive: { offset: -1, bucketCounts: ['1', '2', '1'] }, negative: { offset: 3, bucketCounts: ['0'] },
          exemplars: [
            { timeUnixNano: ns(-3n), asDouble: 3.5, traceId: TRACE_ID, spanId: SPAN_ID, filteredAttributes: [str('user', 'u2'), kv('w', { doubleValue: 1 })] },
            { timeUnixNano: ns(-2n), asInt: '2' },
          ],
        }] } },
        { name: 'hand.hist', unit: 'ms', histogram: { aggregationTemporality: 2, dataPoints: [{
          startTimeUnixNano: ns(-9n), timeUnixNano: ns(), count: '3', sum: 6, bucketCounts: ['1', '2'], explicitBounds: [5], flags: 1,
          exemplars: [{ timeUnixNano: ns(-1n), asDouble: 1.5, traceId: TRACE_ID, spanId: SPAN_ID }],
        }] } },
        { name: 'hand.summary', summary: { dataPoints: [{
          startTimeUnixNano: ns(-4n), timeUnixNano: ns(), count: '4', sum: 10,
          quantileValues: [{ quantile: 0, value: 1 }, { quantile: 0.5, value: 2.5 }, { quantile: 1, value: 4 }],
        }] } },
      ],
    }],
  }],
};
const HAND_TRACES = {
  resourceSpans: [{
    schemaUrl: SCHEMA,
    resource: handResource,
    scopeSpans: [{
      schemaUrl: 'https://example.com/scope-schema/2',
      scope: handScope,
      spans: [{
        traceId: TRACE_ID, spanId: SPAN_ID, name: 'hand span', kind: 2, startTimeUnixNano: ns(), endTimeUnixNano: ns(1_000n),
        attributes: [kv('whole', { doubleValue: 2 }), kv('big', { intValue: '9007199254740993' }), kv('raw', { bytesValue: 'AAEC/w==' })],
        status: { code: 2, message: 'failed' },
      }, {
        // Every Span, Span.Event and Span.Link field the model leaves out (kept beside it for OTLP/JSON).
        traceId: TRACE_ID, spanId: 'aaaaaaaaaaaaaaa1', parentSpanId: SPAN_ID, traceState: 'vendor=a:1,other=b', flags: 0x301,
        name: 'hand span with extras', kind: 3, startTimeUnixNano: ns(10n), endTimeUnixNano: ns(20n),
        attributes: [str('k', 'v')], droppedAttributesCount: 3,
        events: [
          { timeUnixNano: ns(11n), name: 'dropped some', attributes: [str('e', '1')], droppedAttributesCount: 2 },
          { timeUnixNano: ns(12n), name: 'plain' },
        ],
        droppedEventsCount: 4,
        links: [
          { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceState: 'linked=1', attributes: [str('l', '1')], droppedAttributesCount: 5, flags: 257 },
          { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203332' },
        ],
        droppedLinksCount: 6,
        status: {},
      }],
    }],
  }],
};
const HAND_LOGS = {
  resourceLogs: [{
    schemaUrl: SCHEMA,
    resource: handResource,
    scopeLogs: [{
      schemaUrl: 'https://example.com/scope-schema/3',
      scope: handScope,
      logRecords: [
        { timeUnixNano: ns(), severityNumber: 9, severityText: 'INFO', body: { stringValue: 'hand log' }, attributes: [kv('whole', { doubleValue: 2 })], traceId: TRACE_ID, spanId: SPAN_ID },
        // Every LogRecord field the model leaves out; and a record whose own time is unknown (0), its observed time standing in.
        { timeUnixNano: ns(30n), observedTimeUnixNano: ns(31n), severityNumber: 13, body: { stringValue: 'with extras' }, attributes: [str('k', 'v')],
          droppedAttributesCount: 7, flags: 1, eventName: 'hand.event', traceId: TRACE_ID, spanId: SPAN_ID },
        { observedTimeUnixNano: ns(40n), severityText: 'WARN', body: { stringValue: 'no own time' } },
        // Bodies whose flat form hides their type.
        { timeUnixNano: ns(50n), body: { doubleValue: 3 } },
        { timeUnixNano: ns(51n), body: { intValue: '9007199254740993' } },
        { timeUnixNano: ns(52n), body: { bytesValue: 'AAEC/w==' } },
        // An event record without a body.
        { timeUnixNano: ns(53n), eventName: 'hand.no.body', attributes: [str('k', 'v')] },
      ],
    }],
  }],
};

/**
 * Sent as protobuf: values whose flat form hides their type (whole and non-finite doubles, int64
 * beyond 2^53, bytes) in resource and scope attributes and metric labels, which the fused decoder
 * must note as the JSON normaliser does. No ids, so protobufjs' fromObject encodes it as it is.
 */
const hidden = [kv('whole', { doubleValue: 2 }), kv('nan', { doubleValue: 'NaN' }), kv('big', { intValue: '9007199254740993' }), kv('raw', { bytesValue: 'AAEC/w==' }),
  kv('list', { arrayValue: { values: [{ doubleValue: 1 }, { stringValue: 's' }] } })];
const PB_METRICS = {
  resourceMetrics: [{
    resource: { attributes: [str('service.name', 'pb-hidden'), ...hidden] },
    scopeMetrics: [{
      scope: { name: 'pb', version: '1', attributes: hidden },
      metrics: [{ name: 'pb.gauge', gauge: { dataPoints: [{ attributes: hidden, timeUnixNano: ns(), asDouble: 4 }] } }],
    }],
  }],
};

/** Every instrument kind of the SDK, both value types, with resource and meter schema URLs, through `otlpHttpUrl`. */
async function sendSdkMetrics(otlpHttpUrl: string, protocol: 'http/json' | 'http/protobuf'): Promise<void> {
  const mp = meterProvider({ grpcUrl: '', otlpHttpUrl }, {
    protocol, serviceName: `lossless-${protocol.replace('/', '-')}`, resource: { 'host.cores': 2, 'host.ratio': 0.25, 'host.up': true },
    resourceSchemaUrl: SCHEMA, views: [{ instrumentName: 'sdk.exp', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
  });
  const meter = mp.getMeter('lossless-meter', '3.1.4', { schemaUrl: 'https://example.com/meter-schema' });
  // A sampled span context, as an exemplar reservoir would see it (the JS exporters do not send exemplars).
  const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED });
  meter.createCounter('sdk.double.counter').add(3, { route: '/orders' });
  meter.createCounter('sdk.int.counter', { valueType: ValueType.INT }).add(4, { route: '/orders' });
  meter.createUpDownCounter('sdk.updown', { valueType: ValueType.INT }).add(-2, { queue: 'q1' });
  meter.createHistogram('sdk.hist', { unit: 'ms', description: 'latency' }).record(12.5, { method: 'GET' }, ctx);
  meter.createHistogram('sdk.exp').record(3.75, {}, ctx);
  meter.createGauge('sdk.gauge').record(21.5, { room: 'a' });
  meter.createObservableGauge('sdk.int.gauge', { valueType: ValueType.INT }).addCallback((r) => r.observe(5, { n: 1 }));
  await mp.forceFlush();
  await mp.shutdown();
}

/** The OTLP requests a capture proxy saw, as OTLP/JSON objects (protobuf decoded with our schema). */
function capturedRequests(proxy: CaptureProxy): object[] {
  return proxy.captured.map((c) => c.contentType.includes('protobuf')
    ? (decodeMetricsProtobuf(c.body) as unknown as { toJSON(): object }).toJSON()
    : JSON.parse(c.body.toString('utf8')));
}

async function post(base: string, signal: string, doc: object): Promise<void> {
  const res = await fetch(`${base}/v1/${signal}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(doc) });
  expect(res.status, signal).toBe(200);
}

describe.each(['memory', 'redis'] as const)('lossless OTLP export and import with the %s store', (storage) => {
  const { env, prefixes } = storeEnv(storage, 'lossless');
  let a: TinyOllyProcess;
  let b: TinyOllyProcess;
  let proxy: CaptureProxy;
  let sent: string[];
  beforeAll(async () => {
    a = await startTinyOlly(env());
    b = await startTinyOlly(env());
    proxy = await startCaptureProxy(a.otlpHttpUrl);
    await sendSdkMetrics(proxy.url, 'http/json');
    await sendSdkMetrics(proxy.url, 'http/protobuf');
    await post(a.otlpHttpUrl, 'metrics', HAND_METRICS);
    await post(a.otlpHttpUrl, 'traces', HAND_TRACES);
    await post(a.otlpHttpUrl, 'logs', HAND_LOGS);
    const pb = await fetch(`${a.otlpHttpUrl}/v1/metrics`, {
      method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from(encodeRequestProtobuf('metrics', PB_METRICS)) as unknown as BodyInit,
    });
    expect(pb.status).toBe(200);
    sent = canonicalRows(...capturedRequests(proxy), HAND_METRICS, HAND_TRACES, HAND_LOGS, PB_METRICS);
    await waitFor(async () => (await getJson(a.baseUrl, '/api/metrics')).body.metrics.some((m: { name: string; services: string[] }) => m.name === 'sdk.int.gauge' && m.services.includes('lossless-http-protobuf')), 20_000);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), proxy?.close()]);
    for (const p of prefixes) await deletePrefixKeys(p);
  });

  it('exports exactly the OTLP that was sent: SDK metrics (json and protobuf) and hand-built shapes, traces and logs', async () => {
    // What is compared is not trivially small: both SDK exports (each flush and the shutdown's) and every hand-built point.
    expect(proxy.captured.length).toBeGreaterThanOrEqual(2);
    expect(sent.length).toBeGreaterThanOrEqual(2 * 7 + 7 + 2 + 3 + 3 + 1 + 1);
    const exported = canonicalRowsOfJsonl((await exportJsonl(a.baseUrl)).text);
    expect(exported).toEqual(sent);
  });

  it('gives the same OTLP again after import into an empty TinyOlly and a second export', async () => {
    const first = (await exportJsonl(a.baseUrl)).text;
    const res = await importText(b.baseUrl, first);
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([]);
    const second = canonicalRowsOfJsonl((await exportJsonl(b.baseUrl)).text);
    expect(second).toEqual(canonicalRowsOfJsonl(first));
    expect(second).toEqual(sent);
  });

  it('imports hand-built OTLP/JSON spans and logs with every field the model leaves out and exports them as they were', async () => {
    const c = await startTinyOlly(env());
    try {
      const res = await importText(c.baseUrl, [HAND_TRACES, HAND_LOGS].map((d) => JSON.stringify(d)).join('\n'));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ imported: { spans: 2, logs: 7 }, errors: [] });
      expect(canonicalRowsOfJsonl((await exportJsonl(c.baseUrl)).text)).toEqual(canonicalRows(HAND_TRACES, HAND_LOGS));
      // The §3 answers do not show them.
      const span = (await getJson(c.baseUrl, `/api/traces/${TRACE_ID}`)).body.spans.find((x: { spanId: string }) => x.spanId === 'aaaaaaaaaaaaaaa1');
      expect(span).toBeDefined();
      expect(span).not.toHaveProperty('traceState');
    } finally {
      await c.stop();
    }
  });

  it('keeps the §4 metric answers in shape: numbers for value and timestamp, the exact fields beside them', async () => {
    const set = (await getJson(a.baseUrl, '/api/metrics/hand.int.gauge')).body;
    expect(set).toMatchObject({ name: 'hand.int.gauge', type: 'gauge', unit: '{item}' });
    expect(set.series).toHaveLength(1);
    expect(set.series[0]).toMatchObject({ service: 'handmade', labels: { queue: 'q1', ratio: 1 } });
    expect(set.series[0]).not.toHaveProperty('origins');
    expect(set.series[0].points[0]).toEqual({ timestamp: 1700000000.1234567, timeUnixNano: ns(), value: 9007199254740992, asInt: '9007199254740993' });
    const list = (await getJson(a.baseUrl, '/api/metrics')).body.metrics.find((m: { name: string }) => m.name === 'hand.int.gauge');
    expect(list).toMatchObject({ lastValue: -5, seriesCount: 1, services: ['handmade'] });
  });
});
