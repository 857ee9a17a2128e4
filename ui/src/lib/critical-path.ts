/**
 * @module ui/lib/critical-path: the chain of spans that determined a trace's end-to-end time,
 * computed over waterfall rows. Pure; knows nothing of the DOM.
 */
import type { WaterfallRow } from './waterfall.js';

/**
 * Row indexes on the critical path. From each root (the one ending last first), walk back
 * from the span's end: the child that finished last before the cursor is critical, its own
 * critical path is taken up to the cursor, and the cursor moves to that child's start; children
 * still running at the cursor are off the path. Children running past their parent are
 * clamped to the parent's end. Iterative, so deep traces cannot overflow the stack.
 */
export function criticalPath(rows: readonly WaterfallRow[]): Set<number> {
  const out = new Set<number>();
  if (rows.length === 0) return out;
  const kids: number[][] = rows.map(() => []);
  const roots: number[] = [];
  rows.forEach((r, i) => (r.parentIndex >= 0 ? kids[r.parentIndex].push(i) : roots.push(i)));
  // Only the root that ends last decides the trace's end (multi-root traces: the latest one).
  let top = roots[0];
  for (const r of roots) if (rows[r].endMs > rows[top].endMs) top = r;

  const byEndDesc = (a: number, b: number): number => rows[b].endMs - rows[a].endMs || rows[a].offsetMs - rows[b].offsetMs;
  const stack: { idx: number; limit: number }[] = [{ idx: top, limit: rows[top].endMs }];
  while (stack.length > 0) {
    const { idx, limit } = stack.pop()!;
    out.add(idx);
    const node = rows[idx];
    let cursor = Math.min(node.endMs, limit);
    const children = kids[idx].slice().sort(byEndDesc);
    for (const c of children) {
      if (cursor <= node.offsetMs) break;
      const child = rows[c];
      // Only a child that had finished by the cursor held it up (a child still running then did not).
      if (Math.min(child.endMs, node.endMs) > cursor || child.offsetMs >= cursor) continue;
      stack.push({ idx: c, limit: cursor });
      cursor = child.offsetMs;
    }
  }
  return out;
}
