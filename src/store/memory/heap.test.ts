/**
 * Issue 11: what the memory store keeps on the heap is what it counts against TINYOLLY_MAX_MEMORY_MB,
 * whatever the shape of the data. Each shape of bench/in-process/store-heap.ts goes through the real
 * ingest path (OTLP protobuf, the codec table, MemoryStore) and the heap retained after a full GC is
 * compared with the store's count: a measurement of bytes, never of time, and the median of three
 * fresh stores so that a stray allocation elsewhere in the process cannot decide it.
 */
import { describe, expect, it } from 'vitest';
import { exposeGc, HEAP_SHAPES, measureShape } from '../../../bench/in-process/store-heap.js';

/** Kept may exceed counted by this much at most (V8's own rounding, map growth slack). */
const MAX_KEPT_PER_COUNTED = 1.25;
/** Nor fall far below it: a store that counts much more than it keeps evicts data it could hold. */
const MIN_KEPT_PER_COUNTED = 0.8;

describe('the heap the memory store keeps is within 0.8–1.25× of what it counts', () => {
  const gc = exposeGc();
  it.each(HEAP_SHAPES.map((s) => [s.name, s] as const))('%s', async (_name, shape) => {
    const r = await measureShape(shape, gc);
    console.log(`${shape.name}: counted ${(r.counted / 1048576).toFixed(1)} MiB, kept ${(r.kept / 1048576).toFixed(1)} MiB, ratio ${r.ratio.toFixed(2)}`);
    // Enough data that the measurement is not noise.
    expect(r.counted).toBeGreaterThan(4 * 1024 * 1024);
    expect(r.ratio).toBeLessThan(MAX_KEPT_PER_COUNTED);
    expect(r.ratio).toBeGreaterThan(MIN_KEPT_PER_COUNTED);
  }, 180_000);
});
