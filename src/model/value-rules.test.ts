/**
 * The value rules every path applies (model/value-rules.ts): JSON's spelling of doubles, cuts at the
 * §6 length limit (counted), heads without a marker, severity text by band, exact durations.
 */
import { describe, expect, it } from 'vitest';
import { LIMIT_HITS } from './limit-hits.js';
import { cut, durationBetweenMs, head, jsonNumber, own, severityTextOf } from './value-rules.js';

describe('jsonNumber and cut', () => {
  it.each([
    [1.5, 1.5], [0, 0], [-2, -2], [NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity'],
  ])('spells %s as %j', (n, expected) => {
    expect(jsonNumber(n)).toBe(expected);
  });

  it.each([
    ['abc', 3, 'abc', 0],
    ['abcd', 3, 'abc…', 1],
    ['', 1, '', 0],
    ['ab', 1, 'a…', 1],
  ])('cuts %j at %i to %j, counting %i cut', (s, max, expected, counted) => {
    const before = LIMIT_HITS.values;
    expect(cut(s, max)).toBe(expected);
    expect(LIMIT_HITS.values - before).toBe(counted);
  });

  it.each([
    ['abc', 3, 'abc'],
    ['abcd', 3, 'abc'],
    ['', 1, ''],
  ])('heads %j at %i to %j, without a marker', (s, max, expected) => {
    expect(head(s, max)).toBe(expected);
  });
});

describe('severityTextOf', () => {
  it.each([
    [0, ''], [1, 'TRACE'], [4, 'TRACE'], [5, 'DEBUG'], [9, 'INFO'], [13, 'WARN'], [17, 'ERROR'], [21, 'FATAL'], [24, 'FATAL'], [25, ''], [-1, ''],
  ])('names severity number %i %j', (n, text) => {
    expect(severityTextOf(n)).toBe(text);
  });
});

describe('durationBetweenMs', () => {
  it.each([
    ['1700000000000000000', '1700000000100000000', 100],
    ['1700000000010000000', '1700000000080123456', 70.123456],
    ['1700000000000000000', '1700000000000000001', 0.000001],
    ['1700000000999999999', '1700000001000000000', 0.000001],
    ['1700000000000000000', '1700000000000000000', 0],
    ['1700000000100000000', '1700000000000000000', 0],
    ['1700000000000000000', '0', 0],
    ['0', '1500000', 1.5],
    ['999', '1000', 0.000001],
    ['0', '18446744073709551615', 18446744073709.551615],
    ['18446744073709551614', '18446744073709551615', 0.000001],
    ['1700000000000000000', '1700000000070123456', 70.123456],
    ['1700000000000000005', '1700000000000000001', 0],
    ['0', '1700000000000000000', 1700000000000],
  ])('from %s to %s is %s ms', (start, end, expected) => {
    expect(durationBetweenMs(start, end)).toBe(expected);
  });
});

describe('own', () => {
  it('gives the first max characters', () => {
    expect(own('short', 3)).toBe('sho');
    expect(own('short', 9)).toBe('short');
    expect(own('abcdefghijklmnopqrstuvwxyz', 5)).toBe('abcde');
    expect(own('abcdefghijklmnopqrstuvwxyz', 100)).toBe('abcdefghijklmnopqrstuvwxyz');
    expect(own('é😀'.repeat(10), 6)).toBe('é😀é😀');
  });
});
