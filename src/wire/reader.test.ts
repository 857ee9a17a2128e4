/**
 * @module wire/reader.test: the byte reader's bounded string read (stringAtMost) gives cut() the
 * same answer as the whole string, for every mix of 1- to 4-byte characters and every limit, and
 * moves past the whole field.
 */
import { describe, expect, it } from 'vitest';
import { cut } from '../model/value-rules.js';
import { WireReader } from './reader.js';

/** A length-delimited field body (varint length + UTF-8 bytes) followed by one marker byte. */
function delimited(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  const len: number[] = [];
  let n = bytes.length;
  while (n > 127) { len.push((n & 127) | 128); n >>>= 7; }
  len.push(n);
  return Buffer.concat([Buffer.from(len), bytes, Buffer.from([0x2a])]);
}

const PIECES = ['a', 'é', '€', '😀', 'z', '中'];

/** A deterministic pseudo-random string of `n` pieces. */
function mixed(n: number, seed: number): string {
  let x = seed;
  let s = '';
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    s += PIECES[x % PIECES.length];
  }
  return s;
}

describe('WireReader.stringAtMost', () => {
  it('cut() of it equals cut() of the whole string, and the reader ends past the field', () => {
    for (const max of [1, 2, 3, 7, 64, 255]) {
      for (const n of [0, 1, max - 1, max, max + 1, 2 * max, 3 * max + 5, 10 * max + 3]) {
        for (const seed of [1, 2, 3, 4]) {
          const s = mixed(Math.max(0, n), seed);
          const buf = delimited(s);
          const r = new WireReader(buf, 0, buf.length);
          const got = r.stringAtMost(max);
          expect(cut(got, max)).toBe(cut(s, max));
          expect(r.pos).toBe(buf.length - 1);
          expect(buf[r.pos]).toBe(0x2a);
        }
      }
    }
  });

  it('decodes only a bounded prefix of a long string', () => {
    const s = 'x'.repeat(150_000);
    const buf = delimited(s);
    const got = new WireReader(buf, 0, buf.length).stringAtMost(100);
    expect(got.length).toBeLessThanOrEqual(3 * 100 + 6);
    expect(cut(got, 100)).toBe(cut(s, 100));
  });

  it('gives short strings back whole, as string() does', () => {
    for (const s of ['', 'a', 'héllo', '😀😀']) {
      const buf = delimited(s);
      expect(new WireReader(buf, 0, buf.length).stringAtMost(64)).toBe(s);
    }
  });
});
