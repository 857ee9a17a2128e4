/**
 * @module ui/lib/edge-labels: the service map's edge geometry (one cubic Bézier per edge, from
 * the caller's right side to the callee's left side) and the placement of edge labels so that no
 * label overlaps a node box or another label: each label tries points along its own edge (middle
 * first, then towards the ends, nudged up and down), then its short form; a label that fits
 * nowhere is left for hover. Pure.
 */

export interface Box { x: number; y: number; w: number; h: number }
export interface Point { x: number; y: number }
/** A cubic Bézier: start, two control points, end. */
export type Curve = [Point, Point, Point, Point];

export interface NodeGeom { name: string; x: number; y: number; w: number; h: number }

/** Point at t ∈ [0, 1] of a cubic Bézier. */
export function bezierAt(c: Curve, t: number): Point {
  const u = 1 - t;
  const a = u * u * u, b = 3 * u * u * t, d = 3 * u * t * t, e = t * t * t;
  return { x: a * c[0].x + b * c[1].x + d * c[2].x + e * c[3].x, y: a * c[0].y + b * c[1].y + d * c[2].y + e * c[3].y };
}

/**
 * The curve of an edge between two node centres `a` → `b` (boxes `w`×`h`). Forward edges leave
 * the right side of `a` and enter the left side of `b`; edges to the same or an earlier layer
 * leave the bottom of `a` and arc below both into the bottom of `b`; a self-call loops above.
 * `lane` (0, 1, 2…) spreads several arcs so they do not coincide.
 */
export function edgeCurve(a: NodeGeom, b: NodeGeom, lane = 0): Curve {
  if (a === b || (a.x === b.x && a.y === b.y)) {
    const top = a.y - a.h / 2;
    return [{ x: a.x + 20, y: top }, { x: a.x + 60, y: top - 70 }, { x: a.x - 60, y: top - 70 }, { x: a.x - 20, y: top }];
  }
  if (b.x - b.w / 2 > a.x + a.w / 2) {
    const x1 = a.x + a.w / 2, x2 = b.x - b.w / 2;
    const bend = (x2 - x1) / 2;
    return [{ x: x1, y: a.y }, { x: x1 + bend, y: a.y }, { x: x2 - bend, y: b.y }, { x: x2, y: b.y }];
  }
  const y1 = a.y + a.h / 2, y2 = b.y + b.h / 2;
  const drop = 50 + 18 * lane + Math.abs(a.x - b.x) * 0.08;
  const low = Math.max(y1, y2) + drop;
  return [{ x: a.x + 12, y: y1 }, { x: a.x + 12, y: low }, { x: b.x - 12, y: low }, { x: b.x - 12, y: y2 }];
}

/** SVG path data of a curve. */
export function curvePath(c: Curve): string {
  const f = (p: Point): string => `${p.x.toFixed(1)},${p.y.toFixed(1)}`;
  return `M${f(c[0])} C${f(c[1])} ${f(c[2])} ${f(c[3])}`;
}

export function overlaps(a: Box, b: Box, pad = 0): boolean {
  return a.x < b.x + b.w + pad && b.x < a.x + a.w + pad && a.y < b.y + b.h + pad && b.y < a.y + a.h + pad;
}

export interface LabelRequest {
  id: string;
  curve: Curve;
  /** Sizes of the label's variants, preferred first (e.g. full text, then short text). */
  sizes: { w: number; h: number }[];
}

export interface LabelPlacement {
  id: string;
  /** Index into `sizes` of the variant placed, or -1 when none fits (show it on hover only). */
  variant: number;
  /** Centre of the label (for variant -1: the curve's midpoint). */
  x: number;
  y: number;
  box: Box | null;
}

const TS = [0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82, 0.12, 0.88];
const NUDGES = [0, -9, 9, -16, 16];

/**
 * Places labels in the order given (callers put the important ones first). A label box is
 * centred on a point of its own curve; it must keep `pad` px from every node box and every label
 * placed before it, and stay inside `bounds` when given.
 */
export function placeLabels(requests: readonly LabelRequest[], nodes: readonly Box[], pad = 3, bounds?: Box): LabelPlacement[] {
  const placed: Box[] = [];
  const out: LabelPlacement[] = [];
  for (const r of requests) {
    let done: LabelPlacement | null = null;
    for (let v = 0; v < r.sizes.length && !done; v++) {
      const { w, h } = r.sizes[v];
      for (const t of TS) {
        const p = bezierAt(r.curve, t);
        for (const dy of NUDGES) {
          const box = { x: p.x - w / 2, y: p.y + dy - h / 2, w, h };
          if (bounds && (box.x < bounds.x || box.y < bounds.y || box.x + w > bounds.x + bounds.w || box.y + h > bounds.y + bounds.h)) continue;
          if (nodes.some((n) => overlaps(box, n, pad)) || placed.some((b) => overlaps(box, b, pad))) continue;
          done = { id: r.id, variant: v, x: p.x, y: p.y + dy, box };
          break;
        }
        if (done) break;
      }
    }
    if (done) { placed.push(done.box!); out.push(done); continue; }
    const mid = bezierAt(r.curve, 0.5);
    out.push({ id: r.id, variant: -1, x: mid.x, y: mid.y, box: null });
  }
  return out;
}
