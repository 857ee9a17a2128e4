/**
 * Issue 11: every string and array a normaliser keeps is bounded by the §6 limits, in every codec
 * (fused protobuf, OTLP/JSON, seed JSON), so the memory cap can count what is kept.
 */
import { describe, expect, it } from 'vitest';
import type { LogRecord, Span } from '../model/model.js';
import { encodeRequestProtobuf } from '../otlp/protobuf.js';
import { DEFAULT_NORMALISE_OPTIONS, type NormaliseOptions } from './options.js';
import { normaliseLogs } from './logs.js';
import { normaliseLogsProtobuf } from './logs-protobuf.js';
import { normaliseTraces } from './traces.js';
import { normaliseTracesProtobuf } from './traces-protobuf.js';

const O: NormaliseOptions = { ...DEFAULT_NORMALISE_OPTIONS, maxAttributeLength: 100 };
const HUGE = 'x'.repeat(150_000);

/** 100 scopes with 150 KB names and versions, one item each (the probe's shape, smaller). */
function scopesRequest(signal: 'traces' | 'logs', json: boolean): object {
  const id = (n: number, len: number) => (json ? n.toString(16).padStart(len * 2, '0') : Buffer.alloc(len, n + 1));
  const scopes = Array.from({ length: 100 }, (_, i) => {
    const scope = { name: HUGE + i, version: HUGE };
    return signal === 'traces'
      ? { scope, spans: [{ traceId: id(i + 1, 16), spanId: id(i + 1, 8), name: HUGE, startTimeUnixNano: '1', endTimeUnixNano: '2' }] }
      : { scope, logRecords: [{ timeUnixNano: '1', body: { stringValue: 'b' } }] };
  });
  return signal === 'traces'
    ? { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: scopes }] }
    : { resourceLogs: [{ resource: { attributes: [] }, scopeLogs: scopes }] };
}

function expectScopesCut(items: (Span | LogRecord)[]): void {
  expect(items).toHaveLength(100);
  for (const it of items) {
    expect(it.scope.name.length).toBe(O.maxAttributeLength + 1);
    expect(it.scope.name.endsWith('…')).toBe(true);
    expect(it.scope.version.length).toBe(O.maxAttributeLength + 1);
  }
}

describe('InstrumentationScope name and version are cut to TINYOLLY_MAX_ATTRIBUTE_LENGTH', () => {
  it('fused protobuf traces', () => {
    const buf = Buffer.from(encodeRequestProtobuf('traces', scopesRequest('traces', false)));
    const spans = normaliseTracesProtobuf(buf, O).items;
    expectScopesCut(spans);
    for (const s of spans) expect(s.name.length).toBe(O.maxAttributeLength + 1);
  });
  it('fused protobuf logs', () => {
    const buf = Buffer.from(encodeRequestProtobuf('logs', scopesRequest('logs', false)));
    expectScopesCut(normaliseLogsProtobuf(buf, O).items);
  });
  it('OTLP/JSON traces and logs (the generic normalisers)', () => {
    expectScopesCut(normaliseTraces(scopesRequest('traces', true), O).items);
    expectScopesCut(normaliseLogs(scopesRequest('logs', true), O).items);
  });
});
