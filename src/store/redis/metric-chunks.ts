/**
 * @module store/redis/metric-chunks: reads a metric's append-only point strings (one per time bucket),
 * keeping what was already parsed: a later read fetches and parses only the bytes appended since.
 */
import { createHash } from 'node:crypto';
import type { Attributes, MetricOrigin, MetricPoint, MetricSample, Scope } from '../../model/model.js';
import { applyKindsTree, kindsTree, type KindsTree } from '../../model/value-kinds.js';
import { Script } from './connection.js';

/** Cached point entries, all metrics together, at most (beyond it nothing new is cached). */
const MAX_CACHED_ENTRIES = 300_000;
/** Bytes compared at the start of a string to tell a known string from a new one under the same key. */
const HEAD_BYTES = 48;

/**
 * Per bucket key (KEYS), given the byte length already read and the head seen (ARGV pairs):
 * `{length, 0, tail}` when the string still starts with that head (tail: the bytes past the length read),
 * `{length, 1, whole}` otherwise (a new or re-created string; whole is '' when missing).
 */
export const READ_CHUNKS = new Script(`
local out = {}
for i, key in ipairs(KEYS) do
  local off, head = tonumber(ARGV[2 * i - 1]), ARGV[2 * i]
  local len = redis.call('STRLEN', key)
  if len == 0 then
    out[i] = {0, 1, ''}
  elseif off > 0 and len >= off and redis.call('GETRANGE', key, 0, #head - 1) == head then
    if len == off then out[i] = {len, 0, ''} else out[i] = {len, 0, redis.call('GETRANGE', key, off, -1)} end
  else
    out[i] = {len, 1, redis.call('GET', key)}
  end
end
return out
`);

/** What is known of one bucket string: immutable, so concurrent reads can share it. */
interface Bucket {
  bucket: number;
  len: number;
  head: string;
  chunks: unknown[];
  entries: number;
}

/** What a read asked for: the script arguments and the snapshot each answer extends. */
export interface ChunkRequest {
  keys: string[];
  buckets: number[];
  args: string[];
  known: (Bucket | undefined)[];
}

/** Parses `,<json>,<json>…` into its values: one parse, or one per chunk if that fails (damaged data is skipped). */
export function parseChunks(text: string): unknown[] {
  if (text.length < 2) return [];
  try {
    return JSON.parse('[' + text.slice(1) + ']') as unknown[];
  } catch {
    const out: unknown[] = [];
    // Chunks are `,[<receivedMs>,…]`: split before each, parse what parses.
    for (const piece of text.split(/,(?=\[\d)/)) {
      if (!piece) continue;
      try { out.push(JSON.parse(piece)); } catch { /* skipped */ }
    }
    return out;
  }
}

function entriesOf(chunks: unknown[]): number {
  let n = 0;
  for (const c of chunks) if (Array.isArray(c)) n += c.length >> 1;
  return n;
}

/** Encodes the origins of one batch once each: by scope object (a batch's samples share it), then by content. */
export class OriginTable {
  private lastScope: Scope | undefined;
  private lastResource: Attributes | undefined;
  private lastEntry: [string, string] | undefined;

  /** [digest, JSON `[resource, scope]`] of a sample's origin; undefined when it has none. */
  entryOf(s: MetricSample): [string, string] | undefined {
    if (s.resource === undefined || s.scope === undefined) return undefined;
    if (s.scope === this.lastScope && s.resource === this.lastResource) return this.lastEntry;
    const pair = [s.resource, s.scope];
    const kinds = kindsTree(pair);
    const json = JSON.stringify(kinds === undefined ? pair : [...pair, kinds]);
    this.lastScope = s.scope;
    this.lastResource = s.resource;
    this.lastEntry = [createHash('sha1').update(json).digest('base64url').slice(0, 16), json];
    return this.lastEntry;
  }
}

/** The origin stored as JSON `[resource, scope, kinds?]` (its kinds noted again); undefined when malformed. */
export function decodeOrigin(json: string): MetricOrigin | undefined {
  try {
    const v = JSON.parse(json) as unknown;
    if (!Array.isArray(v) || !v[0] || typeof v[0] !== 'object' || !v[1] || typeof v[1] !== 'object') return undefined;
    if (v.length > 2) applyKindsTree(v, v[2]);
    return { resource: v[0] as Attributes, scope: v[1] as Scope };
  } catch {
    return undefined;
  }
}

/**
 * A point as stored: the model point plus the digest of its origin (`o`), and the kinds its series'
 * labels (`k`) and its exemplars (`kx`) hide, each only when there is one.
 */
export type StoredPointJson = MetricPoint & { o?: string; k?: KindsTree; kx?: KindsTree };

/** The stored JSON of a point of a series with these labels, whose origin has the given digest. */
export function encodePoint(p: MetricPoint, timestamp: number, originDigest: string | undefined, labels: Attributes): string {
  const stored: StoredPointJson = { ...p, timestamp };
  if (originDigest !== undefined) stored.o = originDigest;
  const k = kindsTree(labels);
  if (k !== undefined) stored.k = k;
  if (p.exemplars !== undefined) {
    const kx = kindsTree(p.exemplars);
    if (kx !== undefined) stored.kx = kx;
  }
  return JSON.stringify(stored);
}

/** A copy of a stored point sharing nothing with it (its arrays and nested objects copied too), without what only the store reads. */
export function copyPoint(p: StoredPointJson): MetricPoint {
  const { o: _o, k: _k, kx, ...q } = p;
  if (q.exemplars) {
    q.exemplars = structuredClone(q.exemplars);
    if (kx !== undefined) applyKindsTree(q.exemplars, kx);
  }
  if (q.bucketCounts) q.bucketCounts = q.bucketCounts.slice();
  if (q.explicitBounds) q.explicitBounds = q.explicitBounds.slice();
  if (q.positive) q.positive = { ...q.positive, bucketCounts: q.positive.bucketCounts?.slice() };
  if (q.negative) q.negative = { ...q.negative, bucketCounts: q.negative.bucketCounts?.slice() };
  if (q.quantiles) q.quantiles = q.quantiles.map((x) => ({ ...x }));
  return q;
}

/** Parsed point chunks per bucket key, bounded; one per store. */
export class MetricChunkCache {
  private readonly cache = new Map<string, Bucket>();
  private entries = 0;

  /** The read of these bucket keys (bucket numbers alongside): only bytes past what is cached. */
  request(keys: string[], buckets: number[]): ChunkRequest {
    const args: string[] = [];
    const known = keys.map((key) => this.cache.get(key));
    for (const b of known) args.push(String(b?.len ?? 0), b?.head ?? '');
    return { keys, buckets, args, known };
  }

  /**
   * Applies the READ_CHUNKS reply and returns every chunk the keys hold (cached ones shared:
   * callers copy what they hand out). Buckets older than the oldest one asked for are dropped.
   */
  answer(req: ChunkRequest, reply: unknown): unknown[][] {
    const rows = Array.isArray(reply) ? reply as [number, number, string | null][] : [];
    const oldest = req.buckets.reduce((m, b) => Math.min(m, b), Infinity);
    for (const [key, b] of this.cache) {
      if (b.bucket < oldest) this.drop(key);
    }
    const out: unknown[][] = [];
    req.keys.forEach((key, i) => {
      const row = rows[i];
      if (!Array.isArray(row)) return;
      const [len, mode, data] = row;
      const text = typeof data === 'string' ? data : '';
      const known = req.known[i];
      let b: Bucket;
      if (mode === 1 || !known) {
        const chunks = parseChunks(text);
        b = { bucket: req.buckets[i], len: Number(len) || 0, head: text.slice(0, HEAD_BYTES), chunks, entries: entriesOf(chunks) };
      } else if (text.length > 0) {
        const more = parseChunks(text);
        b = { ...known, len: Number(len) || 0, chunks: known.chunks.concat(more), entries: known.entries + entriesOf(more) };
      } else {
        b = known;
      }
      out.push(b.chunks);
      const current = this.cache.get(key);
      if (b === current || (current && current.len > b.len)) return;
      if (current) this.drop(key);
      // Only an ASCII head identifies a string byte for byte, and a later tail needs one.
      if (b.len > 0 && /^[\x20-\x7e]*$/.test(b.head) && this.entries + b.entries <= MAX_CACHED_ENTRIES) {
        this.cache.set(key, b);
        this.entries += b.entries;
      }
    });
    return out;
  }

  private drop(key: string): void {
    const b = this.cache.get(key);
    if (!b) return;
    this.entries -= b.entries;
    this.cache.delete(key);
  }

  /** Forgets everything (after clear()). */
  reset(): void {
    this.cache.clear();
    this.entries = 0;
  }
}
