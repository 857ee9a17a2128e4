/**
 * @module test/ui/seed: sends the UI tests' telemetry with the official OpenTelemetry JS SDK
 * (http/protobuf): a cross-service checkout trace with an error, events and a link target, a
 * second trace linking to it, correlated logs, three kinds of metrics, and hostile strings.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span as ApiSpan, type HrTime, type Link } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { loggerProvider, meterProvider, tracerProvider, type Target } from '../helpers/otel-sdk.js';

/** An XSS canary: if it ever runs, window.__xss is set. */
export const XSS_IMG = '<img src=x onerror="window.__xss=1">';
export const XSS_SCRIPT = '<script>window.__xss=2</script>';

/** Epoch milliseconds + offset → HrTime (exact to the microsecond). */
function at(baseMs: number, offsetMs: number): HrTime {
  const totalUs = Math.round((baseMs + offsetMs) * 1000);
  return [Math.floor(totalUs / 1e6), (totalUs % 1e6) * 1000];
}

export interface SeededTrace { traceId: string; spans: Record<string, string> }

/**
 * Sends the checkout trace: frontend `GET /checkout` 0–120 ms ⟶ `POST /api/cart` 10–60 ms
 * (client) ⟶ backend `POST /api/cart` 15–55 ms ⟶ `SELECT cart` 20–40 ms; backend `charge card`
 * 62–68 ms (ERROR, exception event); frontend `render` 64–110 ms (event `cache miss` at 90 ms).
 * Then a second trace whose `consume` span links to `charge card`.
 */
export async function sendCheckoutTrace(t: Target, baseMs: number, opts: { hostileName?: boolean } = {}): Promise<{ checkout: SeededTrace; linked: SeededTrace }> {
  const fe = tracerProvider(t, { protocol: 'http/protobuf', serviceName: 'frontend' });
  const be = tracerProvider(t, { protocol: 'http/protobuf', serviceName: 'backend' });
  const db = tracerProvider(t, { protocol: 'http/protobuf', serviceName: 'postgres' });
  const ft = fe.getTracer('ui-test', '1.0.0');
  const bt = be.getTracer('ui-test');
  const dt = db.getTracer('ui-test');
  const under = (p: ApiSpan) => trace.setSpan(ROOT_CONTEXT, p);
  const spans: Record<string, string> = {};
  const done = (key: string, s: ApiSpan, endMs: number): void => { spans[key] = s.spanContext().spanId; s.end(at(baseMs, endMs)); };

  const root = ft.startSpan(opts.hostileName ? XSS_IMG : 'GET /checkout', {
    kind: SpanKind.SERVER, startTime: at(baseMs, 0),
    attributes: { 'http.method': 'GET', 'http.route': '/checkout', 'http.status_code': 500, 'user.id': 'u-42', 'xss.attr': XSS_SCRIPT },
  }, ROOT_CONTEXT);
  const client = ft.startSpan('POST /api/cart', { kind: SpanKind.CLIENT, startTime: at(baseMs, 10), attributes: { 'peer.service': 'backend' } }, under(root));
  const server = bt.startSpan('POST /api/cart', { kind: SpanKind.SERVER, startTime: at(baseMs, 15), attributes: { 'http.method': 'POST' } }, under(client));
  const query = dt.startSpan('SELECT cart', { kind: SpanKind.CLIENT, startTime: at(baseMs, 20), attributes: { 'db.system': 'postgresql', 'db.statement': 'SELECT * FROM cart WHERE user_id = $1' } }, under(server));
  done('query', query, 40);
  done('server', server, 55);
  done('client', client, 60);
  const charge = bt.startSpan('charge card', { kind: SpanKind.INTERNAL, startTime: at(baseMs, 62), attributes: { 'payment.provider': 'acme' } }, under(root));
  charge.addEvent('exception', { 'exception.type': 'PaymentDeclined', 'exception.message': 'card declined' }, at(baseMs, 66));
  charge.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
  done('charge', charge, 68);
  const render = ft.startSpan('render', { kind: SpanKind.INTERNAL, startTime: at(baseMs, 64) }, under(root));
  render.addEvent('cache miss', { 'cache.key': 'cart:u-42' }, at(baseMs, 90));
  done('render', render, 110);
  root.setStatus({ code: SpanStatusCode.ERROR, message: 'checkout failed' });
  done('root', root, 120);
  const checkout = { traceId: root.spanContext().traceId, spans };

  const link: Link = { context: charge.spanContext(), attributes: { 'link.reason': 'retry' } };
  const consumer = bt.startSpan('consume payment-retry', { kind: SpanKind.CONSUMER, startTime: at(baseMs, 200), links: [link] }, ROOT_CONTEXT);
  const linkedSpans: Record<string, string> = { consume: consumer.spanContext().spanId };
  consumer.end(at(baseMs, 230));
  const linked = { traceId: consumer.spanContext().traceId, spans: linkedSpans };

  await Promise.all([fe.forceFlush(), be.forceFlush(), db.forceFlush()]);
  await Promise.all([fe.shutdown(), be.shutdown(), db.shutdown()]);
  return { checkout, linked };
}

/** Sends one simple trace (`name`, 5 ms) from `service`; resolves with its trace id. */
export async function sendSimpleTrace(t: Target, service: string, name: string, baseMs = Date.now()): Promise<string> {
  const p = tracerProvider(t, { protocol: 'http/protobuf', serviceName: service });
  const s = p.getTracer('ui-test').startSpan(name, { kind: SpanKind.SERVER, startTime: at(baseMs, 0) }, ROOT_CONTEXT);
  s.end(at(baseMs, 5));
  await p.forceFlush();
  await p.shutdown();
  return s.spanContext().traceId;
}

/** Sends logs correlated with the checkout trace (INFO, WARN, ERROR with a structured body) and a hostile one. */
export async function sendLogs(t: Target, checkout: SeededTrace, baseMs: number): Promise<void> {
  const fe = loggerProvider(t, { protocol: 'http/protobuf', serviceName: 'frontend' });
  const be = loggerProvider(t, { protocol: 'http/protobuf', serviceName: 'backend' });
  const ctxOf = (spanId: string) => trace.setSpanContext(ROOT_CONTEXT, { traceId: checkout.traceId, spanId, traceFlags: 1 });
  const fl = fe.getLogger('ui-test');
  const bl = be.getLogger('ui-test');
  fl.emit({ body: 'checkout started for u-42', severityNumber: SeverityNumber.INFO, severityText: 'INFO', timestamp: at(baseMs, 1), context: ctxOf(checkout.spans.root) });
  bl.emit({ body: 'payment provider slow', severityNumber: SeverityNumber.WARN, severityText: 'WARN', timestamp: at(baseMs, 63), context: ctxOf(checkout.spans.charge) });
  bl.emit({
    body: { event: 'payment_failed', reason: 'card declined', attempt: 2 } as never, severityNumber: SeverityNumber.ERROR, severityText: 'ERROR',
    timestamp: at(baseMs, 67), context: ctxOf(checkout.spans.charge), attributes: { 'order.id': 'o-7' },
  });
  fl.emit({ body: `hostile ${XSS_IMG} ${XSS_SCRIPT}`, severityNumber: SeverityNumber.DEBUG, severityText: 'DEBUG', timestamp: at(baseMs, 115), attributes: { html: XSS_SCRIPT } });
  await Promise.all([fe.forceFlush(), be.forceFlush()]);
  await Promise.all([fe.shutdown(), be.shutdown()]);
}

/**
 * Sends metrics twice (so charts have two points per series): a monotonic counter
 * `http.server.requests` with two label sets, a histogram `http.server.duration` (ms) and a
 * gauge `process.memory.usage`.
 */
export async function sendMetrics(t: Target): Promise<void> {
  const mp = meterProvider(t, { protocol: 'http/protobuf', serviceName: 'frontend' });
  const meter = mp.getMeter('ui-test');
  const requests = meter.createCounter('http.server.requests', { description: 'Requests handled', unit: '{request}' });
  const duration = meter.createHistogram('http.server.duration', { description: 'Request latency', unit: 'ms', advice: { explicitBucketBoundaries: [5, 10, 25, 50, 100, 250] } });
  let memory = 120;
  meter.createObservableGauge('process.memory.usage', { unit: 'MB' }).addCallback((r) => r.observe(memory));
  for (let round = 0; round < 2; round++) {
    requests.add(5 + round * 7, { 'http.method': 'GET' });
    requests.add(2 + round, { 'http.method': 'POST' });
    for (const v of [3, 7, 8, 12, 20, 30, 45, 60, 90, 180]) duration.record(v * (round + 1), { 'http.route': '/checkout' });
    memory += 15;
    await mp.forceFlush();
    if (round === 0) await new Promise((r) => setTimeout(r, 1100)); // two distinct point timestamps (seconds)
  }
  await mp.shutdown();
}

/**
 * Sends one trace of `count` spans from `service` in batches (BatchSpanProcessor): a root with
 * fan-out children, each child with one grandchild, 1 ms apart. Resolves with the trace id.
 */
export async function sendBigTrace(t: Target, count: number, baseMs = Date.now() - 10_000): Promise<string> {
  const exporter = new OTLPTraceExporter({ url: `${t.otlpHttpUrl}/v1/traces`, timeoutMillis: 10_000 });
  const p = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bulk' }),
    spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: count + 10, maxExportBatchSize: 1000, scheduledDelayMillis: 50 })],
  });
  const tr = p.getTracer('ui-test');
  const root = tr.startSpan('bulk root', { startTime: at(baseMs, 0) }, ROOT_CONTEXT);
  let made = 1;
  for (let i = 0; made < count; i++) {
    const child = tr.startSpan(`step ${i}`, { startTime: at(baseMs, i + 1) }, trace.setSpan(ROOT_CONTEXT, root));
    made++;
    if (made < count) {
      tr.startSpan(`inner ${i}`, { startTime: at(baseMs, i + 1.2) }, trace.setSpan(ROOT_CONTEXT, child)).end(at(baseMs, i + 1.6));
      made++;
    }
    child.end(at(baseMs, i + 2));
  }
  root.end(at(baseMs, count));
  await p.forceFlush();
  await p.shutdown();
  return root.spanContext().traceId;
}

/**
 * Sends `count` one-span traces from `service` in batches, named `${name} <i>`, 1 ms apart from
 * `baseMs` (the last is the newest). Resolves with their trace ids, oldest first.
 */
export async function sendManyTraces(t: Target, service: string, name: string, count: number, baseMs = Date.now() - 60_000): Promise<string[]> {
  const exporter = new OTLPTraceExporter({ url: `${t.otlpHttpUrl}/v1/traces`, timeoutMillis: 10_000 });
  const p = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: count + 10, maxExportBatchSize: 1000, scheduledDelayMillis: 50 })],
  });
  const tr = p.getTracer('ui-test');
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const s = tr.startSpan(`${name} ${i}`, { startTime: at(baseMs, i) }, ROOT_CONTEXT);
    s.end(at(baseMs, i + 0.5));
    ids.push(s.spanContext().traceId);
  }
  await p.forceFlush();
  await p.shutdown();
  return ids;
}

/** Sends one more span (`name`, 2 ms) into an existing trace, under `parentSpanId`. */
export async function sendChildSpan(t: Target, traceId: string, parentSpanId: string, service: string, name: string): Promise<string> {
  const p = tracerProvider(t, { protocol: 'http/protobuf', serviceName: service });
  const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: parentSpanId, traceFlags: 1, isRemote: true });
  const s = p.getTracer('ui-test').startSpan(name, { kind: SpanKind.INTERNAL }, parent);
  s.end();
  await p.forceFlush();
  await p.shutdown();
  return s.spanContext().spanId;
}
