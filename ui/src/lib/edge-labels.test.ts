// Unit tests for ui/lib/edge-labels: edge curves and label placement without overlaps.
import { describe, expect, it } from 'vitest';
import { bezierAt, edgeCurve, overlaps, placeLabels, type Box, type LabelRequest, type NodeGeom } from './edge-labels.js';
import { layoutGraph } from './graph-layout.js';

const node = (name: string, x: number, y: number): NodeGeom => ({ name, x, y, w: 150, h: 36 });

describe('edge-labels', () => {
  it('runs forward edges from the caller\'s right side to the callee\'s left side', () => {
    const c = edgeCurve(node('a', 100, 100), node('b', 400, 200));
    expect(c[0]).toEqual({ x: 175, y: 100 });
    expect(c[3]).toEqual({ x: 325, y: 200 });
    expect(bezierAt(c, 0)).toEqual(c[0]);
    expect(bezierAt(c, 1)).toEqual(c[3]);
    // Back edges arc below both nodes; self-calls loop above.
    const back = edgeCurve(node('b', 400, 200), node('a', 100, 100));
    expect(Math.min(back[1].y, back[2].y)).toBeGreaterThan(218);
    const a = node('a', 100, 100);
    expect(edgeCurve(a, a)[1].y).toBeLessThan(82);
  });

  it('places labels on their edge, off every node and every other label', () => {
    const names = Array.from({ length: 20 }, (_, i) => `svc-${i}`);
    const edges = names.slice(1).map((n, i) => ({ source: names[Math.floor(i / 4)], target: n }));
    edges.push({ source: 'svc-5', target: 'svc-19' }, { source: 'svc-2', target: 'svc-9' }, { source: 'svc-19', target: 'svc-0' });
    const l = layoutGraph(names, edges, { layerGap: 150 + 110 + 36, rowGap: 60, margin: 115 });
    const geom = new Map(l.nodes.map((n) => [n.name, node(n.name, n.x, n.y)]));
    const boxes: Box[] = [...geom.values()].map((n) => ({ x: n.x - 75, y: n.y - 18, w: 150, h: 36 }));
    const reqs: LabelRequest[] = edges.map((e, i) => ({ id: String(i), curve: edgeCurve(geom.get(e.source)!, geom.get(e.target)!, i), sizes: [{ w: 104, h: 17 }, { w: 48, h: 17 }] }));
    const placed = placeLabels(reqs, boxes, 3);
    expect(placed).toHaveLength(edges.length);
    const shown = placed.filter((p) => p.variant >= 0);
    expect(shown.length).toBeGreaterThanOrEqual(Math.ceil(edges.length * 0.8));
    for (const p of shown) {
      for (const b of boxes) expect(overlaps(p.box!, b)).toBe(false);
      for (const q of shown) if (q !== p) expect(overlaps(p.box!, q.box!)).toBe(false);
    }
  });

  it('falls back to the short label, then to hover only, when nothing fits', () => {
    const c = edgeCurve(node('a', 100, 100), node('b', 300, 100));
    // The gap between the nodes is 50 px: the 104 px label cannot fit, the 40 px one can.
    const [p] = placeLabels([{ id: 'x', curve: c, sizes: [{ w: 104, h: 17 }, { w: 40, h: 17 }] }], [
      { x: 25, y: 82, w: 150, h: 36 }, { x: 225, y: 82, w: 150, h: 36 },
    ], 3, { x: 0, y: 90, w: 400, h: 20 });
    expect(p.variant).toBe(1);
    const [q] = placeLabels([{ id: 'y', curve: c, sizes: [{ w: 104, h: 17 }] }], [{ x: 0, y: 0, w: 400, h: 200 }]);
    expect(q.variant).toBe(-1);
    expect(q.box).toBeNull();
  });
});
