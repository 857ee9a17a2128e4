/**
 * live/attributes: the catalog's counts and its bounds. The count bounds alone (keys, values,
 * services) let one minute's bucket hold tens of MiB of distinct 200-character values; the byte budget
 * keeps the whole catalog under DEFAULT_MAX_BYTES (issue 11).
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { IngestEvent } from '../ingest/ingester.js';
import type { Attributes, MetricSample } from '../model/model.js';
import { AttributeCatalog, DEFAULT_MAX_BYTES, MAX_ROWS } from './attributes.js';

const MIB = 1024 * 1024;

function sample(service: string, labels: Attributes): MetricSample {
  return { name: 'm', type: 'gauge', unit: '', description: '', service, labels, point: { timestamp: 1, value: 1 } } as MetricSample;
}
const metrics = (items: MetricSample[]): IngestEvent => ({ signal: 'metrics', items, refused: 0, receivedAtMs: 0 });

describe('AttributeCatalog', () => {
  it('counts keys and values, most frequent first', () => {
    const cat = new AttributeCatalog(600, () => 1_000_000);
    cat.observer(metrics([sample('a', { 'http.route': '/x', k: 1 }), sample('a', { 'http.route': '/y' }), sample('b', { 'http.route': '/x' })]));
    expect(cat.keys({ signal: 'metrics' })).toEqual([{ key: 'http.route', count: 3 }, { key: 'k', count: 1 }]);
    expect(cat.values('http.route', { service: 'a' })).toEqual([{ value: '/x', count: 1 }, { value: '/y', count: 1 }]);
  });

  it('stays under its byte budget however many distinct long values arrive, and known keys still count', () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    let nowMs = 0;
    const cat = new AttributeCatalog(600, () => nowMs);
    gc();
    const before = process.memoryUsage().heapUsed;
    // 3 minutes × 40 services × 500 keys × 10 values of 200 characters: ~360 MiB of distinct text
    // offered, about 3 × 40 MiB held by the count bounds alone.
    const pad = 'v'.repeat(190);
    for (let minute = 0; minute < 3; minute++) {
      nowMs = minute * 60_000;
      cat.observer(metrics([sample('svc', { known: 'v' })]));
      cat.drain();
      for (let svc = 0; svc < 40; svc++) {
        for (let v = 0; v < 10; v++) {
          const labels: Attributes = {};
          for (let k = 0; k < 500; k++) labels[`key.${k}.${'k'.repeat(150)}`] = `${pad}${minute}.${svc}.${v}.${k}`;
          cat.observer(metrics([sample(`svc-${svc}`, labels)]));
          cat.drain();
        }
      }
      cat.observer(metrics([sample('svc', { known: 'v' })]));
      cat.drain();
    }
    gc();
    expect(cat.bytes).toBeLessThanOrEqual(DEFAULT_MAX_BYTES);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(DEFAULT_MAX_BYTES + 8 * MIB);
    // Once a bucket is full, what it knew before still counts.
    expect(cat.values('known', { service: 'svc' })).toEqual([{ value: 'v', count: 6 }]);
  });

  it('learns a batch\'s keys and values under a long TTL too, and keeps the whole under its budget', () => {
    let nowMs = 0;
    const day = 86_400;
    const cat = new AttributeCatalog(7 * day, () => nowMs);
    const batch = Array.from({ length: 1000 }, (_, i) => sample('svc', { route: `/r/${i}`, [`k${i % 20}`]: i }));
    cat.observer(metrics(batch));
    cat.drain();
    expect(cat.keys({ signal: 'metrics' })).toHaveLength(21);
    expect(cat.values('route', { service: 'svc' })).toHaveLength(MAX_ROWS);
    // Minute after minute of distinct long values: the oldest buckets go, the total stays bounded.
    const pad = 'x'.repeat(300);
    for (let minute = 1; minute <= 40; minute++) {
      nowMs = minute * 60_000;
      for (let b = 0; b < 20; b++) {
        cat.observer(metrics(Array.from({ length: 200 }, (_, i) => sample('svc', { [`key.${minute}.${b}.${i}`]: `${pad}${minute}.${b}.${i}` }))));
        cat.drain();
      }
      expect(cat.bytes).toBeLessThanOrEqual(DEFAULT_MAX_BYTES);
    }
  });
});
