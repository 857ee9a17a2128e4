/**
 * GET /api/compare windows form through fastify's inject (CONTRACT §12 `root=NAME`): the root
 * operation is the root span's exact name, however many traces merely contain it as a substring.
 */
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '../model/model.js';
import { MemoryStore } from '../store/memory/memory-store.js';
import { apiRoutes } from './routes.js';

const T0_MS = 1_700_000_000_000;
let seq = 0;
function span(traceId: string, name: string, startMs: number, o: Partial<Span> = {}): Span {
  const nanos = (ms: number) => `${BigInt(Math.round(ms * 1000)) * 1000n}`;
  return {
    traceId, spanId: (++seq).toString(16).padStart(16, '0'), parentSpanId: null, name, kind: 'SERVER',
    startTimeUnixNano: nanos(startMs), endTimeUnixNano: nanos(startMs + 10), durationMs: 10,
    status: { code: 'UNSET', message: '' }, service: 'shop', attributes: {}, resource: {}, scope: { name: '', version: '' },
    events: [], links: [], ...o,
  };
}
const tid = (n: number) => n.toString(16).padStart(32, '0');

describe('GET /api/compare?root=: exact root span name', () => {
  const store = new MemoryStore({ ttlSeconds: 600, maxSeriesPerMetric: 10, maxBytes: 1 << 28 });
  const app = Fastify();
  beforeAll(async () => {
    await app.register(apiRoutes, { store, startedAtMs: Date.now(), ports: () => ({ grpc: 0, http: 0, ui: 0 }) });
    await app.ready();
    const now = Date.now() - 60_000;
    const spans: Span[] = [];
    // Window: [now, now + 30 s]. Two real `GET /orders` traces, oldest in the window.
    spans.push(span(tid(1), 'GET /orders', now), span(tid(2), 'GET /orders', now + 10));
    // Newer decoys the substring filter matches: 1,100 `GET /orders/:id` roots (more than one page).
    for (let i = 0; i < 1100; i++) spans.push(span(tid(100 + i), 'GET /orders/:id', now + 1000 + i));
    // A root of another name with a child named `GET /orders`; another case; another service.
    const parent = span(tid(3), 'POST /checkout', now + 20);
    spans.push(parent, span(tid(3), 'GET /orders', now + 21, { parentSpanId: parent.spanId, kind: 'CLIENT' }));
    spans.push(span(tid(4), 'get /orders', now + 30));
    spans.push(span(tid(5), 'GET /orders', now + 40, { service: 'admin' }));
    // An incomplete trace: its only span is a `GET /orders` child whose parent never arrived.
    spans.push(span(tid(6), 'GET /orders', now + 50, { parentSpanId: 'f'.repeat(16) }));
    await store.writeSpans(spans);
  });
  afterAll(async () => {
    await app.close();
    await store.close();
  });

  const windows = (root: string, service?: string) => {
    const s = (Date.now() - 60_000) / 1000;
    const a = `a_start=${s - 5}&a_end=${s + 30}&b_start=${s - 5}&b_end=${s + 30}`;
    return `/api/compare?root=${encodeURIComponent(root)}${service ? `&service=${service}` : ''}&${a}`;
  };

  it('counts only traces whose root span is named exactly NAME, past a page of substring matches', async () => {
    const r = await app.inject({ method: 'GET', url: windows('GET /orders', 'shop') });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.a).toMatchObject({ rootName: 'GET /orders', rootService: 'shop', traceCount: 2 });
    expect(body.nodes.map((n: { path: string[] }) => n.path.join(' > '))).toEqual(['shop:GET /orders']);
    // Without a service, the `admin` root of the same name counts too; a case change never does.
    expect((await app.inject({ method: 'GET', url: windows('GET /orders') })).json().a.traceCount).toBe(3);
    expect((await app.inject({ method: 'GET', url: windows('get /orders') })).json().a.traceCount).toBe(1);
    expect((await app.inject({ method: 'GET', url: windows('GET /orders/:id') })).json().a.traceCount).toBe(1000);
    expect((await app.inject({ method: 'GET', url: windows('GET /order') })).json().a.traceCount).toBe(0);
  });
});
