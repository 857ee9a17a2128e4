/**
 * @module ui/lib/critical-path: the chain of spans that determined a trace's end-to-end time,
 * computed over waterfall rows. Pure; knows nothing of the DOM.
 */
import type { WaterfallRow } from './waterfall.js';

/** A span's interval after clamping into its (clamped) parent's, or undefined when it lies wholly outside. */
interface Clamped {
  start: number;
  end: number;
}

/**
 * Each row's interval clamped to its parent's clamped interval, top-down, as Jaeger's critical
 * path sanitises overflowing children: real SDK clocks let a child end (or start) a little outside
 * its parent (an http handler span ending ~1 ms after the server span that contains it), and
 * without the clamp the walk below would treat that child as "still running" at its parent's end
 * and skip it. A child of another service (another process, another clock) lying outside its
 * parent is first shifted into it, with its subtree, as Jaeger's clock-skew adjuster does; a child
 * of the same service wholly outside its parent (and its subtree) cannot be on the path.
 */
function clampRows(rows: readonly WaterfallRow[], kids: readonly number[][], roots: readonly number[], tick: number): (Clamped | undefined)[] {
  const out: (Clamped | undefined)[] = new Array(rows.length).fill(undefined);
  const shift = new Float64Array(rows.length);
  const queue: number[] = [];
  for (const r of roots) {
    out[r] = { start: rows[r].offsetMs, end: Math.max(rows[r].offsetMs, rows[r].endMs) };
    queue.push(r);
  }
  for (let q = 0; q < queue.length; q++) {
    const pi = queue[q];
    const p = out[pi]!;
    for (const c of kids[pi]) {
      const row = rows[c];
      let delta = shift[pi];
      let s0 = row.offsetMs + delta;
      let e0 = Math.max(row.offsetMs, row.endMs) + delta;
      if (row.span.service !== rows[pi].span.service && (s0 < p.start || e0 > p.end)) {
        // Skew between processes: move the child (and, through `shift`, its subtree) just inside.
        const fit = s0 < p.start ? p.start - s0 : Math.max(p.start - s0, p.end - e0);
        delta += fit;
        s0 += fit;
        e0 += fit;
      } else if (s0 > p.end && s0 - p.end <= tick) {
        // Same process, but starting after its parent ended by less than one start-clock tick: the
        // starts are truncated to the tick (each span's interval shifted early by up to one), so it
        // may well have run inside it. Moved just inside by at most a tick instead of being dropped.
        const fit = Math.max(p.start - s0, p.end - e0);
        delta += fit;
        s0 += fit;
        e0 += fit;
      }
      shift[c] = delta;
      const start = Math.max(s0, p.start);
      const end = Math.min(e0, p.end);
      // Wholly outside the parent: left undefined, and so is its subtree (never queued).
      if (start > end || s0 > p.end || e0 < p.start) continue;
      out[c] = { start, end };
      queue.push(c);
    }
  }
  return out;
}

/**
 * The clock granularity of the trace's start times, ms: 1 when every start is a whole millisecond
 * (the Node SDK's start times are), 0.001 when every start is a whole microsecond, else 0. A span
 * that started in the same tick as its sibling ended may look as if it started up to that much
 * before the sibling ended.
 */
function startGranularityMs(rows: readonly WaterfallRow[]): number {
  let ms = true;
  let us = true;
  for (const r of rows) {
    const t = r.span.startTimeUnixNano;
    if (!t.endsWith('000000')) ms = false;
    if (!t.endsWith('000')) { us = false; break; }
  }
  return ms ? 1 : us ? 0.001 : 0;
}

/**
 * Row indexes on the critical path. Children are first clamped into their parent's interval
 * (see clampRows), and a sibling that ended within one start-clock tick after the cursor counts as
 * finished by it. Then from the root that ends last, walk back from the span's end: the child
 * that finished last by the cursor is critical, its own critical path is taken, and the cursor
 * moves to that child's start; children still running at the cursor are off the path.
 * Iterative, so deep traces cannot overflow the stack.
 */
export function criticalPath(rows: readonly WaterfallRow[]): Set<number> {
  const out = new Set<number>();
  if (rows.length === 0) return out;
  const kids: number[][] = rows.map(() => []);
  const roots: number[] = [];
  rows.forEach((r, i) => (r.parentIndex >= 0 && r.parentIndex < rows.length && r.parentIndex !== i ? kids[r.parentIndex].push(i) : roots.push(i)));
  if (roots.length === 0) return out;
  const slack = startGranularityMs(rows);
  const span = clampRows(rows, kids, roots, slack);
  // Only the root that ends last decides the trace's end (multi-root traces: the latest one).
  let top = roots[0];
  for (const r of roots) if (span[r]!.end > span[top]!.end) top = r;

  // Ties after clamping (two children cut to their parent's end, starts in the same millisecond) go
  // to the child whose own end was later: it is the one the parent was still waiting for.
  const byEndDesc = (a: number, b: number): number => span[b]!.end - span[a]!.end || span[a]!.start - span[b]!.start
    || rows[b].endMs - rows[a].endMs;
  const stack: number[] = [top];
  while (stack.length > 0) {
    const idx = stack.pop()!;
    if (out.has(idx)) continue;
    out.add(idx);
    const node = span[idx]!;
    let cursor = node.end;
    const children = kids[idx].filter((c) => span[c] !== undefined).sort(byEndDesc);
    for (const c of children) {
      if (cursor <= node.start) break;
      const child = span[c]!;
      // Only a child that had finished by the cursor held it up (a child still running then did not).
      // The cursor is a start time, so it may be up to one clock tick early (startGranularityMs).
      if (child.end > cursor + slack || child.start >= cursor) continue;
      stack.push(c);
      cursor = child.start;
    }
  }
  return out;
}
