/**
 * @module store/memory/memory-store: the embedded in-process Store. Items expire `ttlSeconds`
 * after they were written; past `maxBytes` (estimated encoded size) the oldest writes are evicted
 * first, across signals. Indexes live in trace-index, log-index and metric-index.
 */
import type {
  Backlink, LogRecord, MetricSample, MetricSeriesSet, MetricSummary, OperationStats, ServiceMap, ServiceStats, Span, StoreStats,
  TraceSummary,
} from '../../model/model.js';
import { DEFAULT_MAX_SPANS_PER_TRACE, type LogQuery, type Store, type StoreOptions, type TimeRange, type TraceQuery, type WriteMetricsResult, type WriteSpansResult } from '../store.js';
import { buildServiceMap } from '../../query/service-map.js';
import { BatchQueue, type Batch } from './fifo.js';
import { LogIndex } from './log-index.js';
import { MetricIndex, type StoredPoint } from './metric-index.js';
import { compactKept, SizeEstimator } from './size.js';
import { TraceIndex } from './trace-index.js';

/** Where a stored span sits in the span FIFO, so that a retry replacing it can take it out. */
const SLOT_BATCH: unique symbol = Symbol('tinyolly.memory.batch');
const SLOT_INDEX: unique symbol = Symbol('tinyolly.memory.index');
interface Slotted {
  [SLOT_BATCH]?: Batch<Span>;
  [SLOT_INDEX]?: number;
}

/** Options of the memory store. */
export interface MemoryStoreOptions extends StoreOptions {
  /** Cap on the stored items' estimated encoded size; the oldest writes are evicted past it. */
  maxBytes: number;
  /** Clock in ms (injectable for tests); defaults to Date.now. */
  now?: () => number;
}

/** Upkeep runs often and in small steps, so that no tick holds up ingestion for long. */
const SWEEP_INTERVAL_MS = 100;
/** Changed traces folded into the service rollup per sweep (reads fold in whatever is left). */
const ROLLUP_BUDGET = 2000;

/** One signal's FIFO and how to take one of its items out of the indexes (false: already gone). */
interface Lane<T> {
  queue: BatchQueue<T>;
  drop(item: T): boolean;
}

/**
 * The embedded store. Every write is synchronous under the hood and O(batch); reads first drop
 * expired batches, so they never return an item older than the TTL. Returned objects are shared
 * with the store: callers must not mutate them (Store contract).
 */
export class MemoryStore implements Store {
  readonly kind = 'memory' as const;
  private readonly traces = new TraceIndex();
  private readonly logs = new LogIndex();
  private readonly metrics: MetricIndex;
  private readonly sizes = new SizeEstimator();
  private readonly spanLane: Lane<Span>;
  private readonly logLane: Lane<LogRecord>;
  private readonly pointLane: Lane<StoredPoint>;
  private readonly lanes: Lane<unknown>[];
  private readonly ttlMs: number;
  private readonly maxBytes: number;
  private readonly maxSpansPerTrace: number;
  private readonly now: () => number;
  private bytes = 0;
  private seq = 0;
  /** Items this store dropped since start: past the byte cap, and past their TTL (the inspector's drop totals). */
  readonly dropped = { evicted: 0, expired: 0 };
  private timer: NodeJS.Timeout | undefined;

  constructor(options: MemoryStoreOptions) {
    this.ttlMs = options.ttlSeconds * 1000;
    this.maxBytes = options.maxBytes;
    this.maxSpansPerTrace = options.maxSpansPerTrace ?? DEFAULT_MAX_SPANS_PER_TRACE;
    this.now = options.now ?? Date.now;
    this.metrics = new MetricIndex(options.maxSeriesPerMetric, this.ttlMs, this.now);
    this.spanLane = { queue: new BatchQueue(), drop: (s) => this.traces.remove(s) };
    this.logLane = { queue: new BatchQueue(), drop: (l) => { this.logs.remove(l); return true; } };
    this.pointLane = { queue: new BatchQueue(), drop: (p) => { this.metrics.remove(p); return true; } };
    this.lanes = [this.spanLane, this.logLane, this.pointLane] as Lane<unknown>[];
    this.timer = setInterval(() => this.sweep(), Math.min(SWEEP_INTERVAL_MS, Math.max(1, this.ttlMs)));
    this.timer.unref();
  }

  /** Estimated encoded size of everything held now, in bytes (never above maxBytes after a write). */
  get usedBytes(): number {
    return this.bytes + this.metrics.entryBytes + this.traces.entryBytes;
  }

  async writeSpans(spans: Span[]): Promise<WriteSpansResult> {
    this.expire();
    if (spans.length === 0) return { rejected: 0 };
    const batch: Batch<Span> = { seq: this.seq++, writtenAt: this.now(), items: [], sizes: [], head: 0 };
    let rejected = 0;
    for (const span of spans) {
      // Past the per-trace cap a new span is refused (counted on its trace); a batch filling a trace keeps its first spans.
      if (!this.traces.admits(span, this.maxSpansPerTrace)) {
        rejected++;
        continue;
      }
      const i = batch.items.length;
      const size = this.sizes.span(span);
      batch.items.push(span);
      batch.sizes.push(size);
      this.bytes += size;
      const replaced = this.traces.add(span);
      // A retried span (same trace and span ids) replaces the stored one: the old copy leaves its
      // batch at once, so neither it nor its request's buffer stays until TTL.
      if (replaced) this.release(replaced);
      if (Object.isExtensible(span)) {
        (span as Slotted)[SLOT_BATCH] = batch;
        (span as Slotted)[SLOT_INDEX] = i;
      }
    }
    if (batch.items.length === 0) return { rejected };
    this.spanLane.queue.push(batch);
    this.evict();
    return { rejected };
  }

  /** Takes a replaced span out of the batch holding it; compacts a batch mostly replaced. */
  private release(old: Span): void {
    const batch = (old as Slotted)[SLOT_BATCH];
    const i = (old as Slotted)[SLOT_INDEX];
    if (batch === undefined || i === undefined || batch.items[i] !== old) return;
    this.bytes -= batch.sizes[i];
    batch.sizes[i] = 0;
    batch.items[i] = undefined as unknown as Span;
    (old as Slotted)[SLOT_BATCH] = undefined;
    batch.replaced = (batch.replaced ?? 0) + 1;
    // The rest of the batch may pin a request buffer mostly made of replaced spans: past half of
    // what was left at the last look, the remaining spans move to a buffer of their own (amortised O(1)).
    const left = batch.items.length - batch.head - batch.replaced;
    if (left * 2 <= (batch.compactedAt ?? batch.items.length)) {
      batch.compactedAt = left;
      const live: Span[] = [];
      for (let k = batch.head; k < batch.items.length; k++) if (batch.items[k] !== undefined) live.push(batch.items[k]);
      compactKept(live);
    }
  }

  async writeLogs(logs: LogRecord[]): Promise<void> {
    this.expire();
    if (logs.length === 0) return;
    const sizes = new Array<number>(logs.length);
    for (let i = 0; i < logs.length; i++) {
      const size = this.sizes.log(logs[i]);
      sizes[i] = size;
      this.logs.add(logs[i]);
      this.bytes += size;
    }
    this.push(this.logLane, logs.slice(), sizes);
  }

  async writeMetrics(samples: MetricSample[]): Promise<WriteMetricsResult> {
    this.expire();
    const items: StoredPoint[] = [];
    const sizes: number[] = [];
    let rejected = 0;
    for (const sample of samples) {
      const stored = this.metrics.add(sample);
      if (!stored) {
        rejected++;
        continue;
      }
      const size = this.sizes.point(stored.point, stored.series.labelsBytes);
      items.push(stored);
      sizes.push(size);
      this.bytes += size;
    }
    if (items.length > 0) this.push(this.pointLane, items, sizes);
    return { rejected };
  }

  async getTrace(traceId: string): Promise<Span[] | undefined> {
    this.expire();
    return this.traces.get(traceId);
  }

  async spansDropped(traceId: string): Promise<number> {
    this.expire();
    return this.traces.dropped(traceId);
  }

  async findTraces(query: TraceQuery): Promise<TraceSummary[]> {
    this.expire();
    return this.traces.find(query);
  }

  async traceIdsWithPrefix(prefix: string, limit: number): Promise<string[]> {
    this.expire();
    return this.traces.idsWithPrefix(prefix, limit);
  }

  async getBacklinks(traceId: string): Promise<Backlink[]> {
    this.expire();
    return this.traces.backlinks(traceId);
  }

  async findLogs(query: LogQuery): Promise<LogRecord[]> {
    this.expire();
    return this.logs.find(query, (visit) => this.logLane.queue.forEachNewestFirst(visit));
  }

  async listMetrics(): Promise<MetricSummary[]> {
    this.expire();
    return this.metrics.list();
  }

  async getMetric(name: string, range: TimeRange, options?: { origins?: boolean }): Promise<MetricSeriesSet | undefined> {
    this.expire();
    return this.metrics.get(name, range, options?.origins === true);
  }

  async listServices(): Promise<ServiceStats[]> {
    this.expire();
    const spanCounts = this.traces.serviceCounts;
    const logCounts = this.logs.serviceCounts();
    const metricCounts = this.metrics.serviceCounts();
    const names = new Set<string>([...spanCounts.keys(), ...logCounts.keys(), ...metricCounts.keys()]);
    const rollup = this.traces.rollup;
    return [...names].sort().map((name) => {
      const counts = spanCounts.get(name);
      return {
        name,
        spanCount: counts?.spans ?? 0,
        errorCount: counts?.errors ?? 0,
        ...rollup.requests(name),
        logCount: logCounts.get(name) ?? 0,
        metricCount: metricCounts.get(name) ?? 0,
      };
    });
  }

  async serviceMap(): Promise<ServiceMap> {
    this.expire();
    const edges = this.traces.rollup.edgeList();
    return buildServiceMap(this.traces.serviceCounts.keys(), edges);
  }

  async listOperations(service: string): Promise<OperationStats[] | undefined> {
    this.expire();
    const ops = this.traces.rollup.operations(service);
    if (ops) return ops;
    // A service known only by its logs or metrics has no operations, but it exists.
    const known = this.traces.serviceCounts.has(service) || this.logs.serviceCounts().has(service) || this.metrics.serviceCounts().has(service);
    return known ? [] : undefined;
  }

  async stats(): Promise<StoreStats> {
    this.expire();
    return {
      traces: this.traces.traces.size,
      spans: this.traces.spanCount,
      logs: this.logs.size,
      metrics: this.metrics.size,
      droppedSeries: this.metrics.droppedSeries,
    };
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async clear(): Promise<void> {
    for (const lane of this.lanes) lane.queue.clear();
    this.traces.clear();
    this.logs.clear();
    this.metrics.clear();
    this.bytes = 0;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Background upkeep: expiry, and folding changed traces into the service rollup off the read path. */
  private sweep(): void {
    this.expire();
    // A quarter of the backlog when it is larger, so it cannot grow without bound.
    const rollup = this.traces.rollup;
    rollup.flush(Math.max(ROLLUP_BUDGET, rollup.pending >> 2));
  }

  /** Drops every batch whose TTL has passed (batches expire in write order, so only heads are looked at). */
  private expire(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const lane of this.lanes) {
      for (let b = lane.queue.peek(); b && b.writtenAt <= cutoff; b = lane.queue.peek()) {
        for (let i = b.head; i < b.items.length; i++) if (this.dropAt(lane, b, i)) this.dropped.expired++;
        lane.queue.shift();
      }
    }
  }

  private push<T>(lane: Lane<T>, items: T[], sizes: number[]): void {
    lane.queue.push({ seq: this.seq++, writtenAt: this.now(), items, sizes, head: 0 });
    this.evict();
  }

  /** Past the cap, removes the oldest items first, whichever signal they belong to. */
  private evict(): void {
    // Metric, series and trace entries count too (metadata, keys, maps): they leave with their last item.
    while (this.bytes + this.metrics.entryBytes + this.traces.entryBytes > this.maxBytes) {
      let oldest: Lane<unknown> | undefined;
      let oldestBatch: Batch<unknown> | undefined;
      for (const lane of this.lanes) {
        const b = lane.queue.peek();
        if (b && (!oldestBatch || b.seq < oldestBatch.seq)) {
          oldest = lane;
          oldestBatch = b;
        }
      }
      if (!oldest || !oldestBatch) {
        this.bytes = 0;
        return;
      }
      if (this.dropAt(oldest, oldestBatch, oldestBatch.head++)) this.dropped.evicted++;
      if (oldestBatch.head >= oldestBatch.items.length) oldest.queue.shift();
    }
  }

  /** Drops one slot; true when it held an item. */
  private dropAt<T>(lane: Lane<T>, batch: Batch<T>, i: number): boolean {
    const item = batch.items[i];
    if (item === undefined) {
      if (batch.replaced) batch.replaced--; // a replaced span's slot, already uncounted
    } else if (lane.drop(item)) this.bytes -= batch.sizes[i];
    // Let the item be collected even while the rest of its batch stays.
    batch.items[i] = undefined as T;
    return item !== undefined;
  }
}
