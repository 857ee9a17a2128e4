import { describe, expect, it } from 'vitest';
import type { Span } from '../model/model.js';
import { compareSides } from './compare.js';
import { findNPlusOne } from './n-plus-one.js';
import { templateUrl } from './statement.js';

const T0 = 1_700_000_000_000n * 1_000_000n;
let seq = 0;
interface S { id?: string; parent?: string | null; name: string; service?: string; start: number; end: number; error?: string; attrs?: Record<string, string> }
function span(traceId: string, s: S): Span {
  return {
    traceId, spanId: s.id ?? `s${++seq}`, parentSpanId: s.parent ?? null, name: s.name, kind: 'INTERNAL',
    startTimeUnixNano: String(T0 + BigInt(Math.round(s.start * 1e6))), endTimeUnixNano: String(T0 + BigInt(Math.round(s.end * 1e6))),
    durationMs: s.end - s.start, status: s.error !== undefined ? { code: 'ERROR', message: s.error } : { code: 'UNSET', message: '' },
    service: s.service ?? 'api', attributes: s.attrs ?? {}, resource: {}, scope: { name: 't', version: '' }, events: [], links: [],
  } as Span;
}

/** GET /orders: a handler calling `db` queries; `queries` is [start, end, statement][]. */
function orders(tid: string, handlerEnd: number, queries: [number, number, string][], extra: S[] = []): Span[] {
  const out = [span(tid, { id: 'root', name: 'GET /orders', start: 0, end: handlerEnd + 1 }),
    span(tid, { id: 'h', parent: 'root', name: 'handler', start: 1, end: handlerEnd })];
  for (const [s, e, q] of queries) out.push(span(tid, { parent: 'h', name: 'SELECT', service: 'api', start: s, end: e, attrs: { 'db.query.text': q, 'db.system.name': 'postgresql' } }));
  for (const x of extra) out.push(span(tid, x));
  return out;
}
const byPath = <N extends { path: string[] }>(nodes: N[], p: string) => nodes.find((n) => n.path.join(' > ') === p);

describe('compareSides (two traces)', () => {
  it('an N+1 loop of 20 queries against one batched query: folded node, count, n-plus-one finding with the statement', () => {
    const batched = orders('a', 12, [[2, 11, 'SELECT * FROM items WHERE order_id = ANY($1)']]);
    const loop = orders('b', 42, Array.from({ length: 20 }, (_, i) => [2 + 2 * i, 3.5 + 2 * i, 'SELECT * FROM items WHERE order_id = $1'] as [number, number, string]));
    const r = compareSides([batched], [loop]);
    const sel = byPath(r.nodes, 'api:GET /orders > api:handler > api:SELECT')!;
    expect(sel).toMatchObject({ countA: 1, countB: 20, durationMsA: 9, durationMsB: 30, deltaMs: 21, status: 'changed' });
    expect(r.nodes.map((n) => n.path.length)).toEqual([1, 2, 3]);
    const n1 = r.findings.filter((f) => f.kind === 'n-plus-one');
    expect(n1).toHaveLength(1);
    expect(n1[0]).toMatchObject({ side: 'b', count: 20, statement: 'SELECT * FROM items WHERE order_id = $1', path: sel.path });
    expect(n1[0].detail).toContain('20 × api:SELECT');
    // And the end-to-end delta is explained by the queries, on the critical path.
    const slower = r.findings.filter((f) => f.kind === 'slower');
    expect(slower[0].path).toEqual(sel.path);
    // The batched trace alone has no N+1.
    expect(findNPlusOne(batched)).toEqual([]);
    expect(findNPlusOne(loop)[0].count).toBe(20);
    // A folded node names the first of its repeats.
    expect(sel.spanIdB).toBe(loop.find((x) => x.name === 'SELECT')!.spanId);
  });

  it('a query added: node added, new-span finding on the top of the added subtree only', () => {
    const a = orders('a', 10, [[2, 5, 'SELECT 1']]);
    const b = orders('b', 14, [[2, 5, 'SELECT 1']], [
      { id: 'c', parent: 'h', name: 'cache.get', service: 'cache', start: 6, end: 13 },
      { parent: 'c', name: 'GET', service: 'cache', start: 7, end: 12 },
    ]);
    const r = compareSides([a], [b]);
    expect(byPath(r.nodes, 'api:GET /orders > api:handler > cache:cache.get')).toMatchObject({ status: 'added', countA: 0, countB: 1, durationMsA: null, durationMsB: 7 });
    expect(byPath(r.nodes, 'api:GET /orders > api:handler > api:SELECT')!.status).toBe('same');
    // Each node names its first span in either trace (the UI opens it there).
    expect(byPath(r.nodes, 'api:GET /orders > api:handler > cache:cache.get')).not.toHaveProperty('spanIdA');
    expect(byPath(r.nodes, 'api:GET /orders > api:handler > cache:cache.get')!.spanIdB).toBe('c');
    expect(byPath(r.nodes, 'api:GET /orders > api:handler')).toMatchObject({ spanIdA: 'h', spanIdB: 'h' });
    const added = r.findings.filter((f) => f.kind === 'new-span');
    expect(added.map((f) => f.path.join(' > '))).toEqual(['api:GET /orders > api:handler > cache:cache.get']);
    const removed = compareSides([b], [a]);
    expect(byPath(removed.nodes, 'api:GET /orders > api:handler > cache:cache.get')!.status).toBe('removed');
  });

  it('a slower child: slower names the child on the critical path, not its parallel sibling', () => {
    const mk = (tid: string, slowEnd: number) => [
      span(tid, { id: 'root', name: 'GET /', start: 0, end: slowEnd + 1 }),
      span(tid, { parent: 'root', name: 'auth', service: 'auth', start: 1, end: slowEnd }),
      // A parallel sibling that also grew, but never decided the end-to-end time.
      span(tid, { parent: 'root', name: 'audit', service: 'audit', start: 1, end: slowEnd === 10 ? 3 : 6 }),
    ];
    const r = compareSides([mk('a', 10)], [mk('b', 60)]);
    const slower = r.findings.filter((f) => f.kind === 'slower');
    expect(slower.map((f) => f.path.join(' > '))).toEqual(['api:GET / > auth:auth']);
    expect(slower[0].deltaMs).toBe(50);
    expect(byPath(r.nodes, 'api:GET / > auth:auth')).toMatchObject({ deltaMs: 50, status: 'changed' });
  });

  it('a new error: new-error finding with the status message; an error in both is not new', () => {
    const a = orders('a', 10, [[2, 5, 'SELECT 1']]);
    const b = orders('b', 10, [], [{ parent: 'h', name: 'SELECT', start: 2, end: 5, error: 'connection reset', attrs: { 'db.query.text': 'SELECT 1' } }]);
    const r = compareSides([a], [b]);
    const e = r.findings.filter((f) => f.kind === 'new-error');
    expect(e).toHaveLength(1);
    expect(e[0].path.join(' > ')).toBe('api:GET /orders > api:handler > api:SELECT');
    expect(e[0].detail).toContain('connection reset');
    expect(byPath(r.nodes, 'api:GET /orders > api:handler > api:SELECT')).toMatchObject({ errorA: 0, errorB: 1, status: 'changed' });
    expect(compareSides([b], [b]).findings.filter((f) => f.kind === 'new-error')).toEqual([]);
  });

  it('identical traces: every node same, no findings but an N+1 present in both', () => {
    const a = orders('a', 10, [[2, 5, 'SELECT 1']]);
    const r = compareSides([a], [orders('b', 10, [[2, 5, 'SELECT 1']])]);
    expect(r.nodes.every((n) => n.status === 'same')).toBe(true);
    expect(r.findings).toEqual([]);
  });

  it('five repeats break on another statement in between; fewer than 5 is not N+1', () => {
    const q = (n: number, stmt: (i: number) => string) => orders('x', 40, Array.from({ length: n }, (_, i) => [2 + i, 2.5 + i, stmt(i)] as [number, number, string]));
    expect(findNPlusOne(q(4, () => 'SELECT 1'))).toEqual([]);
    expect(findNPlusOne(q(5, () => 'SELECT 1'))[0].count).toBe(5);
    expect(findNPlusOne(q(8, (i) => (i === 4 ? 'SELECT 2' : 'SELECT 1')))).toEqual([]);
  });

  it('a pool checkout (a child without a statement) before each query neither counts nor breaks the run', () => {
    // What the pg auto-instrumentation sends: `pg-pool.connect` then the query, twenty times.
    const extra: S[] = [];
    for (let i = 0; i < 20; i++) extra.push({ parent: 'h', name: 'pg-pool.connect', start: 2 + 2 * i, end: 2.2 + 2 * i });
    const loop = orders('p', 50, Array.from({ length: 20 }, (_, i) => [2.3 + 2 * i, 3 + 2 * i, 'SELECT id, name FROM items WHERE id = $1'] as [number, number, string]), extra);
    const [f] = findNPlusOne(loop);
    expect(f).toMatchObject({ count: 20, name: 'SELECT', statement: 'SELECT id, name FROM items WHERE id = $1' });
    expect(findNPlusOne(loop)).toHaveLength(1);
  });

  it('templates URLs: ids become {id}, the query string is dropped', () => {
    expect(templateUrl('http://x/users/123/orders/9f8e7d6c5b4a3f2e?x=1')).toBe('http://x/users/{id}/orders/{id}');
  });

  it('a cyclic or self-parented span does not hang the fold', () => {
    const tid = 'c';
    const spans = [span(tid, { id: 'r', name: 'root', start: 0, end: 5 }), span(tid, { id: 'x', parent: 'x', name: 'self', start: 1, end: 2 }),
      span(tid, { id: 'y', parent: 'z', name: 'y', start: 1, end: 2 }), span(tid, { id: 'z', parent: 'y', name: 'z', start: 1, end: 2 })];
    expect(compareSides([spans], [spans]).nodes.length).toBeGreaterThan(0);
  });
});

describe('compareSides (windows)', () => {
  it('means per trace, percentiles, error rates; N+1 growth shows as a count that grew', () => {
    const A = Array.from({ length: 10 }, (_, i) => orders(`a${i}`, 12, [[2, 4 + i, 'SELECT batch']]));
    const B = Array.from({ length: 10 }, (_, i) => orders(`b${i}`, 42, Array.from({ length: 20 }, (_, k) => [2 + 2 * k, 3 + 2 * k, 'SELECT one'] as [number, number, string]),
      i < 3 ? [{ parent: 'h', name: 'retry', start: 1, end: 2, error: 'boom' }] : []));
    const r = compareSides(A, B, true);
    const sel = byPath(r.nodes, 'api:GET /orders > api:handler > api:SELECT')!;
    expect(sel).toMatchObject({ countA: 1, countB: 20, p50MsA: 6, p95MsA: 11, p50MsB: 20, p95MsB: 20, status: 'changed' });
    const retry = byPath(r.nodes, 'api:GET /orders > api:handler > api:retry')!;
    expect(retry).toMatchObject({ status: 'added', countB: 0.3, errorB: 0.3, errorRateB: 1 });
    const n1 = r.findings.find((f) => f.kind === 'n-plus-one')!;
    expect(n1.detail).toContain('in 10 of 10 traces');
    expect(r.findings.some((f) => f.kind === 'new-error')).toBe(true);
  });
});

describe('compareSides size', () => {
  it('compares two 5,000-span traces', () => {
    const big = (tid: string, slow: number) => {
      const spans = [span(tid, { id: 'root', name: 'GET /big', start: 0, end: 6000 })];
      for (let i = 0; i < 50; i++) {
        spans.push(span(tid, { id: `p${i}`, parent: 'root', name: `step${i % 10}`, start: i * 100, end: i * 100 + 99 }));
        for (let k = 0; k < 99; k++) spans.push(span(tid, { parent: `p${i}`, name: `q${k % 7}`, service: 'db', start: i * 100 + k, end: i * 100 + k + (k === 0 ? slow : 0.5), attrs: { 'db.query.text': `SELECT ${k % 7}` } }));
      }
      return spans;
    };
    const a = big('a', 0.5);
    const b = big('b', 0.9);
    expect(a.length).toBe(5001);
    const t = performance.now();
    const r = compareSides([a], [b]);
    const ms = performance.now() - t;
    console.log(`compare of two ${a.length}-span traces: ${ms.toFixed(0)} ms, ${r.nodes.length} nodes`);
    expect(r.nodes.length).toBeGreaterThan(10);
  });
});
