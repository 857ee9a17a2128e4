/**
 * @module ui/views/traces: the trace list (newest first, filters, sort, duration bars).
 * Rows link to the trace view; data comes from GET /api/traces only.
 */
import { listAttributeKeys, listAttributeValues, listOperations, listTracesPage } from '../api.js';
import type { Page, TraceQueryParams, TraceSummary } from '../api-types.js';
import { serviceColor } from '../lib/colors.js';
import { formatDuration, formatFullTime, formatTimestamp, nanosToMs } from '../lib/format.js';
import { buildHash } from '../lib/route.js';
import { DEFAULT_TRACE_FILTERS, hasTraceFilters, traceFiltersOf, traceQueryOf, type TraceFilters } from '../lib/list-query.js';
import { h, latestOnly, reconcile, replace } from './dom.js';
import { emptyState, errorBanner, noMatch, SEARCH_LIMITED_NOTE } from './empty-state.js';
import { testSpanNotice } from './first-run.js';
import { exportButton } from './export-buttons.js';
import { checkbox, serviceSelect, suggestions, textFilter } from './filters.js';
import { compareSelection } from './trace-picker.js';
import { pager } from './pager.js';
import { liveHold } from './live-hold.js';
import { keepInUrl, nothingYet, queryKeyOf, rangeQuery, state, timeBounds } from './state.js';
import type { View } from './view.js';
import type { Route } from '../lib/route.js';

// Kept across visits so going back to the list keeps the filters; a route query naming any
// filter replaces them all (a shared link or a reload), and every change is written back to it.
const filters: TraceFilters = { ...DEFAULT_TRACE_FILTERS };
let lastGlobalService = '';
/** Rows of the first page (what the live refresh reloads). */
const PAGE = 200;

/** The "incomplete" marker of a trace whose root span has not arrived (list and trace view). */
export function incompleteMarker(long = false): HTMLElement {
  return h('span', { class: 'badge incomplete', 'data-testid': 'incomplete-marker', title: 'The root span has not been received yet: this trace may still be arriving, and its root name is a child’s' },
    long ? 'incomplete · root span not received yet' : 'incomplete');
}

/** A service chip with its colour. */
export function serviceChip(name: string): HTMLElement {
  const chip = h('span', { class: 'svc-chip', title: name }, h('span', { class: 'svc-dot' }), name);
  (chip.firstChild as HTMLElement).style.background = serviceColor(name);
  return chip;
}

/**
 * Mounts the trace list. A route query naming any filter (`#/traces?service=&name=&min_ms=&max_ms=
 * &status=error&attr=&sort=&order=&via=`, lib/list-query; from a shared link, a reload, the service
 * map or the operations table) replaces the filters; `via` keeps only traces that also cross that
 * service. Every change is written back to the route (history.replaceState).
 */
export function tracesView(route?: Route): View {
  const q = route?.query ?? {};
  let via = q.via ?? '';
  if (hasTraceFilters(q) || q.via !== undefined) Object.assign(filters, traceFiltersOf(q));
  // The header's service filter changed since the last visit: newer than what the URL says.
  if (state.service !== lastGlobalService) { filters.service = state.service; lastGlobalService = state.service; }
  const svc = serviceSelect(filters.service, (v) => { filters.service = v; void view.refresh(); }, (s) => s.spanCount, ' spans');
  const num = (label: string, key: 'minMs' | 'maxMs'): HTMLInputElement => {
    const i = h('input', { type: 'number', min: '0', step: 'any', class: 'input num', placeholder: label, 'aria-label': `${label} duration (ms)`, value: filters[key] });
    i.addEventListener('change', () => { filters[key] = i.value; void view.refresh(); });
    return i;
  };
  const nameInput = textFilter({ placeholder: 'Span name contains…  ( / )', label: 'Span name', value: filters.name, search: true, width: '220px', onChange: (v) => { filters.name = v; void view.refresh(); } });
  // The operations of the chosen service (GET /api/services/{name}/operations).
  const nameList = suggestions(nameInput, async (text) => {
    if (!filters.service) return [];
    const needle = text.toLowerCase();
    return (await listOperations(filters.service)).map((o) => o.name).filter((n) => n.toLowerCase().includes(needle));
  });
  const attrInput = textFilter({ placeholder: 'attribute key=value', label: 'Attribute filter', value: filters.attr, width: '190px', onChange: (v) => { filters.attr = v; void view.refresh(); } });
  // Keys, then values of that key, that exist (GET /api/attributes, CONTRACT §7).
  const attrList = suggestions(attrInput, async (text) => {
    const scope = { signal: 'traces', service: filters.service || undefined };
    const eq = text.indexOf('=');
    if (eq < 0) return (await listAttributeKeys({ ...scope, prefix: text.trim() || undefined })).map((k) => `${k.key}=`);
    const key = text.slice(0, eq);
    if (!key) return [];
    return (await listAttributeValues(key, { ...scope, prefix: text.slice(eq + 1) || undefined })).map((v) => `${key}=${v.value}`);
  });
  const bar = h('div', { class: 'filter-bar' },
    svc.el,
    nameInput, nameList,
    h('span', { class: 'range-inputs' }, num('min ms', 'minMs'), h('span', { class: 'muted' }, '–'), num('max ms', 'maxMs')),
    attrInput, attrList,
    checkbox('Errors only', filters.errorsOnly, (v) => { filters.errorsOnly = v; void view.refresh(); }),
    exportButton(() => ({
      signal: 'traces', format: 'json', ...timeBounds(), service: filters.service || undefined, name: filters.name || undefined,
      min_duration_ms: filters.minMs || undefined, max_duration_ms: filters.maxMs || undefined, status: filters.errorsOnly ? 'error' : undefined,
      attr: filters.attr.includes('=') ? filters.attr : undefined,
    }), 'Download the traces matching these filters as OTLP JSON'),
  );
  const status = h('div', { class: 'list-status muted' });
  const picked = compareSelection();
  const viaChip = h('span', { class: 'via-chip' });
  const renderVia = (): void => {
    if (!via) { viaChip.replaceChildren(); return; }
    const x = h('button', { class: 'chip-x', type: 'button', 'aria-label': 'Clear the via filter', title: 'Clear' }, '✕');
    x.addEventListener('click', () => { via = ''; renderVia(); void view.refresh(); });
    replace(viaChip, h('span', { class: 'filter-chip', 'data-testid': 'via-filter' }, h('span', { class: 'muted' }, 'through: '), via, x));
  };
  renderVia();
  bar.appendChild(viaChip);
  bar.appendChild(picked.button);
  const sortHead = (label: string, key: 'start' | 'duration', cls: string): HTMLElement => {
    const th = h('th', { class: `sortable ${cls}`, scope: 'col', tabindex: '0', title: `Sort by ${label.toLowerCase()}` }, label, h('span', { class: 'sort-arrow' }));
    const toggle = (): void => {
      if (filters.sort === key) filters.order = filters.order === 'desc' ? 'asc' : 'desc';
      else { filters.sort = key; filters.order = 'desc'; }
      void view.refresh();
    };
    th.addEventListener('click', toggle);
    th.addEventListener('keydown', (e) => { if (e.key === 'Enter') toggle(); });
    return th;
  };
  const thStart = sortHead('Start', 'start', 'col-time');
  const thDur = sortHead('Duration', 'duration', 'col-dur');
  const tbody = h('tbody');
  const table = h('table', { class: 'list-table traces-table' },
    h('thead', null, h('tr', null,
      h('th', { scope: 'col', class: 'col-select', title: 'Pick two traces to compare' }), h('th', { scope: 'col', class: 'col-svc' }, 'Root service'), h('th', { scope: 'col' }, 'Root name'), thStart, thDur,
      h('th', { scope: 'col', class: 'col-num' }, 'Spans'), h('th', { scope: 'col', class: 'col-num' }, 'Errors'), h('th', { scope: 'col', class: 'col-services' }, 'Services'))),
    tbody);
  const body = h('div', { class: 'list-body' });
  const params = (): TraceQueryParams => {
    const p: TraceQueryParams = {
      limit: PAGE, ...timeBounds(), service: filters.service || undefined, name: filters.name || undefined,
      min_duration_ms: filters.minMs !== '' ? Number(filters.minMs) : undefined,
      max_duration_ms: filters.maxMs !== '' ? Number(filters.maxMs) : undefined,
      status: filters.errorsOnly ? 'error' : undefined, sort: filters.sort, order: filters.order,
    };
    if (filters.attr.includes('=')) p.attr = filters.attr;
    return p;
  };
  // Later pages (CONTRACT §7 cursor) are bigger: "Load more" is for reading far back.
  const more = pager<TraceSummary>({
    key: (t) => t.traceId, noun: 'traces', onMore: () => render(),
    fetchPage: (cursor) => listTracesPage({ ...params(), limit: 1000, cursor }),
  });
  const hold = liveHold('traces', () => render());
  // The first-run test span's status, once it ends the empty state (testSpanNotice).
  const noticeHost = h('div', { class: 'first-run-notice' });
  const el = h('section', { class: 'view view-traces', 'aria-label': 'Traces' }, bar, h('div', { class: 'list-status-row' }, status, hold.el), noticeHost, body, more.el);
  const loader = latestOnly((err) => replace(body, errorBanner(err)));
  let maxShown = 0;

  const renderRow = (t: TraceSummary): HTMLElement => {
    const pct = maxShown > 0 ? Math.max(0.5, (t.durationMs / maxShown) * 100) : 0;
    const fill = h('span', { class: 'dur-fill' });
    fill.style.width = `${pct}%`;
    if (t.errorCount > 0) fill.classList.add('error');
    const href = buildHash('trace', t.traceId);
    const startMs = nanosToMs(t.startTimeUnixNano);
    const row = h('tr', { class: 'row-link', 'data-testid': 'trace-row', 'data-trace-id': t.traceId, 'data-kb-row': '', tabindex: '-1' },
      h('td', { class: 'col-select' }, picked.checkbox(t)),
      h('td', { class: 'col-svc' }, serviceChip(t.rootService)),
      h('td', { class: 'col-name' }, h('a', { href, class: 'row-title', title: t.rootName }, t.rootName || '(no name)'), t.incomplete ? incompleteMarker() : null),
      h('td', { class: 'col-time mono', title: formatFullTime(startMs) }, formatTimestamp(startMs)),
      h('td', { class: 'col-dur' }, h('div', { class: 'dur-cell' }, h('span', { class: 'dur-text mono' }, formatDuration(t.durationMs)), h('span', { class: 'dur-track' }, fill))),
      h('td', { class: 'col-num mono' }, String(t.spanCount)),
      h('td', { class: `col-num mono${t.errorCount ? ' err-text' : ' muted'}` }, String(t.errorCount)),
      h('td', { class: 'col-services' }, ...t.services.slice(0, 4).map(serviceChip), t.services.length > 4 ? h('span', { class: 'muted' }, ` +${t.services.length - 4}`) : null),
    );
    if (t.errorCount > 0) row.classList.add('has-error');
    row.addEventListener('click', (e) => { if (!(e.target as HTMLElement).closest('a, input')) location.hash = href; });
    return row;
  };

  let first: Page<TraceSummary> = { items: [], nextCursor: null };
  let firstKey = '';
  const render = (): void => {
    const got = more.rows(firstKey, first);
    const traces = via ? got.filter((t) => t.services.includes(via)) : got;
    maxShown = traces.reduce((m, t) => Math.max(m, t.durationMs), 0);
    const tail = more.tail(traces.length, PAGE);
    status.textContent = [traces.length ? `${traces.length} trace${traces.length === 1 ? '' : 's'}${tail}` : '',
      first.searchLimited ? SEARCH_LIMITED_NOTE : ''].filter(Boolean).join(' · ');
    if (!traces.length) {
      replace(body, nothingYet() ? emptyState('traces') : noMatch('traces'));
      return;
    }
    const notice = testSpanNotice();
    if (notice && notice.parentElement !== noticeHost) noticeHost.replaceChildren(notice);
    if (body.firstChild !== table) replace(body, table);
    reconcile(tbody, traces, (t) => t.traceId, (t) => `${maxShown}|${t.durationMs}|${t.spanCount}|${t.errorCount}|${t.services.length}|${t.incomplete ? 1 : 0}|${t.rootName}`, renderRow);
  };

  const view: View = {
    el,
    async refresh(reason) {
      await loader.run(async (signal) => {
        thStart.dataset.sort = filters.sort === 'start' ? filters.order : '';
        thDur.dataset.sort = filters.sort === 'duration' ? filters.order : '';
        const p = params();
        keepInUrl(buildHash('traces', undefined, { ...traceQueryOf(filters), via: via || undefined, ...rangeQuery() }));
        void svc.reload(signal);
        const page = await listTracesPage(p, signal);
        if (signal.aborted) return;
        first = page;
        const key = queryKeyOf({ ...p, via });
        // Reading (scrolled, a row selected): hold the new rows behind "N new" instead of moving the list.
        if (key === firstKey && hold.holds(reason, tbody, page.items, (t) => t.traceId)) return;
        firstKey = key;
        render();
      });
    },
    destroy() { loader.abort(); },
  };
  return view;
}
