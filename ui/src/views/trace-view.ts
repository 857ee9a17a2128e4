/**
 * @module ui/views/trace-view: one trace (#/traces/{id}): summary header, waterfall, span details
 * and the trace's (or selected span's) logs in time order. Data: GET /api/traces/{id},
 * /api/traces/{id}/backlinks and /api/logs?trace_id=.
 */
import { getBacklinks, getTraceDoc, listLogs } from '../api.js';
import type { Backlink, LogRecord, Span } from '../api-types.js';
import { formatDuration, formatTimestamp, nanosDiffMs, nanosToMs, shortId } from '../lib/format.js';
import { buildHash, type Route } from '../lib/route.js';
import { layoutWaterfall, type WaterfallLayout } from '../lib/waterfall.js';
import { copyButton, h, latestOnly, replace } from './dom.js';
import { errorBanner } from './empty-state.js';
import { copyForAiButton, exportButton } from './export-buttons.js';
import { bodyLine, logRow } from './log-list.js';
import { spanDetails } from './span-details.js';
import { markAttribute } from './doctor-rules.js';
import { incompleteMarker, serviceChip } from './traces.js';
import { findNPlusOne } from '../../../src/compare/n-plus-one.js';
import { comparePanel } from './compare-panel.js';
import type { View } from './view.js';
import { waterfallView, type LogMark, type WaterfallView } from './waterfall-view.js';

/** Mounts the trace view for `route.param`, selecting `route.query.span` if given. */
export function traceView(route: Route): View {
  const traceId = route.param ?? '';
  let wantSpan: string | null = route.query.span ?? null;
  // A doctor finding's link (?span=&attr=) marks the attribute at fault on that span.
  let mark = { span: route.query.span, attr: route.query.attr };
  const head = h('div', { class: 'trace-head' }, h('div', { class: 'muted' }, 'Loading trace…'));
  const wfHost = h('div', { class: 'wf-host' });
  const details = h('div', { class: 'details-host' });
  const logsHost = h('div', { class: 'trace-logs' });
  const main = h('div', { class: 'trace-main' }, wfHost, logsHost);
  const handle = splitHandle();
  const split = h('div', { class: 'trace-split' }, main, handle.el, details);
  handle.attach(split);
  const el = h('section', { class: 'view view-trace', 'aria-label': 'Trace' }, head, comparePanel(traceId, route.query.compare), split);
  let spans: Span[] = [];
  let layout: WaterfallLayout | null = null;
  let wf: WaterfallView | null = null;
  let backlinks: Backlink[] = [];
  let logs: LogRecord[] = [];
  let selected: string | null = null;
  let cpOn = false;
  let incomplete = false;
  /** What the server left out: spans refused by the per-trace cap, and stored spans past the first page. */
  let cut = { dropped: 0, total: 0 };
  const loader = latestOnly((err) => replace(head, errorBanner(err)));
  let logsSig = '';
  // A big trace that stopped changing is not re-fetched by the live timer (only by a manual refresh).
  let unchangedTicks = 0;

  const spanById = (id: string): Span | undefined => (layout ? layout.rows[layout.indexById.get(id) ?? -1]?.span : undefined);

  const renderLogs = (): void => {
    const startMs = layout ? nanosToMs(layout.traceStartNanos) : 0;
    const span = selected ? spanById(selected) : undefined;
    const list = span ? logs.filter((l) => l.spanId === span.spanId) : logs;
    const sorted = list.slice().sort((a, b) => a.timestamp - b.timestamp);
    const title = span ? `Logs of span “${span.name}”` : 'Logs of this trace';
    replace(logsHost,
      h('div', { class: 'panel-title' }, title, h('span', { class: 'muted' }, ` ${sorted.length}${span ? ` of ${logs.length}` : ''}`),
        h('a', { class: 'panel-link', href: buildHash('logs', undefined, { trace_id: traceId }) }, 'Open in Logs →')),
      sorted.length
        ? h('div', { class: 'log-list compact' }, ...sorted.slice(0, 500).map((l) => logRow(l, { relativeToMs: startMs, inTrace: true, onSpanClick: (id) => select(id, true) })))
        : h('div', { class: 'muted small-pad' }, span ? 'No logs for this span.' : 'No logs carry this trace id.'));
  };

  const renderDetails = (): void => {
    const span = selected ? spanById(selected) : undefined;
    split.classList.toggle('with-details', !!span);
    if (!span || !layout) { details.replaceChildren(); return; }
    replace(details, spanDetails(span, layout.traceStartNanos, backlinks, traceId, () => select(null), (id) => select(id, true)));
    if (mark.attr && span.spanId === mark.span) markAttribute(details, mark.attr);
  };

  // A log mark on the waterfall: select its span, then bring its row in the logs below into view.
  const focusLog = (spanId: string, logId: string): void => {
    select(spanId);
    const row = Array.from(logsHost.querySelectorAll<HTMLElement>('[data-log-id]')).find((el) => el.dataset.logId === logId);
    if (!row) return;
    row.scrollIntoView({ block: 'nearest' });
    row.classList.add('flash');
    setTimeout(() => row.classList.remove('flash'), 1500);
  };

  const select = (spanId: string | null, scroll = false): void => {
    selected = spanId && spanById(spanId) ? spanId : null;
    wf?.select(selected, scroll);
    renderDetails();
    renderLogs();
    const q = selected ? `?span=${encodeURIComponent(selected)}` : '';
    const want = `#/traces/${encodeURIComponent(traceId)}${q}`;
    if (location.hash !== want) history.replaceState(null, '', want);
  };

  const renderHead = (): void => {
    if (!layout) return;
    const root = layout.rows[0]?.span;
    const errors = spans.filter((s) => s.status?.code === 'ERROR').length;
    const services = [...new Set(spans.map((s) => s.service))].sort();
    const cpBtn = h('button', { class: `btn toggle${cpOn ? ' on' : ''}`, type: 'button', 'aria-pressed': String(cpOn), title: 'Highlight the chain of spans that determined the end-to-end time' }, 'Critical path');
    cpBtn.addEventListener('click', () => { cpOn = !cpOn; wf?.setCriticalPath(cpOn); cpBtn.classList.toggle('on', cpOn); cpBtn.setAttribute('aria-pressed', String(cpOn)); });
    const expand = h('button', { class: 'btn', type: 'button' }, 'Expand all');
    expand.addEventListener('click', () => wf?.expandAll());
    const collapse = h('button', { class: 'btn', type: 'button' }, 'Collapse all');
    collapse.addEventListener('click', () => wf?.collapseAll());
    replace(head,
      h('div', { class: 'trace-title-row' },
        h('a', { class: 'back-link', href: '#/traces', title: 'Back to traces (Esc)' }, '← Traces'),
        h('h2', { class: 'trace-title' }, root ? serviceChip(root.service) : null, h('span', { class: 'trace-root-name' }, root?.name || '(no root)'),
          incomplete ? incompleteMarker(true) : null, nPlusOneBadge(spans)),
        h('div', { class: 'trace-actions' }, cpBtn, expand, collapse,
          exportButton(() => ({ signal: 'all', format: 'jsonl', trace_id: traceId }), 'Download this trace and its logs as OTLP JSONL'), copyForAiButton(traceId, () => spans))),
      h('div', { class: 'trace-meta' },
        h('span', { class: 'meta-item' }, h('span', { class: 'muted' }, 'Trace '), h('code', { class: 'mono', title: traceId }, shortId(traceId)), copyButton(traceId, 'Copy trace id')),
        h('span', { class: 'meta-item' }, h('span', { class: 'muted' }, 'Started '), formatTimestamp(nanosToMs(layout.traceStartNanos))),
        h('span', { class: 'meta-item' }, h('span', { class: 'muted' }, 'Duration '), h('strong', null, formatDuration(layout.traceDurationMs))),
        h('span', { class: 'meta-item' }, h('span', { class: 'muted' }, 'Spans '), String(spans.length)),
        cut.total > spans.length ? h('span', { class: 'meta-item warn-text', 'data-testid': 'trace-paged' }, `first ${spans.length} of ${cut.total} shown`) : null,
        cut.dropped > 0 ? h('span', { class: 'meta-item warn-text', 'data-testid': 'trace-cut', title: 'TINYOLLY_MAX_SPANS_PER_TRACE: spans past it were refused' }, `${cut.dropped} spans dropped (per-trace limit)`) : null,
        h('span', { class: `meta-item${errors ? ' err-text' : ''}` }, h('span', { class: 'muted' }, 'Errors '), String(errors)),
        h('span', { class: 'meta-item services' }, ...services.slice(0, 8).map(serviceChip), services.length > 8 ? h('span', { class: 'muted' }, `+${services.length - 8}`) : null)));
  };

  const view: View = {
    el,
    async refresh(reason) {
      if (reason === 'live' && spans.length > 500 && unchangedTicks >= 3) return;
      await loader.run(async (signal) => {
        const [sp, bl, lg] = await Promise.all([
          getTraceDoc(traceId, signal),
          getBacklinks(traceId, signal).catch(() => [] as Backlink[]),
          listLogs({ trace_id: traceId, limit: 1000 }, signal).catch(() => [] as LogRecord[]),
        ]);
        if (signal.aborted) return;
        const doc = sp;
        if (!doc) {
          replace(head, h('div', { class: 'trace-title-row' }, h('a', { class: 'back-link', href: '#/traces' }, '← Traces')),
            h('div', { class: 'empty-state small' }, h('h2', null, 'Trace not found'), h('p', { class: 'muted' }, `No spans with trace id ${traceId} are stored (it may have expired).`)));
          split.replaceChildren();
          return;
        }
        const sp2 = doc.spans;
        // The server says whether the root has arrived; an older server does not, and then a trace
        // in which every span names a parent has no root yet.
        const inc = typeof doc.incomplete === 'boolean' ? doc.incomplete : sp2.length > 0 && sp2.every((x) => !!x.parentSpanId);
        const nextCut = { dropped: doc.spansDropped ?? 0, total: doc.totalSpans ?? sp2.length };
        const changed = sp2.length !== spans.length || inc !== incomplete || nextCut.dropped !== cut.dropped || nextCut.total !== cut.total
          || JSON.stringify(bl) !== JSON.stringify(backlinks);
        const lsig = lg.map((l) => l.id).join(',');
        unchangedTicks = changed || lsig !== logsSig ? 0 : unchangedTicks + 1;
        if (changed || lsig !== logsSig) {
          if (changed) {
            spans = sp2;
            incomplete = inc;
            cut = nextCut;
            backlinks = bl;
            layout = layoutWaterfall(spans);
          }
          logs = lg;
          logsSig = lsig;
          const prev = wf?.viewState();
          wf = waterfallView(layout!, (id) => select(id), prev, { logs: logMarksOf(layout!, logs), onLog: focusLog });
          wf.setCriticalPath(cpOn);
          replace(wfHost, wf.el);
          if (changed) renderHead();
          const target = wantSpan ?? selected;
          wantSpan = null;
          // Scroll to the deep-linked span on first load; a live rebuild keeps the reader's scroll.
          select(target, !!target && !prev);
        }
      });
    },
    update(r) {
      if (r.view !== 'trace' || r.param !== traceId || r.query.compare !== route.query.compare) return false;
      if (r.query.attr) mark = { span: r.query.span, attr: r.query.attr };
      if ((r.query.span ?? null) !== selected) select(r.query.span ?? null, true);
      return true;
    },
    escape() {
      if (selected) { select(null); return true; }
      return false;
    },
    move(d) { wf?.move(d); return true; },
    destroy() { loader.abort(); },
  };
  return view;
}

const SPLIT_KEY = 'tinyolly.detailsWidth';
/** The narrowest the waterfall gets beside the details (px); the details get at least MIN_DETAILS. */
export const MIN_WATERFALL = 480;
const MIN_DETAILS = 260;

function storedWidth(): number | null {
  try { const v = Number(localStorage.getItem(SPLIT_KEY)); return Number.isFinite(v) && v >= MIN_DETAILS ? v : null; } catch { return null; }
}

/**
 * The drag handle between the waterfall and the span details: drag (or arrow keys) sets the
 * details width, kept in localStorage; CSS keeps the waterfall at least MIN_WATERFALL wide.
 */
function splitHandle(): { el: HTMLElement; attach(split: HTMLElement): void } {
  const el = h('div', { class: 'split-handle', 'data-testid': 'split-handle', role: 'separator', 'aria-orientation': 'vertical', 'aria-label': 'Resize span details', tabindex: '0', title: 'Drag to resize' });
  let split: HTMLElement | null = null;
  const set = (w: number, save: boolean): void => {
    if (!split) return;
    const total = split.getBoundingClientRect().width;
    const max = Math.max(MIN_DETAILS, total - MIN_WATERFALL - 12);
    const width = Math.round(Math.min(max, Math.max(MIN_DETAILS, w)));
    split.style.setProperty('--details-w', `${width}px`);
    el.setAttribute('aria-valuenow', String(width));
    if (save) { try { localStorage.setItem(SPLIT_KEY, String(width)); } catch { /* private mode */ } }
  };
  const current = (): number => (split?.querySelector('.details-host') as HTMLElement | null)?.getBoundingClientRect().width ?? 400;
  el.addEventListener('pointerdown', (e: PointerEvent) => {
    if (!split) return;
    e.preventDefault();
    el.setPointerCapture(e.pointerId);
    el.classList.add('dragging');
    const right = split.getBoundingClientRect().right;
    const move = (ev: PointerEvent): void => set(right - ev.clientX - 4, false);
    const up = (ev: PointerEvent): void => {
      set(right - ev.clientX - 4, true);
      el.classList.remove('dragging');
      el.removeEventListener('pointermove', move);
      el.removeEventListener('pointerup', up);
      el.removeEventListener('pointercancel', up);
    };
    el.addEventListener('pointermove', move);
    el.addEventListener('pointerup', up);
    el.addEventListener('pointercancel', up);
  });
  el.addEventListener('keydown', (e: KeyboardEvent) => {
    if (e.key === 'ArrowLeft') { e.preventDefault(); set(current() + 24, true); }
    if (e.key === 'ArrowRight') { e.preventDefault(); set(current() - 24, true); }
  });
  return {
    el,
    attach(s) {
      split = s;
      const w = storedWidth();
      if (w !== null) s.style.setProperty('--details-w', `${w}px`);
    },
  };
}

/** A badge when the trace has an N+1 loop (compare/n-plus-one.ts): the longest run, its statement in the tooltip. */
function nPlusOneBadge(spans: Span[]): HTMLElement | null {
  const found = findNPlusOne(spans as Parameters<typeof findNPlusOne>[0]);
  if (found.length === 0) return null;
  const top = found.reduce((x, y) => (y.count > x.count ? y : x));
  const more = found.length > 1 ? ` (+${found.length - 1} more)` : '';
  return h('span', { class: 'badge warn n-plus-one', 'data-testid': 'n-plus-one-badge', title: `${top.count} × ${top.service}:${top.name} in sequence under ${top.parent.name}: ${top.statement}` },
    `N+1 · ${top.count}× ${top.name}${more}`);
}

/** Each log of the trace that names a span of it, as a mark on that span's row. */
function logMarksOf(layout: WaterfallLayout, logs: LogRecord[]): Map<string, LogMark[]> {
  const out = new Map<string, LogMark[]>();
  const total = layout.traceDurationMs;
  for (const l of logs) {
    if (!l.spanId || !layout.indexById.has(l.spanId)) continue;
    const offsetMs = /^\d+$/.test(l.timeUnixNano) ? nanosDiffMs(l.timeUnixNano, layout.traceStartNanos) : 0;
    const pct = total > 0 ? Math.min(100, Math.max(0, (offsetMs / total) * 100)) : 0;
    const title = `log ${(l.severityText || 'LOG').toUpperCase()} at +${formatDuration(Math.max(0, offsetMs))}: ${bodyLine(l.body).slice(0, 160)}`;
    const list = out.get(l.spanId) ?? out.set(l.spanId, []).get(l.spanId)!;
    list.push({ pct, title, logId: l.id });
  }
  return out;
}
