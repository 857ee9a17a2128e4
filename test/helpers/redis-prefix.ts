/**
 * @module test/helpers/redis-prefix: a unique key prefix per test run on the shared Redis
 * (127.0.0.1:6379), and the clean-up that removes only that prefix's keys (never FLUSHALL/FLUSHDB).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const SHARED_REDIS_URL = 'redis://127.0.0.1:6379';

/** `tinyolly-test:<name>:<random>:` */
export function uniquePrefix(name: string): string {
  return `tinyolly-test:${name}:${randomBytes(4).toString('hex')}:`;
}

/** Deletes every key of the shared Redis that starts with `prefix` (SCAN + UNLINK). */
export async function deletePrefixKeys(prefix: string): Promise<void> {
  const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}
