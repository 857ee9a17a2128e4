/**
 * @module ui/lib/waterfall: lays out one trace's spans as waterfall rows (tree order, depth,
 * bar offset/width in percent of the trace) and filters rows by collapsed subtrees. Pure.
 */
import type { Span } from '../api-types.js';
import { nanosDiffMs } from './format.js';

/** One waterfall row: a span with its place in the tree and its bar geometry. */
export interface WaterfallRow {
  span: Span;
  /** 0 for roots (spans whose parent is absent from the trace). */
  depth: number;
  /** Index of the parent row in `rows`, or -1. */
  parentIndex: number;
  childCount: number;
  /** Number of rows in this span's subtree, itself excluded. */
  descendantCount: number;
  /** Start offset from the trace start, in ms. */
  offsetMs: number;
  /** End offset from the trace start, in ms (≥ offsetMs). */
  endMs: number;
  /** Bar position as percent of the trace duration: (start - traceStart) / traceDuration × 100. */
  offsetPct: number;
  /** Bar width as percent of the trace duration: duration / traceDuration × 100. */
  widthPct: number;
  /** Event positions, percent of the trace duration. */
  eventPcts: number[];
}

export interface WaterfallLayout {
  rows: WaterfallRow[];
  /** Earliest span start (nanosecond string). */
  traceStartNanos: string;
  /** Latest span end − earliest start, in ms (0 for an empty or instantaneous trace). */
  traceDurationMs: number;
  /** spanId → row index. */
  indexById: Map<string, number>;
}

function cmpNanos(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

const isNanos = (s: unknown): s is string => typeof s === 'string' && /^\d+$/.test(s);

/**
 * Rows in tree order: depth first, roots and siblings by start time (ties by name, then id).
 * A span whose parent is missing is a root; a parent cycle is broken (each span appears once).
 * With everything expanded there is exactly one row per span, even for duplicate span ids.
 * Offsets and widths follow the original's formula, in percent of (max end − min start); for a
 * zero-length trace every bar starts at 0 and has width 0. Values are clamped to 0..100.
 */
export function layoutWaterfall(spans: readonly Span[]): WaterfallLayout {
  const indexById = new Map<string, number>();
  if (spans.length === 0) return { rows: [], traceStartNanos: '0', traceDurationMs: 0, indexById };
  let start = '';
  let end = '';
  for (const s of spans) {
    if (isNanos(s.startTimeUnixNano) && (start === '' || cmpNanos(s.startTimeUnixNano, start) < 0)) start = s.startTimeUnixNano;
    if (isNanos(s.endTimeUnixNano) && (end === '' || cmpNanos(s.endTimeUnixNano, end) > 0)) end = s.endTimeUnixNano;
  }
  if (start === '') start = '0';
  if (end === '' || cmpNanos(end, start) < 0) end = start;
  const total = nanosDiffMs(end, start);

  // First span with a given id owns it; duplicates become their own roots' siblings under the same parent.
  const byId = new Map<string, number>();
  spans.forEach((s, i) => { if (!byId.has(s.spanId)) byId.set(s.spanId, i); });
  const children = new Map<number, number[]>();
  const roots: number[] = [];
  spans.forEach((s, i) => {
    const p = s.parentSpanId === null || s.parentSpanId === s.spanId ? undefined : byId.get(s.parentSpanId);
    if (p === undefined || p === i) roots.push(i);
    else {
      let list = children.get(p);
      if (!list) children.set(p, (list = []));
      list.push(i);
    }
  });
  const bySpanStart = (a: number, b: number): number => {
    const sa = spans[a], sb = spans[b];
    return cmpNanos(String(sa.startTimeUnixNano), String(sb.startTimeUnixNano))
      || (sa.name < sb.name ? -1 : sa.name > sb.name ? 1 : 0) || a - b;
  };
  roots.sort(bySpanStart);
  for (const list of children.values()) list.sort(bySpanStart);

  const pct = (ms: number): number => (total > 0 ? Math.min(100, Math.max(0, (ms / total) * 100)) : 0);
  const rows: WaterfallRow[] = [];
  const visited = new Uint8Array(spans.length);
  const emit = (rootIdx: number): void => {
    // Iterative DFS: a 5,000-deep chain must not overflow the stack.
    const stack: { idx: number; depth: number; parentRow: number }[] = [{ idx: rootIdx, depth: 0, parentRow: -1 }];
    while (stack.length > 0) {
      const { idx, depth, parentRow } = stack.pop()!;
      if (visited[idx]) continue;
      visited[idx] = 1;
      const span = spans[idx];
      const offsetMs = isNanos(span.startTimeUnixNano) ? Math.max(0, nanosDiffMs(span.startTimeUnixNano, start)) : 0;
      const durMs = isNanos(span.startTimeUnixNano) && isNanos(span.endTimeUnixNano)
        ? Math.max(0, nanosDiffMs(span.endTimeUnixNano, span.startTimeUnixNano)) : 0;
      const offsetPct = pct(offsetMs);
      const row: WaterfallRow = {
        span, depth, parentIndex: parentRow, childCount: 0, descendantCount: 0, offsetMs, endMs: offsetMs + durMs, offsetPct,
        widthPct: Math.min(100 - offsetPct, pct(durMs)),
        eventPcts: (span.events ?? []).filter((e) => isNanos(e.timeUnixNano)).map((e) => pct(nanosDiffMs(e.timeUnixNano, start))),
      };
      const rowIndex = rows.push(row) - 1;
      if (!indexById.has(span.spanId)) indexById.set(span.spanId, rowIndex);
      if (parentRow >= 0) rows[parentRow].childCount++;
      const kids = children.get(idx) ?? [];
      for (let k = kids.length - 1; k >= 0; k--) stack.push({ idx: kids[k], depth: depth + 1, parentRow: rowIndex });
    }
  };
  for (const r of roots) emit(r);
  // Spans only reachable through a parent cycle: show them as roots rather than drop them.
  for (let i = 0; i < spans.length; i++) if (!visited[i]) emit(i);

  // Subtree sizes, bottom-up (children always come after their parent).
  for (let i = rows.length - 1; i >= 0; i--) {
    const p = rows[i].parentIndex;
    if (p >= 0) rows[p].descendantCount += rows[i].descendantCount + 1;
  }
  return { rows, traceStartNanos: start, traceDurationMs: total, indexById };
}

/** Indexes of the rows to show when the rows whose span ids are in `collapsed` hide their subtrees. */
export function visibleRows(rows: readonly WaterfallRow[], collapsed: ReadonlySet<string>): number[] {
  const out: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    out.push(i);
    if (collapsed.has(rows[i].span.spanId) && rows[i].descendantCount > 0) i += rows[i].descendantCount;
  }
  return out;
}

/** Evenly spaced ruler ticks (ms from trace start) for `count` intervals: [0, d/count, …, d]. */
export function rulerTicks(durationMs: number, count = 4): number[] {
  const out: number[] = [];
  for (let i = 0; i <= count; i++) out.push((durationMs * i) / count);
  return out;
}
