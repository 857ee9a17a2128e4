/** Trace summaries: exact durations and root selection. */
import { describe, expect, it } from 'vitest';
import type { Span } from '../model/model.js';
import { summariseTrace } from './traces.js';

const span = (over: Partial<Span>): Span => ({
  traceId: 't', spanId: 's', parentSpanId: null, name: 'n', kind: 'SERVER', startTimeUnixNano: '1700000000000000000',
  endTimeUnixNano: '1700000000000000000', durationMs: 0, status: { code: 'UNSET', message: '' }, service: 'a',
  attributes: {}, resource: {}, scope: { name: '', version: '' }, events: [], links: [], ...over,
});

describe('durations', () => {
  it('summarises a trace with an exact duration, the earliest parentless span as root', () => {
    const t = summariseTrace('t', [
      span({ spanId: 'c', parentSpanId: 'r', name: 'child', service: 'b', startTimeUnixNano: '1700000000000000100', endTimeUnixNano: '1700000000070123456', status: { code: 'ERROR', message: '' } }),
      span({ spanId: 'r', name: 'root', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000050000000' }),
    ]);
    expect(t).toEqual({ traceId: 't', rootName: 'root', rootService: 'a', startTimeUnixNano: '1700000000000000000', durationMs: 70.123456, spanCount: 2, errorCount: 1, services: ['a', 'b'], incomplete: false });
  });
});
