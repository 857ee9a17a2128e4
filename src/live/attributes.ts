/**
 * @module live/attributes: the attribute catalog behind GET /api/attributes (CONTRACT §7): bounded
 * counts of the attribute keys and values seen at ingest (span, resource, log and point
 * attributes), per signal and service, in one-minute buckets that expire with the retention.
 *
 * An ingest observer with a bounded cost: the observer only queues the batch; the counting runs on
 * a later turn of the event loop, at most MAX_ITEMS_PER_SECOND items a second (past that, batches
 * are skipped: the counts become a sample, which is all autocomplete needs). The catalog is this
 * process's: a Redis-backed instance restarted over old data suggests only what arrived since.
 */
import type { Attributes, LogRecord, MetricSample, Span } from '../model/model.js';
import type { IngestEvent } from '../ingest/ingester.js';
import { attrText } from '../query/traces.js';
import { head } from '../normalise/attributes.js';

export type AttributeSignal = 'traces' | 'logs' | 'metrics';

/** Counting budget: items (spans, logs, points) counted per second. */
export const MAX_ITEMS_PER_SECOND = 5000;
/** Batches waiting to be counted. */
const MAX_QUEUED_ITEMS = 20_000;
const BUCKET_MS = 60_000;
/** Per bucket, signal and service. */
const MAX_KEYS = 500;
/** Per bucket, signal, service and key. */
const MAX_VALUES = 200;
const MAX_SERVICES = 200;
/** Longer values are counted under their first this many characters. */
const MAX_VALUE_CHARS = 200;
/** Rows answered (CONTRACT §7). */
export const MAX_ROWS = 200;

interface KeyStats {
  count: number;
  values: Map<string, number>;
}

/** signal → service → key → stats */
type BucketData = Map<AttributeSignal, Map<string, Map<string, KeyStats>>>;

interface Bucket {
  index: number;
  data: BucketData;
}

export interface AttributeQuery {
  /** All signals when unset. */
  signal?: AttributeSignal;
  service?: string;
  /** Case-insensitive prefix of the key (keys) or the value (values). */
  prefix?: string;
}

function countInto(byKey: Map<string, KeyStats>, attrs: Attributes): void {
  for (const name in attrs) {
    // Copies, not slices: a V8 slice of a long key or value would keep the whole original alive.
    const key = head(name, MAX_VALUE_CHARS);
    let k = byKey.get(key);
    if (!k) {
      if (byKey.size >= MAX_KEYS) continue;
      byKey.set(key, (k = { count: 0, values: new Map() }));
    }
    k.count++;
    const text = head(attrText(attrs[name]), MAX_VALUE_CHARS);
    const n = k.values.get(text);
    if (n !== undefined) k.values.set(text, n + 1);
    else if (k.values.size < MAX_VALUES) k.values.set(text, 1);
  }
}

function top<T extends { count: number }>(rows: Map<string, number>, make: (name: string, count: number) => T, name: (t: T) => string): T[] {
  return [...rows].map(([n, c]) => make(n, c))
    .sort((a, b) => b.count - a.count || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0))
    .slice(0, MAX_ROWS);
}

/** The catalog of one store. */
export class AttributeCatalog {
  private buckets: Bucket[] = [];
  private queue: IngestEvent[] = [];
  private queued = 0;
  private scheduled = false;
  private budgetSecond = -1;
  private budgetUsed = 0;
  /** Items not counted (budget or queue full). */
  skipped = 0;

  constructor(private readonly ttlSeconds: number, private readonly now: () => number = Date.now) {}

  /** The ingest observer: queues the batch (bounded) for counting on a later turn. Never throws. */
  readonly observer = (event: IngestEvent): void => {
    const n = event.items.length;
    const second = Math.floor(this.now() / 1000);
    if (second !== this.budgetSecond) { this.budgetSecond = second; this.budgetUsed = 0; }
    if (this.budgetUsed + n > MAX_ITEMS_PER_SECOND || this.queued + n > MAX_QUEUED_ITEMS) { this.skipped += n; return; }
    this.budgetUsed += n;
    this.queued += n;
    this.queue.push(event);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  };

  /** Counts everything queued now (the API calls it before answering, so an answer includes what was stored). */
  drain(): void {
    this.scheduled = false;
    const events = this.queue;
    this.queue = [];
    this.queued = 0;
    for (const e of events) this.count(e);
  }

  private bucket(): Bucket {
    const index = Math.floor(this.now() / BUCKET_MS);
    let b = this.buckets[this.buckets.length - 1];
    if (!b || b.index !== index) {
      b = { index, data: new Map() };
      this.buckets.push(b);
      this.prune();
    }
    return b;
  }

  private prune(): void {
    const oldest = Math.floor((this.now() - this.ttlSeconds * 1000) / BUCKET_MS);
    while (this.buckets.length > 0 && this.buckets[0].index < oldest) this.buckets.shift();
  }

  private keysOf(data: BucketData, signal: AttributeSignal, service: string): Map<string, KeyStats> | undefined {
    let bySvc = data.get(signal);
    if (!bySvc) data.set(signal, (bySvc = new Map()));
    let byKey = bySvc.get(service);
    if (!byKey) {
      if (bySvc.size >= MAX_SERVICES) return undefined;
      bySvc.set(service, (byKey = new Map()));
    }
    return byKey;
  }

  private count(e: IngestEvent): void {
    const data = this.bucket().data;
    if (e.signal === 'traces') {
      for (const s of e.items as readonly Span[]) {
        const byKey = this.keysOf(data, 'traces', s.service);
        if (!byKey) continue;
        countInto(byKey, s.attributes);
        countInto(byKey, s.resource);
      }
    } else if (e.signal === 'logs') {
      for (const l of e.items as readonly LogRecord[]) {
        const byKey = this.keysOf(data, 'logs', l.service);
        if (!byKey) continue;
        countInto(byKey, l.attributes);
        countInto(byKey, l.resource);
      }
    } else {
      for (const m of e.items as readonly MetricSample[]) {
        const byKey = this.keysOf(data, 'metrics', m.service);
        if (byKey) countInto(byKey, m.labels);
      }
    }
  }

  private each(q: AttributeQuery, visit: (byKey: Map<string, KeyStats>) => void): void {
    this.drain();
    this.prune();
    for (const b of this.buckets) {
      for (const [signal, bySvc] of b.data) {
        if (q.signal !== undefined && signal !== q.signal) continue;
        for (const [service, byKey] of bySvc) {
          if (q.service !== undefined && service !== q.service) continue;
          visit(byKey);
        }
      }
    }
  }

  /** Keys seen, most frequent first, at most MAX_ROWS. */
  keys(q: AttributeQuery): { key: string; count: number }[] {
    const prefix = q.prefix?.toLowerCase();
    const totals = new Map<string, number>();
    this.each(q, (byKey) => {
      for (const [key, k] of byKey) {
        if (prefix !== undefined && !key.toLowerCase().startsWith(prefix)) continue;
        totals.set(key, (totals.get(key) ?? 0) + k.count);
      }
    });
    return top(totals, (key, count) => ({ key, count }), (r) => r.key);
  }

  /** Values seen for one key, most frequent first, at most MAX_ROWS. */
  values(key: string, q: AttributeQuery): { value: string; count: number }[] {
    const prefix = q.prefix?.toLowerCase();
    const totals = new Map<string, number>();
    this.each(q, (byKey) => {
      const k = byKey.get(key);
      if (!k) return;
      for (const [value, n] of k.values) {
        if (prefix !== undefined && !value.toLowerCase().startsWith(prefix)) continue;
        totals.set(value, (totals.get(value) ?? 0) + n);
      }
    });
    return top(totals, (value, count) => ({ value, count }), (r) => r.value);
  }

  /** Forgets everything (DELETE /api/data). */
  clear(): void {
    this.buckets = [];
    this.queue = [];
    this.queued = 0;
  }
}
