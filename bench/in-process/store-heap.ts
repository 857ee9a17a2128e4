/**
 * @module bench/in-process/store-heap: `npx tsx --expose-gc bench/in-process/store-heap.ts` (or
 * `npm run bench:store-heap`). What the memory store keeps on the heap against what it counts for
 * the byte cap (issue 11), per data shape: real OTLP protobuf requests through the codec table
 * (otlp/codecs.ts decodeBody) into a MemoryStore, the heap (plus array buffers) measured after a
 * full GC with the store alive, minus the same before it. src/store/memory/heap.test.ts asserts on
 * these shapes; this prints the ratios for the notes. A measurement of bytes, not of time.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { pathToFileURL } from 'node:url';
import { decodeBody } from '../../src/otlp/codecs.js';
import { DEFAULT_NORMALISE_OPTIONS } from '../../src/normalise/options.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import type { Signal } from '../../src/otlp/types.js';
import { encodeRequestProtobuf } from '../../test/helpers/otlp-protobuf.js';

/** One data shape: its signal and its requests, built lazily (so none is held while measuring). */
export interface HeapShape {
  name: string;
  signal: Signal;
  requests: () => Generator<Uint8Array>;
}

const T = 1_700_000_000_000_000_000n;
const ns = (offset: number): string => (T + BigInt(offset)).toString();
const hexId = (n: number, bytes: number): Buffer => Buffer.from(n.toString(16).padStart(bytes * 2, '0'), 'hex');
const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const int = (key: string, v: number) => ({ key, value: { intValue: v } });
const resource = (service: string) => ({ attributes: [str('service.name', service), str('host.name', 'box-1')] });

function traces(service: string, scopeSpans: object[]): Uint8Array {
  return encodeRequestProtobuf('traces', { resourceSpans: [{ resource: resource(service), scopeSpans }] });
}
function metrics(service: string, list: object[]): Uint8Array {
  return encodeRequestProtobuf('metrics', { resourceMetrics: [{ resource: resource(service), scopeMetrics: [{ scope: { name: 'meter' }, metrics: list }] }] });
}

const smallSpan = (n: number, extra: object = {}) => ({
  traceId: hexId(n, 16), spanId: hexId(n, 8), name: 'GET /api/items', kind: 2,
  startTimeUnixNano: ns(n * 1000), endTimeUnixNano: ns(n * 1000 + 3_000_000),
  attributes: [str('http.method', 'GET'), int('http.status_code', 200)], ...extra,
});

/** The shapes issue 11 found kept well beyond their count, each sized to a few tens of MB counted. */
export const HEAP_SHAPES: HeapShape[] = [
  { name: 'many small spans, one trace each', signal: 'traces', *requests() {
    for (let r = 0; r < 400; r++) yield traces('small', [{ scope: { name: 'lib' }, spans: Array.from({ length: 100 }, (_, i) => smallSpan(r * 100 + i + 1)) }]);
  } },
  { name: 'spans with 150 KB scope names (cut by the length limit)', signal: 'traces', *requests() {
    const big = 'n'.repeat(150_000);
    for (let r = 0; r < 48; r++) {
      yield traces('scopes', Array.from({ length: 25 }, (_, i) => ({ scope: { name: `${r}.${i}.${big}` }, spans: [smallSpan(r * 100 + i + 1)] })));
    }
  } },
  { name: 'small logs', signal: 'logs', *requests() {
    for (let r = 0; r < 400; r++) {
      const logRecords = Array.from({ length: 100 }, (_, i) => ({
        timeUnixNano: ns((r * 100 + i) * 1000), severityNumber: 9, severityText: 'INFO', body: { stringValue: `served request ${r}.${i} in 3 ms` },
        attributes: [str('http.route', '/api/items'), int('http.status_code', 200)],
      }));
      yield encodeRequestProtobuf('logs', { resourceLogs: [{ resource: resource('logs'), scopeLogs: [{ scope: { name: 'logger' }, logRecords }] }] });
    }
  } },
  { name: 'many metric names, one point each', signal: 'metrics', *requests() {
    for (let r = 0; r < 40; r++) {
      yield metrics('names', Array.from({ length: 500 }, (_, i) => ({
        name: `app.metric.${r}.${i}`, unit: 'ms', description: 'a gauge',
        gauge: { dataPoints: [{ timeUnixNano: ns(0), asDouble: i, attributes: [str('env', 'prod')] }] },
      })));
    }
  } },
  { name: 'many points in one series', signal: 'metrics', *requests() {
    for (let r = 0; r < 200; r++) {
      const dataPoints = Array.from({ length: 1000 }, (_, i) => ({ timeUnixNano: ns((r * 1000 + i) * 1e9), asDouble: i, attributes: [str('env', 'prod'), str('pod', 'web-1')] }));
      yield metrics('series', [{ name: 'cpu.usage', unit: '1', gauge: { dataPoints } }]);
    }
  } },
  { name: 'histograms (10 bounds)', signal: 'metrics', *requests() {
    const explicitBounds = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
    for (let r = 0; r < 100; r++) {
      const dataPoints = Array.from({ length: 500 }, (_, i) => ({
        startTimeUnixNano: ns(0), timeUnixNano: ns((r * 500 + i) * 1e9), count: 55, sum: 1234.5,
        bucketCounts: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0], explicitBounds, attributes: [str('route', `/r/${i % 20}`)],
      }));
      yield metrics('histograms', [{ name: 'http.server.duration', unit: 'ms', histogram: { aggregationTemporality: 2, dataPoints } }]);
    }
  } },
  { name: 'spans with 8 links × 4 attributes', signal: 'traces', *requests() {
    for (let r = 0; r < 200; r++) {
      yield traces('links', [{ scope: { name: 'lib' }, spans: Array.from({ length: 50 }, (_, i) => {
        const n = r * 50 + i + 1;
        const links = Array.from({ length: 8 }, (_, l) => ({
          traceId: hexId(1_000_000 + n * 8 + l, 16), spanId: hexId(l + 1, 8),
          attributes: [str('messaging.system', 'kafka'), str('messaging.destination', 'orders'), int('partition', l), str('link.kind', 'batch')],
        }));
        return smallSpan(n, { links });
      }) }]);
    }
  } },
];

/** What the store counts (usedBytes) and what it keeps (heap + array buffers after a full GC). */
export interface HeapSample {
  counted: number;
  kept: number;
}

/** The runtime's gc(), exposed from inside a running process (no --expose-gc flag needed). */
export function exposeGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

function heldBytes(gc: () => void): number {
  // Twice: weak callbacks and finalisers of the first pass free more on the second.
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/**
 * Sends a shape's requests into the store. A function of its own, so that once it returns no frame
 * still holds the last request's body (a frame's dead locals are GC roots until it ends).
 */
async function writeShape(store: MemoryStore, shape: HeapShape): Promise<void> {
  const o = { ...DEFAULT_NORMALISE_OPTIONS, nextLogId: ((n) => () => `log-${++n}`)(0) };
  for (const body of shape.requests()) {
    const batch = decodeBody('protobuf', shape.signal, Buffer.from(body.buffer, body.byteOffset, body.byteLength), o);
    if (batch.signal === 'traces') await store.writeSpans(batch.items);
    else if (batch.signal === 'logs') await store.writeLogs(batch.items);
    else await store.writeMetrics(batch.items);
  }
}

/** Writes one shape into a fresh store through the codec table and measures it once. */
export async function sampleShape(shape: HeapShape, gc: () => void): Promise<HeapSample> {
  const before = heldBytes(gc);
  const store = new MemoryStore({ ttlSeconds: 3600, maxBytes: 1 << 30, maxSeriesPerMetric: 1_000_000, now: () => 1_000_000 });
  await writeShape(store, shape);
  // Reads fold pending work (the service rollup) in: measure the store at rest.
  await store.listServices();
  const kept = heldBytes(gc) - before;
  const counted = store.usedBytes;
  await store.close();
  return { counted, kept };
}

/** The median kept/counted ratio of `samples` measurements of one shape (each a fresh store). */
export async function measureShape(shape: HeapShape, gc: () => void, samples = 3): Promise<HeapSample & { ratio: number }> {
  const runs: (HeapSample & { ratio: number })[] = [];
  for (let i = 0; i < samples; i++) {
    const s = await sampleShape(shape, gc);
    runs.push({ ...s, ratio: s.kept / s.counted });
  }
  runs.sort((a, b) => a.ratio - b.ratio);
  return runs[Math.floor(runs.length / 2)];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const gc = exposeGc();
  const mb = (n: number) => (n / 1048576).toFixed(1);
  console.log('shape | counted MiB | kept MiB | kept/counted');
  for (const shape of HEAP_SHAPES) {
    const r = await measureShape(shape, gc);
    console.log(`${shape.name} | ${mb(r.counted)} | ${mb(r.kept)} | ${r.ratio.toFixed(2)}`);
  }
}
