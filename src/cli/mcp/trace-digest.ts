/**
 * @module cli/mcp/trace-digest: one trace's spans → a bounded text digest for an agent's context:
 * the one-line summary ("159 spans, 12 services, 3 errors, 1.2 s"), services, errors, the slowest
 * spans, the critical path and a bounded tree with repeated siblings collapsed; and pages of span
 * rows. Pure: the tool (cli/mcp/tools.ts) fetches and bounds.
 */
import type { Span } from '../../model/model.js';
import { compareNanos, nanosToMs } from '../../query/traces.js';
import { durationBetweenMs } from '../../model/value-rules.js';
import { cut, isoFromNanos, ms } from '../format.js';

export const TREE_LINES = 40;
export const LIST_LINES = 10;
export const CRITICAL_LINES = 20;

interface Node {
  span: Span;
  startMs: number;
  endMs: number;
  children: Node[];
  depth: number;
}

/** Spans as a forest: roots are spans whose parent is absent from the trace. Iterative (deep traces). */
function forest(spans: readonly Span[]): { roots: Node[]; nodes: Node[] } {
  const nodes = spans.map((span): Node => {
    const startMs = nanosToMs(span.startTimeUnixNano);
    return { span, startMs, endMs: startMs + span.durationMs, children: [], depth: 0 };
  });
  const byId = new Map<string, Node>();
  for (const n of nodes) if (!byId.has(n.span.spanId)) byId.set(n.span.spanId, n);
  const roots: Node[] = [];
  for (const n of nodes) {
    const parent = n.span.parentSpanId !== null ? byId.get(n.span.parentSpanId) : undefined;
    if (parent && parent !== n) parent.children.push(n);
    else roots.push(n);
  }
  const byStart = (a: Node, b: Node) => a.startMs - b.startMs;
  roots.sort(byStart);
  const stack = roots.map((r) => r);
  const seen = new Set<Node>();
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    n.children.sort(byStart);
    for (const c of n.children) { c.depth = n.depth + 1; stack.push(c); }
  }
  return { roots, nodes };
}

/** A span as one short line: "service: name  12.3 ms  ERROR(msg)  [spanId]". */
export function spanLine(s: Span): string {
  const status = s.status.code === 'ERROR' ? `  ERROR${s.status.message ? `(${cut(s.status.message, 60)})` : ''}` : '';
  return `${s.service}: ${cut(s.name, 70)}  ${ms(s.durationMs)}${status}  [${s.spanId}]`;
}

/**
 * The critical path: from the root that ends last, walk back from a span's end taking the child that
 * finished last before the cursor, then move the cursor to that child's start (children still running
 * at the cursor did not hold it up). Returns the spans on it, in order of start.
 */
export function criticalPath(roots: Node[]): Node[] {
  if (roots.length === 0) return [];
  let top = roots[0];
  for (const r of roots) if (r.endMs > top.endMs) top = r;
  const out: Node[] = [];
  const stack: { node: Node; limit: number }[] = [{ node: top, limit: top.endMs }];
  while (stack.length && out.length < 10_000) {
    const { node, limit } = stack.pop()!;
    out.push(node);
    let cursor = Math.min(node.endMs, limit);
    const kids = node.children.slice().sort((a, b) => b.endMs - a.endMs);
    for (const c of kids) {
      if (cursor <= node.startMs) break;
      if (Math.min(c.endMs, node.endMs) > cursor || c.startMs >= cursor) continue;
      stack.push({ node: c, limit: cursor });
      cursor = c.startMs;
    }
  }
  return out.sort((a, b) => a.startMs - b.startMs);
}

/** Self time: the span's duration less the union of its children's (clamped to the span). */
function selfMs(n: Node): number {
  const iv = n.children.map((c) => [Math.max(c.startMs, n.startMs), Math.min(c.endMs, n.endMs)] as const)
    .filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let covered = 0;
  let curA = -Infinity;
  let curB = -Infinity;
  for (const [a, b] of iv) {
    if (a > curB) { if (curB > curA) covered += curB - curA; curA = a; curB = b; } else curB = Math.max(curB, b);
  }
  if (curB > curA) covered += curB - curA;
  return Math.max(0, n.endMs - n.startMs - covered);
}

/** The tree, depth first, at most `maxLines`; runs of siblings with the same service and name become one "×N" line. */
function treeLines(roots: Node[], maxLines: number): { lines: string[]; shown: number } {
  const lines: string[] = [];
  let shown = 0;
  const walk: { nodes: Node[]; depth: number }[] = [];
  const push = (siblings: Node[]) => {
    const groups = groupRuns(siblings);
    for (let i = groups.length - 1; i >= 0; i--) walk.push({ nodes: groups[i], depth: groups[i][0].depth });
  };
  push(roots);
  while (walk.length && lines.length < maxLines) {
    const { nodes, depth } = walk.pop()!;
    const first = nodes[0];
    const indent = '  '.repeat(Math.min(depth, 12));
    if (nodes.length === 1) {
      lines.push(`${indent}${spanLine(first.span)}`);
      shown++;
      push(first.children);
    } else {
      const total = nodes.reduce((t, n) => t + n.span.durationMs, 0);
      const errors = nodes.filter((n) => n.span.status.code === 'ERROR').length;
      lines.push(`${indent}${first.span.service}: ${cut(first.span.name, 70)}  ×${nodes.length}  total ${ms(total)}${errors ? `  ${errors} ERROR` : ''}  [first ${first.span.spanId}]`);
      shown += nodes.length;
    }
  }
  return { lines, shown };
}

function groupRuns(nodes: Node[]): Node[][] {
  const out: Node[][] = [];
  for (const n of nodes) {
    const last = out[out.length - 1];
    if (last && last[0].span.service === n.span.service && last[0].span.name === n.span.name && n.children.length === 0 && last[0].children.length === 0) last.push(n);
    else out.push([n]);
  }
  return out;
}

export interface TraceDigest {
  /** "159 spans, 12 services, 3 errors, 1.2 s, root …" */
  headline: string;
  sections: string[];
}

/** The digest of a non-empty trace (spans ordered by start, as GET /api/traces/{id} returns them). */
export function digestTrace(traceId: string, spans: readonly Span[]): TraceDigest {
  const { roots, nodes } = forest(spans);
  let start = spans[0].startTimeUnixNano;
  let end = spans[0].endTimeUnixNano;
  for (const s of spans) {
    if (compareNanos(s.startTimeUnixNano, start) < 0) start = s.startTimeUnixNano;
    if (compareNanos(s.endTimeUnixNano, end) > 0) end = s.endTimeUnixNano;
  }
  const services = new Map<string, number>();
  for (const s of spans) services.set(s.service, (services.get(s.service) ?? 0) + 1);
  const errors = nodes.filter((n) => n.span.status.code === 'ERROR');
  const root = roots[0];
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  const headline = `${plural(spans.length, 'span')}, ${plural(services.size, 'service')}, ${plural(errors.length, 'error')}, ` +
    `${ms(durationBetweenMs(start, end))}; root ${root.span.service}: ${cut(root.span.name, 80)}; started ${isoFromNanos(start)}` +
    (roots.length > 1 ? `; ${roots.length} roots (parents missing)` : '');

  const sections: string[] = [];
  const svc = [...services].sort((a, b) => b[1] - a[1]);
  sections.push(`services (spans): ${svc.slice(0, 15).map(([n, c]) => `${n} ${c}`).join(', ')}${svc.length > 15 ? `, … ${svc.length - 15} more` : ''}`);

  if (errors.length) {
    sections.push([`errors (${errors.length}${errors.length > LIST_LINES ? `, first ${LIST_LINES}` : ''}):`,
      ...errors.slice(0, LIST_LINES).map((n) => `  ${spanLine(n.span)}`)].join('\n'));
  } else sections.push('errors: none');

  const slowest = nodes.slice().sort((a, b) => b.span.durationMs - a.span.durationMs).slice(0, LIST_LINES);
  sections.push([`slowest spans (by duration; self = excluding children):`,
    ...slowest.map((n) => `  ${spanLine(n.span)}  self ${ms(Math.round(selfMs(n) * 1000) / 1000)}`)].join('\n'));

  const path = criticalPath(roots);
  sections.push([`critical path (${path.length} span${path.length === 1 ? '' : 's'} that set the end-to-end time${path.length > CRITICAL_LINES ? `, first ${CRITICAL_LINES}` : ''}):`,
    ...path.slice(0, CRITICAL_LINES).map((n) => `  ${spanLine(n.span)}  self ${ms(Math.round(selfMs(n) * 1000) / 1000)}`)].join('\n'));

  const tree = treeLines(roots, TREE_LINES);
  const left = spans.length - tree.shown;
  sections.push([`tree (${tree.shown} of ${spans.length} spans${left > 0 ? `; ${left} left out: page through them with offset` : ''}):`, ...tree.lines].join('\n'));
  return { headline, sections };
}

/** Span rows `offset`..`offset+limit` (order of start): one line each, with the offset from the trace start. */
export function spanPage(spans: readonly Span[], offset: number, limit: number): string[] {
  const t0 = spans.length ? nanosToMs(spans.reduce((m, s) => (compareNanos(s.startTimeUnixNano, m) < 0 ? s.startTimeUnixNano : m), spans[0].startTimeUnixNano)) : 0;
  return spans.slice(offset, offset + limit).map((s, i) =>
    `${offset + i}. +${ms(Math.max(0, nanosToMs(s.startTimeUnixNano) - t0))} ${spanLine(s)} parent ${s.parentSpanId ?? '-'} ${s.kind}`);
}
