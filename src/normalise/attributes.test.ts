/**
 * AnyValue flattening and the attribute limits of CONTRACT §3 and §6: every AnyValue kind, maxAttributes
 * (first N in order, resource service.name always kept), maxAttributeLength at any depth and on log
 * bodies, maxDepth, and "__proto__" as a plain key.
 */
import { describe, expect, it } from 'vitest';
import type { AttrValue } from '../model/model.js';
import { decodeTracesProtobuf, encodeRequestProtobuf } from '../../test/helpers/otlp-protobuf.js';
import { anyValue, attributes, serviceName } from './attributes.js';
import type { OtlpAnyValue, OtlpKeyValue } from './otlp-types.js';
import { normaliseLogs } from './logs.js';
import { DEFAULT_NORMALISE_OPTIONS, type NormaliseOptions } from './options.js';
import { normaliseTraces } from './traces.js';

const O: NormaliseOptions = { ...DEFAULT_NORMALISE_OPTIONS, nextLogId: () => 'id' };
const opts = (over: Partial<NormaliseOptions>): NormaliseOptions => ({ ...O, ...over });
const kv = (key: string, value: OtlpAnyValue): OtlpKeyValue => ({ key, value });
const str = (s: string): OtlpAnyValue => ({ stringValue: s });
const kvlist = (...values: OtlpKeyValue[]): OtlpAnyValue => ({ kvlistValue: { values } });
const array = (...values: OtlpAnyValue[]): OtlpAnyValue => ({ arrayValue: { values } });

/** Round-trips one AnyValue through our protobuf codec, as a receiver would decode it. */
function viaProtobuf(value: OtlpAnyValue): OtlpAnyValue {
  const bytes = encodeRequestProtobuf('traces', {
    resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 1), attributes: [{ key: 'k', value }] }] }] }],
  });
  return decodeTracesProtobuf(bytes).resourceSpans![0].scopeSpans![0].spans![0].attributes![0].value!;
}

const KINDS: [string, OtlpAnyValue, AttrValue][] = [
  ['a string', str('GET'), 'GET'],
  ['an empty string', str(''), ''],
  ['markup, kept as text', str('<img src=x onerror=alert(1)>'), '<img src=x onerror=alert(1)>'],
  ['bool true', { boolValue: true }, true],
  ['bool false', { boolValue: false }, false],
  ['an int64 as a JSON number', { intValue: 200 }, 200],
  ['an int64 as a string', { intValue: '200' }, 200],
  ['a negative int64', { intValue: '-17' }, -17],
  ['an int64 of 2^53 - 1 (a number)', { intValue: '9007199254740991' }, 9007199254740991],
  ['an int64 of 2^53 + 1 (a string)', { intValue: '9007199254740993' }, '9007199254740993'],
  ['an int64 of -(2^53 + 1) (a string)', { intValue: '-9007199254740993' }, '-9007199254740993'],
  ['the largest int64', { intValue: '9223372036854775807' }, '9223372036854775807'],
  ['the smallest int64', { intValue: '-9223372036854775808' }, '-9223372036854775808'],
  ['a double', { doubleValue: 0.5 }, 0.5],
  ['a whole double', { doubleValue: 3 }, 3],
  ['NaN', { doubleValue: 'NaN' }, 'NaN'],
  ['Infinity', { doubleValue: 'Infinity' }, 'Infinity'],
  ['-Infinity', { doubleValue: '-Infinity' }, '-Infinity'],
  ['bytes (base64)', { bytesValue: 'AAEC/w==' }, 'AAEC/w=='],
  ['empty bytes', { bytesValue: '' }, ''],
  ['an array', array(str('a'), { intValue: 1 }, { boolValue: true }), ['a', 1, true]],
  ['an empty array', { arrayValue: {} }, []],
  ['a kvlist', kvlist(kv('a', { intValue: 1 }), kv('b', kvlist(kv('c', array(str('d')))))), { a: 1, b: { c: ['d'] } }],
  ['an empty kvlist', { kvlistValue: {} }, {}],
  ['an empty AnyValue', {}, null],
];

describe('anyValue', () => {
  it.each(KINDS)('flattens %s from OTLP/JSON', (_name, value, expected) => {
    expect(anyValue(value, O)).toStrictEqual(expected);
  });

  it.each(KINDS)('flattens %s from protobuf the same way', (_name, value, expected) => {
    const pb = 'bytesValue' in value ? { bytesValue: Buffer.from(value.bytesValue as string, 'base64') } : value;
    expect(anyValue(viaProtobuf(pb), O)).toStrictEqual(expected);
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a bare string', 'x' as unknown as OtlpAnyValue],
    ['a bare number', 7 as unknown as OtlpAnyValue],
    ['an unknown member', { fooValue: 1 } as unknown as OtlpAnyValue],
  ])('gives null for %s', (_name, value) => {
    expect(anyValue(value, O)).toBeNull();
  });

  it('reads a stringValue that is not a string as text, still within the length limit', () => {
    expect(anyValue({ stringValue: 42 as unknown as string }, O)).toBe('42');
    expect(anyValue({ stringValue: ['x'.repeat(50)] as unknown as string }, opts({ maxAttributeLength: 10 }))).toBe('x'.repeat(10) + '…');
  });

  it('keeps at most maxAttributes elements of an array, in order', () => {
    const values = Array.from({ length: 10 }, (_, i) => ({ intValue: i }));
    expect(anyValue({ arrayValue: { values } }, opts({ maxAttributes: 3 }))).toEqual([0, 1, 2]);
  });
});

describe('attributes: maxAttributes', () => {
  const five = ['a', 'b', 'c', 'd', 'e'].map((k, i) => kv(k, { intValue: i }));

  it('keeps the first N in the order sent', () => {
    const out = attributes(five, opts({ maxAttributes: 3 }));
    expect(Object.keys(out)).toEqual(['a', 'b', 'c']);
    expect(out).toEqual({ a: 0, b: 1, c: 2 });
  });

  it('keeps everything when there are at most N', () => {
    expect(Object.keys(attributes(five, opts({ maxAttributes: 5 })))).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it("always keeps a resource's service.name, even past the limit", () => {
    const kvs = [...five, kv('service.name', str('checkout'))];
    expect(attributes(kvs, opts({ maxAttributes: 2 }), 0, true)).toEqual({ a: 0, b: 1, 'service.name': 'checkout' });
  });

  it('does not keep service.name past the limit on other attribute lists', () => {
    const kvs = [...five, kv('service.name', str('checkout'))];
    expect(attributes(kvs, opts({ maxAttributes: 2 }))).toEqual({ a: 0, b: 1 });
  });

  it('applies the limit to every kvlist level', () => {
    const out = attributes([kv('m', kvlist(...five))], opts({ maxAttributes: 2 }));
    expect(out).toEqual({ m: { a: 0, b: 1 } });
  });

  it('keeps the service of spans whose resource has more attributes than the limit', () => {
    const resource = { attributes: [...five, kv('service.name', str('late'))] };
    const span = { traceId: 'aa', spanId: 'bb', attributes: five };
    const { items } = normaliseTraces({ resourceSpans: [{ resource, scopeSpans: [{ spans: [span] }] }] }, opts({ maxAttributes: 1 }));
    expect(items[0].service).toBe('late');
    expect(items[0].resource).toEqual({ a: 0, 'service.name': 'late' });
    expect(items[0].attributes).toEqual({ a: 0 });
  });

  it('skips entries that are not objects, reads a missing or non-string key as ""', () => {
    const kvs = [null, 7, 'x', { value: str('no key') }, { key: 5, value: str('number key') }, kv('ok', str('y'))] as unknown as OtlpKeyValue[];
    expect(attributes(kvs, O)).toEqual({ '': 'number key', ok: 'y' });
  });

  it('gives {} for a list that is not an array', () => {
    expect(attributes('nope' as unknown as OtlpKeyValue[], O)).toEqual({});
    expect(attributes(undefined, O)).toEqual({});
  });
});

describe('attributes: maxAttributeLength', () => {
  const o = opts({ maxAttributeLength: 5 });

  it.each([
    ['a top-level string', [kv('s', str('abcdefgh'))], { s: 'abcde…' }],
    ['a string of exactly the limit (not cut)', [kv('s', str('abcde'))], { s: 'abcde' }],
    ['a string in an array', [kv('a', array(str('abcdefgh'), str('ab')))], { a: ['abcde…', 'ab'] }],
    ['a string in a nested kvlist', [kv('m', kvlist(kv('n', kvlist(kv('s', str('0123456789'))))))], { m: { n: { s: '01234…' } } }],
    ['a string in an array in a kvlist', [kv('m', kvlist(kv('a', array(array(str('xxxxxxx'))))))], { m: { a: [['xxxxx…']] } }],
  ])('cuts %s with …', (_name, kvs, expected) => {
    expect(attributes(kvs, o)).toEqual(expected);
  });

  it('counts JavaScript string length', () => {
    expect(attributes([kv('s', str('ééééééé'))], o)).toEqual({ s: 'ééééé…' });
  });

  it('leaves bytes, numbers and keys alone', () => {
    const out = attributes([kv('a-very-long-key', { bytesValue: 'AAAAAAAAAAAA' }), kv('n', { intValue: '1234567890' })], o);
    expect(out).toEqual({ 'a-very-long-key': 'AAAAAAAAAAAA', n: 1234567890 });
  });

  it('cuts string log bodies and the strings inside structured bodies', () => {
    const logs = normaliseLogs({
      resourceLogs: [{ scopeLogs: [{ logRecords: [
        { body: str('a long log message'), attributes: [kv('k', str('a long value'))] },
        { body: kvlist(kv('msg', str('structured and long')), kv('list', array(str('abcdefg')))) },
        { body: array(str('1234567')) },
      ] }] }],
    }, o);
    expect(logs.items.map((l) => l.body)).toEqual(['a lon…', { msg: 'struc…', list: ['abcde…'] }, ['12345…']]);
    expect(logs.items[0].attributes).toEqual({ k: 'a lon…' });
  });

  it('cuts span, event and status text', () => {
    const span = {
      traceId: 'aa', spanId: 'bb', name: 'GET /a/very/long/path', status: { code: 2, message: 'a long error' },
      events: [{ name: 'exception thrown', attributes: [kv('m', str('message'))] }],
    };
    const [s] = normaliseTraces({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }, o).items;
    expect(s.name).toBe('GET /…');
    expect(s.status.message).toBe('a lon…');
    expect(s.events[0]).toMatchObject({ name: 'excep…', attributes: { m: 'messa…' } });
  });
});

describe('attributes: maxDepth', () => {
  const deep = kv('l1', kvlist(kv('l2', kvlist(kv('l3', kvlist(kv('leaf', str('x'))))))));

  it.each([
    [1, { l1: { l2: null } }],
    [2, { l1: { l2: { l3: null } } }],
    [3, { l1: { l2: { l3: { leaf: 'x' } } } }],
  ])('with maxDepth %i keeps that many nested levels', (maxDepth, expected) => {
    expect(attributes([deep], opts({ maxDepth }))).toEqual(expected);
  });

  it('counts arrays as levels too', () => {
    const nested = kv('a', array(array(array(str('x')))));
    expect(attributes([nested], opts({ maxDepth: 2 }))).toEqual({ a: [[null]] });
    expect(attributes([nested], opts({ maxDepth: 3 }))).toEqual({ a: [[['x']]] });
  });

  it('survives nesting far deeper than the limit', () => {
    let v: OtlpAnyValue = str('bottom');
    for (let i = 0; i < 10_000; i++) v = array(v);
    const out = attributes([kv('deep', v)], O);
    let level: AttrValue = out.deep;
    let depth = 0;
    while (Array.isArray(level)) { level = level[0]; depth++; }
    expect(depth).toBe(O.maxDepth);
    expect(level).toBeNull();
  });
});

describe('attributes: "__proto__" and friends are plain keys', () => {
  const evil = [
    kv('__proto__', kvlist(kv('polluted', { boolValue: true }))),
    kv('constructor', kvlist(kv('prototype', kvlist(kv('polluted', { boolValue: true }))))),
    kv('nested', kvlist(kv('__proto__', str('inner')))),
    kv('toString', str('not a function')),
  ];

  it('keeps them as own, enumerable keys with their values', () => {
    const out = attributes(evil, O);
    expect(Object.keys(out)).toEqual(['__proto__', 'constructor', 'nested', 'toString']);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({ polluted: true });
    expect(Object.getOwnPropertyDescriptor(out.nested as object, '__proto__')?.value).toBe('inner');
    expect(out.toString).toBe('not a function');
    expect(JSON.stringify(out)).toBe(
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"nested":{"__proto__":"inner"},"toString":"not a function"}');
  });

  it('never changes the prototype of the result or of Object', () => {
    const out = attributes(evil, O);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(out.nested)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('does the same for a parsed OTLP/JSON body and on resources', () => {
    const doc = JSON.parse('{"resourceSpans":[{"resource":{"attributes":[{"key":"__proto__","value":{"stringValue":"r"}}]},' +
      '"scopeSpans":[{"spans":[{"traceId":"aa","spanId":"bb","attributes":[{"key":"__proto__","value":{"kvlistValue":{"values":[{"key":"polluted","value":{"boolValue":true}}]}}}]}]}]}]}');
    const [s] = normaliseTraces(doc, O).items;
    expect(Object.getOwnPropertyDescriptor(s.resource, '__proto__')?.value).toBe('r');
    expect(Object.getOwnPropertyDescriptor(s.attributes, '__proto__')?.value).toEqual({ polluted: true });
    expect(Object.getPrototypeOf(s.attributes)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('serviceName', () => {
  it.each([
    [{ 'service.name': 'frontend' }, 'frontend'],
    [{ 'service.name': '' }, 'unknown_service'],
    [{ 'service.name': 7 }, 'unknown_service'],
    [{ 'service.name': null }, 'unknown_service'],
    [{}, 'unknown_service'],
  ])('reads %j as %s', (resource, expected) => {
    expect(serviceName(resource)).toBe(expected);
  });
});
