/**
 * @module store/memory/metric-index: the memory store's metric series: name → series per
 * (service, labels), points kept oldest first, and the per-metric series cap (CONTRACT §6).
 * The store owns write order, expiry and the byte cap; it calls add/remove.
 */
import type {
  Attributes, JsonNumber, MetricPoint, MetricSample, MetricSeriesSet, MetricSummary, MetricType, Temporality,
} from '../../model/model.js';
import type { TimeRange } from '../store.js';
import { attributesBytes } from './size.js';

/** Distinct refused series remembered for droppedSeries; past this, each refusal counts anew. */
const MAX_REFUSED_KEYS = 100_000;

/** One series of one metric. */
export interface SeriesEntry {
  readonly key: string;
  readonly metric: MetricEntry;
  readonly service: string;
  readonly labels: Attributes;
  /** Estimated size of the labels, charged to every point (as OTLP sends them with each). */
  readonly labelsBytes: number;
  /** Oldest first. */
  readonly points: MetricPoint[];
}

/** One metric name, with the metadata of its latest admitted sample. */
export interface MetricEntry {
  readonly name: string;
  type: MetricType;
  unit: string;
  description: string;
  monotonic?: boolean;
  temporality?: Temporality;
  readonly series: Map<string, SeriesEntry>;
}

/** A stored point and the series holding it: the unit the store expires and evicts. */
export interface StoredPoint {
  readonly series: SeriesEntry;
  readonly point: MetricPoint;
}

/** A series identity independent of attribute order. */
export function seriesKey(service: string, labels: Attributes): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return service;
  // Labels usually arrive in the same order every time; sort only when they are not in order already.
  for (let i = 1; i < keys.length; i++) if (keys[i - 1] > keys[i]) { keys.sort(); break; }
  let out = service;
  for (const k of keys) {
    const v = labels[k];
    // A string's JSON form, without calling JSON.stringify, when it needs no escaping (the common case).
    out += '\u0000' + k + '\u0001' + (typeof v === 'string' && !NEEDS_ESCAPE.test(v) ? '"' + v + '"' : JSON.stringify(v));
  }
  return out;
}

/** Characters JSON.stringify escapes in a string (quote, backslash, controls, lone surrogates). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function lastValueOf(p: MetricPoint): JsonNumber | null {
  // Gauges and sums carry `value`; histograms, exponential histograms and summaries the count.
  if (p.value !== undefined) return p.value;
  return p.count ?? null;
}

function inRange(ts: number, range: TimeRange): boolean {
  return (range.start === undefined || ts >= range.start) && (range.end === undefined || ts <= range.end);
}

/** The metric side of the memory store. */
export class MetricIndex {
  private readonly metrics = new Map<string, MetricEntry>();
  private readonly refused = new Set<string>();
  /** Distinct series refused by the cap since the last clear(). */
  droppedSeries = 0;

  constructor(private readonly maxSeriesPerMetric: number) {}

  /** Number of distinct metric names stored. */
  get size(): number {
    return this.metrics.size;
  }

  /** Stores one sample's point; undefined when its series is refused by the cap. */
  add(sample: MetricSample): StoredPoint | undefined {
    const key = seriesKey(sample.service, sample.labels);
    let metric = this.metrics.get(sample.name);
    let series = metric?.series.get(key);
    if (!series) {
      if ((metric?.series.size ?? 0) >= this.maxSeriesPerMetric) {
        const refusedKey = sample.name + '\u0002' + key;
        if (!this.refused.has(refusedKey)) {
          this.droppedSeries++;
          if (this.refused.size < MAX_REFUSED_KEYS) this.refused.add(refusedKey);
        }
        return undefined;
      }
      if (!metric) {
        metric = { name: sample.name, type: sample.type, unit: sample.unit, description: sample.description, series: new Map() };
        this.metrics.set(sample.name, metric);
      }
      series = { key, metric, service: sample.service, labels: sample.labels, labelsBytes: attributesBytes(sample.labels), points: [] };
      metric.series.set(key, series);
    }
    metric = series.metric;
    metric.type = sample.type;
    metric.unit = sample.unit;
    metric.description = sample.description;
    metric.monotonic = sample.monotonic;
    metric.temporality = sample.temporality;
    const points = series.points;
    const p = sample.point;
    if (points.length === 0 || points[points.length - 1].timestamp <= p.timestamp) points.push(p);
    else {
      // Out of order: insert after every point not newer (binary search).
      let lo = 0;
      let hi = points.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (points[mid].timestamp <= p.timestamp) lo = mid + 1;
        else hi = mid;
      }
      points.splice(lo, 0, p);
    }
    return { series, point: p };
  }

  /** Removes one stored point; an emptied series frees its slot, an emptied metric disappears. */
  remove(item: StoredPoint): void {
    const { series, point } = item;
    const points = series.points;
    // Points usually leave in the order they arrived, which is mostly time order.
    const i = points[0] === point ? 0 : points.indexOf(point);
    if (i < 0) return;
    if (i === 0) points.shift();
    else points.splice(i, 1);
    if (points.length > 0) return;
    const metric = series.metric;
    if (metric.series.get(series.key) === series) metric.series.delete(series.key);
    if (metric.series.size === 0 && this.metrics.get(metric.name) === metric) this.metrics.delete(metric.name);
  }

  /** One summary per metric name, sorted by name (CONTRACT §4). */
  list(): MetricSummary[] {
    const out: MetricSummary[] = [];
    for (const m of this.metrics.values()) {
      const services = new Set<string>();
      let last: MetricPoint | undefined;
      for (const s of m.series.values()) {
        services.add(s.service);
        const p = s.points[s.points.length - 1];
        if (p && (!last || p.timestamp > last.timestamp)) last = p;
      }
      out.push({
        name: m.name, type: m.type, unit: m.unit, description: m.description,
        services: [...services].sort(), seriesCount: m.series.size,
        lastValue: last ? lastValueOf(last) : null, lastTimestamp: last ? last.timestamp : null,
      });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The series of one metric with their points inside the range, or undefined for an unknown name. */
  get(name: string, range: TimeRange): MetricSeriesSet | undefined {
    const m = this.metrics.get(name);
    if (!m) return undefined;
    const series: MetricSeriesSet['series'] = [];
    const bounded = range.start !== undefined || range.end !== undefined;
    for (const s of m.series.values()) {
      const points = bounded ? s.points.filter((p) => inRange(p.timestamp, range)) : s.points.slice();
      if (points.length > 0) series.push({ service: s.service, labels: s.labels, points });
    }
    const out: MetricSeriesSet = { name: m.name, type: m.type, unit: m.unit, description: m.description, series };
    if (m.monotonic !== undefined) out.monotonic = m.monotonic;
    if (m.temporality !== undefined) out.temporality = m.temporality;
    return out;
  }

  /** Distinct metric names per service. */
  serviceCounts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const m of this.metrics.values()) {
      const seen = new Set<string>();
      for (const s of m.series.values()) {
        if (seen.has(s.service)) continue;
        seen.add(s.service);
        out.set(s.service, (out.get(s.service) ?? 0) + 1);
      }
    }
    return out;
  }

  /** Removes everything, including the refused-series count. */
  clear(): void {
    this.metrics.clear();
    this.refused.clear();
    this.droppedSeries = 0;
  }
}
