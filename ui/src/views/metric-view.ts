/**
 * @module ui/views/metric-view: one metric (#/metrics/{name}): a line per series (gauge, sum as
 * rate or total), percentile lines p50/p95/p99 and the latest bucket distribution for
 * histograms, quantile lines for summaries. Data: GET /api/metrics/{name}.
 */
import { getMetric } from '../api.js';
import type { MetricPoint, MetricSeries, MetricSeriesSet } from '../api-types.js';
import { toNumber } from '../lib/histogram.js';
import { formatValue } from '../lib/format.js';
import { alignColumns, isCumulative, pointBuckets, quantileColumns, rateColumn, seriesLabel, valueColumn, type Column } from '../lib/series.js';
import { unitLabel, varyingLabels } from '../lib/units.js';
import type { Route } from '../lib/route.js';
import { lineChart, type LineChart } from './chart.js';
import { heatmap } from './heatmap.js';
import { h, latestOnly, replace } from './dom.js';
import { errorBanner } from './empty-state.js';
import { timeBounds } from './state.js';
import type { View } from './view.js';

const QS = [0.5, 0.95, 0.99];
const Q_COLORS = ['#3fb68b', '#f5a524', '#e5604d'];
const MAX_SERIES = 40;

function segmented<T extends string>(options: [T, string][], value: T, onChange: (v: T) => void): HTMLElement {
  const wrap = h('div', { class: 'segmented', role: 'group' });
  for (const [v, label] of options) {
    const b = h('button', { class: `seg${v === value ? ' on' : ''}`, type: 'button', 'aria-pressed': String(v === value) }, label);
    b.addEventListener('click', () => onChange(v));
    wrap.appendChild(b);
  }
  return wrap;
}

/** The latest histogram point's buckets as DOM bars (height ∝ count). */
function distribution(p: MetricPoint, unit: string): HTMLElement | null {
  const b = pointBuckets(p);
  if (!b) return null;
  let max = 1;
  for (const c of b.counts) if (c > max) max = c; // a loop, not Math.max(...): a point may have many buckets
  const bars = b.counts.map((c, i) => {
    const lo = i === 0 ? '−∞' : formatValue(b.bounds[i - 1]);
    const hi = i === b.counts.length - 1 ? '+∞' : formatValue(b.bounds[i]);
    const fill = h('div', { class: 'dist-fill' });
    fill.style.height = `${(c / max) * 100}%`;
    return h('div', { class: 'dist-col', title: `(${lo}, ${hi}]${unit ? ` ${unit}` : ''}: ${c}` },
      h('div', { class: 'dist-count mono' }, c ? formatValue(c) : ''), h('div', { class: 'dist-bar' }, fill), h('div', { class: 'dist-label mono' }, `≤${hi}`));
  });
  return h('div', { class: 'dist' }, bars);
}

/** Mounts the metric detail page. */
export function metricView(route: Route): View {
  const name = route.param ?? '';
  let counterMode: 'rate' | 'total' | null = null;
  let histMode: 'percentiles' | 'heatmap' = 'percentiles';
  let seriesIdx = 0;
  let chart: LineChart | null = null;
  const loader = latestOnly((err) => replace(bodyEl, errorBanner(err)));
  let lastSig = '';
  let set: MetricSeriesSet | undefined;
  const head = h('div', { class: 'metric-head' }, h('a', { class: 'back-link', href: '#/metrics' }, '← Metrics'), h('h2', { class: 'metric-title' }, name));
  const bodyEl = h('div', { class: 'metric-body' });
  const el = h('section', { class: 'view view-metric', 'aria-label': `Metric ${name}` }, head, bodyEl);

  const render = (): void => {
    if (!set) return;
    chart?.destroy();
    chart = null;
    const s = set;
    const cumulative = isCumulative(s);
    const series = s.series.slice(0, MAX_SERIES);
    const unit = s.unit;
    replace(head,
      h('a', { class: 'back-link', href: '#/metrics' }, '← Metrics'),
      h('h2', { class: 'metric-title' }, s.name),
      h('span', { class: `badge type-${s.type}` }, s.type.replace('_', ' ')),
      unit ? h('span', { class: 'badge mono', title: `unit ${unit}` }, unitLabel(unit) || unit) : null,
      s.temporality ? h('span', { class: 'badge' }, s.temporality) : null,
      s.monotonic ? h('span', { class: 'badge' }, 'monotonic') : null,
      s.description ? h('div', { class: 'muted metric-desc' }, s.description) : null);
    const controls = h('div', { class: 'chart-controls' });
    const parts: (HTMLElement | null)[] = [controls];
    if (s.type === 'gauge' || s.type === 'sum') {
      if (s.type === 'sum') {
        counterMode ??= s.monotonic ? 'rate' : 'total';
        controls.appendChild(segmented<'rate' | 'total'>([['rate', 'Rate /s'], ['total', cumulative ? 'Total' : 'Per interval']], counterMode, (v) => { counterMode = v; render(); }));
      }
      const asRate = s.type === 'sum' && counterMode === 'rate';
      const cols: Column[] = series.map((x) => (asRate ? rateColumn(x.points, cumulative) : valueColumn(x.points)));
      chart = lineChart(alignColumns(cols), varyingLabels(series), { unit: asRate ? `${unit || '1'}/s` : unit });
      parts.push(h('div', { class: 'panel' }, h('div', { class: 'panel-title' }, asRate ? 'Rate per second' : 'Value', h('span', { class: 'muted' }, ` · ${series.length} series — click a legend entry to hide it`)), chart.el));
    } else {
      if (seriesIdx >= series.length) seriesIdx = 0;
      if (series.length > 1) {
        const sel = h('select', { class: 'input', 'aria-label': 'Series' }, series.map((x, i) => h('option', { value: String(i) }, seriesLabel(x))));
        sel.value = String(seriesIdx);
        sel.addEventListener('change', () => { seriesIdx = Number(sel.value); render(); });
        controls.appendChild(h('label', { class: 'check' }, 'Series ', sel));
      }
      if (s.type !== 'summary') {
        controls.appendChild(segmented<'percentiles' | 'heatmap'>([['percentiles', 'Percentiles'], ['heatmap', 'Heatmap']], histMode, (v) => { histMode = v; render(); }));
      }
      const one: MetricSeries | undefined = series[seriesIdx];
      if (one && histMode === 'heatmap' && s.type !== 'summary') {
        parts.push(h('div', { class: 'panel' }, h('div', { class: 'panel-title' }, 'Observations per bucket over time', h('span', { class: 'muted' }, ` · ${seriesLabel(one)}`)), heatmap(one.points, cumulative, unit)));
      } else if (one) {
        const cols = quantileColumns(one.points, QS, cumulative);
        chart = lineChart(alignColumns(cols), QS.map((q) => `p${Math.round(q * 100)}`), { unit, colors: Q_COLORS });
        parts.push(h('div', { class: 'panel' }, h('div', { class: 'panel-title' }, s.type === 'summary' ? 'Quantiles' : 'Percentiles from buckets (p50 / p95 / p99)', h('span', { class: 'muted' }, ` · ${seriesLabel(one)}`)), chart.el));
      }
      if (one) {
        const last = one.points[one.points.length - 1];
        const dist = last && s.type !== 'summary' ? distribution(last, unit) : null;
        if (last) {
          const avg = typeof last.count === 'number' && last.count > 0 ? toNumber(last.sum) / last.count : NaN;
          parts.push(h('div', { class: 'panel' },
            h('div', { class: 'panel-title' }, 'Latest point', h('span', { class: 'muted' }, ` · count ${formatValue(last.count ?? null)} · sum ${formatValue(last.sum ?? null)}${Number.isFinite(avg) ? ` · mean ${formatValue(avg)}` : ''}${last.min !== undefined ? ` · min ${formatValue(last.min)}` : ''}${last.max !== undefined ? ` · max ${formatValue(last.max)}` : ''}`)),
            dist ?? h('div', { class: 'muted small-pad' }, s.type === 'summary' ? (last.quantiles ?? []).map((q) => `q${formatValue(q.quantile)} = ${formatValue(q.value)}`).join(' · ') : 'No buckets.')));
        }
      }
    }
    parts.push(h('div', { class: 'panel' }, h('div', { class: 'panel-title' }, 'Series', h('span', { class: 'muted' }, ` ${s.series.length}${s.series.length > MAX_SERIES ? ` (first ${MAX_SERIES} charted)` : ''}`)),
      h('table', { class: 'kv series-table' }, h('tbody', null, ...s.series.slice(0, 200).map((x) => {
        const p = x.points[x.points.length - 1];
        const v = p ? (p.value !== undefined ? formatValue(p.value) : `count ${formatValue(p.count ?? null)}`) : '—';
        return h('tr', null, h('th', { scope: 'row' }, seriesLabel(x)), h('td', { class: 'mono' }, `${v} · ${x.points.length} pts`));
      })))));
    replace(bodyEl, ...parts);
  };

  const view: View = {
    el,
    async refresh() {
      await loader.run(async (signal) => {
        const got = await getMetric(name, timeBounds(), signal);
        if (signal.aborted) return;
        if (!got) { replace(bodyEl, h('div', { class: 'empty-state small' }, h('h2', null, 'Metric not found'), h('p', { class: 'muted' }, `Nothing named ${name} is stored in this time range.`))); lastSig = ''; return; }
        const sig = JSON.stringify(got.series.map((x) => [x.points.length, x.points[x.points.length - 1]?.timestamp]));
        if (sig === lastSig) return;
        lastSig = sig;
        set = got;
        render();
      });
    },
    destroy() { loader.abort(); chart?.destroy(); },
  };
  return view;
}
