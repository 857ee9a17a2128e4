/**
 * @module store/redis/metric-chunks: reads a metric's append-only point strings (one per time bucket),
 * keeping what was already parsed: a later read fetches and parses only the bytes appended since.
 */
import type { MetricPoint } from '../../model/model.js';
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

/** A copy of a stored point sharing nothing with it (its arrays and nested objects copied too). */
export function copyPoint(p: MetricPoint): MetricPoint {
  const q = { ...p };
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
