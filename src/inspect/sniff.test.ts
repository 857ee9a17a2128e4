// inspect/sniff: every protobuf fixture is recognised as its own signal from its first item, and the
// near-misses (a metric whose name is 16 bytes, a span with empty ids, a log with neither time nor
// severity, bytes that are no protobuf) are told apart or left undecided, never misnamed.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeRequestProtobuf } from '../../test/helpers/otlp-protobuf.js';
import { listFixtures, toProtobufObject } from '../../test/fixtures/otlp/fixtures.js';
import { jsonSignalOf, protobufSignalOf } from './sniff.js';

const encode = (signal: 'traces' | 'logs' | 'metrics', doc: object) => Buffer.from(encodeRequestProtobuf(signal, toProtobufObject(doc) as object));

describe('protobufSignalOf', () => {
  it.each(listFixtures().map((f) => [`${f.signal}/${f.name}`, f] as const))('recognises %s', (_name, f) => {
    expect(protobufSignalOf(readFileSync(f.pbPath))).toBe(f.signal);
  });

  it('tells the near-misses apart', () => {
    const metric16 = encode('metrics', { resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'sixteen-chars-ab', gauge: { dataPoints: [{ asDouble: 1 }] } }] }] }] });
    expect(protobufSignalOf(metric16)).toBe('metrics');
    const emptyIds = encode('traces', { resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'x', startTimeUnixNano: '1' }] }] }] });
    expect(protobufSignalOf(emptyIds)).toBe('traces');
    // Empty ids written out, a name and nothing else (no times, no kind): still a span.
    expect(protobufSignalOf(Buffer.from('0a0b120912070a0012002a0178', 'hex'))).toBe('traces');
    const bodyOnly = encode('logs', { resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'hi' } }] }] }] });
    expect(protobufSignalOf(bodyOnly)).not.toBe('traces');
    expect(protobufSignalOf(bodyOnly)).not.toBe('metrics');
    expect(protobufSignalOf(Buffer.from('{"resourceSpans":[]}'))).toBeUndefined();
    expect(protobufSignalOf(Buffer.alloc(0))).toBeUndefined();
    expect(protobufSignalOf(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]))).toBeUndefined();
  });
});

describe('jsonSignalOf', () => {
  it('reads the top-level key in either spelling', () => {
    expect(jsonSignalOf(Buffer.from('{"resourceLogs":[]}'))).toBe('logs');
    expect(jsonSignalOf(Buffer.from('{ "resource_metrics": [] }'))).toBe('metrics');
    expect(jsonSignalOf(Buffer.from('{"resourceSpans":[]}'))).toBe('traces');
    expect(jsonSignalOf(Buffer.from('{"other":1}'))).toBeUndefined();
  });
});
