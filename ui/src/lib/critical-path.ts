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
 * and skip it. A child wholly outside its parent (and its subtree) cannot be on the path.
 */
function clampRows(rows: readonly WaterfallRow[], kids: readonly number[][], roots: readonly number[]): (Clamped | undefined)[] {
  const out: (Clamped | undefined)[] = new Array(rows.length).fill(undefined);
  const queue: number[] = [];
  for (const r of roots) {
    out[r] = { start: rows[r].offsetMs, end: Math.max(rows[r].offsetMs, rows[r].endMs) };
    queue.push(r);
  }
  for (let q = 0; q < queue.length; q++) {
    const p = out[queue[q]]!;
    for (const c of kids[queue[q]]) {
      const row = rows[c];
      const start = Math.max(row.offsetMs, p.start);
      const end = Math.min(Math.max(row.offsetMs, row.endMs), p.end);
      // Wholly outside the parent: left undefined, and so is its subtree (never queued).
      if (start > end || row.offsetMs > p.end || row.endMs < p.start) continue;
      out[c] = { start, end };
      queue.push(c);
    }
  }
  return out;
}

/**
 * Row indexes on the critical path. Children are first clamped into their parent's interval
 * (see clampRows). Then from the root that ends last, walk back from the span's end: the child
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
  const span = clampRows(rows, kids, roots);
  // Only the root that ends last decides the trace's end (multi-root traces: the latest one).
  let top = roots[0];
  for (const r of roots) if (span[r]!.end > span[top]!.end) top = r;

  const byEndDesc = (a: number, b: number): number => span[b]!.end - span[a]!.end || span[a]!.start - span[b]!.start;
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
      if (child.end > cursor || child.start >= cursor) continue;
      stack.push(c);
      cursor = child.start;
    }
  }
  return out;
}
