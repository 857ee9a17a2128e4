/**
 * The fused protobuf metrics decoder must give exactly what the generic path gives
 * (normaliseMetrics over protobufjs' decode): on every metrics fixture, on random requests of all five
 * types under default and tight limits, on protobufjs' oneof and repeated-field rules, and it must
 * refuse truncated bytes as invalid.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMetricsProtobuf, encodeRequestProtobuf } from '../../test/helpers/otlp-protobuf.js';
import { normaliseMetrics } from './metrics.js';
import { normaliseMetricsProtobuf } from './metrics-protobuf.js';
import { DEFAULT_NORMALISE_OPTIONS, type NormaliseOptions } from './options.js';
import { valueKindsOf } from '../model/value-kinds.js';
import type { Attributes } from '../model/model.js';

const FIXTURES = path.resolve(__dirname, '../../test/fixtures/otlp/metrics');
const opts = (over: Partial<NormaliseOptions> = {}): NormaliseOptions => ({ ...DEFAULT_NORMALISE_OPTIONS, ...over });
const TIGHT: Partial<NormaliseOptions> = { maxAttributes: 1, maxAttributeLength: 2, maxDepth: 1, maxItems: 3, maxBuckets: 2 };

function expectSame(buf: Buffer, o: NormaliseOptions): void {
  expect(normaliseMetricsProtobuf(buf, o)).toStrictEqual(normaliseMetrics(decodeMetricsProtobuf(buf), o));
}

describe('fused metrics decoder = generic decoder', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.pb'));
  it.each(files)('on fixture %s, with default and tight limits', (file) => {
    const buf = readFileSync(path.join(FIXTURES, file));
    expectSame(buf, opts());
    expectSame(buf, opts(TIGHT));
  });

  const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(String);
  const i64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }).map(String);
  const dbl = fc.double();
  const value = fc.oneof(fc.record({ stringValue: fc.string({ maxLength: 5 }) }), fc.record({ intValue: i64 }), fc.record({ boolValue: fc.boolean() }),
    fc.record({ kvlistValue: fc.record({ values: fc.array(fc.record({ key: fc.constantFrom('x', 'y'), value: fc.record({ doubleValue: dbl }) }), { maxLength: 2 }) }) }));
  const attrs = fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'service.name', '__proto__'), value }), { maxLength: 3 });
  const exemplar = fc.record({
    filteredAttributes: attrs, timeUnixNano: u64, asDouble: fc.option(dbl, { nil: undefined }), asInt: fc.option(i64, { nil: undefined }),
    traceId: fc.uint8Array({ maxLength: 16 }), spanId: fc.uint8Array({ maxLength: 8 }),
  }, { requiredKeys: [] });
  const base = { attributes: attrs, startTimeUnixNano: u64, timeUnixNano: u64, exemplars: fc.array(exemplar, { maxLength: 2 }), flags: fc.nat() };
  const numberPoint = fc.record({ ...base, asDouble: fc.option(dbl, { nil: undefined }), asInt: fc.option(i64, { nil: undefined }) }, { requiredKeys: [] });
  const histogramPoint = fc.record({
    ...base, count: u64, sum: fc.option(dbl, { nil: undefined }), min: fc.option(dbl, { nil: undefined }), max: fc.option(dbl, { nil: undefined }),
    bucketCounts: fc.array(u64, { maxLength: 4 }), explicitBounds: fc.array(dbl, { maxLength: 3 }),
  }, { requiredKeys: [] });
  const buckets = fc.record({ offset: fc.integer({ min: -100, max: 100 }), bucketCounts: fc.array(u64, { maxLength: 3 }) }, { requiredKeys: [] });
  const expPoint = fc.record({
    ...base, count: u64, sum: fc.option(dbl, { nil: undefined }), scale: fc.integer({ min: -10, max: 20 }), zeroCount: u64,
    positive: fc.option(buckets, { nil: undefined }), negative: fc.option(buckets, { nil: undefined }),
    min: fc.option(dbl, { nil: undefined }), max: fc.option(dbl, { nil: undefined }), zeroThreshold: dbl,
  }, { requiredKeys: [] });
  const summaryPoint = fc.record({
    ...base, count: u64, sum: dbl, quantileValues: fc.array(fc.record({ quantile: dbl, value: dbl }, { requiredKeys: [] }), { maxLength: 3 }),
  }, { requiredKeys: [] });
  const temporality = fc.integer({ min: 0, max: 3 });
  const data = fc.oneof(
    fc.record({ gauge: fc.record({ dataPoints: fc.array(numberPoint, { maxLength: 3 }) }) }),
    fc.record({ sum: fc.record({ dataPoints: fc.array(numberPoint, { maxLength: 3 }), aggregationTemporality: temporality, isMonotonic: fc.boolean() }, { requiredKeys: ['dataPoints'] }) }),
    fc.record({ histogram: fc.record({ dataPoints: fc.array(histogramPoint, { maxLength: 3 }), aggregationTemporality: temporality }, { requiredKeys: ['dataPoints'] }) }),
    fc.record({ exponentialHistogram: fc.record({ dataPoints: fc.array(expPoint, { maxLength: 3 }), aggregationTemporality: temporality }, { requiredKeys: ['dataPoints'] }) }),
    fc.record({ summary: fc.record({ dataPoints: fc.array(summaryPoint, { maxLength: 3 }) }) }),
    fc.constant({}),
  );
  const metric = fc.tuple(fc.record({ name: fc.oneof(fc.constant(''), fc.string({ maxLength: 6 })), unit: fc.string({ maxLength: 3 }), description: fc.string({ maxLength: 4 }) }, { requiredKeys: [] }), data)
    .map(([m, d]) => ({ ...m, ...d }));
  const request = fc.record({
    resourceMetrics: fc.array(fc.record({
      resource: fc.option(fc.record({ attributes: attrs }), { nil: undefined }),
      scopeMetrics: fc.array(fc.record({ scope: fc.option(fc.record({ name: fc.string({ maxLength: 3 }) }), { nil: undefined }), metrics: fc.array(metric, { maxLength: 3 }) }), { maxLength: 2 }),
    }), { maxLength: 2 }),
  });

  it('on random requests of every type, with default and tight limits', () => {
    fc.assert(fc.property(request, fc.boolean(), (req, tight) => {
      expectSame(Buffer.from(encodeRequestProtobuf('metrics', req)), opts(tight ? TIGHT : {}));
    }), { numRuns: 500 });
  });

  /** Hand-built wire bytes: length-delimited field `tag` around `body`. */
  const ld = (tag: number, body: Buffer): Buffer => {
    const len: number[] = [];
    let n = body.length;
    while (n >= 0x80) { len.push((n & 0x7f) | 0x80); n >>>= 7; }
    len.push(n);
    return Buffer.concat([Buffer.from([tag, ...len]), body]);
  };
  const fixed = (tag: number, write: (b: Buffer) => void): Buffer => { const b = Buffer.alloc(9); b[0] = tag; write(b); return b; };
  const asInt = (v: bigint) => fixed(49, (b) => b.writeBigInt64LE(v, 1));
  const asDouble = (v: number) => fixed(33, (b) => b.writeDoubleLE(v, 1));
  const requestOf = (metric: Buffer): Buffer => ld(10, ld(18, ld(18, metric)));
  const named = (...parts: Buffer[]) => Buffer.concat([ld(10, Buffer.from('m')), ...parts]);

  it('follows protobufjs on oneofs (the member first seen last wins, with its last value) and repeated messages', () => {
    const cases = [
      named(ld(42, ld(10, Buffer.concat([asInt(5n), asDouble(2.5), asInt(7n)])))),
      named(ld(42, ld(10, Buffer.concat([asDouble(2.5), asInt(-5n), asDouble(3.5)])))),
      named(ld(42, ld(10, asInt(-(1n << 62n) - 3n)))),
      // gauge, then sum, then gauge again: sum was first seen last
      named(ld(42, ld(10, asInt(1n))), ld(58, ld(10, asInt(2n))), ld(42, ld(10, asInt(3n)))),
      // the same member twice: the second replaces the first
      named(ld(58, ld(10, asInt(1n))), ld(58, Buffer.concat([ld(10, asInt(2n)), Buffer.from([16, 1, 24, 1])]))),
      // unpacked repeated counts and bounds, appended to packed ones
      named(ld(74, Buffer.concat([ld(10, Buffer.concat([
        ld(50, Buffer.alloc(16, 1)), fixed(49, (b) => b.writeBigUInt64LE(9n, 1)), fixed(57, (b) => b.writeDoubleLE(1.5, 1)), ld(58, Buffer.alloc(8)),
      ])), Buffer.from([16, 1])]))),
    ];
    for (const m of cases) {
      expectSame(requestOf(m), opts());
      expectSame(requestOf(m), opts(TIGHT));
    }
  });

  it('refuses truncated bytes as invalid', () => {
    const buf = readFileSync(path.join(FIXTURES, 'histogram.pb'));
    for (let cutAt = 1; cutAt < buf.length; cutAt++) {
      const cut = buf.subarray(0, cutAt);
      let generic: unknown;
      try { generic = normaliseMetrics(decodeMetricsProtobuf(cut), opts()); } catch (err) { generic = err; }
      if (generic instanceof Error) expect(() => normaliseMetricsProtobuf(cut, opts())).toThrowError(/decode/);
      else expect(normaliseMetricsProtobuf(cut, opts())).toStrictEqual(generic);
    }
  });
});

describe('hidden value kinds (model/value-kinds.ts), as the JSON normaliser notes them', () => {
  const kv = (key: string, value: object) => ({ key, value });
  const hidden = [
    kv('whole', { doubleValue: 2 }), kv('half', { doubleValue: 2.5 }), kv('nan', { doubleValue: NaN }), kv('big', { intValue: '9007199254740993' }),
    kv('small', { intValue: 7 }), kv('raw', { bytesValue: Buffer.from([0, 1, 2, 255]) }), kv('s', { stringValue: 'x' }),
    kv('list', { arrayValue: { values: [{ doubleValue: 1 }, { stringValue: 's' }, { intValue: '-9007199254740993' }] } }),
    kv('map', { kvlistValue: { values: [kv('inner', { doubleValue: 3 }), kv('t', { stringValue: 'y' })] } }),
    kv('dup', { doubleValue: 1 }), kv('dup', { stringValue: 'later wins' }),
  ];
  const doc = { resourceMetrics: [{
    resource: { attributes: [kv('service.name', { stringValue: 'svc' }), ...hidden] },
    scopeMetrics: [{ scope: { name: 'sc', attributes: hidden }, metrics: [{ name: 'g', gauge: { dataPoints: [{ attributes: hidden, timeUnixNano: '1', asDouble: 1 }] } }] }],
  }] };
  it('notes them on resource and scope attributes and metric labels read from protobuf, nested ones too', () => {
    const buf = Buffer.from(encodeRequestProtobuf('metrics', doc));
    const [fused] = normaliseMetricsProtobuf(buf, opts()).items;
    const [generic] = normaliseMetrics(decodeMetricsProtobuf(buf), opts()).items;
    const kinds = (a: Attributes) => ({ own: valueKindsOf(a), list: valueKindsOf(a.list as object), map: valueKindsOf(a.map as object) });
    const want = { own: { whole: 'double', nan: 'double', big: 'int', raw: 'bytes' }, list: { 0: 'double', 2: 'int' }, map: { inner: 'double' } };
    for (const m of [fused, generic]) {
      expect(kinds(m.labels)).toEqual(want);
      expect(kinds(m.scope!.attributes!)).toEqual(want);
      expect(kinds(m.resource!)).toEqual(want);
    }
  });
});
