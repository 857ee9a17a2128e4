/**
 * @module ui/views/compare-panel: "Compare with…" on the trace view (issue 19): this trace (A)
 * against another (B) through GET /api/compare, shown as findings and a node table, biggest delta
 * first. Telemetry is rendered as text nodes only (views/dom.ts `h`).
 */
import { formatDuration } from '../lib/format.js';
import { buildHash } from '../lib/route.js';
import type { CompareFinding } from '../api-types.js';
import { findingsList } from './compare-view.js';
import { h, replace } from './dom.js';

interface Node { path: string[]; countA: number; countB: number; durationMsA: number | null; durationMsB: number | null; deltaMs: number; status: string; errorA: number; errorB: number }
interface Answer { a: { traceId: string; durationMs: number }; b: { traceId: string; durationMs: number }; nodes: Node[]; findings: CompareFinding[] }

const MAX_ROWS = 300;
const ms = (v: number | null) => (v === null ? '–' : formatDuration(v));

function render(host: HTMLElement, r: Answer): void {
  const nodes = [...r.nodes].filter((n) => n.status !== 'same').sort((x, y) => Math.abs(y.deltaMs) - Math.abs(x.deltaMs));
  const e2e = r.b.durationMs - r.a.durationMs;
  replace(host,
    h('div', { class: 'muted', 'data-testid': 'compare-summary' },
      `A ${formatDuration(r.a.durationMs)} → B ${formatDuration(r.b.durationMs)} (${e2e >= 0 ? '+' : '−'}${formatDuration(Math.abs(e2e))}); `,
      `${nodes.length} of ${r.nodes.length} nodes differ`),
    findingsList(r.findings),
    h('table', { class: 'list-table compare-table', 'data-testid': 'compare-table' },
      h('thead', null, h('tr', null, h('th', null, 'Node'), h('th', null, 'Status'), h('th', { class: 'col-num' }, 'Count A→B'),
        h('th', { class: 'col-num' }, 'A'), h('th', { class: 'col-num' }, 'B'), h('th', { class: 'col-num' }, 'Δ'))),
      h('tbody', null, ...nodes.slice(0, MAX_ROWS).map((n) => h('tr', { 'data-testid': 'compare-row', 'data-status': n.status },
        h('td', { title: n.path.join(' › ') }, n.path.at(-1) ?? ''),
        h('td', { class: n.errorB > 0 && n.errorA === 0 ? 'err-text' : '' }, n.status),
        h('td', { class: 'col-num mono' }, `${n.countA}→${n.countB}`),
        h('td', { class: 'col-num mono' }, ms(n.durationMsA)),
        h('td', { class: 'col-num mono' }, ms(n.durationMsB)),
        h('td', { class: `col-num mono${n.deltaMs > 0 ? ' err-text' : ''}`, 'data-testid': 'compare-delta' }, `${n.deltaMs >= 0 ? '+' : '−'}${formatDuration(Math.abs(n.deltaMs))}`))))));
}

/** The panel for trace `traceId` (A); `initial` (a trace id, e.g. from `?compare=`) runs at once. */
export function comparePanel(traceId: string, initial?: string): HTMLElement {
  const input = h('input', { type: 'text', class: 'input mono', placeholder: 'trace id to compare with', 'aria-label': 'Compare with trace id', 'data-testid': 'compare-input', maxlength: '64' });
  const out = h('div', { class: 'compare-out' });
  const go = async () => {
    const other = input.value.trim().toLowerCase();
    if (!/^[0-9a-f]{32}$/.test(other)) { replace(out, h('div', { class: 'err-text' }, 'A trace id is 32 hex digits.')); return; }
    replace(out, h('div', { class: 'muted' }, 'Comparing…'));
    try {
      const res = await fetch(`/api/compare?a=${encodeURIComponent(traceId)}&b=${encodeURIComponent(other)}`, { credentials: 'same-origin', headers: { accept: 'application/json' } });
      const body = await res.json();
      if (!res.ok) { replace(out, h('div', { class: 'err-text' }, String(body?.error ?? res.status))); return; }
      render(out, body as Answer);
      out.prepend(h('a', { href: buildHash('compare', undefined, { a: traceId, b: other }), class: 'compare-link', 'data-testid': 'compare-side-by-side' }, 'Open side by side →'));
    } catch {
      replace(out, h('div', { class: 'err-text' }, 'TinyOlly is not reachable'));
    }
  };
  const btn = h('button', { class: 'btn', type: 'button', 'data-testid': 'compare-go' }, 'Compare');
  btn.addEventListener('click', () => void go());
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter') void go(); });
  if (initial) { input.value = initial; void go(); }
  return h('details', { class: 'compare-panel', 'data-testid': 'compare-panel', open: initial ? '' : null }, h('summary', null, 'Compare with another trace…'),
    h('div', { class: 'compare-form' }, input, btn), out);
}
