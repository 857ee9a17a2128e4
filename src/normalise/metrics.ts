/**
 * @module normalise/metrics: decoded OTLP metric requests → one MetricSample per data point
 * (CONTRACT §3), for all five metric types, with temporality and monotonicity.
 */
import type { Attributes, ExpBuckets, JsonNumber, MetricPoint, MetricSample, MetricType, Temporality } from '../model/model.js';
import type {
  OtlpExpBuckets, OtlpExponentialHistogramDataPoint, OtlpHistogramDataPoint, OtlpInt64, OtlpMetric,
  OtlpMetricsRequest, OtlpNumberDataPoint, OtlpSummaryDataPoint,
} from '../otlp/types.js';
import { countNumber, doubleValue, enumNumber, int64Value, nanosToSeconds, u64String } from '../otlp/values.js';
import { attributes, cut, jsonNumber, oneofMember, serviceName } from './attributes.js';
import type { Normalised, NormaliseOptions } from './options.js';
import { list } from './decoded-request.js';

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

function timestampOf(t: OtlpInt64 | undefined): number {
  return nanosToSeconds(u64String(t));
}

function counts(xs: OtlpInt64[] | null | undefined): number[] {
  return list(xs).map(countNumber);
}

function buckets(b: OtlpExpBuckets | null | undefined): ExpBuckets {
  if (!b || typeof b !== 'object') return { offset: 0, bucketCounts: [] };
  return { offset: typeof b.offset === 'number' ? b.offset : Number(b.offset) || 0, bucketCounts: counts(b.bucketCounts) };
}

function numberPoint(p: OtlpNumberDataPoint): MetricPoint {
  const which = oneofMember(p, 'value', ['asDouble', 'asInt'] as const);
  const value = which === 'asInt' ? Number(int64Value(p.asInt)) : which === 'asDouble' ? doubleValue(p.asDouble) : 0;
  return { timestamp: timestampOf(p.timeUnixNano), value: jsonNumber(value) };
}

function histogramPoint(p: OtlpHistogramDataPoint): MetricPoint {
  const point: MetricPoint = { timestamp: timestampOf(p.timeUnixNano), count: countNumber(p.count) };
  const sum = optional(p, 'sum'); if (sum !== undefined) point.sum = sum;
  const min = optional(p, 'min'); if (min !== undefined) point.min = min;
  const max = optional(p, 'max'); if (max !== undefined) point.max = max;
  point.bucketCounts = counts(p.bucketCounts);
  point.explicitBounds = list(p.explicitBounds).map(num);
  return point;
}

function expHistogramPoint(p: OtlpExponentialHistogramDataPoint): MetricPoint {
  const point: MetricPoint = { timestamp: timestampOf(p.timeUnixNano), count: countNumber(p.count) };
  const sum = optional(p, 'sum'); if (sum !== undefined) point.sum = sum;
  const min = optional(p, 'min'); if (min !== undefined) point.min = min;
  const max = optional(p, 'max'); if (max !== undefined) point.max = max;
  point.scale = typeof p.scale === 'number' ? p.scale : Number(p.scale) || 0;
  point.zeroCount = countNumber(p.zeroCount);
  point.positive = buckets(p.positive);
  point.negative = buckets(p.negative);
  return point;
}

function summaryPoint(p: OtlpSummaryDataPoint): MetricPoint {
  return {
    timestamp: timestampOf(p.timeUnixNano),
    count: countNumber(p.count),
    sum: num(p.sum),
    quantiles: list(p.quantileValues).map((q) => ({ quantile: num(q?.quantile), value: num(q?.value) })),
  };
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
      for (const m of list(sm.metrics)) {
        if (!m || typeof m !== 'object') { rejected++; continue; }
        rejected += normaliseMetric(m, service, o, items);
      }
    }
  }
  return rejected > 0 ? { items, rejected, message: rejectedMessage(rejected, o) } : { items, rejected };
}

/** Appends the samples of one metric; returns how many points were rejected. */
function normaliseMetric(m: OtlpMetric, service: string, o: NormaliseOptions, out: MetricSample[]): number {
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
      if (type === 'gauge' || type === 'sum') point = numberPoint(p as OtlpNumberDataPoint);
      else if (type === 'histogram') point = histogramPoint(p as OtlpHistogramDataPoint);
      else if (type === 'exponential_histogram') point = expHistogramPoint(p as OtlpExponentialHistogramDataPoint);
      else point = summaryPoint(p as OtlpSummaryDataPoint);
      const labels: Attributes = attributes(p.attributes as never, o);
      out.push({ ...base, ...extra, service, labels, point });
    } catch {
      rejected++;
    }
  }
  return rejected;
}
