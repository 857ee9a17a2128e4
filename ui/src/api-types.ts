/**
 * @module ui/api-types: the JSON shapes of the query API (CONTRACT §3–4), as the UI reads them.
 * Types only; fetching lives in api.ts. Telemetry fields are untrusted text.
 */

// The model shapes are the server's own (src/model/model.ts imports nothing, so this pulls in no code).
export type {
  AttrValue, Attributes, Backlink, JsonNumber, LogRecord, MetricPoint, MetricSeries, MetricSeriesSet, MetricSummary,
  MetricType, OperationStats, RequestStats, Scope, ServiceMap, ServiceMapEdge, ServiceMapNode, ServiceMapNodeType, ServiceStats, Span, SpanEvent, SpanKind, SpanLink, StatusCode,
  TraceSummary,
} from '../../src/model/model.js';
import type { OperationStats, Span } from '../../src/model/model.js';

/** GET /api/services/{name}/operations. */
export interface OperationsResponse {
  operations: OperationStats[];
}

/** GET /api/traces/{id}. */
export interface TraceResponse {
  traceId: string;
  /** True when no span of the trace is a root (its root span has not arrived). */
  incomplete: boolean;
  spans: Span[];
  /** Spans stored for the trace (the answer holds a page of them: at most 10000 by default). */
  totalSpans?: number;
  /** Passed back as `cursor` for the next page; null on the last. */
  nextCursor?: string | null;
  /** Spans refused by TINYOLLY_MAX_SPANS_PER_TRACE. */
  spansDropped?: number;
}

/** The UI's name for GET /api/traces/{id}. */
export type TraceDoc = TraceResponse;

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
  /** Retention: every item expires this long after it arrived. */
  ttlSeconds?: number;
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
  /** A nextCursor of the same query (CONTRACT §7). */
  cursor?: string;
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
  /** A nextCursor of the same query (CONTRACT §7). */
  cursor?: string;
}

/** One page of a list (CONTRACT §7): `nextCursor` null at the end. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  /** The server's search stopped early (`"searchLimited": true`): older matches may be missing. */
  searchLimited?: boolean;
}

// GET /api/compare (CONTRACT §12): the node and finding shapes are the server's own (type-only import).
export type { CompareNode, Finding as CompareFinding } from '../../src/compare/compare.js';
import type { CompareNode, Finding as CompareFinding } from '../../src/compare/compare.js';

/** One side of a two-traces comparison. */
export interface CompareTraceSide { traceId: string; rootName: string; rootService: string; durationMs: number; spanCount: number; errorCount: number }
/** One side of a windows comparison (start/end unix seconds). */
export interface CompareWindowSide {
  rootName: string; rootService: string | null; start: number; end: number; traceCount: number;
  p50Ms: number | null; p95Ms: number | null; errorTraceCount: number;
}
/** GET /api/compare: `a`/`b` are trace sides for `?a=&b=`, window sides for `?root=`. */
export interface CompareAnswer<Side = CompareTraceSide | CompareWindowSide> {
  a: Side; b: Side; nodes: CompareNode[]; findings: CompareFinding[]; truncated: boolean;
}

/** The query of GET /api/compare: two trace ids, or a root operation and two windows (unix seconds). */
export type CompareParams =
  | { a: string; b: string }
  | { root: string; service?: string; a_start: number; a_end: number; b_start: number; b_end: number };
