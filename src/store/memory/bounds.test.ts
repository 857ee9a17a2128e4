/**
 * Issue 11: the memory store keeps what it counts and counts what it keeps, whatever the shape of
 * the data, and no write or eviction costs more than O(log n) per item. Checked with counts of held
 * items, bytes and operations, never with wall-clock time.
 */
import { describe, expect, it } from 'vitest';
import type { MetricSample, Span } from '../../model/model.js';
import { DEFAULT_NORMALISE_OPTIONS } from '../../normalise/options.js';
import { normaliseTracesProtobuf } from '../../normalise/traces-protobuf.js';
import type { WireSpan } from '../../wire/wire-span.js';
import { encodeRequestProtobuf } from '../../../test/helpers/otlp-protobuf.js';
import { normaliseLogs } from '../../normalise/logs.js';
import { normaliseTraces } from '../../normalise/traces.js';
import { MemoryStore } from './memory-store.js';
import { TraceIndex } from './trace-index.js';

const T0 = 5_000_000;
const BASE_S = 1_700_000_000;

function makeClocked(o: { ttlSeconds?: number; maxBytes?: number; maxSeriesPerMetric?: number } = {}) {
  const clock = { t: T0 };
  const store = new MemoryStore({
    ttlSeconds: o.ttlSeconds ?? 600, maxSeriesPerMetric: o.maxSeriesPerMetric ?? 1000, maxBytes: o.maxBytes ?? 1 << 30, now: () => clock.t,
  });
  return { clock, store };
}

/** Items still referenced by the store's span FIFO (what it really holds, counted or not). */
function heldSpans(store: MemoryStore): number {
  let n = 0;
  (store as unknown as { spanLane: { queue: { forEachNewestFirst(f: (x: unknown) => void): void } } }).spanLane.queue
    .forEachNewestFirst((x) => { if (x !== undefined) n++; });
  return n;
}

/** A protobuf trace request of `n` spans (ids from `first`), each with `pad` bytes of attribute. */
function tracesRequest(first: number, n: number, pad = 100, scopeName = 'lib'): Buffer {
  const spans = Array.from({ length: n }, (_, i) => ({
    traceId: Buffer.from((first + i).toString(16).padStart(32, '0'), 'hex'),
    spanId: Buffer.from((first + i).toString(16).padStart(16, '0'), 'hex'),
    name: 'op', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000100000000',
    attributes: [{ key: 'pad', value: { stringValue: 'p'.repeat(pad) } }],
  }));
  return Buffer.from(encodeRequestProtobuf('traces', {
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] }, scopeSpans: [{ scope: { name: scopeName }, spans }] }],
  }));
}

const decode = (buf: Buffer): Span[] => normaliseTracesProtobuf(buf, DEFAULT_NORMALISE_OPTIONS).items;

describe('what a protobuf span keeps besides its wire bytes is counted', () => {
  it('counts the scope name (kept apart from the span bytes)', async () => {
    const a = makeClocked();
    const b = makeClocked();
    await a.store.writeSpans(decode(tracesRequest(1, 10, 100, 'lib')));
    await b.store.writeSpans(decode(tracesRequest(1, 10, 100, 'l'.repeat(4000))));
    expect(b.store.usedBytes - a.store.usedBytes).toBeGreaterThanOrEqual(4000 - 3);
  });
});

describe('the OTLP fields a JSON span or record notes beside the model are counted', () => {
  it('trace state of spans and links, dropped counts, a log\'s event name and observed time', async () => {
    const id = (n: number, len: number) => n.toString(16).padStart(len, '0');
    const spans = (extras: boolean) => normaliseTraces({ resourceSpans: [{ scopeSpans: [{ spans: Array.from({ length: 10 }, (_, i) => ({
      traceId: id(i + 1, 32), spanId: id(i + 1, 16), traceState: extras ? 's'.repeat(400) : undefined,
      events: [{ name: 'e', droppedAttributesCount: extras ? 1 : 0 }],
      links: [{ traceId: id(99, 32), spanId: id(99, 16), traceState: extras ? 'l'.repeat(400) : undefined }],
    })) }] }] }, DEFAULT_NORMALISE_OPTIONS).items;
    let n = 0;
    const o = { ...DEFAULT_NORMALISE_OPTIONS, nextLogId: () => String(++n) };
    const logs = (extras: boolean) => normaliseLogs({ resourceLogs: [{ scopeLogs: [{ logRecords: Array.from({ length: 10 }, () => ({
      timeUnixNano: '1', severityText: 'x', eventName: extras ? 'n'.repeat(400) : undefined, observedTimeUnixNano: extras ? '2' : undefined,
    })) }] }] }, o).items;
    const a = makeClocked();
    const b = makeClocked();
    await a.store.writeSpans(spans(false));
    await b.store.writeSpans(spans(true));
    expect(b.store.usedBytes - a.store.usedBytes).toBeGreaterThanOrEqual(10 * 800);
    const c = makeClocked();
    const d = makeClocked();
    await c.store.writeLogs(logs(false));
    await d.store.writeLogs(logs(true));
    expect(d.store.usedBytes - c.store.usedBytes).toBeGreaterThanOrEqual(10 * 400);
  });
});

describe('re-sent spans (same trace and span ids)', () => {
  it('are kept once: the old copy leaves the store (and its request buffer), the count stays that of one copy', async () => {
    const { store } = makeClocked();
    await store.writeSpans(decode(tracesRequest(1, 1000)));
    const once = store.usedBytes;
    // An exporter retrying the same batch 20 times, each a fresh request buffer.
    for (let i = 0; i < 20; i++) await store.writeSpans(decode(tracesRequest(1, 1000)));
    expect(store.usedBytes).toBe(once);
    expect(heldSpans(store)).toBe(1000);
    expect((await store.stats()).spans).toBe(1000);
    expect(await store.getTrace((5).toString(16).padStart(32, '0'))).toHaveLength(1);
  });

  it('the spans a retry did not replace do not pin the old request buffer', async () => {
    const { store } = makeClocked();
    await store.writeSpans(decode(tracesRequest(1, 1000, 300)));
    const first = (await store.getTrace((1).toString(16).padStart(32, '0')))![0] as WireSpan;
    expect(first.wireBytes().buffer.byteLength).toBeGreaterThan(300_000);
    // Spans 2..1000 re-sent (and one new): span 1 alone must not keep the whole ~350 KB request alive.
    await store.writeSpans(decode(tracesRequest(2, 1000, 300)));
    expect(heldSpans(store)).toBe(1001);
    const kept = (await store.getTrace((1).toString(16).padStart(32, '0')))![0] as WireSpan;
    expect(kept.wireBytes().buffer.byteLength).toBeLessThan(64 * 1024);
    expect(kept.attributes.pad).toBe('p'.repeat(300));
  });

  it('the latest copy is the one kept', async () => {
    const { store } = makeClocked();
    await store.writeSpans(decode(tracesRequest(1, 10, 5)));
    await store.writeSpans(decode(tracesRequest(1, 10, 7)));
    expect(heldSpans(store)).toBe(10);
    const [s] = (await store.getTrace((3).toString(16).padStart(32, '0')))!;
    expect(s.attributes.pad).toBe('p'.repeat(7));
  });

  it('a duplicate inside one request is kept once', async () => {
    const { store } = makeClocked();
    const spans = decode(tracesRequest(1, 3));
    await store.writeSpans([...spans, ...decode(tracesRequest(1, 3))]);
    expect(heldSpans(store)).toBe(3);
    expect((await store.stats()).spans).toBe(3);
  });
});

describe('link attributes of protobuf spans', () => {
  it('stay encoded until read (nothing decoded is kept beside the counted wire bytes)', () => {
    const links = Array.from({ length: 3 }, (_, i) => ({
      traceId: Buffer.alloc(16, 9), spanId: Buffer.alloc(8, i + 1), attributes: [{ key: 'k', value: { stringValue: 'v' + i } }],
    }));
    const buf = Buffer.from(encodeRequestProtobuf('traces', {
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 1), name: 'op', links }] }] }],
    }));
    const [span] = decode(buf);
    const [a, b] = [span.links[1].attributes, span.links[1].attributes];
    expect(a).toEqual({ k: 'v1' });
    expect(a).not.toBe(b); // decoded afresh on each read, never held
    expect(span.links[2].traceId).toBe('09'.repeat(16));
    expect(JSON.parse(JSON.stringify((span as WireSpan).toJSON())).links[0]).toEqual({ traceId: '09'.repeat(16), spanId: '01'.repeat(8), attributes: { k: 'v0' } });
  });
});

function sample(o: Partial<MetricSample> = {}): MetricSample {
  return { name: 'm', type: 'gauge', unit: '1', description: '', service: 'svc', labels: {}, point: { timestamp: BASE_S, value: 1 }, ...o };
}

describe('metric entries count against the cap', () => {
  it('many metric names with long descriptions stay under the cap', async () => {
    const maxBytes = 4 * 1024 * 1024;
    const { store } = makeClocked({ maxBytes });
    const description = 'd'.repeat(4096);
    for (let batch = 0; batch < 20; batch++) {
      await store.writeMetrics(Array.from({ length: 1000 }, (_, i) => sample({ name: `metric.${batch}.${i}`, description })));
    }
    expect(store.usedBytes).toBeLessThanOrEqual(maxBytes);
    const kept = await store.listMetrics();
    let held = 0;
    for (const m of kept) held += m.name.length + m.description.length;
    expect(held).toBeLessThanOrEqual(maxBytes);
    expect(kept.length).toBeGreaterThan(100);
    // Everything leaves with its points.
    await store.clear();
    expect(store.usedBytes).toBe(0);
  });

  it('entry bytes leave with the metric\'s last point', async () => {
    const { clock, store } = makeClocked({ ttlSeconds: 10 });
    await store.writeMetrics([sample({ name: 'a', description: 'x'.repeat(1000) }), sample({ name: 'a', description: 'x'.repeat(1000), labels: { k: 'v' } })]);
    expect(store.usedBytes).toBeGreaterThan(1000);
    clock.t += 11_000;
    expect(await store.listMetrics()).toEqual([]);
    expect(store.usedBytes).toBe(0);
  });
});

describe('refused metric series', () => {
  const refusedOf = (store: MemoryStore) => (store as unknown as { metrics: { refused: Map<string, number> } }).metrics.refused;

  it('are remembered by a fixed-size digest, at most 10,000 at once, and forgotten after the TTL', async () => {
    const { clock, store } = makeClocked({ ttlSeconds: 60, maxSeriesPerMetric: 1 });
    const big = 'L'.repeat(2048);
    for (let batch = 0; batch < 15; batch++) {
      await store.writeMetrics(Array.from({ length: 1000 }, (_, i) => sample({ labels: { id: batch * 1000 + i, big } })));
    }
    expect((await store.stats()).metrics).toBe(1);
    const refused = refusedOf(store);
    expect(refused.size).toBeLessThanOrEqual(10_000);
    for (const k of refused.keys()) expect(k.length).toBeLessThanOrEqual(32);
    // Every distinct series refused counts once (14,999: the first series took the only slot).
    expect((await store.stats()).droppedSeries).toBe(14_999);
    // A series still remembered does not count again.
    await store.writeMetrics([sample({ labels: { id: 14_999, big } })]);
    expect((await store.stats()).droppedSeries).toBe(14_999);
    // After the TTL it is forgotten, and counts again when refused again; the old digests go.
    clock.t += 61_000;
    await store.writeMetrics([sample({ labels: { id: 0, big }, point: { timestamp: BASE_S + 100, value: 1 } })]); // the first series expired: this one takes its slot
    await store.writeMetrics([sample({ labels: { id: 14_999, big } })]);
    expect((await store.stats()).droppedSeries).toBe(15_000);
    expect(refused.size).toBe(1);
  });
});

/** Calls of the O(length) array methods made while `fn` runs, weighted by the array's length. */
async function arrayWork(fn: () => Promise<void>): Promise<number> {
  let work = 0;
  const proto = Array.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const saved = { splice: proto.splice, indexOf: proto.indexOf, shift: proto.shift, unshift: proto.unshift };
  for (const name of Object.keys(saved) as (keyof typeof saved)[]) {
    const original = saved[name];
    proto[name] = function (this: unknown[], ...args: unknown[]) {
      work += this.length;
      return original.apply(this, args);
    };
  }
  try {
    await fn();
  } finally {
    Object.assign(proto, saved);
  }
  return work;
}

describe('out-of-order metric points', () => {
  it('insertion and eviction do no per-point O(n) array work (newest-first requests)', async () => {
    const n = 20_000;
    const { clock, store } = makeClocked({ ttlSeconds: 10 });
    const work = await arrayWork(async () => {
      // Five requests, each newest first, each older than the one before (a backfill).
      for (let r = 0; r < 5; r++) {
        const base = BASE_S + (5 - r) * n;
        await store.writeMetrics(Array.from({ length: n / 5 }, (_, i) => sample({ point: { timestamp: base - i, value: i } })));
      }
      clock.t += 11_000;
      await store.stats(); // expires every point
    });
    // A splice per point (quadratic) costs ~n²/2 = 2e8; linear work is a small multiple of n.
    expect(work).toBeLessThan(20 * n);
    expect((await store.stats()).metrics).toBe(0);
  });

  it('are read oldest first, equal timestamps in arrival order, and eviction keeps the order', async () => {
    const { store } = makeClocked();
    const ts = [5, 3, 9, 3, 1, 9, 7];
    await store.writeMetrics(ts.map((t, i) => sample({ point: { timestamp: t, value: i } })));
    const points = (await store.getMetric('m', {}))!.series[0].points;
    expect(points.map((p) => [p.timestamp, p.value])).toEqual([[1, 4], [3, 1], [3, 3], [5, 0], [7, 6], [9, 2], [9, 5]]);
    const [m] = await store.listMetrics();
    expect([m.lastTimestamp, m.lastValue]).toEqual([9, 5]);
    const ranged = (await store.getMetric('m', { start: 3, end: 7 }))!.series[0].points;
    expect(ranged.map((p) => p.value)).toEqual([1, 3, 0, 6]);
  });
});

describe('the trace index', () => {
  const orderOf = (index: TraceIndex) => (index as unknown as { order: unknown[] }).order;
  const one = (n: number): Span => decode(tracesRequest(n, 1))[0];

  it('keeps at most a quarter of dead traces in its creation-order list, and counts each live trace once', () => {
    const index = new TraceIndex();
    const spans = Array.from({ length: 4000 }, (_, i) => one(i + 1));
    for (const s of spans) index.add(s);
    const perTrace = index.entryBytes / 4000;
    expect(perTrace).toBeGreaterThan(0);
    for (const s of spans.slice(0, 1500)) index.remove(s);
    // 2,500 live traces: a list of more than 4/3 of them holds dead entries (and their maps) nobody counts.
    expect(orderOf(index).length).toBeLessThanOrEqual(Math.ceil(2500 * 4 / 3));
    expect(index.entryBytes).toBe(2500 * perTrace);
    for (const s of spans.slice(1500)) index.remove(s);
    expect(index.entryBytes).toBe(0);
  });
});
