/**
 * The query routes issue 13 added or changed, through fastify's inject: GET /api/services/{name}/operations
 * (404 for an unknown service) and the top-level `incomplete` of GET /api/traces/{id}.
 */
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '../model/model.js';
import { MemoryStore } from '../store/memory/memory-store.js';
import { apiRoutes } from './routes.js';

function span(o: Partial<Span>): Span {
  return {
    traceId: 'a'.repeat(32), spanId: '1'.repeat(16), parentSpanId: null, name: 'GET /x', kind: 'SERVER',
    startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000010000000', durationMs: 10,
    status: { code: 'UNSET', message: '' }, service: 'web', attributes: {}, resource: {}, scope: { name: '', version: '' },
    events: [], links: [], ...o,
  };
}

describe('operations and incomplete traces over HTTP', () => {
  const store = new MemoryStore({ ttlSeconds: 600, maxSeriesPerMetric: 10, maxBytes: 1 << 26 });
  const app = Fastify();
  beforeAll(async () => {
    await app.register(apiRoutes, { store, startedAtMs: Date.now(), ports: () => ({ grpc: 0, http: 0, ui: 0 }) });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await store.close();
  });

  it('answers a service\'s operations and 404 {"error"} for an unknown service', async () => {
    await store.writeSpans([span({}), span({ traceId: 'b'.repeat(32), status: { code: 'ERROR', message: '' } })]);
    const ok = await app.inject({ method: 'GET', url: '/api/services/web/operations' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().operations).toMatchObject([{ name: 'GET /x', kind: 'SERVER', requestCount: 2, requestErrorCount: 1, p50Ms: 10 }]);
    expect(ok.json().operations[0].sparkline).toHaveLength(30);
    const missing = await app.inject({ method: 'GET', url: '/api/services/nobody/operations' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: expect.any(String) });
    const odd = await app.inject({ method: 'GET', url: '/api/services/a%2Fb%20c/operations' });
    expect(odd.statusCode).toBe(404);
  });

  it('marks a trace whose root has not arrived incomplete, at the top level', async () => {
    const traceId = 'c'.repeat(32);
    await store.writeSpans([span({ traceId, spanId: '2'.repeat(16), parentSpanId: '1'.repeat(16), name: 'child' })]);
    const before = (await app.inject({ method: 'GET', url: `/api/traces/${traceId}` })).json();
    expect(before).toMatchObject({ traceId, incomplete: true });
    expect((await app.inject({ method: 'GET', url: '/api/traces' })).json().traces.find((t: { traceId: string }) => t.traceId === traceId))
      .toMatchObject({ incomplete: true, rootName: 'child' });
    await store.writeSpans([span({ traceId })]);
    expect((await app.inject({ method: 'GET', url: `/api/traces/${traceId}` })).json()).toMatchObject({ incomplete: false });
  });
});
