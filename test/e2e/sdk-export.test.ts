/**
 * End to end: the real TinyOlly process receives traces, logs and metrics from the official
 * OpenTelemetry JS SDK exporters over grpc, http/protobuf and http/json, with and without gzip,
 * and the query API returns the exact normalised model (CONTRACT §3–4).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { getJson, startTinyOlly, waitFor, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { deletePrefixKeys, SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis-prefix.js';
import { loggerProvider, meterProvider, tracerProvider, type Protocol } from '../helpers/otel-sdk.js';

const PREFIX = uniquePrefix('sdk');

// Every receiver-core end-to-end check runs against both stores (issue 3: "every end-to-end test of
// the receiver core also passes with REDIS_URL set").
describe.each(['memory', 'redis'] as const)('with the %s store', (storage) => {
  let app: TinyOllyProcess;
  beforeAll(async () => {
    app = await startTinyOlly(storage === 'redis' ? { REDIS_URL: SHARED_REDIS_URL, TINYOLLY_KEY_PREFIX: PREFIX } : {});
  });
  afterAll(async () => {
    await app?.stop();
    if (storage === 'redis') await deletePrefixKeys(PREFIX);
  });

  const CASES: { protocol: Protocol; gzip: boolean }[] = [
    { protocol: 'grpc', gzip: false },
    { protocol: 'grpc', gzip: true },
    { protocol: 'http/protobuf', gzip: false },
    { protocol: 'http/protobuf', gzip: true },
    { protocol: 'http/json', gzip: false },
    { protocol: 'http/json', gzip: true },
  ];

  const T0 = 1_700_000_000;

  describe.each(CASES)('SDK over $protocol (gzip: $gzip)', ({ protocol, gzip }) => {
    const serviceName = `e2e-${protocol.replace('/', '-')}${gzip ? '-gz' : ''}`;
    const target = () => ({ grpcUrl: app.grpcUrl, otlpHttpUrl: app.otlpHttpUrl });

    it('stores a trace with parent/child, typed attributes, events, status and links exactly', async () => {
      const tp = tracerProvider(target(), { protocol, gzip, serviceName });
      const tracer = tp.getTracer('e2e-scope', '1.2.3');
      const other = tracer.startSpan('linked-target', { startTime: [T0, 0] });
      other.end([T0, 1_000_000]);
      const parent = tracer.startSpan('GET /users', {
        kind: SpanKind.SERVER,
        startTime: [T0, 0],
        attributes: { 'http.method': 'GET', 'http.status_code': 200, retry: true, ratio: 0.5, tags: ['a', 'b'], nums: [1, 2] },
      });
      const child = tracer.startSpan('SELECT users', {
        kind: SpanKind.CLIENT,
        startTime: [T0, 10_000_000],
        links: [{ context: other.spanContext(), attributes: { 'link.kind': 'follows' } }],
      }, trace.setSpan(context.active(), parent));
      child.addEvent('exception', { 'exception.message': 'boom' }, [T0, 50_000_000]);
      child.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
      child.end([T0, 80_000_000]);
      parent.setStatus({ code: SpanStatusCode.OK });
      parent.end([T0, 100_000_000]);
      await tp.forceFlush();
      await tp.shutdown();

      const traceId = parent.spanContext().traceId;
      const { body } = await waitFor(async () => {
        const r = await getJson(app.baseUrl, `/api/traces/${traceId}`);
        return r.status === 200 && r.body.spans.length === 2 ? r : undefined;
      });
      const [p, c] = body.spans;
      expect(p).toMatchObject({
        traceId,
        spanId: parent.spanContext().spanId,
        parentSpanId: null,
        name: 'GET /users',
        kind: 'SERVER',
        startTimeUnixNano: '1700000000000000000',
        endTimeUnixNano: '1700000000100000000',
        durationMs: 100,
        status: { code: 'OK', message: '' },
        service: serviceName,
        attributes: { 'http.method': 'GET', 'http.status_code': 200, retry: true, ratio: 0.5, tags: ['a', 'b'], nums: [1, 2] },
        scope: { name: 'e2e-scope', version: '1.2.3' },
        events: [],
        links: [],
      });
      expect(p.resource['service.name']).toBe(serviceName);
      expect(c).toMatchObject({
        traceId,
        spanId: child.spanContext().spanId,
        parentSpanId: parent.spanContext().spanId,
        name: 'SELECT users',
        kind: 'CLIENT',
        startTimeUnixNano: '1700000000010000000',
        endTimeUnixNano: '1700000000080000000',
        durationMs: 70,
        status: { code: 'ERROR', message: 'boom' },
        service: serviceName,
        events: [{ name: 'exception', timeUnixNano: '1700000000050000000', attributes: { 'exception.message': 'boom' } }],
        links: [{ traceId: other.spanContext().traceId, spanId: other.spanContext().spanId, attributes: { 'link.kind': 'follows' } }],
      });

      const list = await getJson(app.baseUrl, `/api/traces?service=${serviceName}&limit=10`);
      const row = list.body.traces.find((t: { traceId: string }) => t.traceId === traceId);
      expect(row).toEqual({
        traceId, rootName: 'GET /users', rootService: serviceName, startTimeUnixNano: '1700000000000000000',
        durationMs: 100, spanCount: 2, errorCount: 1, services: [serviceName], incomplete: false,
      });
      const back = await getJson(app.baseUrl, `/api/traces/${other.spanContext().traceId}/backlinks`);
      expect(back.body.backlinks).toEqual([{
        traceId, spanId: child.spanContext().spanId, name: 'SELECT users', service: serviceName,
        linkedSpanId: other.spanContext().spanId, attributes: { 'link.kind': 'follows' },
      }]);
    });

    it('stores logs correlated to their span, with structured bodies and derived severity text', async () => {
      const tp = tracerProvider(target(), { protocol, gzip, serviceName });
      const lp = loggerProvider(target(), { protocol, gzip, serviceName });
      const logger = lp.getLogger('e2e-logger', '0.1.0');
      const span = tp.getTracer('e2e').startSpan('work');
      const ctx = trace.setSpan(context.active(), span);
      logger.emit({ timestamp: [T0, 90_000_000], severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: 'db failed', attributes: { 'db.system': 'pg', attempt: 3 }, context: ctx });
      logger.emit({ timestamp: [T0, 91_000_000], severityNumber: SeverityNumber.WARN, body: { user: 'ann', nested: { ok: [true, 1.5] } } });
      span.end();
      await lp.forceFlush();
      await Promise.all([lp.shutdown(), tp.shutdown()]);

      const logs = await waitFor(async () => {
        const r = await getJson(app.baseUrl, `/api/logs?service=${serviceName}`);
        return r.body.logs.length === 2 ? r.body.logs : undefined;
      });
      expect(logs[0]).toMatchObject({
        timeUnixNano: '1700000000091000000', timestamp: 1700000000.091, severityText: 'WARN', severityNumber: 13,
        body: { user: 'ann', nested: { ok: [true, 1.5] } }, traceId: null, spanId: null, service: serviceName,
        scope: { name: 'e2e-logger', version: '0.1.0' },
      });
      expect(logs[1]).toMatchObject({
        timeUnixNano: '1700000000090000000', timestamp: 1700000000.09, severityText: 'ERROR', severityNumber: 17,
        body: 'db failed', traceId: span.spanContext().traceId, spanId: span.spanContext().spanId,
        attributes: { 'db.system': 'pg', attempt: 3 }, service: serviceName,
      });
      expect(typeof logs[1].id).toBe('string');
      expect(logs[0].id).not.toBe(logs[1].id);
      const byTrace = await getJson(app.baseUrl, `/api/logs?trace_id=${span.spanContext().traceId}`);
      expect(byTrace.body.logs.map((l: { body: unknown }) => l.body)).toEqual(['db failed']);
    });

    it('stores counters, up-down counters, histograms and gauges with their values and buckets', async () => {
      const mp = meterProvider(target(), { protocol, gzip, serviceName });
      const meter = mp.getMeter('e2e-meter');
      const prefix = serviceName.replace(/-/g, '_');
      const counter = meter.createCounter(`${prefix}.requests`, { description: 'requests served', unit: '{request}' });
      counter.add(3, { route: '/a' });
      counter.add(2, { route: '/b' });
      meter.createUpDownCounter(`${prefix}.queue`).add(-4);
      const hist = meter.createHistogram(`${prefix}.latency`, { unit: 'ms', advice: { explicitBucketBoundaries: [10, 100] } });
      for (const v of [5, 50, 500]) hist.record(v, { route: '/a' });
      meter.createObservableGauge(`${prefix}.temperature`).addCallback((r) => r.observe(21.5, { room: 'lab' }));
      await mp.shutdown(); // exports once

      const sum = await waitFor(async () => {
        const r = await getJson(app.baseUrl, `/api/metrics/${prefix}.requests`);
        return r.status === 200 && r.body.series.length === 2 ? r.body : undefined;
      });
      expect(sum).toMatchObject({ name: `${prefix}.requests`, type: 'sum', unit: '{request}', description: 'requests served', monotonic: true, temporality: 'cumulative' });
      const byRoute = Object.fromEntries(sum.series.map((s: any) => [s.labels.route, s]));
      expect(byRoute['/a'].service).toBe(serviceName);
      expect(byRoute['/a'].points.map((p: any) => p.value)).toEqual([3]);
      expect(byRoute['/b'].points.map((p: any) => p.value)).toEqual([2]);

      const queue = await waitFor(async () => (await getJson(app.baseUrl, `/api/metrics/${prefix}.queue`)).body.series?.[0]);
      expect(queue.points[0].value).toBe(-4);
      const upDown = (await getJson(app.baseUrl, `/api/metrics/${prefix}.queue`)).body;
      expect(upDown).toMatchObject({ type: 'sum', monotonic: false });

      const h = (await getJson(app.baseUrl, `/api/metrics/${prefix}.latency`)).body;
      expect(h).toMatchObject({ type: 'histogram', unit: 'ms', temporality: 'cumulative' });
      expect(h.series[0].labels).toEqual({ route: '/a' });
      expect(h.series[0].points[0]).toMatchObject({ count: 3, sum: 555, min: 5, max: 500, bucketCounts: [1, 1, 1], explicitBounds: [10, 100] });

      const g = (await getJson(app.baseUrl, `/api/metrics/${prefix}.temperature`)).body;
      expect(g).toMatchObject({ type: 'gauge', series: [{ service: serviceName, labels: { room: 'lab' } }] });
      expect(g.series[0].points[0].value).toBe(21.5);

      const list = (await getJson(app.baseUrl, '/api/metrics')).body.metrics;
      expect(list.find((m: any) => m.name === `${prefix}.latency`)).toMatchObject({ type: 'histogram', services: [serviceName], seriesCount: 1, lastValue: 3 });
      expect(list.find((m: any) => m.name === `${prefix}.temperature`)).toMatchObject({ type: 'gauge', lastValue: 21.5 });
    });
  });

  describe('the API across signals', () => {
    // Self-contained: it sends its own trace, logs and metrics under a service no other test uses,
    // so it passes alone (`-t`) as well as after the per-protocol tests.
    it('answers services, the service map and stats from what the SDK sent', async () => {
      const serviceName = 'e2e-across-signals';
      const target = { grpcUrl: app.grpcUrl, otlpHttpUrl: app.otlpHttpUrl };
      const tp = tracerProvider(target, { protocol: 'grpc', gzip: false, serviceName });
      const lp = loggerProvider(target, { protocol: 'grpc', gzip: false, serviceName });
      const mp = meterProvider(target, { protocol: 'grpc', gzip: false, serviceName });
      const callee = tracerProvider(target, { protocol: 'grpc', gzip: false, serviceName: `${serviceName}-callee` });
      const tracer = tp.getTracer('e2e-across');
      const root = tracer.startSpan('GET /across', { kind: SpanKind.SERVER, startTime: [T0, 0] });
      const child = tracer.startSpan('SELECT across', { kind: SpanKind.CLIENT, startTime: [T0, 10_000_000] }, trace.setSpan(context.active(), root));
      const served = callee.getTracer('e2e-across').startSpan('serve across', { kind: SpanKind.SERVER, startTime: [T0, 20_000_000] }, trace.setSpan(context.active(), child));
      served.end([T0, 50_000_000]);
      child.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
      child.end([T0, 60_000_000]);
      root.end([T0, 100_000_000]);
      const logger = lp.getLogger('e2e-across');
      logger.emit({ timestamp: [T0, 90_000_000], severityNumber: SeverityNumber.ERROR, body: 'across failed' });
      logger.emit({ timestamp: [T0, 91_000_000], severityNumber: SeverityNumber.INFO, body: 'across ok' });
      const meter = mp.getMeter('e2e-across');
      meter.createCounter('e2e_across.requests').add(1);
      meter.createHistogram('e2e_across.latency', { unit: 'ms' }).record(100);
      await Promise.all([tp.forceFlush(), callee.forceFlush(), lp.forceFlush()]);
      await Promise.all([tp.shutdown(), callee.shutdown(), lp.shutdown(), mp.shutdown()]);

      const svc = await waitFor(async () => {
        const services = (await getJson(app.baseUrl, '/api/services')).body.services;
        const s = services?.find((x: any) => x.name === serviceName);
        return s && s.spanCount === 2 && s.logCount === 2 && s.metricCount === 2 ? s : undefined;
      });
      expect(svc).toMatchObject({ spanCount: 2, errorCount: 1, logCount: 2, metricCount: 2 });
      expect(svc.p50Ms).toBeGreaterThan(0);
      const map = (await getJson(app.baseUrl, '/api/service-map')).body;
      expect(map.nodes.map((n: { name: string }) => n.name)).toEqual(expect.arrayContaining([serviceName, `${serviceName}-callee`]));
      expect(map.edges.find((e: { source: string }) => e.source === serviceName)).toMatchObject({ target: `${serviceName}-callee`, callCount: 1 });
      const stats = (await getJson(app.baseUrl, '/api/stats')).body;
      expect(stats).toMatchObject({ storage });
      expect(stats.spans).toBeGreaterThanOrEqual(2);
      expect(stats.logs).toBeGreaterThanOrEqual(2);
      expect((await getJson(app.baseUrl, '/healthz')).body).toEqual({ status: 'ok' });
    });
  });
});
