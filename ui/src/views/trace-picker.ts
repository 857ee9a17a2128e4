/**
 * @module ui/views/trace-picker: picking two traces in the traces list to compare (issue 19): the
 * row checkboxes and the button that opens #/compare. Kept apart from the list so it stays a few
 * lines there.
 */
import type { TraceSummary } from '../api-types.js';
import { nanosToMs } from '../lib/format.js';
import { buildHash } from '../lib/route.js';
import { h } from './dom.js';

/**
 * The traces picked for comparison (issue 19): a checkbox per row, at most two kept (a third
 * unpicks the oldest pick), and a button in the filter bar that opens #/compare with the earlier trace as A.
 */
export function compareSelection(): { button: HTMLButtonElement; checkbox(t: TraceSummary): HTMLInputElement } {
  const picks: TraceSummary[] = [];
  const boxes = new Map<string, HTMLInputElement>();
  const button = h('button', { type: 'button', class: 'btn small-btn', 'data-testid': 'compare-selected', title: 'Compare the two picked traces side by side', disabled: true }, 'Compare');
  const sync = (): void => {
    button.disabled = picks.length !== 2;
    button.textContent = picks.length === 2 ? 'Compare 2' : `Compare (${picks.length}/2)`;
    for (const [id, box] of boxes) { if (!box.isConnected) boxes.delete(id); else box.checked = picks.some((p) => p.traceId === id); }
  };
  button.addEventListener('click', () => {
    if (picks.length !== 2) return;
    const [a, b] = [...picks].sort((x, y) => nanosToMs(x.startTimeUnixNano) - nanosToMs(y.startTimeUnixNano));
    location.hash = buildHash('compare', undefined, { a: a.traceId, b: b.traceId });
  });
  sync();
  return {
    button,
    checkbox(t) {
      const box = h('input', { type: 'checkbox', class: 'trace-select', 'data-testid': 'trace-select', 'aria-label': `Pick trace ${t.traceId} to compare`, checked: picks.some((p) => p.traceId === t.traceId) });
      boxes.set(t.traceId, box);
      box.addEventListener('change', () => {
        const i = picks.findIndex((p) => p.traceId === t.traceId);
        if (box.checked && i < 0) { picks.push(t); if (picks.length > 2) picks.shift(); }
        if (!box.checked && i >= 0) picks.splice(i, 1);
        sync();
      });
      return box;
    },
  };
}
