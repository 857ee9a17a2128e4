/**
 * @module bench/hostile-shapes: the request shapes of issue 11's hostile-input probe, as raw OTLP
 * (protobuf built by hand, or the seed JSON), shared by the goal test (test/e2e/memory-bounds.test.ts,
 * one pass at a small cap) and the soak (bench/soak-shapes.ts, cycling them at the default cap).
 * SDK exporters cannot produce these (150 KB scope names, exact re-sends, 512 KiB series, a million
 * buckets). A black-box client: nothing of src/ is imported (test/architecture.test.ts).
 *
 * Every builder takes a `cycle`: ids, names and timestamps move with it so a soak's later passes
 * send new data, not re-sends (except the re-send shape, whose point is the same ids). Cycle 0 is
 * the goal test's single pass.
 */

export type ShapeSignal = 'traces' | 'logs' | 'metrics';
export type ShapeRequest = [signal: ShapeSignal, body: Buffer | string, json?: boolean];

export interface HostileShape {
  name: string;
  /** The requests of one pass, built lazily one at a time. */
  requests: (cycle?: number) => Generator<ShapeRequest>;
  /** Requests sent at once (default 1: one after the other). */
  parallel?: number;
}

// A small protobuf writer: the shapes are built from reused byte blocks, fast enough to send
// hundreds of MB in seconds (protobufjs' fromObject over millions of objects is not).
function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 127) { out.push((n % 128) | 128); n = Math.floor(n / 128); }
  out.push(n);
  return Buffer.from(out);
}
/** A length-delimited field. */
const ld = (field: number, ...parts: Buffer[]): Buffer => {
  const body = parts.length === 1 ? parts[0] : Buffer.concat(parts);
  return Buffer.concat([varint((field << 3) | 2), varint(body.length), body]);
};
const str = (field: number, v: string): Buffer => ld(field, Buffer.from(v));
const fixed64 = (field: number, v: bigint): Buffer => { const b = Buffer.alloc(9); b[0] = (field << 3) | 1; b.writeBigUInt64LE(v, 1); return b; };
const double = (field: number, v: number): Buffer => { const b = Buffer.alloc(9); b[0] = (field << 3) | 1; b.writeDoubleLE(v, 1); return b; };
/** A KeyValue's body (string or int value): tag it with the attribute field of its message. */
const kv = (key: string, value: string | number): Buffer =>
  Buffer.concat([str(1, key), typeof value === 'string' ? ld(2, str(1, value)) : ld(2, Buffer.concat([Buffer.from([24]), varint(value)]))]);
const id = (n: number, bytes: number): Buffer => Buffer.from(n.toString(16).padStart(bytes * 2, '0'), 'hex');
const T = 1_700_000_000_000_000_000n;
/** Resource (field 1 of Resource*) with service.name. */
const resource = (service: string): Buffer => ld(1, ld(1, kv('service.name', service)));
/** Span: 1 trace_id, 2 span_id, 5 name, 7/8 times, 9 attributes, 13 links. */
const span = (traceId: Buffer, spanId: Buffer, name: string, ...rest: Buffer[]): Buffer =>
  ld(2, ld(1, traceId), ld(2, spanId), str(5, name), fixed64(7, T), fixed64(8, T), ...rest);
/** ExportTraceServiceRequest with one resource and these ScopeSpans bodies (each: scope + spans). */
const tracesBody = (service: string, scopes: Buffer[]): Buffer => ld(1, resource(service), ...scopes.map((sc) => ld(2, sc)));
const logsBody = (service: string, scopes: Buffer[]): Buffer => ld(1, resource(service), ...scopes.map((sc) => ld(2, sc)));
/** ExportMetricsServiceRequest with one resource, one scope, these Metric bodies. */
const metricsBody = (service: string, metrics: Buffer[]): Buffer => ld(1, resource(service), ld(2, ...metrics.map((m) => ld(2, m))));
/** A gauge NumberDataPoint: 3 time, 4 as_double, 7 attributes. */
const gaugePoint = (ns: bigint, value: number, attrs: Buffer[] = []): Buffer => ld(1, fixed64(3, ns), double(4, value), ...attrs.map((a) => ld(7, a)));

/** The cycle's prefix for names and labels: empty in cycle 0, so the goal test's bytes are the probe's. */
const tag = (cycle: number): string => (cycle ? `${cycle}.` : '');

/** Spans of the big-trace shape, past the default TINYOLLY_MAX_SPANS_PER_TRACE (10,000). */
export const BIG_TRACE_SPANS = 12_000;
/** The big-trace shape's trace id (hex) in a cycle. */
export const bigTraceIdHex = (cycle: number): string => id(7_000_000 + cycle, 16).toString('hex');

/** The shapes the probe found, in volumes that took RSS far past the bound before the fixes. */
export const HOSTILE_SHAPES: HostileShape[] = [
  { name: 'scopes with 150 KB names, 25 a request (spans)', *requests(cycle = 0) {
    const big = 'n'.repeat(150_000);
    for (let r = 0; r < 32; r++) {
      yield ['traces', tracesBody('scopes', Array.from({ length: 25 }, (_, i) =>
        Buffer.concat([ld(1, str(1, `${tag(cycle)}${r}.${i}.${big}`)), span(id(cycle * 100_000 + r * 1000 + i + 1, 16), id(i + 1, 8), 'op')])))];
    }
  } },
  { name: 'scopes with 150 KB names, 25 a request (logs)', *requests(cycle = 0) {
    const big = 'n'.repeat(150_000);
    const record = ld(2, fixed64(1, T), ld(5, str(1, 'x')));
    for (let r = 0; r < 32; r++) {
      yield ['logs', logsBody('scopes', Array.from({ length: 25 }, (_, i) => Buffer.concat([ld(1, str(1, `${tag(cycle)}${r}.${i}.${big}`)), record])))];
    }
  } },
  { name: 'the same 300 spans (10 KB each) re-sent 40 times', *requests() {
    const spanAttrs = [ld(9, kv('pad', 'p'.repeat(4000))), ld(9, kv('pad2', 'q'.repeat(4000))), ld(9, kv('pad3', 'r'.repeat(2000)))];
    const body = tracesBody('retry', [Buffer.concat(Array.from({ length: 300 }, (_, i) => span(id(900_000 + i, 16), id(i + 1, 8), 'retry', ...spanAttrs)))]);
    for (let r = 0; r < 40; r++) yield ['traces', Buffer.from(body)];
  } },
  { name: 'refused series of 512 KiB labels (series cap 1)', *requests(cycle = 0) {
    // Labels stay within the default 4,096-character attribute limit (longer ones would be cut, another path).
    const big = 'L'.repeat(4090 - tag(cycle).length);
    for (let r = 0; r < 32; r++) {
      const points = Array.from({ length: 7 }, (_, i) => gaugePoint(T, 1, Array.from({ length: 128 }, (_, k) => kv(`k${k}`, `${tag(cycle)}${r}.${i}.${big}`))));
      yield ['metrics', metricsBody('series', [Buffer.concat([str(1, 'refused'), ld(5, ...points)])])];
    }
  } },
  { name: 'metric names with 4 KB descriptions, one point each', *requests(cycle = 0) {
    const description = str(2, 'd'.repeat(4096));
    const data = ld(5, gaugePoint(T, 1));
    for (let r = 0; r < 32; r++) {
      yield ['metrics', metricsBody('names', Array.from({ length: 900 }, (_, i) => Buffer.concat([str(1, `m.${tag(cycle)}${r}.${i}`), description, data])))];
    }
  } },
  { name: 'spans of 128 links × 128 attributes', *requests(cycle = 0) {
    const attrs = Buffer.concat(Array.from({ length: 128 }, (_, k) => ld(4, kv(`a${k}`, k))));
    const links = Array.from({ length: 128 }, (_, l) => ld(13, ld(1, id(l + 1, 16)), ld(2, id(l + 1, 8)), attrs));
    for (let r = 0; r < 16; r++) {
      yield ['traces', tracesBody('links', [Buffer.concat(Array.from({ length: 12 }, (_, i) => span(id(2_000_000 + cycle * 10_000 + r * 100 + i, 16), id(1, 8), 'linked', ...links)))])];
    }
  } },
  { name: 'out-of-order points: requests newest first', *requests(cycle = 0) {
    for (let r = 0; r < 3; r++) {
      const base = BigInt(1_700_000_000 + cycle * 400_000 + (3 - r) * 100_000);
      const points = Array.from({ length: 40_000 }, (_, i) => gaugePoint((base - BigInt(i)) * 1_000_000_000n, i));
      yield ['metrics', metricsBody('backfill', [Buffer.concat([str(1, 'backfill'), ld(5, ...points)])])];
    }
  } },
  { name: 'seed JSON span with a 150k-key attribute map', *requests(cycle = 0) {
    const attrs: Record<string, number> = {};
    for (let i = 0; i < 150_000; i++) attrs['key' + i] = i;
    for (let r = 0; r < 3; r++) yield ['traces', JSON.stringify({ traceId: `seed${cycle * 10 + r}`, spanId: 'ab', name: 'seed', attributes: attrs }), true];
  } },
  { name: 'a histogram point of 1M buckets', *requests(cycle = 0) {
    const counts = Buffer.alloc(8 * 1_000_000);
    for (let i = 0; i < 1_000_000; i++) counts.writeBigUInt64LE(1n, i * 8);
    const point = ld(1, fixed64(3, T), fixed64(4, 1_000_000n), ld(6, counts));
    for (let r = 0; r < 2; r++) yield ['metrics', metricsBody('buckets', [Buffer.concat([str(1, `buckets.${tag(cycle)}${r}`), ld(9, point, Buffer.from([16, 2]))])])];
  } },
  { name: 'distinct spans with 128-character names and attribute values (the observers fill)', *requests(cycle = 0) {
    // The doctor remembers spans seen (for parents arriving late) and the attribute catalog distinct
    // values, each within a byte budget of its own: 120k distinct spans fill both.
    const pad = (n: number, len: number) => `${tag(cycle)}${n}.`.padEnd(len, 'x');
    for (let r = 0; r < 40; r++) {
      yield ['traces', tracesBody('observers', [Buffer.concat(Array.from({ length: 3000 }, (_, i) => {
        const n = r * 3000 + i;
        return span(id(9_000_000 + cycle * 1_000_000 + n, 16), id(n + 1, 8), pad(n, 128), ld(9, kv('user.id', pad(n, 128))), ld(9, kv('http.route', pad(n, 100))));
      }))])];
    }
  } },
];

/** Heavy shapes the soak adds: a trace past the span cap, and many uploads at once. */
export const HEAVY_SHAPES: HostileShape[] = [
  { name: `one trace of ${BIG_TRACE_SPANS} spans (past TINYOLLY_MAX_SPANS_PER_TRACE), 3,000 a request`, *requests(cycle = 0) {
    const traceId = Buffer.from(bigTraceIdHex(cycle), 'hex');
    const attr = ld(9, kv('http.route', '/big/trace/route'));
    for (let r = 0; r < BIG_TRACE_SPANS / 3000; r++) {
      yield ['traces', tracesBody('big-trace', [Buffer.concat(Array.from({ length: 3000 }, (_, i) => span(traceId, id(r * 3000 + i + 1, 8), `op.${i % 50}`, attr)))])];
    }
  } },
  { name: '64 uploads of 2 MiB at once (spans)', parallel: 64, *requests(cycle = 0) {
    const pad = ld(9, kv('pad', 'u'.repeat(8000)));
    for (let r = 0; r < 64; r++) {
      yield ['traces', tracesBody('parallel', [Buffer.concat(Array.from({ length: 256 }, (_, i) => span(id(3_000_000 + cycle * 100_000 + r * 1000 + i, 16), id(i + 1, 8), 'upload', pad)))])];
    }
  } },
];
