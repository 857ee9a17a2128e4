/**
 * @module normalise/metrics: decoded OTLP metric requests → one MetricSample per data point
 * (CONTRACT §3), for all five metric types, with temporality and monotonicity.
 */
import type { Attributes, Exemplar, ExpBuckets, JsonNumber, MetricPoint, MetricSample, MetricType, Scope, Temporality } from '../model/model.js';
import { cut, jsonNumber } from '../model/value-rules.js';
import { countNumber, doubleValue, enumNumber, idHex, int64Value, nanosToSeconds, u64String, type OtlpInt64 } from '../wire/values.js';
import { attributes, oneofMember, serviceName } from './attributes.js';
import type {
  OtlpExemplar, OtlpExpBuckets, OtlpExponentialHistogramDataPoint, OtlpHistogramDataPoint, OtlpMetric,
  OtlpMetricsRequest, OtlpNumberDataPoint, OtlpPointCommon, OtlpSummaryDataPoint,
} from './otlp-types.js';
import type { Normalised, NormaliseOptions } from './options.js';
import { list, scopeOf } from './decoded-request.js';

const DATA_MEMBERS = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const;
const TYPE_OF: Record<(typeof DATA_MEMBERS)[number], MetricType> = {
  gauge: 'gauge', sum: 'sum', histogram: 'histogram', exponentialHistogram: 'exponential_histogram', summary: 'summary',
};
const TEMPORALITY_NAMES: Record<string, number> = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0, AGGREGATION_TEMPORALITY_DELTA: 1, AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
};

function temporalityOf(v: unknown): Temporality {
  return enumNumber(v as number, TEMPORALITY_NAMES) === 1 ? 'delta' : 'cumulative';
}

function num(v: number | string | null | undefined): JsonNumber {
  return jsonNumber(doubleValue(v));
}

/** Optional double (proto3 `optional`): absent stays absent. */
function optional(point: object, key: 'sum' | 'min' | 'max'): JsonNumber | undefined {
  const v = (point as Record<string, number | string | null | undefined>)[key];
  if (v === undefined || v === null) return undefined;
  // protobufjs keeps proto3-optional presence in a synthetic oneof named `_field`.
  if ((point as Record<string, unknown>).$type !== undefined && (point as Record<string, unknown>)['_' + key] !== key) return undefined;
  return num(v);
}

/**
 * A point's times, flags and exemplars (every point type has them): the exact nanosecond times
 * beside `timestamp`, start time and flags only when not 0, exemplars only when there are some.
 */
function commonPoint(p: OtlpPointCommon, o: NormaliseOptions): MetricPoint {
  const time = u64String(p.timeUnixNano);
  const point: MetricPoint = { timestamp: nanosToSeconds(time), timeUnixNano: time };
  const start = u64String(p.startTimeUnixNano);
  if (start !== '0') point.startTimeUnixNano = start;
  const flags = typeof p.flags === 'number' ? p.flags >>> 0 : Number(p.flags) >>> 0;
  if (flags !== 0) point.flags = flags;
  const exemplars = list(p.exemplars);
  if (exemplars.length > 0) {
    const out: Exemplar[] = [];
    for (let i = 0; i < exemplars.length && i < o.maxEvents; i++) {
      const e = exemplars[i];
      if (e && typeof e === 'object') out.push(exemplarOf(e, o));
    }
    if (out.length > 0) point.exemplars = out;
  }
  return point;
}

/** The `value` oneof of a number point or exemplar: `as_int` also kept as its exact decimal; neither set gives 0. */
function setNumberValue(target: { value?: JsonNumber; asInt?: string }, m: { asDouble?: number | string; asInt?: OtlpInt64; value?: string }): void {
  const which = oneofMember(m, 'value', ['asDouble', 'asInt'] as const);
  if (which === 'asInt') {
    const n = int64Value(m.asInt);
    target.value = jsonNumber(Number(n));
    target.asInt = String(n);
  } else target.value = jsonNumber(which === 'asDouble' ? doubleValue(m.asDouble) : 0);
}

/** OTLP Exemplar → model (its value's as_int/as_double kept apart). */
function exemplarOf(e: OtlpExemplar, o: NormaliseOptions): Exemplar {
  const x: Exemplar = { timeUnixNano: u64String(e.timeUnixNano), value: 0 };
  setNumberValue(x, e);
  const traceId = idHex(e.traceId);
  if (traceId !== '') x.traceId = traceId;
  const spanId = idHex(e.spanId);
  if (spanId !== '') x.spanId = spanId;
  const filtered = list(e.filteredAttributes);
  if (filtered.length > 0) x.filteredAttributes = attributes(filtered, o);
  return x;
}

function counts(xs: OtlpInt64[] | null | undefined): number[] {
  return list(xs).map(countNumber);
}

function buckets(b: OtlpExpBuckets | null | undefined): ExpBuckets {
  if (!b || typeof b !== 'object') return { offset: 0, bucketCounts: [] };
  return { offset: typeof b.offset === 'number' ? b.offset : Number(b.offset) || 0, bucketCounts: counts(b.bucketCounts) };
}

function numberPoint(p: OtlpNumberDataPoint, o: NormaliseOptions): MetricPoint {
  const point = commonPoint(p, o);
  setNumberValue(point, p);
  return point;
}

function histogramPoint(p: OtlpHistogramDataPoint, o: NormaliseOptions): MetricPoint {
  const point = commonPoint(p, o);
  point.count = countNumber(p.count);
  const sum = optional(p, 'sum'); if (sum !== undefined) point.sum = sum;
  const min = optional(p, 'min'); if (min !== undefined) point.min = min;
  const max = optional(p, 'max'); if (max !== undefined) point.max = max;
  point.bucketCounts = counts(p.bucketCounts);
  point.explicitBounds = list(p.explicitBounds).map(num);
  return point;
}

function expHistogramPoint(p: OtlpExponentialHistogramDataPoint, o: NormaliseOptions): MetricPoint {
  const point = commonPoint(p, o);
  point.count = countNumber(p.count);
  const sum = optional(p, 'sum'); if (sum !== undefined) point.sum = sum;
  const min = optional(p, 'min'); if (min !== undefined) point.min = min;
  const max = optional(p, 'max'); if (max !== undefined) point.max = max;
  point.scale = typeof p.scale === 'number' ? p.scale : Number(p.scale) || 0;
  point.zeroCount = countNumber(p.zeroCount);
  point.positive = buckets(p.positive);
  point.negative = buckets(p.negative);
  const zeroThreshold = doubleValue(p.zeroThreshold);
  if (zeroThreshold !== 0) point.zeroThreshold = jsonNumber(zeroThreshold);
  return point;
}

function summaryPoint(p: OtlpSummaryDataPoint, o: NormaliseOptions): MetricPoint {
  const point = commonPoint(p, o);
  point.count = countNumber(p.count);
  point.sum = num(p.sum);
  point.quantiles = list(p.quantileValues).map((q) => ({ quantile: num(q?.quantile), value: num(q?.value) }));
  return point;
}

interface PointSource { attributes?: unknown }

/** The partial_success message of rejected points (the fused decoder's too). */
export function rejectedMessage(rejected: number, o: NormaliseOptions): string {
  // The wording the goldens pin; the bucket limit (TINYOLLY_MAX_BUCKETS_PER_POINT) makes a point unreadable too.
  void o;
  return `${rejected} data point(s) rejected (metric without a name or unreadable point)`;
}

/** The length of a repeated field, without mapping it (a million buckets are refused before being converted). */
function lengthOf(x: unknown): number {
  return Array.isArray(x) ? x.length : 0;
}

/** Whether a decoded point has more than `max` buckets (checked before its arrays are converted). */
function tooManyBuckets(p: PointSource, type: MetricType, max: number): boolean {
  const q = p as Record<string, unknown>;
  if (type === 'histogram') return lengthOf(q.bucketCounts) > max || lengthOf(q.explicitBounds) > max;
  if (type === 'exponential_histogram') {
    const pos = (q.positive as { bucketCounts?: unknown } | null | undefined)?.bucketCounts;
    const neg = (q.negative as { bucketCounts?: unknown } | null | undefined)?.bucketCounts;
    return lengthOf(pos) + lengthOf(neg) > max;
  }
  if (type === 'summary') return lengthOf(q.quantileValues) > max;
  return false;
}

/**
 * Normalises an export request into one sample per data point. Never throws: a metric without a
 * name or a point that cannot be read counts in `rejected`.
 */
export function normaliseMetrics(req: OtlpMetricsRequest, o: NormaliseOptions): Normalised<MetricSample> {
  const items: MetricSample[] = [];
  let rejected = 0;
  for (const rm of list(req.resourceMetrics)) {
    if (!rm || typeof rm !== 'object') continue;
    const resource = attributes(rm.resource?.attributes, o, 0, true);
    const service = serviceName(resource);
    for (const sm of list(rm.scopeMetrics)) {
      if (!sm || typeof sm !== 'object') continue;
      const scope = scopeOf(sm.scope, o, sm.schemaUrl, rm.schemaUrl);
      for (const m of list(sm.metrics)) {
        if (!m || typeof m !== 'object') { rejected++; continue; }
        rejected += normaliseMetric(m, service, resource, scope, o, items);
      }
    }
  }
  return rejected > 0 ? { items, rejected, message: rejectedMessage(rejected, o) } : { items, rejected };
}

/** Appends the samples of one metric; returns how many points were rejected. */
function normaliseMetric(m: OtlpMetric, service: string, resource: Attributes, scope: Scope, o: NormaliseOptions, out: MetricSample[]): number {
  const member = oneofMember(m, 'data', DATA_MEMBERS);
  if (member === undefined) return 0;
  const data = m[member] as { dataPoints?: PointSource[]; aggregationTemporality?: unknown; isMonotonic?: boolean } | null;
  const points = list(data?.dataPoints);
  const name = typeof m.name === 'string' ? m.name : '';
  if (name === '') return points.length;
  const type = TYPE_OF[member];
  const base = {
    name: cut(name, 255),
    type,
    unit: typeof m.unit === 'string' ? cut(m.unit, 64) : '',
    description: typeof m.description === 'string' ? cut(m.description, o.maxAttributeLength) : '',
  };
  const extra: { monotonic?: boolean; temporality?: Temporality } = {};
  if (type === 'sum') {
    extra.monotonic = data?.isMonotonic === true;
    extra.temporality = temporalityOf(data?.aggregationTemporality);
  } else if (type === 'histogram' || type === 'exponential_histogram') {
    extra.temporality = temporalityOf(data?.aggregationTemporality);
  }
  let rejected = 0;
  for (const p of points) {
    if (!p || typeof p !== 'object' || out.length >= o.maxItems) { rejected++; continue; }
    try {
      if (tooManyBuckets(p, type, o.maxBuckets)) { rejected++; continue; }
      let point: MetricPoint;
      if (type === 'gauge' || type === 'sum') point = numberPoint(p as OtlpNumberDataPoint, o);
      else if (type === 'histogram') point = histogramPoint(p as OtlpHistogramDataPoint, o);
      else if (type === 'exponential_histogram') point = expHistogramPoint(p as OtlpExponentialHistogramDataPoint, o);
      else point = summaryPoint(p as OtlpSummaryDataPoint, o);
      const labels: Attributes = attributes(p.attributes as never, o);
      out.push({ ...base, ...extra, service, labels, point, resource, scope });
    } catch {
      rejected++;
    }
  }
  return rejected;
}
