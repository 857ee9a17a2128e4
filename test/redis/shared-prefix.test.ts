/**
 * Two live TinyOlly processes on the shared Redis whose prefixes are P and P+"dev:" (as `tinyolly:` and
 * `tinyolly:dev:`): DELETE /api/data on either removes only its own data (CONTRACT §4).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { getJson, startTinyOlly, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { deletePrefixKeys } from '../helpers/redis-prefix.js';
import { redisAnswersAt } from './private-redis.js';

const SHARED_URL = process.env.TINYOLLY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const shared = await redisAnswersAt(SHARED_URL);
if (!shared) console.warn(`[shared-prefix.test] SKIPPED: no Redis answers at ${SHARED_URL}`);

async function postSpan(base: string, traceId: string, service: string): Promise<number> {
  const res = await fetch(`${base}/v1/traces`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ traceId, spanId: randomBytes(8).toString('hex'), name: 'op', service, startTimeUnixNano: 1700000000000000000, endTimeUnixNano: 1700000000100000000 }),
  });
  await res.arrayBuffer();
  return res.status;
}

describe.skipIf(!shared)('two TinyOlly processes, prefixes P and P+"dev:" on one Redis', () => {
  const p = `tinyolly-test:shared:${randomUUID().slice(0, 8)}:`;
  const running: TinyOllyProcess[] = [];
  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    await deletePrefixKeys(p);
  });

  it('DELETE /api/data of either leaves the other one\'s data readable', async () => {
    const [main, dev] = await Promise.all([
      startTinyOlly({ REDIS_URL: SHARED_URL, TINYOLLY_KEY_PREFIX: p }),
      startTinyOlly({ REDIS_URL: SHARED_URL, TINYOLLY_KEY_PREFIX: p + 'dev:' }),
    ]);
    running.push(main, dev);
    const ids = { main: randomBytes(16).toString('hex'), dev: randomBytes(16).toString('hex'), main2: randomBytes(16).toString('hex') };
    expect(await postSpan(main.otlpHttpUrl, ids.main, 'main')).toBe(200);
    expect(await postSpan(dev.otlpHttpUrl, ids.dev, 'dev')).toBe(200);

    expect((await fetch(`${main.baseUrl}/api/data`, { method: 'DELETE' })).status).toBe(200);
    expect((await getJson(main.baseUrl, `/api/traces/${ids.main}`)).status).toBe(404);
    const devTrace = await getJson(dev.baseUrl, `/api/traces/${ids.dev}`);
    expect(devTrace.status).toBe(200);
    expect(devTrace.body.spans.map((s: { service: string }) => s.service)).toEqual(['dev']);
    expect((await getJson(dev.baseUrl, '/api/stats')).body).toMatchObject({ traces: 1, spans: 1 });

    expect(await postSpan(main.otlpHttpUrl, ids.main2, 'main')).toBe(200);
    expect((await fetch(`${dev.baseUrl}/api/data`, { method: 'DELETE' })).status).toBe(200);
    expect((await getJson(dev.baseUrl, `/api/traces/${ids.dev}`)).status).toBe(404);
    expect((await getJson(main.baseUrl, `/api/traces/${ids.main2}`)).status).toBe(200);
    expect((await getJson(main.baseUrl, '/api/stats')).body).toMatchObject({ traces: 1, spans: 1 });
  }, 60_000);
});
