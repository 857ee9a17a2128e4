/**
 * @module ui/views/logs: the live log tail (newest first) with minimum severity, service, text
 * and trace id filters; #/logs?trace_id=… deep links pre-fill the trace filter.
 */
import { listLogs } from '../api.js';
import type { LogRecord } from '../api-types.js';
import { buildHash, type Route } from '../lib/route.js';
import { h, latestOnly, reconcile, replace } from './dom.js';
import { emptyState, errorBanner, noMatch, SEARCH_LIMITED_NOTE } from './empty-state.js';
import { exportButton } from './export-buttons.js';
import { serviceSelect, textFilter } from './filters.js';
import { logRow } from './log-list.js';
import { markLog } from './doctor-rules.js';
import { nothingYet, state, timeBounds } from './state.js';
import type { View } from './view.js';

const SEVERITIES = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
const filters = { severity: '', service: '', q: '', traceId: '' };
let lastGlobalService = '';

/** Mounts the logs page. */
export function logsView(route: Route): View {
  if (state.service !== lastGlobalService) { filters.service = state.service; lastGlobalService = state.service; }
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
    onChange: (v) => { filters.traceId = v; history.replaceState(null, '', buildHash('logs', undefined, { trace_id: v })); void view.refresh(); },
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
  const el = h('section', { class: 'view view-logs', 'aria-label': 'Logs' }, bar, status, body);
  const loader = latestOnly((err) => replace(body, errorBanner(err)));

  const view: View = {
    el,
    async refresh() {
      await loader.run(async (signal) => {
        void svc.reload(signal);
        const logs = await listLogs({
          limit: 500, ...timeBounds(), severity: filters.severity || undefined, service: filters.service || undefined,
          q: filters.q || undefined, trace_id: filters.traceId || undefined,
        }, signal);
        if (signal.aborted) return;
        status.textContent = [logs.length ? `${logs.length} log record${logs.length === 1 ? '' : 's'}${logs.length >= 500 ? ' (newest 500)' : ''}${state.live ? ' · live' : ''}` : '',
          logs.searchLimited ? SEARCH_LIMITED_NOTE : ''].filter(Boolean).join(' · ');
        if (!logs.length) { replace(body, nothingYet() ? emptyState('logs') : noMatch('logs')); return; }
        if (body.firstChild !== list) replace(body, list);
        reconcile(list, logs, (l: LogRecord) => l.id, () => '', (l) => logRow(l));
        if (markedLog) markLog(list, markedLog);
      });
    },
    update(r) {
      if (r.view !== 'logs') return false;
      const t = r.query.trace_id ?? '';
      if (t !== filters.traceId) { filters.traceId = t; traceInput.value = t; void view.refresh(); }
      return true;
    },
    destroy() { loader.abort(); },
  };
  return view;
}
