/**
 * wait/match: each criterion of a wait filter, held or missed, and the words a miss is explained in.
 */
import { describe, expect, it } from 'vitest';
import type { LogRecord, Span } from '../model/model.js';
import { explain, matchLog, matchTrace, type LogWaitFilter, type TraceWaitFilter } from './match.js';

const span = (o: Partial<Span> = {}): Span => ({
  traceId: 't', spanId: 's', parentSpanId: null, name: 'POST /checkout', kind: 'SERVER',
  startTimeUnixNano: '1', endTimeUnixNano: '2', durationMs: 120, status: { code: 'ERROR', message: 'x' },
  service: 'checkout', attributes: { 'http.route': '/checkout', a: 1 }, resource: { 'service.name': 'checkout' },
  scope: { name: '', version: '' }, events: [], links: [], ...o,
});

const log = (o: Partial<LogRecord> = {}): LogRecord => ({
  id: 'l1', timeUnixNano: '1', timestamp: 1, severityText: 'INFO', severityNumber: 9, body: 'card declined',
  traceId: null, spanId: null, service: 'checkout', attributes: { k: 'v' }, resource: {}, scope: { name: '', version: '' }, ...o,
});

const base: TraceWaitFilter = { attrs: [] };

describe('matchTrace', () => {
  it.each<[string, TraceWaitFilter, string]>([
    ['a wrong status', { ...base, service: 'checkout', status: 'ok' }, 'service checkout, but status ERROR, wanted OK'],
    ['a missing service', { ...base, service: 'cart' }, 'no span of service cart (services: checkout)'],
    ['a name not found', { ...base, name: 'pay' }, 'no span name contains "pay" (names: "POST /checkout")'],
    ['attributes partly met', { ...base, name: 'checkout', attrs: [{ key: 'http.route', value: '/checkout' }, { key: 'a', value: '1' }, { key: 'service.name', value: 'checkout' }, { key: 'b', value: '2' }] },
      'name matched, but 3 of 4 attributes (no b)'],
    ['too short', { ...base, minDurationMs: 200 }, 'took 120 ms, wanted ≥ 200 ms'],
    ['too long', { ...base, maxDurationMs: 100 }, 'took 120 ms, wanted ≤ 100 ms'],
  ])('explains %s', (_, f, why) => {
    const v = matchTrace([span()], 120, f);
    expect(v.matched).toBe(false);
    expect(explain(v)).toBe(why);
    // The cheap check (no words) gives the same verdict and score.
    const cheap = matchTrace([span()], 120, f, false);
    expect([cheap.matched, cheap.score]).toEqual([v.matched, v.score]);
  });

  it('matches when every criterion holds', () => {
    const v = matchTrace([span()], 120, { service: 'checkout', name: 'CHECKOUT', status: 'error', attrs: [{ key: 'a', value: '1' }], minDurationMs: 100 });
    expect(v.matched).toBe(true);
    expect(explain(v)).toBe('matches (service checkout, name matched, status ERROR, a=1, took 120 ms)');
  });
});

describe('matchLog', () => {
  it.each<[string, LogWaitFilter, string]>([
    ['a low severity', { attrs: [], service: 'checkout', minSeverity: 17 }, 'service checkout, but severity INFO, wanted ≥ ERROR'],
    ['another service', { attrs: [], service: 'cart' }, 'service checkout, wanted cart'],
    ['a body without the text', { attrs: [], q: 'timeout' }, 'body "card declined" does not contain "timeout"'],
    ['an attribute with another value', { attrs: [{ key: 'k', value: 'w' }] }, 'k is "v", wanted "w"'],
  ])('explains %s', (_, f, why) => {
    const v = matchLog(log(), f);
    expect(v.matched).toBe(false);
    expect(explain(v)).toBe(why);
  });

  it('searches a structured body as JSON text, case-insensitively', () => {
    expect(matchLog(log({ body: { error: 'Card Declined' } }), { attrs: [], q: 'card declined' }).matched).toBe(true);
  });
});
