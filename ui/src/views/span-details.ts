/**
 * @module ui/views/span-details: the details panel of one span: name, kind, status, timing,
 * ids with copy buttons, attributes/resource/scope (filterable), events, links and backlinks.
 */
import type { Backlink, Span } from '../api-types.js';
import { formatDuration, nanosDiffMs, shortId } from '../lib/format.js';
import { buildHash } from '../lib/route.js';
import { copyButton, copyText, h, replace } from './dom.js';
import { kvTable } from './kv-table.js';
import { serviceChip } from './traces.js';

function idLine(label: string, id: string | null): HTMLElement {
  return h('div', { class: 'id-line' }, h('span', { class: 'id-label muted' }, label),
    id ? h('code', { class: 'mono', title: id }, id) : h('span', { class: 'muted' }, '—'), id ? copyButton(id, `Copy ${label}`) : null);
}

/** Renders the panel for `span` (with `traceStartNanos` to show offsets); `onClose` hears the close button. */
export function spanDetails(span: Span, traceStartNanos: string, backlinks: readonly Backlink[], currentTraceId: string, onClose: () => void, onSelectSpan: (spanId: string) => void): HTMLElement {
  let filter = '';
  const sections = h('div', { class: 'sd-sections' });
  const isErr = span.status?.code === 'ERROR';
  const linkTo = (traceId: string, spanId: string, text: string): HTMLElement => {
    const a = h('a', { href: buildHash('trace', traceId, { span: spanId }), class: 'id-link mono', title: `${traceId} / ${spanId}` }, text);
    if (traceId === currentTraceId) a.addEventListener('click', (e) => { e.preventDefault(); onSelectSpan(spanId); });
    return a;
  };
  const renderSections = (): void => {
    const events = (span.events ?? []).filter((e) => !filter || e.name.toLowerCase().includes(filter) || JSON.stringify(e.attributes).toLowerCase().includes(filter));
    const mine = backlinks.filter((b) => b.linkedSpanId === span.spanId);
    replace(sections,
      kvTable('Attributes', span.attributes, filter, true),
      kvTable('Resource', span.resource, filter),
      h('div', { class: 'kv-section' }, h('div', { class: 'kv-title' }, 'Scope'),
        h('div', { class: 'mono small-pad' }, span.scope?.name || '(unnamed)', span.scope?.version ? ` @ ${span.scope.version}` : '')),
      h('div', { class: 'kv-section', 'data-testid': 'span-events' }, h('div', { class: 'kv-title' }, 'Events', h('span', { class: 'muted' }, ` ${events.length}`)),
        events.length ? events.slice(0, 200).map((e) => h('div', { class: `event-item${e.name === 'exception' ? ' exception' : ''}` },
          h('div', { class: 'event-head' }, h('span', { class: 'event-name' }, e.name || '(unnamed)'),
            h('span', { class: 'muted mono' }, `+${formatDuration(Math.max(0, nanosDiffMs(e.timeUnixNano, traceStartNanos)))}`)),
          kvTable('Attributes', e.attributes, filter))) : h('div', { class: 'muted small-pad' }, 'none')),
      h('div', { class: 'kv-section', 'data-testid': 'span-links' }, h('div', { class: 'kv-title' }, 'Links', h('span', { class: 'muted' }, ` ${span.links?.length ?? 0}`)),
        span.links?.length ? span.links.slice(0, 200).map((l) => h('div', { class: 'link-item' },
          h('div', null, h('span', { class: 'muted' }, 'trace '), linkTo(l.traceId, l.spanId, shortId(l.traceId)), h('span', { class: 'muted' }, ' span '), h('span', { class: 'mono' }, l.spanId)),
          kvTable('Attributes', l.attributes, filter))) : h('div', { class: 'muted small-pad' }, 'none')),
      h('div', { class: 'kv-section', 'data-testid': 'span-backlinks' }, h('div', { class: 'kv-title' }, 'Linked from', h('span', { class: 'muted' }, ` ${mine.length}`)),
        mine.length ? mine.slice(0, 200).map((b) => h('div', { class: 'link-item' },
          h('div', null, serviceChip(b.service), ' ', linkTo(b.traceId, b.spanId, b.name || shortId(b.traceId))),
          h('div', { class: 'muted mono small' }, `trace ${shortId(b.traceId)} span ${b.spanId}`),
          kvTable('Attributes', b.attributes, filter))) : h('div', { class: 'muted small-pad' }, 'none')),
    );
  };
  const filterInput = h('input', { type: 'search', class: 'input sd-filter', placeholder: 'Filter attributes…  ( / )', 'aria-label': 'Filter attributes', 'data-search': '' });
  filterInput.addEventListener('input', () => { filter = filterInput.value.trim().toLowerCase(); renderSections(); });
  const copyJson = h('button', { class: 'btn small-btn', type: 'button', title: 'Copy this span as JSON' }, 'JSON');
  copyJson.addEventListener('click', () => void copyText(JSON.stringify(span, null, 2), copyJson));
  const close = h('button', { class: 'btn icon', type: 'button', title: 'Close (Esc)', 'aria-label': 'Close details' }, '✕');
  close.addEventListener('click', onClose);
  renderSections();
  return h('aside', { class: 'span-details', 'data-testid': 'span-details', 'aria-label': 'Span details' },
    h('div', { class: 'sd-head' }, h('h3', { class: 'sd-name', title: span.name }, span.name || '(no name)'), copyJson, close),
    h('div', { class: 'sd-badges' },
      serviceChip(span.service),
      h('span', { class: 'badge' }, span.kind),
      h('span', { class: `badge status-${(span.status?.code ?? 'UNSET').toLowerCase()}` }, span.status?.code ?? 'UNSET'),
      h('span', { class: 'badge mono' }, formatDuration(span.durationMs)),
      h('span', { class: 'badge mono muted', title: 'Start offset from the trace start' }, `@ +${formatDuration(Math.max(0, nanosDiffMs(span.startTimeUnixNano, traceStartNanos)))}`)),
    isErr || span.status?.message ? h('div', { class: `status-msg${isErr ? ' error' : ''}` }, span.status.message || 'Error (no message)') : null,
    h('div', { class: 'sd-ids' }, idLine('Span ID', span.spanId), idLine('Parent', span.parentSpanId), idLine('Trace ID', span.traceId)),
    filterInput,
    sections);
}
