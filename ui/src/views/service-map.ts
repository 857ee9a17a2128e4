/**
 * @module ui/views/service-map: services, databases, messaging systems and external peers as
 * nodes (a shape and colour per type), calls as arrows, laid out left to right by
 * lib/graph-layout with the gap between layers sized to the measured labels; edge labels are
 * placed by lib/edge-labels so none overlaps a node or another label (a label that fits nowhere
 * shows on hover). Click a service for its traces, an edge for the traces crossing it.
 * Names are SVG <text>, never markup.
 */
import { getServiceMap, listTraces } from '../api.js';
import type { ServiceMap, ServiceMapEdge, TraceSummary } from '../api-types.js';
import { serviceColor } from '../lib/colors.js';
import { curvePath, edgeCurve, placeLabels, type Box, type LabelRequest, type NodeGeom } from '../lib/edge-labels.js';
import { formatCount, formatDuration, formatTimestamp, nanosToMs } from '../lib/format.js';
import { layoutGraph } from '../lib/graph-layout.js';
import { buildHash } from '../lib/route.js';
import { h, latestOnly, replace, s } from './dom.js';
import { emptyState, errorBanner } from './empty-state.js';
import { nothingYet, timeBounds } from './state.js';
import type { View } from './view.js';

const NODE_W = 132;
const NODE_H = 36;
const LABEL_H = 17;
const LABEL_PAD_X = 5;
const MARGIN = 14;

type NodeType = 'service' | 'database' | 'messaging' | 'external';

function clip(t: string, n: number): string {
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
}

function nodeType(t: unknown): NodeType {
  return t === 'database' || t === 'messaging' || t === 'external' ? t : 'service';
}

const plural = (n: number, w: string): string => `${formatCount(n)} ${w}${n === 1 ? '' : 's'}`;

/** The label texts of an edge: full, then short. */
export function edgeLabelTexts(e: ServiceMapEdge): [string, string] {
  const err = e.errorCount > 0;
  const full = `${plural(e.callCount, 'call')}${err ? ` · ${formatCount(e.errorCount)} err` : ''}`;
  const short = `${formatCount(e.callCount)}${err ? ` · ${formatCount(e.errorCount)}✕` : ''}`;
  return [full, short];
}

/**
 * The trace queries that find traces from `source` into a non-service node: its name starts with
 * the system (`postgresql …`, `kafka …`); an external peer is its `server.address`/`peer.service`.
 */
function peerAttrs(name: string, type: NodeType): string[] {
  const sys = /^[A-Za-z0-9_.-]+/.exec(name)?.[0] ?? name;
  if (type === 'database') return [`db.system.name=${sys}`, `db.system=${sys}`];
  if (type === 'messaging') return [`messaging.system=${sys}`];
  return [`server.address=${name}`, `peer.service=${name}`];
}

function nodeShape(type: NodeType): SVGElement[] {
  const W = NODE_W, H = NODE_H;
  switch (type) {
    case 'database':
      // A cylinder: body with an elliptic top rim.
      return [
        s('path', { class: 'node-box node-db', d: `M0,6 A${W / 2},6 0 0 0 ${W},6 L${W},${H - 6} A${W / 2},6 0 0 1 0,${H - 6} Z` }),
        s('path', { class: 'node-rim', d: `M0,6 A${W / 2},6 0 0 0 ${W},6 A${W / 2},6 0 0 0 0,6 Z` }),
      ];
    case 'messaging':
      // A queue: a pill with slots at its right end.
      return [
        s('rect', { class: 'node-box node-mq', width: String(W), height: String(H), rx: String(H / 2) }),
        s('path', { class: 'node-slots', d: `M${W - 28},8 V${H - 8} M${W - 21},8 V${H - 8} M${W - 14},8 V${H - 8}` }),
      ];
    case 'external':
      return [s('rect', { class: 'node-box node-ext', width: String(W), height: String(H), rx: '3' })];
    default:
      return [s('rect', { class: 'node-box', width: String(W), height: String(H), rx: '8' })];
  }
}

const TYPE_WORD: Record<NodeType, string> = { service: 'service', database: 'database', messaging: 'messaging', external: 'external' };

/** Mounts the service map page. */
export function serviceMapView(): View {
  const graphHost = h('div', { class: 'map-host' });
  const legend = h('div', { class: 'map-legend muted' },
    h('span', { class: 'lg lg-service' }, 'service'), h('span', { class: 'lg lg-database' }, 'database'),
    h('span', { class: 'lg lg-messaging' }, 'messaging'), h('span', { class: 'lg lg-external' }, 'external'),
    h('span', null, 'Arrows point from caller to callee.'));
  const side = h('div', { class: 'map-side' }, h('div', { class: 'muted small-pad' }, 'Click a node for its traces, an edge for the traces that cross it.'));
  const el = h('section', { class: 'view view-map', 'aria-label': 'Service map' }, legend, h('div', { class: 'map-split' }, graphHost, side));
  const loader = latestOnly((err) => replace(graphHost, errorBanner(err)));
  let sig = '';
  let chosen = '';
  let types = new Map<string, NodeType>();
  let current: ServiceMap = { nodes: [], edges: [] };

  const traceList = (traces: TraceSummary[]): HTMLElement => (traces.length
    ? h('ul', { class: 'example-traces', 'data-testid': 'edge-traces' }, ...traces.map((t) => h('li', null,
      h('a', { href: buildHash('trace', t.traceId) }, t.rootName || t.traceId),
      h('span', { class: `muted mono${t.errorCount ? ' err-text' : ''}` }, ` ${formatDuration(t.durationMs)} · ${formatTimestamp(nanosToMs(t.startTimeUnixNano))}`))))
    : h('div', { class: 'muted small-pad' }, 'No stored trace crosses this edge in the time range.'));

  const markSelected = (): void => {
    for (const g of graphHost.querySelectorAll<SVGGElement>('.map-edge')) g.classList.toggle('selected', g.dataset.edge === chosen);
    for (const g of graphHost.querySelectorAll<SVGGElement>('.map-node')) g.classList.toggle('selected', `\tnode ${g.dataset.service}` === chosen);
  };

  const showEdge = async (e: ServiceMapEdge): Promise<void> => {
    const key = `${e.source} → ${e.target}`;
    chosen = key;
    markSelected();
    const tt = types.get(e.target) ?? 'service';
    const all = tt === 'service' ? h('a', { class: 'panel-link', href: buildHash('traces', undefined, { service: e.source, via: e.target }) }, 'All traces between them →') : null;
    const status = h('div', { class: 'muted small-pad' }, 'Loading example traces…');
    replace(side, h('div', { class: 'panel-title' }, `${e.source} → ${e.target}`),
      h('div', { class: 'muted small-pad' }, `${plural(e.callCount, 'call')}, ${plural(e.errorCount, 'error')}${typeof e.p50Ms === 'number' ? `, p50 ${formatDuration(e.p50Ms)}` : ''}`),
      all, status);
    try {
      let traces: TraceSummary[];
      if (tt === 'service') {
        traces = (await listTraces({ service: e.source, limit: 300, ...timeBounds() })).filter((t) => t.services.includes(e.target));
      } else {
        const lists = await Promise.all(peerAttrs(e.target, tt).map((attr) => listTraces({ service: e.source, attr, limit: 50, ...timeBounds() }).catch(() => [] as TraceSummary[])));
        const seen = new Set<string>();
        traces = lists.flat().filter((t) => !seen.has(t.traceId) && !!seen.add(t.traceId))
          .sort((a, b) => (BigInt(b.startTimeUnixNano || '0') > BigInt(a.startTimeUnixNano || '0') ? 1 : -1));
      }
      if (chosen !== key) return;
      status.replaceWith(traceList(traces.slice(0, 15)));
    } catch (err) {
      status.replaceWith(errorBanner(err));
    }
  };

  const showPeer = (name: string, type: NodeType): void => {
    chosen = `\tnode ${name}`;
    markSelected();
    const callers = current.edges.filter((e) => e.target === name);
    replace(side, h('div', { class: 'panel-title' }, name, h('span', { class: 'muted' }, ` ${TYPE_WORD[type]}`)),
      h('div', { class: 'muted small-pad' }, callers.length ? 'Called by:' : 'No recorded callers.'),
      h('ul', { class: 'example-traces' }, ...callers.map((e) => {
        const b = h('button', { class: 'btn small-btn', type: 'button' }, `${e.source}: ${plural(e.callCount, 'call')}`);
        b.addEventListener('click', () => void showEdge(e));
        return h('li', null, b);
      })));
  };

  const openNode = (name: string, type: NodeType): void => {
    if (type === 'service') location.hash = buildHash('traces', undefined, { service: name });
    else showPeer(name, type);
  };

  const draw = (m: ServiceMap): void => {
    types = new Map(m.nodes.map((n) => [n.name, nodeType(n.type)]));
    const svg = s('svg', { class: 'map-svg', 'data-testid': 'service-map', role: 'img', 'aria-label': 'Service map' });
    replace(graphHost, svg);
    // Measure the label texts as rendered (font from the stylesheet); estimate when not in the page.
    const probe = s('text', { class: 'edge-label' });
    svg.appendChild(probe);
    const measure = (t: string): number => {
      probe.textContent = t;
      const w = svg.isConnected ? probe.getComputedTextLength() : 0;
      return (w > 0 ? w : t.length * 6.8) + 2 * LABEL_PAD_X;
    };
    const texts = new Map(m.edges.map((e) => [`${e.source} → ${e.target}`, edgeLabelTexts(e)]));
    const widths = new Map([...texts].map(([k, [full, short]]) => [k, [measure(full), measure(short)]]));
    probe.remove();
    const widest = Math.min(180, Math.max(60, ...[...widths.values()].map((w) => w[0])));
    const many = m.nodes.length > 12;
    const layout = layoutGraph(m.nodes.map((n) => n.name), m.edges, { layerGap: NODE_W + widest + 26, rowGap: many ? 60 : 76, margin: MARGIN + NODE_W / 2 });
    const width = layout.width;
    const geom = new Map<string, NodeGeom>(layout.nodes.map((n) => [n.name, { name: n.name, x: n.x, y: n.y, w: NODE_W, h: NODE_H }]));
    svg.appendChild(s('defs', null,
      s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '10', refY: '5', markerUnits: 'userSpaceOnUse', markerWidth: '10', markerHeight: '10', orient: 'auto-start-reverse' }, s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow-head' })),
      s('marker', { id: 'arrow-err', viewBox: '0 0 10 10', refX: '10', refY: '5', markerUnits: 'userSpaceOnUse', markerWidth: '10', markerHeight: '10', orient: 'auto-start-reverse' }, s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow-head err' }))));
    let maxCalls = 1;
    for (const e of m.edges) if (e.callCount > maxCalls) maxCalls = e.callCount; // a loop: never spread a telemetry-sized array
    const nodeBoxes: Box[] = [...geom.values()].map((n) => ({ x: n.x - n.w / 2, y: n.y - n.h / 2, w: n.w, h: n.h }));
    // Important labels first: errors, then the busiest edges.
    const order = m.edges.map((e, i) => ({ e, i })).filter(({ e }) => geom.has(e.source) && geom.has(e.target))
      .sort((a, b) => (b.e.errorCount > 0 ? 1 : 0) - (a.e.errorCount > 0 ? 1 : 0) || b.e.callCount - a.e.callCount || a.i - b.i);
    const lanes = new Map<string, number>();
    const curves = new Map<string, ReturnType<typeof edgeCurve>>();
    for (const { e } of order) {
      const a = geom.get(e.source)!, b = geom.get(e.target)!;
      const backward = a !== b && !(b.x - b.w / 2 > a.x + a.w / 2);
      const laneKey = backward ? 'back' : '';
      const lane = lanes.get(laneKey) ?? 0;
      if (backward) lanes.set(laneKey, lane + 1);
      curves.set(`${e.source} → ${e.target}`, edgeCurve(a, b, lane));
    }
    // Room below for the arcs of edges that go back to an earlier layer (and above for self-calls).
    let height = layout.height;
    for (const c of curves.values()) for (const p of c) height = Math.max(height, p.y + 30);
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    svg.setAttribute('preserveAspectRatio', 'xMidYMin meet');
    const requests: LabelRequest[] = order.map(({ e }) => {
      const k = `${e.source} → ${e.target}`;
      const [wf, ws] = widths.get(k)!;
      return { id: k, curve: curves.get(k)!, sizes: [{ w: wf, h: LABEL_H }, { w: ws, h: LABEL_H }] };
    });
    const placements = new Map(placeLabels(requests, nodeBoxes, 3, { x: 0, y: 0, w: width, h: height }).map((p) => [p.id, p]));
    const edgeLayer = s('g', { class: 'map-edges' });
    const labelLayer = s('g', { class: 'map-labels' });
    for (const { e } of order) {
      const key = `${e.source} → ${e.target}`;
      const d = curvePath(curves.get(key)!);
      const hasErr = e.errorCount > 0;
      const strokeW = 1.5 + 3 * (e.callCount / maxCalls);
      const summary = `${e.source} → ${e.target}: ${e.callCount} call${e.callCount === 1 ? '' : 's'}, ${e.errorCount} error${e.errorCount === 1 ? '' : 's'}`;
      const p = placements.get(key)!;
      const [full, short] = texts.get(key)!;
      const variant = p.variant < 0 ? 0 : p.variant;
      const text = variant === 0 ? full : short;
      const w = widths.get(key)![variant];
      const labelG = s('g', { class: `edge-label-g${p.variant < 0 ? ' hover-only' : ''}${p.variant === 1 ? ' short' : ''}`, 'data-testid': 'edge-label', 'data-edge': key },
        s('rect', { class: 'edge-label-bg', x: (p.x - w / 2).toFixed(1), y: (p.y - LABEL_H / 2).toFixed(1), width: w.toFixed(1), height: String(LABEL_H), rx: '4' }),
        s('text', { x: p.x.toFixed(1), y: (p.y + 4).toFixed(1), class: 'edge-label', 'text-anchor': 'middle' },
          hasErr ? [text.split(' · ')[0], s('tspan', { class: 'err' }, ` · ${text.split(' · ')[1]}`)] : text));
      const g = s('g', { class: `map-edge${hasErr ? ' has-error' : ''}${key === chosen ? ' selected' : ''}`, 'data-edge': key, 'data-testid': 'map-edge', tabindex: '0', role: 'button', 'aria-label': summary },
        s('title', null, summary),
        s('path', { d, class: 'edge-hit' }),
        s('path', { d, class: 'edge-line', 'stroke-width': strokeW.toFixed(1), 'marker-end': hasErr ? 'url(#arrow-err)' : 'url(#arrow)' }));
      const open = (): void => void showEdge(e);
      const hover = (on: boolean): void => { labelG.classList.toggle('hovered', on); g.classList.toggle('hovered', on); };
      for (const t of [g, labelG]) {
        t.addEventListener('click', open);
        t.addEventListener('mouseenter', () => hover(true));
        t.addEventListener('mouseleave', () => hover(false));
      }
      g.addEventListener('keydown', (ev: KeyboardEvent) => { if (ev.key === 'Enter') open(); });
      labelG.appendChild(s('title', null, summary));
      edgeLayer.appendChild(g);
      labelLayer.appendChild(labelG);
    }
    const nodeLayer = s('g', { class: 'map-nodes' });
    for (const n of layout.nodes) {
      const type = types.get(n.name) ?? 'service';
      const g = s('g', {
        class: `map-node type-${type}${chosen === `\tnode ${n.name}` ? ' selected' : ''}`, 'data-service': n.name, 'data-type': type, 'data-testid': 'map-node',
        transform: `translate(${n.x - NODE_W / 2},${n.y - NODE_H / 2})`, tabindex: '0', role: 'button',
        'aria-label': type === 'service' ? `${n.name}: open its traces` : `${n.name} (${type})`,
      },
      s('title', null, `${n.name} (${type})`),
      ...nodeShape(type),
      type === 'service' ? s('rect', { width: '6', height: String(NODE_H), rx: '3', fill: serviceColor(n.name) }) : null,
      s('text', { x: String(NODE_W / 2 + (type === 'messaging' ? -10 : 3)), y: String(NODE_H / 2 + 5 + (type === 'database' ? 2 : 0)), 'text-anchor': 'middle', class: 'node-label' }, clip(n.name, type === 'messaging' ? 13 : 16)));
      g.addEventListener('click', () => openNode(n.name, type));
      g.addEventListener('keydown', (ev: KeyboardEvent) => { if (ev.key === 'Enter') openNode(n.name, type); });
      nodeLayer.appendChild(g);
    }
    // Labels over nodes in paint order, so a hover label reads even where it crosses one.
    svg.append(edgeLayer, nodeLayer, labelLayer);
    svg.style.width = '100%';
    svg.style.minWidth = `${Math.round(width * 0.5)}px`; // below this the host scrolls (text stays ≥ 6.5 px)
    svg.style.maxWidth = `${width}px`;
  };

  const view: View = {
    el,
    async refresh() {
      await loader.run(async (signal) => {
        const m = await getServiceMap(signal);
        if (signal.aborted) return;
        const next = JSON.stringify(m);
        if (next === sig) return;
        sig = next;
        current = m;
        if (!m.nodes.length && !m.edges.length) { replace(graphHost, nothingYet() ? emptyState('services') : h('div', { class: 'empty-state small' }, h('h2', null, 'No services yet'), h('p', { class: 'muted' }, 'Services appear once spans arrive.'))); return; }
        draw(m);
        if (!m.edges.length) replace(side, h('div', { class: 'muted small-pad' }, 'No calls between services yet: edges appear when a span’s parent belongs to another service.'));
      });
    },
    destroy() { loader.abort(); },
  };
  return view;
}
