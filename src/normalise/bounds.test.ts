/**
 * Issue 11: every string and array a normaliser keeps is bounded by the §6 limits, in every codec
 * (fused protobuf, OTLP/JSON, seed JSON), so the memory cap can count what is kept.
 */
import { describe, expect, it } from 'vitest';
import type { LogRecord, Span } from '../model/model.js';
import { encodeRequestProtobuf } from '../../test/helpers/otlp-protobuf.js';
import { DEFAULT_NORMALISE_OPTIONS, type NormaliseOptions } from './options.js';
import { decodeSeedLogs, decodeSeedMetrics, decodeSeedTraces } from '../otlp/seed-json.js';
import { normaliseLogs } from './logs.js';
import { normaliseMetrics } from './metrics.js';
import { normaliseMetricsProtobuf } from './metrics-protobuf.js';
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

/** A plain object or array whose property reads are counted (what a conversion touches). */
function counted<T extends object>(target: T): { value: T; reads: () => number } {
  let reads = 0;
  const value = new Proxy(target, { get(t, k, r) { if (typeof k === 'string') reads++; return Reflect.get(t, k, r); } });
  return { value, reads: () => reads };
}

describe('seed JSON maps and arrays are converted under the limits, not in full', () => {
  const N = 50_000;
  const O128: NormaliseOptions = { ...DEFAULT_NORMALISE_OPTIONS, maxAttributes: 128 };

  it('a span attribute map of 50k keys reads about 128 of them', () => {
    const map: Record<string, number> = {};
    for (let i = 0; i < N; i++) map['k' + i] = i;
    const c = counted(map);
    const spans = normaliseTraces(decodeSeedTraces({ traceId: 'ab', spanId: 'cd', name: 'x', attributes: c.value }).request, O128).items;
    expect(Object.keys(spans[0].attributes)).toHaveLength(128);
    expect(spans[0].attributes.k127).toBe(127);
    expect(c.reads()).toBeLessThan(1000);
  });

  it('a log body array of 50k values and a metric label map read what is kept', () => {
    const body = counted(Array.from({ length: N }, (_, i) => i));
    const logs = normaliseLogs(decodeSeedLogs({ timestamp: 1, message: body.value }).request, O128).items;
    expect(logs[0].body).toHaveLength(128);
    expect(body.reads()).toBeLessThan(1000);
    const labels: Record<string, string> = {};
    for (let i = 0; i < N; i++) labels['l' + i] = 'v';
    const c = counted(labels);
    const samples = normaliseMetrics(decodeSeedMetrics({ name: 'm', timestamp: 1, value: 1, labels: c.value }).request, O128).items;
    expect(Object.keys(samples[0].labels)).toHaveLength(128);
    expect(c.reads()).toBeLessThan(1000);
  });

  it('converts as before: integers, doubles, booleans, nested maps and arrays, null, __proto__', () => {
    const doc = JSON.parse('{"traceId":"ab","spanId":"cd","attributes":{"i":3,"d":1.5,"b":true,"n":null,"s":"' + 'y'.repeat(200) + '","a":[1,"x",[2]],"m":{"k":{"z":1}},"__proto__":1,"big":12345678901234567}}');
    const [s] = normaliseTraces(decodeSeedTraces(doc).request, O).items;
    expect(s.attributes).toEqual({ i: 3, d: 1.5, b: true, n: null, s: 'y'.repeat(100) + '…', a: [1, 'x', [2]], m: { k: { z: 1 } }, ['__proto__']: 1, big: '12345678901234568' });
    expect(Object.getPrototypeOf(s.attributes)).toBe(Object.prototype);
  });
});

describe('OTLP/JSON attribute lists stop at the limit', () => {
  it('reads about maxAttributes entries of a 200k-entry list (a resource still finds service.name)', () => {
    const kvs = Array.from({ length: 200_000 }, (_, i) => ({ key: 'k' + i, value: { intValue: i } }));
    const c = counted(kvs);
    const [s] = normaliseTraces({ resourceSpans: [{ resource: { attributes: [...kvs, { key: 'service.name', value: { stringValue: 'svc' } }] }, scopeSpans: [{ spans: [{ traceId: 'ab', spanId: 'cd', attributes: c.value }] }] }] }, { ...O, maxAttributes: 128 }).items;
    expect(Object.keys(s.attributes)).toHaveLength(128);
    expect(s.service).toBe('svc');
    expect(c.reads()).toBeLessThan(1000);
  });
});

describe('buckets per histogram point are bounded (TINYOLLY_MAX_BUCKETS_PER_POINT)', () => {
  const OB: NormaliseOptions = { ...DEFAULT_NORMALISE_OPTIONS };
  const histogram = (n: number) => ({ timeUnixNano: '1', count: String(n), bucketCounts: Array.from({ length: n }, () => '1'), explicitBounds: Array.from({ length: Math.max(0, n - 1) }, (_, i) => i) });
  const exp = (pos: number, neg: number) => ({ timeUnixNano: '1', count: '1', scale: 3, positive: { offset: 0, bucketCounts: Array.from({ length: pos }, () => '1') }, negative: { offset: -2, bucketCounts: Array.from({ length: neg }, () => '1') } });
  const summary = (n: number) => ({ timeUnixNano: '1', count: '1', sum: 1, quantileValues: Array.from({ length: n }, (_, i) => ({ quantile: i / n, value: i })) });
  const request = {
    resourceMetrics: [{ scopeMetrics: [{ metrics: [
      { name: 'h', histogram: { aggregationTemporality: 2, dataPoints: [histogram(1024), histogram(1025), histogram(100_000)] } },
      { name: 'e', exponentialHistogram: { aggregationTemporality: 2, dataPoints: [exp(160, 160), exp(1000, 25)] } },
      { name: 's', summary: { dataPoints: [summary(10), summary(2000)] } },
    ] }] }],
  };
  const check = (n: { items: { name: string; point: { bucketCounts?: number[] } }[]; rejected: number; message?: string }) => {
    expect(n.items.map((s) => s.name)).toEqual(['h', 'e', 's']);
    expect(n.items[0].point.bucketCounts).toHaveLength(1024);
    expect(n.rejected).toBe(4);
    expect(n.message).toContain('unreadable point');
  };

  it('rejects (and counts) points over the limit: fused protobuf', () => {
    check(normaliseMetricsProtobuf(Buffer.from(encodeRequestProtobuf('metrics', request)), OB));
  });
  it('rejects (and counts) points over the limit: OTLP/JSON', () => {
    check(normaliseMetrics(request, OB));
  });
  it('the default keeps what OpenTelemetry SDKs send (exponential max_size 160 per side)', () => {
    expect(DEFAULT_NORMALISE_OPTIONS.maxBuckets).toBeGreaterThanOrEqual(320);
  });
});
