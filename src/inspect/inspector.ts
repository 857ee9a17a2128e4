/**
 * @module inspect/inspector: the ingest inspector's state (CONTRACT §8): a bounded ring of request
 * records and a per-service, per-signal summary. Receivers hand it what they already know about each
 * request (inspect/http.ts, receivers/grpc.ts); the ingester's observer seam tells it the services
 * of what was stored. Recording is O(1) per request (plus one pass over the stored batch for its
 * service names) and never awaits; the query side is api/ingest.ts.
 *
 * Bounded by count (the ring's capacity) and by bytes (DEFAULT_MAX_BYTES, oldest records first): a
 * record holds copies of at most MAX_TEXT characters of each text, never a slice of a header, a
 * message or a service name that would keep the whole original alive.
 */
import type { IngestEvent } from '../ingest/ingester.js';
import { compact, MAX_SERVICE_CHARS, own } from '../model/value-rules.js';
import { sdkOf, type SdkInfo } from './user-agent.js';

export type InspectSignal = 'traces' | 'logs' | 'metrics';

/** One OTLP request as GET /api/ingest/requests returns it. */
export interface IngestRequestRecord {
  id: string;
  /** Unix seconds (float), when the request arrived. */
  timestamp: number;
  transport: 'grpc' | 'http';
  port: number;
  path: string;
  signal: InspectSignal | null;
  encoding: 'protobuf' | 'json' | 'seed-json' | null;
  compression: 'gzip' | 'deflate' | null;
  bytes: number | null;
  inflatedBytes: number | null;
  peer: string | null;
  userAgent: string | null;
  sdk: SdkInfo | null;
  services: string[];
  accepted: number;
  rejected: number;
  result: 'ok' | 'partial' | 'refused';
  status: number | string;
  reason: string | null;
  hint: string | null;
  durationMs: number;
}

/** What a receiver knows of a request; the inspector derives id, sdk and result. */
export type RequestFacts = Omit<IngestRequestRecord, 'id' | 'sdk' | 'result' | 'services'> & { services?: string[] };

/** The per-request context a receiver passes to the ingester; the observer fills in its services. */
export interface InspectContext {
  services?: string[];
}

export interface SignalSummary {
  lastSeen: number;
  requests: number;
  accepted: number;
  rejected: number;
}

export interface ServiceSummary {
  name: string;
  signals: Partial<Record<InspectSignal, SignalSummary>>;
  sdks: string[];
}

export interface DropTotals {
  evicted: number;
  expired: number;
  rejected: number;
  refusedRequests: number;
}

export interface RequestFilter {
  limit?: number;
  result?: string;
  signal?: string;
  service?: string;
}

/** Services kept per request record and SDKs per service: bounds against hostile batches. */
const MAX_SERVICES_PER_REQUEST = 32;
const MAX_SDKS_PER_SERVICE = 8;
/** Services in the summary; past it, the least recently seen one is forgotten. */
export const MAX_SUMMARY_SERVICES = 1000;
const MAX_TEXT = 1024;
/** The ring's byte budget (estimated: UTF-16 characters plus a record's fixed cost); past it the oldest records go. */
export const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;
const RECORD_OVERHEAD_BYTES = 400;

function cut(s: string | null): string | null {
  return s === null ? null : own(s, MAX_TEXT);
}

/** The name a record and the summary keep for a service (and filter by). */
export function serviceKey(name: string): string {
  return compact(name, MAX_SERVICE_CHARS);
}

function textBytes(rec: IngestRequestRecord): number {
  let chars = rec.path.length + (rec.userAgent?.length ?? 0) + (rec.reason?.length ?? 0) + (rec.hint?.length ?? 0) + (rec.peer?.length ?? 0);
  for (const s of rec.services) chars += s.length;
  return RECORD_OVERHEAD_BYTES + 2 * chars;
}

/** The service names of a stored batch, in first-seen order (bounded; items of one resource share a name). */
export function servicesOf(event: IngestEvent): string[] {
  const out: string[] = [];
  let last: string | undefined;
  for (const item of event.items) {
    const s = item.service;
    if (s === last) continue;
    last = s;
    if (!out.includes(s)) {
      out.push(s);
      if (out.length >= MAX_SERVICES_PER_REQUEST) break;
    }
  }
  return out;
}

export class Inspector {
  private readonly ring: (IngestRequestRecord | undefined)[];
  /** Estimated bytes of each ring slot's record. */
  private readonly sizes: Float64Array;
  private next = 0;
  private count_ = 0;
  private bytes_ = 0;
  private seq = 0;
  private readonly services = new Map<string, ServiceSummary>();
  private rejectedItems = 0;
  private refusedRequests = 0;

  /**
   * `capacity`: how many request records are kept (TINYOLLY_INSPECTOR_REQUESTS); `maxBytes`: their
   * estimated bytes at most (the newest record is always kept).
   */
  constructor(readonly capacity: number, private readonly now: () => number = Date.now, private readonly maxBytes = DEFAULT_MAX_BYTES) {
    this.ring = new Array<IngestRequestRecord | undefined>(Math.max(1, capacity));
    this.sizes = new Float64Array(this.ring.length);
  }

  /** Estimated bytes of the records held (at most `maxBytes`, unless one record alone is more). */
  get bytes(): number {
    return this.bytes_;
  }

  /** The ingest observer: fills in the services of the request the event came from. */
  readonly observe = (event: IngestEvent): void => {
    const ctx = event.context as InspectContext | undefined;
    if (ctx && typeof ctx === 'object') ctx.services = servicesOf(event);
  };

  private lastUa: string | null = null;
  private lastSdk: SdkInfo | null = null;

  /** sdkOf, remembering the last answer: an exporter sends the same User-Agent on every request. */
  private sdkOf(ua: string | null): SdkInfo | null {
    if (ua !== this.lastUa) {
      // The lookup's strings are regexp matches: slices of the header. Copies keep neither alive.
      const sdk = sdkOf(ua ?? undefined);
      this.lastUa = ua === null ? null : own(ua, MAX_TEXT);
      this.lastSdk = sdk && { name: own(sdk.name, MAX_TEXT), language: own(sdk.language, MAX_TEXT), version: own(sdk.version, MAX_TEXT) };
    }
    return this.lastSdk;
  }

  /** Records one finished request (O(1): overwrites the oldest record once the ring is full). */
  record(facts: RequestFacts): IngestRequestRecord {
    const result = facts.accepted === 0 && (facts.rejected > 0 || (facts.status !== 200 && facts.status !== 'OK')) ? 'refused'
      : facts.rejected > 0 ? 'partial' : 'ok';
    const rec: IngestRequestRecord = {
      id: String(++this.seq),
      timestamp: facts.timestamp,
      transport: facts.transport,
      port: facts.port,
      path: cut(facts.path) ?? '',
      signal: facts.signal,
      encoding: facts.encoding,
      compression: facts.compression,
      bytes: facts.bytes,
      inflatedBytes: facts.inflatedBytes,
      peer: cut(facts.peer),
      userAgent: cut(facts.userAgent),
      sdk: this.sdkOf(facts.userAgent),
      // Compacted names of distinct services stay distinct (length + hash), and are counted once each.
      services: [...new Set((facts.services ?? []).slice(0, MAX_SERVICES_PER_REQUEST).map(serviceKey))],
      accepted: facts.accepted,
      rejected: facts.rejected,
      result,
      status: facts.status,
      reason: cut(facts.reason),
      hint: cut(facts.hint),
      durationMs: facts.durationMs,
    };
    if (this.count_ === this.ring.length) this.dropOldest();
    const size = textBytes(rec);
    while (this.count_ > 0 && this.bytes_ + size > this.maxBytes) this.dropOldest();
    this.ring[this.next] = rec;
    this.sizes[this.next] = size;
    this.bytes_ += size;
    this.count_++;
    this.next = (this.next + 1) % this.ring.length;
    this.rejectedItems += rec.rejected;
    if (result === 'refused') this.refusedRequests++;
    if (rec.signal) for (const name of rec.services) this.count(name, rec);
    return rec;
  }

  private dropOldest(): void {
    const i = (this.next - this.count_ + this.ring.length) % this.ring.length;
    this.ring[i] = undefined;
    this.bytes_ -= this.sizes[i];
    this.sizes[i] = 0;
    this.count_--;
  }

  private count(name: string, rec: IngestRequestRecord): void {
    let s = this.services.get(name);
    if (s) {
      this.services.delete(name); // re-inserted below: the Map stays in least-recently-seen order
    } else {
      s = { name, signals: {}, sdks: [] };
      if (this.services.size >= MAX_SUMMARY_SERVICES) this.services.delete(this.services.keys().next().value as string);
    }
    this.services.set(name, s);
    const sig = s.signals[rec.signal!] ??= { lastSeen: 0, requests: 0, accepted: 0, rejected: 0 };
    sig.lastSeen = rec.timestamp;
    sig.requests++;
    sig.accepted += rec.accepted;
    sig.rejected += rec.rejected;
    if (rec.sdk) {
      const label = `${rec.sdk.name}/${rec.sdk.version}`;
      if (!s.sdks.includes(label) && s.sdks.length < MAX_SDKS_PER_SERVICE) s.sdks.push(label);
    }
  }

  /** Records newest first, filtered; `limit` defaults to 100 and is capped at the capacity. */
  requests(filter: RequestFilter = {}): IngestRequestRecord[] {
    const limit = Math.min(Math.max(1, filter.limit ?? 100), this.ring.length);
    const service = filter.service ? serviceKey(filter.service) : undefined;
    const out: IngestRequestRecord[] = [];
    for (let k = 1; k <= this.count_ && out.length < limit; k++) {
      const rec = this.ring[(this.next - k + this.ring.length) % this.ring.length];
      if (!rec) break;
      if (filter.result && rec.result !== filter.result) continue;
      if (filter.signal && rec.signal !== filter.signal) continue;
      if (service && !rec.services.includes(service)) continue;
      out.push(rec);
    }
    return out;
  }

  /** Records held now (at most the capacity). */
  get size(): number {
    return this.count_;
  }

  /** Services most recently seen first; `dropped` merges the store's own drop counts. */
  summary(storeDrops: { evicted: number; expired: number } = { evicted: 0, expired: 0 }): { services: ServiceSummary[]; dropped: DropTotals } {
    return {
      services: [...this.services.values()].reverse(),
      dropped: { evicted: storeDrops.evicted, expired: storeDrops.expired, rejected: this.rejectedItems, refusedRequests: this.refusedRequests },
    };
  }

  /** Forgets every record and count (DELETE /api/data does not: the inspector is about requests, not data). */
  clear(): void {
    this.ring.fill(undefined);
    this.sizes.fill(0);
    this.next = 0;
    this.count_ = 0;
    this.bytes_ = 0;
    this.services.clear();
    this.rejectedItems = 0;
    this.refusedRequests = 0;
  }

  /** Unix seconds now, for the receivers' `timestamp`. */
  nowSeconds(): number {
    return this.now() / 1000;
  }
}
