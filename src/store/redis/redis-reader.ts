/**
 * @module store/redis/redis-reader: the read side of the Redis store, over the connection it shares
 * with the writer (redis-shared.ts). Walks time-ordered indexes page by page, fetches data in one
 * pipeline per page, and skips whatever has expired or been evicted. Summaries and filters come from
 * query/ so both stores answer alike; writes are redis-writer.ts's.
 */
import type {
  Backlink, LogRecord, MetricOrigin, MetricPoint, MetricSeries, MetricSeriesSet, MetricSummary, MetricType, OperationStats, ServiceMap,
  ServiceMapNodeType, ServiceStats, Span, SpanKind, StoreStats, Temporality, TraceSummary,
} from '../../model/model.js';
import { markSearchLimited, type LogQuery, type TimeRange, type TraceQuery } from '../store.js';
import { nanosToMs, sortSpans, summariseTrace, summaryMatches, traceMatchesSpans } from '../../query/traces.js';
import { compareLogsNewestFirst, compareTraceRows, logAfter, traceAfter } from '../../query/paging.js';
import { type EntryRecord, operationsOf, percentile, requestStats } from '../../query/services.js';
import { buildServiceMap } from '../../query/service-map.js';
import type { Op, RedisConnection } from './connection.js';
import type { RedisKeys } from './keys.js';
import { type Buckets, FIELD, parseField } from './buckets.js';
import type { RedisShared } from './redis-shared.js';
import { decodeValue } from './codec.js';
import type { WireReadOptions } from '../../wire/read-options.js';
import { decodeLog } from './log-codec.js';
import { decodeSpan, storedResource, type StoredResource } from './span-codec.js';
import { applyKindsTree } from '../../model/value-kinds.js';
import { copyPoint, decodeOrigin, MetricChunkCache, READ_CHUNKS, type StoredPointJson } from './metric-chunks.js';

/** At most this many index entries are examined by one trace or log query. */
export const TRACE_SCAN_BUDGET = 5000;
export const LOG_SCAN_BUDGET = 50_000;
/**
 * Scores past a page's cut that are still read (ms). Index scores are the exact start (nanosToMs)
 * or duration of the trace, so only entries with the same score as the cut can still rank before
 * it (Redis orders those by member, the pages by start and id): the slack covers float rounding.
 */
const SCORE_SLACK = 1e-6;

interface MetricMeta {
  type: MetricType;
  unit: string;
  description: string;
  monotonic?: boolean;
  temporality?: Temporality;
}

/** A hash reply as pairs, whichever shape the client returned. */
function hashValues(reply: unknown): string[] {
  if (Array.isArray(reply)) return reply.filter((_, i) => i % 2 === 1) as string[];
  if (reply && typeof reply === 'object') return Object.values(reply as Record<string, string>);
  return [];
}
function hashEntries(reply: unknown): [string, string][] {
  if (Array.isArray(reply)) {
    const out: [string, string][] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) out.push([reply[i] as string, reply[i + 1] as string]);
    return out;
  }
  if (reply && typeof reply === 'object') return Object.entries(reply as Record<string, string>);
  return [];
}

export interface RedisReaderOptions {
  /** The limits spans stored as wire bytes are read back under (those of ingest). */
  normalise: WireReadOptions;
  /** Index entries one trace / log search examines at most (default TRACE_SCAN_BUDGET / LOG_SCAN_BUDGET). */
  scanBudget?: { traces: number; logs: number };
}

/**
 * The read methods of the Store on Redis (RedisStore delegates to them). Every read rejects with
 * TinyOllyError('unavailable') while Redis is unreachable; items older than ttlSeconds are left out.
 */
export class RedisReader {
  private readonly conn: RedisConnection;
  private readonly keys: RedisKeys;
  private readonly buckets: Buckets;
  private readonly ttlSeconds: number;
  private readonly normalise: WireReadOptions;
  /** Metric point chunks already parsed (append-only strings: later reads fetch only new bytes). */
  private readonly metricChunks = new MetricChunkCache();
  /** Index entries one trace or log search examines at most (RedisReaderOptions.scanBudget). */
  private readonly scanBudget: { traces: number; logs: number };

  constructor(shared: RedisShared, opts: RedisReaderOptions) {
    this.conn = shared.conn;
    this.keys = shared.keys;
    this.buckets = shared.buckets;
    this.ttlSeconds = shared.ttlSeconds;
    this.normalise = opts.normalise;
    this.scanBudget = opts.scanBudget ? { ...opts.scanBudget } : { traces: TRACE_SCAN_BUDGET, logs: LOG_SCAN_BUDGET };
  }

  /** Forgets the parsed metric chunks (the store was cleared). */
  reset(): void {
    this.metricChunks.reset();
  }

  private cutoff(now = Date.now()): number {
    return now - this.ttlSeconds * 1000;
  }

  /** Decoded values received after the cutoff; malformed ones are skipped. */
  private live<T>(raws: Iterable<string | null | undefined>, cutoff: number): T[] {
    const out: T[] = [];
    for (const raw of raws) {
      const d = decodeValue<T>(raw);
      if (d && d.receivedMs >= cutoff) out.push(d.value);
    }
    return out;
  }

  /** The two reads that make up a trace's spans (spans hash, resources hash: one slot). */
  private traceOps(traceId: string): Op[] {
    const key = this.keys.traceSpans(traceId);
    return [{ key, cmd: 'hgetall', args: [key] }, { key, cmd: 'hgetall', args: [this.keys.traceResources(traceId)] }];
  }

  /** Live spans of one trace from its spans and resources hash replies (unsorted). */
  private traceSpansOf(traceId: string, spansReply: unknown, resourcesReply: unknown, cutoff: number): Span[] {
    const resources = new Map<string, StoredResource>();
    for (const [digest, raw] of hashEntries(resourcesReply)) {
      const d = decodeValue<unknown>(raw);
      const res = d && d.receivedMs >= cutoff ? storedResource(d.value) : undefined;
      if (res) resources.set(digest, res);
    }
    const out: Span[] = [];
    for (const [spanId, raw] of hashEntries(spansReply)) {
      const d = decodeValue<unknown>(raw);
      if (!d || d.receivedMs < cutoff) continue;
      const span = decodeSpan(traceId, spanId, d.value, resources, this.normalise);
      if (span) out.push(span);
    }
    return out;
  }

  async getTrace(traceId: string): Promise<Span[] | undefined> {
    const [spansRaw, resRaw] = await this.conn.exec(this.traceOps(traceId));
    const spans = this.traceSpansOf(traceId, spansRaw, resRaw, this.cutoff());
    return spans.length > 0 ? sortSpans(spans) : undefined;
  }

  async spansDropped(traceId: string): Promise<number> {
    const key = this.keys.traceSkeleton(traceId);
    const [n] = await this.conn.exec([{ key, cmd: 'hget', args: [key, 'dropped'] }]) as [string | null];
    return Number(n ?? 0) || 0;
  }

  async findTraces(q: TraceQuery): Promise<TraceSummary[]> {
    const cutoff = this.cutoff();
    const byDuration = q.sort === 'duration';
    // A service filter on the start order reads that service's own index: only its traces are fetched.
    const index = byDuration ? this.keys.tracesByDuration
      : q.service !== undefined ? this.keys.tracesOfService(q.service) : this.keys.tracesByStart;
    // Index scores are approximate (ms as doubles, earliest start ever seen): widen, then filter exactly.
    let lo = byDuration ? q.minDurationMs : q.start !== undefined ? q.start * 1000 : undefined;
    let hi = byDuration ? q.maxDurationMs : q.end !== undefined ? q.end * 1000 : undefined;
    if (q.after !== undefined) {
      // The next page starts at the cursor's score (the exact cut is traceAfter below).
      const at = byDuration ? q.after.durationMs : nanosToMs(q.after.startTimeUnixNano);
      if (q.order === 'desc') hi = hi === undefined ? at : Math.min(hi, at);
      else lo = lo === undefined ? at : Math.max(lo, at);
    }
    const min = lo === undefined ? '-inf' : lo - 1;
    const max = hi === undefined ? '+inf' : hi + 1;
    const pageSize = Math.min(1000, q.limit + 20);
    const out: TraceSummary[] = [];
    const scoreOf = new Map<string, number>();
    const cmp = compareTraceRows(q);
    const desc = q.order === 'desc';
    // Once `limit` rows are found, the scan goes on through the index entries that tie with the
    // limit-th best (SCORE_SLACK), so a page is the exact top even when many traces share a start
    // or a duration (the cursor of the next page depends on it).
    let bound: number | undefined;
    const within = (score: number): boolean => bound === undefined || (desc ? score >= bound : score <= bound);
    // The scan is bounded: when it stops at the bound with entries left and too few matches, the answer says so.
    let ended = false;
    scan: for (let offset = 0; offset < this.scanBudget.traces;) {
      const want = Math.min(pageSize, this.scanBudget.traces - offset);
      const [reply] = await this.conn.exec([desc
        ? { key: index, cmd: 'zrevrangebyscore', args: [index, max, min, 'WITHSCORES', 'LIMIT', offset, want] }
        : { key: index, cmd: 'zrangebyscore', args: [index, min, max, 'WITHSCORES', 'LIMIT', offset, want] }]) as [string[]];
      const ids: string[] = [];
      let last = reply.length < 2 * want;
      for (let i = 0; i + 1 < reply.length; i += 2) {
        const score = Number(reply[i + 1]);
        if (!within(score)) { last = true; break; }
        ids.push(reply[i]);
        scoreOf.set(reply[i], score);
      }
      if (ids.length === 0) { ended = true; break; }
      offset += ids.length;
      const replies = await this.conn.exec(ids.flatMap((id) => this.traceOps(id)));
      ids.forEach((id, i) => {
        const spans = this.traceSpansOf(id, replies[2 * i], replies[2 * i + 1], cutoff);
        if (spans.length === 0 || !traceMatchesSpans(spans, q)) return;
        const summary = summariseTrace(id, spans);
        if (summaryMatches(summary, q) && traceAfter(q, summary)) out.push(summary);
      });
      if (last) { ended = true; break scan; }
      if (bound === undefined && out.length >= q.limit) {
        out.sort(cmp);
        const edge = scoreOf.get(out[q.limit - 1].traceId)!;
        bound = desc ? edge - SCORE_SLACK : edge + SCORE_SLACK;
      }
    }
    const result = out.sort(cmp).slice(0, q.limit);
    return ended || out.length >= q.limit ? result : markSearchLimited(result);
  }

  async traceIdsWithPrefix(prefix: string, limit: number): Promise<string[]> {
    // ZSCAN of the trace index with a glob: O(traces) on the server, in bounded steps.
    const key = this.keys.tracesByWrite;
    const glob = prefix.replace(/[*?[\]\\]/g, (c) => '\\' + c) + '*';
    const cutoff = this.cutoff();
    const out = new Set<string>();
    let cursor = '0';
    do {
      const [[next, pairs]] = await this.conn.exec([{ key, cmd: 'zscan', args: [key, cursor, 'MATCH', glob, 'COUNT', 1000] }]) as [[string, string[]]];
      for (let i = 0; i + 1 < pairs.length; i += 2) if (Number(pairs[i + 1]) >= cutoff) out.add(pairs[i]);
      cursor = next;
    } while (cursor !== '0' && out.size < limit);
    return [...out].sort().slice(0, limit);
  }

  async getBacklinks(traceId: string): Promise<Backlink[]> {
    const key = this.keys.traceBacklinks(traceId);
    const [raw] = await this.conn.exec([{ key, cmd: 'hgetall', args: [key] }]);
    return this.live<Backlink>(hashValues(raw), this.cutoff())
      .filter((b) => b.traceId !== traceId)
      .sort((a, b) => (a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0));
  }

  async findLogs(q: LogQuery): Promise<LogRecord[]> {
    const cutoff = this.cutoff();
    const index = q.traceId !== undefined ? this.keys.traceLogs(q.traceId) : this.keys.logsByTime;
    const min = q.start ?? '-inf';
    // The next page starts at the cursor's timestamp (the exact cut is logAfter below).
    const max = q.after !== undefined ? Math.min(q.after.timestamp, q.end ?? Infinity) : q.end ?? '+inf';
    const needle = q.q?.toLowerCase();
    const pageSize = Math.min(1000, Math.max(200, q.limit * 2));
    const out: LogRecord[] = [];
    // Once `limit` records are found, the scan goes on through records of the same timestamp (the
    // index orders those by member, not by the total order of query/paging), then sorts and cuts.
    let stopBelow: number | undefined;
    let ended = false;
    scan: for (let offset = 0; offset < this.scanBudget.logs;) {
      const want = Math.min(pageSize, this.scanBudget.logs - offset);
      const [reply] = await this.conn.exec([{ key: index, cmd: 'zrevrangebyscore', args: [index, max, min, 'WITHSCORES', 'LIMIT', offset, want] }]) as [string[]];
      const members: string[] = [];
      const scores: number[] = [];
      for (let i = 0; i + 1 < reply.length; i += 2) { members.push(reply[i]); scores.push(Number(reply[i + 1])); }
      if (members.length === 0) { ended = true; break; }
      offset += members.length;
      const byBucket = new Map<number, string[]>();
      for (const m of members) {
        const colon = m.indexOf(':');
        const bucket = Number(m.slice(0, colon));
        let ids = byBucket.get(bucket);
        if (!ids) byBucket.set(bucket, (ids = []));
        ids.push(m.slice(colon + 1));
      }
      const bucketList = [...byBucket.keys()];
      const replies = await this.conn.exec(bucketList.map((b): Op => {
        const key = this.keys.logBucket(b);
        return { key, cmd: 'hmget', args: [key, ...byBucket.get(b)!] };
      }));
      const found = new Map<string, LogRecord>();
      bucketList.forEach((b, i) => {
        const ids = byBucket.get(b)!;
        (replies[i] as (string | null)[]).forEach((raw, j) => {
          const d = decodeValue<unknown>(raw);
          if (!d || d.receivedMs < cutoff) return;
          const log = decodeLog(ids[j], d.value, this.normalise);
          if (log) found.set(`${b}:${ids[j]}`, log);
        });
      });
      for (let i = 0; i < members.length; i++) {
        if (stopBelow !== undefined && scores[i] < stopBelow) { ended = true; break scan; }
        const log = found.get(members[i]);
        if (!log || !this.logMatches(log, q, needle) || !logAfter(q.after, log)) continue;
        out.push(log);
        if (out.length === q.limit) stopBelow = scores[i];
      }
      if (members.length < want) { ended = true; break; }
    }
    const result = out.sort(compareLogsNewestFirst).slice(0, q.limit);
    return ended || out.length >= q.limit ? result : markSearchLimited(result);
  }

  private logMatches(log: LogRecord, q: LogQuery, needle: string | undefined): boolean {
    if (q.traceId !== undefined && log.traceId !== q.traceId) return false;
    if (q.spanId !== undefined && log.spanId !== q.spanId) return false;
    if (q.service !== undefined && log.service !== q.service) return false;
    if (q.minSeverity !== undefined && log.severityNumber < q.minSeverity) return false;
    if (needle !== undefined) {
      const text = typeof log.body === 'string' ? log.body : JSON.stringify(log.body);
      if (!text.toLowerCase().includes(needle)) return false;
    }
    return true;
  }

  /** Live metric names and their metadata. */
  private async metricNames(cutoff: number): Promise<{ names: string[]; meta: Map<string, MetricMeta> }> {
    const kk = this.keys;
    const [names, metaRaw] = await this.conn.exec([
      { key: kk.metricNames, cmd: 'zrangebyscore', args: [kk.metricNames, cutoff, '+inf'] },
      { key: kk.metricMeta, cmd: 'hgetall', args: [kk.metricMeta] },
    ]) as [string[], unknown];
    const meta = new Map<string, MetricMeta>();
    for (const [name, json] of hashEntries(metaRaw)) {
      try { meta.set(name, JSON.parse(json) as MetricMeta); } catch { /* skipped */ }
    }
    return { names: names.filter((n) => meta.has(n)), meta };
  }

  async listMetrics(): Promise<MetricSummary[]> {
    const cutoff = this.cutoff();
    const { names, meta } = await this.metricNames(cutoff);
    const kk = this.keys;
    const ops: Op[] = [];
    for (const name of names) {
      const reg = kk.metricRegistry(name);
      ops.push(
        { key: reg, cmd: 'zcount', args: [reg, cutoff, '+inf'] },
        { key: reg, cmd: 'zrangebyscore', args: [kk.metricServices(name), cutoff, '+inf'] },
        { key: reg, cmd: 'hmget', args: [kk.metricLast(name), 'ts', 'json', 'recv'] },
      );
    }
    const replies = await this.conn.exec(ops);
    const out: MetricSummary[] = [];
    names.forEach((name, i) => {
      const seriesCount = Number(replies[3 * i]);
      if (!seriesCount) return;
      const services = [...(replies[3 * i + 1] as string[])].sort();
      const [ts, json, recv] = replies[3 * i + 2] as (string | null)[];
      let lastValue: MetricSummary['lastValue'] = null;
      let lastTimestamp: number | null = null;
      const m = meta.get(name)!;
      if (ts !== null && json !== null && Number(recv) >= cutoff) {
        try {
          const p = JSON.parse(json) as MetricPoint;
          lastTimestamp = p.timestamp;
          lastValue = (m.type === 'gauge' || m.type === 'sum' ? p.value : p.count) ?? null;
        } catch { /* left null */ }
      }
      out.push({ name, type: m.type, unit: m.unit, description: m.description, services, seriesCount, lastValue, lastTimestamp });
    });
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async getMetric(name: string, range: TimeRange, options?: { origins?: boolean }): Promise<MetricSeriesSet | undefined> {
    const cutoff = this.cutoff();
    const kk = this.keys;
    const reg = kk.metricRegistry(name);
    const live = this.buckets.live(Date.now());
    const withOrigins = options?.origins === true;
    const chunkReq = this.metricChunks.request(live.map((b) => kk.metricPointBucket(name, b)), live);
    const ops: Op[] = [
      { key: kk.metricNames, cmd: 'zscore', args: [kk.metricNames, name] },
      { key: kk.metricMeta, cmd: 'hget', args: [kk.metricMeta, name] },
      { key: reg, cmd: 'zrangebyscore', args: [reg, cutoff, '+inf'] },
      { key: reg, cmd: 'hgetall', args: [kk.metricSeries(name)] },
      { key: reg, script: READ_CHUNKS, keys: chunkReq.keys, args: chunkReq.args },
    ];
    if (withOrigins) ops.push({ key: reg, cmd: 'hgetall', args: [kk.metricOrigins(name)] });
    const [score, metaJson, sids, seriesRaw, chunkReply, originsRaw] = await this.conn.exec(ops) as [string | null, string | null, string[], unknown, unknown, unknown];
    if (score === null || Number(score) < cutoff || metaJson === null || sids.length === 0) return undefined;
    let meta: MetricMeta;
    try { meta = JSON.parse(metaJson) as MetricMeta; } catch { return undefined; }
    const seriesOf = new Map(hashEntries(seriesRaw));
    const originOf = new Map<string, MetricOrigin | undefined>();
    if (withOrigins) for (const [digest, json] of hashEntries(originsRaw)) originOf.set(digest, decodeOrigin(json));
    const seriesJson = sids.map((sid) => seriesOf.get(sid) ?? null);
    // Chunks are `[receivedMs,sid,point,sid,point…]`, parsed once and kept (points are copied out).
    const pointsOf = new Map<string, StoredPointJson[]>();
    for (const sid of sids) pointsOf.set(sid, []);
    for (const chunk of this.metricChunks.answer(chunkReq, chunkReply).flat(1)) {
      if (!Array.isArray(chunk) || !(chunk[0] >= cutoff)) continue;
      for (let i = 1; i + 1 < chunk.length; i += 2) {
        const list = pointsOf.get(chunk[i] as string);
        const p = chunk[i + 1] as StoredPointJson;
        if (!list || !p || typeof p.timestamp !== 'number') continue;
        if (range.start !== undefined && p.timestamp < range.start) continue;
        if (range.end !== undefined && p.timestamp > range.end) continue;
        list.push(p);
      }
    }
    const series: (MetricSeries & { sortKey: string })[] = [];
    sids.forEach((sid, i) => {
      const sj = seriesJson[i];
      if (sj === null) return;
      let id: { service: string; labels: MetricSeries['labels'] };
      try { id = JSON.parse(sj); } catch { return; }
      const stored = pointsOf.get(sid)!;
      if (stored.length === 0) return;
      // The kinds the labels hide ride on the points (the series JSON is its identity).
      const withKinds = stored.find((p) => p.k !== undefined);
      if (withKinds) applyKindsTree(id.labels, withKinds.k);
      stored.sort((a, b) => a.timestamp - b.timestamp);
      const one: MetricSeries & { sortKey: string } = { service: id.service, labels: id.labels, points: stored.map(copyPoint), sortKey: sj };
      if (withOrigins) one.origins = stored.map((p) => (p.o === undefined ? undefined : originOf.get(p.o)));
      series.push(one);
    });
    series.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
    return { name, ...meta, series: series.map(({ sortKey: _k, ...s }) => s) };
  }

  /** Counter hashes of the live buckets, each as [bucket, entries]. */
  private async counterBuckets(now: number): Promise<[number, [string, string][]][]> {
    const live = this.buckets.live(now);
    const replies = await this.conn.exec(live.map((b): Op => {
      const key = this.keys.counters(b);
      return { key, cmd: 'hgetall', args: [key] };
    }));
    return live.map((b, i) => [b, hashEntries(replies[i])]);
  }

  /** Request records of the given (bucket, service) pairs, per service (malformed records are skipped). */
  private async requestRecords(pairs: { bucket: number; svc: string }[]): Promise<Map<string, EntryRecord[]>> {
    const replies = pairs.length === 0 ? [] : await this.conn.exec(pairs.map(({ bucket, svc }): Op => {
      const key = this.keys.latency(bucket, svc);
      return { key, cmd: 'hvals', args: [key] };
    }));
    const out = new Map<string, EntryRecord[]>();
    pairs.forEach(({ svc }, i) => {
      let list = out.get(svc);
      if (!list) out.set(svc, (list = []));
      for (const raw of (replies[i] as string[] | null) ?? []) {
        try {
          const [durationMs, error, kind, startMs, name] = JSON.parse(raw) as [number, number, SpanKind, number, string];
          if (typeof durationMs !== 'number' || typeof startMs !== 'number' || typeof name !== 'string') continue;
          list.push({ durationMs, error: error === 1, kind, startMs, name });
        } catch { /* skipped */ }
      }
    });
    return out;
  }

  async listServices(): Promise<ServiceStats[]> {
    const now = Date.now();
    const cutoff = this.cutoff(now);
    const [buckets, { names }] = await Promise.all([this.counterBuckets(now), this.metricNames(cutoff)]);
    const stats = new Map<string, ServiceStats>();
    const get = (name: string): ServiceStats => {
      let s = stats.get(name);
      if (!s) stats.set(name, (s = { name, spanCount: 0, errorCount: 0, ...requestStats([]), logCount: 0, metricCount: 0 }));
      return s;
    };
    const pairs: { bucket: number; svc: string }[] = [];
    const requests = new Map<string, { n: number; errors: number }>();
    const req = (svc: string): { n: number; errors: number } => requests.get(svc) ?? requests.set(svc, { n: 0, errors: 0 }).get(svc)!;
    for (const [bucket, entries] of buckets) {
      for (const [field, value] of entries) {
        const f = parseField(field);
        if (!f) continue;
        const n = Number(value) || 0;
        if (f[0] === 'sn') { get(f[1]).spanCount += n; pairs.push({ bucket, svc: f[1] }); }
        else if (f[0] === 'se') get(f[1]).errorCount += n;
        else if (f[0] === 'sl') get(f[1]).logCount += n;
        else if (f[0] === 'rn') req(f[1]).n += n;
        else if (f[0] === 're') req(f[1]).errors += n;
      }
    }
    const ops: Op[] = names.map((name) => {
      const key = this.keys.metricServices(name);
      return { key, cmd: 'zrangebyscore', args: [key, cutoff, '+inf'] };
    });
    const [replies, records] = await Promise.all([ops.length === 0 ? [] : this.conn.exec(ops), this.requestRecords(pairs)]);
    for (let i = 0; i < names.length; i++) {
      for (const svc of replies[i] as string[]) get(svc).metricCount++;
    }
    for (const [svc, list] of records) {
      // Counts are the exact counters; percentiles and the covered time come from the records (a sample past the cap).
      const stats = requestStats(list);
      const counted = requests.get(svc);
      if (counted && list.length > 0 && counted.n >= list.length) {
        stats.ratePerMinute = Math.round(stats.ratePerMinute * (counted.n / list.length) * 1000) / 1000;
        stats.requestCount = counted.n;
        stats.requestErrorCount = Math.max(counted.errors, 0);
      }
      Object.assign(get(svc), stats);
    }
    return [...stats.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async listOperations(service: string): Promise<OperationStats[] | undefined> {
    const now = Date.now();
    const buckets = await this.counterBuckets(now);
    const spanField = FIELD.serviceSpans(service);
    const pairs = buckets.filter(([, entries]) => entries.some(([f]) => f === spanField)).map(([bucket]) => ({ bucket, svc: service }));
    if (pairs.length === 0) {
      // Known by its logs or metrics only: no operations, but not unknown either.
      const logField = FIELD.serviceLogs(service);
      if (buckets.some(([, entries]) => entries.some(([f]) => f === logField))) return [];
      const cutoff = this.cutoff(now);
      const { names } = await this.metricNames(cutoff);
      const replies = names.length === 0 ? [] : await this.conn.exec(names.map((name): Op => {
        const key = this.keys.metricServices(name);
        return { key, cmd: 'zscore', args: [key, service] };
      }));
      return replies.some((r) => r !== null && Number(r) >= cutoff) ? [] : undefined;
    }
    const records = await this.requestRecords(pairs);
    return operationsOf(records.get(service) ?? []);
  }

  async serviceMap(): Promise<ServiceMap> {
    const now = Date.now();
    const live = this.buckets.live(now);
    const [buckets, calls] = await Promise.all([
      this.counterBuckets(now),
      this.conn.exec(live.map((b): Op => {
        const key = this.keys.calls(b);
        return { key, cmd: 'hvals', args: [key] };
      })),
    ]);
    const services = new Set<string>();
    /** Exact service-to-service call and error counts (the call records only sample past their cap). */
    const counted = new Map<string, { calls: number; errors: number }>();
    for (const [, entries] of buckets) {
      for (const [field, value] of entries) {
        const f = parseField(field);
        if (!f) continue;
        if (f[0] === 'sn') services.add(f[1]);
        else if (f[0] === 'en' || f[0] === 'ee') {
          const id = f[1] + '\u0000' + f[2];
          const c = counted.get(id) ?? counted.set(id, { calls: 0, errors: 0 }).get(id)!;
          if (f[0] === 'en') c.calls += Number(value) || 0;
          else c.errors += Number(value) || 0;
        }
      }
    }
    const edges = new Map<string, { source: string; target: string; targetType: ServiceMapNodeType; callCount: number; errorCount: number; durations: number[] }>();
    for (const reply of calls) {
      for (const raw of (reply as string[] | null) ?? []) {
        let rec: [string, string, ServiceMapNodeType, number, number];
        try { rec = JSON.parse(raw); } catch { continue; }
        const [source, target, targetType, error, durationMs] = rec;
        if (typeof source !== 'string' || typeof target !== 'string') continue;
        const id = source + '\u0000' + target;
        let e = edges.get(id);
        if (!e) edges.set(id, (e = { source, target, targetType, callCount: 0, errorCount: 0, durations: [] }));
        if (targetType === 'service') e.targetType = 'service';
        e.callCount++;
        if (error === 1) e.errorCount++;
        e.durations.push(Number(durationMs) || 0);
      }
    }
    for (const e of edges.values()) {
      const c = counted.get(e.source + '\u0000' + e.target);
      if (c && e.targetType === 'service' && c.calls >= e.callCount) {
        e.callCount = c.calls;
        e.errorCount = c.errors;
      }
    }
    const list = [...edges.values()]
      .map(({ durations, ...e }) => ({ ...e, p50Ms: percentile(durations, 50) }))
      .sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
    return buildServiceMap(services, list);
  }

  async stats(): Promise<StoreStats> {
    const now = Date.now();
    const cutoff = this.cutoff(now);
    const kk = this.keys;
    const [buckets, [traces, metrics, names]] = await Promise.all([
      this.counterBuckets(now),
      this.conn.exec([
        { key: kk.tracesByWrite, cmd: 'zcount', args: [kk.tracesByWrite, cutoff, '+inf'] },
        { key: kk.metricNames, cmd: 'zcount', args: [kk.metricNames, cutoff, '+inf'] },
        { key: kk.metricNames, cmd: 'zrangebyscore', args: [kk.metricNames, cutoff, '+inf'] },
      ]),
    ]);
    let spans = 0;
    let logs = 0;
    for (const [, entries] of buckets) {
      for (const [field, value] of entries) {
        if (field === FIELD.spans) spans += Number(value) || 0;
        else if (field === FIELD.logs) logs += Number(value) || 0;
      }
    }
    const dropped = await this.conn.exec((names as string[]).map((name): Op => {
      const key = kk.metricDropped(name);
      return { key, cmd: 'zcount', args: [key, cutoff, '+inf'] };
    }));
    const droppedSeries = dropped.reduce<number>((sum, n) => sum + (Number(n) || 0), 0);
    return { traces: Number(traces) || 0, spans, logs, metrics: Number(metrics) || 0, droppedSeries };
  }
}

