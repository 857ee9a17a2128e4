/**
 * @module store/redis/keys: every Redis key of the Redis store is built here (layout in docs/redis.md).
 * Keys that a command or script touches together share one hash tag, so they share a Cluster slot.
 */
import calculateSlot from 'cluster-key-slot';
import { createHash } from 'node:crypto';

/**
 * Hash-tag-safe form of an id: kept when short and plain, otherwise `~` + a digest (never empty,
 * never braces; `~` cannot start a kept id, so the two forms never collide).
 */
export function tagOf(id: string): string {
  if (/^[0-9a-z._-]{1,64}$/.test(id)) return id;
  return '~' + createHash('sha1').update(id).digest('hex').slice(0, 24);
}

/** A short stable id for a metric series (service + canonical labels). */
export function seriesIdOf(canonical: string): string {
  return createHash('sha1').update(canonical).digest('base64url').slice(0, 16);
}

/**
 * All key names for one key prefix. Every key is the prefix followed by `{`, its hash tag: a prefix
 * holds no brace, so what follows one instance's prefix can never continue another prefix, and the glob
 * `<prefix>{*` matches this instance's keys only, also when another instance's prefix merely starts
 * with this one's (`tinyolly:` and `tinyolly:dev:`). Groups (each one hash tag, so one Cluster slot):
 * - global `{<prefix>idx}`: trace/log/metric-name indexes and per-time-bucket aggregates;
 * - per trace `{t:<traceId>}`: spans, skeleton, backlinks, log references;
 * - per log bucket `{<prefix>lb:<k>}`: the log records received during bucket k;
 * - per metric name `{m<digest>}`: series registry, series labels, points, refusals, last point.
 * Within one prefix the groups' suffixes differ, so no two kinds of key can be the same key.
 */
export class RedisKeys {
  private readonly g: string;

  constructor(readonly prefix: string) {
    if (prefix === '' || /[{}]/.test(prefix)) throw new Error(`a Redis key prefix must be non-empty and hold no "{" or "}", got "${prefix}"`);
    this.g = `${prefix}{${prefix}idx}:`;
  }

  /** Glob that matches every key of this instance and none of any other prefix (for clear()). */
  get pattern(): string {
    return this.prefix.replace(/[*?[\]\\]/g, (c) => '\\' + c) + '{*';
  }

  // --- global group ---
  /** ZSET traceId → earliest span start (ms). */
  get tracesByStart(): string { return this.g + 'ts'; }
  /** ZSET traceId → trace duration (ms). */
  get tracesByDuration(): string { return this.g + 'td'; }
  /** ZSET traceId → last write (ms since epoch): trimming and live counts. */
  get tracesByWrite(): string { return this.g + 'tw'; }
  /** ZSET `<bucket>:<logId>` → log timestamp (s). */
  get logsByTime(): string { return this.g + 'li'; }
  /** ZSET `<bucket>:<logId>` → receipt (ms): trimming. */
  get logsByWrite(): string { return this.g + 'lw'; }
  /** ZSET log content id (log-codec logContentId) → the bucket its record is stored in: a retry finds it there. */
  get logClaims(): string { return this.g + 'lc'; }
  /** ZSET traceId → earliest span start (ms), per service: traces with a span of that service. */
  tracesOfService(service: string): string { return this.g + 'tss:' + service; }
  /** ZSET service → last write (ms): the services that have a tracesOfService index (for trimming). */
  get traceServices(): string { return this.g + 'tsn'; }
  /** ZSET metric name → last write (ms). */
  get metricNames(): string { return this.g + 'mn'; }
  /** HASH metric name → JSON metadata (type, unit, description, monotonic, temporality). */
  get metricMeta(): string { return this.g + 'mm'; }
  /** HASH of counters for time bucket k (spans, logs, per service, per edge). */
  counters(bucket: number): string { return this.g + 'c:' + bucket; }
  /**
   * HASH `<traceId>\n<spanId>` → JSON [durationMs, error 0|1, kind, startMs, name]: the entry spans (requests)
   * of one service received in bucket k.
   */
  latency(bucket: number, service: string): string { return this.g + 'req:' + bucket + ':' + service; }
  /**
   * HASH of the calls seen in bucket k: `e\n<traceId>\n<childSpanId>` (a cross-service call) or
   * `p\n<traceId>\n<spanId>` (a client call to a database, messaging system or external peer, not answered)
   * → JSON [source, target, targetType, error 0|1, durationMs].
   */
  calls(bucket: number): string { return this.g + 'calls:' + bucket; }

  // --- per trace ---
  private t(traceId: string): string { return `${this.prefix}{t:${tagOf(traceId)}}:`; }
  /** HASH spanId → encoded span (compact: no traceId, spanId, service or resource; see span-codec.ts). */
  traceSpans(traceId: string): string { return this.t(traceId) + 's'; }
  /** HASH resource digest → encoded [service, resource]: each distinct resource of the trace, once. */
  traceResources(traceId: string): string { return this.t(traceId) + 'r'; }
  /** HASH skeleton (`k:<spanId>`), parent wait lists (`w:<spanId>`), `start`, `end`. */
  traceSkeleton(traceId: string): string { return this.t(traceId) + 'x'; }
  /** HASH `<traceId>\n<spanId>\n<linkedSpanId>` → encoded backlink, for links pointing at this trace. */
  traceBacklinks(traceId: string): string { return this.t(traceId) + 'b'; }
  /** ZSET `<bucket>:<logId>` → log timestamp (s): logs carrying this trace id. */
  traceLogs(traceId: string): string { return this.t(traceId) + 'l'; }

  // --- per log bucket ---
  /** HASH logId → encoded log record, for logs received in bucket k. */
  logBucket(bucket: number): string { return `${this.prefix}{${this.prefix}lb:${bucket}}`; }

  // --- per metric name ---
  private m(name: string): string { return `${this.prefix}{m${seriesIdOf(name)}}:`; }
  /** ZSET seriesId → last accepted write (ms). */
  metricRegistry(name: string): string { return this.m(name) + 'reg'; }
  /** HASH seriesId → JSON {service, labels}. */
  metricSeries(name: string): string { return this.m(name) + 'ser'; }
  /** ZSET seriesId → last refusal (ms): series refused by the per-metric cap. */
  metricDropped(name: string): string { return this.m(name) + 'drop'; }
  /** ZSET service → last accepted write (ms). */
  metricServices(name: string): string { return this.m(name) + 'svc'; }
  /** HASH `ts`, `json`, `recv`: the newest point by timestamp. */
  metricLast(name: string): string { return this.m(name) + 'last'; }
  /** HASH origin digest → JSON `[resource, scope]`: the origins the points' `o` fields name. */
  metricOrigins(name: string): string { return this.m(name) + 'org'; }
  /** ZSET digest of (seriesId, point JSON) → receipt (ms): the points stored, so that a retried export adds none twice. */
  metricPointClaims(name: string): string { return this.m(name) + 'pc'; }
  /** STRING of `,[<receivedMs>,"<seriesId>",<point JSON>…]` chunks, one per write: the points received in bucket k (append-only). */
  metricPointBucket(name: string, bucket: number): string { return this.m(name) + 'pb:' + bucket; }
}

/**
 * The Redis Cluster slot of a key, honouring `{hash tags}`: the function ioredis routes Cluster
 * commands by (`cluster-key-slot`, pinned to ioredis's version), so a pipeline grouped by it is one
 * ioredis sends to one node. It differs from Redis only for a key whose first "{" is followed at once
 * by "}" (`foo{}{bar}`), a shape no key built here has; redis-store.test.ts checks every key built
 * here against CLUSTER KEYSLOT of a real redis-server.
 */
export function slotOf(key: string): number {
  return calculateSlot(key);
}
