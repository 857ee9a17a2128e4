// windowOf: the time window a deep link carries (the MCP server's links write ?start=&end=).
import { describe, expect, it } from 'vitest';
import { parseRoute, windowOf } from './route.js';

describe('windowOf', () => {
  it('reads start and end in unix seconds from a link', () => {
    expect(windowOf(parseRoute('#/traces/abc?span=1&start=1700000000.5&end=1700000060').query)).toEqual({ start: 1700000000.5, end: 1700000060 });
    expect(windowOf({ start: '12' })).toEqual({ start: 12, end: undefined });
    expect(windowOf({ end: '12' })).toEqual({ start: undefined, end: 12 });
  });
  it('has none without bounds, ignores what is not a plain number, and drops an end before the start', () => {
    expect(windowOf({})).toBeUndefined();
    expect(windowOf({ start: '0x10', end: ' ' })).toBeUndefined();
    expect(windowOf({ start: '-5' })).toBeUndefined();
    expect(windowOf({ start: '20', end: '10' })).toEqual({ start: 20, end: undefined });
  });
});
