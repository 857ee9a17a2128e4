/**
 * @module store/redis/redis-store: the Store on Redis (single node or Cluster) via ioredis. Owns the
 * one connection and hands it, with the key layout, to a RedisReader (redis-reader.ts) and a
 * RedisWriter (redis-writer.ts), then delegates each Store method to one of them; key layout in
 * keys.ts and docs/redis.md.
 */
import type {
  Backlink, LogRecord, MetricSample, MetricSeriesSet, MetricSummary, OperationStats, ServiceMap, ServiceStats, Span, StoreStats, TraceSummary,
} from '../../model/model.js';
import {
  DEFAULT_MAX_SPANS_PER_TRACE, type LogQuery, type Store, type StoreOptions, type TimeRange, type TraceQuery, type WriteMetricsResult,
  type WriteSpansResult,
} from '../store.js';
import { RedisConnection, type ConnectionOptions } from './connection.js';
import { RedisKeys } from './keys.js';
import { Buckets } from './buckets.js';
import { DEFAULT_WIRE_READ_OPTIONS, type WireReadOptions } from '../../wire/read-options.js';
import type { RedisShared } from './redis-shared.js';
import { RedisReader } from './redis-reader.js';
import { RedisWriter } from './redis-writer.js';

export { LOG_SCAN_BUDGET, TRACE_SCAN_BUDGET } from './redis-reader.js';
export { CALL_SAMPLE_CAP, REQUEST_SAMPLE_CAP } from './redis-writer.js';

export interface RedisStoreOptions extends StoreOptions, ConnectionOptions {
  /** Prepended to every key (CONTRACT §1.2 TINYOLLY_KEY_PREFIX). */
  keyPrefix: string;
  /** Limits of ingest, under which spans stored as wire bytes are read back (default: the defaults). */
  normalise?: WireReadOptions;
  /** Index entries one trace / log search examines at most (default 5,000 / 50,000; tests set it small). */
  scanBudget?: { traces: number; logs: number };
}

/**
 * A Store on Redis. Construction never waits for Redis: while it is unreachable every call
 * rejects quickly with TinyOllyError('unavailable') and ping() answers false; it reconnects by
 * itself. Writes resolve once Redis has acknowledged them. Every key expires ttlSeconds after
 * its last write; items older than ttlSeconds are left out of every answer.
 */
export class RedisStore implements Store {
  readonly kind = 'redis' as const;
  private readonly conn: RedisConnection;
  private readonly keys: RedisKeys;
  private readonly reader: RedisReader;
  private readonly writer: RedisWriter;
  private readonly trimTimer: NodeJS.Timeout;

  constructor(opts: RedisStoreOptions) {
    this.conn = new RedisConnection(opts);
    this.keys = new RedisKeys(opts.keyPrefix);
    const shared: RedisShared = { conn: this.conn, keys: this.keys, buckets: new Buckets(opts.ttlSeconds), ttlSeconds: opts.ttlSeconds };
    this.reader = new RedisReader(shared, { normalise: opts.normalise ?? DEFAULT_WIRE_READ_OPTIONS, scanBudget: opts.scanBudget });
    this.writer = new RedisWriter(shared, {
      maxSeriesPerMetric: opts.maxSeriesPerMetric,
      maxSpansPerTrace: opts.maxSpansPerTrace ?? DEFAULT_MAX_SPANS_PER_TRACE,
    });
    const every = Math.min(30_000, Math.max(1000, (opts.ttlSeconds * 1000) / 2));
    this.trimTimer = setInterval(() => { this.writer.trimIndexes().catch(() => { /* retried next tick */ }); }, every);
    this.trimTimer.unref();
  }

  /** What this store dropped (CONTRACT §8): see RedisWriter.dropped. */
  get dropped(): { evicted: number; expired: number } {
    return this.writer.dropped;
  }

  /** Waits (up to waitMs) until Redis answers; throws unavailable otherwise. For tests and start-up. */
  async waitUntilReady(waitMs = 5000): Promise<void> {
    await this.conn.ready(waitMs);
  }

  writeSpans(spans: Span[]): Promise<WriteSpansResult> { return this.writer.writeSpans(spans); }
  writeLogs(logs: LogRecord[]): Promise<void> { return this.writer.writeLogs(logs); }
  writeMetrics(samples: MetricSample[]): Promise<WriteMetricsResult> { return this.writer.writeMetrics(samples); }
  /** Removes index members whose items have expired (runs on a timer; safe from several instances). */
  trimIndexes(): Promise<void> { return this.writer.trimIndexes(); }

  getTrace(traceId: string): Promise<Span[] | undefined> { return this.reader.getTrace(traceId); }
  spansDropped(traceId: string): Promise<number> { return this.reader.spansDropped(traceId); }
  findTraces(q: TraceQuery): Promise<TraceSummary[]> { return this.reader.findTraces(q); }
  traceIdsWithPrefix(prefix: string, limit: number): Promise<string[]> { return this.reader.traceIdsWithPrefix(prefix, limit); }
  getBacklinks(traceId: string): Promise<Backlink[]> { return this.reader.getBacklinks(traceId); }
  findLogs(q: LogQuery): Promise<LogRecord[]> { return this.reader.findLogs(q); }
  listMetrics(): Promise<MetricSummary[]> { return this.reader.listMetrics(); }
  getMetric(name: string, range: TimeRange, options?: { origins?: boolean }): Promise<MetricSeriesSet | undefined> {
    return this.reader.getMetric(name, range, options);
  }
  listServices(): Promise<ServiceStats[]> { return this.reader.listServices(); }
  listOperations(service: string): Promise<OperationStats[] | undefined> { return this.reader.listOperations(service); }
  serviceMap(): Promise<ServiceMap> { return this.reader.serviceMap(); }
  stats(): Promise<StoreStats> { return this.reader.stats(); }

  async ping(): Promise<boolean> {
    return this.conn.ping();
  }

  async clear(): Promise<void> {
    this.reader.reset();
    this.writer.reset();
    await this.conn.deleteMatching(this.keys.pattern);
  }

  async close(): Promise<void> {
    clearInterval(this.trimTimer);
    await this.conn.close();
  }
}

/** The factory app.ts calls when storage is redis (never waits for Redis to answer). */
export function createRedisStore(opts: RedisStoreOptions): RedisStore {
  return new RedisStore(opts);
}
