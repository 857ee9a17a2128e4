/**
 * End to end: GET /api/wait (CONTRACT §10) on the real TinyOlly process, fed by the official
 * OpenTelemetry JS SDK exporters: answers once a matching export is stored, times out with near
 * misses that say why, scopes by since= (receipt time), validates its parameters and honours the UI token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import type { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { getJson, startTinyOlly, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { loggerProvider, tracerProvider } from '../helpers/otel-sdk.js';

const nowS = () => Date.now() / 1000;

describe('GET /api/wait', () => {
  let app: TinyOllyProcess;
  let provider: BasicTracerProvider;
  let tracer: Tracer;
  beforeAll(async () => {
    app = await startTinyOlly();
    provider = tracerProvider({ grpcUrl: app.grpcUrl, otlpHttpUrl: app.otlpHttpUrl }, { protocol: 'http/protobuf', serviceName: 'checkout' });
    tracer = provider.getTracer('wait-e2e');
  });
  afterAll(async () => {
    await provider?.shutdown();
    await app?.stop();
  });

  /** One trace: a root `name` with a child, exported (SimpleSpanProcessor) and flushed. */
  async function sendTrace(name: string, opts: { error?: boolean; attrs?: Record<string, string> } = {}): Promise<string> {
    let traceId = '';
    tracer.startActiveSpan(name, { attributes: opts.attrs }, (root) => {
      traceId = root.spanContext().traceId;
      tracer.startSpan('child').end();
      if (opts.error) root.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
      else root.setStatus({ code: SpanStatusCode.OK });
      root.end();
    });
    await provider.forceFlush();
    return traceId;
  }

  it('answers promptly after a matching export from the SDK', async () => {
    const since = nowS();
    const waiting = fetch(`${app.baseUrl}/api/wait?service=checkout&name=prompt-op&since=${since}&timeout_ms=20000`)
      .then(async (res) => ({ at: Date.now(), status: res.status, body: await res.json() as any }));
    // The waiter is registered with since= set explicitly, so the export may race its arrival.
    await new Promise((r) => setTimeout(r, 200));
    const traceId = await sendTrace('prompt-op');
    const acked = Date.now();
    const answer = await waiting;
    const latencyMs = answer.at - acked;
    console.log(`wait answered ${latencyMs} ms after the SDK's export was acknowledged`);
    expect(answer.status).toBe(200);
    expect(answer.body.matched).toBe(true);
    expect(answer.body.count).toBeGreaterThanOrEqual(1);
    expect(answer.body.traces.map((t: any) => t.traceId)).toContain(traceId);
    expect(answer.body.traces[0]).toMatchObject({ rootService: 'checkout', spanCount: expect.any(Number) });
    // Generous: the point is "as soon as it arrives", not a 10 s timeout or a poll interval.
    expect(latencyMs).toBeLessThan(2000);
  });

  it('times out with near misses that say why they missed', async () => {
    const since = nowS();
    const errorTrace = await sendTrace('pay-op', { error: true });
    const attrTrace = await sendTrace('attr-op', { attrs: { a: '1', b: '2', c: '3', d: 'other' } });
    const t0 = Date.now();
    const status = await getJson(app.baseUrl, `/api/wait?service=checkout&name=pay-op&status=ok&since=${since}&timeout_ms=800`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ matched: false, count: 0 });
    const miss = status.body.nearMisses.find((m: any) => m.traceId === errorTrace);
    expect(miss.why).toBe('service checkout, name matched, but status ERROR, wanted OK');

    const attrs = await getJson(app.baseUrl, `/api/wait?name=attr-op&attr=a=1&attr=b=2&attr=c=3&attr=d=4&since=${since}&timeout_ms=300`);
    const attrMiss = attrs.body.nearMisses.find((m: any) => m.traceId === attrTrace);
    expect(attrMiss.why).toMatch(/^name matched, but 3 of 4 attributes \(d is "other", wanted "4"\)$/);
    // The closest miss comes first.
    expect(attrs.body.nearMisses[0].traceId).toBe(attrTrace);
  });

  it('counts only what was received after since, and says when a match came too early', async () => {
    const t0 = nowS();
    await sendTrace('scoped-op');
    await new Promise((r) => setTimeout(r, 20));
    const t1 = nowS();
    await sendTrace('scoped-op');
    const both = await getJson(app.baseUrl, `/api/wait?name=scoped-op&min_count=2&since=${t0}&timeout_ms=3000`);
    expect(both.body).toMatchObject({ matched: true, count: 2 });
    const later = await getJson(app.baseUrl, `/api/wait?name=scoped-op&min_count=2&since=${t1}&timeout_ms=300`);
    expect(later.body).toMatchObject({ matched: false, count: 1 });
    expect(later.body.nearMisses[0].why).toMatch(/matches, but only 1 of the 2 wanted arrived/);
    // Default since = the request's arrival: both arrived before it.
    const none = await getJson(app.baseUrl, '/api/wait?name=scoped-op&timeout_ms=300');
    expect(none.body).toMatchObject({ matched: false, count: 0 });
    expect(none.body.nearMisses.length).toBeGreaterThan(0);
    expect(none.body.nearMisses[0].why).toMatch(/^matches, but was received [\d.]+ s before since$/);
  });

  it('waits for logs with the logs filters', async () => {
    const since = nowS();
    const lp = loggerProvider({ grpcUrl: app.grpcUrl, otlpHttpUrl: app.otlpHttpUrl }, { protocol: 'grpc', serviceName: 'checkout' });
    const waiting = getJson(app.baseUrl, `/api/wait?signal=logs&service=checkout&severity=error&q=card%20declined&since=${since}&timeout_ms=20000`);
    const logger = lp.getLogger('wait-e2e');
    logger.emit({ severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: 'card declined (just info)' });
    logger.emit({ severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: 'payment failed: Card Declined' });
    await lp.forceFlush();
    const answer = await waiting;
    await lp.shutdown();
    expect(answer.body).toMatchObject({ matched: true, count: 1 });
    expect(answer.body.logs[0]).toMatchObject({ service: 'checkout', severityText: 'ERROR', body: 'payment failed: Card Declined' });

    const miss = await getJson(app.baseUrl, `/api/wait?signal=logs&service=checkout&severity=fatal&since=${since}&timeout_ms=200`);
    expect(miss.body.matched).toBe(false);
    expect(miss.body.nearMisses.map((m: any) => m.why)).toContain('service checkout, but severity ERROR, wanted ≥ FATAL');
    expect(miss.body.nearMisses[0].id).toEqual(expect.any(String));
  });

  it('does not answer with data cleared by DELETE /api/data', async () => {
    const since = nowS();
    await sendTrace('cleared-op');
    expect((await fetch(`${app.baseUrl}/api/data`, { method: 'DELETE' })).status).toBe(200);
    const after = await getJson(app.baseUrl, `/api/wait?name=cleared-op&since=${since}&timeout_ms=200`);
    expect(after.body).toMatchObject({ matched: false, count: 0 });
  });

  it.each([
    ['timeout_ms=60001', /timeout_ms/],
    ['timeout_ms=-1', /timeout_ms/],
    ['min_count=0', /min_count/],
    ['since=abc', /since/],
    ['signal=metrics', /signal/],
    ['status=broken', /status/],
    ['attr=novalue', /attr/],
    ['signal=logs&name=x', /name does not apply/],
    ['q=x', /q does not apply/],
    ['signal=logs&severity=loud', /severity/],
  ])('answers 400 for %s', async (query, message) => {
    const res = await getJson(app.baseUrl, `/api/wait?${query}${query.includes('timeout_ms') ? '' : '&timeout_ms=0'}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(message);
  });
});

describe('GET /api/wait with TINYOLLY_UI_TOKEN set', () => {
  let app: TinyOllyProcess;
  beforeAll(async () => { app = await startTinyOlly({ TINYOLLY_UI_TOKEN: 'wait-secret' }); });
  afterAll(async () => { await app?.stop(); });

  it('answers 401 without the token and waits with it', async () => {
    const anon = await fetch(`${app.baseUrl}/api/wait?timeout_ms=0`);
    expect(anon.status).toBe(401);
    const wrong = await fetch(`${app.baseUrl}/api/wait?timeout_ms=0`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    const ok = await fetch(`${app.baseUrl}/api/wait?timeout_ms=0`, { headers: { authorization: 'Bearer wait-secret' } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ matched: false, count: 0, nearMisses: [] });
  });
});
