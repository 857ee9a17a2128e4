/**
 * @module ui/api-types: the JSON shapes of the query API (CONTRACT §3–4), as the UI reads them.
 * Types only; fetching lives in api.ts. Telemetry fields are untrusted text.
 */

// The model shapes are the server's own (src/model/model.ts imports nothing, so this pulls in no code).
export type {
  AttrValue, Attributes, Backlink, JsonNumber, LogRecord, MetricPoint, MetricSeries, MetricSeriesSet, MetricSummary,
  MetricType, Scope, Span, SpanEvent, SpanKind, SpanLink, StatusCode,
} from '../../src/model/model.js';
import type {
  ServiceMapEdge as ModelServiceMapEdge, ServiceStats as ModelServiceStats, Span,
  TraceSummary as ModelTraceSummary,
} from '../../src/model/model.js';

// Issue 13 (CONTRACT §4): fields the server adds. Optional here so the UI also reads a server
// that does not send them yet; where the model already has them, the intersection changes nothing.

/** A service's row of GET /api/services; `request*` and percentiles are over its entry spans. */
export type ServiceStats = ModelServiceStats & {
  requestCount?: number;
  requestErrorCount?: number;
  p99Ms?: number | null;
  /** Requests per minute over the time the data covers. */
  ratePerMinute?: number;
};

/** One row of GET /api/services/{name}/operations: the service's entry spans of one name. */
export interface OperationStats {
  name: string;
  kind: string;
  requestCount: number;
  requestErrorCount: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  ratePerMinute?: number;
  /** 30 request counts, oldest first. */
  sparkline?: number[];
}

export type ServiceMapNodeType = 'service' | 'database' | 'messaging' | 'external';
export type ServiceMapEdge = ModelServiceMapEdge & { p50Ms?: number | null };
export interface ServiceMap {
  nodes: { name: string; type?: ServiceMapNodeType | string }[];
  edges: ServiceMapEdge[];
}

/** A trace summary; `incomplete` is true while no root span has arrived. */
export type TraceSummary = ModelTraceSummary & { incomplete?: boolean };

/** GET /api/traces/{id}. */
export interface TraceDoc {
  traceId?: string;
  spans: Span[];
  incomplete?: boolean;
}

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
