/**
 * @module bench/payloads: realistic OTLP export requests, encoded once before timing, and a cheap
 * per-send patch that makes every trace id (and every metric timestamp) distinct without re-encoding.
 * The bench is a black-box client: requests are built as the SDK's readable spans, log records and
 * metrics and encoded by the official encoder (@opentelemetry/otlp-transformer), never by TinyOlly's
 * own codec, so a server-side decoding bug cannot cancel out.
 */
import { randomBytes } from 'node:crypto';
import { ValueType, type HrTime } from '@opentelemetry/api';
import { ProtobufLogsSerializer, ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { AggregationTemporality, DataPointType } from '@opentelemetry/sdk-metrics';

export type Signal = 'traces' | 'logs' | 'metrics';

/** One pre-encoded request and where its per-send bytes sit. */
export interface Template {
  signal: Signal;
  bytes: Buffer;
  /** Items (spans, log records, metric points) in the request. */
  items: number;
  /** Distinct traces the request's spans/logs belong to (0 for metrics). */
  traces: number;
  /** Offsets of the first 8 bytes of every trace id (spans, parents are span ids so untouched). */
  traceIdOffsets: number[];
  /** Offsets of every metric point's time_unix_nano (fixed64). */
  timeOffsets: number[];
}

/** Placeholder for the first 8 bytes of a trace id; overwritten with (nonce, sequence) per send. */
const ID_MARKER = Buffer.from('b39c5e11a742d06f', 'hex');
/** Placeholder time_unix_nano of metric points; overwritten with the send time. */
const TIME_MARKER = 0x1f3a5c7e9b2d4f61n;

/** Spans per trace, and which service emits each (3 services), as a frontend → backend → inventory call. */
const TRACE_SHAPE: { service: number; name: string; kind: number; parent: number }[] = [
  { service: 0, name: 'GET /api/checkout', kind: 2, parent: -1 },
  { service: 0, name: 'render checkout', kind: 1, parent: 0 },
  { service: 0, name: 'POST /orders', kind: 3, parent: 0 },
  { service: 1, name: 'POST /orders', kind: 2, parent: 2 },
  { service: 1, name: 'validate order', kind: 1, parent: 3 },
  { service: 1, name: 'SELECT orders', kind: 3, parent: 3 },
  { service: 1, name: 'GET /stock/{sku}', kind: 3, parent: 3 },
  { service: 2, name: 'GET /stock/{sku}', kind: 2, parent: 6 },
  { service: 2, name: 'reserve stock', kind: 1, parent: 7 },
  { service: 2, name: 'UPDATE stock', kind: 3, parent: 8 },
];
/** What the third service does instead in one trace of ten (so a service filter has something to select). */
const PAYMENT_NAMES = ['POST /payments', 'charge card', 'INSERT payments'];
export const SPANS_PER_TRACE = TRACE_SHAPE.length;
/** Every trace crosses three services: frontend, backend, and inventory (or, one trace in ten, payments). */
export const SERVICES = ['bench-frontend', 'bench-backend', 'bench-inventory', 'bench-payments'];
/** The service of span `s` of trace `t`. */
function serviceOf(t: number, s: number): number {
  const svc = TRACE_SHAPE[s].service;
  return svc === 2 && t % 10 === 3 ? 3 : svc;
}
const ROUTES = ['/api/checkout', '/api/cart', '/api/users/{id}', '/api/products/{id}', '/api/search', '/api/orders/{id}', '/api/login', '/api/logout'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const STATUSES = [200, 201, 404, 500];

// The encoder's input types: the SDK's readable items (only the fields the encoder reads are set).
type ReadableSpans = Parameters<typeof ProtobufTraceSerializer.serializeRequest>[0];
type ReadableLogs = Parameters<typeof ProtobufLogsSerializer.serializeRequest>[0];
type ResourceMetrics = Parameters<typeof ProtobufMetricsSerializer.serializeRequest>[0];
type Attrs = Record<string, string | number | boolean>;

/** One resource object per service: the encoder groups items by resource identity. */
const RESOURCES = SERVICES.map((name, service) => ({
  attributes: {
    'service.name': name, 'service.version': '1.4.2', 'service.instance.id': `instance-${service}-7f3a`,
    'deployment.environment': 'bench', 'host.name': 'bench-host-01', 'os.type': 'linux', 'process.pid': 4200 + service,
    'process.runtime.name': 'nodejs', 'process.runtime.version': '20.11.1', 'telemetry.sdk.name': 'opentelemetry',
    'telemetry.sdk.language': 'nodejs', 'telemetry.sdk.version': '2.12.0',
  } as Attrs,
}));
const SCOPE = { name: '@opentelemetry/instrumentation-http', version: '0.223.0' };
const LOG_SCOPE = { name: 'bench-logger', version: '1.0.0' };

/** A small deterministic PRNG so templates are reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

const NS_PER_S = 1_000_000_000n;
/** Nanoseconds as the SDK's [seconds, nanoseconds]. */
function hrTime(ns: bigint): HrTime {
  return [Number(ns / NS_PER_S), Number(ns % NS_PER_S)];
}

function traceIdOf(templateIndex: number, traceIndex: number): Buffer {
  const b = Buffer.alloc(16);
  ID_MARKER.copy(b, 0);
  b.writeUInt32BE(traceIndex, 8);
  b.writeUInt32BE(templateIndex, 12);
  return b;
}

function spanIdOf(traceIndex: number, spanIndex: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32BE(0x5a000000 + traceIndex, 0);
  b.writeUInt32BE(spanIndex + 1, 4);
  return b;
}

function findAll(bytes: Buffer, needle: Buffer): number[] {
  const out: number[] = [];
  for (let i = bytes.indexOf(needle); i >= 0; i = bytes.indexOf(needle, i + 1)) out.push(i);
  return out;
}

function nanos(ms: number): HrTime {
  return hrTime(BigInt(Math.round(ms * 1000)) * 1000n);
}

/** An export request of `batch` spans in 10-span traces (the last trace may be shorter). */
export function buildTracesTemplate(batch: number, templateIndex: number, baseMs: number): Template {
  const r = rng(templateIndex * 7919 + batch);
  const spans: object[] = [];
  const traces = Math.ceil(batch / SPANS_PER_TRACE);
  for (let t = 0, n = 0; t < traces; t++) {
    const traceId = traceIdOf(templateIndex, t).toString('hex');
    const startMs = baseMs - r() * 5000;
    const route = ROUTES[Math.floor(r() * ROUTES.length)];
    const userId = Math.floor(r() * 100000);
    for (let s = 0; s < SPANS_PER_TRACE && n < batch; s++, n++) {
      const shape = TRACE_SHAPE[s];
      const service = serviceOf(t, s);
      const spanStart = startMs + s * 2;
      const durMs = (SPANS_PER_TRACE - s) * (3 + r() * 20);
      const error = r() < 0.02;
      const spanId = spanIdOf(t, s).toString('hex');
      const attributes: Attrs = {
        'http.request.method': s % 3 === 0 ? 'GET' : 'POST', 'url.path': route.replace('{id}', String(userId)),
        'http.route': route, 'http.response.status_code': error ? 500 : 200, 'server.address': SERVICES[service],
        'server.port': 8080 + service, 'network.protocol.version': '1.1', 'client.address': `10.0.${s}.${t % 250}`,
        'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) bench/1.0', 'app.user_id': userId, 'app.cart.express': r() < 0.3,
      };
      const eventAttributes: Attrs = error
        ? { 'exception.type': 'TimeoutError', 'exception.message': 'upstream timed out after 2000 ms' }
        : { 'cache.key': `cart:${userId}`, 'cache.hit': r() < 0.8 };
      spans.push({
        name: service === 3 ? PAYMENT_NAMES[s - 7] : shape.name,
        // TRACE_SHAPE holds OTLP kinds (1 INTERNAL, 2 SERVER, 3 CLIENT); the SDK's SpanKind is one less.
        kind: shape.kind - 1,
        spanContext: () => ({ traceId, spanId, traceFlags: 1 }),
        parentSpanContext: shape.parent >= 0 ? { traceId, spanId: spanIdOf(t, shape.parent).toString('hex'), traceFlags: 1 } : undefined,
        startTime: nanos(spanStart),
        endTime: nanos(spanStart + durMs),
        attributes,
        events: [{ name: error ? 'exception' : 'cache.lookup', time: nanos(spanStart + 1), attributes: eventAttributes }],
        links: [],
        status: error ? { code: 2, message: 'upstream timed out' } : { code: 0 },
        resource: RESOURCES[service],
        instrumentationScope: SCOPE,
        droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0,
      });
    }
  }
  const bytes = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans as unknown as ReadableSpans)!);
  return { signal: 'traces', bytes, items: batch, traces, traceIdOffsets: findAll(bytes, ID_MARKER), timeOffsets: [] };
}

/** An export request of `batch` log records, one per span of the matching traces template (same trace/span ids). */
export function buildLogsTemplate(batch: number, templateIndex: number, baseMs: number): Template {
  const r = rng(templateIndex * 104729 + batch);
  const logs: object[] = [];
  const traces = Math.ceil(batch / SPANS_PER_TRACE);
  for (let t = 0, n = 0; t < traces; t++) {
    const traceId = traceIdOf(templateIndex, t).toString('hex');
    const userId = Math.floor(r() * 100000);
    for (let s = 0; s < SPANS_PER_TRACE && n < batch; s++, n++) {
      const shape = TRACE_SHAPE[s];
      const service = serviceOf(t, s);
      const warn = r() < 0.05;
      const ms = baseMs - r() * 5000;
      logs.push({
        hrTime: nanos(ms),
        hrTimeObserved: nanos(ms + 1),
        severityNumber: warn ? 13 : 9,
        severityText: warn ? 'WARN' : 'INFO',
        body: warn ? `slow ${shape.name} for user ${userId}: ${Math.floor(r() * 900 + 100)} ms` : `${shape.name} handled for user ${userId}`,
        attributes: {
          'code.function': 'handleRequest', 'code.filepath': `src/handlers/${shape.name.split(' ')[0].toLowerCase()}.ts`,
          'log.logger': SERVICES[service], 'app.user_id': userId, 'http.route': ROUTES[s % ROUTES.length],
        } as Attrs,
        droppedAttributesCount: 0,
        spanContext: { traceId, spanId: spanIdOf(t, s).toString('hex'), traceFlags: 1 },
        resource: RESOURCES[service],
        instrumentationScope: LOG_SCOPE,
      });
    }
  }
  const bytes = Buffer.from(ProtobufLogsSerializer.serializeRequest(logs as unknown as ReadableLogs)!);
  return { signal: 'logs', bytes, items: batch, traces, traceIdOffsets: findAll(bytes, ID_MARKER), timeOffsets: [] };
}

/** Services sending metrics (frontend, backend, inventory). */
const METRIC_SERVICES = 3;
export const METRIC_NAMES = ['bench.http.server.requests', 'bench.http.server.duration'];
const BOUNDS = [5, 10, 25, 50, 75, 100, 250, 500, 1000];

/**
 * An export request of `batch` metric points: a monotonic cumulative counter and a histogram, each
 * series (service, method, route, status) appearing once, as one SDK collection cycle sends them.
 * Every template has the same series, so the series count stays bounded over a run.
 */
export function buildMetricsTemplate(batch: number, templateIndex: number, baseMs: number): Template {
  const r = rng(templateIndex * 15485863 + batch);
  // slots: (service, metric) pairs; points are dealt round-robin so the total is exactly `batch`.
  const slots: object[][] = Array.from({ length: METRIC_SERVICES * 2 }, () => []);
  const marker = hrTime(TIME_MARKER);
  const start = nanos(baseMs - 60_000);
  for (let i = 0; i < batch; i++) {
    const slot = i % slots.length;
    const k = Math.floor(i / slots.length);
    const attributes: Attrs = {
      'http.request.method': METHODS[k % METHODS.length], 'http.route': ROUTES[Math.floor(k / METHODS.length) % ROUTES.length],
      'http.response.status_code': STATUSES[Math.floor(k / (METHODS.length * ROUTES.length)) % STATUSES.length],
      'bench.shard': `s${Math.floor(k / (METHODS.length * ROUTES.length * STATUSES.length))}`,
    };
    if (slot % 2 === 0) {
      slots[slot].push({ attributes, startTime: start, endTime: marker, value: 1000 + Math.floor(r() * 5000) });
    } else {
      const counts = BOUNDS.map(() => Math.floor(r() * 50));
      counts.push(Math.floor(r() * 3));
      const count = counts.reduce((a, b) => a + b, 0);
      slots[slot].push({
        attributes, startTime: start, endTime: marker,
        value: { count, sum: count * 42.5, min: 1.2, max: 1800, buckets: { counts, boundaries: BOUNDS } },
      });
    }
  }
  // The encoder takes one resource per request; requests of one resource each, concatenated, are
  // one request holding them all (protobuf merges a repeated field across concatenated messages).
  const bytes = Buffer.concat(SERVICES.slice(0, METRIC_SERVICES).map((_, service) => {
    const resourceMetrics = {
      resource: RESOURCES[service],
      scopeMetrics: [{
        scope: { name: 'bench-meter', version: '1.0.0' },
        metrics: [
          {
            descriptor: { name: METRIC_NAMES[0], unit: '{request}', description: 'HTTP requests served', valueType: ValueType.INT },
            dataPointType: DataPointType.SUM, aggregationTemporality: AggregationTemporality.CUMULATIVE, isMonotonic: true, dataPoints: slots[service * 2],
          },
          {
            descriptor: { name: METRIC_NAMES[1], unit: 'ms', description: 'HTTP request duration', valueType: ValueType.DOUBLE },
            dataPointType: DataPointType.HISTOGRAM, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPoints: slots[service * 2 + 1],
          },
        ],
      }],
    };
    return ProtobufMetricsSerializer.serializeRequest(resourceMetrics as unknown as ResourceMetrics)!;
  }));
  const m = Buffer.alloc(8);
  m.writeBigUInt64LE(TIME_MARKER);
  return { signal: 'metrics', bytes, items: batch, traces: 0, traceIdOffsets: [], timeOffsets: findAll(bytes, m) };
}

/** Builds `count` templates of one signal and batch size. */
export function buildTemplates(signal: Signal, batch: number, count: number, baseMs = Date.now()): Template[] {
  const build = signal === 'traces' ? buildTracesTemplate : signal === 'logs' ? buildLogsTemplate : buildMetricsTemplate;
  const out = Array.from({ length: count }, (_, i) => build(batch, i, baseMs));
  for (const t of out) {
    const expected = t.items;
    const found = signal === 'metrics' ? t.timeOffsets.length : t.traceIdOffsets.length;
    if (found !== expected) throw new Error(`template for ${signal}/${batch}: found ${found} patch points, expected ${expected}`);
  }
  return out;
}

/** A per-run random prefix of every trace id, so runs never collide in a shared store. */
export function newNonce(): number {
  return randomBytes(4).readUInt32BE(0);
}

/**
 * A fresh copy of the template with its per-send bytes set: trace ids become
 * (nonce, seq, trace index, template index), metric point times become `timeNs`.
 */
export function patch(t: Template, nonce: number, seq: number, timeNs: bigint): Buffer {
  const b = Buffer.from(t.bytes);
  for (const off of t.traceIdOffsets) {
    b.writeUInt32BE(nonce, off);
    b.writeUInt32BE(seq, off + 4);
  }
  for (const off of t.timeOffsets) b.writeBigUInt64LE(timeNs, off);
  return b;
}

/** The hex trace id that trace `traceIndex` of a template gets when sent with (nonce, seq). */
export function traceIdHex(templateIndex: number, traceIndex: number, nonce: number, seq: number): string {
  const b = traceIdOf(templateIndex, traceIndex);
  b.writeUInt32BE(nonce, 0);
  b.writeUInt32BE(seq, 4);
  return b.toString('hex');
}
