/**
 * @module ui/views/compare-view: the compare page (#/compare, issue 19, CONTRACT §12). `?a=&b=`:
 * two traces side by side, one row per aligned node (tree order, or biggest delta first), each
 * side's node opening its span in that trace. `?root=&service=` (+ `a_start`…`b_end`, unix s):
 * two windows of one operation, picked with presets or by dragging on a per-minute chart
 * (views/window-picker.ts), with p50/p95 per node. Data: GET /api/compare; text nodes only.
 */
import { getCompare } from '../api.js';
import type { CompareAnswer, CompareFinding, CompareNode, CompareTraceSide, CompareWindowSide } from '../api-types.js';
import { formatDuration, shortId } from '../lib/format.js';
import { buildHash, windowOf, type Route } from '../lib/route.js';
import { h, latestOnly, replace } from './dom.js';
import { errorBanner } from './empty-state.js';
import type { View } from './view.js';
import { windowPicker, type WindowPair } from './window-picker.js';
import '../styles/compare.css';

/** At most this many node rows are drawn (the answer holds up to 5,000). */
const MAX_ROWS = 2000;
const MAX_FINDINGS = 50;
const TRACE_ID = /^[0-9a-f]{32}$/;

const ms = (v: number | null | undefined): string => (typeof v === 'number' ? formatDuration(v) : '–');

/** A signed duration: +12 ms, −3 ms. */
export function deltaText(deltaMs: number): string {
  return `${deltaMs >= 0 ? '+' : '−'}${formatDuration(Math.abs(deltaMs))}`;
}

/** The class colouring a delta: slower (and grown) red, faster green, under 1 ms plain. */
function deltaClass(deltaMs: number): string {
  return Math.abs(deltaMs) < 1 ? 'delta-same' : deltaMs > 0 ? 'delta-up' : 'delta-down';
}

/** The findings of a comparison as a list (kind, node, detail). */
export function findingsList(findings: readonly CompareFinding[]): HTMLElement {
  if (findings.length === 0) return h('div', { class: 'muted compare-findings', 'data-testid': 'compare-findings' }, 'No findings.');
  return h('ul', { class: 'compare-findings', 'data-testid': 'compare-findings' },
    ...findings.slice(0, MAX_FINDINGS).map((f) => h('li', { 'data-kind': f.kind },
      h('strong', { class: `finding-kind kind-${f.kind}` }, f.kind), ' ', h('span', { class: 'mono' }, f.path.at(-1) ?? ''), ': ', f.detail)));
}

/** Rows in tree order, or by |Δ| (changed first) when `biggest`. */
function ordered(nodes: readonly CompareNode[], biggest: boolean, key: (n: CompareNode) => number): CompareNode[] {
  if (!biggest) return nodes.slice(0, MAX_ROWS);
  return [...nodes].sort((x, y) => Math.abs(key(y)) - Math.abs(key(x))).slice(0, MAX_ROWS);
}

/** The node's name (its service where that changes), indented by its depth, with the full path as its tooltip. */
function nodeLabel(n: CompareNode, tree: boolean): HTMLElement {
  // The service is named where it changes (the root, a call into another service).
  const parent = n.path.length > 1 ? n.path[n.path.length - 2] : undefined;
  const newService = parent === undefined || !parent.startsWith(`${n.service}:`);
  const el = h('span', { class: 'cmp-node', title: n.path.join(' › ') }, newService ? h('span', { class: 'cmp-svc' }, n.service) : null, n.name);
  if (tree) el.style.paddingLeft = `${Math.min(n.path.length - 1, 30) * 14}px`;
  return el;
}

function sortToggle(biggest: boolean, onChange: (biggest: boolean) => void): HTMLElement {
  const mk = (label: string, on: boolean, testid: string): HTMLElement => {
    const b = h('button', { type: 'button', class: `seg${on ? ' on' : ''}`, 'aria-pressed': String(on), 'data-testid': testid }, label);
    b.addEventListener('click', () => onChange(label !== 'Tree order'));
    return b;
  };
  return h('span', { class: 'segmented' }, mk('Tree order', !biggest, 'compare-sort-tree'), mk('Biggest Δ first', biggest, 'compare-sort-delta'));
}

/** One side of a node row: its name (a link to the span in that trace) and count, or a dash. */
function traceCell(n: CompareNode, side: 'a' | 'b', traceId: string, tree: boolean): HTMLElement {
  const spanId = side === 'a' ? n.spanIdA : n.spanIdB;
  const count = side === 'a' ? n.countA : n.countB;
  if (spanId === undefined || count === 0) return h('td', { class: 'cmp-side cmp-absent muted', 'data-side': side }, '—');
  const link = h('a', { href: buildHash('trace', traceId, { span: spanId }), class: 'cmp-open', 'data-testid': `compare-open-${side}`, title: `Open this span in trace ${side.toUpperCase()}` }, nodeLabel(n, tree));
  const errors = side === 'a' ? n.errorA : n.errorB;
  return h('td', { class: 'cmp-side', 'data-side': side }, link,
    count > 1 ? h('span', { class: 'badge cmp-count' }, `×${count}`) : null,
    errors > 0 ? h('span', { class: 'badge status-error' }, `${errors} error${errors === 1 ? '' : 's'}`) : null);
}

function tracesBody(r: CompareAnswer<CompareTraceSide>, biggest: boolean, onSort: (b: boolean) => void): HTMLElement[] {
  const e2e = r.b.durationMs - r.a.durationMs;
  const side = (label: string, s: CompareTraceSide): HTMLElement => h('div', { class: 'cmp-summary-side' },
    h('span', { class: 'cmp-side-label' }, label), ' ',
    h('a', { href: buildHash('trace', s.traceId), class: 'mono', title: s.traceId }, shortId(s.traceId)), ' ',
    h('span', null, `${s.rootService}: ${s.rootName}`), ' ',
    h('span', { class: 'muted' }, `${formatDuration(s.durationMs)} · ${s.spanCount} spans · ${s.errorCount} errors`));
  const differ = r.nodes.filter((n) => n.status !== 'same').length;
  const rows = ordered(r.nodes, biggest, (n) => n.deltaMs).map((n) => h('tr', { 'data-testid': 'compare-row', 'data-status': n.status, class: `cmp-row status-${n.status}`, 'data-path': n.path.join(' > ') },
    traceCell(n, 'a', r.a.traceId, !biggest),
    h('td', { class: 'col-num mono' }, ms(n.durationMsA)),
    h('td', { class: `col-num mono cmp-delta ${deltaClass(n.deltaMs)}`, 'data-testid': 'compare-delta' }, deltaText(n.deltaMs)),
    h('td', { class: 'col-num mono' }, ms(n.durationMsB)),
    traceCell(n, 'b', r.b.traceId, !biggest),
    h('td', { class: 'muted cmp-status' }, n.status)));
  return [
    h('div', { class: 'cmp-summary', 'data-testid': 'compare-summary' }, side('A', r.a), side('B', r.b),
      h('div', null, 'End to end ', h('strong', { class: deltaClass(e2e) }, deltaText(e2e)), h('span', { class: 'muted' }, ` · ${differ} of ${r.nodes.length} nodes differ${r.truncated ? ' (biggest differences kept)' : ''}`))),
    findingsList(r.findings),
    h('div', { class: 'cmp-toolbar' }, sortToggle(biggest, onSort), h('span', { class: 'muted' }, 'Click a node to open its span in trace A or B.')),
    h('table', { class: 'list-table compare-tree', 'data-testid': 'compare-table' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Trace A'), h('th', { scope: 'col', class: 'col-num' }, 'A'),
        h('th', { scope: 'col', class: 'col-num' }, 'Δ'), h('th', { scope: 'col', class: 'col-num' }, 'B'), h('th', { scope: 'col' }, 'Trace B'), h('th', { scope: 'col' }, 'Status'))),
      h('tbody', null, ...rows)),
    r.nodes.length > MAX_ROWS ? h('div', { class: 'muted' }, `First ${MAX_ROWS} of ${r.nodes.length} nodes shown.`) : null,
  ].filter((x): x is HTMLElement => x !== null);
}

const pctText = (v: number | undefined): string => (typeof v === 'number' ? `${Math.round(v * 1000) / 10}%` : '–');

function windowsBody(r: CompareAnswer<CompareWindowSide>, biggest: boolean, onSort: (b: boolean) => void): HTMLElement[] {
  const side = (label: string, s: CompareWindowSide): HTMLElement => h('div', { class: 'cmp-summary-side', 'data-testid': `compare-window-${label.toLowerCase()}` },
    h('span', { class: 'cmp-side-label' }, label), ' ',
    // The window's traces in the list (a deep link's start/end become the time range).
    h('a', { href: buildHash('traces', undefined, { service: s.rootService ?? undefined, name: s.rootName, start: String(Math.floor(s.start)), end: String(Math.ceil(s.end)) }), 'data-testid': `compare-window-traces-${label.toLowerCase()}`, title: 'These traces in the list' },
      `${s.traceCount} trace${s.traceCount === 1 ? '' : 's'}`), ' ',
    h('span', { class: 'muted' }, `p50 ${ms(s.p50Ms)} · p95 ${ms(s.p95Ms)} · ${s.errorTraceCount} with errors`));
  const p50Delta = (n: CompareNode) => (n.p50MsB ?? 0) - (n.p50MsA ?? 0);
  const rows = ordered(r.nodes, biggest, p50Delta).map((n) => h('tr', { 'data-testid': 'compare-row', 'data-status': n.status, class: `cmp-row status-${n.status}`, 'data-path': n.path.join(' > ') },
    h('td', { class: 'cmp-side' }, nodeLabel(n, !biggest)),
    h('td', { class: 'col-num mono', 'data-testid': 'compare-count' }, `${n.countA}→${n.countB}`),
    h('td', { class: 'col-num mono', 'data-testid': 'compare-p50a' }, ms(n.p50MsA)),
    h('td', { class: 'col-num mono', 'data-testid': 'compare-p50b' }, ms(n.p50MsB)),
    h('td', { class: 'col-num mono' }, ms(n.p95MsA)),
    h('td', { class: 'col-num mono' }, ms(n.p95MsB)),
    h('td', { class: `col-num mono cmp-delta ${deltaClass(p50Delta(n))}`, 'data-testid': 'compare-delta' }, deltaText(p50Delta(n))),
    h('td', { class: 'col-num mono' }, `${pctText(n.errorRateA)}→${pctText(n.errorRateB)}`),
    h('td', { class: 'muted cmp-status' }, n.status)));
  return [
    h('div', { class: 'cmp-summary', 'data-testid': 'compare-summary' }, side('A', r.a), side('B', r.b)),
    findingsList(r.findings),
    h('div', { class: 'cmp-toolbar' }, sortToggle(biggest, onSort), h('span', { class: 'muted' }, 'Counts are means per trace; p50/p95 over the traces that have the node.')),
    h('table', { class: 'list-table compare-tree', 'data-testid': 'compare-table' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Node'), h('th', { scope: 'col', class: 'col-num' }, 'Count A→B'),
        h('th', { scope: 'col', class: 'col-num' }, 'p50 A'), h('th', { scope: 'col', class: 'col-num' }, 'p50 B'),
        h('th', { scope: 'col', class: 'col-num' }, 'p95 A'), h('th', { scope: 'col', class: 'col-num' }, 'p95 B'),
        h('th', { scope: 'col', class: 'col-num' }, 'Δ p50'), h('th', { scope: 'col', class: 'col-num' }, 'Err A→B'), h('th', { scope: 'col' }, 'Status'))),
      h('tbody', null, ...rows)),
  ];
}

/** The windows a route carries (`a_start`…`b_end`, unix seconds), when all four are plain numbers in order. */
export function windowsOf(q: Record<string, string>): WindowPair | undefined {
  const a = windowOf({ start: q.a_start, end: q.a_end });
  const b = windowOf({ start: q.b_start, end: q.b_end });
  if (a?.start === undefined || a.end === undefined || b?.start === undefined || b.end === undefined) return undefined;
  return { a: { start: a.start, end: a.end }, b: { start: b.start, end: b.end } };
}

/** Mounts the compare page for `#/compare?…`. */
export function compareView(route: Route): View {
  const q = route.query;
  const out = h('div', { class: 'compare-out' });
  const loader = latestOnly((err) => replace(out, errorBanner(err)));
  let biggest = false;
  let answer: CompareAnswer | null = null;
  let draw = (): void => {};

  const a = (q.a ?? '').toLowerCase();
  const b = (q.b ?? '').toLowerCase();
  if (q.root === undefined) {
    const title = h('h2', { class: 'view-title' }, 'Compare traces');
    const el = h('section', { class: 'view view-compare', 'aria-label': 'Compare', 'data-testid': 'compare-view' }, title, out);
    if (!TRACE_ID.test(a) || !TRACE_ID.test(b)) {
      replace(out, h('div', { class: 'muted' }, 'Pick two traces in the Traces list (the checkboxes), or open #/compare?a=TRACE_ID&b=TRACE_ID.'));
      return { el, async refresh() { /* nothing to load */ } };
    }
    draw = () => { if (answer) replace(out, ...tracesBody(answer as CompareAnswer<CompareTraceSide>, biggest, (v) => { biggest = v; draw(); })); };
    return {
      el,
      async refresh(reason) {
        // Two stored traces barely change: load once, again only on a manual refresh.
        if (answer && reason !== 'manual') return;
        await loader.run(async (signal) => {
          if (!answer) replace(out, h('div', { class: 'muted' }, 'Comparing…'));
          answer = await getCompare({ a, b }, signal);
          if (!signal.aborted) draw();
        });
      },
      destroy() { loader.abort(); },
    };
  }

  // Windows of one root operation.
  const root = q.root;
  const service = q.service || undefined;
  let pair = windowsOf(q);
  const run = async (): Promise<void> => {
    if (!pair) { replace(out, h('div', { class: 'muted', 'data-testid': 'compare-pick-hint' }, 'Pick window A and window B: a preset, or drag on the chart.')); return; }
    const p = pair;
    await loader.run(async (signal) => {
      replace(out, h('div', { class: 'muted' }, 'Comparing…'));
      answer = await getCompare({ root, service, a_start: p.a.start, a_end: p.a.end, b_start: p.b.start, b_end: p.b.end }, signal);
      if (!signal.aborted) draw();
    });
  };
  draw = () => { if (answer) replace(out, ...windowsBody(answer as CompareAnswer<CompareWindowSide>, biggest, (v) => { biggest = v; draw(); })); };
  const picker = windowPicker({ root, service, initial: pair }, (next) => {
    pair = next;
    const fix = (x: number) => String(Math.round(x));
    const want = buildHash('compare', undefined, { root, service, a_start: fix(next.a.start), a_end: fix(next.a.end), b_start: fix(next.b.start), b_end: fix(next.b.end) });
    if (location.hash !== want) history.replaceState(null, '', want);
    void run();
  });
  const title = h('h2', { class: 'view-title' }, 'Compare windows ', h('span', { class: 'mono' }, root), service ? h('span', { class: 'muted' }, ` · ${service}`) : null);
  const el = h('section', { class: 'view view-compare', 'aria-label': 'Compare windows', 'data-testid': 'compare-view' }, title, picker.el, out);
  let ran = false;
  return {
    el,
    async refresh(reason) {
      await picker.refresh();
      if (!ran || reason === 'manual') { ran = true; await run(); }
    },
    destroy() { loader.abort(); picker.destroy(); },
  };
}
