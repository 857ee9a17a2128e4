/**
 * @module ui/views/metrics: the metric list: one row per metric name with type, unit, services
 * and its last value shown prominently. Rows open #/metrics/{name}.
 */
import { listMetrics } from '../api.js';
import type { MetricSummary } from '../api-types.js';
import { formatAgo, formatValue } from '../lib/format.js';
import { buildHash } from '../lib/route.js';
import { h, latestOnly, reconcile, replace } from './dom.js';
import { emptyState, errorBanner, noMatch } from './empty-state.js';
import { textFilter } from './filters.js';
import { nothingYet, state } from './state.js';
import { serviceChip } from './traces.js';
import type { View } from './view.js';

let textFilterValue = '';

/** Mounts the metric list. */
export function metricsView(): View {
  const status = h('div', { class: 'list-status muted' });
  const tbody = h('tbody');
  const table = h('table', { class: 'list-table metrics-table' },
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Metric'), h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col' }, 'Unit'),
      h('th', { scope: 'col' }, 'Services'), h('th', { scope: 'col', class: 'col-num' }, 'Series'), h('th', { scope: 'col', class: 'col-num' }, 'Last value'))),
    tbody);
  const body = h('div', { class: 'list-body' });
  const loader = latestOnly((err) => replace(body, errorBanner(err)));
  const bar = h('div', { class: 'filter-bar' }, textFilter({ placeholder: 'Filter metric names…  ( / )', label: 'Filter metrics', value: textFilterValue, search: true, width: '280px', onChange: (v) => { textFilterValue = v; void view.refresh(); } }));
  const el = h('section', { class: 'view view-metrics', 'aria-label': 'Metrics' }, bar, status, body);

  const renderRow = (m: MetricSummary): HTMLElement => {
    const href = buildHash('metric', m.name);
    const row = h('tr', { class: 'row-link', 'data-testid': 'metric-row', 'data-metric': m.name, 'data-kb-row': '', tabindex: '-1' },
      h('td', { class: 'col-name' }, h('a', { href, class: 'row-title', title: m.name }, m.name), m.description ? h('div', { class: 'muted small desc', title: m.description }, m.description) : null),
      h('td', null, h('span', { class: `badge type-${m.type}` }, m.type.replace('_', ' '))),
      h('td', { class: 'mono muted' }, m.unit || '—'),
      h('td', { class: 'col-services' }, ...m.services.slice(0, 4).map(serviceChip), m.services.length > 4 ? h('span', { class: 'muted' }, ` +${m.services.length - 4}`) : null),
      h('td', { class: 'col-num mono' }, String(m.seriesCount)),
      h('td', { class: 'col-num' }, h('div', { class: 'big-value mono' }, formatValue(m.lastValue), m.type.includes('histogram') ? h('span', { class: 'muted small' }, ' obs') : m.unit ? h('span', { class: 'muted small' }, ` ${m.unit}`) : null),
        h('div', { class: 'muted small' }, m.lastTimestamp ? formatAgo(m.lastTimestamp * 1000) : '')),
    );
    row.addEventListener('click', (e) => { if (!(e.target as HTMLElement).closest('a')) location.hash = href; });
    return row;
  };

  const view: View = {
    el,
    async refresh() {
      await loader.run(async (signal) => {
        let metrics = await listMetrics(signal);
        if (signal.aborted) return;
        const f = textFilterValue.toLowerCase();
        if (f) metrics = metrics.filter((m) => m.name.toLowerCase().includes(f));
        if (state.service) metrics = metrics.filter((m) => m.services.includes(state.service));
        status.textContent = metrics.length ? `${metrics.length} metric${metrics.length === 1 ? '' : 's'}` : '';
        if (!metrics.length) { replace(body, nothingYet() ? emptyState('metrics') : noMatch('metrics')); return; }
        if (body.firstChild !== table) replace(body, table);
        reconcile(tbody, metrics, (m) => m.name, (m) => `${m.lastValue}|${m.lastTimestamp}|${m.seriesCount}|${m.services.join(',')}|${Math.floor(Date.now() / 10000)}`, renderRow);
      });
    },
    destroy() { loader.abort(); },
  };
  return view;
}
