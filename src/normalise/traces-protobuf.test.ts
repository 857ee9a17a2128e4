/**
 * The fused protobuf trace decoder must give exactly what the generic path gives
 * (normaliseTraces over protobufjs' decode): on every trace fixture, on random requests, and under
 * tight limits. It must refuse truncated bytes as invalid.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTracesProtobuf, encodeRequestProtobuf } from '../../test/helpers/otlp-protobuf.js';
import { u64Decimal } from '../wire/reader.js';
import type { NormaliseOptions } from './options.js';
import { normaliseTraces } from './traces.js';
import { normaliseTracesProtobuf } from './traces-protobuf.js';
import { attributeOf } from '../wire/wire-backed.js';
import { WireSpan } from '../wire/wire-span.js';
import { countingIdOptions, expectAcceptedReadsBack, expectEveryCutRefused, readOut } from '../../test/helpers/wire-checks.js';

const FIXTURES = path.resolve(__dirname, '../../test/fixtures/otlp/traces');
const opts = countingIdOptions;

function both(buf: Buffer, o: NormaliseOptions) {
  return { fused: readOut(normaliseTracesProtobuf(buf, o)), generic: normaliseTraces(decodeTracesProtobuf(buf), o) };
}

describe('u64Decimal', () => {
  it.each([
    [0, 0, '0'], [1, 0, '1'], [0xffffffff, 0x1fffff, '9007199254740991'], [0, 0x200000, '9007199254740992'],
    [0xffffffff, 0xffffffff, '18446744073709551615'], [0, 0x80000000, '9223372036854775808'],
    [0x362a0000, 0x17979cfe, '1700000000000000000'], [999999, 0x200000, '9007199255740991'],
  ])('lo %d hi %d → %s', (lo, hi, text) => {
    expect(u64Decimal(lo, hi)).toBe(text);
    expect(text).toBe(((BigInt(hi) << 32n) | BigInt(lo)).toString());
  });

  it('matches BigInt on random values', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), (lo, hi) => {
      expect(u64Decimal(lo, hi)).toBe(((BigInt(hi) << 32n) | BigInt(lo)).toString());
    }), { numRuns: 2000 });
  });
});

describe('fused decoder = generic decoder', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.pb'));
  it.each(files)('on fixture %s', (file) => {
    const { fused, generic } = both(readFileSync(path.join(FIXTURES, file)), opts());
    expect(fused).toEqual(generic);
  });

  it.each(files)('on fixture %s with tight limits', (file) => {
    const o = opts({ maxAttributes: 1, maxAttributeLength: 3, maxDepth: 1, maxEvents: 1, maxLinks: 0, maxItems: 2 });
    const { fused, generic } = both(readFileSync(path.join(FIXTURES, file)), o);
    expect(fused).toEqual(generic);
  });

  const id = (n: number) => fc.uint8Array({ minLength: 0, maxLength: n }).map((a) => Buffer.from(a));
  const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(String);
  const leaf = fc.oneof(
    fc.record({ stringValue: fc.string({ maxLength: 8 }) }),
    fc.record({ boolValue: fc.boolean() }),
    fc.record({ intValue: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }).map(String) }),
    fc.record({ doubleValue: fc.double() }),
    fc.record({ bytesValue: id(6) }),
    fc.constant({}),
  );
  const anyValue = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf,
      fc.record({ arrayValue: fc.record({ values: fc.array(tie('value'), { maxLength: 3 }) }) }),
      fc.record({ kvlistValue: fc.record({ values: fc.array(tie('kv'), { maxLength: 3 }) }) })),
    kv: fc.record({ key: fc.constantFrom('a', 'b', 'service.name', '__proto__', 'k'), value: tie('value') }, { requiredKeys: ['key'] }),
  }));
  const kvs = fc.array(anyValue.kv, { maxLength: 4 });
  const span = fc.record({
    traceId: id(16), spanId: id(8), parentSpanId: id(8), name: fc.string({ maxLength: 6 }), kind: fc.integer({ min: -1, max: 7 }),
    startTimeUnixNano: u64, endTimeUnixNano: u64, attributes: kvs,
    events: fc.array(fc.record({ name: fc.string({ maxLength: 4 }), timeUnixNano: u64, attributes: kvs }), { maxLength: 2 }),
    links: fc.array(fc.record({ traceId: id(16), spanId: id(8), attributes: kvs }), { maxLength: 2 }),
    status: fc.option(fc.record({ code: fc.integer({ min: 0, max: 3 }), message: fc.string({ maxLength: 4 }) }), { nil: undefined }),
  }, { requiredKeys: ['traceId', 'spanId'] });
  const request = fc.record({
    resourceSpans: fc.array(fc.record({
      resource: fc.option(fc.record({ attributes: kvs }), { nil: undefined }),
      scopeSpans: fc.array(fc.record({ scope: fc.option(fc.record({ name: fc.string({ maxLength: 4 }), version: fc.string({ maxLength: 4 }) }), { nil: undefined }), spans: fc.array(span, { maxLength: 3 }) }), { maxLength: 2 }),
    }), { maxLength: 2 }),
  });

  it('on random requests, with default and tight limits', () => {
    fc.assert(fc.property(request, fc.boolean(), (req, tight) => {
      const buf = Buffer.from(encodeRequestProtobuf('traces', req));
      const o = tight ? opts({ maxAttributes: 2, maxAttributeLength: 2, maxDepth: 1, maxEvents: 1, maxLinks: 1, maxItems: 3 }) : opts();
      const { fused, generic } = both(buf, o);
      expect(fused).toEqual(generic);
      // One attribute read alone (what filters use) agrees with the whole map.
      for (const s of normaliseTracesProtobuf(buf, o).items as WireSpan[]) {
        const all = s.attributes;
        for (const key of ['a', 'b', 'service.name', '__proto__', 'k', 'zz', '']) {
          expect(attributeOf(s, key)).toEqual(Object.hasOwn(all, key) ? all[key] : undefined);
        }
      }
    }), { numRuns: 400 });
  });

  it('computes the same durations for realistic timestamps and near the exact-double edge', () => {
    const t = fc.bigInt({ min: 1_000_000_000_000_000_000n, max: 2_000_000_000_000_000_000n });
    const d = fc.oneof(fc.bigInt({ min: -5_000_000_000n, max: 5_000_000_000n }), fc.bigInt({ min: (1n << 52n) - 10_000n, max: (1n << 52n) + 10_000n }), fc.bigInt({ min: 0n, max: 1n << 62n }));
    fc.assert(fc.property(t, d, (start, diff) => {
      const end = start + diff < 0n ? 0n : start + diff;
      const buf = Buffer.from(encodeRequestProtobuf('traces', { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 1), startTimeUnixNano: String(start), endTimeUnixNano: String(end) }] }] }] }));
      const { fused, generic } = both(buf, opts());
      expect(fused.items[0].durationMs).toBe(generic.items[0].durationMs);
    }), { numRuns: 3000 });
  });

  it('refuses truncated bytes as invalid', () => {
    const buf = Buffer.from(encodeRequestProtobuf('traces', { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 1), name: 'x' }] }] }] }));
    expectEveryCutRefused(buf, (b) => normaliseTracesProtobuf(b, opts()));
  });

  const rich = () => Buffer.from(encodeRequestProtobuf('traces', { resourceSpans: [{ scopeSpans: [{ spans: [{
    traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 1), name: 'x',
    attributes: [{ key: 'a', value: { kvlistValue: { values: [{ key: 'b', value: { arrayValue: { values: [{ intValue: '7' }, { stringValue: 'sss' }] } } }] } } }],
    events: [{ name: 'e', timeUnixNano: '5', attributes: [{ key: 'c', value: { doubleValue: 1.5 } }] }],
  }] }] }] }));

  it('refuses bytes cut anywhere inside attributes and events too (they are checked at ingest, read later)', () => {
    expectEveryCutRefused(rich(), (b) => normaliseTracesProtobuf(b, opts()));
  });

  it('never accepts a request whose spans then fail to read out', () => {
    expectAcceptedReadsBack(rich(), (b, tight) => normaliseTracesProtobuf(b, tight ? opts({ maxAttributes: 1, maxDepth: 1, maxEvents: 1 }) : opts()));
  });

  it('moves spans out of a request that is mostly other bytes, so they do not keep it alive', () => {
    const junk = 'x'.repeat(200_000);
    const req = { resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }, { key: 'blob', value: { stringValue: junk } }] },
      scopeSpans: [{ spans: [{ traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 1), name: 'kept', attributes: [{ key: 'a', value: { intValue: '1' } }], events: [{ name: 'ev', timeUnixNano: '3' }] }] }],
    }] };
    const buf = Buffer.from(encodeRequestProtobuf('traces', req));
    const o = opts({ maxAttributeLength: 300_000 });
    const expected = normaliseTraces(decodeTracesProtobuf(buf), o).items.map((x) => JSON.parse(JSON.stringify(x)));
    const n = normaliseTracesProtobuf(buf, o);
    buf.fill(0); // what the span reads later must not come from the request's buffer any more
    expect(n.items.map((x) => JSON.parse(JSON.stringify(x)))).toEqual(expected);
    expect(n.items[0].attributes).toEqual({ a: 1 });
  });
});
