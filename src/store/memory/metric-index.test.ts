/**
 * seriesKey: a series identity independent of label order, with a fast path for plain strings that
 * must give exactly what the plain definition (sorted keys, JSON values) gives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Attributes } from '../../model/model.js';
import { seriesKey } from './metric-index.js';

/** The definition: keys sorted, each value as its JSON. */
function reference(service: string, labels: Attributes): string {
  const keys = Object.keys(labels).sort();
  let out = service;
  for (const k of keys) out += '\u0000' + k + '\u0001' + JSON.stringify(labels[k]);
  return out;
}

describe('seriesKey', () => {
  it('equals the definition on random labels (quotes, backslashes, controls, emoji, lone surrogates)', () => {
    const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('a"b', 'a\\b', 'x\ny', '\ud800', '\udfff x', '😀', 'é', ''));
    const value = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(text, { maxLength: 2 }));
    fc.assert(fc.property(text, fc.dictionary(text, value, { maxKeys: 5 }), (service, labels) => {
      expect(seriesKey(service, labels as Attributes)).toBe(reference(service, labels as Attributes));
    }), { numRuns: 2000 });
  });

  it('does not depend on label order', () => {
    expect(seriesKey('s', { b: '1', a: 2 })).toBe(seriesKey('s', { a: 2, b: '1' }));
  });
});
