import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BYTES, Inspector, MAX_SUMMARY_SERVICES, type RequestFacts } from './inspector.js';
import { MAX_SERVICE_CHARS } from '../model/value-rules.js';

function facts(i: number, over: Partial<RequestFacts> = {}): RequestFacts {
  return {
    timestamp: 1_700_000_000 + i, transport: 'http', port: 4318, path: '/v1/traces', signal: 'traces', encoding: 'protobuf',
    compression: null, bytes: 100, inflatedBytes: 100, peer: `127.0.0.1:${i % 65536}`, userAgent: `OTel-OTLP-Exporter-JavaScript/0.${i}.0`,
    services: [`svc-${i % 3}`], accepted: 10, rejected: 0, status: 200, reason: null, hint: null, durationMs: 1, ...over,
  };
}

describe('Inspector', () => {
  it('keeps the last N records, newest first, and filters them', () => {
    const ins = new Inspector(5);
    for (let i = 0; i < 12; i++) ins.record(facts(i, i % 4 === 0 ? { accepted: 0, status: 400, reason: 'bad' } : {}));
    const all = ins.requests({ limit: 100 });
    expect(all.map((r) => r.id)).toEqual(['12', '11', '10', '9', '8']);
    expect(ins.requests({ result: 'refused' }).map((r) => r.id)).toEqual(['9']);
    expect(ins.requests({ service: 'svc-1' }).map((r) => r.id)).toEqual(['11', '8']);
    expect(ins.requests({ signal: 'logs' })).toEqual([]);
    expect(ins.requests({ limit: 2 })).toHaveLength(2);
    expect(all[0].sdk).toEqual({ name: 'OTel-OTLP-Exporter-JavaScript', language: 'javascript', version: '0.11.0' });
  });

  it('derives result ok | partial | refused', () => {
    const ins = new Inspector(10);
    expect(ins.record(facts(1)).result).toBe('ok');
    expect(ins.record(facts(2, { rejected: 2 })).result).toBe('partial');
    expect(ins.record(facts(3, { accepted: 0, rejected: 5 })).result).toBe('refused');
    expect(ins.record(facts(4, { accepted: 0, status: 401 })).result).toBe('refused');
    expect(ins.record(facts(5, { accepted: 0, status: 'UNAUTHENTICATED', transport: 'grpc' })).result).toBe('refused');
    expect(ins.record(facts(6, { accepted: 0, status: 'OK', transport: 'grpc' })).result).toBe('ok');
  });

  it('sums per service and signal, and the drop totals', () => {
    const ins = new Inspector(10);
    ins.record(facts(1, { services: ['a'], accepted: 3 }));
    ins.record(facts(2, { services: ['a'], signal: 'logs', accepted: 4, rejected: 1 }));
    ins.record(facts(3, { services: [], accepted: 0, status: 404, signal: null }));
    const s = ins.summary({ evicted: 7, expired: 8 });
    expect(s.services).toEqual([{ name: 'a', sdks: ['OTel-OTLP-Exporter-JavaScript/0.1.0', 'OTel-OTLP-Exporter-JavaScript/0.2.0'], signals: {
      traces: { lastSeen: 1_700_000_001, requests: 1, accepted: 3, rejected: 0 },
      logs: { lastSeen: 1_700_000_002, requests: 1, accepted: 4, rejected: 1 },
    } }]);
    expect(s.dropped).toEqual({ evicted: 7, expired: 8, rejected: 1, refusedRequests: 1 });
  });

  it('keeps two long service names that share their first 256 characters apart, each counted once', () => {
    const ins = new Inspector(10);
    const a = 's'.repeat(300) + 'a';
    const b = 's'.repeat(300) + 'b';
    ins.record(facts(1, { services: [a, b], accepted: 4 }));
    const names = ins.summary({ evicted: 0, expired: 0 }).services.map((x) => x.name);
    expect(names).toHaveLength(2);
    expect(new Set(names).size).toBe(2);
    for (const svc of ins.summary({ evicted: 0, expired: 0 }).services) expect(svc.signals.traces?.requests).toBe(1);
    expect(ins.requests({ service: a })).toHaveLength(1);
  });

  it('stays bounded under load: 100k records, memory flat', () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const ins = new Inspector(1000);
    const heapAfter = (n: number, from: number) => {
      for (let i = from; i < n; i++) ins.record(facts(i, { services: [`svc-${i}`], reason: `reason ${i}`, userAgent: `ua/${i}` }));
      gc();
      return process.memoryUsage().heapUsed;
    };
    const at10k = heapAfter(10_000, 0);
    const at100k = heapAfter(100_000, 10_000);
    expect(ins.size).toBe(1000);
    expect(ins.requests({ limit: 1_000_000 })).toHaveLength(1000);
    // The summary is bounded too: every record named a new service.
    expect(ins.summary().services.length).toBe(MAX_SUMMARY_SERVICES);
    // 90k more records in a ring of 1000: the heap must not grow with them (1000 records ≈ 1 MB).
    expect(at100k - at10k).toBeLessThan(8 * 1024 * 1024);
  });

  it('keeps no long header, message or service name alive, and stays under its byte budget', () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const ins = new Inspector(1000);
    gc();
    const before = process.memoryUsage().heapUsed;
    // Each record offers 64 KiB of User-Agent and reason and 32 service names of 2 KiB, all distinct:
    // a record that kept slices of them kept them all (128 KiB a record, 128 MiB for the ring).
    for (let i = 0; i < 1000; i++) {
      const long = (c: string) => `${i}.`.padEnd(32 * 1024, c);
      ins.record(facts(i, {
        userAgent: `OTel-OTLP-Exporter-JavaScript/0.${i}.0 ${long('u')}`, reason: long('r'), path: `/v1/traces`,
        services: Array.from({ length: 32 }, (_, k) => `${i}.${k}.`.padEnd(2048, String.fromCharCode(97 + (k % 26)))),
      }));
    }
    gc();
    expect(ins.bytes).toBeLessThanOrEqual(DEFAULT_MAX_BYTES);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(DEFAULT_MAX_BYTES + 8 * 1024 * 1024);
    const newest = ins.requests({ limit: 1 })[0];
    expect(newest.userAgent).toHaveLength(1024);
    expect(newest.sdk?.version).toBe('0.999.0');
    expect(newest.services[0].startsWith('999.0.'.padEnd(MAX_SERVICE_CHARS, 'a'))).toBe(true);
    expect(newest.services[0].length).toBeLessThan(MAX_SERVICE_CHARS + 20);
    // A long name is found by the same compaction.
    expect(ins.requests({ service: '999.0.'.padEnd(2048, 'a') }).map((r) => r.id)).toEqual(['1000']);
    // The oldest records went to keep the budget; the newest are all there.
    expect(ins.size).toBeLessThan(1000);
    expect(ins.requests({ limit: 1000 }).map((r) => r.id)).toEqual(Array.from({ length: ins.size }, (_, k) => String(1000 - k)));
  });
});
