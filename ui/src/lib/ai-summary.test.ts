import { describe, expect, it } from 'vitest';
import type { Span } from '../api-types.js';
import { aiText } from './ai-summary.js';

function span(id: string, parent: string | null, name: string, startMs: number, durMs: number, extra: Partial<Span> = {}): Span {
  const ns = (ms: number) => String(BigInt(1_700_000_000_000) * 1_000_000n + BigInt(Math.round(ms * 1e6)));
  return {
    traceId: 't'.repeat(32), spanId: id, parentSpanId: parent, name, kind: 'INTERNAL',
    startTimeUnixNano: ns(startMs), endTimeUnixNano: ns(startMs + durMs), durationMs: durMs,
    status: { code: 'UNSET', message: '' }, service: 'svc', attributes: {}, resource: {}, scope: { name: '', version: '' },
    events: [], links: [], ...extra,
  } as Span;
}

describe('aiText', () => {
  const spans = [
    span('a', null, 'GET /orders', 0, 100, { kind: 'SERVER', attributes: { 'http.route': '/orders', 'http.response.status_code': 500 }, status: { code: 'ERROR', message: 'boom' } }),
    span('b', 'a', 'SELECT orders', 10, 80, { attributes: { 'db.query.text': 'SELECT * FROM orders' } }),
    span('c', 'a', 'cache get', 1, 2),
  ];

  it('lists the tree with durations, errors, key attributes and the critical path, then the OTLP JSON', () => {
    const { text, cut } = aiText('t'.repeat(32), spans, '{"resourceSpans":[]}');
    expect(text).toContain('3 span(s), 100ms, 1 error(s)');
    expect(text).toMatch(/\*! svc: GET \/orders \[SERVER\] \+0ms 100ms error="boom" http.route=\/orders http.response.status_code=500/);
    expect(text).toMatch(/\*\s+ {2}svc: SELECT orders .* db.query.text=SELECT \* FROM orders/);
    expect(text).toContain('Critical path (3 span(s)): GET /orders 100ms → cache get 2ms → SELECT orders 80ms');
    expect(text).toContain('OTLP JSON (ExportTraceServiceRequest):\n{"resourceSpans":[]}');
    expect(cut).toEqual([]);
  });

  it('stays within the size and says what it cut', () => {
    const many = Array.from({ length: 500 }, (_, i) => span(`s${i}`, i === 0 ? null : 's0', `op ${i}`, i, 1));
    const { text, cut } = aiText('t'.repeat(32), many, 'x'.repeat(100_000), 20_000);
    expect(text.length).toBeLessThanOrEqual(20_000);
    expect(cut.join('; ')).toMatch(/300 of 500 spans not listed/);
    expect(cut.join('; ')).toMatch(/OTLP JSON \(98 KB\) left out/);
    expect(text).toContain('[Cut to paste:');
  });
});
