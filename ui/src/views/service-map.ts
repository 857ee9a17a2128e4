/**
 * @module ui/views/service-map: services as nodes and cross-service calls as edges (call and
 * error counts), laid out left to right by lib/graph-layout. Clicking an edge lists example
 * traces that cross it. Service names are SVG <text>, never markup.
 */
import { getServiceMap, listTraces } from '../api.js';
import type { ServiceMap, ServiceMapEdge } from '../api-types.js';
import { serviceColor } from '../lib/colors.js';
import { formatCount, formatDuration, formatTimestamp, nanosToMs } from '../lib/format.js';
import { layoutGraph } from '../lib/graph-layout.js';
import { buildHash } from '../lib/route.js';
import { h, latestOnly, replace, s } from './dom.js';
import { emptyState, errorBanner } from './empty-state.js';
import { nothingYet, timeBounds } from './state.js';
import type { View } from './view.js';

const NODE_W = 150;
const NODE_H = 36;
/** Past this many edges only edges with errors keep a permanent label (the rest show it on hover). */
const LABEL_ALL_UP_TO = 12;

function clip(t: string, n: number): string {
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
}

/** Mounts the service map page. */
export function serviceMapView(): View {
  const graphHost = h('div', { class: 'map-host' });
  const side = h('div', { class: 'map-side' }, h('div', { class: 'muted small-pad' }, 'Click an edge to see example traces that cross it.'));
  const el = h('section', { class: 'view view-map', 'aria-label': 'Service map' }, h('div', { class: 'map-split' }, graphHost, side));
  const loader = latestOnly((err) => replace(graphHost, errorBanner(err)));
  let sig = '';
  let chosen = '';

  const showEdge = async (e: ServiceMapEdge): Promise<void> => {
    chosen = `${e.source}\u0000${e.target}`;
    for (const g of graphHost.querySelectorAll<SVGGElement>('.map-edge')) g.classList.toggle('selected', g.dataset.edge === chosen);
    replace(side, h('div', { class: 'panel-title' }, `${e.source} → ${e.target}`),
      h('div', { class: 'muted small-pad' }, `${e.callCount} call${e.callCount === 1 ? '' : 's'}, ${e.errorCount} error${e.errorCount === 1 ? '' : 's'}`),
      h('div', { class: 'muted small-pad' }, 'Loading example traces…'));
    try {
      const traces = (await listTraces({ service: e.source, limit: 300, ...timeBounds() })).filter((t) => t.services.includes(e.target)).slice(0, 15);
      if (chosen !== `${e.source}\u0000${e.target}`) return;
      side.lastChild?.remove();
      side.appendChild(traces.length
        ? h('ul', { class: 'example-traces', 'data-testid': 'edge-traces' }, ...traces.map((t) => h('li', null,
          h('a', { href: buildHash('trace', t.traceId) }, t.rootName || t.traceId),
          h('span', { class: `muted mono${t.errorCount ? ' err-text' : ''}` }, ` ${formatDuration(t.durationMs)} · ${formatTimestamp(nanosToMs(t.startTimeUnixNano))}`))))
        : h('div', { class: 'muted small-pad' }, 'No stored trace crosses this edge in the time range.'));
    } catch (err) {
      side.lastChild?.remove();
      side.appendChild(errorBanner(err));
    }
  };

  const draw = (m: ServiceMap): void => {
    const layout = layoutGraph(m.nodes.map((n) => n.name), m.edges, { layerGap: 240, rowGap: m.nodes.length > 12 ? 58 : 74, margin: 96 });
    const pos = new Map(layout.nodes.map((n) => [n.name, n]));
    const svg = s('svg', { class: 'map-svg', 'data-testid': 'service-map', viewBox: `0 0 ${layout.width} ${layout.height}`, preserveAspectRatio: 'xMidYMin meet', role: 'img', 'aria-label': 'Service map' },
      s('defs', null,
        s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '10', refY: '5', markerUnits: 'userSpaceOnUse', markerWidth: '10', markerHeight: '10', orient: 'auto-start-reverse' }, s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow-head' })),
        s('marker', { id: 'arrow-err', viewBox: '0 0 10 10', refX: '10', refY: '5', markerUnits: 'userSpaceOnUse', markerWidth: '10', markerHeight: '10', orient: 'auto-start-reverse' }, s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow-head err' }))));
    let maxCalls = 1;
    for (const e of m.edges) if (e.callCount > maxCalls) maxCalls = e.callCount;
    for (const e of m.edges) {
      const a = pos.get(e.source), b = pos.get(e.target);
      if (!a || !b) continue;
      let d: string;
      let lx: number, ly: number;
      if (a === b) {
        d = `M${a.x + 20},${a.y - NODE_H / 2} C${a.x + 60},${a.y - 90} ${a.x - 60},${a.y - 90} ${a.x - 20},${a.y - NODE_H / 2}`;
        lx = a.x; ly = a.y - 75;
      } else {
        const forward = b.x > a.x;
        const x1 = forward ? a.x + NODE_W / 2 : a.x, y1 = forward ? a.y : a.y + NODE_H / 2;
        const x2 = forward ? b.x - NODE_W / 2 : b.x, y2 = forward ? b.y : b.y + NODE_H / 2;
        const bend = forward ? (x2 - x1) / 2 : 0;
        d = forward ? `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}` : `M${x1},${y1} C${x1},${y1 + 80} ${x2},${y2 + 80} ${x2},${y2}`;
        // On the curve's midpoint, over a halo (see .edge-label), so it reads whichever way the edge bends.
        lx = (x1 + x2) / 2; ly = (y1 + y2) / 2 + (forward ? 4 : 64);
      }
      const hasErr = e.errorCount > 0;
      const width = 1.5 + 3 * (e.callCount / maxCalls);
      const key = `${e.source}\u0000${e.target}`;
      const summary = `${e.source} → ${e.target}: ${e.callCount} call${e.callCount === 1 ? '' : 's'}, ${e.errorCount} error${e.errorCount === 1 ? '' : 's'}`;
      const quiet = m.edges.length > LABEL_ALL_UP_TO && !hasErr;
      const g = s('g', { class: `map-edge${hasErr ? ' has-error' : ''}${quiet ? ' quiet' : ''}${key === chosen ? ' selected' : ''}`, 'data-edge': key, 'data-testid': 'map-edge', tabindex: '0', role: 'button', 'aria-label': summary },
        s('title', null, summary),
        s('path', { d, class: 'edge-hit' }),
        s('path', { d, class: 'edge-line', 'stroke-width': width.toFixed(1), 'marker-end': hasErr ? 'url(#arrow-err)' : 'url(#arrow)' }),
        s('text', { x: lx.toFixed(1), y: ly.toFixed(1), class: 'edge-label', 'text-anchor': 'middle' },
          `${formatCount(e.callCount)} call${e.callCount === 1 ? '' : 's'}`, hasErr ? s('tspan', { class: 'err' }, ` · ${formatCount(e.errorCount)} err`) : null));
      g.addEventListener('click', () => void showEdge(e));
      g.addEventListener('keydown', (ev: KeyboardEvent) => { if (ev.key === 'Enter') void showEdge(e); });
      svg.appendChild(g);
    }
    for (const n of layout.nodes) {
      const g = s('g', { class: 'map-node', 'data-service': n.name, transform: `translate(${n.x - NODE_W / 2},${n.y - NODE_H / 2})` },
        s('rect', { width: String(NODE_W), height: String(NODE_H), rx: '8', class: 'node-box' }),
        s('rect', { width: '6', height: String(NODE_H), rx: '3', fill: serviceColor(n.name) }),
        s('text', { x: String(NODE_W / 2 + 3), y: String(NODE_H / 2 + 5), 'text-anchor': 'middle', class: 'node-label' }, s('title', null, n.name), clip(n.name, 18)));
      svg.appendChild(g);
    }
    // Fit the container, but never shrink text below ~70 % (scroll instead).
    svg.style.width = '100%';
    svg.style.minWidth = `${Math.round(layout.width * 0.7)}px`; // below this the host scrolls
    svg.style.maxWidth = `${layout.width}px`;
    replace(graphHost, svg);
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
        if (!m.nodes.length && !m.edges.length) { replace(graphHost, nothingYet() ? emptyState('services') : h('div', { class: 'empty-state small' }, h('h2', null, 'No services yet'), h('p', { class: 'muted' }, 'Services appear once spans arrive.'))); return; }
        draw(m);
        if (!m.edges.length) replace(side, h('div', { class: 'muted small-pad' }, 'No calls between services yet: edges appear when a span’s parent belongs to another service.'));
      });
    },
    destroy() { loader.abort(); },
  };
  return view;
}
