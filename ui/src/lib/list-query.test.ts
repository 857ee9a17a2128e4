import { describe, expect, it } from 'vitest';
import { DEFAULT_TRACE_FILTERS, hasTraceFilters, logFiltersOf, logQueryOf, rangeOf, traceFiltersOf, traceQueryOf } from './list-query.js';
import { buildHash, parseRoute } from './route.js';

describe('list filters in the hash route', () => {
  it('round-trips every trace filter through a URL, leaving defaults out', () => {
    const f = { service: 'checkout', name: 'GET /cart', minMs: '5', maxMs: '250.5', errorsOnly: true, attr: 'http.route=/cart', sort: 'duration' as const, order: 'asc' as const };
    const hash = buildHash('traces', undefined, traceQueryOf(f));
    expect(traceFiltersOf(parseRoute(hash).query)).toEqual(f);
    expect(buildHash('traces', undefined, traceQueryOf({ ...DEFAULT_TRACE_FILTERS }))).toBe('#/traces');
    expect(hasTraceFilters(parseRoute('#/traces').query)).toBe(false);
    expect(hasTraceFilters(parseRoute('#/traces?status=error').query)).toBe(true);
  });
  it('falls back to defaults for values it does not know', () => {
    expect(traceFiltersOf({ min_ms: 'x', sort: 'bogus', order: 'up', status: 'ok' })).toEqual(DEFAULT_TRACE_FILTERS);
  });
  it('round-trips log filters and reads a relative range', () => {
    const f = { severity: 'WARN', service: 'api', q: 'timeout & retry', traceId: 'abc' };
    expect(logFiltersOf(parseRoute(buildHash('logs', undefined, logQueryOf(f))).query)).toEqual(f);
    expect(logFiltersOf({ severity: 'loud' }).severity).toBe('');
    expect(rangeOf({ range: '15m' })).toBe('15m');
    expect(rangeOf({ range: '7d' })).toBeUndefined();
  });
});
