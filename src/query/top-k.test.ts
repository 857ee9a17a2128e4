/** Tests for query/top-k: it must agree with a full sort on any input. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TopK } from './top-k.js';

describe('TopK', () => {
  it('keeps the same items as sorting everything and slicing', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: -50, max: 50 })), fc.integer({ min: 0, max: 20 }), (xs, limit) => {
      const top = new TopK<number>(limit, (a, b) => b - a);
      for (const x of xs) top.offer(x);
      expect(top.result()).toEqual([...xs].sort((a, b) => b - a).slice(0, limit));
    }));
  });

  it('keeps the earliest offered item among ties', () => {
    const top = new TopK<{ k: number; id: string }>(2, (a, b) => a.k - b.k);
    for (const item of [{ k: 1, id: 'a' }, { k: 1, id: 'b' }, { k: 1, id: 'c' }, { k: 0, id: 'd' }]) top.offer(item);
    expect(top.result().map((x) => x.id)).toEqual(['d', 'a']);
  });
});
