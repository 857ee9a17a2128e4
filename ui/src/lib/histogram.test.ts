// Unit tests for ui/lib/histogram and ui/lib/series: bucket percentiles, intervals, rates, alignment.
import { describe, expect, it } from 'vitest';
import type { MetricPoint } from '../api-types.js';
import { bucketQuantile, exponentialToExplicit, intervalCounts } from './histogram.js';
import { alignColumns, heatmapMatrix, quantileColumns, rateColumn, seriesLabel } from './series.js';

describe('bucketQuantile', () => {
  // bounds 10, 20, 50: buckets (-,10] (10,20] (20,50] (50,+inf)
  const bounds = [10, 20, 50];
  it('interpolates inside the bucket holding the rank', () => {
    const counts = [0, 10, 0, 0];
    expect(bucketQuantile(bounds, counts, 0.5)).toBe(15);
    expect(bucketQuantile(bounds, counts, 0.95)).toBe(19.5);
  });
  it('computes p50/p95/p99 across buckets', () => {
    const counts = [50, 40, 9, 1]; // 100 observations
    expect(bucketQuantile(bounds, counts, 0.5)).toBe(10);
    expect(bucketQuantile(bounds, counts, 0.95)).toBeCloseTo(20 + 30 * (5 / 9), 10);
    expect(bucketQuantile(bounds, counts, 0.99)).toBe(50);
  });
  it('starts the first bucket at 0 or min and ends overflow at max or the last bound', () => {
    expect(bucketQuantile(bounds, [4, 0, 0, 0], 0.5)).toBe(5);
    expect(bucketQuantile(bounds, [4, 0, 0, 0], 0.5, 6)).toBe(8);
    expect(bucketQuantile(bounds, [0, 0, 0, 4], 0.5)).toBe(50);
    expect(bucketQuantile(bounds, [0, 0, 0, 4], 0.5, undefined, 150)).toBe(100);
  });
  it('returns null for empty or malformed histograms', () => {
    expect(bucketQuantile(bounds, [0, 0, 0, 0], 0.5)).toBeNull();
    expect(bucketQuantile(bounds, [1, 2], 0.5)).toBeNull();
    expect(bucketQuantile([], [], 0.5)).toBeNull();
  });
  it('handles a histogram with no bounds (one bucket)', () => {
    expect(bucketQuantile([], [3], 0.5, 2, 4)).toBe(3);
  });
});

describe('intervalCounts', () => {
  it('differences cumulative points and treats a drop as a reset', () => {
    expect(intervalCounts([1, 2, 3], [2, 5, 3], true)).toEqual([1, 3, 0]);
    expect(intervalCounts([5, 5], [1, 1], true)).toEqual([1, 1]);
    expect(intervalCounts(undefined, [1, 1], true)).toEqual([1, 1]);
    expect(intervalCounts([1, 1], [3, 3], false)).toEqual([3, 3]);
  });
});

describe('exponentialToExplicit', () => {
  it('turns scale-0 buckets into powers of two', () => {
    const { bounds, counts } = exponentialToExplicit(0, 1, { offset: 0, bucketCounts: [2, 3] });
    expect(bounds).toEqual([0, 1, 2, 4]);
    expect(counts).toEqual([1, 0, 2, 3, 0]);
    expect(bucketQuantile(bounds, counts, 1)).toBe(4);
  });
});

describe('series columns', () => {
  const pts = (vals: [number, number][]): MetricPoint[] => vals.map(([timestamp, value]) => ({ timestamp, value }));
  it('turns a cumulative counter into a per-second rate with resets', () => {
    expect(rateColumn(pts([[0, 10], [10, 30], [20, 5]]), true).values).toEqual([null, 2, 0.5]);
  });
  it('turns a delta counter into a per-second rate', () => {
    expect(rateColumn(pts([[0, 10], [5, 10]]), false).values).toEqual([null, 2]);
  });
  it('computes percentile lines from cumulative histogram points', () => {
    const h = (timestamp: number, bucketCounts: number[]): MetricPoint => ({ timestamp, count: 0, bucketCounts, explicitBounds: [10, 20] });
    const [p50] = quantileColumns([h(1, [10, 0, 0]), h(2, [10, 10, 0])], [0.5], true);
    expect(p50.values).toEqual([5, 15]);
  });
  it('reads summary quantiles', () => {
    const [p99] = quantileColumns([{ timestamp: 1, quantiles: [{ quantile: 0.5, value: 3 }, { quantile: 0.99, value: 9 }] }], [0.99], false);
    expect(p99.values).toEqual([9]);
  });
  it('aligns columns on the union of timestamps', () => {
    expect(alignColumns([{ times: [1, 3], values: [1, 3] }, { times: [2, 3], values: [20, 30] }]))
      .toEqual([[1, 2, 3], [1, null, 3], [null, 20, 30]]);
  });
  it('labels series by service and labels', () => {
    expect(seriesLabel({ service: 'api', labels: { method: 'GET', code: 200 } })).toBe('api · method=GET, code=200');
    expect(seriesLabel({ service: 'api', labels: {} })).toBe('api');
  });
});

describe('heatmapMatrix', () => {
  const h = (timestamp: number, bucketCounts: number[], explicitBounds = [10, 20]): MetricPoint => ({ timestamp, count: 0, bucketCounts, explicitBounds });
  it('differences cumulative points into per-interval counts and tracks the maximum', () => {
    const m = heatmapMatrix([h(1, [1, 0, 0]), h(2, [3, 4, 0]), h(3, [3, 4, 2])], true)!;
    expect(m.times).toEqual([1, 2, 3]);
    expect(m.bounds).toEqual([10, 20]);
    expect(m.counts).toEqual([[1, 0, 0], [2, 4, 0], [0, 0, 2]]);
    expect(m.max).toBe(4);
  });
  it('leaves out points whose bucket layout differs from the newest', () => {
    const m = heatmapMatrix([h(1, [1, 1], [5]), h(2, [1, 2, 3])], false)!;
    expect(m.times).toEqual([2]);
  });
  it('is null without histogram points', () => {
    expect(heatmapMatrix([{ timestamp: 1, value: 3 }], false)).toBeNull();
  });
});
