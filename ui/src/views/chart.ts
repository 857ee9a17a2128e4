/**
 * @module ui/views/chart: a thin uPlot wrapper: time-series line charts coloured from the theme,
 * resized with their container, with uPlot's legend (click a label set to toggle its series).
 */
import uPlot from 'uplot';
import { SERVICE_PALETTE } from '../lib/colors.js';
import { formatValue } from '../lib/format.js';
import { h } from './dom.js';
import { visibleText } from '../lib/visible-text.js';

export interface LineChart { el: HTMLElement; destroy(): void }

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

/**
 * A line chart of aligned data ([times (unix s), ...columns]); `labels` names each column.
 * Colours cycle through the service palette unless `colors` is given.
 */
export function lineChart(data: [number[], ...(number | null)[][]], labels: string[], opts: { unit?: string; colors?: string[]; height?: number } = {}): LineChart {
  const el = h('div', { class: 'chart', 'data-testid': 'metric-chart', 'data-series-count': String(labels.length), 'data-point-count': String(data[0].length) });
  const axis = cssVar('--text-muted', '#8a93a6');
  const grid = cssVar('--grid', 'rgba(128,128,128,.15)');
  const unit = opts.unit ? ` ${opts.unit}` : '';
  const fmt = (_u: uPlot, v: number | null): string => (v === null || v === undefined ? '—' : `${formatValue(v)}${unit}`);
  const options: uPlot.Options = {
    width: 800,
    height: opts.height ?? 300,
    cursor: { drag: { x: true, y: false } },
    legend: { live: true },
    scales: { x: { time: true } },
    axes: [
      { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } },
      { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, size: 70, values: (_u, vals) => vals.map((v) => formatValue(v)) },
    ],
    series: [
      { label: 'time' },
      ...labels.map((label, i) => ({
        label: visibleText(label), stroke: opts.colors?.[i] ?? SERVICE_PALETTE[i % SERVICE_PALETTE.length], width: 1.75, spanGaps: true,
        points: { show: data[0].length < 60 }, value: fmt,
      })),
    ],
  };
  let plot: uPlot | null = null;
  let ro: ResizeObserver | null = null;
  // uPlot needs a width: create once the element is in the page.
  const mount = (): void => {
    const w = Math.max(300, el.clientWidth || 800);
    plot = new uPlot({ ...options, width: w }, data as uPlot.AlignedData, el);
    ro = new ResizeObserver(() => { const nw = el.clientWidth; if (plot && nw > 0 && Math.abs(nw - plot.width) > 2) plot.setSize({ width: nw, height: options.height }); });
    ro.observe(el);
  };
  requestAnimationFrame(() => { if (el.isConnected) mount(); else setTimeout(() => el.isConnected && mount(), 50); });
  return { el, destroy() { ro?.disconnect(); plot?.destroy(); plot = null; } };
}
