/**
 * End to end: GET /api/compare (CONTRACT §12) on the real TinyOlly process, fed by the official
 * OpenTelemetry JS SDK exporter: two traces (an N+1 loop of 20 queries against a batched query, a
 * new error, a slower child, an added span) and two windows of the same root operation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { getJson, startTinyOlly, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { tracerProvider } from '../helpers/otel-sdk.js';

interface Shape { nPlusOne: boolean; slowAuthMs?: number; error?: boolean; cache?: boolean }

describe('GET /api/compare', () => {
  let app: TinyOllyProcess;
  let provider: BasicTracerProvider;
  let tracer: Tracer;
  beforeAll(async () => {
    app = await startTinyOlly();
    provider = tracerProvider({ grpcUrl: app.grpcUrl, otlpHttpUrl: app.otlpHttpUrl }, { protocol: 'http/protobuf', serviceName: 'shop' });
    tracer = provider.getTracer('compare-e2e');
  }, 30_000);
  afterAll(async () => {
    await provider?.shutdown();
    await app?.stop();
  });

  /** One `GET /orders` trace starting at `t0Ms` (unix ms), with explicit times so durations are exact. */
  async function sendOrders(t0Ms: number, s: Shape): Promise<string> {
    const at = (ms: number) => new Date(t0Ms + ms);
    const root = tracer.startSpan('GET /orders', { startTime: at(0) });
    const ctx = trace.setSpan(context.active(), root);
    const auth = tracer.startSpan('auth', { startTime: at(1) }, ctx);
    const authEnd = 3 + (s.slowAuthMs ?? 0);
    auth.end(at(authEnd));
    let t = authEnd + 1;
    const query = (stmt: string, ms: number, error = false) => {
      const q = tracer.startSpan('SELECT items', { startTime: at(t), attributes: { 'db.system.name': 'postgresql', 'db.query.text': stmt } }, ctx);
      if (error) q.setStatus({ code: SpanStatusCode.ERROR, message: 'deadlock detected' });
      q.end(at(t + ms));
      t += ms + 1;
    };
    if (s.nPlusOne) for (let i = 0; i < 20; i++) query('SELECT * FROM items WHERE order_id = $1', 2);
    else query('SELECT * FROM items WHERE order_id = ANY($1)', 5, s.error);
    if (s.cache) {
      const c = tracer.startSpan('cache.set', { startTime: at(t) }, ctx);
      c.end(at(t + 2));
      t += 3;
    }
    root.end(at(t));
    await provider.forceFlush();
    return root.spanContext().traceId;
  }

  it('compares two traces: aligned nodes, n-plus-one with the statement, slower, new-error, new-span', async () => {
    const now = Date.now();
    const a = await sendOrders(now - 5000, { nPlusOne: false });
    const b = await sendOrders(now - 4000, { nPlusOne: true, slowAuthMs: 30, cache: true });
    const r = await getJson(app.baseUrl, `/api/compare?a=${a}&b=${b}`);
    expect(r.status).toBe(200);
    expect(r.body.a).toEqual({ traceId: a, rootName: 'GET /orders', rootService: 'shop', durationMs: 10, spanCount: 3, errorCount: 0 });
    expect(r.body.b).toMatchObject({ traceId: b, rootName: 'GET /orders', spanCount: 23 });
    const node = (p: string) => r.body.nodes.find((n: any) => n.path.join(' > ') === p);
    expect(node('shop:GET /orders')).toMatchObject({ status: 'changed', countA: 1, countB: 1 });
    expect(node('shop:GET /orders > shop:SELECT items')).toMatchObject({ countA: 1, countB: 20, durationMsA: 5, durationMsB: 40, deltaMs: 35, status: 'changed', errorA: 0, errorB: 0 });
    expect(node('shop:GET /orders > shop:auth')).toMatchObject({ durationMsA: 2, durationMsB: 32, deltaMs: 30 });
    expect(node('shop:GET /orders > shop:cache.set')).toMatchObject({ status: 'added', countA: 0, countB: 1 });
    const kinds = r.body.findings.map((f: any) => f.kind);
    expect(kinds).toContain('new-span');
    const n1 = r.body.findings.find((f: any) => f.kind === 'n-plus-one');
    expect(n1).toMatchObject({ path: ['shop:GET /orders', 'shop:SELECT items'], count: 20, statement: 'SELECT * FROM items WHERE order_id = $1' });
    const slower = r.body.findings.filter((f: any) => f.kind === 'slower').map((f: any) => f.path.at(-1));
    expect(slower.slice(0, 2).sort()).toEqual(['shop:SELECT items', 'shop:auth']);

    const c = await sendOrders(now - 3000, { nPlusOne: false, error: true });
    const e = await getJson(app.baseUrl, `/api/compare?a=${a}&b=${c}`);
    expect(e.body.findings.filter((f: any) => f.kind === 'new-error')).toEqual([
      expect.objectContaining({ path: ['shop:GET /orders', 'shop:SELECT items'], detail: expect.stringContaining('deadlock detected') }),
    ]);
  });

  it('400 without parameters or with a bad id, 404 for an unknown trace', async () => {
    expect((await getJson(app.baseUrl, '/api/compare')).status).toBe(400);
    expect((await getJson(app.baseUrl, '/api/compare?a=abc&b=def')).status).toBe(400);
    expect((await getJson(app.baseUrl, '/api/compare?root=GET%20%2Forders&a_start=1')).status).toBe(400);
    const unknown = await getJson(app.baseUrl, `/api/compare?a=${'f'.repeat(32)}&b=${'e'.repeat(32)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toContain('not found');
  });

  it('compares two windows of one root operation: means, percentiles, N+1 growth', async () => {
    const base = Date.now() - 120_000;
    for (let i = 0; i < 4; i++) await sendOrders(base + i * 1000, { nPlusOne: false });
    for (let i = 0; i < 4; i++) await sendOrders(base + 60_000 + i * 1000, { nPlusOne: true, error: false });
    const s = base / 1000;
    const r = await getJson(app.baseUrl, `/api/compare?root=${encodeURIComponent('GET /orders')}&service=shop&a_start=${s - 1}&a_end=${s + 10}&b_start=${s + 59}&b_end=${s + 70}`);
    expect(r.status).toBe(200);
    expect(r.body.a).toMatchObject({ rootName: 'GET /orders', traceCount: 4 });
    expect(r.body.b).toMatchObject({ traceCount: 4 });
    const sel = r.body.nodes.find((n: any) => n.path.join(' > ') === 'shop:GET /orders > shop:SELECT items');
    expect(sel).toMatchObject({ countA: 1, countB: 20, p50MsA: 5, p95MsA: 5, p50MsB: 40, p95MsB: 40, errorRateA: 0, errorRateB: 0, status: 'changed' });
    const n1 = r.body.findings.find((f: any) => f.kind === 'n-plus-one');
    expect(n1.detail).toContain('in 4 of 4 traces');
    // A window with no trace of that operation: empty sides, no nodes, still 200.
    const none = await getJson(app.baseUrl, `/api/compare?root=nothing&a_start=${s}&a_end=${s + 1}&b_start=${s}&b_end=${s + 1}`);
    expect(none.status).toBe(200);
    expect(none.body.nodes).toEqual([]);
  });
});
