/**
 * wait/waiters: the hub over a memory store, fed through a hand-held observer. A trace matches on the
 * spans of all its arrivals; a waiter whose service is not among a trace's services is answered
 * from the index without reading the store; a miss says why.
 */
import { describe, expect, it } from 'vitest';
import type { IngestObserver } from '../ingest/ingester.js';
import type { Span } from '../model/model.js';
import { MemoryStore } from '../store/memory/memory-store.js';
import { WaitHub } from './waiters.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';

function span(o: Partial<Span>): Span {
  return {
    traceId: TRACE, spanId: 'b7ad6b7169203331', parentSpanId: null, name: 'op', kind: 'SERVER',
    startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000100000000', durationMs: 100,
    status: { code: 'UNSET', message: '' }, service: 'checkout', attributes: {}, resource: {},
    scope: { name: '', version: '' }, events: [], links: [], ...o,
  };
}

function setup() {
  const store = new MemoryStore({ ttlSeconds: 600, maxSeriesPerMetric: 1000, maxBytes: 1 << 24 });
  let reads = 0;
  const getTrace = store.getTrace.bind(store);
  store.getTrace = (id) => { reads++; return getTrace(id); };
  let observer!: IngestObserver;
  const hub = new WaitHub(store, (o) => { observer = o; return () => {}; });
  const send = async (spans: Span[]) => {
    await store.writeSpans(spans);
    observer({ signal: 'traces', items: spans, receivedAtMs: Date.now() });
  };
  return { hub, send, reads: () => reads };
}

const never = new AbortController().signal;

describe('WaitHub', () => {
  it('matches a trace on the spans of all its arrivals', async () => {
    const { hub, send } = setup();
    const sinceMs = Date.now() - 1;
    await send([span({})]);
    const waiting = hub.wait({ signal: 'traces', filter: { service: 'checkout', status: 'error', attrs: [] }, minCount: 1, sinceMs, timeoutMs: 10_000 }, never);
    await send([span({ spanId: 'b7ad6b7169203332', parentSpanId: 'b7ad6b7169203331', service: 'payments', status: { code: 'ERROR', message: 'declined' } })]);
    const r = await waiting;
    expect(r).toMatchObject({ matched: true, count: 1 });
  });

  it('rules out a trace without the wanted service from the index alone, and says why', async () => {
    const { hub, send, reads } = setup();
    const waiting = hub.wait({ signal: 'traces', filter: { service: 'cart', attrs: [] }, minCount: 1, sinceMs: Date.now() - 1, timeoutMs: 300 }, never);
    await send([span({}), span({ spanId: 'b7ad6b7169203332', service: 'payments' })]);
    const r = await waiting;
    expect(reads()).toBe(0);
    expect(r).toEqual({ matched: false, count: 0, received: 1, nearMisses: [{ traceId: TRACE, why: 'no span of service cart (services: checkout, payments)' }] });
  });
});
