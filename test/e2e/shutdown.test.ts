/**
 * Graceful shutdown (CONTRACT §6): on SIGTERM/SIGINT TinyOlly stops accepting, finishes in-flight
 * exports, closes the store and exits 0 within 5 s; in Redis mode everything it acknowledged is
 * readable after a restart.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeRequestProtobuf } from '../../src/otlp/protobuf.js';
import { getJson, startTinyOlly } from '../helpers/start-tinyolly.js';
import { deletePrefixKeys, SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis-prefix.js';

const PREFIX = uniquePrefix('shutdown');

afterAll(() => deletePrefixKeys(PREFIX));

function exitOf(proc: import('node:child_process').ChildProcess): Promise<{ code: number | null; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => proc.once('exit', (code) => resolve({ code, ms: Date.now() - t0 })));
}

describe('graceful shutdown', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('exits 0 within 5 s on %s', async (signal) => {
    const app = await startTinyOlly();
    const exited = exitOf(app.proc);
    app.proc.kill(signal);
    const { code, ms } = await exited;
    expect(code, app.output().stderr).toBe(0);
    expect(ms).toBeLessThan(5000);
  });

  it('keeps every export acknowledged before SIGTERM readable after a restart (Redis mode)', async () => {
    const env = { REDIS_URL: SHARED_REDIS_URL, TINYOLLY_KEY_PREFIX: PREFIX };
    const first = await startTinyOlly(env);
    expect(first.storage).toBe('redis');
    const traceIds = Array.from({ length: 60 }, () => randomBytes(16).toString('hex'));
    let acked = 0;
    const exited = exitOf(first.proc);
    const results = await Promise.all(traceIds.map(async (traceId, i) => {
      const body = encodeRequestProtobuf('traces', {
        resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shutdown' } }] }, scopeSpans: [{ spans: Array.from({ length: 20 }, (_, j) => ({ traceId: Buffer.from(traceId, 'hex'), spanId: randomBytes(8), name: `s${i}-${j}`, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000001000000' })) }] }],
      });
      try {
        const res = await fetch(`${first.otlpHttpUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from(body) });
        await res.arrayBuffer();
        if (res.status === 200 && ++acked === 10) first.proc.kill('SIGTERM');
        return res.status;
      } catch {
        return 0; // refused: the listener had closed
      }
    }));
    const { code, ms } = await exited;
    expect(code, first.output().stderr).toBe(0);
    expect(ms).toBeLessThan(5000);
    expect(acked).toBeGreaterThanOrEqual(10);

    const second = await startTinyOlly(env);
    try {
      for (let i = 0; i < traceIds.length; i++) {
        if (results[i] !== 200) continue;
        const r = await getJson(second.baseUrl, `/api/traces/${traceIds[i]}`);
        expect(r.status, `acknowledged trace ${i}`).toBe(200);
        expect(r.body.spans).toHaveLength(20);
      }
    } finally {
      await second.stop();
    }
  });
});
