/**
 * @module export/encode: model items → OTLP/JSON export requests (ExportTraceServiceRequest,
 * ExportLogsServiceRequest, ExportMetricsServiceRequest), items regrouped under their resource and
 * scope. Spans and logs that keep their wire bytes are re-read with their exact types
 * (export/wire-typed.ts); the others are written from the model with inferred types
 * (export/otlp-values.ts) and the fields the model leaves out that they noted (model/otlp-extras.ts). Reading the store is export/export-query.ts's job.
 */
import type { Attributes, Exemplar, JsonNumber, LogRecord, MetricOrigin, MetricPoint, MetricSeriesSet, Scope, Span } from '../model/model.js';
import { extrasOf, type EventExtras, type LinkExtras, type LogExtras, type SpanExtras } from '../model/otlp-extras.js';
import type { WireReadOptions } from '../wire/read-options.js';
import { WireBacked } from '../wire/wire-backed.js';
import type { TypedKeyValue } from '../wire/any-value.js';
import { inferAnyValue, inferKeyValues, secondsToExactNanos, temporalityNumber } from './otlp-values.js';
import { typedLogParts, typedSpanParts } from './wire-typed.js';

const KIND_NUMBER: Record<string, number> = { UNSPECIFIED: 0, INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 };
const STATUS_NUMBER: Record<string, number> = { UNSET: 0, OK: 1, ERROR: 2 };

type Json = Record<string, unknown>;

interface Group {
  resource: Attributes;
  schemaUrl: string;
  scopes: Map<string, { scope: Scope; items: Json[] }>;
}

/** Groups items by resource (same attributes and schema URL) and then scope, keeping first-seen order. */
class Grouper {
  private readonly groups = new Map<string, Group>();
  private readonly keyOf = new Map<object, string>();

  private key(o: object): string {
    let k = this.keyOf.get(o);
    if (k === undefined) {
      k = JSON.stringify(o);
      this.keyOf.set(o, k);
    }
    return k;
  }

  add(resource: Attributes, scope: Scope, item: Json): void {
    const schemaUrl = scope.resourceSchemaUrl ?? '';
    const rk = this.key(resource) + '\u0000' + schemaUrl;
    let g = this.groups.get(rk);
    if (!g) { g = { resource, schemaUrl, scopes: new Map() }; this.groups.set(rk, g); }
    const sk = this.key(scope);
    let s = g.scopes.get(sk);
    if (!s) { s = { scope, items: [] }; g.scopes.set(sk, s); }
    s.items.push(item);
  }

  build(scopeKey: string, itemKey: string): Json[] {
    const out: Json[] = [];
    for (const g of this.groups.values()) {
      const scopes: Json[] = [];
      for (const s of g.scopes.values()) {
        const group: Json = { scope: scopeJson(s.scope), [itemKey]: s.items };
        if (s.scope.schemaUrl) group.schemaUrl = s.scope.schemaUrl;
        scopes.push(group);
      }
      const r: Json = { resource: { attributes: inferKeyValues(g.resource) }, [scopeKey]: scopes };
      if (g.schemaUrl) r.schemaUrl = g.schemaUrl;
      out.push(r);
    }
    return out;
  }
}

function scopeJson(scope: Scope): Json {
  const s: Json = {};
  if (scope.name) s.name = scope.name;
  if (scope.version) s.version = scope.version;
  if (scope.attributes && Object.keys(scope.attributes).length > 0) s.attributes = inferKeyValues(scope.attributes);
  return s;
}

function setIf(o: Json, key: string, v: unknown): void {
  if (v !== undefined && v !== 0 && v !== '') o[key] = v;
}

/** One span as OTLP/JSON; exact types when the span keeps its wire bytes, its extras (model/otlp-extras.ts) when it has some. */
export function spanJson(span: Span, o: WireReadOptions): Json {
  const out: Json = { traceId: span.traceId, spanId: span.spanId };
  let attributes: TypedKeyValue[];
  let events: Json[];
  let links: Json[];
  const wire = span instanceof WireBacked ? typedSpanParts(span.wireBytes(), o) : undefined;
  const x = wire ?? extrasOf<SpanExtras>(span);
  setIf(out, 'traceState', x?.traceState);
  if (span.parentSpanId) out.parentSpanId = span.parentSpanId;
  setIf(out, 'flags', x?.flags);
  out.name = span.name;
  out.kind = KIND_NUMBER[span.kind] ?? 0;
  out.startTimeUnixNano = span.startTimeUnixNano;
  out.endTimeUnixNano = span.endTimeUnixNano;
  if (wire) {
    attributes = wire.attributes;
    events = wire.events.map((e) => eventJson(e, e.attributes, e));
    links = wire.links.map((l) => linkJson(l, l.attributes, l));
  } else {
    attributes = inferKeyValues(span.attributes);
    events = span.events.map((e) => eventJson(e, inferKeyValues(e.attributes), extrasOf<EventExtras>(e)));
    links = span.links.map((l) => linkJson(l, inferKeyValues(l.attributes), extrasOf<LinkExtras>(l)));
  }
  out.attributes = attributes;
  setIf(out, 'droppedAttributesCount', x?.droppedAttributesCount);
  if (events.length) out.events = events;
  setIf(out, 'droppedEventsCount', x?.droppedEventsCount);
  if (links.length) out.links = links;
  setIf(out, 'droppedLinksCount', x?.droppedLinksCount);
  const status: Json = {};
  if (span.status.message) status.message = span.status.message;
  if (span.status.code !== 'UNSET') status.code = STATUS_NUMBER[span.status.code] ?? 0;
  out.status = status;
  return out;
}

function eventJson(e: { timeUnixNano: string; name: string }, attributes: TypedKeyValue[], x: EventExtras | undefined): Json {
  const j: Json = { timeUnixNano: e.timeUnixNano, name: e.name, attributes };
  setIf(j, 'droppedAttributesCount', x?.droppedAttributesCount);
  return j;
}

function linkJson(l: { traceId: string; spanId: string }, attributes: TypedKeyValue[], x: LinkExtras | undefined): Json {
  const j: Json = { traceId: l.traceId, spanId: l.spanId };
  setIf(j, 'traceState', x?.traceState);
  j.attributes = attributes;
  setIf(j, 'droppedAttributesCount', x?.droppedAttributesCount);
  setIf(j, 'flags', x?.flags);
  return j;
}

/** One log record as OTLP/JSON; exact types (and the original times) when it keeps its wire bytes, its extras when it has some. */
export function logJson(log: LogRecord, o: WireReadOptions): Json {
  const out: Json = {};
  let x: LogExtras | undefined;
  if (log instanceof WireBacked) {
    const w = typedLogParts(log.wireBytes(), o);
    x = w;
    out.timeUnixNano = w.timeUnixNano;
    setIf(out, 'observedTimeUnixNano', w.observedTimeUnixNano === '0' ? undefined : w.observedTimeUnixNano);
    setIf(out, 'severityNumber', log.severityNumber);
    setIf(out, 'severityText', w.severityText);
    if (w.body !== undefined) out.body = w.body;
    out.attributes = w.attributes;
  } else {
    x = extrasOf<LogExtras>(log);
    out.timeUnixNano = x?.timeUnixNano ?? log.timeUnixNano;
    setIf(out, 'observedTimeUnixNano', x?.observedTimeUnixNano);
    setIf(out, 'severityNumber', log.severityNumber);
    setIf(out, 'severityText', x?.severityText ?? log.severityText);
    if (x?.noBody !== 1) out.body = inferAnyValue(log.body, x?.bodyKind);
    out.attributes = inferKeyValues(log.attributes);
  }
  setIf(out, 'droppedAttributesCount', x?.droppedAttributesCount);
  setIf(out, 'flags', x?.flags);
  setIf(out, 'eventName', x?.eventName);
  if (log.traceId) out.traceId = log.traceId;
  if (log.spanId) out.spanId = log.spanId;
  return out;
}

/** Spans → `resourceSpans` (grouped by resource, then scope). */
export function resourceSpansOf(spans: Iterable<Span>, o: WireReadOptions): Json[] {
  const g = new Grouper();
  for (const s of spans) g.add(s.resource, s.scope, spanJson(s, o));
  return g.build('scopeSpans', 'spans');
}

/** Log records → `resourceLogs` (grouped by resource, then scope). */
export function resourceLogsOf(logs: Iterable<LogRecord>, o: WireReadOptions): Json[] {
  const g = new Grouper();
  for (const l of logs) g.add(l.resource, l.scope, logJson(l, o));
  return g.build('scopeLogs', 'logRecords');
}

function u64(n: number | undefined): string {
  return String(n ?? 0);
}

/** A gauge/sum value or an exemplar's: `asInt` when it was sent so (or, for points stored before that was kept, when it is a whole number). */
function setValue(out: Json, value: JsonNumber | undefined, asInt: string | undefined, legacy: boolean): void {
  const v = value ?? 0;
  if (asInt !== undefined) out.asInt = asInt;
  else if (legacy && typeof v === 'number' && Number.isSafeInteger(v) && !Object.is(v, -0)) out.asInt = String(v);
  else out.asDouble = v;
}

function exemplarJson(e: Exemplar): Json {
  const out: Json = {};
  if (e.filteredAttributes) out.filteredAttributes = inferKeyValues(e.filteredAttributes);
  out.timeUnixNano = e.timeUnixNano;
  setValue(out, e.value, e.asInt, false);
  if (e.spanId) out.spanId = e.spanId;
  if (e.traceId) out.traceId = e.traceId;
  return out;
}

function pointJson(type: MetricSeriesSet['type'], p: MetricPoint, labels: Attributes): Json {
  const out: Json = { attributes: inferKeyValues(labels) };
  if (p.startTimeUnixNano !== undefined) out.startTimeUnixNano = p.startTimeUnixNano;
  out.timeUnixNano = p.timeUnixNano ?? secondsToExactNanos(p.timestamp);
  if (p.exemplars && p.exemplars.length > 0) out.exemplars = p.exemplars.map(exemplarJson);
  if (p.flags) out.flags = p.flags;
  if (type === 'gauge' || type === 'sum') {
    setValue(out, p.value, p.asInt, p.timeUnixNano === undefined);
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
    if (p.zeroThreshold !== undefined) out.zeroThreshold = p.zeroThreshold;
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

/** The origin of points whose store no longer knows it (or stored before origins were kept): their service only. */
function fallbackOrigin(service: string): MetricOrigin {
  return { resource: service === 'unknown_service' ? {} : { 'service.name': service }, scope: { name: '', version: '' } };
}

/**
 * One metric's series → `resourceMetrics`: its points regrouped under their own resource and scope
 * (asked of the store with `{ origins: true }`; a point without one under its service), oldest first.
 */
export function resourceMetricsOf(set: MetricSeriesSet): Json[] {
  const byOrigin = new Map<MetricOrigin, Json[]>();
  const fallback = new Map<string, MetricOrigin>();
  for (const series of set.series) {
    series.points.forEach((p, i) => {
      let origin = series.origins?.[i];
      if (origin === undefined) {
        origin = fallback.get(series.service);
        if (!origin) fallback.set(series.service, (origin = fallbackOrigin(series.service)));
      }
      let points = byOrigin.get(origin);
      if (!points) byOrigin.set(origin, (points = []));
      points.push(pointJson(set.type, p, series.labels));
    });
  }
  const g = new Grouper();
  for (const [origin, dataPoints] of byOrigin) {
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
    g.add(origin.resource, origin.scope, metric);
  }
  return g.build('scopeMetrics', 'metrics');
}
