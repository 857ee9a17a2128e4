/**
 * @module store/memory/metric-index: the memory store's metric series: name → series per
 * (service, labels), points kept oldest first, and the per-metric series cap (CONTRACT §6).
 * The store owns write order, expiry and the byte cap; it calls add/remove.
 */
import type {
  Attributes, JsonNumber, MetricOrigin, MetricPoint, MetricSample, MetricSeriesSet, MetricSummary, MetricType, Scope, Temporality,
} from '../../model/model.js';
import { createHash, type Hash } from 'node:crypto';
import type { TimeRange } from '../store.js';
import { attributesBytes, charBytes } from './size.js';
import { kindsTree } from '../../model/value-kinds.js';

/**
 * Refused series remembered at once for droppedSeries (by a digest of their identity, never the
 * identity itself, so each costs the same whatever its labels): the oldest is forgotten first.
 */
const MAX_REFUSED_KEYS = 10_000;
/**
 * What one metric name costs on the heap besides its strings (the entry, its map slot, its own series
 * map, its first series' entry and arrays grown for a first point): ~720 B measured with
 * bench/in-process/store-heap.ts.
 */
const METRIC_OVERHEAD = 720;
/** What one series costs besides its key (the entry, its map slot, the points and origins arrays). */
const SERIES_OVERHEAD = 272;
/** What one distinct origin costs besides its JSON (the entry, its map slot, the origin object). */
const ORIGIN_OVERHEAD = 160;

/**
 * One distinct (resource, scope) of stored points, shared by every point that came from it
 * (whatever batch it arrived in), counted once while some point refers to it.
 */
interface OriginEntry {
  readonly key: string;
  readonly origin: MetricOrigin;
  refs: number;
  readonly bytes: number;
}

/** One series of one metric. */
export interface SeriesEntry {
  readonly key: string;
  readonly metric: MetricEntry;
  readonly service: string;
  readonly labels: Attributes;
  /** Estimated size of the labels, charged to every point (as OTLP sends them with each). */
  readonly labelsBytes: number;
  /**
   * Points in arrival order, the live ones from `head` on. The store removes a series' points in
   * the order they arrived (TTL and eviction go by write order), so a removal is a head step;
   * reads sort by time when some point arrived out of order.
   */
  arrivals: MetricPoint[];
  /** The origin of each point of `arrivals`, index for index (undefined: the sample had none). */
  origins: (OriginEntry | undefined)[];
  head: number;
  /** Absolute index in `arrivals` of the last point older than the one before it (-1: none). */
  lastInversion: number;
  /** The newest point by timestamp (the latest arrival among equals); undefined: not known, scan. */
  newest: MetricPoint | undefined;
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
  /** What the entry and its series cost besides their points (charged to the store's cap). */
  bytes: number;
}

/** A stored point and the series holding it: the unit the store expires and evicts. */
export interface StoredPoint {
  readonly series: SeriesEntry;
  readonly point: MetricPoint;
}

/** Label keys in sorted order (they usually arrive in order: sorted only when they are not). */
function sortedKeys(labels: Attributes): string[] {
  const keys = Object.keys(labels);
  for (let i = 1; i < keys.length; i++) if (keys[i - 1] > keys[i]) { keys.sort(); break; }
  return keys;
}

/** One label's part of a series identity. */
function labelPart(k: string, v: Attributes[string]): string {
  // A string's JSON form, without calling JSON.stringify, when it needs no escaping (the common case).
  return '\u0000' + k + '\u0001' + (typeof v === 'string' && !NEEDS_ESCAPE.test(v) ? '"' + v + '"' : JSON.stringify(v));
}

/** A series identity independent of attribute order (what seriesStoreKey digests; the tests' oracle). */
export function seriesKey(service: string, labels: Attributes): string {
  let out = service;
  for (const k of sortedKeys(labels)) out += labelPart(k, labels[k]);
  return out;
}

/** Series keys longer than this are kept as a digest: the labels are held once already. */
const MAX_PLAIN_KEY_LENGTH = 1024;

/**
 * The key a series is stored under: its identity itself when short, else a SHA-256 digest of it
 * (a long key would be a second copy of the labels, as big as them; a digest costs the same
 * whatever they are). The NUL prefix keeps a digest apart from a service name without labels.
 */
export function seriesMapKey(identity: string): string {
  if (identity.length <= MAX_PLAIN_KEY_LENGTH) return identity;
  return '\u0000' + createHash('sha256').update(identity).digest('base64');
}

/**
 * seriesMapKey(seriesKey(service, labels)), without ever building a long identity: past the
 * plain length the parts go straight into the digest (a refused 512 KB series then leaves no
 * 512 KB string behind for the GC). Parts never split a surrogate pair (each starts with NUL),
 * so hashing them one by one hashes the same UTF-8 as the whole identity.
 */
export function seriesStoreKey(service: string, labels: Attributes): string {
  let out = service;
  let hash: Hash | undefined;
  for (const k of sortedKeys(labels)) {
    const part = labelPart(k, labels[k]);
    if (hash !== undefined) hash.update(part);
    else if (out.length + part.length > MAX_PLAIN_KEY_LENGTH) hash = createHash('sha256').update(out).update(part);
    else out += part;
  }
  if (hash !== undefined) return '\u0000' + hash.digest('base64');
  // A long service name and no label that tipped it over: the same digest as the whole identity's.
  return out.length > MAX_PLAIN_KEY_LENGTH ? seriesMapKey(out) : out;
}

/** Characters JSON.stringify escapes in a string (quote, backslash, controls, lone surrogates). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function lastValueOf(p: MetricPoint): JsonNumber | null {
  // Gauges and sums carry `value`; histograms, exponential histograms and summaries the count.
  if (p.value !== undefined) return p.value;
  return p.count ?? null;
}

function metricBytes(name: string, unit: string, description: string): number {
  return METRIC_OVERHEAD + charBytes(name) + charBytes(unit) + charBytes(description);
}

/** The live points of a series, oldest first (points of equal time in arrival order). */
export function seriesPoints(s: SeriesEntry): MetricPoint[] {
  const live = s.arrivals.slice(s.head);
  // Stable: equal timestamps keep their arrival order.
  if (s.lastInversion > s.head) live.sort((a, b) => a.timestamp - b.timestamp);
  return live;
}

/** The live points of a series and their origins, in seriesPoints' order. */
function seriesPointsWithOrigins(s: SeriesEntry): { points: MetricPoint[]; origins: (MetricOrigin | undefined)[] } {
  const order: number[] = [];
  for (let i = s.head; i < s.arrivals.length; i++) order.push(i);
  if (s.lastInversion > s.head) order.sort((a, b) => s.arrivals[a].timestamp - s.arrivals[b].timestamp);
  return { points: order.map((i) => s.arrivals[i]), origins: order.map((i) => s.origins[i]?.origin) };
}

/** The newest point of a series (the latest arrival among equal times), or undefined when empty. */
function newestPoint(s: SeriesEntry): MetricPoint | undefined {
  if (s.newest === undefined && s.head < s.arrivals.length) {
    let best = s.arrivals[s.head];
    for (let i = s.head + 1; i < s.arrivals.length; i++) if (s.arrivals[i].timestamp >= best.timestamp) best = s.arrivals[i];
    s.newest = best;
  }
  return s.newest;
}

function inRange(ts: number, range: TimeRange): boolean {
  return (range.start === undefined || ts >= range.start) && (range.end === undefined || ts <= range.end);
}

/** The metric side of the memory store. */
export class MetricIndex {
  private readonly metrics = new Map<string, MetricEntry>();
  /** Digest of a refused series → when it is forgotten (ms); insertion order is refusal order. */
  private readonly refused = new Map<string, number>();
  /**
   * Refused series: each distinct series refused by the cap counts once while it is remembered
   * (TTL from its first refusal, at most MAX_REFUSED_KEYS at once, oldest forgotten first);
   * refused again after that, it counts again. Reset by clear().
   */
  droppedSeries = 0;
  /** What the metric, series and origin entries cost besides their points (metadata, keys, maps). */
  entryBytes = 0;
  /** Distinct origins of stored points, by their JSON. */
  private readonly origins = new Map<string, OriginEntry>();
  /** The last sample's scope and resource objects and their entry: a batch's samples share them. */
  private lastScope: Scope | undefined;
  private lastResource: Attributes | undefined;
  private lastOrigin: OriginEntry | undefined;

  constructor(
    private readonly maxSeriesPerMetric: number,
    private readonly ttlMs = Number.POSITIVE_INFINITY,
    private readonly now: () => number = Date.now,
  ) {}

  /** Number of distinct metric names stored. */
  get size(): number {
    return this.metrics.size;
  }

  /** Counts a refused series once while it is remembered. */
  private refuse(name: string, key: string): void {
    const now = this.now();
    for (const [k, until] of this.refused) {
      if (until > now && this.refused.size < MAX_REFUSED_KEYS) break;
      this.refused.delete(k);
    }
    const digest = createHash('sha1').update(name).update('\u0002').update(key).digest('base64');
    if (this.refused.has(digest)) return;
    this.droppedSeries++;
    this.refused.set(digest, now + this.ttlMs);
  }

  /** The shared entry of a sample's origin (one JSON per batch's scope, not per point). */
  private originOf(sample: MetricSample): OriginEntry | undefined {
    const { resource, scope } = sample;
    if (resource === undefined || scope === undefined) return undefined;
    const last = this.lastOrigin;
    if (scope === this.lastScope && resource === this.lastResource && last !== undefined && this.origins.get(last.key) === last) return last;
    // The kinds that values hide are part of the identity: `2` sent as an int and as a double are two origins.
    const pair = [resource, scope];
    const key = JSON.stringify([resource, scope, kindsTree(pair) ?? null]);
    let entry = this.origins.get(key);
    if (entry === undefined) {
      entry = { key, origin: { resource, scope }, refs: 0, bytes: ORIGIN_OVERHEAD + 2 * key.length };
      this.origins.set(key, entry);
      this.entryBytes += entry.bytes;
    }
    this.lastScope = scope;
    this.lastResource = resource;
    this.lastOrigin = entry;
    return entry;
  }

  private release(entry: OriginEntry | undefined): void {
    if (entry === undefined || --entry.refs > 0) return;
    if (this.origins.get(entry.key) === entry) {
      this.origins.delete(entry.key);
      this.entryBytes -= entry.bytes;
    }
  }

  /** Stores one sample's point; undefined when its series is refused by the cap. */
  add(sample: MetricSample): StoredPoint | undefined {
    const key = seriesStoreKey(sample.service, sample.labels);
    let metric = this.metrics.get(sample.name);
    let series = metric?.series.get(key);
    if (!series) {
      if ((metric?.series.size ?? 0) >= this.maxSeriesPerMetric) {
        this.refuse(sample.name, key);
        return undefined;
      }
      if (!metric) {
        metric = { name: sample.name, type: sample.type, unit: sample.unit, description: sample.description, series: new Map(), bytes: 0 };
        metric.bytes = metricBytes(sample.name, sample.unit, sample.description);
        this.entryBytes += metric.bytes;
        this.metrics.set(sample.name, metric);
      }
      series = {
        key, metric, service: sample.service, labels: sample.labels, labelsBytes: attributesBytes(sample.labels),
        arrivals: [], origins: [], head: 0, lastInversion: -1, newest: undefined,
      };
      const bytes = SERIES_OVERHEAD + charBytes(key);
      metric.bytes += bytes;
      this.entryBytes += bytes;
      metric.series.set(key, series);
    }
    metric = series.metric;
    metric.type = sample.type;
    if (metric.unit !== sample.unit || metric.description !== sample.description) {
      const delta = charBytes(sample.unit) + charBytes(sample.description) - charBytes(metric.unit) - charBytes(metric.description);
      metric.bytes += delta;
      this.entryBytes += delta;
      metric.unit = sample.unit;
      metric.description = sample.description;
    }
    metric.monotonic = sample.monotonic;
    metric.temporality = sample.temporality;
    const p = sample.point;
    const arrivals = series.arrivals;
    const empty = series.head >= arrivals.length;
    if (!empty && arrivals[arrivals.length - 1].timestamp > p.timestamp) series.lastInversion = arrivals.length;
    arrivals.push(p);
    const origin = this.originOf(sample);
    if (origin !== undefined) origin.refs++;
    series.origins.push(origin);
    if (empty) series.newest = p;
    else if (series.newest !== undefined && p.timestamp >= series.newest.timestamp) series.newest = p;
    return { series, point: p };
  }

  /** Removes one stored point (O(1): its series' oldest arrival); an emptied series frees its slot, an emptied metric disappears. */
  remove(item: StoredPoint): void {
    const { series, point } = item;
    const arrivals = series.arrivals;
    if (series.head >= arrivals.length) return;
    if (arrivals[series.head] === point) {
      this.release(series.origins[series.head]);
      series.origins[series.head] = undefined;
      arrivals[series.head++] = undefined as unknown as MetricPoint;
    } else {
      // Not the oldest arrival: cannot happen while points leave in write order; kept correct anyway.
      const i = arrivals.indexOf(point, series.head);
      if (i < 0) return;
      this.release(series.origins[i]);
      arrivals.splice(i, 1);
      series.origins.splice(i, 1);
      if (series.lastInversion > i) series.lastInversion--;
    }
    if (series.newest === point) series.newest = undefined;
    if (series.head < arrivals.length) {
      // Compact now and then, so the array does not grow without bound (amortised O(1)).
      if (series.head > 1024 && series.head * 2 > arrivals.length) {
        series.arrivals = arrivals.slice(series.head);
        series.origins = series.origins.slice(series.head);
        series.lastInversion -= series.head;
        series.head = 0;
      }
      return;
    }
    const metric = series.metric;
    if (metric.series.get(series.key) === series) {
      metric.series.delete(series.key);
      const bytes = SERIES_OVERHEAD + charBytes(series.key);
      metric.bytes -= bytes;
      this.entryBytes -= bytes;
    }
    if (metric.series.size === 0 && this.metrics.get(metric.name) === metric) {
      this.metrics.delete(metric.name);
      this.entryBytes -= metric.bytes;
    }
  }

  /** One summary per metric name, sorted by name (CONTRACT §4). */
  list(): MetricSummary[] {
    const out: MetricSummary[] = [];
    for (const m of this.metrics.values()) {
      const services = new Set<string>();
      let last: MetricPoint | undefined;
      for (const s of m.series.values()) {
        services.add(s.service);
        const p = newestPoint(s);
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

  /** The series of one metric with their points inside the range (and their origins when asked), or undefined for an unknown name. */
  get(name: string, range: TimeRange, withOrigins = false): MetricSeriesSet | undefined {
    const m = this.metrics.get(name);
    if (!m) return undefined;
    const series: MetricSeriesSet['series'] = [];
    const bounded = range.start !== undefined || range.end !== undefined;
    for (const s of m.series.values()) {
      if (withOrigins) {
        const all = seriesPointsWithOrigins(s);
        const keep = all.points.map((p) => !bounded || inRange(p.timestamp, range));
        const points = all.points.filter((_p, i) => keep[i]);
        if (points.length > 0) series.push({ service: s.service, labels: s.labels, points, origins: all.origins.filter((_o, i) => keep[i]) });
        continue;
      }
      const all = seriesPoints(s);
      const points = bounded ? all.filter((p) => inRange(p.timestamp, range)) : all;
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
    this.origins.clear();
    this.lastScope = undefined;
    this.lastResource = undefined;
    this.lastOrigin = undefined;
    this.refused.clear();
    this.droppedSeries = 0;
    this.entryBytes = 0;
  }
}
