/**
 * @module store: the Store interface every backend implements, and its query types.
 * Transport-free: nothing here knows HTTP, gRPC or OTLP. Query parameters arrive validated (api/).
 */
import type {
  Backlink, LogRecord, MetricSample, MetricSeriesSet, MetricSummary, OperationStats, ServiceMap, ServiceStats,
  Span, StoreStats, StatusCode, TraceSummary,
} from '../model/model.js';

export interface TimeRange {
  /** Unix seconds, inclusive. */
  start?: number;
  /** Unix seconds, inclusive. */
  end?: number;
}

/**
 * Where a page of traces starts (keyset paging, CONTRACT §7): the sort keys of the previous page's
 * last row. A page holds only rows that come strictly after it in the query's order.
 */
export interface TraceCursor {
  durationMs: number;
  startTimeUnixNano: string;
  traceId: string;
}

/** Where a page of logs starts: the previous page's last record (newest-first order). */
export interface LogCursor {
  timestamp: number;
  timeUnixNano: string;
  id: string;
}

export interface TraceQuery extends TimeRange {
  /** Already clamped to 1..1000 (the API asks one more to learn whether a next page exists). */
  limit: number;
  /** Only rows after this one in sort/order (the next page). */
  after?: TraceCursor;
  /** Any span of the trace has this service. */
  service?: string;
  /** Case-insensitive substring of any span name. */
  name?: string;
  minDurationMs?: number;
  maxDurationMs?: number;
  /** error: some span is ERROR; ok: none is ERROR and some span is OK; unset: every span is UNSET. */
  status?: 'error' | 'ok' | 'unset';
  /** Span or resource attribute whose value, as text, equals value. */
  attr?: { key: string; value: string };
  sort: 'start' | 'duration';
  order: 'asc' | 'desc';
}

export interface LogQuery extends TimeRange {
  limit: number;
  /** Only records after this one, newest first (the next page). */
  after?: LogCursor;
  traceId?: string;
  spanId?: string;
  service?: string;
  /** Minimum severity number (TRACE 1, DEBUG 5, INFO 9, WARN 13, ERROR 17, FATAL 21). */
  minSeverity?: number;
  /** Case-insensitive substring of the body (its JSON text for structured bodies). */
  q?: string;
}

export interface WriteSpansResult {
  /** Spans refused because their trace already holds `maxSpansPerTrace` spans (a re-sent span is never refused). */
  rejected: number;
}

export interface WriteMetricsResult {
  /** Points refused because their series would pass the per-metric series cap. */
  rejected: number;
}

/**
 * A telemetry store. Every method may reject with an error of kind `unavailable` when the
 * backend cannot be reached; nothing else is thrown for valid arguments.
 *
 * Writes resolve only once the data is held (a 200 to a sender means "not lost"). Every item
 * expires `ttlSeconds` after it was written. Reads never fail because part of the data has
 * expired or been evicted: they answer without it. "Not found" is `undefined`.
 * Objects returned by reads must be treated as read-only by callers (they may be shared).
 */
export interface Store {
  readonly kind: 'memory' | 'redis';

  /**
   * Stores a batch of spans (any traces). A span new to a trace that already holds `maxSpansPerTrace`
   * spans is refused and counted (a replacement of a stored span is not); void counts as none refused.
   */
  writeSpans(spans: Span[]): Promise<WriteSpansResult | void>;
  /** Stores a batch of log records. */
  writeLogs(logs: LogRecord[]): Promise<void>;
  /** Stores a batch of metric points; points of series past the per-metric cap are refused and counted. */
  writeMetrics(samples: MetricSample[]): Promise<WriteMetricsResult>;

  /** All spans of one trace ordered by start time, or undefined if none is stored. */
  getTrace(traceId: string): Promise<Span[] | undefined>;
  /** Spans of this trace refused by the per-trace cap while it was stored (0 for none or an unknown trace). */
  spansDropped?(traceId: string): Promise<number>;
  /**
   * Trace summaries matching the query, ordered by `sort`/`order`, at most `limit`. A backend that
   * bounds its scan marks the list with markSearchLimited when it stopped before the end.
   */
  findTraces(query: TraceQuery): Promise<TraceSummary[]>;
  /** Stored trace ids starting with `prefix` (lower-case hex), sorted, at most `limit`. */
  traceIdsWithPrefix(prefix: string, limit: number): Promise<string[]>;
  /** Spans of other traces whose links point at a span of this trace. */
  getBacklinks(traceId: string): Promise<Backlink[]>;
  /**
   * Log records matching the query, newest first (timestamp, then timeUnixNano, then id, all
   * descending: query/paging compareLogsNewestFirst), at most `limit` (marked as findTraces when the
   * scan stopped early).
   */
  findLogs(query: LogQuery): Promise<LogRecord[]>;
  /** One summary per metric name, sorted by name. */
  listMetrics(): Promise<MetricSummary[]>;
  /**
   * The series of one metric (points oldest first, series without a point in range left out), or
   * undefined. With `{ origins: true }` (export) each series also carries its points' resource and
   * scope (`origins`); the API never asks for them.
   */
  getMetric(name: string, range: TimeRange, options?: { origins?: boolean }): Promise<MetricSeriesSet | undefined>;
  /**
   * Per-service statistics, sorted by name. `request*`, the percentiles and `ratePerMinute` are
   * over the service's entry spans (parent not stored, or of another service), whichever order
   * parent and child arrived in.
   */
  listServices(): Promise<ServiceStats[]>;
  /**
   * One service's entry spans grouped by span name, busiest first; undefined for a service the
   * store does not know (an empty list for one known only by logs or metrics).
   */
  listOperations(service: string): Promise<OperationStats[] | undefined>;
  /**
   * Service-to-service edges from parent/child spans crossing services, plus edges to the
   * database, messaging and external nodes that CLIENT/PRODUCER spans without an instrumented
   * answer call (query/services peerOf); nodes for every service and peer.
   */
  serviceMap(): Promise<ServiceMap>;
  /** Item counts. */
  stats(): Promise<StoreStats>;

  /** Resolves true when the backend answers, false otherwise (never rejects). */
  ping(): Promise<boolean>;
  /** Removes everything this store holds (its own key prefix only). */
  clear(): Promise<void>;
  /** Releases connections and timers. Safe to call twice. */
  close(): Promise<void>;
}

/** Options common to every backend. */
export interface StoreOptions {
  ttlSeconds: number;
  maxSeriesPerMetric: number;
  /** Spans kept per trace (TINYOLLY_MAX_SPANS_PER_TRACE); unset: DEFAULT_MAX_SPANS_PER_TRACE. */
  maxSpansPerTrace?: number;
}

const SEARCH_LIMITED: unique symbol = Symbol('tinyolly.searchLimited');

/**
 * Marks a list answer (findTraces, findLogs) whose search stopped at the backend's scan bound before
 * the end of the data, so older matches may be missing; the API then says `"searchLimited": true`.
 * A symbol property: it never reaches JSON by itself, and an unmarked list is a complete search.
 */
export function markSearchLimited<T>(list: T[]): T[] {
  (list as T[] & { [SEARCH_LIMITED]?: true })[SEARCH_LIMITED] = true;
  return list;
}

/** Whether markSearchLimited marked this list. */
export function isSearchLimited(list: readonly unknown[]): boolean {
  return (list as readonly unknown[] & { [SEARCH_LIMITED]?: true })[SEARCH_LIMITED] === true;
}

/** The per-trace span cap when the options do not say (CONTRACT §6 TINYOLLY_MAX_SPANS_PER_TRACE). */
export const DEFAULT_MAX_SPANS_PER_TRACE = 10_000;
