/**
 * @module ui/views/logs: the live log tail (newest first) with minimum severity, service, text
 * and trace id filters; #/logs?trace_id=… deep links pre-fill the trace filter.
 */
import { listLogsPage } from '../api.js';
import type { LogQueryParams, LogRecord, Page } from '../api-types.js';
import { buildHash, type Route } from '../lib/route.js';
import { hasLogFilters, logFiltersOf, logQueryOf, type LogFilters } from '../lib/list-query.js';
import { h, latestOnly, reconcile, replace } from './dom.js';
import { emptyState, errorBanner, noMatch, SEARCH_LIMITED_NOTE } from './empty-state.js';
import { exportButton } from './export-buttons.js';
import { serviceSelect, textFilter } from './filters.js';
import { logRow } from './log-list.js';
import { markLog } from './doctor-rules.js';
import { pager } from './pager.js';
import { liveHold } from './live-hold.js';
import { keepInUrl, nothingYet, queryKeyOf, rangeQuery, state, timeBounds } from './state.js';
import type { View } from './view.js';

const SEVERITIES = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
/** Records of the first page (what the live refresh reloads). */
const PAGE = 500;
// Kept across visits; a route query naming any filter replaces them, and changes are written back.
const filters: LogFilters = { severity: '', service: '', q: '', traceId: '' };
let lastGlobalService = '';

/** Mounts the logs page. */
export function logsView(route: Route): View {
  if (hasLogFilters(route.query)) Object.assign(filters, logFiltersOf(route.query));
  // The header's service filter changed since the last visit: newer than what the URL says.
  if (state.service !== lastGlobalService) { filters.service = state.service; lastGlobalService = state.service; }
  // The trace filter comes from the link only (a log link of one trace), never from an earlier visit.
  filters.traceId = route.query.trace_id ?? '';
  // A doctor finding's link (?log=ID) marks that record.
  const markedLog = route.query.log;
  const sev = h('select', { class: 'input', 'aria-label': 'Minimum severity' },
    h('option', { value: '' }, 'Any severity'), ...SEVERITIES.map((s) => h('option', { value: s }, s === 'FATAL' ? 'FATAL' : `${s} and above`)));
  sev.value = filters.severity;
  sev.addEventListener('change', () => { filters.severity = sev.value; void view.refresh(); });
  const svc = serviceSelect(filters.service, (v) => { filters.service = v; void view.refresh(); });
  const traceInput = textFilter({
    placeholder: 'trace id', label: 'Trace id', value: filters.traceId, width: '200px',
    onChange: (v) => { filters.traceId = v; void view.refresh(); },
  });
  const bar = h('div', { class: 'filter-bar' }, sev, svc.el,
    textFilter({ placeholder: 'Search log bodies…  ( / )', label: 'Search', value: filters.q, search: true, width: '260px', onChange: (v) => { filters.q = v; void view.refresh(); } }),
    traceInput,
    exportButton(() => ({
      signal: 'logs', format: 'json', ...timeBounds(), severity: filters.severity || undefined, service: filters.service || undefined,
      q: filters.q || undefined, trace_id: filters.traceId || undefined,
    }), 'Download the logs matching these filters as OTLP JSON'));
  const status = h('div', { class: 'list-status muted' });
  const list = h('div', { class: 'log-list', role: 'list' });
  const body = h('div', { class: 'list-body' });
  const params = (): LogQueryParams => ({
    limit: PAGE, ...timeBounds(), severity: filters.severity || undefined, service: filters.service || undefined,
    q: filters.q || undefined, trace_id: filters.traceId || undefined,
  });
  const more = pager<LogRecord>({
    key: (l) => l.id, noun: 'logs', onMore: () => render(),
    fetchPage: (cursor) => listLogsPage({ ...params(), limit: 1000, cursor }),
  });
  const hold = liveHold('logs', () => render());
  const el = h('section', { class: 'view view-logs', 'aria-label': 'Logs' }, bar, h('div', { class: 'list-status-row' }, status, hold.el), body, more.el);
  const loader = latestOnly((err) => replace(body, errorBanner(err)));

  let first: Page<LogRecord> = { items: [], nextCursor: null };
  let firstKey = '';
  const render = (): void => {
    const logs = more.rows(firstKey, first);
    const tail = more.tail(logs.length, PAGE);
    status.textContent = [logs.length ? `${logs.length} log record${logs.length === 1 ? '' : 's'}${tail}${state.live ? ' · live' : ''}` : '',
      first.searchLimited ? SEARCH_LIMITED_NOTE : ''].filter(Boolean).join(' · ');
    if (!logs.length) { replace(body, nothingYet() ? emptyState('logs') : noMatch('logs')); return; }
    if (body.firstChild !== list) replace(body, list);
    reconcile(list, logs, (l: LogRecord) => l.id, () => '', (l) => logRow(l));
    if (markedLog) markLog(list, markedLog);
  };

  const view: View = {
    el,
    async refresh(reason) {
      await loader.run(async (signal) => {
        void svc.reload(signal);
        keepInUrl(buildHash('logs', undefined, { ...logQueryOf(filters), ...rangeQuery() }));
        const p = params();
        const page = await listLogsPage(p, signal);
        if (signal.aborted) return;
        first = page;
        const key = queryKeyOf(p);
        // Reading (scrolled, a record expanded): hold the new records behind "N new" instead of moving them.
        if (key === firstKey && hold.holds(reason, list, page.items, (l) => l.id)) return;
        firstKey = key;
        render();
      });
    },
    update(r) {
      if (r.view !== 'logs') return false;
      const next = logFiltersOf(r.query);
      if (hasLogFilters(r.query) && (next.severity !== filters.severity || next.service !== filters.service || next.q !== filters.q)) return false;
      const t = r.query.trace_id ?? '';
      if (t !== filters.traceId) { filters.traceId = t; traceInput.value = t; void view.refresh(); }
      return true;
    },
    destroy() { loader.abort(); },
  };
  return view;
}
