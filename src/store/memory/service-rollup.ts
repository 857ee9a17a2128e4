/**
 * @module store/memory/service-rollup: entry spans (requests) and service-map edges kept up to
 * date per changed trace, not recomputed over every trace. The rules (entry span, peer call,
 * answered call) are query/services'; memory-store.test.ts pins the rollup to their plain
 * definition over whole traces.
 */
import type { OperationStats, RequestStats, ServiceMapEdge, ServiceMapNodeType, Span } from '../../model/model.js';
import { answersCall, type EntryRecord, isEntrySpan, operationsOf, peerOf, requestStats } from '../../query/services.js';
import { nanosToMs } from '../../query/traces.js';

/** One call along a service-map edge. */
interface EdgeRecord {
  source: string;
  target: string;
  targetType: ServiceMapNodeType;
  error: boolean;
  durationMs: number;
}

/** What one trace adds to the rollup. */
export interface TraceShare {
  /** Entry spans, each with its service. */
  entries: { service: string; rec: EntryRecord }[];
  /** One per cross-service call or peer call. */
  edges: EdgeRecord[];
}

/**
 * A trace's share: a span is an entry of its service when its parent is not stored or is of
 * another service (its edge is parent service → its service, timed by the child); a CLIENT or
 * PRODUCER span with a peer (database, messaging, external) and no instrumented answer is an
 * edge from its service to that peer, timed by the client span.
 */
function shareOf(spans: ReadonlyMap<string, Span>): TraceShare {
  const entries: TraceShare['entries'] = [];
  const edges: EdgeRecord[] = [];
  const answered = new Set<string>();
  for (const s of spans.values()) {
    const parent = s.parentSpanId === null ? undefined : spans.get(s.parentSpanId);
    if (parent !== undefined && answersCall(s, parent)) answered.add(parent.spanId);
  }
  for (const s of spans.values()) {
    const error = s.status.code === 'ERROR';
    if (!answered.has(s.spanId)) {
      const peer = peerOf(s);
      if (peer) edges.push({ source: s.service, target: peer.name, targetType: peer.type, error, durationMs: s.durationMs });
    }
    const parent = s.parentSpanId === null ? undefined : spans.get(s.parentSpanId);
    if (!isEntrySpan(s, parent)) continue;
    entries.push({ service: s.service, rec: { name: s.name, kind: s.kind, durationMs: s.durationMs, error, startMs: nanosToMs(s.startTimeUnixNano) } });
    if (parent !== undefined) edges.push({ source: parent.service, target: s.service, targetType: 'service', error, durationMs: s.durationMs });
  }
  return { entries, edges };
}

/** The part of a trace entry the rollup reads and writes. */
export interface RollupTrace {
  readonly spans: Map<string, Span>;
  alive: boolean;
  share: TraceShare | undefined;
}

interface EdgeSum {
  source: string;
  target: string;
  targetType: ServiceMapNodeType;
  callCount: number;
  errorCount: number;
  /** duration → calls */
  durations: Map<number, number>;
  p50Ms: number | null | undefined;
}

function median(counts: Map<number, number>, n: number): number | null {
  if (n <= 0) return null;
  const keys = Float64Array.from(counts.keys()).sort();
  const want = Math.min(n - 1, Math.max(0, Math.ceil(0.5 * n) - 1));
  let seen = 0;
  for (const k of keys) {
    seen += counts.get(k)!;
    if (seen > want) return k;
  }
  return keys.length > 0 ? keys[keys.length - 1] : null;
}

/** Per-service requests and service-map edges over all stored traces; traces are re-read only when marked changed. */
export class ServiceRollup {
  private readonly dirty = new Set<RollupTrace>();
  private readonly entries = new Map<string, Set<EntryRecord>>();
  private readonly stats = new Map<string, RequestStats>();
  private readonly edges = new Map<string, EdgeSum>();

  /** Notes that a trace gained or lost spans (or is gone); O(1). */
  markChanged(t: RollupTrace): void {
    this.dirty.add(t);
  }

  /** Traces changed and not yet folded in. */
  get pending(): number {
    return this.dirty.size;
  }

  /** Request statistics of one service's entry spans (cached until they change). */
  requests(service: string): RequestStats {
    this.flush();
    let s = this.stats.get(service);
    if (!s) {
      s = requestStats([...(this.entries.get(service) ?? [])]);
      this.stats.set(service, s);
    }
    return s;
  }

  /** The service's operations, or undefined when it has no entry span. */
  operations(service: string): OperationStats[] | undefined {
    this.flush();
    const set = this.entries.get(service);
    return set ? operationsOf([...set]) : undefined;
  }

  /** Edges sorted by source then target, with their target's node type. */
  edgeList(): (ServiceMapEdge & { targetType: ServiceMapNodeType })[] {
    this.flush();
    return [...this.edges.values()].map((e) => {
      if (e.p50Ms === undefined) e.p50Ms = median(e.durations, e.callCount);
      return { source: e.source, target: e.target, callCount: e.callCount, errorCount: e.errorCount, p50Ms: e.p50Ms, targetType: e.targetType };
    }).sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
  }

  /** Forgets everything. */
  clear(): void {
    this.dirty.clear();
    this.entries.clear();
    this.stats.clear();
    this.edges.clear();
  }

  /**
   * Folds in the traces changed since the last call: all of them (reads do that), or at most
   * `budget` (the store's sweep timer, so that no single tick holds up ingestion for long).
   */
  flush(budget = Infinity): void {
    let n = 0;
    for (const t of this.dirty) {
      if (n++ >= budget) return;
      this.dirty.delete(t);
      if (t.share) this.apply(t.share, -1);
      t.share = undefined;
      if (!t.alive || t.spans.size === 0) continue;
      t.share = shareOf(t.spans);
      this.apply(t.share, 1);
    }
  }

  private apply(share: TraceShare, sign: 1 | -1): void {
    for (const { service, rec } of share.entries) {
      let set = this.entries.get(service);
      if (!set) this.entries.set(service, (set = new Set()));
      if (sign > 0) set.add(rec);
      else set.delete(rec);
      if (set.size === 0) this.entries.delete(service);
      this.stats.delete(service);
    }
    for (const e of share.edges) {
      const key = e.source + '\u0000' + e.target;
      let sum = this.edges.get(key);
      if (!sum) {
        this.edges.set(key, (sum = {
          source: e.source, target: e.target, targetType: e.targetType, callCount: 0, errorCount: 0, durations: new Map(), p50Ms: undefined,
        }));
      }
      // An instrumented service wins over a peer of the same name.
      if (e.targetType === 'service') sum.targetType = 'service';
      sum.callCount += sign;
      if (e.error) sum.errorCount += sign;
      const c = (sum.durations.get(e.durationMs) ?? 0) + sign;
      if (c > 0) sum.durations.set(e.durationMs, c);
      else sum.durations.delete(e.durationMs);
      sum.p50Ms = undefined;
      if (sum.callCount <= 0) this.edges.delete(key);
    }
  }
}
