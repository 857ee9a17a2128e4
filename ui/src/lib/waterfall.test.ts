// Unit tests for ui/lib/waterfall and ui/lib/critical-path: tree order, bar geometry, collapse, critical path.
import { describe, expect, it } from 'vitest';
import type { Span } from '../api-types.js';
import { criticalPath } from './critical-path.js';
import { layoutWaterfall, rulerTicks, visibleRows } from './waterfall.js';

const BASE = 1_700_000_000_000_000_000n;
/** A span starting `startMs` after BASE and lasting `durMs`. */
function span(id: string, parent: string | null, startMs: number, durMs: number, extra: Partial<Span> = {}): Span {
  const s = BASE + BigInt(Math.round(startMs * 1e6));
  const e = s + BigInt(Math.round(durMs * 1e6));
  return {
    traceId: 't', spanId: id, parentSpanId: parent, name: id, kind: 'INTERNAL',
    startTimeUnixNano: String(s), endTimeUnixNano: String(e), durationMs: durMs,
    status: { code: 'UNSET', message: '' }, service: 'svc', attributes: {}, resource: {},
    scope: { name: '', version: '' }, events: [], links: [], ...extra,
  };
}

describe('layoutWaterfall', () => {
  // root 0..100; a 10..40 (children a2 at 30, a1 at 15); b 50..100; c (orphan) 60..70
  const spans = [
    span('root', null, 0, 100), span('b', 'root', 50, 50), span('a', 'root', 10, 30),
    span('a2', 'a', 30, 5), span('a1', 'a', 15, 10, { events: [{ name: 'e', timeUnixNano: String(BASE + 20_000_000n), attributes: {} }] }),
    span('c', 'missing-parent', 60, 10),
  ];
  const layout = layoutWaterfall(spans);

  it('orders rows depth first with siblings by start time, orphans as extra roots', () => {
    expect(layout.rows.map((r) => r.span.spanId)).toEqual(['root', 'a', 'a1', 'a2', 'b', 'c']);
    expect(layout.rows.map((r) => r.depth)).toEqual([0, 1, 2, 2, 1, 0]);
  });

  it('has exactly one row per span', () => {
    expect(layout.rows).toHaveLength(spans.length);
  });

  it('computes offsets and widths in percent of the trace duration', () => {
    expect(layout.traceDurationMs).toBe(100);
    const geo = Object.fromEntries(layout.rows.map((r) => [r.span.spanId, [r.offsetPct, r.widthPct]]));
    expect(geo).toEqual({ root: [0, 100], a: [10, 30], a1: [15, 10], a2: [30, 5], b: [50, 50], c: [60, 10] });
  });

  it('places event markers on the trace time axis', () => {
    expect(layout.rows[2].eventPcts).toEqual([20]);
  });

  it('counts children and descendants and collapses subtrees', () => {
    expect(layout.rows[0].childCount).toBe(2);
    expect(layout.rows[0].descendantCount).toBe(4);
    expect(visibleRows(layout.rows, new Set(['a'])).map((i) => layout.rows[i].span.spanId)).toEqual(['root', 'a', 'b', 'c']);
    expect(visibleRows(layout.rows, new Set(['root']))).toEqual([0, 5]);
    expect(visibleRows(layout.rows, new Set())).toHaveLength(6);
  });

  it('handles an instantaneous trace without dividing by zero', () => {
    const l = layoutWaterfall([span('x', null, 0, 0), span('y', 'x', 0, 0)]);
    expect(l.rows.map((r) => [r.offsetPct, r.widthPct])).toEqual([[0, 0], [0, 0]]);
  });

  it('survives a parent cycle and a 5,000-deep chain', () => {
    const cyc = layoutWaterfall([span('p', 'q', 0, 10), span('q', 'p', 1, 5)]);
    expect(cyc.rows).toHaveLength(2);
    const chain = Array.from({ length: 5000 }, (_, i) => span(`s${i}`, i === 0 ? null : `s${i - 1}`, i * 0.01, 100 - i * 0.01));
    const l = layoutWaterfall(chain);
    expect(l.rows).toHaveLength(5000);
    expect(l.rows[4999].depth).toBe(4999);
  });

  it('makes ruler ticks', () => {
    expect(rulerTicks(100)).toEqual([0, 25, 50, 75, 100]);
  });
});

describe('criticalPath', () => {
  const ids = (spans: Span[]): string[] => {
    const l = layoutWaterfall(spans);
    return [...criticalPath(l.rows)].map((i) => l.rows[i].span.spanId).sort();
  };

  it('follows the last-finishing child, then what ran before it', () => {
    // root 0..100: a 0..30, b 35..60, c 40..95 (c ends last), b overlaps c's start so is off the path.
    expect(ids([span('root', null, 0, 100), span('a', 'root', 0, 30), span('b', 'root', 35, 25), span('c', 'root', 40, 55)]))
      .toEqual(['a', 'c', 'root']);
  });

  it('descends into the critical child', () => {
    expect(ids([span('root', null, 0, 100), span('a', 'root', 10, 80), span('a1', 'a', 10, 20), span('a2', 'a', 40, 45), span('x', 'root', 0, 5)]))
      .toEqual(['a', 'a1', 'a2', 'root', 'x']);
  });

  it('ignores children that start after a later sibling began (parallel work)', () => {
    expect(ids([span('root', null, 0, 100), span('long', 'root', 0, 90), span('short', 'root', 10, 20)]))
      .toEqual(['long', 'root']);
  });

  it('is empty for no rows', () => {
    expect(criticalPath([]).size).toBe(0);
  });
});
