/**
 * @module ui/views/heatmap: a histogram series as a heatmap over time (columns = points, rows =
 * buckets, colour = observations in the interval), drawn on one canvas with DOM axis labels.
 */
import type { MetricPoint } from '../api-types.js';
import { formatClock, formatValue } from '../lib/format.js';
import { heatmapMatrix } from '../lib/series.js';
import { h } from './dom.js';

const HEIGHT = 240;

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** Renders the heatmap (or a note when there is nothing to draw). */
export function heatmap(points: readonly MetricPoint[], cumulative: boolean, unit: string): HTMLElement {
  const m = heatmapMatrix(points, cumulative);
  if (!m || m.times.length === 0) return h('div', { class: 'muted small-pad' }, 'No bucket data to draw.');
  const nb = m.bounds.length + 1;
  const label = (b: number): string => (b === nb - 1 ? `> ${formatValue(m.bounds[nb - 2] ?? 0)}` : `≤ ${formatValue(m.bounds[b])}`);
  const canvas = h('canvas', { class: 'heatmap-canvas', 'data-testid': 'heatmap', 'aria-label': 'Histogram heatmap' });
  const yAxis = h('div', { class: 'heatmap-y' });
  const step = Math.max(1, Math.ceil(nb / 10));
  for (let b = nb - 1; b >= 0; b--) {
    const l = h('div', { class: 'heatmap-ylabel mono' }, b % step === 0 ? label(b) : '');
    l.style.height = `${HEIGHT / nb}px`;
    yAxis.appendChild(l);
  }
  const readout = h('div', { class: 'muted small heatmap-readout' }, 'Hover a cell for its bucket and count.');
  const xAxis = h('div', { class: 'heatmap-x muted mono small' }, h('span', null, formatClock(m.times[0] * 1000)), h('span', null, formatClock(m.times[m.times.length - 1] * 1000)));
  const plot = h('div', { class: 'heatmap-plot' }, canvas, xAxis);
  const el = h('div', { class: 'heatmap' }, h('div', { class: 'heatmap-body' }, yAxis, plot), readout);

  const draw = (): void => {
    const width = Math.max(200, plot.clientWidth);
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(HEIGHT * dpr);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${HEIGHT}px`;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.scale(dpr, dpr);
    ctx.fillStyle = cssVar('--track', '#232a36');
    ctx.fillRect(0, 0, width, HEIGHT);
    const color = cssVar('--accent', '#5b9dff');
    const cw = width / m.times.length;
    const ch = HEIGHT / nb;
    m.counts.forEach((col, t) => col.forEach((c, b) => {
      if (c <= 0) return;
      ctx.globalAlpha = 0.15 + 0.85 * Math.sqrt(c / Math.max(1, m.max));
      ctx.fillStyle = color;
      ctx.fillRect(t * cw + 0.5, HEIGHT - (b + 1) * ch + 0.5, Math.max(1, cw - 1), Math.max(1, ch - 1));
    }));
    ctx.globalAlpha = 1;
  };
  canvas.addEventListener('mousemove', (e) => {
    const r = canvas.getBoundingClientRect();
    const t = Math.min(m.times.length - 1, Math.max(0, Math.floor(((e.clientX - r.left) / r.width) * m.times.length)));
    const b = Math.min(nb - 1, Math.max(0, nb - 1 - Math.floor(((e.clientY - r.top) / r.height) * nb)));
    readout.textContent = `${formatClock(m.times[t] * 1000)} · ${label(b)}${unit ? ` ${unit}` : ''} · ${formatValue(m.counts[t][b])} observations`;
  });
  let ro: ResizeObserver | null = null;
  requestAnimationFrame(() => {
    if (!el.isConnected) return;
    draw();
    let lastW = plot.clientWidth;
    ro = new ResizeObserver(() => { if (plot.clientWidth !== lastW) { lastW = plot.clientWidth; draw(); } });
    ro.observe(plot);
  });
  return el;
}
