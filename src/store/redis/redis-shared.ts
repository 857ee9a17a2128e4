/**
 * @module store/redis/redis-shared: what the Redis reader and writer share, built once by RedisStore:
 * the one connection, the key builder, the time buckets and the TTL. No state of its own; the Lua
 * scripts are constants of scripts.ts.
 */
import type { Buckets } from './buckets.js';
import type { RedisConnection } from './connection.js';
import type { RedisKeys } from './keys.js';

/**
 * The one connection and the key layout a RedisReader and a RedisWriter work over (Jaeger storage v2's
 * shape: a reader and a writer over one client). Whoever built it owns the connection and closes it.
 */
export interface RedisShared {
  readonly conn: RedisConnection;
  /** Every key of this store's prefix. */
  readonly keys: RedisKeys;
  /** Receipt-time buckets of the aggregates (their width follows ttlSeconds). */
  readonly buckets: Buckets;
  /** Every key expires this long after its last write; older items are left out of every answer. */
  readonly ttlSeconds: number;
}
