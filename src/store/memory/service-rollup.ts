/**
 * @module store/memory/service-rollup: entry-span latencies and service-map edges kept up to
 * date per changed trace, not recomputed over every trace. A trace's share is kept in flat arrays
 * because this runs for every trace written and every trace evicted; memory-store.test.ts pins the
 * rules (entry span, edge, error) to their plain definition over whole traces.
 */
import type { ServiceMapEdge, Span } from '../../model/model.js';

/** What one trace adds to the rollup, flat. */
export interface TraceShare {
  /** Entry spans: service, durationMs, service, durationMs, … */
  entries: (string | number)[];
  /** One per cross-service call: parent service, child service, 1 if the child is an error else 0, … */
  edges: (string | number)[];
}

/** A trace's share: a span is an entry of its service when its parent is not stored or is of another service. */
function shareOf(spans: ReadonlyMap<string, Span>): TraceShare {
  const entries: (string | number)[] = [];
  const edges: (string | number)[] = [];
  for (const s of spans.values()) {
    const parent = s.parentSpanId === null ? undefined : spans.get(s.parentSpanId);
    if (parent !== undefined && parent.service === s.service) continue;
    entries.push(s.service, s.durationMs);
    if (parent !== undefined) edges.push(parent.service, s.service, s.status.code === 'ERROR' ? 1 : 0);
  }
  return { entries, edges };
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

  /** Traces changed and not yet folded in. */
  get pending(): number {
    return this.dirty.size;
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
    const { entries, edges } = share;
    for (let i = 0; i < entries.length; i += 2) {
      const service = entries[i] as string;
      const d = entries[i + 1] as number;
      let counts = this.durations.get(service);
      if (!counts) this.durations.set(service, (counts = new Map()));
      const c = (counts.get(d) ?? 0) + sign;
      if (c > 0) counts.set(d, c);
      else counts.delete(d);
      if (counts.size === 0) this.durations.delete(service);
      this.latencies.delete(service);
    }
    for (let i = 0; i < edges.length; i += 3) {
      const source = edges[i] as string;
      const target = edges[i + 1] as string;
      const key = source + '\u0000' + target;
      let sum = this.edges.get(key);
      if (!sum) this.edges.set(key, (sum = { source, target, callCount: 0, errorCount: 0 }));
      sum.callCount += sign;
      sum.errorCount += sign * (edges[i + 2] as number);
      if (sum.callCount <= 0) this.edges.delete(key);
    }
  }
}
