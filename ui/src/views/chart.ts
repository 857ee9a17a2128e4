/**
 * @module ui/views/chart: a thin uPlot wrapper: time-series line charts coloured from the theme,
 * resized with their container, with uPlot's legend (click a label set to toggle its series).
 */
import uPlot from 'uplot';
import { axisLabels, axisSize, formatUnitValue, seriesColors } from '../lib/units.js';
import { h } from './dom.js';
import { visibleText } from '../lib/visible-text.js';

export interface LineChart { el: HTMLElement; destroy(): void }

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

/**
 * A line chart of aligned data ([times (unix s), ...columns]); `labels` names each column.
 * Every series gets its own colour (lib/units seriesColors) unless `colors` is given. Values and
 * the y axis are in human units (`By` → KiB/MiB, `s` → ms…, counts compact: 1.2M); the axis is
 * sized to its longest label, so a large number is never cut.
 */
export function lineChart(data: [number[], ...(number | null)[][]], labels: string[], opts: { unit?: string; colors?: string[]; height?: number } = {}): LineChart {
  const el = h('div', { class: 'chart', 'data-testid': 'metric-chart', 'data-series-count': String(labels.length), 'data-point-count': String(data[0].length) });
  const axis = cssVar('--text-muted', '#8a93a6');
  const grid = cssVar('--grid', 'rgba(128,128,128,.15)');
  const unit = opts.unit ?? '';
  const fmt = (_u: uPlot, v: number | null): string => (v === null || v === undefined ? '—' : formatUnitValue(v, unit));
  const palette = opts.colors ?? seriesColors(labels.length);
  const options: uPlot.Options = {
    width: 800,
    height: opts.height ?? 300,
    cursor: { drag: { x: true, y: false } },
    legend: { live: true },
    scales: { x: { time: true } },
    axes: [
      { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } },
      { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, values: (_u, vals) => axisLabels(vals, unit),
        // uPlot asks again once the ticks are known: fit the widest label (plus tick and gap).
        size: (u, values) => {
          if (!values?.length) return 50;
          const ctx = u.ctx;
          ctx.save();
          ctx.font = `${Math.round(12 * (devicePixelRatio || 1))}px system-ui, sans-serif`;
          const px = Math.max(...values.map((v) => ctx.measureText(String(v)).width)) / (devicePixelRatio || 1);
          ctx.restore();
          return Number.isFinite(px) && px > 0 ? Math.max(40, Math.ceil(px + 24)) : axisSize(values.map(String));
        } },
    ],
    series: [
      { label: 'time' },
      ...labels.map((label, i) => ({
        label: visibleText(label), stroke: palette[i], width: 1.75, spanGaps: true,
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
