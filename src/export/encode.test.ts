import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listFixtures, readFixtureJson, toProtobufObject } from '../../test/fixtures/otlp/fixtures.js';
import { normaliseLogs } from '../normalise/logs.js';
import { normaliseLogsProtobuf } from '../normalise/logs-protobuf.js';
import { DEFAULT_NORMALISE_OPTIONS } from '../normalise/options.js';
import { normaliseTraces } from '../normalise/traces.js';
import { normaliseTracesProtobuf } from '../normalise/traces-protobuf.js';
import { encodeRequestProtobuf } from '../../test/helpers/otlp-protobuf.js';
import { nanosToSeconds } from '../wire/values.js';
import { resourceLogsOf, resourceSpansOf } from './encode.js';
import { secondsToExactNanos } from './otlp-values.js';

const o = DEFAULT_NORMALISE_OPTIONS;
const plain = <T>(xs: T[]): T[] => JSON.parse(JSON.stringify(xs)) as T[];
const sorted = <T>(xs: T[]): T[] => [...xs].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
const noId = (logs: { id: string }[]) => logs.map(({ id: _id, ...rest }) => rest);

/** An AnyValue in one spelling: int64 as decimal strings, absent lists as []. */
function canonValue(v: any): unknown {
  if (!v || typeof v !== 'object') return {};
  if ('stringValue' in v) return { stringValue: v.stringValue };
  if ('boolValue' in v) return { boolValue: v.boolValue };
  if ('intValue' in v) return { intValue: String(v.intValue) };
  if ('doubleValue' in v) return { doubleValue: v.doubleValue };
  if ('bytesValue' in v) return { bytesValue: v.bytesValue };
  if ('arrayValue' in v) return { arrayValue: { values: (v.arrayValue?.values ?? []).map(canonValue) } };
  if ('kvlistValue' in v) return { kvlistValue: { values: canonKvs(v.kvlistValue?.values ?? []) } };
  return {};
}
/** A KeyValue list as ingest keeps it: a later duplicate replaces the value in place. */
function canonKvs(kvs: any[]): unknown[] {
  const m = new Map<string, unknown>();
  for (const kv of kvs) m.set(kv.key, canonValue(kv.value));
  return [...m].map(([key, value]) => ({ key, value }));
}

describe('export encoding', () => {
  const traces = listFixtures().filter((f) => f.signal === 'traces');
  const logs = listFixtures().filter((f) => f.signal === 'logs');

  it.each(traces.map((f) => [f.name, f] as const))('traces/%s: exported OTLP/JSON normalises back to the same spans, typed or inferred', (_n, f) => {
    const stored = normaliseTracesProtobuf(readFileSync(f.pbPath), o).items;
    const expected = sorted(plain(stored));
    const typed = { resourceSpans: resourceSpansOf(stored, o) };
    expect(sorted(plain(normaliseTraces(typed as never, o).items))).toEqual(expected);
    const inferred = { resourceSpans: resourceSpansOf(plain(stored), o) };
    expect(sorted(plain(normaliseTraces(inferred as never, o).items))).toEqual(expected);
    // Types survive: the export, sent again as protobuf, exports to the very same document.
    const again = normaliseTracesProtobuf(Buffer.from(encodeRequestProtobuf('traces', toProtobufObject(JSON.parse(JSON.stringify(typed))) as object)), o).items;
    expect(JSON.parse(JSON.stringify({ resourceSpans: resourceSpansOf(again, o) }))).toEqual(JSON.parse(JSON.stringify(typed)));
  });

  it.each(logs.map((f) => [f.name, f] as const))('logs/%s: exported OTLP/JSON normalises back to the same records', (_n, f) => {
    const stored = normaliseLogsProtobuf(readFileSync(f.pbPath), o).items;
    const expected = sorted(noId(plain(stored)));
    for (const items of [stored, plain(stored)]) {
      const doc = { resourceLogs: resourceLogsOf(items, o) };
      expect(sorted(noId(plain(normaliseLogs(doc as never, o).items)))).toEqual(expected);
    }
  });

  it('keeps every AnyValue type of a protobuf-received span exactly as sent', () => {
    const f = traces.find((x) => x.name === 'any-values')!;
    const sent = (readFixtureJson(f) as any).resourceSpans[0].scopeSpans[0].spans[0];
    const stored = normaliseTracesProtobuf(readFileSync(f.pbPath), o).items;
    const out = resourceSpansOf(stored, o)[0] as any;
    const span = out.scopeSpans[0].spans.find((s: any) => s.spanId === sent.spanId);
    expect(span.attributes).toEqual(canonKvs(sent.attributes));
    expect(span.events.map((e: any) => e.attributes)).toEqual(sent.events.map((e: any) => canonKvs(e.attributes ?? [])));
  });

  it('keeps every AnyValue type of an OTLP/JSON-received span too (kinds noted at ingest, held by the memory store)', () => {
    const f = traces.find((x) => x.name === 'any-values')!;
    const doc = readFixtureJson(f) as any;
    const sent = doc.resourceSpans[0].scopeSpans[0].spans[0];
    const stored = normaliseTraces(doc, o).items;
    const span = (resourceSpansOf(stored, o)[0] as any).scopeSpans[0].spans.find((s: any) => s.spanId === sent.spanId);
    expect(span.attributes).toEqual(canonKvs(sent.attributes));
    // Plain JSON (what the Redis store keeps) loses the kinds: inferred from the flat values.
    const flat = (resourceSpansOf(plain(stored), o)[0] as any).scopeSpans[0].spans.find((s: any) => s.spanId === sent.spanId);
    expect(Object.fromEntries(flat.attributes.map((kv: any) => [kv.key, kv.value])).bytes).toEqual({ stringValue: 'AAEC/w==' });
  });

  it('keeps a typed log body (bytes, big int, double) exactly as sent', () => {
    const f = logs.find((x) => x.name === 'bodies')!;
    const sent = (readFixtureJson(f) as any).resourceLogs.flatMap((r: any) => r.scopeLogs.flatMap((s: any) => s.logRecords));
    const stored = normaliseLogsProtobuf(readFileSync(f.pbPath), o).items;
    const out = resourceLogsOf(stored, o).flatMap((r: any) => r.scopeLogs.flatMap((s: any) => s.logRecords));
    expect(out.map((l: any) => l.body ?? {})).toEqual(sent.map((l: any) => (l.body === undefined ? {} : canonValue(l.body))));
  });

  it.each([1700000000.123, 1700000000.0000001, 0.5, 1, 1e-9, 1764633600.987654])('turns metric seconds %s into nanoseconds that read back as the same float', (s) => {
    expect(nanosToSeconds(secondsToExactNanos(s))).toBe(s);
  });
});
