/**
 * Issue 11: a telemetry-sized array (a histogram's buckets, a long list) is never spread into a
 * call: spreading ~120k arguments overflows the stack ("Maximum call stack size exceeded").
 */
import { describe, expect, it } from 'vitest';
import { append } from './dom.js';

describe('append', () => {
  it('appends an array of 500k children without spreading it', () => {
    let n = 0;
    const parent = { appendChild: () => { n++; } } as unknown as Node;
    const children = Array.from({ length: 500_000 }, () => ({}) as Node);
    append(parent, children);
    expect(n).toBe(500_000);
  });
});
