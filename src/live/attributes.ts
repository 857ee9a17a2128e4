/**
 * @module live/attributes: the attribute catalog behind GET /api/attributes (CONTRACT §7): bounded
 * counts of the attribute keys and values seen at ingest (span, resource, log and point
 * attributes), per signal and service, in one-minute buckets that expire with the retention.
 *
 * An ingest observer with a bounded cost: the observer only queues the batch; the counting runs on
 * a later turn of the event loop, at most MAX_ITEMS_PER_SECOND items a second (past that, batches
 * are skipped: the counts become a sample, which is all autocomplete needs). The catalog is this
 * process's: a Redis-backed instance restarted over old data suggests only what arrived since.
 * Bounded by count (keys, values, services) and by bytes: each bucket holds at most its share of
 * DEFAULT_MAX_BYTES, past which new keys and values are not remembered (known ones still count).
 */
import type { Attributes, LogRecord, MetricSample, Span } from '../model/model.js';
import type { IngestEvent } from '../ingest/ingester.js';
import { attrText } from '../query/traces.js';
import { head } from '../model/value-rules.js';

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
/**
 * The catalog's byte budget over the retention (estimated: UTF-16 characters plus the Map entries'
 * overhead), split evenly between the buckets the TTL spans. The count bounds alone allowed 3 signals
 * × 200 services × 500 keys × 200 values of 200 characters a minute; the hostile shapes filled
 * about 6 MiB a minute (issue 11).
 */
export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
/** The least one minute's bucket may hold, however long the TTL. */
const BUCKET_FLOOR_BYTES = 1024 * 1024;
/** Estimated bytes of a new key (Map entry, KeyStats, its value Map) and of a new value (Map entry). */
const KEY_OVERHEAD_BYTES = 160;
const VALUE_OVERHEAD_BYTES = 40;

interface KeyStats {
  count: number;
  values: Map<string, number>;
}

/** signal → service → key → stats */
type BucketData = Map<AttributeSignal, Map<string, Map<string, KeyStats>>>;

interface Bucket {
  index: number;
  data: BucketData;
  /** Estimated bytes held (see DEFAULT_MAX_BYTES). */
  bytes: number;
}

export interface AttributeQuery {
  /** All signals when unset. */
  signal?: AttributeSignal;
  service?: string;
  /** Case-insensitive prefix of the key (keys) or the value (values). */
  prefix?: string;
}

function countInto(b: Bucket, maxBytes: number, byKey: Map<string, KeyStats>, attrs: Attributes): void {
  for (const name in attrs) {
    // Copies, not slices: a V8 slice of a long key or value would keep the whole original alive.
    const key = head(name, MAX_VALUE_CHARS);
    let k = byKey.get(key);
    if (!k) {
      const cost = KEY_OVERHEAD_BYTES + 2 * key.length;
      if (byKey.size >= MAX_KEYS || b.bytes + cost > maxBytes) continue;
      byKey.set(key, (k = { count: 0, values: new Map() }));
      b.bytes += cost;
    }
    k.count++;
    const text = head(attrText(attrs[name]), MAX_VALUE_CHARS);
    const n = k.values.get(text);
    if (n !== undefined) k.values.set(text, n + 1);
    else if (k.values.size < MAX_VALUES) {
      const cost = VALUE_OVERHEAD_BYTES + 2 * text.length;
      if (b.bytes + cost > maxBytes) continue;
      k.values.set(text, 1);
      b.bytes += cost;
    }
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

  /**
   * Bytes one bucket may hold: its share of the budget over the buckets the TTL spans, but at least
   * BUCKET_FLOOR_BYTES (a day's TTL would leave each minute 11 KB: a catalog that learns nothing).
   * The whole stays under `maxBytes` because prune() drops the oldest buckets past it.
   */
  private readonly bucketMaxBytes: number;

  /** `maxBytes`: the budget over the whole retention (DEFAULT_MAX_BYTES). */
  constructor(private readonly ttlSeconds: number, private readonly now: () => number = Date.now, readonly maxBytes = DEFAULT_MAX_BYTES) {
    const share = Math.floor(maxBytes / (Math.ceil((ttlSeconds * 1000) / BUCKET_MS) + 1));
    this.bucketMaxBytes = Math.max(share, Math.min(maxBytes, BUCKET_FLOOR_BYTES));
  }

  /** Estimated bytes held by the buckets now (at most the budget). */
  get bytes(): number {
    let n = 0;
    for (const b of this.buckets) n += b.bytes;
    return n;
  }

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
      b = { index, data: new Map(), bytes: 0 };
      this.buckets.push(b);
      this.prune();
    }
    return b;
  }

  /** Drops the buckets past the TTL, then the oldest while the rest and a full new bucket would pass maxBytes. */
  private prune(): void {
    const oldest = Math.floor((this.now() - this.ttlSeconds * 1000) / BUCKET_MS);
    while (this.buckets.length > 0 && this.buckets[0].index < oldest) this.buckets.shift();
    let total = this.bytes;
    while (this.buckets.length > 1 && total + this.bucketMaxBytes > this.maxBytes) total -= this.buckets.shift()!.bytes;
  }

  private keysOf(b: Bucket, signal: AttributeSignal, service: string): Map<string, KeyStats> | undefined {
    let bySvc = b.data.get(signal);
    if (!bySvc) b.data.set(signal, (bySvc = new Map()));
    let byKey = bySvc.get(service);
    if (!byKey) {
      // A service is a key of the query (?service=): kept whole, but its characters are counted.
      const cost = KEY_OVERHEAD_BYTES + 2 * service.length;
      if (bySvc.size >= MAX_SERVICES || b.bytes + cost > this.bucketMaxBytes) return undefined;
      bySvc.set(service, (byKey = new Map()));
      b.bytes += cost;
    }
    return byKey;
  }

  private count(e: IngestEvent): void {
    const b = this.bucket();
    const max = this.bucketMaxBytes;
    if (e.signal === 'traces') {
      for (const s of e.items as readonly Span[]) {
        const byKey = this.keysOf(b, 'traces', s.service);
        if (!byKey) continue;
        countInto(b, max, byKey, s.attributes);
        countInto(b, max, byKey, s.resource);
      }
    } else if (e.signal === 'logs') {
      for (const l of e.items as readonly LogRecord[]) {
        const byKey = this.keysOf(b, 'logs', l.service);
        if (!byKey) continue;
        countInto(b, max, byKey, l.attributes);
        countInto(b, max, byKey, l.resource);
      }
    } else {
      for (const m of e.items as readonly MetricSample[]) {
        const byKey = this.keysOf(b, 'metrics', m.service);
        if (byKey) countInto(b, max, byKey, m.labels);
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
