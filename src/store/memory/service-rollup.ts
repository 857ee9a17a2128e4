/**
 * @module store/memory/service-rollup: entry-span latencies and service-map edges kept up to
 * date per changed trace, not recomputed over every trace. Each trace's share comes from the
 * shared query/services ServiceAggregator, so the rules (entry span, edge, error) live there.
 */
import type { ServiceMapEdge, Span } from '../../model/model.js';
import { ServiceAggregator } from '../../query/services.js';

/** What one trace adds to the rollup. */
export interface TraceShare {
  /** Service → entry-span durations. */
  entries: Map<string, number[]>;
  edges: ServiceMapEdge[];
}

/** The part of a trace entry the rollup reads and writes. */
export interface RollupTrace {
  readonly spans: Map<string, Span>;
  alive: boolean;
  share: TraceShare | undefined;
}

type Latency = { p50Ms: number | null; p95Ms: number | null };

/** Nearest-rank percentile over value → count (same rank rule as query/services percentile). */
function percentiles(counts: Map<number, number>): Latency {
  let n = 0;
  for (const c of counts.values()) n += c;
  if (n === 0) return { p50Ms: null, p95Ms: null };
  const keys = Float64Array.from(counts.keys()).sort();
  const rank = (p: number): number => Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1));
  const want = [rank(50), rank(95)];
  const out: (number | null)[] = [null, null];
  let seen = 0;
  for (const k of keys) {
    seen += counts.get(k)!;
    for (let i = 0; i < 2; i++) if (out[i] === null && seen > want[i]) out[i] = k;
    if (out[1] !== null) break;
  }
  return { p50Ms: out[0], p95Ms: out[1] };
}

/** Service latencies and edges over all stored traces; traces are re-read only when marked changed. */
export class ServiceRollup {
  private readonly dirty = new Set<RollupTrace>();
  private readonly durations = new Map<string, Map<number, number>>();
  private readonly edges = new Map<string, ServiceMapEdge>();
  private readonly latencies = new Map<string, Latency>();

  /** Notes that a trace gained or lost spans (or is gone); O(1). */
  markChanged(t: RollupTrace): void {
    this.dirty.add(t);
  }

  /** p50/p95 of one service's entry spans. */
  latency(service: string): Latency {
    this.flush();
    let l = this.latencies.get(service);
    if (!l) {
      const counts = this.durations.get(service);
      l = counts ? percentiles(counts) : { p50Ms: null, p95Ms: null };
      this.latencies.set(service, l);
    }
    return l;
  }

  /** Edges sorted by source then target. */
  edgeList(): ServiceMapEdge[] {
    this.flush();
    return [...this.edges.values()].map((e) => ({ ...e }))
      .sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
  }

  /** Forgets everything. */
  clear(): void {
    this.dirty.clear();
    this.durations.clear();
    this.edges.clear();
    this.latencies.clear();
  }

  /** Folds in every trace changed since the last call (reads do it too; the store also calls it from its sweep timer). */
  flush(): void {
    for (const t of this.dirty) {
      if (t.share) this.apply(t.share, -1);
      t.share = undefined;
      if (!t.alive || t.spans.size === 0) continue;
      const agg = new ServiceAggregator();
      agg.addTrace([...t.spans.values()]);
      t.share = { entries: agg.entryDurations, edges: agg.edgeList() };
      this.apply(t.share, 1);
    }
    this.dirty.clear();
  }

  private apply(share: TraceShare, sign: 1 | -1): void {
    for (const [service, list] of share.entries) {
      let counts = this.durations.get(service);
      if (!counts) this.durations.set(service, (counts = new Map()));
      for (const d of list) {
        const c = (counts.get(d) ?? 0) + sign;
        if (c > 0) counts.set(d, c);
        else counts.delete(d);
      }
      if (counts.size === 0) this.durations.delete(service);
      this.latencies.delete(service);
    }
    for (const e of share.edges) {
      const key = e.source + '\u0000' + e.target;
      let sum = this.edges.get(key);
      if (!sum) this.edges.set(key, (sum = { source: e.source, target: e.target, callCount: 0, errorCount: 0 }));
      sum.callCount += sign * e.callCount;
      sum.errorCount += sign * e.errorCount;
      if (sum.callCount <= 0) this.edges.delete(key);
    }
  }
}
