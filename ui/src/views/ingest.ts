/**
 * @module ui/views/ingest: the Ingest page (CONTRACT §8): "why is my data not showing?". The last
 * OTLP requests newest first (GET /api/ingest/requests), filtered by result, signal and service; a
 * row opens its full record with the hint; a strip of services with last-seen freshness per signal
 * and the drop totals (GET /api/ingest/summary). Every value is a DOM text node.
 */
import { getIngestRequests, getIngestSummary, type IngestRequest, type IngestSummary } from '../api.js';
import { formatAgo, formatClock, formatDuration } from '../lib/format.js';
import { h, latestOnly, replace } from './dom.js';
import { errorBanner } from './empty-state.js';
import { firstRunChecklist } from './first-run.js';
import type { View } from './view.js';

const SIGNALS = ['traces', 'logs', 'metrics'] as const;

function select(name: string, options: string[], onChange: () => void): HTMLSelectElement {
  const el = h('select', { name, 'aria-label': name, 'data-testid': `ingest-filter-${name}` }, h('option', { value: '' }, `any ${name}`), ...options.map((o) => h('option', { value: o }, o)));
  el.addEventListener('change', onChange);
  return el;
}

/** One full record: every field as a key/value row. */
function recordDetails(r: IngestRequest): HTMLElement {
  const rows: [string, string][] = [
    ['time', formatClock(r.timestamp * 1000, true)], ['transport', r.transport], ['port', String(r.port)], ['path', r.path],
    ['signal', r.signal ?? '—'], ['encoding', r.encoding ?? '—'], ['compression', r.compression ?? 'none'],
    ['bytes', r.bytes === null ? '—' : String(r.bytes)], ['inflated bytes', r.inflatedBytes === null ? '—' : String(r.inflatedBytes)],
    ['peer', r.peer ?? '—'], ['user agent', r.userAgent ?? '—'], ['SDK', r.sdk ? `${r.sdk.name} ${r.sdk.version} (${r.sdk.language})` : '—'],
    ['services', r.services.join(', ') || '—'], ['accepted', String(r.accepted)], ['rejected', String(r.rejected)],
    ['result', r.result], ['status', String(r.status)], ['reason', r.reason ?? '—'], ['duration', formatDuration(r.durationMs)],
  ];
  return h('div', { class: 'ingest-record', 'data-testid': 'ingest-record' },
    r.hint ? h('p', { class: 'ingest-hint', 'data-testid': 'ingest-hint' }, h('strong', null, 'Fix: '), r.hint) : null,
    h('table', { class: 'kv-table' }, h('tbody', null, ...rows.map(([k, v]) => h('tr', null, h('th', { scope: 'row' }, k), h('td', null, v))))));
}

function servicesStrip(s: IngestSummary, nowMs: number): HTMLElement {
  const d = s.dropped;
  return h('div', { class: 'ingest-summary', 'data-testid': 'ingest-summary' },
    h('div', { class: 'ingest-services' }, s.services.length === 0 ? h('span', { class: 'muted' }, 'No service has sent data yet.') : null,
      ...s.services.map((svc) => h('div', { class: 'ingest-service', 'data-testid': 'ingest-service' },
        h('strong', null, svc.name), ': ',
        SIGNALS.map((sig) => { const x = svc.signals[sig]; return `${sig} ${x ? formatAgo(x.lastSeen * 1000, nowMs) : 'never'}`; }).join(', '),
        svc.sdks.length ? h('span', { class: 'muted' }, ` · ${svc.sdks.join(', ')}`) : null))),
    h('div', { class: 'ingest-drops muted', 'data-testid': 'ingest-drops' },
      `Dropped by TinyOlly: ${d.evicted} evicted by the memory cap, ${d.expired} expired by TTL, ${d.rejected} items rejected, ${d.refusedRequests} requests refused`));
}

/** Mounts the Ingest page. */
export function ingestView(): View {
  const strip = h('div', { class: 'ingest-strip' });
  const body = h('div', { class: 'list-body' });
  const refreshNow = () => void refresh();
  const result = select('result', ['ok', 'partial', 'refused'], refreshNow);
  const signal = select('signal', [...SIGNALS], refreshNow);
  const service = h('input', { type: 'search', name: 'service', placeholder: 'service', 'aria-label': 'service', 'data-testid': 'ingest-filter-service' });
  service.addEventListener('change', refreshNow);
  const el = h('section', { class: 'view view-ingest', 'aria-label': 'Ingest' },
    h('div', { class: 'list-status muted' }, 'Every OTLP request TinyOlly received, newest first: what was accepted, refused, and how to fix it.'),
    strip, h('div', { class: 'filters' }, result, signal, service), body);
  const loader = latestOnly((err) => replace(body, errorBanner(err)));
  const open = new Set<string>();

  const row = (r: IngestRequest): HTMLElement[] => {
    const tr = h('tr', { class: `ingest-row result-${r.result}`, 'data-testid': 'ingest-row', 'data-id': r.id, tabindex: '0' },
      h('td', null, formatClock(r.timestamp * 1000)), h('td', null, r.result), h('td', null, String(r.status)),
      h('td', null, r.transport), h('td', null, r.path), h('td', null, r.signal ?? '—'), h('td', null, r.services.join(', ') || '—'),
      h('td', { class: 'col-num' }, String(r.accepted)), h('td', { class: 'col-num' }, String(r.rejected)),
      h('td', null, r.hint ?? r.reason ?? ''));
    const detail = h('tr', { class: 'ingest-detail', hidden: !open.has(r.id) }, h('td', { colspan: '10' }, recordDetails(r)));
    tr.addEventListener('click', () => {
      if (open.has(r.id)) open.delete(r.id); else open.add(r.id);
      detail.hidden = !open.has(r.id);
    });
    return [tr, detail];
  };

  const refresh = (): Promise<void> => loader.run(async (abort) => {
    const [list, summary] = await Promise.all([
      getIngestRequests({ limit: 200, result: result.value, signal: signal.value, service: service.value.trim() }, abort),
      getIngestSummary(abort),
    ]);
    replace(strip, servicesStrip(summary, Date.now()));
    if (list.length === 0) {
      replace(body, h('div', { class: 'empty-state', 'data-testid': 'ingest-empty' }, 'No OTLP request yet (or none matches the filters). Point an exporter at OTLP/HTTP port 4318 (OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318) or OTLP/gRPC port 4317.',
        !result.value && !signal.value && !service.value.trim() ? firstRunChecklist() : null));
      return;
    }
    replace(body, h('table', { class: 'list-table ingest-table' },
      h('thead', null, h('tr', null, ...['Time', 'Result', 'Status', 'Transport', 'Path', 'Signal', 'Services', 'Accepted', 'Rejected', 'Hint / reason'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, ...list.flatMap(row))));
  });

  return { el, refresh: () => refresh() };
}
