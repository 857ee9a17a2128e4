/**
 * Readers for the fields whose form differs by encoding: 64-bit integers (strings, JSON numbers and
 * protobuf Longs) at the 2^53, 2^63 and 2^64 edges, ids, bytes, enums, doubles and time conversions.
 */
import Long from 'long';
import { describe, expect, it } from 'vitest';
import { decodeTracesProtobuf, encodeRequestProtobuf } from '../../test/helpers/otlp-protobuf.js';
import {
  bytesBase64, countNumber, doubleValue, enumNumber, idHex, int64Value, nanosToSeconds, secondsToNanos, u64String, type OtlpInt64,
} from './values.js';

const signed = (s: string) => Long.fromString(s, false);
const unsigned = (s: string) => Long.fromString(s, true);

/** Round-trips an int64 attribute and a fixed64 timestamp through our protobuf codec. */
function protobufInts(intValue: string, time: string): { intValue: OtlpInt64; time: OtlpInt64 } {
  const bytes = encodeRequestProtobuf('traces', { resourceSpans: [{ scopeSpans: [{ spans: [{
    startTimeUnixNano: time, attributes: [{ key: 'i', value: { intValue } }],
  }] }] }] });
  const span = decodeTracesProtobuf(bytes).resourceSpans![0].scopeSpans![0].spans![0];
  return { intValue: span.attributes![0].value!.intValue!, time: span.startTimeUnixNano! };
}

describe('u64String (timestamps, counts)', () => {
  it.each([
    ['absent', undefined, '0'],
    ['null', null, '0'],
    ['"0"', '0', '0'],
    ['2^53 - 1', '9007199254740991', '9007199254740991'],
    ['2^53', '9007199254740992', '9007199254740992'],
    ['2^53 + 1', '9007199254740993', '9007199254740993'],
    ['2^63', '9223372036854775808', '9223372036854775808'],
    ['2^64 - 1', '18446744073709551615', '18446744073709551615'],
    ['a nanosecond timestamp', '1700000000123456789', '1700000000123456789'],
    ['leading zeros', '0001700000000', '1700000000'],
    ['a negative string', '-1', '0'],
    ['a decimal string', '1.5', '0'],
    ['text', 'soon', '0'],
    ['an empty string', '', '0'],
    ['more than 20 digits', '123456789012345678901', '0'],
  ] as [string, OtlpInt64 | undefined | null, string][])('reads the string %s', (_name, v, expected) => {
    expect(u64String(v)).toBe(expected);
  });

  it.each([
    [0, '0'],
    [1.9, '1'],
    [2 ** 53 - 1, '9007199254740991'],
    [2 ** 53, '9007199254740992'],
    [1700000000000000000, '1700000000000000000'],
    [1700000000250000128, '1700000000250000128'],
    [2 ** 63, '9223372036854775808'],
    [-5, '0'],
    [NaN, '0'],
    [Infinity, '0'],
  ])('reads the JSON number %d with the precision it has', (v, expected) => {
    expect(u64String(v)).toBe(expected);
  });

  it.each([
    ['0', unsigned('0'), '0'],
    ['2^53 - 1', unsigned('9007199254740991'), '9007199254740991'],
    ['2^53 + 1', unsigned('9007199254740993'), '9007199254740993'],
    ['2^63', unsigned('9223372036854775808'), '9223372036854775808'],
    ['2^64 - 1', unsigned('18446744073709551615'), '18446744073709551615'],
    ['a signed -1 (all bits set) as 2^64 - 1', signed('-1'), '18446744073709551615'],
  ])('reads the protobuf Long %s exactly', (_name, v, expected) => {
    expect(u64String(v)).toBe(expected);
  });

  it.each(['1700000000123456789', '9007199254740993', '18446744073709551615'])('round-trips %s through fixed64 protobuf', (time) => {
    expect(u64String(protobufInts('0', time).time)).toBe(time);
  });
});

describe('int64Value (AnyValue ints)', () => {
  it.each([
    ['0', 0],
    ['42', 42],
    ['-17', -17],
    ['007', 7],
    ['-007', -7],
    ['9007199254740991', 9007199254740991],
    ['-9007199254740991', -9007199254740991],
    ['9007199254740992', '9007199254740992'],
    ['9007199254740993', '9007199254740993'],
    ['-9007199254740993', '-9007199254740993'],
    ['9223372036854775807', '9223372036854775807'],
    ['-9223372036854775808', '-9223372036854775808'],
    ['+5', 0],
    ['1.5', 0],
    ['', 0],
    ['abc', 0],
  ])('reads the string %j as %j', (v, expected) => {
    expect(int64Value(v)).toStrictEqual(expected);
  });

  it.each([
    [42, 42],
    [-17, -17],
    [1.9, 1],
    [-1.9, -1],
    [2 ** 53 - 1, 9007199254740991],
    [-(2 ** 53 - 1), -9007199254740991],
    [2 ** 53, '9007199254740992'],
    [-(2 ** 53), '-9007199254740992'],
    [2 ** 63, '9223372036854775808'],
    [NaN, 0],
    [Infinity, 0],
  ])('reads the JSON number %d as %j (a string beyond ±2^53, as protobuf gives)', (v, expected) => {
    expect(int64Value(v)).toStrictEqual(expected);
  });

  it.each([
    ['0', signed('0'), 0],
    ['-1', signed('-1'), -1],
    ['-5 (Long.fromNumber)', Long.fromNumber(-5), -5],
    ['2^53 - 1', signed('9007199254740991'), 9007199254740991],
    ['-(2^53 - 1)', signed('-9007199254740991'), -9007199254740991],
    ['2^53 + 1', signed('9007199254740993'), '9007199254740993'],
    ['-(2^53 + 1)', signed('-9007199254740993'), '-9007199254740993'],
    ['2^63 - 1', signed('9223372036854775807'), '9223372036854775807'],
    ['-2^63', signed('-9223372036854775808'), '-9223372036854775808'],
    ['unsigned 2^63', unsigned('9223372036854775808'), '9223372036854775808'],
    ['unsigned 2^64 - 1', unsigned('18446744073709551615'), '18446744073709551615'],
  ])('reads the protobuf Long %s as %j', (_name, v, expected) => {
    expect(int64Value(v)).toStrictEqual(expected);
  });

  it('reads a signed Long as unsigned when asked (uint64 fields)', () => {
    expect(int64Value(signed('-1'), false)).toBe('18446744073709551615');
    expect(countNumber(signed('-1'))).toBe(18446744073709551615);
  });

  it.each([
    ['-1', -1],
    ['-5', -5],
    ['-9007199254740993', '-9007199254740993'],
    ['-9223372036854775808', '-9223372036854775808'],
    ['9223372036854775807', '9223372036854775807'],
  ])('round-trips %s through int64 protobuf', (v, expected) => {
    expect(int64Value(protobufInts(v, '0').intValue)).toStrictEqual(expected);
  });

  it('gives 0 for absent and unreadable values', () => {
    expect(int64Value(undefined)).toBe(0);
    expect(int64Value(null)).toBe(0);
    expect(int64Value({} as never)).toBe(0);
    expect(int64Value(true as never)).toBe(0);
  });
});

describe('countNumber', () => {
  it.each([
    ['10', 10], [10, 10], [undefined, 0], ['18446744073709551615', 18446744073709551615], [unsigned('9007199254740993'), 9007199254740992],
  ] as [OtlpInt64 | undefined, number][])('reads %j as the number %d', (v, expected) => {
    expect(countNumber(v)).toBe(expected);
  });
});

describe('idHex and bytesBase64', () => {
  it.each([
    ['lowercase hex', '5b8efff798038103', '5b8efff798038103'],
    ['uppercase hex', 'ABCDEF', 'abcdef'],
    ['a Buffer', Buffer.from([0, 1, 0xab, 0xff]), '0001abff'],
    ['a Uint8Array', new Uint8Array([0, 1, 0xab, 0xff]), '0001abff'],
    ['a Uint8Array view into a larger buffer', new Uint8Array([9, 9, 0xab, 0xcd, 9]).subarray(2, 4), 'abcd'],
    ['an array of numbers', [0, 255], '00ff'],
    ['empty bytes', new Uint8Array(0), ''],
    ['an empty string', '', ''],
    ['absent', undefined, ''],
    ['null', null, ''],
  ] as [string, Parameters<typeof idHex>[0], string][])('reads an id given as %s', (_name, v, expected) => {
    expect(idHex(v)).toBe(expected);
  });

  it.each([
    ['a base64 string, as sent', 'AAEC/w==', 'AAEC/w=='],
    ['a Buffer', Buffer.from([0, 1, 2, 255]), 'AAEC/w=='],
    ['a Uint8Array view into a larger buffer', new Uint8Array([7, 0, 1, 2, 255, 7]).subarray(1, 5), 'AAEC/w=='],
    ['an array of numbers', [0, 1, 2, 255], 'AAEC/w=='],
    ['empty bytes', new Uint8Array(0), ''],
    ['absent', undefined, ''],
  ] as [string, Parameters<typeof bytesBase64>[0], string][])('reads bytes given as %s', (_name, v, expected) => {
    expect(bytesBase64(v)).toBe(expected);
  });
});

describe('enumNumber and doubleValue', () => {
  const NAMES = { A: 0, B: 1 };
  it.each([
    [1, 1], ['B', 1], ['A', 0], ['1', 1], [undefined, 0], [null, 0], ['C', -1], [1.5, -1], [99, 99], [{}, -1],
  ] as [unknown, number][])('reads the enum %j as %i', (v, expected) => {
    expect(enumNumber(v as number, NAMES)).toBe(expected);
  });

  it.each([
    [1.5, 1.5], ['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity], ['2.5', 2.5], ['x', NaN],
    [undefined, 0], [null, 0], [-0.25, -0.25],
  ] as [number | string | undefined | null, number][])('reads the double %j as %d', (v, expected) => {
    expect(doubleValue(v)).toBe(expected);
  });
});

describe('time conversions', () => {
  it.each([
    ['0', 0],
    ['999', 9.99e-7],
    ['1000000000', 1],
    ['1700000000000000000', 1700000000],
    ['1700000000250000000', 1700000000.25],
    ['1700000000123456789', 1700000000.1234567],
  ])('nanosToSeconds(%s) is %d', (nanos, seconds) => {
    expect(nanosToSeconds(nanos)).toBe(seconds);
  });

  it.each([
    [1700000000, '1700000000000000000'],
    [1700000000.0, '1700000000000000000'],
    [1700000000.5, '1700000000500000000'],
    [1700000000.123, '1700000000123000000'],
    [1700000000.123456, '1700000000123456000'],
    [0.000001, '1000'],
    [1e-9, '1'],
    [1e-7, '100'],
    [0, '0'],
    [-1, '0'],
    [NaN, '0'],
  ])('secondsToNanos(%d) is %s, keeping the decimal precision of the number', (seconds, nanos) => {
    expect(secondsToNanos(seconds)).toBe(nanos);
  });
});
