/**
 * End to end (CONTRACT §7): GET /api/live streams coalesced `traces`/`logs`/`metrics` events and
 * keep-alive comments under the UI token; GET /api/attributes and /api/attributes/{key}/values
 * answer the keys and values the OpenTelemetry JS SDK sent, most frequent first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, startTinyOlly, waitFor, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { loggerProvider, meterProvider, tracerProvider } from '../helpers/otel-sdk.js';

const TOKEN = 'live-test-token-0123456789';

/** An open SSE stream: everything received so far, as text. */
async function openStream(url: string, headers: Record<string, string>): Promise<{ status: number; type: string | null; text: () => string; close: () => void }> {
  const ctrl = new AbortController();
  const res = await fetch(url, { headers, signal: ctrl.signal });
  let text = '';
  if (res.ok && res.body) {
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          text += decoder.decode(value, { stream: true });
        }
      } catch { /* aborted */ }
    })();
  }
  return { status: res.status, type: res.headers.get('content-type'), text: () => text, close: () => ctrl.abort() };
}

/** The `event:`/`data:` pairs of an SSE text. */
function eventsOf(text: string): { event: string; data: { count: number; services: string[] } }[] {
  return text.split('\n\n').flatMap((block) => {
    const ev = /^event: (.+)$/m.exec(block);
    const data = /^data: (.+)$/m.exec(block);
    return ev && data ? [{ event: ev[1], data: JSON.parse(data[1]) }] : [];
  });
}

describe('live push and the attribute catalog', () => {
  let app: TinyOllyProcess;
  const auth = { authorization: `Bearer ${TOKEN}` };
  const get = async (path: string) => {
    const res = await fetch(app.baseUrl + path, { headers: auth });
    return { status: res.status, body: await res.json() as any };
  };
  const target = () => ({ grpcUrl: app.grpcUrl, otlpHttpUrl: app.otlpHttpUrl });

  beforeAll(async () => {
    app = await startTinyOlly({ TINYOLLY_UI_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('refuses the stream without the UI token', async () => {
    const s = await openStream(`${app.baseUrl}/api/live`, {});
    expect(s.status).toBe(401);
    s.close();
    expect((await getJson(app.baseUrl, '/api/attributes')).status).toBe(401);
  });

  it('streams one coalesced event per signal for what arrived, with its services, and keep-alive comments', async () => {
    const s = await openStream(`${app.baseUrl}/api/live`, auth);
    expect(s.status).toBe(200);
    expect(s.type).toMatch(/^text\/event-stream/);
    await waitFor(() => s.text().includes(': connected'));
    const tp = tracerProvider(target(), { protocol: 'http/protobuf', serviceName: 'live-svc', batch: true });
    const tracer = tp.getTracer('live');
    for (let i = 0; i < 5; i++) tracer.startSpan(`op ${i}`).end();
    await tp.forceFlush();
    await tp.shutdown();
    const lp = loggerProvider(target(), { protocol: 'http/json', serviceName: 'live-logs' });
    lp.getLogger('live').emit({ body: 'hello live' });
    await lp.forceFlush();
    await lp.shutdown();
    await waitFor(() => {
      const evs = eventsOf(s.text());
      const traces = evs.filter((e) => e.event === 'traces').reduce((n, e) => n + e.data.count, 0);
      return traces === 5 && evs.some((e) => e.event === 'logs' && e.data.services.includes('live-logs'));
    }, 15_000);
    const evs = eventsOf(s.text());
    // Coalesced: the five spans of one export come as one event, not five.
    expect(evs.filter((e) => e.event === 'traces').length).toBeLessThan(5);
    expect(evs.find((e) => e.event === 'traces')!.data.services).toEqual(['live-svc']);
    await waitFor(() => s.text().includes(': keep-alive'), 30_000, 200);
    s.close();
  }, 60_000);

  it('answers attribute keys and values seen, most frequent first, by signal, service and prefix; DELETE /api/data forgets them', async () => {
    const tp = tracerProvider(target(), { protocol: 'http/protobuf', serviceName: 'attr-svc', batch: true });
    const tracer = tp.getTracer('attrs');
    for (let i = 0; i < 6; i++) tracer.startSpan('GET', { attributes: { 'http.route': i < 4 ? '/cart' : '/checkout', 'http.status_code': 200 } }).end();
    tracer.startSpan('rare', { attributes: { 'rare.key': 'x' } }).end();
    await tp.forceFlush();
    await tp.shutdown();
    const lp = loggerProvider(target(), { protocol: 'http/protobuf', serviceName: 'attr-logs' });
    lp.getLogger('attrs').emit({ body: 'x', attributes: { 'log.only': 'yes' } });
    await lp.forceFlush();
    await lp.shutdown();
    const mp = meterProvider(target(), { protocol: 'http/protobuf', serviceName: 'attr-metrics' });
    mp.getMeter('attrs').createCounter('attr.requests').add(1, { 'metric.label': 'a' });
    await mp.forceFlush();
    await mp.shutdown();
    await waitFor(async () => (await get('/api/attributes?signal=metrics')).body.keys.some((k: { key: string }) => k.key === 'metric.label'), 15_000);

    const traces = (await get('/api/attributes?signal=traces&service=attr-svc')).body.keys as { key: string; count: number }[];
    const countOf = (k: string) => traces.find((r) => r.key === k)?.count;
    expect(countOf('http.route')).toBe(6);
    expect(countOf('service.name')).toBe(7); // resource attributes count too
    expect(countOf('rare.key')).toBe(1);
    expect(traces.map((r) => r.count)).toEqual([...traces.map((r) => r.count)].sort((a, b) => b - a));
    expect(traces.some((r) => r.key === 'log.only')).toBe(false);
    expect((await get('/api/attributes?signal=logs')).body.keys.map((r: { key: string }) => r.key)).toContain('log.only');
    expect((await get('/api/attributes?signal=traces&prefix=HTTP.')).body.keys.map((r: { key: string }) => r.key).sort()).toEqual(['http.route', 'http.status_code']);
    expect((await get('/api/attributes?signal=traces&service=nobody')).body.keys).toEqual([]);

    expect((await get('/api/attributes/http.route/values?signal=traces')).body.values).toEqual([{ value: '/cart', count: 4 }, { value: '/checkout', count: 2 }]);
    expect((await get('/api/attributes/http.route/values?signal=traces&prefix=/ch')).body.values).toEqual([{ value: '/checkout', count: 2 }]);
    expect((await get('/api/attributes/http.status_code/values?signal=traces')).body.values).toEqual([{ value: '200', count: 6 }]);
    expect((await get('/api/attributes/no.such.key/values')).body.values).toEqual([]);
    expect((await get('/api/attributes?signal=spans')).status).toBe(400);

    const del = await fetch(`${app.baseUrl}/api/data`, { method: 'DELETE', headers: auth });
    expect(del.status).toBe(200);
    expect((await get('/api/attributes')).body.keys).toEqual([]);
  });
});
