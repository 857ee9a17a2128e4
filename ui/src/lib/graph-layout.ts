/**
 * @module ui/lib/graph-layout: a layered left-to-right layout for the service map (callers left
 * of callees), with barycentre ordering to limit crossings. Pure; readable up to ~30 services.
 */

export interface GraphNodeLayout { name: string; x: number; y: number; layer: number }
export interface GraphLayout { nodes: GraphNodeLayout[]; width: number; height: number }

export interface GraphLayoutOptions {
  layerGap?: number;
  rowGap?: number;
  margin?: number;
}

/**
 * Places nodes in layers by longest path from the sources (cycles broken by ignoring back
 * edges found in a depth-first pass), then orders each layer by the mean position of its
 * neighbours in the previous layer. Isolated nodes go in layer 0. Coordinates are node centres.
 */
export function layoutGraph(
  names: readonly string[], edges: readonly { source: string; target: string }[], opts: GraphLayoutOptions = {},
): GraphLayout {
  const layerGap = opts.layerGap ?? 220;
  const rowGap = opts.rowGap ?? 80;
  const margin = opts.margin ?? 90;
  const nodes = [...new Set([...names, ...edges.flatMap((e) => [e.source, e.target])])].sort();
  const out = new Map<string, string[]>();
  for (const n of nodes) out.set(n, []);
  for (const e of edges) if (e.source !== e.target) out.get(e.source)!.push(e.target);

  // Drop back edges (DFS, iterative) so the rest is a DAG.
  const state = new Map<string, number>(); // 1 on stack, 2 done
  const dag = new Map<string, string[]>();
  for (const n of nodes) dag.set(n, []);
  for (const root of nodes) {
    if (state.has(root)) continue;
    const stack: { n: string; i: number }[] = [{ n: root, i: 0 }];
    state.set(root, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const next = out.get(top.n)![top.i++];
      if (next === undefined) { state.set(top.n, 2); stack.pop(); continue; }
      const st = state.get(next);
      if (st === 1) continue; // back edge
      dag.get(top.n)!.push(next);
      if (st === undefined) { state.set(next, 1); stack.push({ n: next, i: 0 }); }
    }
  }
  // Longest path layering in topological order.
  const indeg = new Map<string, number>(nodes.map((n) => [n, 0]));
  for (const list of dag.values()) for (const t of list) indeg.set(t, indeg.get(t)! + 1);
  const layer = new Map<string, number>(nodes.map((n) => [n, 0]));
  const queue = nodes.filter((n) => indeg.get(n) === 0);
  while (queue.length) {
    const n = queue.shift()!;
    for (const t of dag.get(n)!) {
      layer.set(t, Math.max(layer.get(t)!, layer.get(n)! + 1));
      indeg.set(t, indeg.get(t)! - 1);
      if (indeg.get(t) === 0) queue.push(t);
    }
  }
  const layers: string[][] = [];
  for (const n of nodes) (layers[layer.get(n)!] ??= []).push(n);
  for (let i = 0; i < layers.length; i++) layers[i] ??= [];

  // Barycentre ordering, two sweeps.
  const preds = new Map<string, string[]>(nodes.map((n) => [n, []]));
  for (const [s, list] of dag) for (const t of list) preds.get(t)!.push(s);
  const pos = new Map<string, number>();
  layers.forEach((l) => l.forEach((n, i) => pos.set(n, i)));
  for (let sweep = 0; sweep < 2; sweep++) {
    for (let li = 1; li < layers.length; li++) {
      const bary = (n: string): number => {
        const p = preds.get(n)!.filter((x) => layer.get(x) === li - 1);
        return p.length ? p.reduce((a, x) => a + pos.get(x)!, 0) / p.length : pos.get(n)!;
      };
      layers[li].sort((a, b) => bary(a) - bary(b) || a.localeCompare(b));
      layers[li].forEach((n, i) => pos.set(n, i));
    }
  }
  let maxRows = 1;
  for (const l of layers) if (l.length > maxRows) maxRows = l.length;
  const height = margin * 2 + (maxRows - 1) * rowGap;
  const width = margin * 2 + Math.max(0, layers.length - 1) * layerGap;
  const placed: GraphNodeLayout[] = [];
  layers.forEach((l, li) => {
    const offset = (height - (l.length - 1) * rowGap) / 2;
    l.forEach((name, i) => placed.push({ name, layer: li, x: margin + li * layerGap, y: offset + i * rowGap }));
  });
  return { nodes: placed, width, height };
}
