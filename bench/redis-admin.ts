/**
 * @module bench/redis-admin: what the benchmark asks Redis directly: is it reachable, `used_memory`,
 * and removing one run's keys (SCAN + UNLINK on its own prefix; never FLUSHALL/FLUSHDB).
 */
import { Redis } from 'ioredis';

/** A short-lived admin connection; fails fast when Redis is down. */
export function connectAdmin(url: string): Redis {
  return new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000, retryStrategy: () => null });
}

/** Resolves true when Redis at `url` answers PING within 2 s. */
export async function redisReachable(url: string): Promise<boolean> {
  const r = connectAdmin(url);
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

/** Redis `used_memory` in MiB (the whole instance: other users of it count too). */
export async function usedMemoryMb(r: Redis): Promise<number> {
  const info = await r.info('memory');
  const m = /used_memory:(\d+)/.exec(info);
  return m ? Number(m[1]) / (1024 * 1024) : NaN;
}

/** CPU seconds (user + system) the Redis server has used since it started (INFO cpu). */
export async function redisCpuSeconds(r: Redis): Promise<number> {
  const info = await r.info('cpu');
  const user = /used_cpu_user:([\d.]+)/.exec(info);
  const sys = /used_cpu_sys:([\d.]+)/.exec(info);
  return user && sys ? Number(user[1]) + Number(sys[1]) : NaN;
}

/** Deletes every key starting with `prefix` (glob characters in it are escaped); resolves with the count. */
export async function deletePrefix(r: Redis, prefix: string): Promise<number> {
  const pattern = prefix.replace(/[*?[\]\\]/g, (c) => '\\' + c) + '*';
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', pattern, 'COUNT', 2000);
    cursor = next;
    if (keys.length > 0) n += await r.unlink(...keys);
  } while (cursor !== '0');
  return n;
}
