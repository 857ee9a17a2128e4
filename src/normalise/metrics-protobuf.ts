/**
 * @module normalise/metrics-protobuf: the metrics hot path. Reads an ExportMetricsServiceRequest's
 * protobuf bytes straight into MetricSamples, fusing decode and normalise as the trace and log
 * decoders do. Its output must equal normaliseMetrics(decodeMetricsProtobuf(bytes)) exactly (pinned
 * by a differential test), including protobufjs' rules for repeated and oneof fields. Field
 * numbers: opentelemetry-proto metrics.proto.
 */
import type { Attributes, Exemplar, ExpBuckets, JsonNumber, MetricPoint, MetricSample, MetricType, Scope, Temporality } from '../model/model.js';
import { cut, jsonNumber } from '../model/value-rules.js';
import { u64Decimal, type WireReader } from '../wire/reader.js';
import { int64Value, nanosToSeconds } from '../wire/values.js';
import type { Normalised, NormaliseOptions } from './options.js';
import { rejectedMessage } from './metrics.js';
import { attributesAt } from '../wire/any-value.js';
import { walkItems } from './request-walk.js';

/** Metric.data members by field number: 5 gauge, 7 sum, 9 histogram, 10 exponential_histogram, 11 summary. */
const TYPE_BY_FIELD: Record<number, MetricType> = { 5: 'gauge', 7: 'sum', 9: 'histogram', 10: 'exponential_histogram', 11: 'summary' };

const TWO_32 = 4294967296;

/** The 64-bit value read last, unsigned, as a number (what countNumber gives for it). */
function unsigned(r: WireReader): number {
  return r.hi * TWO_32 + r.lo;
}

function zigzag32(n: number): number {
  return (n >>> 1) ^ -(n & 1);
}

/**
 * The last two times read and their decimals: the points of a batch mostly share their time (one
 * collection) and their start time, so most reads cost a compare, and the points share the strings.
 */
let lo1 = -1;
let hi1 = -1;
let text1 = '0';
let lo2 = -1;
let hi2 = -1;
let text2 = '0';

/** The fixed64 read last, as an exact nanosecond decimal. */
function nanos(r: WireReader): string {
  const { lo, hi } = r;
  if (lo === lo1 && hi === hi1) return text1;
  if (lo === lo2 && hi === hi2) return text2;
  const text = u64Decimal(lo, hi);
  lo2 = lo1; hi2 = hi1; text2 = text1;
  lo1 = lo; hi1 = hi; text1 = text;
  return text;
}

/** The last time converted to seconds. */
let secondsOfText = '';
let secondsValue = 0;

function secondsOf(time: string): number {
  if (time !== secondsOfText) {
    secondsOfText = time;
    secondsValue = nanosToSeconds(time);
  }
  return secondsValue;
}

/** The sfixed64 read last, as int64Value gives it (a number within ±2^53, else the exact decimal). */
function int64Of(r: WireReader): number | string {
  return r.hi < 0x200000 ? r.hi * TWO_32 + r.lo : int64Value({ low: r.lo | 0, high: r.hi | 0, unsigned: false });
}

/** What every point type has besides its values (normalise/metrics.ts commonPoint): times, flags, exemplars. */
class Common {
  time = '0';
  start = '0';
  flags = 0;
  exemplars: Exemplar[] | undefined;

  /** The point's first fields, as commonPoint sets them. */
  point(): MetricPoint {
    const point: MetricPoint = { timestamp: secondsOf(this.time), timeUnixNano: this.time };
    if (this.start !== '0') point.startTimeUnixNano = this.start;
    if (this.flags !== 0) point.flags = this.flags;
    if (this.exemplars !== undefined) point.exemplars = this.exemplars;
    return point;
  }

  /** Reads one Exemplar message (kept up to maxEvents, as the JSON path keeps them). */
  exemplar(r: WireReader, o: NormaliseOptions): void {
    const e = r.delimitedEnd();
    const list = (this.exemplars ??= []);
    if (list.length >= o.maxEvents) { r.pos = e; return; }
    list.push(readExemplar(r, e, o));
    r.pos = e;
  }
}

/**
 * The `value` oneof of a NumberDataPoint or Exemplar (as_double, as_int) as protobufjs reports it:
 * the member whose first occurrence came last, holding its last value.
 */
class NumberOneof {
  private asDouble = 0;
  private asInt: number | string = 0;
  private seen = 0;
  private doubleAt = -1;
  private intAt = -1;

  double(r: WireReader): void {
    this.asDouble = r.double();
    if (this.doubleAt < 0) this.doubleAt = this.seen++;
  }

  /** An sfixed64. */
  int(r: WireReader): void {
    r.fixed64();
    this.asInt = int64Of(r);
    if (this.intAt < 0) this.intAt = this.seen++;
  }

  /** Sets `value` (and `asInt` for as_int), as normalise/metrics.ts setNumberValue does. */
  setOn(target: { value?: JsonNumber; asInt?: string }): void {
    if (this.intAt > this.doubleAt) {
      target.value = jsonNumber(Number(this.asInt));
      target.asInt = String(this.asInt);
    } else target.value = jsonNumber(this.doubleAt >= 0 ? this.asDouble : 0);
  }
}

/**
 * Exemplar: 7 filtered_attributes, 2 time, 3 as_double, 6 as_int (sfixed64), 4 span_id, 5 trace_id.
 */
function readExemplar(r: WireReader, end: number, o: NormaliseOptions): Exemplar {
  const start = r.pos;
  let time = '0';
  const value = new NumberOneof();
  let traceId = '';
  let spanId = '';
  let hasAttributes = false;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 17) { r.fixed64(); time = nanos(r); }
    else if (tag === 25) value.double(r);
    else if (tag === 49) value.int(r);
    else if (tag === 34) spanId = r.hex();
    else if (tag === 42) traceId = r.hex();
    else { if (tag === 58) hasAttributes = true; r.skip(tag & 7); }
  }
  const x: Exemplar = { timeUnixNano: time, value: 0 };
  value.setOn(x);
  if (traceId !== '') x.traceId = traceId;
  if (spanId !== '') x.spanId = spanId;
  if (hasAttributes) {
    const a = attributesAt(r, start, end, o, 7);
    x.filteredAttributes = a;
  }
  return x;
}

/**
 * A repeated scalar, packed (wire type 2) or not: protobufjs accepts both and appends. Values past
 * `max` + 1 are read but not kept (the point is rejected anyway; one past the limit tells it).
 */
function repeated(r: WireReader, tag: number, out: number[], one: (r: WireReader) => number, max: number): void {
  if ((tag & 7) === 2) {
    const e = r.delimitedEnd();
    while (r.pos < e) {
      const v = one(r);
      if (out.length <= max) out.push(v);
    }
    r.pos = e;
  } else {
    const v = one(r);
    if (out.length <= max) out.push(v);
  }
}

function fixed64Of(r: WireReader): number {
  r.fixed64();
  return unsigned(r);
}

function doubleOf(r: WireReader): number {
  return r.double();
}

function varintOf(r: WireReader): number {
  r.varint64();
  return unsigned(r);
}

/**
 * NumberDataPoint: 2 start, 3 time, 4 as_double, 6 as_int (sfixed64), 5 exemplars, 8 flags.
 */
function numberPoint(r: WireReader, end: number, o: NormaliseOptions): MetricPoint {
  const c = new Common();
  const value = new NumberOneof();
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 17: r.fixed64(); c.start = nanos(r); break;
      case 25: r.fixed64(); c.time = nanos(r); break;
      case 33: value.double(r); break;
      case 49: value.int(r); break;
      case 42: c.exemplar(r, o); break;
      case 64: c.flags = r.uint32() >>> 0; break;
      default: r.skip(tag & 7);
    }
  }
  const point = c.point();
  value.setOn(point);
  return point;
}

/** The fields both histogram kinds add: count, and proto3-optional sum, min and max. */
class Stats extends Common {
  count = 0;
  sum: number | undefined = undefined;
  min: number | undefined = undefined;
  max: number | undefined = undefined;

  /** The point's first fields and its stats; sum, min and max only when they were on the wire. */
  statsPoint(): MetricPoint {
    const point = this.point();
    point.count = this.count;
    if (this.sum !== undefined) point.sum = jsonNumber(this.sum);
    if (this.min !== undefined) point.min = jsonNumber(this.min);
    if (this.max !== undefined) point.max = jsonNumber(this.max);
    return point;
  }
}

/**
 * HistogramDataPoint: 2 start, 3 time, 4 count, 5 sum?, 6 bucket_counts (fixed64), 7 explicit_bounds,
 * 8 exemplars, 10 flags, 11 min?, 12 max?; undefined past maxBuckets.
 */
function histogramPoint(r: WireReader, end: number, o: NormaliseOptions): MetricPoint | undefined {
  const maxBuckets = o.maxBuckets;
  const c = new Stats();
  const bucketCounts: number[] = [];
  const bounds: number[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 17: r.fixed64(); c.start = nanos(r); break;
      case 25: r.fixed64(); c.time = nanos(r); break;
      case 33: r.fixed64(); c.count = unsigned(r); break;
      case 41: c.sum = r.double(); break;
      case 49: case 50: repeated(r, tag, bucketCounts, fixed64Of, maxBuckets); break;
      case 57: case 58: repeated(r, tag, bounds, doubleOf, maxBuckets); break;
      case 66: c.exemplar(r, o); break;
      case 80: c.flags = r.uint32() >>> 0; break;
      case 89: c.min = r.double(); break;
      case 97: c.max = r.double(); break;
      default: r.skip(tag & 7);
    }
  }
  if (bucketCounts.length > maxBuckets || bounds.length > maxBuckets) return undefined;
  const point = c.statsPoint();
  point.bucketCounts = bucketCounts;
  point.explicitBounds = bounds.map(jsonNumber);
  return point;
}

/** ExponentialHistogramDataPoint.Buckets: 1 offset (sint32), 2 bucket_counts (uint64). */
function expBuckets(r: WireReader, end: number, maxBuckets: number): ExpBuckets {
  let offset = 0;
  const bucketCounts: number[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 8) offset = zigzag32(r.uint32());
    else if (tag === 16 || tag === 18) repeated(r, tag, bucketCounts, varintOf, maxBuckets);
    else r.skip(tag & 7);
  }
  return { offset, bucketCounts };
}

/**
 * ExponentialHistogramDataPoint: 2 start, 3 time, 4 count, 5 sum?, 6 scale, 7 zero_count, 8 positive,
 * 9 negative, 10 flags, 11 exemplars, 12 min?, 13 max?, 14 zero_threshold; undefined past maxBuckets.
 */
function expHistogramPoint(r: WireReader, end: number, o: NormaliseOptions): MetricPoint | undefined {
  const maxBuckets = o.maxBuckets;
  const c = new Stats();
  let scale = 0;
  let zeroCount = 0;
  let zeroThreshold = 0;
  let positive: ExpBuckets = { offset: 0, bucketCounts: [] };
  let negative: ExpBuckets = { offset: 0, bucketCounts: [] };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 17: r.fixed64(); c.start = nanos(r); break;
      case 25: r.fixed64(); c.time = nanos(r); break;
      case 33: r.fixed64(); c.count = unsigned(r); break;
      case 41: c.sum = r.double(); break;
      case 48: scale = zigzag32(r.uint32()); break;
      case 57: r.fixed64(); zeroCount = unsigned(r); break;
      case 66: { const e = r.delimitedEnd(); positive = expBuckets(r, e, maxBuckets); r.pos = e; break; }
      case 74: { const e = r.delimitedEnd(); negative = expBuckets(r, e, maxBuckets); r.pos = e; break; }
      case 80: c.flags = r.uint32() >>> 0; break;
      case 90: c.exemplar(r, o); break;
      case 97: c.min = r.double(); break;
      case 105: c.max = r.double(); break;
      case 113: zeroThreshold = r.double(); break;
      default: r.skip(tag & 7);
    }
  }
  if (positive.bucketCounts.length + negative.bucketCounts.length > maxBuckets) return undefined;
  const point = c.statsPoint();
  point.scale = scale;
  point.zeroCount = zeroCount;
  point.positive = positive;
  point.negative = negative;
  if (zeroThreshold !== 0) point.zeroThreshold = jsonNumber(zeroThreshold);
  return point;
}

/** SummaryDataPoint: 2 start, 3 time, 4 count, 5 sum, 6 quantile_values (1 quantile, 2 value), 8 flags; undefined past maxBuckets quantiles. */
function summaryPoint(r: WireReader, end: number, o: NormaliseOptions): MetricPoint | undefined {
  const maxBuckets = o.maxBuckets;
  const c = new Common();
  let count = 0;
  let sum = 0;
  const quantiles: { quantile: JsonNumber; value: JsonNumber }[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 17) { r.fixed64(); c.start = nanos(r); }
    else if (tag === 25) { r.fixed64(); c.time = nanos(r); }
    else if (tag === 33) { r.fixed64(); count = unsigned(r); }
    else if (tag === 41) sum = r.double();
    else if (tag === 64) c.flags = r.uint32() >>> 0;
    else if (tag === 50) {
      const e = r.delimitedEnd();
      if (quantiles.length > maxBuckets) { r.pos = e; continue; }
      let quantile = 0;
      let value = 0;
      while (r.pos < e) {
        const t = r.uint32();
        if (t === 9) quantile = r.double();
        else if (t === 17) value = r.double();
        else r.skip(t & 7);
      }
      quantiles.push({ quantile: jsonNumber(quantile), value: jsonNumber(value) });
      r.pos = e;
    } else r.skip(tag & 7);
  }
  if (quantiles.length > maxBuckets) return undefined;
  const point = c.point();
  point.count = count;
  point.sum = jsonNumber(sum);
  point.quantiles = quantiles;
  return point;
}

/** Attribute field of each point type: NumberDataPoint 7, HistogramDataPoint 9, Exponential 1, Summary 7. */
const LABELS_FIELD: Record<MetricType, number> = { gauge: 7, sum: 7, histogram: 9, exponential_histogram: 1, summary: 7 };

/** Reads one point of a metric of `type` spanning up to `end`; undefined when it has more than maxBuckets buckets. */
function readPoint(r: WireReader, end: number, type: MetricType, o: NormaliseOptions): MetricPoint | undefined {
  if (type === 'gauge' || type === 'sum') return numberPoint(r, end, o);
  if (type === 'histogram') return histogramPoint(r, end, o);
  if (type === 'exponential_histogram') return expHistogramPoint(r, end, o);
  return summaryPoint(r, end, o);
}

/**
 * One Metric: 1 name, 2 description, 3 unit, then its data member. As protobufjs decodes it, a data
 * field seen again replaces the earlier one, and of several members the one first seen last wins.
 */
function readMetric(r: WireReader, end: number, service: string, resource: Attributes, scope: Scope, o: NormaliseOptions, out: MetricSample[]): number {
  let name = '';
  let description = '';
  let unit = '';
  let dataField = 0;
  let dataStart = -1;
  let dataEnd = -1;
  const firstSeen = new Map<number, number>();
  const lastRange = new Map<number, [number, number]>();
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (tag === 10) name = r.stringAtMost(255);
    else if (tag === 18) description = r.stringAtMost(o.maxAttributeLength);
    else if (tag === 26) unit = r.stringAtMost(64);
    else if ((tag & 7) === 2 && TYPE_BY_FIELD[field] !== undefined) {
      const e = r.delimitedEnd();
      if (!firstSeen.has(field)) firstSeen.set(field, firstSeen.size);
      lastRange.set(field, [r.pos, e]);
      r.pos = e;
    } else r.skip(tag & 7);
  }
  let latest = -1;
  for (const [field, at] of firstSeen) {
    if (at > latest) {
      latest = at;
      dataField = field;
      [dataStart, dataEnd] = lastRange.get(field)!;
    }
  }
  if (dataField === 0) return 0;
  const type = TYPE_BY_FIELD[dataField];
  // The data message: 1 data_points, 2 aggregation_temporality, 3 is_monotonic (sum only).
  let temporalityNumber = 0;
  let monotonic = false;
  const points: [number, number][] = [];
  r.pos = dataStart;
  while (r.pos < dataEnd) {
    const tag = r.uint32();
    if (tag === 10) { const e = r.delimitedEnd(); points.push([r.pos, e]); r.pos = e; }
    else if (tag === 16 && type !== 'gauge' && type !== 'summary') temporalityNumber = r.uint32() | 0;
    else if (tag === 24 && type === 'sum') monotonic = r.uint32() !== 0;
    else r.skip(tag & 7);
  }
  if (name === '') return points.length;
  const temporality: Temporality = temporalityNumber === 1 ? 'delta' : 'cumulative';
  const metricName = cut(name, 255);
  const metricUnit = cut(unit, 64);
  const metricDescription = cut(description, o.maxAttributeLength);
  const labelsField = LABELS_FIELD[type];
  let rejected = 0;
  for (const [start, e] of points) {
    if (out.length >= o.maxItems) { rejected++; continue; }
    r.pos = start;
    const point = readPoint(r, e, type, o);
    if (point === undefined) { rejected++; continue; }
    const labels = attributesAt(r, start, e, o, labelsField);
    const sample: MetricSample = type === 'sum'
      ? { name: metricName, type, unit: metricUnit, description: metricDescription, monotonic, temporality, service, labels, point, resource, scope }
      : type === 'histogram' || type === 'exponential_histogram'
        ? { name: metricName, type, unit: metricUnit, description: metricDescription, temporality, service, labels, point, resource, scope }
        : { name: metricName, type, unit: metricUnit, description: metricDescription, service, labels, point, resource, scope };
    out.push(sample);
  }
  return rejected;
}

/**
 * Decodes and normalises an ExportMetricsServiceRequest in one pass over its bytes. Throws
 * TinyOllyError('invalid') for malformed protobuf; points of a metric without a name, and points past
 * maxItems, count as rejected.
 */
export function normaliseMetricsProtobuf(buf: Buffer, o: NormaliseOptions): Normalised<MetricSample> {
  const items: MetricSample[] = [];
  let rejected = 0;
  // ScopeMetrics: 1 scope, 2 metrics, 3 schema_url; a metric yields many points, so maxItems is checked per point in readMetric.
  walkItems(buf, o, (r, end, service, resource, scope) => {
    rejected += readMetric(r, end, service, resource, scope, o, items);
  });
  return rejected > 0
    ? { items, rejected, message: rejectedMessage(rejected, o) }
    : { items, rejected };
}
