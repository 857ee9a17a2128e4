/**
 * @module ui/views/log-list: one log row (time, severity, service, body, trace/span links) with an
 * expandable detail (pretty-printed structured body, attributes, resource). Shared by the logs
 * page and the trace view. Bodies are text only.
 */
import type { LogRecord } from '../api-types.js';
import { severityClass } from '../lib/colors.js';
import { formatClock, formatDuration, formatFullTime, shortId } from '../lib/format.js';
import { buildHash } from '../lib/route.js';
import { h, valueText } from './dom.js';
import { kvTable } from './kv-table.js';
import { serviceChip } from './traces.js';

const MAX_INLINE = 400;

/** One-line text of a body: strings as they are, structured bodies as compact JSON. */
export function bodyLine(body: unknown): string {
  const t = typeof body === 'string' ? body : valueText(body);
  return t.length > MAX_INLINE ? `${t.slice(0, MAX_INLINE)}…` : t;
}

export interface LogRowOptions {
  /** Show time relative to this start (ms since epoch) instead of the clock. */
  relativeToMs?: number;
  /** Hide the trace link (inside the trace view it points at the same trace). */
  inTrace?: boolean;
  onSpanClick?: (spanId: string) => void;
}

/** Renders one log row; clicking the row toggles its detail. */
export function logRow(log: LogRecord, opts: LogRowOptions = {}): HTMLElement {
  const sev = severityClass(log.severityNumber, log.severityText);
  const ms = log.timestamp * 1000;
  const structured = log.body !== null && typeof log.body === 'object';
  const time = opts.relativeToMs !== undefined ? `+${formatDuration(Math.max(0, ms - opts.relativeToMs))}` : formatClock(ms);
  const links = h('span', { class: 'log-links' });
  if (log.traceId && !opts.inTrace) {
    links.appendChild(h('a', { href: buildHash('trace', log.traceId, { span: log.spanId ?? undefined }), class: 'id-link mono', 'data-testid': 'log-trace-link', title: `Open trace ${log.traceId}` }, shortId(log.traceId)));
    if (log.spanId) {
      links.appendChild(h('a', { href: buildHash('trace', log.traceId, { span: log.spanId }), class: 'id-link mono span-link', 'data-testid': 'log-span-link', title: `Open span ${log.spanId}` }, log.spanId.slice(0, 8)));
    }
  }
  if (log.spanId && opts.inTrace && opts.onSpanClick) {
    const a = h('a', { href: '#', class: 'id-link mono', title: `Select span ${log.spanId}` }, log.spanId.slice(0, 8));
    a.addEventListener('click', (e) => { e.preventDefault(); e.stopPropagation(); opts.onSpanClick!(log.spanId!); });
    links.appendChild(a);
  }
  const body = h('span', { class: `log-body${structured ? ' structured' : ''}` }, bodyLine(log.body));
  const row = h('div', { class: `log-row sev-${sev}`, 'data-testid': 'log-row', 'data-kb-row': '', tabindex: '-1', 'data-log-id': log.id },
    h('span', { class: 'log-time mono', title: formatFullTime(ms) }, time),
    h('span', { class: `sev-badge sev-${sev}` }, (log.severityText || sev).toUpperCase().slice(0, 5)),
    h('span', { class: 'log-svc' }, serviceChip(log.service)),
    body,
    links,
  );
  let detail: HTMLElement | null = null;
  row.addEventListener('click', (e) => {
    if ((e.target as HTMLElement).closest('a,button')) return;
    if (detail) { detail.remove(); detail = null; row.classList.remove('expanded'); return; }
    detail = h('div', { class: 'log-detail' },
      structured || (typeof log.body === 'string' && log.body.length > 80)
        ? h('pre', { class: 'body-pretty' }, structured ? JSON.stringify(log.body, null, 2) : String(log.body)) : null,
      kvTable('Attributes', log.attributes),
      kvTable('Resource', log.resource),
      h('div', { class: 'kv-meta muted mono' }, `time ${formatFullTime(ms)} · severity ${log.severityText || '—'} (${log.severityNumber})`,
        log.traceId ? ` · trace ${log.traceId}` : '', log.spanId ? ` · span ${log.spanId}` : ''),
    );
    row.appendChild(detail);
    row.classList.add('expanded');
  });
  return row;
}
