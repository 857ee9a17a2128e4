/**
 * The ingest observer seam: observers hear each successful write with its signal and stored items,
 * never a failed one, and an observer that throws neither fails nor changes the export's answer.
 */
import { describe, expect, it } from 'vitest';
import { Ingester, observeStore, type IngestEvent } from './ingester.js';
import { DEFAULT_NORMALISE_OPTIONS } from '../normalise/options.js';
import { fakeStore, UNAVAILABLE } from '../../test/helpers/fake-store.js';
import type { OtlpTracesRequest } from '../normalise/otlp-types.js';
import { decodeDocument } from '../otlp/codecs.js';

const TRACES = {
  resourceSpans: [{
    resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
    scopeSpans: [{ spans: [
      { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'a', startTimeUnixNano: '1', endTimeUnixNano: '2' },
      { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203332', name: 'b', startTimeUnixNano: '1', endTimeUnixNano: '2' },
    ] }],
  }],
} as unknown as OtlpTracesRequest;

const LOGS = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: '1', body: { stringValue: 'hi' } }] }] }] } as never;

const traces = () => decodeDocument('otlp-json', 'traces', TRACES, DEFAULT_NORMALISE_OPTIONS);

function setup() {
  const store = fakeStore();
  return { store, ingester: new Ingester(store, { maxInFlight: 8 }) };
}

describe('Ingester.observe', () => {
  it('tells observers what was stored, per signal, after the write', async () => {
    const { store, ingester } = setup();
    const events: IngestEvent[] = [];
    ingester.observe((e) => {
      events.push(e);
      expect(store.writes).toBeGreaterThan(0);
    });
    await ingester.export(traces());
    await ingester.export(decodeDocument('otlp-json', 'logs', LOGS, DEFAULT_NORMALISE_OPTIONS));
    expect(events.map((e) => [e.signal, e.items.length])).toEqual([['traces', 2], ['logs', 1]]);
    expect(events[0].items.map((s) => (s as { name: string }).name)).toEqual(['a', 'b']);
    expect(events[0].receivedAtMs).toBeGreaterThan(Date.now() - 60_000);
  });

  it('tells nothing about a write that failed', async () => {
    const { store, ingester } = setup();
    let told = 0;
    ingester.observe(() => { told++; });
    store.failWith = UNAVAILABLE();
    await expect(ingester.export(traces())).rejects.toThrow(/unavailable/);
    expect(told).toBe(0);
  });

  it('keeps an export whole when an observer throws, and tells the others', async () => {
    const { ingester } = setup();
    let second = 0;
    ingester.observe(() => { throw new Error('observer bug'); });
    ingester.observe(() => { second++; });
    await expect(ingester.export(traces())).resolves.toEqual({ accepted: 2, rejected: 0, message: undefined });
    expect(second).toBe(1);
    expect(ingester.observerErrors).toBe(1);
  });

  it('stops telling an observer once unsubscribed, and shares observers with observeStore', async () => {
    const { store, ingester } = setup();
    let a = 0;
    let b = 0;
    const off = ingester.observe(() => { a++; });
    observeStore(store, () => { b++; });
    await ingester.export(traces());
    off();
    await ingester.export(traces());
    expect([a, b]).toEqual([1, 2]);
  });
});
