/**
 * Tests for the memory store: the shared Store contract, plus what only this backend does:
 * TTL expiry on an injected clock, the byte cap's oldest-first eviction, series slots freed on expiry.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import type { LogRecord, MetricSample, ServiceMapEdge, Span } from '../../model/model.js';
import { percentile } from '../../query/services.js';
import { runStoreContract } from '../store.contract.js';
import { MemoryStore } from './memory-store.js';

/** The contract's clock: real time plus whatever passTime added. */
let contractSkewMs = 0;
runStoreContract('memory', async (options) => new MemoryStore({ ...options, maxBytes: 64 * 1024 * 1024, now: () => Date.now() + contractSkewMs }), {
  passTime: async (_store, seconds) => { contractSkewMs += seconds * 1000; },
});

const BASE_S = 1_700_000_000;
const T0 = 5_000_000;

function tid(n: number): string {
  return n.toString(16).padStart(32, '0');
}
function sid(n: number): string {
  return n.toString(16).padStart(16, '0');
}
function ns(ms: number): string {
  return (BigInt(BASE_S) * 1_000_000_000n + BigInt(ms) * 1_000_000n).toString();
}
function span(o: Partial<Span> & { startMs?: number; durMs?: number } = {}): Span {
  const { startMs = 0, durMs = 100, ...rest } = o;
  return {
    traceId: tid(1), spanId: sid(1), parentSpanId: null, name: 'op', kind: 'SERVER',
    startTimeUnixNano: ns(startMs), endTimeUnixNano: ns(startMs + durMs), durationMs: durMs,
    status: { code: 'UNSET', message: '' }, service: 'svc', attributes: { k: 'v' }, resource: { 'service.name': 'svc' },
    scope: { name: 's', version: '1' }, events: [], links: [], ...rest,
  };
}
let logSeq = 0;
function log(o: Partial<LogRecord> = {}): LogRecord {
  return {
    id: `id-${String(++logSeq).padStart(6, '0')}`, timeUnixNano: ns(0), timestamp: BASE_S, severityText: 'INFO', severityNumber: 9,
    body: 'hello world', traceId: null, spanId: null, service: 'svc', attributes: {}, resource: {}, scope: { name: '', version: '' }, ...o,
  };
}
function sample(o: Partial<MetricSample> = {}): MetricSample {
  return { name: 'm', type: 'gauge', unit: '1', description: '', service: 'svc', labels: {}, point: { timestamp: BASE_S, value: 1 }, ...o };
}

/** A store on a hand-driven clock. */
function makeClocked(o: { ttlSeconds?: number; maxBytes?: number; maxSeriesPerMetric?: number } = {}) {
  const clock = { t: T0 };
  const store = new MemoryStore({
    ttlSeconds: o.ttlSeconds ?? 10, maxSeriesPerMetric: o.maxSeriesPerMetric ?? 100, maxBytes: o.maxBytes ?? 1 << 30, now: () => clock.t,
  });
  return { clock, store };
}

/** Bytes the store charges for these writes (measured on a throwaway store). */
async function bytesOf(write: (s: MemoryStore) => Promise<unknown>): Promise<number> {
  const { store } = makeClocked();
  await write(store);
  await store.close();
  return store.usedBytes;
}

describe('MemoryStore TTL', () => {
  const stores: MemoryStore[] = [];
  afterEach(async () => {
    vi.useRealTimers();
    for (const s of stores.splice(0)) await s.close();
  });

  // That every answer forgets expired items is the contract's (store.contract.ts); here: the exact boundary and the bytes.
  it('keeps items until exactly ttlSeconds after their write, then frees their bytes', async () => {
    const { clock, store } = makeClocked({ ttlSeconds: 10 });
    stores.push(store);
    await store.writeSpans([span({ spanId: sid(1), service: 'front' })]);
    await store.writeLogs([log({ traceId: tid(1), service: 'logger' })]);
    await store.writeMetrics([sample({ service: 'metrics' })]);
    clock.t = T0 + 9_999;
    expect(await store.stats()).toEqual({ traces: 1, spans: 1, logs: 1, metrics: 1, droppedSeries: 0 });
    expect(store.usedBytes).toBeGreaterThan(0);
    clock.t = T0 + 10_000;
    expect(await store.stats()).toEqual({ traces: 0, spans: 0, logs: 0, metrics: 0, droppedSeries: 0 });
    expect(store.usedBytes).toBe(0);
  });

  it('expires each write on its own clock and re-derives a partly expired trace', async () => {
    const { clock, store } = makeClocked({ ttlSeconds: 10 });
    stores.push(store);
    await store.writeSpans([span({ spanId: sid(1), name: 'root', startMs: 0, durMs: 1000 })]);
    clock.t = T0 + 5_000;
    await store.writeSpans([span({ spanId: sid(2), parentSpanId: sid(1), name: 'child', startMs: 10, durMs: 10, status: { code: 'ERROR', message: '' } })]);
    expect((await store.findTraces({ limit: 10, sort: 'start', order: 'desc' }))[0]).toMatchObject({ rootName: 'root', spanCount: 2, durationMs: 1000 });
    clock.t = T0 + 10_000;
    expect(await store.findTraces({ limit: 10, sort: 'start', order: 'desc', minDurationMs: 11 })).toEqual([]);
    expect(await store.findTraces({ limit: 10, sort: 'start', order: 'desc' })).toEqual([{
      traceId: tid(1), rootName: 'child', rootService: 'svc', startTimeUnixNano: ns(10), durationMs: 10, spanCount: 1, errorCount: 1, services: ['svc'], incomplete: true,
    }]);
    expect((await store.listServices())[0]).toMatchObject({ spanCount: 1, errorCount: 1, p50Ms: 10 });
    clock.t = T0 + 15_000;
    expect(await store.stats()).toMatchObject({ traces: 0, spans: 0 });
  });

  it('sweeps expired items on a timer, without any read', async () => {
    vi.useFakeTimers();
    const { clock, store } = makeClocked({ ttlSeconds: 10 });
    stores.push(store);
    await store.writeLogs([log(), log()]);
    expect(store.usedBytes).toBeGreaterThan(0);
    clock.t = T0 + 10_000;
    vi.advanceTimersByTime(1_000);
    expect(store.usedBytes).toBe(0);
    await store.close();
    await store.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('frees a series slot when the series expires', async () => {
    const { clock, store } = makeClocked({ ttlSeconds: 10, maxSeriesPerMetric: 1 });
    stores.push(store);
    expect(await store.writeMetrics([sample({ labels: { s: 'a' } })])).toEqual({ rejected: 0 });
    clock.t = T0 + 5_000;
    expect(await store.writeMetrics([sample({ labels: { s: 'b' } })])).toEqual({ rejected: 1 });
    expect((await store.stats()).droppedSeries).toBe(1);
    clock.t = T0 + 10_000;
    expect(await store.writeMetrics([sample({ labels: { s: 'b' }, point: { timestamp: BASE_S + 1, value: 2 } })])).toEqual({ rejected: 0 });
    expect((await store.getMetric('m', {}))?.series).toEqual([{ service: 'svc', labels: { s: 'b' }, points: [{ timestamp: BASE_S + 1, value: 2 }] }]);
    expect((await store.stats()).droppedSeries).toBe(1);
  });
});

describe('MemoryStore byte cap', () => {
  it('evicts the oldest writes first, across signals, down to the cap', async () => {
    const [s1, l1, m1] = [span({ traceId: tid(1) }), log({ body: 'first' }), sample({ labels: { n: 1 } })];
    const [s2, l2, m2] = [span({ traceId: tid(2) }), log({ body: 'second' }), sample({ labels: { n: 2 } })];
    const cap = await bytesOf(async (s) => {
      await s.writeSpans([s2]);
      await s.writeLogs([l2]);
      await s.writeMetrics([m2]);
    });
    const { store } = makeClocked({ maxBytes: cap });
    await store.writeSpans([s1]);
    await store.writeLogs([l1]);
    await store.writeMetrics([m1]);
    await store.writeSpans([s2]);
    await store.writeLogs([l2]);
    expect(await store.getTrace(tid(1))).toBeUndefined();
    await store.writeMetrics([m2]);
    expect(store.usedBytes).toBeLessThanOrEqual(cap);
    expect(await store.getTrace(tid(1))).toBeUndefined();
    expect(await store.getTrace(tid(2))).toEqual([s2]);
    expect((await store.findLogs({ limit: 10 })).map((l) => l.body)).toEqual(['second']);
    expect((await store.getMetric('m', {}))?.series.map((s) => s.labels)).toEqual([{ n: 2 }]);
    await store.close();
  });

  it('evicts item by item inside a batch, oldest first', async () => {
    const spans = Array.from({ length: 10 }, (_, i) => span({ traceId: tid(i + 1) }));
    const cap = await bytesOf((s) => s.writeSpans(spans.slice(6)));
    const { store } = makeClocked({ maxBytes: cap });
    await store.writeSpans(spans);
    expect((await store.findTraces({ limit: 100, sort: 'start', order: 'asc' })).map((t) => t.traceId)).toEqual([7, 8, 9, 10].map(tid));
    expect(store.usedBytes).toBe(cap);
    await store.close();
  });

  it('charges a span written twice once', async () => {
    const once = await bytesOf((s) => s.writeSpans([span({ name: 'a' })]));
    const { store } = makeClocked({ maxBytes: once });
    await store.writeSpans([span({ name: 'a' })]);
    await store.writeSpans([span({ name: 'a' }), span({ name: 'a' })]);
    expect(store.usedBytes).toBe(once);
    expect((await store.getTrace(tid(1)))?.map((s) => s.name)).toEqual(['a']);
    // The superseded copies leave the FIFO without taking the live one with them.
    await store.writeLogs([log()]);
    expect(await store.getTrace(tid(1))).toBeUndefined();
    expect(store.usedBytes).toBeLessThanOrEqual(once);
    await store.close();
  });

  it('charges a point\'s exact fields and exemplars, and a distinct origin once (shared by batches), until its last point leaves', async () => {
    const resource = { 'service.name': 'svc', 'host.name': 'h'.repeat(5000) };
    const scope = { name: 'lib', version: '1' };
    const bare = await bytesOf((st) => st.writeMetrics([sample()]));
    const exact = await bytesOf((st) => st.writeMetrics([sample({ point: {
      timestamp: BASE_S, value: 1, asInt: '1', timeUnixNano: ns(0), startTimeUnixNano: ns(-1),
      exemplars: [{ timeUnixNano: ns(0), value: 1, traceId: tid(1), spanId: sid(1), filteredAttributes: { user: 'u'.repeat(1000) } }],
    } })]));
    expect(exact - bare).toBeGreaterThan(1000 + 2 * 19 + 32 + 16);
    const withOrigin = await bytesOf((st) => st.writeMetrics([sample({ resource, scope })]));
    expect(withOrigin - bare).toBeGreaterThan(5000);
    // Ten batches of ten points from the same (resource, scope), each batch with its own equal objects: one origin charged.
    const { clock, store } = makeClocked({ ttlSeconds: 10 });
    for (let b = 0; b < 10; b++) {
      const r = { ...resource };
      const sc = { ...scope };
      await store.writeMetrics(Array.from({ length: 10 }, (_, i) => sample({ labels: { i: String(i) }, resource: r, scope: sc, point: { timestamp: BASE_S + b, value: 1 } })));
    }
    const hundred = store.usedBytes;
    const hundredBare = await bytesOf(async (st) => {
      for (let b = 0; b < 10; b++) await st.writeMetrics(Array.from({ length: 10 }, (_, i) => sample({ labels: { i: String(i) }, point: { timestamp: BASE_S + b, value: 1 } })));
    });
    expect(hundred - hundredBare).toBe(withOrigin - bare);
    clock.t = T0 + 10_000;
    await store.listMetrics();
    expect(store.usedBytes).toBe(0);
    await store.close();
  });

  it('clear() empties the store and its byte count', async () => {
    const { store } = makeClocked();
    await store.writeSpans([span()]);
    await store.writeMetrics([sample()]);
    await store.clear();
    expect(store.usedBytes).toBe(0);
    expect(await store.stats()).toEqual({ traces: 0, spans: 0, logs: 0, metrics: 0, droppedSeries: 0 });
    await store.close();
  });
});

/**
 * The plain definition of the service rules, over whole traces: a span is an entry of its service when its
 * parent is not stored or is of another service; such a parent makes an edge, an error when the child is one.
 */
class ServiceAggregator {
  readonly entryDurations = new Map<string, number[]>();
  readonly entryErrors = new Map<string, number>();
  private readonly edges = new Map<string, ServiceMapEdge & { durations: number[] }>();

  /** Adds the spans of one trace (all spans of the trace that are stored). */
  addTrace(spans: readonly Span[]): void {
    const byId = new Map<string, Span>();
    for (const s of spans) byId.set(s.spanId, s);
    for (const s of spans) {
      const parent = s.parentSpanId === null ? undefined : byId.get(s.parentSpanId);
      if (!parent || parent.service !== s.service) {
        let list = this.entryDurations.get(s.service);
        if (!list) this.entryDurations.set(s.service, (list = []));
        list.push(s.durationMs);
        if (s.status.code === 'ERROR') this.entryErrors.set(s.service, (this.entryErrors.get(s.service) ?? 0) + 1);
      }
      if (parent && parent.service !== s.service) {
        const key = parent.service + '\u0000' + s.service;
        let e = this.edges.get(key);
        if (!e) this.edges.set(key, (e = { source: parent.service, target: s.service, callCount: 0, errorCount: 0, p50Ms: null, durations: [] }));
        e.callCount++;
        e.durations.push(s.durationMs);
        if (s.status.code === 'ERROR') e.errorCount++;
      }
    }
  }

  /** Requests of one service: count, errors, p50/p95/p99 of its entry spans. */
  latency(service: string): { requestCount: number; requestErrorCount: number; p50Ms: number | null; p95Ms: number | null; p99Ms: number | null } {
    const list = this.entryDurations.get(service) ?? [];
    return {
      requestCount: list.length, requestErrorCount: this.entryErrors.get(service) ?? 0,
      p50Ms: percentile(list, 50), p95Ms: percentile(list, 95), p99Ms: percentile(list, 99),
    };
  }

  /** Edges sorted by source then target, p50 of the child durations. */
  edgeList(): ServiceMapEdge[] {
    return [...this.edges.values()].map(({ durations, ...e }) => ({ ...e, p50Ms: percentile(durations, 50) }))
      .sort((a, b) => a.source.localeCompare(b.source) || a.target.localeCompare(b.target));
  }
}

describe('MemoryStore service rollup', () => {
  it('matches a fresh ServiceAggregator over the stored traces after any writes, retries and expiry', async () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('write' as const),
        spans: fc.array(fc.record({
          trace: fc.integer({ min: 1, max: 4 }), id: fc.integer({ min: 1, max: 6 }), parent: fc.integer({ min: 0, max: 7 }),
          service: fc.constantFrom('a', 'b', 'c'), durMs: fc.integer({ min: 0, max: 50 }), error: fc.boolean(),
        }), { minLength: 1, maxLength: 6 }),
      }),
      fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 6_000 }) }),
      fc.record({ kind: fc.constant('read' as const) }),
    );
    await fc.assert(fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
      const { clock, store } = makeClocked({ ttlSeconds: 10 });
      const check = async (): Promise<void> => {
        const expected = new ServiceAggregator();
        const services = new Set<string>();
        for (let t = 1; t <= 4; t++) {
          const spans = await store.getTrace(tid(t));
          if (!spans) continue;
          expected.addTrace(spans);
          for (const s of spans) services.add(s.service);
        }
        const rows = await store.listServices();
        expect(rows.map((r) => r.name)).toEqual([...services].sort());
        for (const r of rows) {
          expect({ requestCount: r.requestCount, requestErrorCount: r.requestErrorCount, p50Ms: r.p50Ms, p95Ms: r.p95Ms, p99Ms: r.p99Ms })
            .toEqual(expected.latency(r.name));
        }
        expect((await store.serviceMap()).edges).toEqual(expected.edgeList());
      };
      for (const o of ops) {
        if (o.kind === 'tick') clock.t += o.ms;
        else if (o.kind === 'read') await check();
        else {
          await store.writeSpans(o.spans.map((x) => span({
            traceId: tid(x.trace), spanId: sid(x.id), parentSpanId: x.parent === 0 ? null : sid(x.parent), service: x.service,
            durMs: x.durMs, startMs: x.id, status: { code: x.error ? 'ERROR' : 'OK', message: '' },
          })));
        }
      }
      await check();
      await store.close();
    }), { numRuns: 150 });
  });
});

describe('MemoryStore drop counts (the ingest inspector\'s drop totals, CONTRACT §8)', () => {
  it('counts items evicted by the byte cap and expired by the TTL, not replaced ones', async () => {
    // The spans share one trace: its entry is counted once, besides each span.
    const first = await bytesOf((s) => s.writeSpans([span({ spanId: sid(1) })]));
    const one = await bytesOf((s) => s.writeSpans([span({ spanId: sid(1) }), span({ spanId: sid(2) })])) - first;
    const { clock, store } = makeClocked({ ttlSeconds: 10, maxBytes: first + one * 2 + one / 2 });
    await store.writeSpans([1, 2, 3].map((n) => span({ spanId: sid(n) })));
    await store.writeSpans([span({ spanId: sid(3) })]); // a re-sent span replaces, it is not dropped
    expect(store.dropped).toEqual({ evicted: 0, expired: 0 });
    await store.writeSpans([4, 5].map((n) => span({ spanId: sid(n) })));
    expect(store.dropped.evicted).toBe(2);
    await store.writeLogs([log(), log()]);
    const evicted = store.dropped.evicted;
    clock.t += 11_000;
    await store.stats();
    expect(store.dropped.evicted).toBe(evicted);
    expect(store.dropped.expired).toBeGreaterThan(0);
    expect((await store.stats()).spans + (await store.stats()).logs).toBe(0);
    expect(store.dropped.evicted + store.dropped.expired).toBe(3 + 2 + 2); // every distinct item left once
    await store.close();
  });
});
