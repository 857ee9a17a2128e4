/**
 * Issue 11: the memory store keeps what it counts and counts what it keeps, whatever the shape of
 * the data, and no write or eviction costs more than O(log n) per item. Checked with counts of held
 * items, bytes and operations, never with wall-clock time.
 */
import { describe, expect, it } from 'vitest';
import type { MetricSample, Span } from '../../model/model.js';
import { DEFAULT_NORMALISE_OPTIONS } from '../../normalise/options.js';
import { normaliseTracesProtobuf, type WireSpan } from '../../normalise/traces-protobuf.js';
import { encodeRequestProtobuf } from '../../otlp/protobuf.js';
import { MemoryStore } from './memory-store.js';

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

export { makeClocked, BASE_S };
export type { MetricSample };
