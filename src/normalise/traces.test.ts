/**
 * Span normalisation rules (CONTRACT §3, §6): span kinds and status codes as ints and enum names,
 * ids, durations, events and links, and per-item rejection: one bad span never fails its batch.
 */
import { describe, expect, it } from 'vitest';
import type { OtlpSpan, OtlpTracesRequest } from './otlp-types.js';
import { DEFAULT_NORMALISE_OPTIONS, type NormaliseOptions } from './options.js';
import { normaliseTraces } from './traces.js';
import { extrasOf } from '../model/otlp-extras.js';

const O: NormaliseOptions = DEFAULT_NORMALISE_OPTIONS;
const T = '5b8efff798038103d269b633813fc60c';
const good = (over: Partial<OtlpSpan> = {}): OtlpSpan => ({
  traceId: T, spanId: 'eee19b7ec3c1b174', name: 'op',
  startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000100000000', ...over,
});
const request = (...spans: unknown[]): OtlpTracesRequest => ({
  resourceSpans: [{
    resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
    scopeSpans: [{ scope: { name: 'lib', version: '1' }, spans: spans as OtlpSpan[] }],
  }],
});
const one = (span: OtlpSpan, o = O) => {
  const n = normaliseTraces(request(span), o);
  expect(n.items).toHaveLength(1);
  return n.items[0];
};

describe('span kind', () => {
  it.each([
    [0, 'UNSPECIFIED'], [1, 'INTERNAL'], [2, 'SERVER'], [3, 'CLIENT'], [4, 'PRODUCER'], [5, 'CONSUMER'],
    ['SPAN_KIND_UNSPECIFIED', 'UNSPECIFIED'], ['SPAN_KIND_INTERNAL', 'INTERNAL'], ['SPAN_KIND_SERVER', 'SERVER'],
    ['SPAN_KIND_CLIENT', 'CLIENT'], ['SPAN_KIND_PRODUCER', 'PRODUCER'], ['SPAN_KIND_CONSUMER', 'CONSUMER'],
    ['3', 'CLIENT'],
    [undefined, 'UNSPECIFIED'], [6, 'UNSPECIFIED'], [99, 'UNSPECIFIED'], [-1, 'UNSPECIFIED'], [2.5, 'UNSPECIFIED'],
    ['SERVER', 'UNSPECIFIED'], ['span_kind_server', 'UNSPECIFIED'], ['', 'UNSPECIFIED'],
  ] as [unknown, string][])('maps %j to %s', (kind, expected) => {
    expect(one(good({ kind: kind as OtlpSpan['kind'] })).kind).toBe(expected);
  });
});

describe('status code', () => {
  it.each([
    [0, 'UNSET'], [1, 'OK'], [2, 'ERROR'],
    ['STATUS_CODE_UNSET', 'UNSET'], ['STATUS_CODE_OK', 'OK'], ['STATUS_CODE_ERROR', 'ERROR'],
    [undefined, 'UNSET'], [3, 'UNSET'], [-2, 'UNSET'], ['ERROR', 'UNSET'],
  ] as [unknown, string][])('maps %j to %s', (code, expected) => {
    expect(one(good({ status: { code: code as number, message: 'm' } })).status).toEqual({ code: expected, message: 'm' });
  });

  it.each([
    ['absent', undefined],
    ['null', null],
    ['not an object', 'ERROR'],
  ])('reads a status that is %s as UNSET with no message', (_name, status) => {
    expect(one(good({ status: status as OtlpSpan['status'] })).status).toEqual({ code: 'UNSET', message: '' });
  });
});

describe('ids', () => {
  it.each([
    ['OTLP/JSON hex', T, T],
    ['upper-case hex, lowercased', T.toUpperCase(), T],
    ['bytes', Buffer.from(T, 'hex'), T],
    ['a Uint8Array', new Uint8Array(Buffer.from(T, 'hex')), T],
    ['the seed\'s 34-hex-char id, as given', '01234567890ABCDEF01234567890ABCDEF', '01234567890abcdef01234567890abcdef'],
    ['a short id, as given', 'abc', 'abc'],
  ])('stores a trace id given as %s', (_name, traceId, expected) => {
    expect(one(good({ traceId })).traceId).toBe(expected);
  });

  it.each([
    ['absent', undefined, null],
    ['empty hex', '', null],
    ['empty bytes', new Uint8Array(0), null],
    ['hex', 'ABCDEF0123456789', 'abcdef0123456789'],
  ])('reads a parent span id that is %s', (_name, parentSpanId, expected) => {
    expect(one(good({ parentSpanId })).parentSpanId).toBe(expected);
  });
});

describe('durationMs', () => {
  it('is 0 for a span whose end is before its start, which is still stored as sent', () => {
    const s = one(good({ startTimeUnixNano: '1700000000100000000', endTimeUnixNano: '1700000000000000000' }));
    expect(s).toMatchObject({ startTimeUnixNano: '1700000000100000000', endTimeUnixNano: '1700000000000000000', durationMs: 0 });
  });
});

describe('events and links', () => {
  it('keeps events and links with their attributes, in order', () => {
    const s = one(good({
      events: [
        { name: 'a', timeUnixNano: '1700000000050000000', attributes: [{ key: 'k', value: { intValue: '1' } }] },
        { name: 'b' },
      ],
      links: [{ traceId: T.toUpperCase(), spanId: '0102030405060708', attributes: [{ key: 'why', value: { stringValue: 'batch' } }] }],
    }));
    expect(s.events).toEqual([
      { name: 'a', timeUnixNano: '1700000000050000000', attributes: { k: 1 } },
      { name: 'b', timeUnixNano: '0', attributes: {} },
    ]);
    expect(s.links).toEqual([{ traceId: T, spanId: '0102030405060708', attributes: { why: 'batch' } }]);
  });

  it('keeps at most maxEvents events and maxLinks links, the first ones', () => {
    const events = Array.from({ length: 5 }, (_, i) => ({ name: `e${i}` }));
    const links = Array.from({ length: 5 }, (_, i) => ({ traceId: T, spanId: `0${i}` }));
    const s = one(good({ events, links }), { ...O, maxEvents: 2, maxLinks: 3 });
    expect(s.events.map((e) => e.name)).toEqual(['e0', 'e1']);
    expect(s.links.map((l) => l.spanId)).toEqual(['00', '01', '02']);
  });

  it('skips event and link entries that are not objects, and reads a list that is not an array as empty', () => {
    const s = one(good({ events: [null, 3, { name: 'ok' }] as never, links: 'nope' as never }));
    expect(s.events.map((e) => e.name)).toEqual(['ok']);
    expect(s.links).toEqual([]);
  });
});

describe('rejected items', () => {
  it.each([
    ['no trace id', good({ traceId: undefined })],
    ['an empty trace id', good({ traceId: '' })],
    ['no span id', good({ spanId: undefined })],
    ['an empty span id (bytes)', good({ spanId: new Uint8Array(0) })],
    ['null', null],
    ['a number', 42],
    ['a string', 'span'],
    ['an array', [good()]],
  ])('rejects a span that is %s and keeps the rest of the batch', (_name, bad) => {
    const n = normaliseTraces(request(good({ spanId: '01' }), bad, good({ spanId: '02' })), O);
    expect(n.items.map((s) => s.spanId)).toEqual(['01', '02']);
    expect(n.rejected).toBe(1);
    expect(n.message).toMatch(/1 span\(s\) rejected/);
  });

  it('counts every rejected span across resources and scopes', () => {
    const req: OtlpTracesRequest = {
      resourceSpans: [
        { scopeSpans: [{ spans: [good(), good({ traceId: '' })] }, { spans: [null as never] }] },
        { scopeSpans: [{ spans: [good({ spanId: '' }), good()] }] },
      ],
    };
    const n = normaliseTraces(req, O);
    expect(n).toMatchObject({ rejected: 3 });
    expect(n.items).toHaveLength(2);
  });

  it('rejects a span whose fields throw when read, and keeps the others', () => {
    const hostile = good();
    Object.defineProperty(hostile, 'name', { get() { throw new Error('boom'); }, enumerable: true });
    const n = normaliseTraces(request(good({ spanId: '01' }), hostile, good({ spanId: '02' })), O);
    expect(n.items.map((s) => s.spanId)).toEqual(['01', '02']);
    expect(n.rejected).toBe(1);
  });

  it('rejects the spans past maxItems per request', () => {
    const n = normaliseTraces(request(good({ spanId: '01' }), good({ spanId: '02' }), good({ spanId: '03' })), { ...O, maxItems: 2 });
    expect(n.items.map((s) => s.spanId)).toEqual(['01', '02']);
    expect(n.rejected).toBe(1);
  });

  it.each([
    ['an empty object', {}],
    ['resourceSpans that is not an array', { resourceSpans: 'x' }],
    ['resources, scopes and span lists of the wrong shape', { resourceSpans: [null, 1, { scopeSpans: 'x' }, { scopeSpans: [null, { spans: {} }] }] }],
  ])('reads %s as no spans, without throwing', (_name, req) => {
    expect(normaliseTraces(req as OtlpTracesRequest, O)).toEqual({ items: [], rejected: 0 });
  });
});

describe('names, resource and scope', () => {
  it('reads a name that is not a string as ""', () => {
    expect(one(good({ name: 5 as never })).name).toBe('');
  });

  it('shares the resource and scope of its group, with service from service.name', () => {
    const s = one(good());
    expect(s).toMatchObject({ service: 'svc', resource: { 'service.name': 'svc' }, scope: { name: 'lib', version: '1' } });
  });

  it.each([
    ['absent', undefined],
    ['null', null],
    ['not an object', 'lib'],
  ])('reads a scope that is %s as empty name and version', (_name, scope) => {
    const req = { resourceSpans: [{ scopeSpans: [{ scope, spans: [good()] }] }] } as OtlpTracesRequest;
    expect(normaliseTraces(req, O).items[0]).toMatchObject({ scope: { name: '', version: '' }, service: 'unknown_service' });
  });
});

describe('fields the model leaves out (model/otlp-extras.ts)', () => {
  it('notes trace state, flags and dropped counts of spans, events and links, hidden from the JSON', () => {
    const s = one(good({
      traceState: 'a=1', flags: 257, droppedAttributesCount: '3', droppedEventsCount: 4, droppedLinksCount: 5,
      events: [{ name: 'e', droppedAttributesCount: 2 }, { name: 'plain' }],
      links: [{ traceId: T, spanId: '0000000000000001', traceState: 'b=2', flags: 1, droppedAttributesCount: 6 }, { traceId: T, spanId: '0000000000000002' }],
    }));
    expect(extrasOf(s)).toEqual({ traceState: 'a=1', flags: 257, droppedAttributesCount: 3, droppedEventsCount: 4, droppedLinksCount: 5 });
    expect(s.events.map((e) => extrasOf(e))).toEqual([{ droppedAttributesCount: 2 }, undefined]);
    expect(s.links.map((l) => extrasOf(l))).toEqual([{ traceState: 'b=2', flags: 1, droppedAttributesCount: 6 }, undefined]);
    expect(JSON.stringify(s)).not.toContain('traceState');
  });

  it.each([
    ['none set', {}],
    ['defaults', { traceState: '', flags: 0, droppedAttributesCount: '0' }],
    ['not numbers or out of range', { flags: -1, droppedAttributesCount: 1.5, droppedEventsCount: 2 ** 32, droppedLinksCount: 'x' as never, traceState: 7 as never }],
  ])('notes nothing when %s', (_name, over) => {
    expect(extrasOf(one(good(over as Partial<OtlpSpan>)))).toBeUndefined();
  });
});
