/** JSON bodies: 64-bit integers sent as JSON numbers keep every digit; everything else parses as JSON.parse does. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonBody, quoteLongIntegers } from './json.js';

describe('parseJsonBody', () => {
  it.each([
    ['{"t":1700000000001500001}', { t: '1700000000001500001' }],
    ['{"i":9223372036854775807,"n":-9223372036854775808}', { i: '9223372036854775807', n: '-9223372036854775808' }],
    ['{"small":123,"f":1700000000.123,"e":1e300,"d":12345678901234567.5}', { small: 123, f: 1700000000.123, e: 1e300, d: 12345678901234567.5 }],
    ['{"s":"1700000000001500001 in a string \\" 99999999999999999"}', { s: '1700000000001500001 in a string " 99999999999999999' }],
    ['[1234567890123456,[9007199254740993]]', ['1234567890123456', ['9007199254740993']]],
  ])('parses %s', (text, value) => {
    expect(parseJsonBody(text)).toEqual(value);
  });

  it('leaves any JSON without long integers exactly as JSON.parse reads it', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      const text = JSON.stringify(v);
      if (/\d{16}/.test(text)) return;
      expect(parseJsonBody(text)).toEqual(JSON.parse(text));
    }), { numRuns: 500 });
  });

  it('only ever quotes long integer tokens outside strings', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      const text = JSON.stringify(v);
      const quoted = quoteLongIntegers(text);
      const parsed = JSON.parse(quoted);
      const norm = (x: unknown): unknown => typeof x === 'number' && Number.isInteger(x) && Math.abs(x) >= 1e15 ? String(x) : Array.isArray(x) ? x.map(norm) : x && typeof x === 'object' ? Object.fromEntries(Object.entries(x).map(([k, y]) => [k, norm(y)])) : x;
      expect(norm(parsed)).toEqual(norm(JSON.parse(text)));
    }), { numRuns: 500 });
  });

  it('throws invalid for what is not JSON', () => {
    expect(() => parseJsonBody('{"a":12345678901234567')).toThrowError(/invalid JSON/);
  });
});
