/**
 * @module model: the normalised telemetry model of CONTRACT §3, shared by every stage.
 * Imports nothing of ours. Ids are lowercase hex, nanosecond times are exact decimal strings.
 */

/** A flattened OTLP AnyValue: int64 beyond 2^53 as string, bytes as base64, kvlist as object, NaN/±Infinity as strings. */
export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };
export type Attributes = Record<string, AttrValue>;

export type SpanKind = 'UNSPECIFIED' | 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';
export type StatusCode = 'UNSET' | 'OK' | 'ERROR';

export interface Scope {
  name: string;
  version: string;
  /** InstrumentationScope.attributes: present only when the scope has some. */
  attributes?: Attributes;
  /** The ScopeSpans/ScopeLogs/ScopeMetrics `schema_url`: present only when set. */
  schemaUrl?: string;
  /**
   * The enclosing ResourceSpans/ResourceLogs/ResourceMetrics `schema_url`: present only when set.
   * Kept with the scope because a scope object belongs to exactly one resource message (one per
   * ScopeX), so it costs nothing per item.
   */
  resourceSchemaUrl?: string;
}

export interface SpanEvent {
  name: string;
  timeUnixNano: string;
  attributes: Attributes;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  attributes: Attributes;
}

export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: SpanKind;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  /** (end - start) in milliseconds, 0 when end is before start. */
  durationMs: number;
  status: { code: StatusCode; message: string };
  service: string;
  attributes: Attributes;
  resource: Attributes;
  scope: Scope;
  events: SpanEvent[];
  links: SpanLink[];
}

export interface LogRecord {
  /** Unique per stored record (assigned at ingest). */
  id: string;
  timeUnixNano: string;
  /** Unix seconds (float). */
  timestamp: number;
  severityText: string;
  severityNumber: number;
  body: AttrValue;
  traceId: string | null;
  spanId: string | null;
  service: string;
  attributes: Attributes;
  resource: Attributes;
  scope: Scope;
}

export type MetricType = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary';
export type Temporality = 'cumulative' | 'delta';

/** A number that may be NaN/±Infinity, which JSON cannot carry: those become strings. */
export type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity';

export interface ExpBuckets {
  offset: number;
  bucketCounts: number[];
}

/** An exemplar of a metric point (OTLP Exemplar): a raw measurement, maybe with its span. */
export interface Exemplar {
  timeUnixNano: string;
  value: JsonNumber;
  /** The exact decimal when the measurement was `as_int` (absent for `as_double`). */
  asInt?: string;
  /** Present only when set. */
  traceId?: string;
  spanId?: string;
  /** Present only when it has some. */
  filteredAttributes?: Attributes;
}

/** One metric point; which fields are present depends on the metric type (CONTRACT §3). */
export interface MetricPoint {
  /** Unix seconds (float). */
  timestamp: number;
  /** The exact time (nanosecond decimal string); absent on points stored before it was kept. */
  timeUnixNano?: string;
  /** The exact start time; present only when not 0. */
  startTimeUnixNano?: string;
  value?: JsonNumber;
  /** Gauge/sum points sent `as_int`: the exact decimal (`value` is the same as a number). Absent for `as_double`. */
  asInt?: string;
  /** OTLP DataPointFlags; present only when not 0. */
  flags?: number;
  /** Present only when the point has some. */
  exemplars?: Exemplar[];
  /** Exponential histograms: present only when not 0. */
  zeroThreshold?: JsonNumber;
  count?: number;
  sum?: JsonNumber;
  min?: JsonNumber;
  max?: JsonNumber;
  bucketCounts?: number[];
  explicitBounds?: JsonNumber[];
  scale?: number;
  zeroCount?: number;
  positive?: ExpBuckets;
  negative?: ExpBuckets;
  quantiles?: { quantile: JsonNumber; value: JsonNumber }[];
}

/** What a metric is, as a sample carries it and GET /api/metrics/{name} answers it. */
export interface MetricMeta {
  name: string;
  type: MetricType;
  unit: string;
  description: string;
  /** Sums only. */
  monotonic?: boolean;
  /** Sums, histograms and exponential histograms. */
  temporality?: Temporality;
}

/** The unit of metric ingestion: one point of one series, with its metric's metadata. */
export interface MetricSample extends MetricMeta {
  service: string;
  labels: Attributes;
  point: MetricPoint;
  /** The resource attributes (shared by the samples of one resource message); the normalisers always set it. */
  resource?: Attributes;
  /** The scope (shared by the samples of one scope message); the normalisers always set it. */
  scope?: Scope;
}

/** Where a stored point came from: its resource and scope (what export regroups points under). */
export interface MetricOrigin {
  resource: Attributes;
  scope: Scope;
}

export interface MetricSeries {
  service: string;
  labels: Attributes;
  /** Oldest first. */
  points: MetricPoint[];
  /**
   * Only when asked for (`getMetric(…, { origins: true })`, for export): each point's origin, by
   * index (the same length as `points`). An entry is undefined when the store no longer knows it.
   */
  origins?: (MetricOrigin | undefined)[];
}

/** GET /api/metrics/{name}. */
export interface MetricSeriesSet extends MetricMeta {
  series: MetricSeries[];
}

/** One row of GET /api/metrics. */
export interface MetricSummary {
  name: string;
  type: MetricType;
  unit: string;
  description: string;
  services: string[];
  seriesCount: number;
  lastValue: JsonNumber | null;
  lastTimestamp: number | null;
}

/** One row of GET /api/traces. */
export interface TraceSummary {
  traceId: string;
  rootName: string;
  rootService: string;
  startTimeUnixNano: string;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  services: string[];
  /** True when no span of the trace is a root (every span has a parent): its root has not arrived (yet). */
  incomplete: boolean;
}

export interface Backlink {
  traceId: string;
  spanId: string;
  name: string;
  service: string;
  linkedSpanId: string;
  attributes: Attributes;
}

/** Request (entry-span) statistics of a service or one of its operations (CONTRACT §4, §5). */
export interface RequestStats {
  requestCount: number;
  requestErrorCount: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** Requests per minute over the time the stored entry spans of the service cover (first to last start). */
  ratePerMinute: number;
}

export interface ServiceStats extends RequestStats {
  name: string;
  spanCount: number;
  errorCount: number;
  logCount: number;
  metricCount: number;
}

/** One row of GET /api/services/{name}/operations: a service's entry spans of one name. */
export interface OperationStats extends RequestStats {
  name: string;
  kind: SpanKind;
  /** Request counts in 30 equal time buckets over the service's covered time, oldest first. */
  sparkline: number[];
}

export interface ServiceMapEdge {
  source: string;
  target: string;
  callCount: number;
  errorCount: number;
  /** Median duration of the calls: the callee's entry span, or the client span for a database, messaging or external peer. */
  p50Ms: number | null;
}

export type ServiceMapNodeType = 'service' | 'database' | 'messaging' | 'external';

export interface ServiceMapNode {
  name: string;
  type: ServiceMapNodeType;
}

export interface ServiceMap {
  nodes: ServiceMapNode[];
  edges: ServiceMapEdge[];
}

export interface StoreStats {
  traces: number;
  spans: number;
  logs: number;
  metrics: number;
  /** Distinct series refused by TINYOLLY_MAX_SERIES_PER_METRIC. */
  droppedSeries: number;
}
