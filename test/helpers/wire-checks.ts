/**
 * @module test/helpers/wire-checks: checks every lazily read protobuf decoder must pass: cut bytes
 * are refused as invalid, and whatever mutated bytes it accepts reads back (JSON.stringify) without
 * error; plus reading byte-backed items out as plain ones, to compare them with the generic path's.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { DEFAULT_NORMALISE_OPTIONS, type Normalised, type NormaliseOptions } from '../../src/normalise/options.js';
import { WireBacked } from '../../src/wire/wire-backed.js';

/** What a byte-backed item (WireSpan, WireLog) reads as: its toJSON; anything else as it is. */
export function readAsPlain<T>(x: T): T {
  return x instanceof WireBacked ? (x as unknown as { toJSON(): T }).toJSON() : x;
}

/** A normalised batch with its byte-backed items read out (readAsPlain). */
export function readOut<T>(n: Normalised<T>): Normalised<T> {
  return { ...n, items: n.items.map(readAsPlain) };
}

/** The default limits (with `over`), log ids counted from 1 so that two decodes of one request agree. */
export function countingIdOptions(over: Partial<NormaliseOptions> = {}): NormaliseOptions {
  let n = 0;
  return { ...DEFAULT_NORMALISE_OPTIONS, nextLogId: () => String(++n), ...over };
}

/** Every proper prefix of `buf` is refused with a decode error. */
export function expectEveryCutRefused(buf: Buffer, decode: (bytes: Buffer) => unknown): void {
  for (let cutAt = 1; cutAt < buf.length; cutAt++) {
    expect(() => decode(buf.subarray(0, cutAt))).toThrowError(/decode/);
  }
}

/** With up to 4 bytes of `base` overwritten (and default or tight limits), an accepted request's items all read out. */
export function expectAcceptedReadsBack(base: Buffer, decode: (bytes: Buffer, tight: boolean) => { items: unknown[] }): void {
  const flips = fc.array(fc.tuple(fc.nat({ max: base.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 });
  fc.assert(fc.property(flips, fc.boolean(), (changes, tight) => {
    const buf = Buffer.from(base);
    for (const [at, byte] of changes) buf[at] = byte;
    let items: unknown[];
    try {
      items = decode(buf, tight).items;
    } catch {
      return; // refused at ingest: fine
    }
    for (const item of items) expect(() => JSON.stringify(item)).not.toThrow();
  }), { numRuns: 3000 });
}
