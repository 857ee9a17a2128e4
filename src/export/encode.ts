/**
 * @module export/encode: model items → OTLP/JSON export requests (ExportTraceServiceRequest,
 * ExportLogsServiceRequest, ExportMetricsServiceRequest), items regrouped under their resource and
 * scope. Spans and logs that keep their wire bytes are re-read with their exact types
 * (export/wire-typed.ts); the others are written from the model with inferred types
 * (export/otlp-values.ts). Reading the store is export/export-query.ts's job.
 */
import type { Attributes, LogRecord, MetricPoint, MetricSeriesSet, Scope, Span } from '../model/model.js';
import type { NormaliseOptions } from '../normalise/options.js';
import { WireBacked } from '../normalise/protobuf-common.js';
import { inferAnyValue, inferKeyValues, secondsToExactNanos, temporalityNumber, type JsonKeyValue } from './otlp-values.js';
import { typedLogParts, typedSpanParts } from './wire-typed.js';

const KIND_NUMBER: Record<string, number> = { UNSPECIFIED: 0, INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 };
const STATUS_NUMBER: Record<string, number> = { UNSET: 0, OK: 1, ERROR: 2 };

type Json = Record<string, unknown>;

interface Group {
  resource: Attributes;
  scopes: Map<string, { scope: Scope; items: Json[] }>;
}

/** Groups items by resource (same attributes) and then scope, keeping first-seen order. */
class Grouper {
  private readonly groups = new Map<string, Group>();
  private readonly keyOf = new Map<object, string>();

  add(resource: Attributes, scope: Scope, item: Json): void {
    let rk = this.keyOf.get(resource);
    if (rk === undefined) {
      rk = JSON.stringify(resource);
      this.keyOf.set(resource, rk);
    }
    let g = this.groups.get(rk);
    if (!g) { g = { resource, scopes: new Map() }; this.groups.set(rk, g); }
    const sk = scope.name + '\u0000' + scope.version;
    let s = g.scopes.get(sk);
    if (!s) { s = { scope, items: [] }; g.scopes.set(sk, s); }
    s.items.push(item);
  }

  build(scopeKey: string, itemKey: string): Json[] {
    const out: Json[] = [];
    for (const g of this.groups.values()) {
      const scopes: Json[] = [];
      for (const s of g.scopes.values()) scopes.push({ scope: scopeJson(s.scope), [itemKey]: s.items });
      out.push({ resource: { attributes: inferKeyValues(g.resource) }, [scopeKey]: scopes });
    }
    return out;
  }
}

function scopeJson(scope: Scope): Json {
  const s: Json = {};
  if (scope.name) s.name = scope.name;
  if (scope.version) s.version = scope.version;
  return s;
}

function setIf(o: Json, key: string, v: unknown): void {
  if (v !== undefined && v !== 0 && v !== '') o[key] = v;
}

/** One span as OTLP/JSON; exact types when the span keeps its wire bytes. */
export function spanJson(span: Span, o: NormaliseOptions): Json {
  const out: Json = { traceId: span.traceId, spanId: span.spanId };
  let attributes: JsonKeyValue[];
  let events: Json[];
  let links: Json[];
  const wire = span instanceof WireBacked ? typedSpanParts(span.wireBytes(), o) : undefined;
  if (wire) setIf(out, 'traceState', wire.traceState);
  if (span.parentSpanId) out.parentSpanId = span.parentSpanId;
  if (wire) setIf(out, 'flags', wire.flags);
  out.name = span.name;
  out.kind = KIND_NUMBER[span.kind] ?? 0;
  out.startTimeUnixNano = span.startTimeUnixNano;
  out.endTimeUnixNano = span.endTimeUnixNano;
  if (wire) {
    attributes = wire.attributes;
    events = wire.events.map((e) => { const j: Json = { timeUnixNano: e.timeUnixNano, name: e.name, attributes: e.attributes }; setIf(j, 'droppedAttributesCount', e.droppedAttributesCount); return j; });
    links = wire.links.map((l) => {
      const j: Json = { traceId: l.traceId, spanId: l.spanId };
      setIf(j, 'traceState', l.traceState);
      j.attributes = l.attributes;
      setIf(j, 'droppedAttributesCount', l.droppedAttributesCount);
      setIf(j, 'flags', l.flags);
      return j;
    });
  } else {
    attributes = inferKeyValues(span.attributes);
    events = span.events.map((e) => ({ timeUnixNano: e.timeUnixNano, name: e.name, attributes: inferKeyValues(e.attributes) }));
    links = span.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: inferKeyValues(l.attributes) }));
  }
  out.attributes = attributes;
  if (wire) setIf(out, 'droppedAttributesCount', wire.droppedAttributesCount);
  if (events.length) out.events = events;
  if (wire) setIf(out, 'droppedEventsCount', wire.droppedEventsCount);
  if (links.length) out.links = links;
  if (wire) setIf(out, 'droppedLinksCount', wire.droppedLinksCount);
  const status: Json = {};
  if (span.status.message) status.message = span.status.message;
  if (span.status.code !== 'UNSET') status.code = STATUS_NUMBER[span.status.code] ?? 0;
  out.status = status;
  return out;
}

/** One log record as OTLP/JSON; exact types (and the original times) when it keeps its wire bytes. */
export function logJson(log: LogRecord, o: NormaliseOptions): Json {
  const out: Json = {};
  if (log instanceof WireBacked) {
    const w = typedLogParts(log.wireBytes(), o);
    out.timeUnixNano = w.timeUnixNano;
    setIf(out, 'observedTimeUnixNano', w.observedTimeUnixNano === '0' ? undefined : w.observedTimeUnixNano);
    setIf(out, 'severityNumber', log.severityNumber);
    setIf(out, 'severityText', w.severityText);
    if (w.body !== undefined) out.body = w.body;
    out.attributes = w.attributes;
    setIf(out, 'droppedAttributesCount', w.droppedAttributesCount);
    setIf(out, 'flags', w.flags);
    setIf(out, 'eventName', w.eventName);
  } else {
    out.timeUnixNano = log.timeUnixNano;
    setIf(out, 'severityNumber', log.severityNumber);
    setIf(out, 'severityText', log.severityText);
    out.body = inferAnyValue(log.body);
    out.attributes = inferKeyValues(log.attributes);
  }
  if (log.traceId) out.traceId = log.traceId;
  if (log.spanId) out.spanId = log.spanId;
  return out;
}

/** Spans → `resourceSpans` (grouped by resource, then scope). */
export function resourceSpansOf(spans: Iterable<Span>, o: NormaliseOptions): Json[] {
  const g = new Grouper();
  for (const s of spans) g.add(s.resource, s.scope, spanJson(s, o));
  return g.build('scopeSpans', 'spans');
}

/** Log records → `resourceLogs` (grouped by resource, then scope). */
export function resourceLogsOf(logs: Iterable<LogRecord>, o: NormaliseOptions): Json[] {
  const g = new Grouper();
  for (const l of logs) g.add(l.resource, l.scope, logJson(l, o));
  return g.build('scopeLogs', 'logRecords');
}

function u64(n: number | undefined): string {
  return String(n ?? 0);
}

function pointJson(type: MetricSeriesSet['type'], p: MetricPoint, labels: Attributes): Json {
  const out: Json = { attributes: inferKeyValues(labels), timeUnixNano: secondsToExactNanos(p.timestamp) };
  if (type === 'gauge' || type === 'sum') {
    const v = p.value ?? 0;
    if (typeof v === 'number' && Number.isSafeInteger(v) && !Object.is(v, -0)) out.asInt = String(v);
    else out.asDouble = v;
    return out;
  }
  out.count = u64(p.count);
  if (p.sum !== undefined) out.sum = p.sum;
  if (type === 'histogram') {
    out.bucketCounts = (p.bucketCounts ?? []).map(u64);
    out.explicitBounds = p.explicitBounds ?? [];
  } else if (type === 'exponential_histogram') {
    out.scale = p.scale ?? 0;
    out.zeroCount = u64(p.zeroCount);
    out.positive = { offset: p.positive?.offset ?? 0, bucketCounts: (p.positive?.bucketCounts ?? []).map(u64) };
    out.negative = { offset: p.negative?.offset ?? 0, bucketCounts: (p.negative?.bucketCounts ?? []).map(u64) };
  } else if (type === 'summary') {
    out.quantileValues = (p.quantiles ?? []).map((q) => ({ quantile: q.quantile, value: q.value }));
  }
  if (type !== 'summary') {
    if (p.min !== undefined) out.min = p.min;
    if (p.max !== undefined) out.max = p.max;
  }
  return out;
}

const DATA_KEY = { gauge: 'gauge', sum: 'sum', histogram: 'histogram', exponential_histogram: 'exponentialHistogram', summary: 'summary' } as const;

/**
 * One metric's series → `resourceMetrics`, one resource per service (the model keeps a metric's
 * service, not its other resource attributes or its scope), points oldest first.
 */
export function resourceMetricsOf(set: MetricSeriesSet): Json[] {
  const byService = new Map<string, Json[]>();
  for (const series of set.series) {
    let points = byService.get(series.service);
    if (!points) { points = []; byService.set(series.service, points); }
    for (const p of series.points) points.push(pointJson(set.type, p, series.labels));
  }
  const out: Json[] = [];
  for (const [service, dataPoints] of byService) {
    const data: Json = { dataPoints };
    if (set.type === 'sum') {
      data.aggregationTemporality = temporalityNumber(set.temporality);
      data.isMonotonic = set.monotonic === true;
    } else if (set.type === 'histogram' || set.type === 'exponential_histogram') {
      data.aggregationTemporality = temporalityNumber(set.temporality);
    }
    const metric: Json = { name: set.name };
    if (set.description) metric.description = set.description;
    if (set.unit) metric.unit = set.unit;
    metric[DATA_KEY[set.type]] = data;
    out.push({
      resource: { attributes: service === 'unknown_service' ? [] : [{ key: 'service.name', value: { stringValue: service } }] },
      scopeMetrics: [{ scope: {}, metrics: [metric] }],
    });
  }
  return out;
}
