/**
 * The fused protobuf logs decoder must give exactly what the generic path gives
 * (normaliseLogs over protobufjs' decode), on every logs fixture and on random requests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeLogsProtobuf, encodeRequestProtobuf } from '../../test/helpers/otlp-protobuf.js';
import { normaliseLogs } from './logs.js';
import { normaliseLogsProtobuf } from './logs-protobuf.js';
import type { NormaliseOptions } from './options.js';
import { countingIdOptions, expectAcceptedReadsBack, expectEveryCutRefused, readOut } from '../../test/helpers/wire-checks.js';

const FIXTURES = path.resolve(__dirname, '../../test/fixtures/otlp/logs');
const opts = countingIdOptions;

const both = (buf: Buffer, over: Partial<NormaliseOptions> = {}) => ({
  fused: readOut(normaliseLogsProtobuf(buf, opts(over))),
  generic: normaliseLogs(decodeLogsProtobuf(buf), opts(over)),
});

describe('fused logs decoder = generic decoder', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.pb'));
  it.each(files)('on fixture %s, with default and tight limits', (file) => {
    const buf = readFileSync(path.join(FIXTURES, file));
    const a = both(buf);
    expect(a.fused).toEqual(a.generic);
    const b = both(buf, { maxAttributes: 1, maxAttributeLength: 2, maxDepth: 1, maxItems: 1 });
    expect(b.fused).toEqual(b.generic);
  });

  it('on random requests', () => {
    const bytes = (n: number) => fc.uint8Array({ maxLength: n }).map((a) => Buffer.from(a));
    const u64 = fc.oneof(fc.constant('0'), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(String));
    const value = fc.oneof(fc.record({ stringValue: fc.string({ maxLength: 6 }) }), fc.record({ intValue: fc.integer() }), fc.record({ doubleValue: fc.double() }),
      fc.record({ kvlistValue: fc.record({ values: fc.array(fc.record({ key: fc.string({ maxLength: 3 }), value: fc.record({ boolValue: fc.boolean() }) }), { maxLength: 3 }) }) }), fc.constant({}));
    const log = fc.record({
      timeUnixNano: u64, observedTimeUnixNano: u64, severityNumber: fc.integer({ min: -2, max: 30 }), severityText: fc.string({ maxLength: 70 }),
      body: value, attributes: fc.array(fc.record({ key: fc.constantFrom('a', 'b', '__proto__'), value }), { maxLength: 3 }), traceId: bytes(16), spanId: bytes(8),
    }, { requiredKeys: [] });
    const req = fc.record({ resourceLogs: fc.array(fc.record({
      resource: fc.option(fc.record({ attributes: fc.array(fc.record({ key: fc.constantFrom('service.name', 'host'), value }), { maxLength: 2 }) }), { nil: undefined }),
      scopeLogs: fc.array(fc.record({ scope: fc.option(fc.record({ name: fc.string({ maxLength: 3 }) }), { nil: undefined }), logRecords: fc.array(log, { maxLength: 3 }) }), { maxLength: 2 }),
    }), { maxLength: 2 }) });
    fc.assert(fc.property(req, fc.boolean(), (r, tight) => {
      const buf = Buffer.from(encodeRequestProtobuf('logs', r));
      const { fused, generic } = both(buf, tight ? { maxAttributes: 1, maxAttributeLength: 2, maxItems: 2 } : {});
      expect(fused).toEqual(generic);
    }), { numRuns: 400 });
  });

  const rich = () => Buffer.from(encodeRequestProtobuf('logs', { resourceLogs: [{ scopeLogs: [{ logRecords: [{
    timeUnixNano: '5', severityNumber: 9, body: { stringValue: 'hello' },
    attributes: [{ key: 'a', value: { kvlistValue: { values: [{ key: 'b', value: { arrayValue: { values: [{ intValue: '7' }] } } }] } } }],
    traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 1),
  }] }] }] }));

  it('refuses bytes cut anywhere, attributes included (they are checked at ingest, read later)', () => {
    expectEveryCutRefused(rich(), (b) => normaliseLogsProtobuf(b, opts()));
  });

  it('never accepts a request whose records then fail to read out', () => {
    expectAcceptedReadsBack(rich(), (b, tight) => normaliseLogsProtobuf(b, tight ? opts({ maxAttributes: 1, maxDepth: 1 }) : opts()));
  });

  it('moves records out of a request that is mostly other bytes, so they do not keep it alive', () => {
    const junk = 'x'.repeat(200_000);
    const req = { resourceLogs: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }, { key: 'blob', value: { stringValue: junk } }] },
      scopeLogs: [{ logRecords: [{ timeUnixNano: '5', body: { stringValue: 'kept' }, attributes: [{ key: 'a', value: { intValue: '1' } }] }] }],
    }] };
    const buf = Buffer.from(encodeRequestProtobuf('logs', req));
    const n = normaliseLogsProtobuf(buf, opts({ maxAttributeLength: 300_000 }));
    buf.fill(0);
    expect(n.items[0].attributes).toEqual({ a: 1 });
    expect(n.items[0].body).toBe('kept');
  });
});
