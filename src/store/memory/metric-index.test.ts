/**
 * seriesKey: a series identity independent of label order, with a fast path for plain strings that
 * must give exactly what the plain definition (sorted keys, JSON values) gives; seriesMapKey: long
 * identities are kept as a digest, not as a second copy of the labels.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Attributes, MetricSample } from '../../model/model.js';
import { MetricIndex, seriesKey, seriesMapKey, seriesStoreKey } from './metric-index.js';

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

describe('long series identities', () => {
  const sample = (labels: Attributes): MetricSample => ({
    name: 'm', type: 'gauge', unit: '', description: '', service: 'svc', labels, point: { timestamp: 1, value: 1 },
  });
  const big = (tag: string): Attributes => Object.fromEntries(Array.from({ length: 128 }, (_, k) => [`k${k}`, `${tag}.${'L'.repeat(4000)}`]));

  it('are stored under a fixed-size digest: a series costs its labels once, not twice', () => {
    const index = new MetricIndex(1000);
    for (let i = 0; i < 10; i++) index.add(sample(big(String(i))));
    const series = [...(index as unknown as { metrics: Map<string, { series: Map<string, unknown> }> }).metrics.get('m')!.series.keys()];
    expect(series).toHaveLength(10);
    for (const k of series) expect(k.length).toBeLessThanOrEqual(64);
    // Ten 512 KB identities: what the entries count stays far below one copy of them.
    expect(index.entryBytes).toBeLessThan(10 * 4096);
  });

  it('keep the identity: the same labels in another order are the same series, other labels another one', () => {
    const index = new MetricIndex(1000);
    const labels = big('a');
    const reversed = Object.fromEntries(Object.entries(labels).reverse());
    const a = index.add(sample(labels))!;
    expect(index.add(sample(reversed))!.series).toBe(a.series);
    expect(index.add(sample(big('b')))!.series).not.toBe(a.series);
    expect(seriesMapKey('short')).toBe('short');
    for (const l of [{}, { a: '1' }, big('c'), { ...big('d'), '\ud83d': '\ude00', e: 'é😀' }]) {
      expect(seriesStoreKey('svc', l)).toBe(seriesMapKey(seriesKey('svc', l)));
    }
    const limit = { k: 'v'.repeat(1024 - 'svc'.length - 5) }; // an identity of exactly 1,024 characters stays plain
    expect(seriesKey('svc', limit)).toHaveLength(1024);
    expect(seriesStoreKey('svc', limit)).toBe(seriesKey('svc', limit));
    expect(seriesStoreKey('svc', { k: limit.k + 'v' })).toBe(seriesMapKey(seriesKey('svc', { k: limit.k + 'v' })));
    expect(seriesMapKey('x'.repeat(1025))).not.toBe(seriesMapKey('x'.repeat(1026)));
    // A service name past the plain length, with and without labels.
    for (const l of [{}, { a: '1' }] as Attributes[]) expect(seriesStoreKey('s'.repeat(2000), l)).toBe(seriesMapKey(seriesKey('s'.repeat(2000), l)));
  });
});
