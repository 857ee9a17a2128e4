/**
 * GET /api/wait at scale, in process (start() with a store wrapped to count its reads): 200 waiters
 * held at once make no store call while nothing arrives, and one matching export wakes all of them
 * with a few reads, not one per waiter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { start, type Running } from '../../src/app.js';
import { DEFAULT_CONFIG } from '../../src/config.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import type { Store } from '../../src/store/store.js';
import { tracerProvider } from '../helpers/otel-sdk.js';

const WAITERS = 200;
const WRITES = new Set(['writeSpans', 'writeLogs', 'writeMetrics']);

/** The store, with every read call counted (writes, ping, close are not reads). */
function countingStore(inner: Store): { store: Store; reads: () => number } {
  let reads = 0;
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        if (!WRITES.has(String(prop)) && prop !== 'ping' && prop !== 'close') reads++;
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, reads: () => reads };
}

describe('200 concurrent waiters', () => {
  let app: Running;
  let counted: ReturnType<typeof countingStore>;
  // node:http opens a socket per request (no pool limit), so every waiter is held at once.
  const agent = new http.Agent({ keepAlive: false });
  beforeAll(async () => {
    counted = countingStore(new MemoryStore({ ttlSeconds: 600, maxSeriesPerMetric: 1000, maxBytes: 64 * 1024 * 1024 }));
    app = await start({ ...DEFAULT_CONFIG, host: '127.0.0.1', grpcPort: 0, httpPort: 0, uiPort: 0 }, { store: counted.store });
  });
  afterAll(async () => {
    await app?.close();
    agent.destroy();
  });

  const wait = (query: string) => new Promise<{ status: number; body: any }>((resolve, reject) => {
    http.get(`http://127.0.0.1:${app.ports.ui}/api/wait?${query}`, { agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    }).on('error', reject);
  });

  it('are held without a store call while idle, and answer at their timeout', async () => {
    const before = counted.reads();
    const answers = await Promise.all(Array.from({ length: WAITERS }, (_, i) => wait(`service=nobody-${i}&timeout_ms=1500`)));
    expect(answers.every((a) => a.status === 200 && a.body.matched === false && a.body.count === 0)).toBe(true);
    expect(counted.reads() - before).toBe(0);
  });

  it('are all woken by one matching export, with a few store reads rather than one per waiter', async () => {
    const since = Date.now() / 1000;
    const pending = Array.from({ length: WAITERS }, () => wait(`service=idle-checkout&since=${since}&timeout_ms=30000`));
    // Idle for a while: whatever registered meanwhile must not read the store.
    await new Promise((r) => setTimeout(r, 1000));
    expect(counted.reads()).toBe(0);
    const provider = tracerProvider({ grpcUrl: `http://127.0.0.1:${app.ports.grpc}`, otlpHttpUrl: `http://127.0.0.1:${app.ports.http}` },
      { protocol: 'grpc', serviceName: 'idle-checkout' });
    provider.getTracer('idle').startSpan('checkout').end();
    await provider.forceFlush();
    await provider.shutdown();
    const answers = await Promise.all(pending);
    expect(answers.every((a) => a.body.matched === true && a.body.count === 1)).toBe(true);
    // One getTrace per re-check; a waiter that registered after the export reads it once on arrival.
    console.log(`store reads to wake ${WAITERS} waiters: ${counted.reads()}`);
    expect(counted.reads()).toBeLessThan(20);
  });
});
