// Unit tests for ui/lib/format: durations, clock times, values and ids.
import { describe, expect, it } from 'vitest';
import {
  formatAgo, formatClock, formatCount, formatDuration, formatPercent, formatValue, nanosDiffMs, nanosToMs, shortId,
} from './format.js';

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [0.00085, '850ns'],
    [0.0123, '12.3µs'],
    [0.005, '5µs'],
    [4.567, '4.57ms'],
    [45.67, '45.7ms'],
    [456.7, '457ms'],
    [1234, '1.23s'],
    [125_000, '2m 5s'],
    [3_720_000, '1h 2m'],
    [-1, '—'],
    [Number.NaN, '—'],
  ])('formats %s ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('nanosToMs', () => {
  it('keeps sub-millisecond precision of 19-digit nanosecond strings', () => {
    expect(nanosToMs('1700000000123456789')).toBeCloseTo(1700000000123.456789, 3);
  });
  it('subtracts nanosecond strings exactly', () => {
    expect(nanosDiffMs('1700000000123456789', '1700000000123000000')).toBe(0.456789);
    expect(nanosDiffMs('1700000000100000000', '1700000000000000000')).toBe(100);
    expect(nanosDiffMs('x', '1')).toBe(0);
  });
  it('treats junk as 0', () => {
    expect(nanosToMs('abc')).toBe(0);
    expect(nanosToMs(null)).toBe(0);
  });
});

describe('formatClock', () => {
  it('prints local time with milliseconds', () => {
    const d = new Date(2024, 0, 2, 3, 4, 5, 6);
    expect(formatClock(d.getTime())).toBe('03:04:05.006');
    expect(formatClock(d.getTime(), true)).toBe('2024-01-02 03:04:05.006');
  });
  it('returns a dash for junk', () => {
    expect(formatClock(Number.NaN)).toBe('—');
  });
});

describe('formatAgo', () => {
  it.each([
    [500, 'just now'],
    [30_000, '30s ago'],
    [300_000, '5m ago'],
    [7_200_000, '2h ago'],
    [3 * 86_400_000, '3d ago'],
  ])('%s ms before now reads %s', (delta, text) => {
    expect(formatAgo(1_000_000_000_000 - delta, 1_000_000_000_000)).toBe(text);
  });
});

describe('formatValue / formatCount / formatPercent / shortId', () => {
  it.each([
    [42, '42'],
    [1234567, '1,234,567'],
    [3.14159, '3.142'],
    [1e-7, '1.00e-7'],
    ['NaN', 'NaN'],
    ['Infinity', '∞'],
    [null, '—'],
  ] as const)('formatValue(%s) = %s', (v, text) => {
    expect(formatValue(v)).toBe(text);
  });
  it('compacts counts', () => {
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1234)).toBe('1.2k');
    expect(formatCount(56_000)).toBe('56k');
    expect(formatCount(2_500_000)).toBe('2.5M');
  });
  it('computes percentages and guards empty totals', () => {
    expect(formatPercent(1, 3)).toBe('33%');
    expect(formatPercent(1, 200)).toBe('0.5%');
    expect(formatPercent(1, 0)).toBe('0%');
  });
  it('shortens long ids only', () => {
    expect(shortId('0123456789abcdef0123456789abcdef')).toBe('01234567…cdef');
    expect(shortId('0123456789abcdef')).toBe('0123456789abcdef');
  });
});
