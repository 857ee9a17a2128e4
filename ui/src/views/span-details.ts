/**
 * @module ui/views/span-details: the details panel of one span, what matters first: name, kind and
 * timing, the status, the exception (type, message, full stack trace), events, attributes, the
 * resource (collapsed), scope, links, backlinks and the ids with copy buttons. Filterable.
 */
import type { Attributes, Backlink, Span } from '../api-types.js';
import { formatDuration, nanosDiffMs, shortId } from '../lib/format.js';
import { buildHash } from '../lib/route.js';
import { copyButton, copyText, h, replace, valueText } from './dom.js';
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
  let resourceOpen = false;
  const exceptions = (span.events ?? []).filter((e) => e.name === 'exception').slice(0, 5);
  const renderSections = (): void => {
    const events = (span.events ?? []).filter((e) => !filter || e.name.toLowerCase().includes(filter) || JSON.stringify(e.attributes).toLowerCase().includes(filter));
    const mine = backlinks.filter((b) => b.linkedSpanId === span.spanId);
    const resourceTable = kvTable('Resource', span.resource, filter, true);
    const resource = h('details', { class: 'kv-details', 'data-testid': 'span-resource' },
      h('summary', { class: 'kv-title' }, 'Resource', h('span', { class: 'muted' }, ` ${Object.keys(span.resource ?? {}).length}`)),
      resourceTable);
    // Collapsed unless the reader opened it (or a filter matches inside it).
    resource.open = resourceOpen || (!!filter && !!resourceTable?.querySelector('tr'));
    resource.addEventListener('toggle', () => { if (!filter) resourceOpen = resource.open; });
    const attrs = kvTable('Attributes', span.attributes, filter, true);
    attrs?.setAttribute('data-testid', 'span-attributes');
    replace(sections,
      h('div', { class: 'kv-section', 'data-testid': 'span-events' }, h('div', { class: 'kv-title' }, 'Events', h('span', { class: 'muted' }, ` ${events.length}`)),
        events.length ? events.slice(0, 200).map((e) => h('div', { class: `event-item${e.name === 'exception' ? ' exception' : ''}` },
          h('div', { class: 'event-head' }, h('span', { class: 'event-name' }, e.name || '(unnamed)'),
            h('span', { class: 'muted mono' }, `+${formatDuration(Math.max(0, nanosDiffMs(e.timeUnixNano, traceStartNanos)))}`)),
          // An exception's stack trace is shown in full above; its table keeps the other attributes.
          kvTable('Attributes', e.name === 'exception' ? withoutKey(e.attributes, 'exception.stacktrace') : e.attributes, filter))) : h('div', { class: 'muted small-pad' }, 'none')),
      attrs,
      resource,
      h('div', { class: 'kv-section' }, h('div', { class: 'kv-title' }, 'Scope'),
        h('div', { class: 'mono small-pad' }, span.scope?.name || '(unnamed)', span.scope?.version ? ` @ ${span.scope.version}` : '')),
      h('div', { class: 'kv-section', 'data-testid': 'span-links' }, h('div', { class: 'kv-title' }, 'Links', h('span', { class: 'muted' }, ` ${span.links?.length ?? 0}`)),
        span.links?.length ? span.links.slice(0, 200).map((l) => h('div', { class: 'link-item' },
          h('div', null, h('span', { class: 'muted' }, 'trace '), linkTo(l.traceId, l.spanId, shortId(l.traceId)), h('span', { class: 'muted' }, ' span '), h('span', { class: 'mono' }, l.spanId)),
          kvTable('Attributes', l.attributes, filter))) : h('div', { class: 'muted small-pad' }, 'none')),
      h('div', { class: 'kv-section', 'data-testid': 'span-backlinks' }, h('div', { class: 'kv-title' }, 'Linked from', h('span', { class: 'muted' }, ` ${mine.length}`)),
        mine.length ? mine.slice(0, 200).map((b) => h('div', { class: 'link-item' },
          h('div', null, serviceChip(b.service), ' ', linkTo(b.traceId, b.spanId, b.name || shortId(b.traceId))),
          h('div', { class: 'muted mono small' }, `trace ${shortId(b.traceId)} span ${b.spanId}`),
          kvTable('Attributes', b.attributes, filter))) : h('div', { class: 'muted small-pad' }, 'none')),
      h('div', { class: 'kv-section' }, h('div', { class: 'kv-title' }, 'IDs'),
        h('div', { class: 'sd-ids' }, idLine('Span ID', span.spanId), idLine('Parent', span.parentSpanId), idLine('Trace ID', span.traceId))),
    );
  };
  const filterInput = h('input', { type: 'search', class: 'input sd-filter', placeholder: 'Filter attributes…  ( / )', 'aria-label': 'Filter attributes', 'data-search': '' });
  filterInput.addEventListener('input', () => { filter = filterInput.value.trim().toLowerCase(); renderSections(); });
  const copyJson = h('button', { class: 'btn small-btn', type: 'button', title: 'Copy this span as JSON' }, 'JSON');
  copyJson.addEventListener('click', () => void copyText(JSON.stringify(span, null, 2), copyJson));
  const close = h('button', { class: 'btn icon', type: 'button', title: 'Close (Esc)', 'aria-label': 'Close details' }, '✕');
  close.addEventListener('click', onClose);
  renderSections();
  const code = span.status?.code ?? 'UNSET';
  const statusBlock = h('div', { class: `sd-status${isErr ? ' error' : ''}`, 'data-testid': 'span-status' },
    h('span', { class: `badge status-${code.toLowerCase()}` }, code),
    span.status?.message ? h('span', { class: 'sd-status-msg' }, span.status.message) : isErr ? h('span', { class: 'sd-status-msg muted' }, 'Error (no message)') : null);
  const exceptionBlock = exceptions.length
    ? h('div', { class: 'sd-exception', 'data-testid': 'span-exception' }, ...exceptions.map((e) => {
      const a = e.attributes ?? {};
      const type = typeof a['exception.type'] === 'string' ? a['exception.type'] : '';
      const message = a['exception.message'] !== undefined ? valueText(a['exception.message']) : '';
      const stack = a['exception.stacktrace'] !== undefined ? valueText(a['exception.stacktrace']) : '';
      return h('div', { class: 'sd-exc-item' },
        h('div', { class: 'sd-exc-head' }, h('span', { class: 'sd-exc-type mono' }, type || 'Exception'), message ? h('span', { class: 'sd-exc-msg' }, `: ${message}`) : null),
        stack ? h('pre', { class: 'sd-stack mono', 'data-testid': 'exception-stacktrace' }, stack.length > 20000 ? `${stack.slice(0, 20000)}\n…` : stack) : null);
    }))
    : null;
  return h('aside', { class: 'span-details', 'data-testid': 'span-details', 'aria-label': 'Span details' },
    h('div', { class: 'sd-head' }, h('h3', { class: 'sd-name', title: span.name }, span.name || '(no name)'), copyJson, close),
    h('div', { class: 'sd-badges' },
      serviceChip(span.service),
      h('span', { class: 'badge' }, span.kind),
      h('span', { class: 'badge mono' }, formatDuration(span.durationMs)),
      h('span', { class: 'badge mono muted', title: 'Start offset from the trace start' }, `@ +${formatDuration(Math.max(0, nanosDiffMs(span.startTimeUnixNano, traceStartNanos)))}`)),
    statusBlock,
    exceptionBlock,
    filterInput,
    sections);
}

function withoutKey(attrs: Attributes | undefined, key: string): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(attrs ?? {})) if (k !== key) out[k] = v;
  return out;
}
