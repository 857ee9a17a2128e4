/**
 * @module ui/views/services: one row per service: request rate, error rate, p50/p95 latency
 * (from GET /api/services), span/log/metric counts. Clicking a service filters the other views.
 */
import { listServices } from '../api.js';
import type { ServiceStats } from '../api-types.js';
import { formatCount, formatDuration, formatPercent } from '../lib/format.js';
import { h, latestOnly, reconcile, replace } from './dom.js';
import { emptyState, errorBanner } from './empty-state.js';
import { state, update } from './state.js';
import { serviceChip } from './traces.js';
import type { View } from './view.js';

/** Mounts the services page. */
export function servicesView(): View {
  const tbody = h('tbody');
  const table = h('table', { class: 'list-table services-table' },
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, 'Service'), h('th', { scope: 'col', class: 'col-num', title: 'Spans per minute over the data held (at most the last 10 minutes)' }, 'Spans / min'),
      h('th', { scope: 'col', class: 'col-num' }, 'Error rate'), h('th', { scope: 'col', class: 'col-num', title: 'Latency of the service’s entry spans' }, 'p50'),
      h('th', { scope: 'col', class: 'col-num' }, 'p95'), h('th', { scope: 'col', class: 'col-num' }, 'Spans'), h('th', { scope: 'col', class: 'col-num' }, 'Errors'),
      h('th', { scope: 'col', class: 'col-num' }, 'Logs'), h('th', { scope: 'col', class: 'col-num' }, 'Metrics'), h('th', { scope: 'col' }, ''))),
    tbody);
  const status = h('div', { class: 'list-status muted' }, 'Click a service to filter traces, logs and metrics to it.');
  const body = h('div', { class: 'list-body' });
  const el = h('section', { class: 'view view-services', 'aria-label': 'Services' }, status, body);
  const loader = latestOnly((err) => replace(body, errorBanner(err)));

  const choose = (name: string, where: string): void => { update({ service: name }); location.hash = where; };
  const renderRow = (s: ServiceStats): HTMLElement => {
    // The store keeps at most TTL seconds of data; uptime bounds the window when younger.
    const windowMin = Math.max(1 / 60, Math.min(state.stats?.uptimeSeconds ?? 600, 600) / 60);
    const errPct = s.spanCount ? s.errorCount / s.spanCount : 0;
    const link = (label: string, where: string): HTMLElement => {
      const a = h('a', { href: where, class: 'mini-link' }, label);
      a.addEventListener('click', (e) => { e.preventDefault(); e.stopPropagation(); choose(s.name, where); });
      return a;
    };
    const row = h('tr', { class: `row-link${state.service === s.name ? ' current' : ''}`, 'data-testid': 'service-row', 'data-service': s.name, 'data-kb-row': '', tabindex: '-1' },
      h('td', null, serviceChip(s.name)),
      h('td', { class: 'col-num mono' }, formatCount(s.spanCount / windowMin)),
      h('td', { class: `col-num mono${errPct > 0 ? ' err-text' : ' muted'}` }, formatPercent(s.errorCount, s.spanCount)),
      h('td', { class: 'col-num mono' }, s.p50Ms === null ? '—' : formatDuration(s.p50Ms)),
      h('td', { class: 'col-num mono' }, s.p95Ms === null ? '—' : formatDuration(s.p95Ms)),
      h('td', { class: 'col-num mono' }, formatCount(s.spanCount)),
      h('td', { class: 'col-num mono' }, formatCount(s.errorCount)),
      h('td', { class: 'col-num mono' }, formatCount(s.logCount)),
      h('td', { class: 'col-num mono' }, formatCount(s.metricCount)),
      h('td', { class: 'col-links' }, link('traces', '#/traces'), link('logs', '#/logs'), link('metrics', '#/metrics')),
    );
    row.addEventListener('click', (e) => { if (!(e.target as HTMLElement).closest('a')) choose(s.name, '#/traces'); });
    return row;
  };

  const view: View = {
    el,
    async refresh() {
      await loader.run(async (signal) => {
        const services = await listServices(signal);
        if (signal.aborted) return;
        if (!services.length) { replace(body, emptyState('services')); return; }
        if (body.firstChild !== table) replace(body, table);
        reconcile(tbody, services, (s) => s.name, (s) => JSON.stringify(s) + state.service, renderRow);
      });
    },
    destroy() { loader.abort(); },
  };
  return view;
}
