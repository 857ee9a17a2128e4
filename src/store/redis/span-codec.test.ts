/**
 * The stored forms of a span: a span read from protobuf is kept as its wire bytes (version 2) and
 * reads back exactly as it was, under the same limits; anything malformed reads back as nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Span } from '../../model/model.js';
import { DEFAULT_NORMALISE_OPTIONS, type NormaliseOptions } from '../../normalise/options.js';
import { normaliseTracesProtobuf } from '../../normalise/traces-protobuf.js';
import { WireSpan } from '../../wire/wire-span.js';
import { normaliseTraces } from '../../normalise/traces.js';
import { extrasOf } from '../../model/otlp-extras.js';
import { decodeSpan, encodeSpan, ResourceTable, type StoredResource } from './span-codec.js';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/otlp/traces');
const LIMITS: Record<string, Partial<NormaliseOptions>> = {
  default: {},
  tight: { maxAttributes: 1, maxAttributeLength: 3, maxDepth: 1, maxEvents: 1, maxLinks: 1 },
};
const plain = (s: Span) => JSON.parse(JSON.stringify(s)) as unknown;

/** Encodes spans as the Redis store does and reads them back. */
function roundTrip(spans: Span[], o: NormaliseOptions): (Span | undefined)[] {
  const table = new ResourceTable();
  const resources = new Map<string, StoredResource>();
  return spans.map((s) => {
    const [digest, json] = table.entryOf(s.service, s.resource);
    resources.set(digest, JSON.parse(json) as StoredResource);
    return decodeSpan(s.traceId, s.spanId, JSON.parse(encodeSpan(s, digest)), resources, o);
  });
}

describe('span codec', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.pb'));
  it.each(files.flatMap((f) => Object.keys(LIMITS).map((l) => [f, l] as const)))('keeps %s spans as wire bytes and reads them back unchanged (%s limits)', (file, limits) => {
    const o = { ...DEFAULT_NORMALISE_OPTIONS, ...LIMITS[limits] };
    const spans = normaliseTracesProtobuf(readFileSync(path.join(FIXTURES, file)), o).items;
    expect(spans.length).toBeGreaterThan(0);
    for (const s of spans) {
      const { name, version, ...extras } = s.scope;
      const stored = [2, 'Ab-_09', name, version, (s as WireSpan).wireBytes().toString('base64')];
      // The scope's attributes and schema URLs follow, only when it has some.
      expect(encodeSpan(s, 'Ab-_09')).toBe(JSON.stringify(Object.keys(extras).length > 0 ? [...stored, extras] : stored));
    }
    expect(roundTrip(spans, o).map((s) => s && plain(s))).toEqual(spans.map(plain));
  });

  it('keeps other spans as JSON (version 1) and reads them back unchanged', () => {
    const spans = normaliseTracesProtobuf(readFileSync(path.join(FIXTURES, files[0])), DEFAULT_NORMALISE_OPTIONS).items
      .map((s) => plain(s) as Span);
    expect(spans[0]).not.toBeInstanceOf(WireSpan);
    for (const s of spans) expect(JSON.parse(encodeSpan(s, 'd'))[0]).toBe(1);
    expect(roundTrip(spans, DEFAULT_NORMALISE_OPTIONS).map((s) => s && plain(s))).toEqual(spans.map(plain));
  });

  it('keeps the OTLP fields a JSON span notes beside the model (trace state, flags, dropped counts), and reads older arrays without them', () => {
    const T = '5b8efff798038103d269b633813fc60c';
    const [s] = normaliseTraces({ resourceSpans: [{ scopeSpans: [{ spans: [{
      traceId: T, spanId: '0000000000000001', traceState: 'a=1', flags: 1, droppedEventsCount: 2,
      events: [{ name: 'plain' }, { name: 'e', droppedAttributesCount: 3 }], links: [{ traceId: T, spanId: '0000000000000002', traceState: 'b=2' }],
    }] }] }] }, DEFAULT_NORMALISE_OPTIONS).items;
    const stored = JSON.parse(encodeSpan(s, 'd')) as unknown[];
    expect(stored).toHaveLength(18);
    expect(stored.slice(15)).toEqual([null, null, { s: { ts: 'a=1', f: 1, de: 2 }, e: { 1: { da: 3 } }, l: { 0: { ts: 'b=2' } } }]);
    const [back] = roundTrip([s], DEFAULT_NORMALISE_OPTIONS);
    expect(plain(back!)).toEqual(plain(s));
    expect(extrasOf(back!)).toEqual(extrasOf(s));
    expect(back!.events.map((e) => extrasOf(e))).toEqual([undefined, { droppedAttributesCount: 3 }]);
    expect(extrasOf(back!.links[0])).toEqual({ traceState: 'b=2' });
    // Stored before they were kept (15 to 17 elements), or with malformed extras: the span, without them.
    const resources = new Map<string, StoredResource>([['d', [s.service, s.resource]]]);
    for (const old of [stored.slice(0, 15), stored.slice(0, 17), [...stored.slice(0, 17), { s: { ts: 7, f: -1, zz: 1 }, e: 'x', l: { 9: { ts: 'x' } } }]]) {
      const span = decodeSpan(T, '0000000000000001', JSON.parse(JSON.stringify(old)), resources, DEFAULT_NORMALISE_OPTIONS);
      expect(span && plain(span)).toEqual(plain(s));
      expect(extrasOf(span!)).toBeUndefined();
      expect(span!.events.map((e) => extrasOf(e))).toEqual([undefined, undefined]);
    }
  });

  it('reads malformed or mismatched wire values as nothing, never throwing', () => {
    const [s] = normaliseTracesProtobuf(readFileSync(path.join(FIXTURES, files[0])), DEFAULT_NORMALISE_OPTIONS).items as WireSpan[];
    const resources = new Map<string, StoredResource>([['d', [s.service, s.resource]]]);
    const good = JSON.parse(encodeSpan(s, 'd')) as unknown[];
    const bytes = s.wireBytes();
    const variants: unknown[] = [
      [2, 'd', '', '', bytes.subarray(0, bytes.length - 1).toString('base64')], // cut short
      [2, 'd', '', '', '!!!not base64!!!'],
      [2, 'd', '', ''],
      [2, 'missing-resource', '', '', good[4]],
      [2, 'd', '', '', 42],
    ];
    for (const v of variants) expect(decodeSpan(s.traceId, s.spanId, v, resources, DEFAULT_NORMALISE_OPTIONS)).toBeUndefined();
    // stored under another span's key: refused rather than misfiled
    expect(decodeSpan(s.traceId, 'ffffffffffffffff', good, resources, DEFAULT_NORMALISE_OPTIONS)).toBeUndefined();
    expect(decodeSpan(s.traceId, s.spanId, good, resources, DEFAULT_NORMALISE_OPTIONS)).toBeDefined();
  });
});
