/**
 * api/wait in process: a client that disconnects frees its waiter at once (no held timer, no
 * memory), and a held wait ends when the server closes, so it never delays shutdown.
 */
import { afterEach, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { MemoryStore } from '../store/memory/memory-store.js';
import type { WaitHub } from '../wait/waiters.js';
import { toWaitRequest, waitRoutes } from './wait.js';

const store = () => new MemoryStore({ ttlSeconds: 600, maxSeriesPerMetric: 1000, maxBytes: 1 << 24 });

async function serve(): Promise<{ app: FastifyInstance; hub: WaitHub; url: string }> {
  const app = Fastify();
  let hub!: WaitHub;
  await app.register(async (a) => { hub = waitRoutes(a, { store: store() }); }, { prefix: '/api' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, hub, url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` };
}

async function until(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in 10 s');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('GET /api/wait lifecycle', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => { await app?.close(); app = undefined; });

  it('frees the waiter of a client that disconnects', async () => {
    const s = await serve();
    app = s.app;
    const gone = new AbortController();
    const req = fetch(`${s.url}/api/wait?timeout_ms=60000`, { signal: gone.signal }).catch(() => 'aborted');
    await until(() => s.hub.waiting === 1);
    gone.abort();
    expect(await req).toBe('aborted');
    await until(() => s.hub.waiting === 0);
  });

  it('answers held waits as timed out when the server closes', async () => {
    const s = await serve();
    const held = fetch(`${s.url}/api/wait?timeout_ms=60000`).then((r) => r.json());
    await until(() => s.hub.waiting === 1);
    const t0 = Date.now();
    await s.app.close();
    expect(await held).toMatchObject({ matched: false, count: 0 });
    expect(Date.now() - t0).toBeLessThan(30_000);
  });
});

describe('toWaitRequest', () => {
  it('defaults since to the arrival, min_count to 1 and the timeout to 10 s', () => {
    expect(toWaitRequest({}, 1234)).toMatchObject({ signal: 'traces', sinceMs: 1234, minCount: 1, timeoutMs: 10_000 });
  });
  it('reads since in unix seconds and repeated attr filters', () => {
    const r = toWaitRequest({ since: 1.5, attr: ['a=1', 'b=x=y'] }, 0);
    expect(r.sinceMs).toBe(1500);
    expect(r.filter.attrs).toEqual([{ key: 'a', value: '1' }, { key: 'b', value: 'x=y' }]);
  });
});
