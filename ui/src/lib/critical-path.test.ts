// Unit tests for ui/lib/critical-path with the timings real SDKs produce: children ending (or
// starting) slightly outside their parent, microsecond middleware next to a millisecond handler.
import { describe, expect, it } from 'vitest';
import type { Span } from '../api-types.js';
import { criticalPath } from './critical-path.js';
import { layoutWaterfall } from './waterfall.js';

const BASE = 1_700_000_000_000_000_000n;
/** A span from `startMs` to `endMs` after BASE (microsecond resolution). */
function span(id: string, parent: string | null, startMs: number, endMs: number): Span {
  const s = BASE + BigInt(Math.round(startMs * 1e6));
  const e = BASE + BigInt(Math.round(endMs * 1e6));
  return {
    traceId: 't', spanId: id, parentSpanId: parent, name: id, kind: 'INTERNAL',
    startTimeUnixNano: String(s), endTimeUnixNano: String(e), durationMs: Math.max(0, endMs - startMs),
    status: { code: 'UNSET', message: '' }, service: 'svc', attributes: {}, resource: {},
    scope: { name: '', version: '' }, events: [], links: [],
  };
}
const path = (spans: Span[]): string[] => {
  const l = layoutWaterfall(spans);
  return [...criticalPath(l.rows)].map((i) => l.rows[i].span.spanId).sort();
};

describe('criticalPath with real clock skew', () => {
  it('goes through a request handler that ends ~1 ms after its parent, not through a 40 µs middleware', () => {
    // Frontend server span → its child ends 0.8 ms after it; inside, the 4.6 ms handler ends
    // after the server span too, next to two tiny middleware spans (Express + Node SDK timings).
    const spans = [
      span('server', null, 0, 6),
      span('router', 'server', 0.9, 6.8),
      span('mw-query', 'router', 1.0, 1.04),
      span('mw-init', 'router', 1.05, 1.09),
      span('handler', 'router', 1.1, 6.6),
      span('pg', 'handler', 1.3, 5.9),
    ];
    expect(path(spans)).toEqual(['handler', 'mw-init', 'mw-query', 'pg', 'router', 'server']);
  });

  it('between children clamped to the same end, takes the one that really ended last (pool connect vs query)', () => {
    // The Node SDK's starts are whole milliseconds: a pool connect and its query both "start" at 2 ms
    // inside a handler that ends at 2.119; both are clamped to that end. The query ended last.
    for (const order of [['connect', 'query'], ['query', 'connect']]) {
      const kids = { connect: span('connect', 'handler', 2, 2.189), query: span('query', 'handler', 2, 2.427) };
      const spans = [span('server', null, 1, 3.5), span('handler', 'server', 1, 2.119), ...order.map((k) => kids[k as 'connect' | 'query'])];
      expect(path(spans)).toEqual(['handler', 'query', 'server']);
    }
  });

  it('keeps a query that seems to start just after its handler ended, when starts are whole milliseconds', () => {
    // Node SDK: the handler "ends" at 1.871, its query "starts" at 2 (truncated to the millisecond) and
    // ends at 2.294; the query moves inside by less than a tick instead of dropping off the path.
    const spans = [span('server', null, 1, 2.9), span('handler', 'server', 1, 1.871), span('connect', 'handler', 1, 1.125), span('query', 'handler', 2, 2.294)];
    expect(path(spans)).toEqual(['connect', 'handler', 'query', 'server']);
    // Starting a whole tick or more after its parent ended, a same-process child stays off the path.
    expect(path([span('server', null, 1, 4), span('handler', 'server', 1, 1.871), span('late', 'handler', 3, 3.5)])).toEqual(['handler', 'server']);
  });

  it('keeps the handler when it ends after the server span at the top level', () => {
    const spans = [span('server', null, 0, 5), span('mw', 'server', 0.1, 0.14), span('handler', 'server', 0.2, 5.9)];
    expect(path(spans)).toContain('handler');
  });

  it('clamps a child that starts before its parent', () => {
    // c starts 0.5 ms before its parent (clock skew between services) and ends inside it.
    const spans = [span('root', null, 0, 10), span('client', 'root', 2, 9), span('server', 'client', 1.5, 8.8), span('early', 'root', 0.1, 1)];
    expect(path(spans)).toEqual(['client', 'early', 'root', 'server']);
  });

  it('leaves off a child that lies wholly outside its parent, and its subtree', () => {
    const spans = [span('root', null, 0, 10), span('a', 'root', 1, 9), span('late', 'root', 10.5, 12), span('late-kid', 'late', 11, 11.5)];
    expect(path(spans)).toEqual(['a', 'root']);
  });

  it('still leaves off a sibling that was running in parallel', () => {
    const spans = [span('root', null, 0, 100), span('a', 'root', 0, 30), span('b', 'root', 35, 60), span('c', 'root', 40, 95)];
    expect(path(spans)).toEqual(['a', 'c', 'root']);
  });

  it('keeps a span that ended within the start clock\'s millisecond after its next sibling started', () => {
    // Whole-millisecond start times (the Node SDK): the error handler "starts" at 27.000 though the
    // router span it follows ended at 27.2; the router span and its query are still the critical path.
    const spans = [
      span('server', null, 9, 30.5),
      span('router', 'server', 10, 27.2),
      span('pg', 'router', 10, 24.7),
      span('error-handler', 'server', 27, 28.4),
    ];
    expect(path(spans)).toEqual(['error-handler', 'pg', 'router', 'server']);
  });

  it('still treats a 0.2 ms overlap as parallel when starts are finer than a millisecond', () => {
    const spans = [span('root', null, 0, 10.0004), span('a', 'root', 1.0001, 6.2), span('b', 'root', 6.0003, 9.5)];
    expect(path(spans)).toEqual(['b', 'root']);
  });

  it('shifts a child of another service that a skewed clock put outside its parent, with its subtree', () => {
    // The backend's clock runs 5 ms ahead: its server span and query start after the client span ended.
    const spans = [
      { ...span('client', null, 0, 10), service: 'front' },
      { ...span('mw', 'client', 0.5, 1), service: 'front' },
      { ...span('server', 'client', 12, 20), service: 'back' },
      { ...span('query', 'server', 13, 19), service: 'back' },
    ];
    expect(path(spans)).toEqual(['client', 'mw', 'query', 'server']);
  });

  it('survives a deep chain whose every child overflows its parent', () => {
    const chain = Array.from({ length: 3000 }, (_, i) => span(`s${i}`, i === 0 ? null : `s${i - 1}`, i * 0.001, 10 + i * 0.001));
    expect(path(chain)).toHaveLength(3000);
  });
});
