/**
 * @module ui/lib/histogram: percentiles from histogram buckets (explicit and exponential) and
 * per-interval bucket counts from cumulative points. Pure.
 */

/** Parses a bound that the API may send as "Infinity"/"-Infinity"/"NaN". */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return NaN;
}

/**
 * The q-quantile (q in 0..1) of an explicit-bucket histogram, interpolating linearly inside the
 * bucket that holds the rank (as Prometheus' histogram_quantile does). Bucket i covers
 * (bounds[i-1], bounds[i]]; the first bucket starts at `min` if known, else at 0 (or its upper
 * bound when that is negative); the overflow bucket ends at `max` if known, else the answer is
 * the last finite bound. Null when there are no observations or the shapes disagree.
 */
export function bucketQuantile(
  bounds: readonly number[], counts: readonly number[], q: number, min?: number, max?: number,
): number | null {
  if (counts.length === 0 || counts.length !== bounds.length + 1) return null;
  let total = 0;
  for (const c of counts) total += c > 0 ? c : 0;
  if (total <= 0 || !(q >= 0 && q <= 1)) return null;
  const rank = q * total;
  let cum = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] > 0 ? counts[i] : 0;
    if (c === 0 || cum + c < rank) { cum += c; continue; }
    const hasMin = typeof min === 'number' && Number.isFinite(min);
    const hasMax = typeof max === 'number' && Number.isFinite(max);
    let lo: number;
    let hi: number;
    if (i === 0) {
      hi = bounds.length > 0 ? bounds[0] : (hasMax ? max! : 0);
      lo = hasMin ? Math.min(min!, hi) : Math.min(0, hi);
    } else if (i === counts.length - 1) {
      lo = bounds[bounds.length - 1];
      if (!hasMax) return lo;
      hi = Math.max(lo, max!);
    } else {
      lo = bounds[i - 1];
      hi = bounds[i];
    }
    const frac = c > 0 ? (rank - cum) / c : 0;
    return lo + (hi - lo) * Math.min(1, Math.max(0, frac));
  }
  return bounds.length > 0 ? bounds[bounds.length - 1] : null;
}

/**
 * Bucket counts for the interval ending at `cur`: cumulative points are differenced against
 * `prev`; a reset (any count going down, or shapes differing) or a delta point returns `cur`.
 */
export function intervalCounts(prev: readonly number[] | undefined, cur: readonly number[], cumulative: boolean): number[] {
  if (!cumulative || !prev || prev.length !== cur.length) return cur.slice();
  const out: number[] = [];
  for (let i = 0; i < cur.length; i++) {
    const d = cur[i] - prev[i];
    if (d < 0) return cur.slice();
    out.push(d);
  }
  return out;
}

/**
 * Converts an exponential histogram's buckets to explicit bounds + counts: bucket index k covers
 * (base^k, base^(k+1)] with base = 2^(2^-scale); zeroCount is a bucket ending at 0; negative
 * buckets are mirrored below zero. Bounds ascend.
 */
export function exponentialToExplicit(
  scale: number, zeroCount: number,
  positive?: { offset: number; bucketCounts: number[] }, negative?: { offset: number; bucketCounts: number[] },
): { bounds: number[]; counts: number[] } {
  const base = Math.pow(2, Math.pow(2, -scale));
  const bounds: number[] = [];
  const counts: number[] = [];
  const neg = negative?.bucketCounts ?? [];
  // Negative side, most negative first: bucket k covers [-base^(k+1), -base^k).
  for (let j = neg.length - 1; j >= 0; j--) {
    const k = (negative?.offset ?? 0) + j;
    if (bounds.length === 0) { bounds.push(-Math.pow(base, k + 1)); counts.push(0); }
    bounds.push(-Math.pow(base, k));
    counts.push(neg[j]);
  }
  bounds.push(0);
  counts.push(zeroCount);
  const pos = positive?.bucketCounts ?? [];
  for (let j = 0; j < pos.length; j++) {
    const k = (positive?.offset ?? 0) + j;
    if (j === 0 && Math.pow(base, k) > 0) { bounds.push(Math.pow(base, k)); counts.push(0); }
    bounds.push(Math.pow(base, k + 1));
    counts.push(pos[j]);
  }
  counts.push(0); // overflow bucket: nothing beyond the last exponential bucket
  return { bounds, counts };
}
