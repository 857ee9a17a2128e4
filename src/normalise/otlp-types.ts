/**
 * @module normalise/otlp-types: the decoded OTLP request shapes the generic normalisers take, one for
 * every encoding. Decoding happens once: parsed OTLP/JSON (and protobufjs messages, the test oracle)
 * are both read through these types, so fields that differ by encoding are typed as unions and read
 * with wire/values.ts (whose scalar types they use). Field names mirror the proto (lowerCamelCase, as
 * OTLP/JSON spells them). The codec table's own types (Signal, Encoding) are otlp/types.ts.
 */
import type { OtlpBytes, OtlpEnum, OtlpInt64 } from '../wire/values.js';

export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: OtlpInt64;
  doubleValue?: number | string;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  bytesValue?: OtlpBytes;
  /** protobufjs only: the name of the oneof member that is set. */
  value?: string;
}

export interface OtlpKeyValue {
  key?: string;
  value?: OtlpAnyValue | null;
}

export interface OtlpResource {
  attributes?: OtlpKeyValue[];
}

export interface OtlpScope {
  name?: string;
  version?: string;
  attributes?: OtlpKeyValue[];
}

/** A Scope{Spans,Logs,Metrics} message's own fields besides its items. */
export interface OtlpScopeGroup {
  scope?: OtlpScope | null;
  schemaUrl?: string;
}

export interface OtlpExemplar {
  filteredAttributes?: OtlpKeyValue[];
  timeUnixNano?: OtlpInt64;
  asDouble?: number | string;
  asInt?: OtlpInt64;
  spanId?: OtlpBytes;
  traceId?: OtlpBytes;
  /** protobufjs only: which of asDouble/asInt is set. */
  value?: string;
}

/** What every data point type has besides its values. */
export interface OtlpPointCommon {
  attributes?: OtlpKeyValue[];
  startTimeUnixNano?: OtlpInt64;
  timeUnixNano?: OtlpInt64;
  exemplars?: OtlpExemplar[];
  flags?: number;
}

export interface OtlpSpanEvent {
  timeUnixNano?: OtlpInt64;
  name?: string;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number | string;
}

export interface OtlpSpanLink {
  traceId?: OtlpBytes;
  spanId?: OtlpBytes;
  traceState?: string;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number | string;
  flags?: number | string;
}

export interface OtlpSpan {
  traceId?: OtlpBytes;
  spanId?: OtlpBytes;
  parentSpanId?: OtlpBytes;
  traceState?: string;
  flags?: number | string;
  name?: string;
  kind?: OtlpEnum;
  startTimeUnixNano?: OtlpInt64;
  endTimeUnixNano?: OtlpInt64;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number | string;
  events?: OtlpSpanEvent[];
  droppedEventsCount?: number | string;
  links?: OtlpSpanLink[];
  droppedLinksCount?: number | string;
  status?: { code?: OtlpEnum; message?: string } | null;
}

export interface OtlpResourceSpans {
  resource?: OtlpResource | null;
  scopeSpans?: (OtlpScopeGroup & { spans?: OtlpSpan[] })[];
  schemaUrl?: string;
}

export interface OtlpTracesRequest {
  resourceSpans?: OtlpResourceSpans[];
}

export interface OtlpLogRecord {
  timeUnixNano?: OtlpInt64;
  observedTimeUnixNano?: OtlpInt64;
  severityNumber?: OtlpEnum;
  severityText?: string;
  body?: OtlpAnyValue | null;
  attributes?: OtlpKeyValue[];
  traceId?: OtlpBytes;
  spanId?: OtlpBytes;
  droppedAttributesCount?: number | string;
  flags?: number | string;
  eventName?: string;
}

export interface OtlpResourceLogs {
  resource?: OtlpResource | null;
  scopeLogs?: (OtlpScopeGroup & { logRecords?: OtlpLogRecord[] })[];
  schemaUrl?: string;
}

export interface OtlpLogsRequest {
  resourceLogs?: OtlpResourceLogs[];
}

export interface OtlpNumberDataPoint extends OtlpPointCommon {
  startTimeUnixNano?: OtlpInt64;
  timeUnixNano?: OtlpInt64;
  asDouble?: number | string;
  asInt?: OtlpInt64;
  /** protobufjs only: which of asDouble/asInt is set. */
  value?: string;
}

/** What histogram and exponential-histogram points share (read by one Stats reader in metrics-protobuf.ts). */
export interface OtlpHistogramStats extends OtlpPointCommon {
  timeUnixNano?: OtlpInt64;
  count?: OtlpInt64;
  sum?: number | string | null;
  min?: number | string | null;
  max?: number | string | null;
}

export interface OtlpHistogramDataPoint extends OtlpHistogramStats {
  bucketCounts?: OtlpInt64[];
  explicitBounds?: (number | string)[];
}

export interface OtlpExpBuckets {
  offset?: number;
  bucketCounts?: OtlpInt64[];
}

export interface OtlpExponentialHistogramDataPoint extends OtlpHistogramStats {
  scale?: number;
  zeroCount?: OtlpInt64;
  positive?: OtlpExpBuckets | null;
  negative?: OtlpExpBuckets | null;
  zeroThreshold?: number | string;
}

export interface OtlpSummaryDataPoint extends OtlpPointCommon {
  timeUnixNano?: OtlpInt64;
  count?: OtlpInt64;
  sum?: number | string;
  quantileValues?: { quantile?: number | string; value?: number | string }[];
}

export interface OtlpMetric {
  name?: string;
  description?: string;
  unit?: string;
  gauge?: { dataPoints?: OtlpNumberDataPoint[] } | null;
  sum?: { dataPoints?: OtlpNumberDataPoint[]; aggregationTemporality?: OtlpEnum; isMonotonic?: boolean } | null;
  histogram?: { dataPoints?: OtlpHistogramDataPoint[]; aggregationTemporality?: OtlpEnum } | null;
  exponentialHistogram?: { dataPoints?: OtlpExponentialHistogramDataPoint[]; aggregationTemporality?: OtlpEnum } | null;
  summary?: { dataPoints?: OtlpSummaryDataPoint[] } | null;
  /** protobufjs only: which data member is set. */
  data?: string;
}

export interface OtlpResourceMetrics {
  resource?: OtlpResource | null;
  scopeMetrics?: (OtlpScopeGroup & { metrics?: OtlpMetric[] })[];
  schemaUrl?: string;
}

export interface OtlpMetricsRequest {
  resourceMetrics?: OtlpResourceMetrics[];
}
