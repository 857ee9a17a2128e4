/**
 * @module ui/api-types: the JSON shapes of the query API (CONTRACT §3–4), as the UI reads them.
 * Types only; fetching lives in api.ts. Telemetry fields are untrusted text.
 */

export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };
export type Attributes = Record<string, AttrValue>;
export type SpanKind = 'UNSPECIFIED' | 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';
export type StatusCode = 'UNSET' | 'OK' | 'ERROR';
/** A number that JSON could not carry arrives as a string. */
export type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity';

export interface Scope { name: string; version: string }
export interface SpanEvent { name: string; timeUnixNano: string; attributes: Attributes }
export interface SpanLink { traceId: string; spanId: string; attributes: Attributes }

export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: SpanKind;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
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

export interface TraceSummary {
  traceId: string;
  rootName: string;
  rootService: string;
  startTimeUnixNano: string;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  services: string[];
}

export interface Backlink {
  traceId: string;
  spanId: string;
  name: string;
  service: string;
  linkedSpanId: string;
  attributes: Attributes;
}

export type MetricType = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary';

export interface MetricPoint {
  /** Unix seconds (float). */
  timestamp: number;
  value?: JsonNumber;
  count?: number;
  sum?: JsonNumber;
  min?: JsonNumber;
  max?: JsonNumber;
  bucketCounts?: number[];
  explicitBounds?: JsonNumber[];
  scale?: number;
  zeroCount?: number;
  positive?: { offset: number; bucketCounts: number[] };
  negative?: { offset: number; bucketCounts: number[] };
  quantiles?: { quantile: JsonNumber; value: JsonNumber }[];
}

export interface MetricSeries { service: string; labels: Attributes; points: MetricPoint[] }

export interface MetricSeriesSet {
  name: string;
  type: MetricType;
  unit: string;
  description: string;
  monotonic?: boolean;
  temporality?: 'cumulative' | 'delta';
  series: MetricSeries[];
}

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

export interface ServiceStats {
  name: string;
  spanCount: number;
  errorCount: number;
  p50Ms: number | null;
  p95Ms: number | null;
  logCount: number;
  metricCount: number;
}

export interface ServiceMapEdge { source: string; target: string; callCount: number; errorCount: number }
export interface ServiceMap { nodes: { name: string }[]; edges: ServiceMapEdge[] }

export interface Stats {
  traces: number;
  spans: number;
  logs: number;
  metrics: number;
  storage: string;
  uptimeSeconds: number;
  droppedSeries?: number;
  /** The OTLP/HTTP port this instance listens on (4318 assumed when absent). */
  otlpHttpPort?: number;
  grpcPort?: number;
}

export interface TraceQueryParams {
  limit?: number;
  service?: string;
  name?: string;
  min_duration_ms?: number;
  max_duration_ms?: number;
  status?: 'error' | 'ok' | 'unset';
  attr?: string;
  start?: number;
  end?: number;
  sort?: 'start' | 'duration';
  order?: 'asc' | 'desc';
}

export interface LogQueryParams {
  trace_id?: string;
  span_id?: string;
  service?: string;
  severity?: string;
  q?: string;
  start?: number;
  end?: number;
  limit?: number;
}
