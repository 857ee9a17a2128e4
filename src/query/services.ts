/**
 * @module query/services: the latency percentile rule shared by every store (CONTRACT §5). The
 * entry-span and edge rules live where each store keeps them up to date (memory: service-rollup,
 * Redis: the ingest script); a test pins the memory store's to their plain definition.
 */

/** Nearest-rank percentile (p in 0..100) of unsorted values; null for none. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}
