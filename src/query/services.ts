/**
 * @module query/services: the request and service-map rules shared by every store (CONTRACT §4,
 * §5): entry spans and their statistics, per-operation breakdowns, which client spans call a
 * database, messaging system or uninstrumented peer. Each store keeps the records up to date where
 * it holds them (memory: service-rollup, Redis: the ingest script and per-bucket hashes); a test
 * pins the memory store's to their plain definition.
 */
import type {
  AttrValue, OperationStats, RequestStats, ServiceMapNodeType, Span, SpanKind,
} from '../model/model.js';
import { attributeOf } from '../wire/wire-backed.js';

/** Buckets of an operation's sparkline. */
export const SPARKLINE_BUCKETS = 30;

/** Nearest-rank percentile (p in 0..100) of unsorted values; null for none. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  return sortedPercentile(sorted, p);
}

/** Nearest-rank percentile of ascending values; null for none. */
export function sortedPercentile(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** One entry span (a request of its service), as the request statistics need it. */
export interface EntryRecord {
  name: string;
  kind: SpanKind;
  durationMs: number;
  error: boolean;
  /** Span start, unix ms. */
  startMs: number;
}

/** A span is an entry span of its service when its parent is not stored or belongs to another service. */
export function isEntrySpan(span: Span, parent: Span | undefined): boolean {
  return parent === undefined || parent.service !== span.service;
}

/**
 * The covered time of a service's requests, ms: first to last entry-span start, at least 1 s
 * (a single request, or a burst inside one clock tick, is not an infinite rate).
 */
function coveredMs(first: number, last: number): number {
  return Math.max(1000, last - first);
}

/** Request statistics over entry records (empty: zeros and nulls); first/last bound the covered time. */
export function requestStats(entries: readonly EntryRecord[], first?: number, last?: number): RequestStats {
  if (entries.length === 0) return { requestCount: 0, requestErrorCount: 0, p50Ms: null, p95Ms: null, p99Ms: null, ratePerMinute: 0 };
  let errors = 0;
  let lo = Infinity;
  let hi = -Infinity;
  const durations = new Float64Array(entries.length);
  entries.forEach((e, i) => {
    durations[i] = e.durationMs;
    if (e.error) errors++;
    if (e.startMs < lo) lo = e.startMs;
    if (e.startMs > hi) hi = e.startMs;
  });
  durations.sort();
  const window = coveredMs(first ?? lo, last ?? hi);
  return {
    requestCount: entries.length,
    requestErrorCount: errors,
    p50Ms: sortedPercentile(durations, 50),
    p95Ms: sortedPercentile(durations, 95),
    p99Ms: sortedPercentile(durations, 99),
    ratePerMinute: Math.round((entries.length * 60_000 / window) * 1000) / 1000,
  };
}

/**
 * A service's operations: its entry records grouped by span name (kind: the most frequent among
 * them), busiest first (then by name). Rates and sparklines share the service's covered time.
 */
export function operationsOf(entries: readonly EntryRecord[]): OperationStats[] {
  let first = Infinity;
  let last = -Infinity;
  const groups = new Map<string, EntryRecord[]>();
  for (const e of entries) {
    if (e.startMs < first) first = e.startMs;
    if (e.startMs > last) last = e.startMs;
    let g = groups.get(e.name);
    if (!g) groups.set(e.name, (g = []));
    g.push(e);
  }
  const width = (last - first) / SPARKLINE_BUCKETS;
  const out: OperationStats[] = [];
  for (const [name, list] of groups) {
    const kinds = new Map<SpanKind, number>();
    const sparkline = new Array<number>(SPARKLINE_BUCKETS).fill(0);
    for (const e of list) {
      kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
      const b = width > 0 ? Math.min(SPARKLINE_BUCKETS - 1, Math.floor((e.startMs - first) / width)) : SPARKLINE_BUCKETS - 1;
      sparkline[b]++;
    }
    let kind: SpanKind = list[0].kind;
    for (const [k, n] of kinds) if (n > kinds.get(kind)!) kind = k;
    out.push({ name, kind, ...requestStats(list, first, last), sparkline });
  }
  return out.sort((a, b) => b.requestCount - a.requestCount || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** One span attribute, decoded alone when the span keeps its wire bytes (wire/wire-backed.ts attributeOf). */
export function spanAttribute(s: Span, key: string): AttrValue | undefined {
  return attributeOf(s, key);
}

function text(s: Span, key: string): string | undefined {
  const v = spanAttribute(s, key);
  if (v === undefined || v === null || typeof v === 'object') return undefined;
  const t = String(v).trim();
  return t === '' ? undefined : t.slice(0, 200);
}

/** Attributes whose presence makes a database span a call (a query or command), not pool or connection upkeep. */
const DB_CALL_KEYS = ['db.query.text', 'db.statement', 'db.operation.name', 'db.operation', 'db.query.summary'];

/** The node a CLIENT/PRODUCER span calls when no instrumented span answers it. */
export interface PeerNode {
  name: string;
  type: Exclude<ServiceMapNodeType, 'service'>;
}

/**
 * The database, messaging system or external peer a CLIENT or PRODUCER span calls (CONTRACT §4),
 * from semantic conventions: `db.system.name`/`db.system` (+ `db.namespace`/`db.name`),
 * `messaging.system` (+ `messaging.destination.name`), else `peer.service`/`server.address`.
 * Undefined for other kinds and for database spans that carry neither a statement nor an
 * operation (pool checkouts and connects, e.g. `pg-pool.connect`, are not calls of the database).
 */
export function peerOf(s: Span): PeerNode | undefined {
  if (s.kind !== 'CLIENT' && s.kind !== 'PRODUCER') return undefined;
  const db = text(s, 'db.system.name') ?? text(s, 'db.system');
  if (db !== undefined) {
    if (!DB_CALL_KEYS.some((k) => spanAttribute(s, k) !== undefined)) return undefined;
    const ns = text(s, 'db.namespace') ?? text(s, 'db.name');
    return { name: ns === undefined ? db : `${db} ${ns}`, type: 'database' };
  }
  const mq = text(s, 'messaging.system');
  if (mq !== undefined) {
    const dest = text(s, 'messaging.destination.name');
    return { name: dest === undefined ? mq : `${mq} ${dest}`, type: 'messaging' };
  }
  const peer = text(s, 'peer.service') ?? text(s, 'server.address') ?? text(s, 'net.peer.name');
  return peer === undefined ? undefined : { name: peer, type: 'external' };
}

/**
 * Whether `child` is an instrumented answer to its parent's call: a span of another service, or
 * a SERVER/CONSUMER span. A client span's own INTERNAL children (dns.lookup, tcp.connect) are not.
 */
export function answersCall(child: Span, parent: Span): boolean {
  return child.service !== parent.service || child.kind === 'SERVER' || child.kind === 'CONSUMER';
}
