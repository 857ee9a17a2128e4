/**
 * @module query/services: service-level derivations shared by every store: entry spans,
 * latency percentiles and service-map edges (CONTRACT §5).
 */
import type { ServiceMapEdge, Span } from '../model/model.js';

/** Nearest-rank percentile (p in 0..100) of unsorted values; null for none. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** Accumulates per-service entry-span durations and cross-service edges over whole traces. */
export class ServiceAggregator {
  readonly entryDurations = new Map<string, number[]>();
  private readonly edges = new Map<string, ServiceMapEdge>();

  /** Adds the spans of one trace (all spans of the trace that are stored). */
  addTrace(spans: readonly Span[]): void {
    const byId = new Map<string, Span>();
    for (const s of spans) byId.set(s.spanId, s);
    for (const s of spans) {
      const parent = s.parentSpanId === null ? undefined : byId.get(s.parentSpanId);
      if (!parent || parent.service !== s.service) {
        let list = this.entryDurations.get(s.service);
        if (!list) this.entryDurations.set(s.service, (list = []));
        list.push(s.durationMs);
      }
      if (parent && parent.service !== s.service) {
        const key = parent.service + '\u0000' + s.service;
        let e = this.edges.get(key);
        if (!e) this.edges.set(key, (e = { source: parent.service, target: s.service, callCount: 0, errorCount: 0 }));
        e.callCount++;
        if (s.status.code === 'ERROR') e.errorCount++;
      }
    }
  }

  /** p50/p95 of one service's entry spans. */
  latency(service: string): { p50Ms: number | null; p95Ms: number | null } {
    const list = this.entryDurations.get(service) ?? [];
    return { p50Ms: percentile(list, 50), p95Ms: percentile(list, 95) };
  }

  /** Edges sorted by source then target. */
  edgeList(): ServiceMapEdge[] {
    return [...this.edges.values()].sort((a, b) => a.source.localeCompare(b.source) || a.target.localeCompare(b.target));
  }
}
