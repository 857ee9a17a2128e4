/**
 * @module ui/views/waterfall-view: the trace waterfall: one DOM row per visible span, indented by
 * depth, bars positioned by lib/waterfall, a time ruler, collapse/expand, critical path and
 * virtualised rendering for big traces (only rows near the viewport are in the DOM).
 */
import { serviceColor } from '../lib/colors.js';
import { criticalPath } from '../lib/critical-path.js';
import { formatDuration } from '../lib/format.js';
import { ICON_GLYPH, spanSummary } from '../lib/span-summary.js';
import { rulerTicks, visibleRows, type WaterfallLayout, type WaterfallRow } from '../lib/waterfall.js';
import { h } from './dom.js';

const ROW_H = 28;
/** Up to this many rows everything is rendered; beyond it only the rows near the viewport. */
const VIRTUALISE_OVER = 400;
const OVERSCAN = 20;

export interface WaterfallView {
  el: HTMLElement;
  select(spanId: string | null, scroll?: boolean): void;
  setCriticalPath(on: boolean): void;
  expandAll(): void;
  collapseAll(): void;
  /** Moves the selection by `delta` visible rows. */
  move(delta: number): void;
  /** What to carry over when the trace is re-laid out (live refresh): collapsed spans and scroll. */
  viewState(): WaterfallViewState;
}

export interface WaterfallViewState { collapsed: string[]; scrollTop: number }

/** A log record drawn on its span's row (issue 14): where, what the tooltip says, and its id. */
export interface LogMark { pct: number; title: string; logId: string }

/** Log marks per span id, and what a click on one does (the trace view selects the span and its log). */
export interface WaterfallMarks { logs: Map<string, LogMark[]>; onLog(spanId: string, logId: string): void }

/** Builds the waterfall for a laid-out trace; `onSelect` hears span clicks (null to deselect). */
export function waterfallView(layout: WaterfallLayout, onSelect: (spanId: string | null) => void, init?: WaterfallViewState, marks?: WaterfallMarks): WaterfallView {
  const { rows } = layout;
  const collapsed = new Set<string>(init?.collapsed ?? []);
  let visible = visibleRows(rows, collapsed);
  let selected: string | null = null;
  let cp: Set<number> | null = null;
  const cpOn = (): Set<number> => (cp ??= criticalPath(rows));
  let showCp = false;

  const ticks = rulerTicks(layout.traceDurationMs, 4);
  const ruler = h('div', { class: 'wf-ruler' }, ...ticks.map((t, i) => {
    const tick = h('span', { class: `wf-tick${i === 0 ? ' first' : i === ticks.length - 1 ? ' last' : ''}` }, formatDuration(t));
    tick.style.left = `${(i / (ticks.length - 1)) * 100}%`;
    return tick;
  }));
  // One set of grid lines over the whole list (cheaper than lines in every row).
  const grid = h('div', { class: 'wf-grid', 'aria-hidden': 'true' });
  for (let i = 1; i < ticks.length - 1; i++) {
    const l = h('span');
    l.style.left = `${(i / (ticks.length - 1)) * 100}%`;
    grid.appendChild(l);
  }
  const header = h('div', { class: 'wf-head' }, h('div', { class: 'wf-label-head' }, 'Service & operation'), h('div', { class: 'wf-time-head' }, ruler));
  const spacer = h('div', { class: 'wf-spacer' }, grid);
  const scroller = h('div', { class: 'wf-scroll', tabindex: '0', 'aria-label': 'Spans' }, spacer);
  const el = h('div', { class: 'waterfall', 'data-testid': 'waterfall', 'data-row-count': String(rows.length), role: 'tree' }, header, scroller);
  const virtual = rows.length > VIRTUALISE_OVER;
  if (virtual) el.classList.add('virtual');
  const rendered = new Map<number, HTMLElement>();

  const renderRow = (ri: number): HTMLElement => {
    const r: WaterfallRow = rows[ri];
    const s = r.span;
    const color = serviceColor(s.service);
    const isErr = s.status?.code === 'ERROR';
    const toggle = r.childCount > 0
      ? h('button', { class: 'wf-toggle', type: 'button', 'aria-label': collapsed.has(s.spanId) ? 'Expand' : 'Collapse', 'aria-expanded': String(!collapsed.has(s.spanId)) }, collapsed.has(s.spanId) ? '▸' : '▾')
      : h('span', { class: 'wf-toggle-space' });
    if (r.childCount > 0) toggle.addEventListener('click', (e) => { e.stopPropagation(); toggleRow(s.spanId); });
    const dot = h('span', { class: 'svc-dot' });
    dot.style.background = color;
    const sum = spanSummary(s);
    const kindGlyph = ICON_GLYPH[s.kind === 'SERVER' ? 'server' : s.kind === 'CLIENT' ? 'client' : s.kind === 'PRODUCER' ? 'producer' : s.kind === 'CONSUMER' ? 'consumer' : 'internal'];
    const systemIcon = sum.icon === 'db' || sum.icon === 'http' || sum.icon === 'messaging' || sum.icon === 'rpc'
      ? h('span', { class: `wf-icon sys-${sum.icon}`, 'data-testid': 'span-icon', 'data-icon': sum.icon, title: sum.system ? `${sum.icon}: ${sum.system}` : sum.icon }, ICON_GLYPH[sum.icon])
      : null;
    const status = sum.statusCode !== undefined && sum.statusCode >= 400 ? ' http-err' : '';
    const label = h('div', { class: 'wf-label', title: `${s.service}: ${s.name}${sum.text ? `\n${sum.text}` : ''}` },
      toggle, dot,
      h('span', { class: `wf-kind kind-${(s.kind || 'INTERNAL').toLowerCase()}`, title: s.kind, 'aria-label': s.kind }, kindGlyph),
      systemIcon,
      // The dot carries the service; its name is written where it changes (roots, cross-service calls).
      h('span', { class: `wf-svc${r.parentIndex >= 0 && rows[r.parentIndex].span.service === s.service ? ' same' : ''}` }, s.service),
      h('span', { class: 'wf-name' }, s.name || '(no name)'),
      sum.text ? h('span', { class: `wf-summary mono${status}`, 'data-testid': 'span-summary' }, sum.text) : null,
      isErr ? h('span', { class: 'err-icon', title: `Error${s.status.message ? `: ${s.status.message}` : ''}`, 'aria-label': 'error' }, '!') : null,
      collapsed.has(s.spanId) ? h('span', { class: 'wf-hidden-count muted' }, `+${r.descendantCount}`) : null,
    );
    label.style.paddingLeft = `${6 + Math.min(r.depth, 40) * 14}px`;
    const bar = h('div', { class: `wf-bar${isErr ? ' error' : ''}`, 'data-testid': 'waterfall-bar', title: `${formatDuration(s.durationMs)}` });
    bar.style.left = `${r.offsetPct}%`;
    bar.style.width = `${r.widthPct}%`;
    bar.style.background = color;
    bar.dataset.offsetPct = String(r.offsetPct);
    bar.dataset.widthPct = String(r.widthPct);
    const dur = h('span', { class: 'wf-dur mono' }, formatDuration(s.durationMs));
    // The timeline keeps a right margin wide enough for this label after the longest bar.
    dur.style.left = `${r.offsetPct + r.widthPct}%`;
    const timeline = h('div', { class: 'wf-timeline' }, bar, dur);
    // Events and logs as marks on the bar, each with a tooltip; a click selects the span (and the log).
    const events = (s.events ?? []).filter((e) => /^\d+$/.test(e.timeUnixNano));
    r.eventPcts.slice(0, 50).forEach((p, i) => {
      const e = events[i];
      const at = e ? formatDuration(Math.max(0, (p / 100) * layout.traceDurationMs)) : '';
      const m = h('span', { class: 'wf-event', 'data-testid': 'waterfall-event', title: e ? `event “${e.name}” at +${at}` : 'event' });
      m.style.left = `${p}%`;
      m.addEventListener('click', (ev) => { ev.stopPropagation(); onSelect(s.spanId); });
      timeline.appendChild(m);
    });
    for (const lm of (marks?.logs.get(s.spanId) ?? []).slice(0, 50)) {
      const m = h('span', { class: 'wf-log', 'data-testid': 'waterfall-log', 'data-log-id': lm.logId, title: lm.title });
      m.style.left = `${lm.pct}%`;
      m.addEventListener('click', (ev) => { ev.stopPropagation(); marks!.onLog(s.spanId, lm.logId); });
      timeline.appendChild(m);
    }
    const row = h('div', {
      class: 'wf-row', 'data-testid': 'waterfall-row', 'data-span-id': s.spanId, 'data-depth': String(r.depth), role: 'treeitem',
      'aria-level': String(r.depth + 1), 'aria-selected': String(selected === s.spanId),
    }, label, timeline);
    if (isErr) row.classList.add('is-error');
    if (selected === s.spanId) row.classList.add('selected');
    if (showCp && cpOn().has(ri)) row.classList.add('on-cp');
    row.addEventListener('click', () => { onSelect(selected === s.spanId ? null : s.spanId); });
    return row;
  };

  let raf = 0;
  const paint = (): void => {
    raf = 0;
    spacer.style.height = `${visible.length * ROW_H}px`;
    let first = 0;
    let last = visible.length - 1;
    if (virtual) {
      const top = scroller.scrollTop;
      const vh = scroller.clientHeight || 600;
      first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
      last = Math.min(visible.length - 1, Math.ceil((top + vh) / ROW_H) + OVERSCAN);
    }
    const want = new Set<number>();
    for (let v = first; v <= last; v++) want.add(visible[v]);
    for (const [ri, node] of rendered) if (!want.has(ri)) { node.remove(); rendered.delete(ri); }
    for (let v = first; v <= last; v++) {
      const ri = visible[v];
      let node = rendered.get(ri);
      if (!node) { node = renderRow(ri); rendered.set(ri, node); spacer.appendChild(node); }
      node.style.transform = `translateY(${v * ROW_H}px)`;
    }
  };
  const schedule = (): void => { if (!raf) raf = requestAnimationFrame(paint); };
  const rebuild = (): void => {
    for (const node of rendered.values()) node.remove();
    rendered.clear();
    paint();
  };
  if (virtual) scroller.addEventListener('scroll', schedule, { passive: true });

  const toggleRow = (spanId: string): void => {
    if (collapsed.has(spanId)) collapsed.delete(spanId); else collapsed.add(spanId);
    visible = visibleRows(rows, collapsed);
    rebuild();
  };

  const api: WaterfallView = {
    el,
    select(spanId, scroll = false) {
      selected = spanId;
      for (const [ri, node] of rendered) {
        const on = rows[ri].span.spanId === spanId;
        node.classList.toggle('selected', on);
        node.setAttribute('aria-selected', String(on));
      }
      if (spanId && scroll) {
        const ri = layout.indexById.get(spanId);
        if (ri === undefined) return;
        // Expand collapsed ancestors so the row can be shown.
        let changed = false;
        for (let p = rows[ri].parentIndex; p >= 0; p = rows[p].parentIndex) {
          if (collapsed.delete(rows[p].span.spanId)) changed = true;
        }
        if (changed) { visible = visibleRows(rows, collapsed); rebuild(); }
        const v = visible.indexOf(ri);
        if (v >= 0) {
          const top = v * ROW_H;
          if (top < scroller.scrollTop || top + ROW_H > scroller.scrollTop + scroller.clientHeight) {
            scroller.scrollTop = Math.max(0, top - scroller.clientHeight / 2);
          }
          paint();
        }
      }
    },
    setCriticalPath(on) {
      showCp = on;
      el.classList.toggle('cp-mode', on);
      for (const [ri, node] of rendered) node.classList.toggle('on-cp', on && cpOn().has(ri));
    },
    expandAll() { collapsed.clear(); visible = visibleRows(rows, collapsed); rebuild(); },
    collapseAll() {
      collapsed.clear();
      for (const r of rows) if (r.depth >= 1 && r.childCount > 0) collapsed.add(r.span.spanId);
      visible = visibleRows(rows, collapsed);
      rebuild();
    },
    viewState() { return { collapsed: [...collapsed], scrollTop: scroller.scrollTop }; },
    move(delta) {
      const cur = selected === null ? -1 : visible.indexOf(layout.indexById.get(selected) ?? -1);
      const next = Math.min(visible.length - 1, Math.max(0, cur < 0 ? 0 : cur + delta));
      if (visible[next] !== undefined) onSelect(rows[visible[next]].span.spanId);
    },
  };
  paint();
  if (init?.scrollTop) {
    // Restore once the scroller is in the page and has its height.
    requestAnimationFrame(() => { scroller.scrollTop = init.scrollTop; paint(); });
  }
  return api;
}
