/**
 * @module ui/lib/series: turns metric points into chart-ready columns (values, rates,
 * percentile lines) and aligns several series on one time axis for uPlot. Pure.
 */
import type { MetricPoint, MetricSeriesSet } from '../api-types.js';
import { bucketQuantile, exponentialToExplicit, intervalCounts, toNumber } from './histogram.js';

/** A numeric column aligned with its timestamps (unix seconds); null where no value. */
export interface Column { times: number[]; values: (number | null)[] }

/** The plain value of gauge/sum points (NaN and infinities become gaps). */
export function valueColumn(points: readonly MetricPoint[]): Column {
  return {
    times: points.map((p) => p.timestamp),
    values: points.map((p) => { const v = toNumber(p.value); return Number.isFinite(v) ? v : null; }),
  };
}

/**
 * Per-second rate of a counter. Cumulative: (v[i] − v[i−1]) / (t[i] − t[i−1]), a drop being a
 * reset (the new value counts from zero). Delta: v[i] / (t[i] − t[i−1]). The first point has no
 * interval, so it is a gap.
 */
export function rateColumn(points: readonly MetricPoint[], cumulative: boolean): Column {
  const col = valueColumn(points);
  const values = col.values.map((v, i) => {
    if (i === 0 || v === null) return null;
    const dt = col.times[i] - col.times[i - 1];
    if (!(dt > 0)) return null;
    if (!cumulative) return v / dt;
    const prev = col.values[i - 1];
    if (prev === null) return null;
    return (v >= prev ? v - prev : v) / dt;
  });
  return { times: col.times, values };
}

/** The bucket bounds and counts of one histogram point (explicit or exponential), or null. */
export function pointBuckets(p: MetricPoint): { bounds: number[]; counts: number[] } | null {
  if (Array.isArray(p.bucketCounts) && Array.isArray(p.explicitBounds)) {
    return { bounds: p.explicitBounds.map(toNumber), counts: p.bucketCounts.map(Number) };
  }
  if (typeof p.scale === 'number') return exponentialToExplicit(p.scale, p.zeroCount ?? 0, p.positive, p.negative);
  return null;
}

/**
 * Quantile lines (one column per q) of a histogram series, each point's buckets taken over the
 * interval since the previous point when the metric is cumulative. Summaries use their own
 * quantiles (the closest reported one).
 */
export function quantileColumns(points: readonly MetricPoint[], qs: readonly number[], cumulative: boolean): Column[] {
  const times = points.map((p) => p.timestamp);
  const cols: (number | null)[][] = qs.map(() => []);
  let prev: number[] | undefined;
  for (const p of points) {
    if (Array.isArray(p.quantiles)) {
      qs.forEach((q, k) => {
        let best: { quantile: number; value: number } | null = null;
        for (const e of p.quantiles!) {
          const qq = toNumber(e.quantile);
          if (best === null || Math.abs(qq - q) < Math.abs(best.quantile - q)) best = { quantile: qq, value: toNumber(e.value) };
        }
        cols[k].push(best && Number.isFinite(best.value) ? best.value : null);
      });
      continue;
    }
    const b = pointBuckets(p);
    if (!b) { qs.forEach((_, k) => cols[k].push(null)); continue; }
    const counts = intervalCounts(prev, b.counts, cumulative);
    prev = b.counts;
    const min = toNumber(p.min), max = toNumber(p.max);
    qs.forEach((q, k) => cols[k].push(bucketQuantile(b.bounds, counts, q, cumulative ? undefined : min, cumulative ? undefined : max)));
  }
  return cols.map((values) => ({ times, values }));
}

/**
 * Aligns columns on the union of their timestamps (ascending) as uPlot wants:
 * [times, values of column 0, values of column 1, …], gaps as null.
 */
export function alignColumns(cols: readonly Column[]): [number[], ...(number | null)[][]] {
  const all = new Set<number>();
  for (const c of cols) for (const t of c.times) if (Number.isFinite(t)) all.add(t);
  const times = [...all].sort((a, b) => a - b);
  const pos = new Map(times.map((t, i) => [t, i]));
  const out: (number | null)[][] = cols.map((c) => {
    const row: (number | null)[] = new Array(times.length).fill(null);
    c.times.forEach((t, i) => { const j = pos.get(t); if (j !== undefined) row[j] = c.values[i]; });
    return row;
  });
  return [times, ...out];
}

/** A short label for one series: `service · k=v, k=v` (label values as text). */
export function seriesLabel(s: { service: string; labels: Record<string, unknown> }): string {
  const parts = Object.entries(s.labels ?? {}).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return parts.length ? `${s.service} · ${parts.join(', ')}` : s.service;
}

/** True when a sum metric's points are cumulative (the OTLP default when temporality is absent). */
export function isCumulative(set: Pick<MetricSeriesSet, 'temporality'>): boolean {
  return set.temporality !== 'delta';
}

/** A histogram series as a time × bucket matrix of per-interval counts (for a heatmap). */
export interface HeatmapMatrix {
  times: number[];
  /** Upper bounds of the buckets (the last bucket is unbounded above). */
  bounds: number[];
  /** counts[t][b]: observations in bucket b during the interval ending at times[t]. */
  counts: number[][];
  max: number;
}

/**
 * Builds the heatmap of a histogram series: the bucket layout is the newest point's; points with
 * another layout are left out. Cumulative points are differenced (resets restart the count).
 */
export function heatmapMatrix(points: readonly MetricPoint[], cumulative: boolean): HeatmapMatrix | null {
  let layout: { bounds: number[]; counts: number[] } | null = null;
  for (let i = points.length - 1; i >= 0 && !layout; i--) layout = pointBuckets(points[i]);
  if (!layout) return null;
  const key = layout.bounds.join(',');
  const times: number[] = [];
  const counts: number[][] = [];
  let prev: number[] | undefined;
  let max = 0;
  for (const p of points) {
    const b = pointBuckets(p);
    if (!b || b.bounds.join(',') !== key) continue;
    const c = intervalCounts(prev, b.counts, cumulative);
    prev = b.counts;
    times.push(p.timestamp);
    counts.push(c);
    for (const v of c) if (v > max) max = v;
  }
  return { times, bounds: layout.bounds, counts, max };
}
