/**
 * @module store/redis/redis-writer: the write side of the Redis store, over the connection it shares
 * with the reader (redis-shared.ts): one pipeline per export, plus one for the aggregates of spans,
 * the index trimmer, and the ledger of what was written (expiry counts). Key layout in keys.ts and
 * docs/redis.md; reads are redis-reader.ts's.
 */
import type { LogRecord, MetricSample, Span } from '../../model/model.js';
import type { WriteMetricsResult, WriteSpansResult } from '../store.js';
import { nanosToMs } from '../../query/traces.js';
import { durationBetweenMs } from '../../model/value-rules.js';
import type { Op, RedisConnection } from './connection.js';
import { type RedisKeys, seriesIdOf, slotOf } from './keys.js';
import { type Buckets, FIELD } from './buckets.js';
import { canonicalJson, encodeValue, finiteOr } from './codec.js';
import { CLAIM_LOGS, HSET_CAPPED, INGEST_TRACES, TRIM_INDEXES, WRITE_METRIC } from './scripts.js';
import { type PeerNode, peerOf } from '../../query/services.js';
import type { RedisShared } from './redis-shared.js';
import { encodeLog, logContentId } from './log-codec.js';
import { ResourceTable, encodeSpan } from './span-codec.js';
import { encodePoint, OriginTable } from './metric-chunks.js';

/**
 * Request records kept per service and time bucket, and call records per time bucket: percentiles,
 * operations, sparklines and peer-call counts are exact below these and computed over that sample
 * beyond (request counts, errors and service-to-service call counts are exact counters). Bounds reads.
 */
export const REQUEST_SAMPLE_CAP = 2000;
export const CALL_SAMPLE_CAP = 5000;
/** Log records or metric points per claiming script call, and per round trip of such calls (see writeLogs). */
const ITEMS_PER_STEP = 10_000;
/** Spans per trace-ingest script call (Redis runs about 8 µs per span inside it, so a call holds Redis for ~8 ms at most). */
const SPANS_PER_CALL = 1000;

export interface RedisWriterOptions {
  /** Distinct series per metric name; points of further series are refused and counted. */
  maxSeriesPerMetric: number;
  /** Spans kept per trace; spans new to a full trace are refused and counted. */
  maxSpansPerTrace: number;
}

type Counters = Map<string, number>;
function bump(c: Counters, field: string, by = 1): void {
  c.set(field, (c.get(field) ?? 0) + by);
}

/**
 * The write methods of the Store on Redis (RedisStore delegates to them). Writes resolve once Redis
 * has acknowledged them and reject with TinyOllyError('unavailable') while it is unreachable; every
 * key they touch expires ttlSeconds after its last write.
 */
export class RedisWriter {
  private readonly conn: RedisConnection;
  private readonly keys: RedisKeys;
  private readonly buckets: Buckets;
  private readonly ttlSeconds: number;
  private readonly maxSeriesPerMetric: number;
  private readonly maxSpansPerTrace: number;
  /** Items this instance wrote, per second of writing (oldest first, from `writtenHead`): the expiry ledger. */
  private readonly written: { sec: number; n: number }[] = [];
  private writtenHead = 0;
  private expiredItems = 0;

  constructor(shared: RedisShared, opts: RedisWriterOptions) {
    this.conn = shared.conn;
    this.keys = shared.keys;
    this.buckets = shared.buckets;
    this.ttlSeconds = shared.ttlSeconds;
    this.maxSeriesPerMetric = opts.maxSeriesPerMetric;
    this.maxSpansPerTrace = opts.maxSpansPerTrace;
  }

  /**
   * What the store dropped (the inspector's drop totals, CONTRACT §8). Redis expires the keys itself
   * and says nothing, so `expired` is kept from a ledger of this instance's writes: the spans, log
   * records and metric points it stored more than ttlSeconds ago (a later span of the same trace
   * extends that trace's keys, so a span may outlive its count). `evicted` stays 0: Redis's own
   * maxmemory eviction is server-wide and cannot be told per prefix.
   */
  get dropped(): { evicted: number; expired: number } {
    this.settleWritten(Date.now());
    return { evicted: 0, expired: this.expiredItems };
  }

  /** Notes `n` items stored now (O(1); the ledger holds at most one entry per second of the TTL). */
  private noteWritten(n: number): void {
    const now = Date.now();
    const sec = Math.floor(now / 1000);
    const last = this.written[this.written.length - 1];
    if (last && last.sec === sec && this.written.length > this.writtenHead) last.n += n;
    else this.written.push({ sec, n });
    this.settleWritten(now);
  }

  private settleWritten(nowMs: number): void {
    const cutoffSec = nowMs / 1000 - this.ttlSeconds;
    while (this.writtenHead < this.written.length && this.written[this.writtenHead].sec + 1 <= cutoffSec) {
      this.expiredItems += this.written[this.writtenHead++].n;
    }
    if (this.writtenHead > 1024 && this.writtenHead * 2 > this.written.length) {
      this.written.splice(0, this.writtenHead);
      this.writtenHead = 0;
    }
  }

  async writeSpans(spans: Span[]): Promise<WriteSpansResult> {
    if (spans.length === 0) return { rejected: 0 };
    const now = Date.now();
    const k = this.buckets.of(now);
    const byTrace = new Map<string, Span[]>();
    for (const s of spans) {
      let list = byTrace.get(s.traceId);
      if (!list) byTrace.set(s.traceId, (list = []));
      list.push(s);
    }
    const ops: Op[] = [];
    const traceIds = [...byTrace.keys()];
    const prefix = now + '|';
    const resources = new ResourceTable();
    // Client calls to a database, messaging system or external peer, looked up once (attribute reads cost).
    const peers = new Map<Span, PeerNode>();
    for (const s of spans) {
      const peer = peerOf(s);
      if (peer) peers.set(s, peer);
    }
    // One script call carries many traces: any traces on one Redis, one slot's traces under Cluster.
    const calls = new Map<string | number, { keys: string[]; args: (string | number)[]; traceIds: string[]; spans: number }>();
    const flushed: { keys: string[]; args: (string | number)[]; traceIds: string[] }[] = [];
    for (const tid of traceIds) {
      const list = byTrace.get(tid)!;
      const spansKey = this.keys.traceSpans(tid);
      const group = this.conn.isCluster ? slotOf(spansKey) : '';
      let call = calls.get(group);
      if (!call) calls.set(group, (call = { keys: [], args: [this.ttlSeconds, k, this.maxSpansPerTrace], traceIds: [], spans: 0 }));
      const used = new Map<string, string>();
      const spanArgs: (string | number)[] = [];
      for (const s of list) {
        const [digest, json] = resources.entryOf(s.service, s.resource);
        used.set(digest, json);
        const peer = peers.has(s) ? '1' : '0';
        const answers = s.kind === 'SERVER' || s.kind === 'CONSUMER' ? '1' : '0';
        spanArgs.push(s.spanId, prefix + encodeSpan(s, digest), s.service, s.parentSpanId ?? '', finiteOr(s.durationMs, 0),
          s.status.code === 'ERROR' ? '1' : '0', s.startTimeUnixNano, s.endTimeUnixNano, peer + answers);
      }
      call.keys.push(spansKey, this.keys.traceSkeleton(tid), this.keys.traceResources(tid));
      call.args.push(used.size, list.length);
      for (const [digest, json] of used) call.args.push(digest, prefix + json);
      for (const a of spanArgs) call.args.push(a);
      call.traceIds.push(tid);
      call.spans += list.length;
      // Bounded calls: Redis runs one script at a time.
      if (call.spans >= SPANS_PER_CALL) { flushed.push(call); calls.delete(group); }
    }
    for (const call of calls.values()) flushed.push(call);
    for (const call of flushed) ops.push({ key: call.keys[0], script: INGEST_TRACES, keys: call.keys, args: call.args });
    const backlinks = new Map<string, (string | number)[]>();
    for (const s of spans) {
      for (const l of s.links) {
        if (l.traceId === s.traceId) continue;
        let fields = backlinks.get(l.traceId);
        if (!fields) backlinks.set(l.traceId, (fields = []));
        fields.push(`${s.traceId}\n${s.spanId}\n${l.spanId}`, encodeValue({
          traceId: s.traceId, spanId: s.spanId, name: s.name, service: s.service, linkedSpanId: l.spanId, attributes: l.attributes,
        }, now));
      }
    }
    for (const [tid, fields] of backlinks) {
      const key = this.keys.traceBacklinks(tid);
      ops.push({ key, cmd: 'hset', args: [key, ...fields] }, { key, cmd: 'expire', args: [key, this.ttlSeconds] });
    }
    const replies = await this.conn.exec(ops);
    const orderedIds: string[] = [];
    const perTrace: unknown[] = [];
    flushed.forEach((call, i) => {
      for (const id of call.traceIds) orderedIds.push(id);
      for (const r of replies[i] as unknown[]) perTrace.push(r);
    });
    await this.conn.exec(this.spanAggregateOps(orderedIds, perTrace, byTrace, peers, now, k));
    let rejected = 0;
    for (const r of perTrace) rejected += Number((r as unknown[])[4] ?? 0);
    this.noteWritten(spans.length - rejected);
    return { rejected };
  }

  /**
   * Turns the trace scripts' answers into index and aggregate updates (global hash tag): counters,
   * per-bucket request records (RedisKeys.latency) and per-bucket call records (RedisKeys.calls).
   */
  private spanAggregateOps(traceIds: string[], replies: unknown[], batch: Map<string, Span[]>, peers: Map<Span, PeerNode>, now: number, k: number): Op[] {
    const counters: Counters = new Map();
    /** Counters of earlier buckets (requests that stopped being entry spans). */
    const older = new Map<number, Counters>();
    /** hash key → fields and values to set; removals run after every set (an add resolved in the same export goes again). */
    const sets = new Map<string, { cap: number; expireAt: number; args: string[] }>();
    const removes: Op[] = [];
    const put = (key: string, cap: number, expireAt: number, field: string, value: string): void => {
      let e = sets.get(key);
      if (!e) sets.set(key, (e = { cap, expireAt, args: [] }));
      e.args.push(field, value);
    };
    const byStart: (string | number)[] = [];
    const byDuration: (string | number)[] = [];
    const byWrite: (string | number)[] = [];
    const byService = new Map<string, (string | number)[]>();
    const callsKey = this.keys.calls(k);
    const callsExpireAt = this.buckets.expireAt(k);
    traceIds.forEach((tid, i) => {
      const [start, end, deltas, services] = replies[i] as [string, string, string[], string[]];
      let spanOf: Map<string, Span> | undefined;
      const sent = (spanId: string): Span | undefined => {
        spanOf ??= new Map((batch.get(tid) ?? []).map((s) => [s.spanId, s]));
        return spanOf.get(spanId);
      };
      const startMs = nanosToMs(start);
      byStart.push(startMs, tid);
      for (const svc of services) {
        let list = byService.get(svc);
        if (!list) byService.set(svc, (list = []));
        list.push(startMs, tid);
      }
      byDuration.push(durationBetweenMs(start, end), tid);
      byWrite.push(now, tid);
      for (let j = 0; j < deltas.length;) {
        const tag = deltas[j];
        if (tag === 'n') {
          const svc = deltas[j + 1];
          const n = Number(deltas[j + 2]);
          const errors = Number(deltas[j + 3]);
          bump(counters, FIELD.spans, n);
          bump(counters, FIELD.serviceSpans(svc), n);
          if (errors > 0) bump(counters, FIELD.serviceErrors(svc), errors);
          j += 4;
        } else if (tag === 'e') {
          const [src, dst, err, childId, dur] = [deltas[j + 1], deltas[j + 2], deltas[j + 3], deltas[j + 4], deltas[j + 5]];
          bump(counters, FIELD.edgeCalls(src, dst));
          if (err === '1') bump(counters, FIELD.edgeErrors(src, dst));
          put(callsKey, CALL_SAMPLE_CAP, callsExpireAt, `e\n${tid}\n${childId}`, JSON.stringify([src, dst, 'service', err === '1' ? 1 : 0, Number(dur) || 0]));
          j += 6;
        } else if (tag === 'a') {
          const [svc, bucket, spanId, dur] = [deltas[j + 1], Number(deltas[j + 2]), deltas[j + 3], deltas[j + 4]];
          const s = sent(spanId);
          const error = s?.status.code === 'ERROR';
          const c = bucket === k ? counters : (older.get(bucket) ?? older.set(bucket, new Map()).get(bucket)!);
          bump(c, FIELD.serviceRequests(svc));
          if (error) bump(c, FIELD.serviceRequestErrors(svc));
          if (s) {
            put(this.keys.latency(bucket, svc), REQUEST_SAMPLE_CAP, this.buckets.expireAt(bucket), `${tid}\n${spanId}`,
              JSON.stringify([Number(dur) || 0, s.status.code === 'ERROR' ? 1 : 0, s.kind, finiteOr(nanosToMs(s.startTimeUnixNano), 0), s.name]));
          }
          j += 5;
        } else if (tag === 'r') {
          const [svc, bucket, spanId, err] = [deltas[j + 1], Number(deltas[j + 2]), deltas[j + 3], deltas[j + 4]];
          const key = this.keys.latency(bucket, svc);
          removes.push({ key, cmd: 'hdel', args: [key, `${tid}\n${spanId}`] });
          const c = bucket === k ? counters : (older.get(bucket) ?? older.set(bucket, new Map()).get(bucket)!);
          bump(c, FIELD.serviceRequests(svc), -1);
          if (err === '1') bump(c, FIELD.serviceRequestErrors(svc), -1);
          j += 5;
        } else if (tag === 'p') {
          const s = sent(deltas[j + 1]);
          const peer = s && peers.get(s);
          if (s && peer) {
            put(callsKey, CALL_SAMPLE_CAP, callsExpireAt, `p\n${tid}\n${s.spanId}`,
              JSON.stringify([s.service, peer.name, peer.type, s.status.code === 'ERROR' ? 1 : 0, finiteOr(s.durationMs, 0)]));
          }
          j += 2;
        } else if (tag === 'q') {
          const key = this.keys.calls(Number(deltas[j + 1]));
          removes.push({ key, cmd: 'hdel', args: [key, `p\n${tid}\n${deltas[j + 2]}`] });
          j += 3;
        } else {
          break;
        }
      }
    });
    const k1 = this.keys;
    const ops: Op[] = [
      { key: k1.tracesByStart, cmd: 'zadd', args: [k1.tracesByStart, 'LT', ...byStart] },
      { key: k1.tracesByDuration, cmd: 'zadd', args: [k1.tracesByDuration, ...byDuration] },
      { key: k1.tracesByWrite, cmd: 'zadd', args: [k1.tracesByWrite, ...byWrite] },
    ];
    const serviceWrites: (string | number)[] = [];
    for (const [svc, members] of byService) {
      const key = k1.tracesOfService(svc);
      ops.push({ key, cmd: 'zadd', args: [key, 'LT', ...members] }, { key, cmd: 'expire', args: [key, this.ttlSeconds] });
      serviceWrites.push(now, svc);
    }
    if (serviceWrites.length > 0) ops.push({ key: k1.traceServices, cmd: 'zadd', args: [k1.traceServices, ...serviceWrites] });
    for (const key of [k1.tracesByStart, k1.tracesByDuration, k1.tracesByWrite, k1.traceServices]) ops.push({ key, cmd: 'expire', args: [key, this.ttlSeconds] });
    for (const op of this.counterOps(counters, k)) ops.push(op);
    for (const [bucket, c] of older) for (const op of this.counterOps(c, bucket)) ops.push(op);
    for (const [key, e] of sets) ops.push({ key, script: HSET_CAPPED, keys: [key], args: [e.cap, e.expireAt, ...e.args] });
    for (const op of removes) ops.push(op);
    return ops;
  }

  private counterOps(counters: Counters, k: number): Op[] {
    if (counters.size === 0) return [];
    const key = this.keys.counters(k);
    const ops: Op[] = [];
    for (const [field, by] of counters) ops.push({ key, cmd: 'hincrby', args: [key, field, by] });
    ops.push({ key, cmd: 'expireat', args: [key, this.buckets.expireAt(k)] });
    return ops;
  }

  /**
   * Two steps, so that a retry of an export whose first attempt timed out or half failed leaves one copy:
   * CLAIM_LOGS claims each record by its content id and indexes and counts the new ones atomically, and
   * answers the bucket each record's data belongs in (the first attempt's, for a record claimed before);
   * then the data is written there, an idempotent HSET.
   */
  async writeLogs(logs: LogRecord[]): Promise<void> {
    if (logs.length === 0) return;
    const now = Date.now();
    const k = this.buckets.of(now);
    const kk = this.keys;
    const resources = new ResourceTable();
    // Records alike in every field are told apart by their place among their like in this export: a
    // retry of the export names the same records again, while two identical lines sent once stay two.
    const alike = new Map<string, number>();
    const ids = logs.map((log) => {
      const id = logContentId(log, resources);
      const n = alike.get(id) ?? 0;
      alike.set(id, n + 1);
      return n === 0 ? id : `${id}.${n}`;
    });
    const claimKeys = [kk.logClaims, kk.logsByTime, kk.logsByWrite, kk.counters(k)];
    // In steps of ITEMS_PER_STEP records, one after the other: Redis runs one script at a time, and each
    // step answers well within the command timeout.
    const claimed: (string | number)[] = [];
    for (let from = 0; from < logs.length; from += ITEMS_PER_STEP) {
      const args: (string | number)[] = [this.ttlSeconds, now, k, this.buckets.of(now - this.ttlSeconds * 1000), this.buckets.expireAt(k)];
      for (let i = from; i < Math.min(logs.length, from + ITEMS_PER_STEP); i++) args.push(ids[i], finiteOr(logs[i].timestamp, 0), FIELD.serviceLogs(logs[i].service));
      const [buckets] = await this.conn.exec([{ key: claimKeys[0], script: CLAIM_LOGS, keys: claimKeys, args }]) as [(string | number)[]];
      for (const b of buckets) claimed.push(b);
    }
    const byBucket = new Map<number, (string | number)[]>();
    const byTrace = new Map<string, (string | number)[]>();
    logs.forEach((log, i) => {
      const bucket = Number(claimed[i]);
      let data = byBucket.get(bucket);
      if (!data) byBucket.set(bucket, (data = []));
      data.push(ids[i], encodeLog(log, now, resources));
      if (log.traceId) {
        let list = byTrace.get(log.traceId);
        if (!list) byTrace.set(log.traceId, (list = []));
        list.push(finiteOr(log.timestamp, 0), `${bucket}:${ids[i]}`);
      }
    });
    const ops: Op[] = [];
    for (const [bucket, data] of byBucket) {
      const key = kk.logBucket(bucket);
      ops.push({ key, cmd: 'hset', args: [key, ...data] }, { key, cmd: 'expireat', args: [key, this.buckets.expireAt(bucket)] });
    }
    for (const [tid, members] of byTrace) {
      const key = kk.traceLogs(tid);
      ops.push({ key, cmd: 'zadd', args: [key, ...members] }, { key, cmd: 'expire', args: [key, this.ttlSeconds] });
    }
    await this.conn.exec(ops);
    this.noteWritten(logs.length);
  }

  async writeMetrics(samples: MetricSample[]): Promise<WriteMetricsResult> {
    if (samples.length === 0) return { rejected: 0 };
    const now = Date.now();
    const cutoff = now - this.ttlSeconds * 1000;
    const byName = new Map<string, MetricSample[]>();
    for (const s of samples) {
      let list = byName.get(s.name);
      if (!list) byName.set(s.name, (list = []));
      list.push(s);
    }
    const kk = this.keys;
    const ops: Op[] = [];
    const names: (string | number)[] = [];
    const meta: string[] = [];
    const origins = new OriginTable();
    const originOps: Op[] = [];
    const k = this.buckets.of(now);
    const expireAt = this.buckets.expireAt(k);
    for (const [name, list] of byName) {
      const keys = [kk.metricRegistry(name), kk.metricSeries(name), kk.metricDropped(name), kk.metricServices(name), kk.metricLast(name),
        kk.metricPointBucket(name, k), kk.metricPointClaims(name)];
      const originsSent = new Set<string>();
      const originArgs: string[] = [];
      // A script call per ITEMS_PER_STEP points (each point is checked against the claims of points stored).
      for (let from = 0; from < list.length; from += ITEMS_PER_STEP) {
        const sent = new Set<string>();
        const args: (string | number)[] = [this.ttlSeconds, now, cutoff, this.maxSeriesPerMetric, expireAt, this.buckets.of(cutoff), k];
        for (let i = from; i < Math.min(list.length, from + ITEMS_PER_STEP); i++) {
          const s = list[i];
          const seriesJson = canonicalJson({ service: s.service, labels: s.labels });
          const sid = seriesIdOf(seriesJson);
          const first = !sent.has(sid);
          if (first) sent.add(sid);
          const timestamp = finiteOr(s.point.timestamp, 0);
          const origin = origins.entryOf(s);
          if (origin !== undefined && !originsSent.has(origin[0])) {
            originsSent.add(origin[0]);
            originArgs.push(origin[0], origin[1]);
          }
          args.push(sid, first ? seriesJson : '', s.service, timestamp, encodePoint(s.point, timestamp, origin?.[0], s.labels));
        }
        ops.push({ key: keys[0], script: WRITE_METRIC, keys, args });
      }
      if (originArgs.length > 0) {
        // With the first points, in the same round trip: an origin is written once per batch, whatever its point count.
        const ok = kk.metricOrigins(name);
        originOps.push({ key: keys[0], cmd: 'hset', args: [ok, ...originArgs] }, { key: keys[0], cmd: 'expire', args: [ok, this.ttlSeconds] });
      }
      const last = list[list.length - 1];
      names.push(now, name);
      meta.push(name, JSON.stringify({
        type: last.type, unit: last.unit, description: last.description, monotonic: last.monotonic, temporality: last.temporality,
      }));
    }
    // The point scripts in round trips of about ITEMS_PER_STEP points (the command timeout runs from the
    // send), then the metadata.
    // The origins go with the first step, before any point that names them is read.
    let rejected = 0;
    for (let from = 0, lead = originOps.length; from < ops.length; lead = 0) {
      const step: Op[] = from === 0 ? [...originOps] : [];
      let items = 0;
      while (from < ops.length && (step.length === lead || items + ops[from].args.length / 5 <= ITEMS_PER_STEP)) {
        items += ops[from].args.length / 5;
        step.push(ops[from++]);
      }
      const replies = await this.conn.exec(step);
      for (let i = lead; i < replies.length; i++) rejected += Number(replies[i]) || 0;
    }
    await this.conn.exec([
      { key: kk.metricNames, cmd: 'zadd', args: [kk.metricNames, ...names] },
      { key: kk.metricMeta, cmd: 'hset', args: [kk.metricMeta, ...meta] },
      { key: kk.metricNames, cmd: 'expire', args: [kk.metricNames, this.ttlSeconds] },
      { key: kk.metricMeta, cmd: 'expire', args: [kk.metricMeta, this.ttlSeconds] },
    ]);
    this.noteWritten(samples.length - rejected);
    return { rejected };
  }

  /** Removes index members whose items have expired (runs on a timer; safe from several instances). */
  async trimIndexes(): Promise<void> {
    const kk = this.keys;
    // Each run removes at most 5,000 traces and 5,000 logs: a few runs catch up after heavy load.
    for (let round = 0; round < 20; round++) {
      const [services] = await this.conn.exec([{ key: kk.traceServices, cmd: 'zrange', args: [kk.traceServices, 0, -1] }]) as [string[]];
      const keys = [kk.tracesByWrite, kk.tracesByStart, kk.tracesByDuration, kk.logsByWrite, kk.logsByTime, kk.metricNames,
        kk.traceServices, ...services.map((svc) => kk.tracesOfService(svc))];
      const [removed] = await this.conn.exec([{ key: keys[0], script: TRIM_INDEXES, keys, args: [Date.now() - this.ttlSeconds * 1000, ...services] }]);
      if (Number(removed) < 5000) break;
    }
  }

  /** Starts the ledger again after the store was cleared: what is cleared does not expire (the count so far stays). */
  reset(): void {
    this.written.length = 0;
    this.writtenHead = 0;
  }
}
