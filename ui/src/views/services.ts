/**
 * @module ui/views/services: one row per service: requests per minute (over the time the data
 * covers, `ratePerMinute`), error rate and p50/p95/p99 over its requests (entry spans), span,
 * log and metric counts (GET /api/services); each service opens its operations table (GET
 * /api/services/{name}/operations: rate, error %, percentiles, a sparkline), and an operation
 * opens its traces. Clicking a service filters the other views.
 */
import { listOperations, listServices } from '../api.js';
import type { OperationStats, ServiceStats } from '../api-types.js';
import { formatCount, formatDuration, formatPercent } from '../lib/format.js';
import { buildHash } from '../lib/route.js';
import { h, latestOnly, reconcile, replace, s as svgEl } from './dom.js';
import { emptyState, errorBanner } from './empty-state.js';
import { state, update } from './state.js';
import { serviceChip } from './traces.js';
import { doctorBadge, findingsByService, getDoctorReport } from './doctor-rules.js';
import type { View } from './view.js';

const COLS = 11;

/** Requests per minute with a readable precision: 0.5, 12, 1.2k. */
function formatRate(perMin: number): string {
  if (!Number.isFinite(perMin)) return '—';
  if (perMin > 0 && perMin < 10) return String(Number(perMin.toPrecision(2)));
  return formatCount(perMin);
}

const ms = (v: number | null | undefined): string => (typeof v === 'number' ? formatDuration(v) : '—');

/** An inline SVG sparkline of `values` (oldest first), built with DOM calls. */
export function sparkline(values: readonly number[], width = 96, height = 22): SVGSVGElement {
  const vals = values.map((v) => (Number.isFinite(v) ? Math.max(0, v) : 0));
  const max = Math.max(1, ...vals);
  const n = Math.max(1, vals.length - 1);
  const pts = vals.map((v, i) => `${((i / n) * (width - 2) + 1).toFixed(1)},${(height - 1 - (v / max) * (height - 3)).toFixed(1)}`);
  const svg = svgEl('svg', { class: 'sparkline', 'data-testid': 'sparkline', width: String(width), height: String(height), viewBox: `0 0 ${width} ${height}`, 'aria-hidden': 'true', 'data-points': String(vals.length) });
  if (pts.length) {
    svg.appendChild(svgEl('polygon', { class: 'spark-area', points: `1,${height - 1} ${pts.join(' ')} ${width - 1},${height - 1}` }));
    svg.appendChild(svgEl('polyline', { class: 'spark-line', points: pts.join(' ') }));
  }
  return svg;
}

/** Mounts the services page. */
export function servicesView(): View {
  const tableEl = h('table', { class: 'list-table services-table' },
    h('thead', null, h('tr', null,
      h('th', { scope: 'col', class: 'col-svc-name' }, 'Service'),
      h('th', { scope: 'col', class: 'col-num', title: 'Requests (entry spans) per minute over the time the stored data covers' }, 'Req / min'),
      h('th', { scope: 'col', class: 'col-num', title: 'Share of requests (entry spans) with status ERROR' }, 'Error %'),
      h('th', { scope: 'col', class: 'col-num', title: 'Latency of the service’s requests (entry spans)' }, 'p50'),
      h('th', { scope: 'col', class: 'col-num' }, 'p95'), h('th', { scope: 'col', class: 'col-num' }, 'p99'),
      h('th', { scope: 'col', class: 'col-num', title: 'Requests: the service’s entry spans' }, 'Req'), h('th', { scope: 'col', class: 'col-num' }, 'Spans'),
      h('th', { scope: 'col', class: 'col-num' }, 'Logs'), h('th', { scope: 'col', class: 'col-num' }, 'Metrics'), h('th', { scope: 'col' }, ''))));
  const status = h('div', { class: 'list-status muted' }, 'Click a service to filter traces, logs and metrics to it; ▸ shows its operations.');
  const body = h('div', { class: 'list-body' });
  const el = h('section', { class: 'view view-services', 'aria-label': 'Services' }, status, body);
  const loader = latestOnly((err) => replace(body, errorBanner(err)));
  /** Services whose operations are shown. */
  const open = new Set<string>();
  const opsHosts = new Map<string, HTMLTableCellElement>();
  let autoOpened = false;
  /** Doctor findings per service (the badge); empty when the doctor does not answer. */
  let findings: ReturnType<typeof findingsByService> = new Map();

  const choose = (name: string, where: string): void => { update({ service: name }); location.hash = where; };

  const renderOps = (service: string, ops: OperationStats[]): HTMLElement => {
    if (!ops.length) return h('div', { class: 'muted small-pad' }, 'No requests (entry spans) recorded for this service.');
    return h('table', { class: 'ops-table', 'data-testid': 'operations-table', 'data-service': service },
      h('thead', null, h('tr', null,
        h('th', { scope: 'col' }, 'Operation'), h('th', { scope: 'col' }, 'Kind'),
        h('th', { scope: 'col', class: 'col-num' }, 'Req / min'), h('th', { scope: 'col', class: 'col-num' }, 'Error %'),
        h('th', { scope: 'col', class: 'col-num' }, 'p50'), h('th', { scope: 'col', class: 'col-num' }, 'p95'), h('th', { scope: 'col', class: 'col-num' }, 'p99'),
        h('th', { scope: 'col', class: 'col-num' }, 'Req'), h('th', { scope: 'col', class: 'col-spark', title: 'Requests over the covered time, oldest left' }, 'Trend'))),
      h('tbody', null, ...ops.map((o) => {
        const href = buildHash('traces', undefined, { service, name: o.name });
        const errPct = o.requestCount ? o.requestErrorCount / o.requestCount : 0;
        const row = h('tr', { class: 'row-link', 'data-testid': 'operation-row', 'data-operation': o.name },
          h('td', { class: 'op-name' }, h('a', { href, title: `Traces of ${o.name}` }, o.name || '(no name)'),
            h('a', { href: buildHash('compare', undefined, { root: o.name, service }), class: 'mini-link compare-link', 'data-testid': 'compare-windows', title: `Compare ${o.name} before and after: two time windows` }, 'compare before/after')),
          h('td', { class: 'muted' }, o.kind ?? ''),
          h('td', { class: 'col-num mono' }, typeof o.ratePerMinute === 'number' ? formatRate(o.ratePerMinute) : '—'),
          h('td', { class: `col-num mono${errPct > 0 ? ' err-text' : ' muted'}` }, formatPercent(o.requestErrorCount, o.requestCount)),
          h('td', { class: 'col-num mono' }, ms(o.p50Ms)), h('td', { class: 'col-num mono' }, ms(o.p95Ms)), h('td', { class: 'col-num mono' }, ms(o.p99Ms)),
          h('td', { class: 'col-num mono' }, formatCount(o.requestCount)),
          h('td', { class: 'col-spark' }, Array.isArray(o.sparkline) && o.sparkline.length ? sparkline(o.sparkline) : h('span', { class: 'muted' }, '—')));
        row.addEventListener('click', (e) => { if (!(e.target as HTMLElement).closest('a')) location.hash = href; });
        return row;
      })));
  };

  const loadOps = async (service: string, signal?: AbortSignal): Promise<void> => {
    const cell = opsHosts.get(service);
    if (!cell) return;
    try {
      const ops = await listOperations(service, signal);
      if (signal?.aborted || !open.has(service)) return;
      replace(cell, renderOps(service, ops));
    } catch (err) {
      if ((err as Error).name !== 'AbortError') replace(cell, errorBanner(err));
    }
  };

  const renderService = (s: ServiceStats): HTMLElement => {
    const requests = typeof s.requestCount === 'number' ? s.requestCount : null;
    const errors = typeof s.requestErrorCount === 'number' ? s.requestErrorCount : null;
    // Older servers: spans over the data held (at most 10 minutes) and errors over all spans.
    const windowMin = Math.max(1 / 60, Math.min(state.stats?.uptimeSeconds ?? 600, 600) / 60);
    const rate = typeof s.ratePerMinute === 'number' ? s.ratePerMinute : (requests ?? s.spanCount) / windowMin;
    const errNum = errors ?? s.errorCount;
    const errDen = requests ?? s.spanCount;
    const isOpen = open.has(s.name);
    const link = (label: string, where: string): HTMLElement => {
      const a = h('a', { href: where, class: 'mini-link' }, label);
      a.addEventListener('click', (e) => { e.preventDefault(); e.stopPropagation(); choose(s.name, where); });
      return a;
    };
    const toggle = h('button', { class: 'ops-toggle', type: 'button', 'aria-expanded': String(isOpen), 'aria-label': `Operations of ${s.name}`, title: 'Show operations', 'data-testid': 'ops-toggle' }, isOpen ? '▾' : '▸');
    const row = h('tr', { class: `row-link${state.service === s.name ? ' current' : ''}`, 'data-testid': 'service-row', 'data-service': s.name, 'data-kb-row': '', tabindex: '-1' },
      h('td', { class: 'col-svc-name' }, h('div', { class: 'svc-cell' }, toggle, serviceChip(s.name), doctorBadge(s.name, findings.get(s.name)))),
      h('td', { class: 'col-num mono', 'data-testid': 'service-rate' }, formatRate(rate)),
      h('td', { class: `col-num mono${errNum > 0 ? ' err-text' : ' muted'}` }, formatPercent(errNum, errDen)),
      h('td', { class: 'col-num mono' }, ms(s.p50Ms)),
      h('td', { class: 'col-num mono' }, ms(s.p95Ms)),
      h('td', { class: 'col-num mono' }, ms(s.p99Ms)),
      h('td', { class: 'col-num mono' }, requests === null ? '—' : formatCount(requests)),
      h('td', { class: 'col-num mono' }, formatCount(s.spanCount)),
      h('td', { class: 'col-num mono' }, formatCount(s.logCount)),
      h('td', { class: 'col-num mono' }, formatCount(s.metricCount)),
      h('td', { class: 'col-links' }, link('traces', '#/traces'), link('logs', '#/logs'), link('metrics', '#/metrics')),
    );
    row.addEventListener('click', (e) => { if (!(e.target as HTMLElement).closest('a, button')) choose(s.name, '#/traces'); });
    const cell = h('td', { colspan: String(COLS), class: 'ops-cell' }, h('div', { class: 'muted small-pad' }, 'Loading operations…'));
    const opsRow = h('tr', { class: 'ops-row', hidden: !isOpen }, cell);
    opsHosts.set(s.name, cell);
    toggle.addEventListener('click', (e) => {
      e.stopPropagation();
      const now = !open.has(s.name);
      if (now) open.add(s.name); else open.delete(s.name);
      toggle.textContent = now ? '▾' : '▸';
      toggle.setAttribute('aria-expanded', String(now));
      opsRow.hidden = !now;
      if (now) void loadOps(s.name);
    });
    return h('tbody', { class: 'service-group' }, row, opsRow);
  };

  const view: View = {
    el,
    async refresh() {
      await loader.run(async (signal) => {
        const [services, report] = await Promise.all([listServices(signal), getDoctorReport(undefined, signal).catch(() => undefined)]);
        if (signal.aborted) return;
        findings = report ? findingsByService(report) : new Map();
        if (!services.length) { replace(body, emptyState('services')); return; }
        // The busiest service starts open, so the page shows what an operations table is (only on a
        // server that counts requests: one that does not has no operations route either).
        if (!autoOpened && services.some((s) => typeof s.requestCount === 'number')) {
          autoOpened = true;
          const busiest = services.slice().sort((a, b) => (b.requestCount ?? b.spanCount) - (a.requestCount ?? a.spanCount))[0];
          if (busiest) open.add(busiest.name);
        }
        if (body.firstChild !== tableEl) replace(body, tableEl);
        // Row groups after the <thead>: one <tbody> per service.
        const holder = tableEl;
        const groups = Array.from(holder.querySelectorAll(':scope > tbody'));
        const frag = h('div');
        for (const g of groups) frag.appendChild(g);
        reconcile(frag, services, (s) => s.name, (s) => JSON.stringify(s) + state.service + JSON.stringify(findings.get(s.name) ?? null), renderService);
        for (const g of Array.from(frag.children)) holder.appendChild(g);
        // Refresh the open tables of services whose rows were kept.
        for (const name of open) if (services.some((s) => s.name === name)) void loadOps(name, signal);
      });
    },
    destroy() { loader.abort(); },
  };
  return view;
}
