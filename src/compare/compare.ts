/**
 * @module compare/compare: aligns span trees (CONTRACT §12). Each trace is folded into nodes keyed
 * by the path of (service, name) from the root, repeated siblings being one node with a count; two
 * sides (one trace each, or every trace of a root operation in a window) are then compared node by
 * node, with findings (n-plus-one, new-error, slower, new-span). Pure: the API reads the Store.
 *
 * Units: a node's duration in one trace is the SUM over its repeats (an N+1 loop's total cost).
 * Over a window, countX and errorX are means per trace (over every trace of the side), and
 * durationMsX, p50MsX and p95MsX are over the per-trace totals of the traces that have the node.
 * "slower" is critical-path aware: each span on the critical path is charged its time on the path
 * minus that of its critical children, so the charges of a trace sum to its end-to-end time and
 * the nodes whose charge grew most explain the end-to-end delta.
 */
import type { Span } from '../model/model.js';
import { nanosToMs, summariseTrace } from '../query/traces.js';
import { roundMs } from '../model/value-rules.js';
import { sortedPercentile } from '../query/services.js';
import { criticalPath } from '../../ui/src/lib/critical-path.js';
import { layoutWaterfall } from '../../ui/src/lib/waterfall.js';
import { findNPlusOne } from './n-plus-one.js';

/** Nodes deeper than this are charged to their ancestor at this depth (bounds paths and answers). */
export const MAX_DEPTH = 64;
/** At most this many nodes are returned (the biggest differences are kept). */
export const MAX_NODES = 5000;
const MAX_SLOWER = 5;

export type NodeStatus = 'same' | 'added' | 'removed' | 'changed';
export type FindingKind = 'n-plus-one' | 'new-error' | 'slower' | 'new-span';

export interface CompareNode {
  path: string[];
  service: string;
  name: string;
  countA: number;
  countB: number;
  durationMsA: number | null;
  durationMsB: number | null;
  deltaMs: number;
  status: NodeStatus;
  errorA: number;
  errorB: number;
  /** Windows form only. */
  p50MsA?: number | null;
  p95MsA?: number | null;
  p50MsB?: number | null;
  p95MsB?: number | null;
  errorRateA?: number;
  errorRateB?: number;
  /** Two-traces form only: the first span (by start) of the node in trace A / B, absent when the node is not there. */
  spanIdA?: string;
  spanIdB?: string;
}

export interface Finding {
  kind: FindingKind;
  path: string[];
  detail: string;
  /** Which side the finding was seen in. */
  side: 'a' | 'b';
  count?: number;
  statement?: string;
  deltaMs?: number;
}

export interface CompareResult {
  nodes: CompareNode[];
  findings: Finding[];
  truncated: boolean;
}

/** Interns node paths across every trace of one comparison: id ↔ (parent id, service, name). */
class PathIndex {
  private readonly ids = new Map<string, number>();
  readonly parent: number[] = [];
  readonly service: string[] = [];
  readonly name: string[] = [];
  readonly depth: number[] = [];
  id(parent: number, service: string, name: string): number {
    const key = `${parent}\u0000${service}\u0000${name}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.parent.length;
      this.ids.set(key, id);
      this.parent.push(parent);
      this.service.push(service);
      this.name.push(name);
      this.depth.push(parent < 0 ? 0 : this.depth[parent] + 1);
    }
    return id;
  }
  path(id: number): string[] {
    const out: string[] = [];
    for (let i = id; i >= 0; i = this.parent[i]) out.push(`${this.service[i]}:${this.name[i]}`);
    return out.reverse();
  }
}

interface TraceNode { spanId: string; count: number; durationMs: number; errors: number; criticalMs: number; offsetMs: number; errorMessage?: string }

/** Folds one trace into nodes; also returns the node of each span. */
function foldTrace(spans: readonly Span[], index: PathIndex): { nodes: Map<number, TraceNode>; nodeOf: Map<Span, number> } {
  const nodes = new Map<number, TraceNode>();
  const nodeOf = new Map<Span, number>();
  if (spans.length === 0) return { nodes, nodeOf };
  const ids = new Set<string>();
  const kids = new Map<string, Span[]>();
  let t0 = Infinity;
  for (const s of spans) {
    ids.add(s.spanId);
    t0 = Math.min(t0, nanosToMs(s.startTimeUnixNano));
  }
  const roots: Span[] = [];
  for (const s of spans) {
    if (s.parentSpanId === null || !ids.has(s.parentSpanId)) roots.push(s);
    else {
      let l = kids.get(s.parentSpanId);
      if (!l) kids.set(s.parentSpanId, (l = []));
      l.push(s);
    }
  }
  const start = new Map<Span, number>();
  for (const s of spans) start.set(s, nanosToMs(s.startTimeUnixNano));
  const byStart = (x: Span, y: Span) => start.get(x)! - start.get(y)!;
  // Breadth-first over groups of sibling spans sharing (service, name); `absorbed` groups lie
  // below MAX_DEPTH and keep their ancestor's node.
  const queue: { parent: number; spans: Span[]; absorbInto?: number }[] = [{ parent: -1, spans: roots.sort(byStart) }];
  const visited = new Set<Span>();
  for (let q = 0; q < queue.length; q++) {
    const { parent, spans: group, absorbInto } = queue[q];
    const groups = new Map<number, Span[]>();
    for (const s of group) {
      if (visited.has(s)) continue;
      visited.add(s);
      let id: number;
      if (absorbInto !== undefined) id = absorbInto;
      else id = index.id(parent, s.service, s.name);
      nodeOf.set(s, id);
      let g = groups.get(id);
      if (!g) groups.set(id, (g = []));
      g.push(s);
      if (absorbInto !== undefined) continue;
      let n = nodes.get(id);
      if (!n) nodes.set(id, (n = { spanId: s.spanId, count: 0, durationMs: 0, errors: 0, criticalMs: 0, offsetMs: start.get(s)! - t0 }));
      n.count++;
      n.durationMs += s.durationMs;
      if (s.status.code === 'ERROR') {
        n.errors++;
        n.errorMessage ??= s.status.message;
      }
    }
    for (const [id, g] of groups) {
      const children: Span[] = [];
      for (const s of g) for (const c of kids.get(s.spanId) ?? []) children.push(c);
      if (children.length === 0) continue;
      children.sort(byStart);
      const absorb = absorbInto ?? (index.depth[id] >= MAX_DEPTH - 1 ? id : undefined);
      queue.push({ parent: id, spans: children, absorbInto: absorb });
    }
  }
  // Critical-path charges: a span's time on the path minus its critical children's.
  const { rows } = layoutWaterfall(spans as Span[]);
  const crit = criticalPath(rows);
  const charge = new Float64Array(rows.length);
  for (const i of crit) charge[i] += rows[i].endMs - rows[i].offsetMs;
  for (const i of crit) {
    const p = rows[i].parentIndex;
    if (p >= 0 && crit.has(p)) charge[p] -= rows[i].endMs - rows[i].offsetMs;
  }
  for (const i of crit) {
    const id = nodeOf.get(rows[i].span as Span);
    const n = id === undefined ? undefined : nodes.get(id);
    if (n) n.criticalMs += Math.max(0, charge[i]);
  }
  return { nodes, nodeOf };
}

interface SideNode { spanId: string; traces: number; count: number; errors: number; criticalMs: number; totals: number[]; offsetMs: number; errorMessage?: string }
interface SideNPlusOne { traces: number; count: number; statement: string; parent: number }
interface Side { traceCount: number; durationsMs: number[]; nodes: Map<number, SideNode>; nPlusOne: Map<number, SideNPlusOne> }

function buildSide(traces: readonly (readonly Span[])[], index: PathIndex): Side {
  const side: Side = { traceCount: 0, durationsMs: [], nodes: new Map(), nPlusOne: new Map() };
  for (const spans of traces) {
    if (spans.length === 0) continue;
    side.traceCount++;
    side.durationsMs.push(summariseTrace('', spans).durationMs);
    const { nodes, nodeOf } = foldTrace(spans, index);
    for (const [id, n] of nodes) {
      let s = side.nodes.get(id);
      if (!s) side.nodes.set(id, (s = { spanId: n.spanId, traces: 0, count: 0, errors: 0, criticalMs: 0, totals: [], offsetMs: n.offsetMs }));
      s.traces++;
      s.count += n.count;
      s.errors += n.errors;
      s.criticalMs += n.criticalMs;
      s.totals.push(n.durationMs);
      s.offsetMs = Math.min(s.offsetMs, n.offsetMs);
      if (n.errorMessage !== undefined) s.errorMessage ??= n.errorMessage;
    }
    const seen = new Set<number>();
    for (const f of findNPlusOne(spans)) {
      const id = nodeOf.get(f.first);
      const parent = nodeOf.get(f.parent);
      if (id === undefined || parent === undefined || seen.has(id)) continue;
      seen.add(id);
      const prev = side.nPlusOne.get(id);
      if (prev) {
        prev.traces++;
        prev.count = Math.max(prev.count, f.count);
      } else side.nPlusOne.set(id, { traces: 1, count: f.count, statement: f.statement, parent });
    }
  }
  return side;
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
const r = (x: number) => roundMs(x);
const pct = (xs: readonly number[], p: number) => {
  const v = sortedPercentile(Float64Array.from(xs).sort(), p);
  return v === null ? null : r(v);
};

/**
 * Compares side A with side B: each side is a list of traces (one span list each; empty lists are
 * skipped). `windows` adds the percentile fields and reads counts as means per trace. Nodes come
 * in tree order (siblings by first start); at most MAX_NODES (the biggest |deltaMs| kept, `truncated`).
 */
export function compareSides(a: readonly (readonly Span[])[], b: readonly (readonly Span[])[], windows = false): CompareResult {
  const index = new PathIndex();
  const A = buildSide(a, index);
  const B = buildSide(b, index);
  const perTrace = (side: Side, x: number) => (side.traceCount === 0 ? 0 : x / side.traceCount);

  const all = new Set<number>([...A.nodes.keys(), ...B.nodes.keys()]);
  const built = new Map<number, CompareNode>();
  for (const id of all) {
    const na = A.nodes.get(id);
    const nb = B.nodes.get(id);
    const countA = r(perTrace(A, na?.count ?? 0));
    const countB = r(perTrace(B, nb?.count ?? 0));
    const durationMsA = na ? r(mean(na.totals)) : null;
    const durationMsB = nb ? r(mean(nb.totals)) : null;
    const errorA = r(perTrace(A, na?.errors ?? 0));
    const errorB = r(perTrace(B, nb?.errors ?? 0));
    const node: CompareNode = {
      path: index.path(id), service: index.service[id], name: index.name[id],
      countA, countB, durationMsA, durationMsB, deltaMs: r((durationMsB ?? 0) - (durationMsA ?? 0)),
      status: 'same', errorA, errorB,
    };
    let status: NodeStatus;
    if (!na) status = 'added';
    else if (!nb) status = 'removed';
    else {
      const baseA = windows ? pct(na.totals, 50)! : durationMsA!;
      const baseB = windows ? pct(nb.totals, 50)! : durationMsB!;
      const d = Math.abs(baseB - baseA);
      const countChanged = windows ? Math.abs(countB - countA) >= 0.5 : countA !== countB;
      const errorChanged = windows
        ? Math.abs(nb.errors / nb.count - na.errors / na.count) >= 0.05
        : (errorA > 0) !== (errorB > 0);
      status = countChanged || errorChanged || (d >= 1 && d >= 0.2 * Math.abs(baseA)) ? 'changed' : 'same';
    }
    node.status = status;
    if (windows) {
      node.p50MsA = na ? pct(na.totals, 50) : null;
      node.p95MsA = na ? pct(na.totals, 95) : null;
      node.p50MsB = nb ? pct(nb.totals, 50) : null;
      node.p95MsB = nb ? pct(nb.totals, 95) : null;
      node.errorRateA = na ? r(na.errors / na.count) : 0;
      node.errorRateB = nb ? r(nb.errors / nb.count) : 0;
    } else {
      if (na) node.spanIdA = na.spanId;
      if (nb) node.spanIdB = nb.spanId;
    }
    built.set(id, node);
  }

  // Tree order: children of each node by their first start offset.
  const childrenOf = new Map<number, number[]>();
  for (const id of all) {
    const p = index.parent[id];
    let l = childrenOf.get(p);
    if (!l) childrenOf.set(p, (l = []));
    l.push(id);
  }
  const offset = (id: number) => Math.min(A.nodes.get(id)?.offsetMs ?? Infinity, B.nodes.get(id)?.offsetMs ?? Infinity);
  for (const l of childrenOf.values()) l.sort((x, y) => offset(x) - offset(y) || x - y);
  const order: number[] = [];
  const stack = [...(childrenOf.get(-1) ?? [])].reverse();
  while (stack.length > 0) {
    const id = stack.pop()!;
    order.push(id);
    const c = childrenOf.get(id);
    if (c) for (let i = c.length - 1; i >= 0; i--) stack.push(c[i]);
  }
  let nodes = order.map((id) => built.get(id)!);
  const truncated = nodes.length > MAX_NODES;
  if (truncated) {
    const keep = new Set([...nodes].sort((x, y) => Math.abs(y.deltaMs) - Math.abs(x.deltaMs)).slice(0, MAX_NODES));
    nodes = nodes.filter((n) => keep.has(n));
  }

  const findings: Finding[] = [];
  const label = (id: number) => `${index.service[id]}:${index.name[id]}`;
  const ofTraces = (side: Side, k: number) => (windows ? ` in ${k} of ${side.traceCount} traces` : '');
  // n-plus-one, in B first, then the ones only A had.
  for (const [sideName, side, other] of [['b', B, A], ['a', A, B]] as const) {
    for (const [id, f] of side.nPlusOne) {
      if (sideName === 'a' && B.nPlusOne.has(id)) continue;
      const otherCount = r(perTrace(other, other.nodes.get(id)?.count ?? 0));
      findings.push({
        kind: 'n-plus-one', path: index.path(id), side: sideName, count: f.count, statement: f.statement,
        detail: `${f.count} × ${label(id)} in sequence under ${label(f.parent)}${ofTraces(side, f.traces)} of ${sideName.toUpperCase()} ` +
          `(${sideName === 'b' ? 'A' : 'B'}: ${otherCount} per trace): ${f.statement}`,
      });
    }
  }
  // new-error: errors in B at a node without any in A.
  for (const id of order) {
    const na = A.nodes.get(id);
    const nb = B.nodes.get(id);
    if (!nb || nb.errors === 0 || (na && na.errors > 0)) continue;
    findings.push({
      kind: 'new-error', path: index.path(id), side: 'b', count: nb.errors,
      detail: `${nb.errors} error span${nb.errors === 1 ? '' : 's'} at ${label(id)}${ofTraces(B, nb.traces)} of B, none in A${nb.errorMessage ? `: ${nb.errorMessage.slice(0, 300)}` : ''}`,
    });
  }
  // slower: the biggest growths of critical-path charge, until they explain 80% of the delta.
  const endToEnd = mean(B.durationsMs) - mean(A.durationsMs);
  if (A.traceCount > 0 && B.traceCount > 0 && endToEnd > 0) {
    const growth = order
      .map((id) => ({ id, d: perTrace(B, B.nodes.get(id)?.criticalMs ?? 0) - perTrace(A, A.nodes.get(id)?.criticalMs ?? 0) }))
      .filter((g) => g.d > 0 && g.d >= 0.05 * endToEnd)
      .sort((x, y) => y.d - x.d);
    let explained = 0;
    for (const g of growth.slice(0, MAX_SLOWER)) {
      if (explained >= 0.8 * endToEnd) break;
      explained += g.d;
      const n = built.get(g.id)!;
      findings.push({
        kind: 'slower', path: n.path, side: 'b', deltaMs: r(g.d),
        detail: `+${r(g.d)} ms on the critical path at ${label(g.id)} (${Math.round((100 * g.d) / endToEnd)}% of the +${r(endToEnd)} ms end-to-end); ` +
          `duration ${n.durationMsA ?? '-'} → ${n.durationMsB ?? '-'} ms, count ${n.countA} → ${n.countB}`,
      });
    }
  }
  // new-span: the top of each subtree only B has.
  for (const id of order) {
    const n = built.get(id)!;
    const p = index.parent[id];
    if (n.status !== 'added' || (p >= 0 && built.get(p)!.status === 'added')) continue;
    findings.push({ kind: 'new-span', path: n.path, side: 'b', count: n.countB, detail: `${label(id)} (${n.countB} per trace, ${n.durationMsB} ms) is only in B` });
  }
  return { nodes, findings, truncated };
}
